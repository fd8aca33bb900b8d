"""Time-model overrides are range-checked: no zero speed, no negative or NaN hours."""

from __future__ import annotations

import pytest

from corridors import ScenarioError
from corridors.analysis.timemodel import DEFAULT_TIME_MODEL
from corridors.cli._main import main


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
