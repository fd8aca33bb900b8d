"""The time model: defaults, range-checked overrides and the time–distance profile."""

from __future__ import annotations

import pandas as pd
import pytest

from corridors import ScenarioError
from corridors.analysis.timemodel import CAREC_2022, DEFAULT_TIME_MODEL, TimeModel, time_distance
from corridors.cli._main import main


def test_every_parameter_can_be_overridden_and_nothing_else_moves() -> None:
    m = DEFAULT_TIME_MODEL.with_overrides(
        {
            "speed_kmh.road": 50,
            "border_dwell_h.road": 3,
            "port_dwell_h": 12,
            "transshipment_h": 2.5,
        }
    )
    assert dict(m.speed_kmh) == {
        "rail": 53.9,
        "road": 50.0,
        "ferry": 22.0,
        "sea": 28.0,
        "pipeline": 0.0,
    }
    assert dict(m.border_dwell_h) == {"rail": 40.6, "road": 3.0}
    assert (m.port_dwell_h, m.transshipment_h) == (12.0, 2.5)
    for key in ("speed_kmh.road", "border_dwell_h.road", "port_dwell_h", "transshipment_h"):
        assert m.sources[key] == "override"
    assert m.sources["speed_kmh.rail"] == f"{CAREC_2022}: rail speed without delay"
    # the default is untouched
    assert (DEFAULT_TIME_MODEL.port_dwell_h, DEFAULT_TIME_MODEL.transshipment_h) == (24.0, 6.0)


@pytest.mark.parametrize("key", ["speed_kmh.camel", "border_dwell_h.sea", "port_dwell", "rail"])
def test_an_unknown_parameter_lists_the_known_ones(key: str) -> None:
    with pytest.raises(KeyError) as err:
        DEFAULT_TIME_MODEL.with_overrides({key: 1})
    msg = str(err.value)
    assert f"unknown time-model parameter {key!r}" in msg
    assert (
        "known: speed_kmh.rail, speed_kmh.road, speed_kmh.ferry, speed_kmh.sea, "
        "speed_kmh.pipeline, border_dwell_h.rail, border_dwell_h.road, port_dwell_h, "
        "transshipment_h" in msg
    )


def test_as_dict_is_the_whole_model() -> None:
    d = TimeModel().as_dict()
    assert d == {
        "speed_kmh": {"rail": 53.9, "road": 42.0, "ferry": 22.0, "sea": 28.0, "pipeline": 0.0},
        "border_dwell_h": {"rail": 40.6, "road": 9.9},
        "port_dwell_h": 24.0,
        "transshipment_h": 6.0,
        "sources": dict(TimeModel().sources),
    }
    assert all(
        type(v) is dict for k, v in d.items() if k != "port_dwell_h" and k != "transshipment_h"
    )


def _pieces(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"mode": [m for m, _ in rows], "length_m": [km * 1000 for _, km in rows]})


def test_time_distance_sums_moving_time_and_dwells_in_order() -> None:
    # 107.8 km rail (2 h at 53.9), a rail border at km 53.9, a port call at km 107.8,
    # 44 km ferry (2 h at 22), a second port call on arrival (the route ends at sea)
    pieces = _pieces([("rail", 53.9), ("rail", 53.9), ("ferry", 44.0)])
    metrics = {
        "border_crossings": [{"km": 53.9, "mode": "rail", "from": "AZE", "to": "GEO"}],
        "gauge_breaks": [],
        "transshipments": [{"km": 107.8, "from": "rail", "to": "ferry"}],
    }
    prof = time_distance(pieces, metrics)
    assert list(prof["km"]) == [0.0, 53.9, 53.9, 53.9, 107.8, 107.8, 107.8, 151.8, 151.8, 151.8]
    assert list(prof["h"]) == [0.0, 1.0, 41.6, 41.6, 42.6, 66.6, 66.6, 68.6, 92.6, 92.6]
    assert list(prof["event"]) == [
        "",
        "",
        "border AZE→GEO",
        "",
        "",
        "port (rail→ferry)",
        "",
        "",
        "port",
        "",
    ]


def test_time_distance_uses_the_model_given_and_gauge_and_land_changes() -> None:
    model = DEFAULT_TIME_MODEL.with_overrides({"speed_kmh.road": 40, "transshipment_h": 3})
    pieces = _pieces([("road", 80.0), ("rail", 53.9)])
    metrics = {
        "border_crossings": [],
        "gauge_breaks": [{"km": 80.0, "from_mm": 1520, "to_mm": 1435}],
        "transshipments": [{"km": 80.0, "from": "road", "to": "rail"}],
    }
    prof = time_distance(pieces, metrics, model)
    assert prof["h"].iloc[-1] == pytest.approx(2.0 + 3.0 + 3.0 + 1.0)
    assert set(prof["event"]) == {"", "gauge 1520→1435", "road→rail"}
    assert time_distance(pieces.iloc[:0], metrics).to_dict("list") == {
        "km": [0.0],
        "h": [0.0],
        "event": [""],
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("speed_kmh.rail", 0, r"speed_kmh\.rail=0 is out of range: give a number more than 0 "),
        ("speed_kmh.road", -5.0, r"speed_kmh\.road=-5 is out of range"),
        ("speed_kmh.sea", 1e6, r"speed_kmh\.sea=1e\+06 is out of range: .* at most 1000 km/h"),
        ("border_dwell_h.rail", -1, r"border_dwell_h\.rail=-1 is out of range: .*at least 0 "),
        ("port_dwell_h", float("nan"), r"port_dwell_h=nan is out of range"),
        ("transshipment_h", float("inf"), r"transshipment_h=inf is out of range"),
        ("port_dwell_h", 10**400, r"port_dwell_h=inf is out of range"),
        ("port_dwell_h", "12", r"port_dwell_h: '12' is not a number"),
        ("port_dwell_h", True, r"port_dwell_h: 'True' is not a number"),
    ],
)
def test_out_of_range_overrides_are_refused(key: str, value: object, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        DEFAULT_TIME_MODEL.with_overrides({key: value})  # type: ignore[dict-item]


def test_edges_of_the_ranges_are_accepted() -> None:
    m = DEFAULT_TIME_MODEL.with_overrides(
        {"border_dwell_h.rail": 0, "speed_kmh.rail": 1000, "speed_kmh.pipeline": 0}
    )
    assert m.border_dwell_h["rail"] == 0.0 and m.speed_kmh["rail"] == 1000.0
    assert m.speed_kmh["pipeline"] == 0.0


@pytest.mark.parametrize("value", ["0", "-3", "nan"])
def test_cli_set_is_refused_in_one_line(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", "--set", f"speed_kmh.rail={value}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "speed_kmh.rail=" in err and "is out of range" in err


def test_out_of_range_messages_name_the_whole_range_and_its_unit() -> None:
    with pytest.raises(ScenarioError) as err:
        DEFAULT_TIME_MODEL.with_overrides({"port_dwell_h": 9000})
    assert str(err.value) == (
        "time-model parameter port_dwell_h=9000 is out of range: give a number at least 0 "
        "and at most 8760 h"
    )
    with pytest.raises(ScenarioError) as err:
        DEFAULT_TIME_MODEL.with_overrides({"speed_kmh.road": 0})
    assert str(err.value) == (
        "time-model parameter speed_kmh.road=0 is out of range: give a number more than 0 "
        "and at most 1000 km/h"
    )
    # a speed of 5,000 h is fine as a dwell but not as a speed: the ranges differ
    assert (
        DEFAULT_TIME_MODEL.with_overrides({"border_dwell_h.rail": 5000}).border_dwell_h["rail"]
        == 5000.0
    )
    with pytest.raises(ScenarioError, match="at most 1000 km/h"):
        DEFAULT_TIME_MODEL.with_overrides({"speed_kmh.rail": 5000})
    with pytest.raises(ScenarioError) as err:
        DEFAULT_TIME_MODEL.with_overrides({"port_dwell_h": "x" * 100})  # type: ignore[dict-item]
    assert str(err.value) == f"time-model parameter port_dwell_h: {'x' * 40!r} is not a number"


def test_time_distance_starting_at_sea_and_on_lines_without_speed() -> None:
    # a sea leg from the first port (a port call at km 0), then a pipeline stretch and a
    # transfer edge, which take no moving time, then 12.3456 km of road at 42 km/h
    pieces = _pieces([("sea", 28.0), ("pipeline", 50.0), ("transfer", 1.0), ("road", 12.3456)])
    prof = time_distance(pieces, {})  # metrics with no events at all
    assert list(prof["km"]) == [0.0, 0.0, 0.0, 28.0, 78.0, 79.0, 91.35]
    assert list(prof["h"]) == [0.0, 24.0, 24.0, 25.0, 25.0, 25.0, 25.294]
    assert list(prof["event"]) == ["", "port", "", "", "", "", ""]


def test_the_readme_table_gives_the_defaults() -> None:
    from tests.helpers import readme_prose

    m = DEFAULT_TIME_MODEL
    s, b = m.speed_kmh, m.border_dwell_h
    text = readme_prose()
    for row in (
        f"| rail speed | {s['rail']} km/h |",
        f"| road speed | {s['road']} km/h |",
        f"| ferry / sea speed | {s['ferry']:.0f} / {s['sea']:.0f} km/h |",
        f"| border dwell, rail / road | {b['rail']} h / {b['road']} h |",
        f"| port dwell per call | {m.port_dwell_h:.0f} h |",
        f"| transshipment | {m.transshipment_h:.0f} h |",
    ):
        assert row in text, row
