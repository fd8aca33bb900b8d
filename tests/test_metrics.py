"""Metrics on tiny hand-made routes (pieces tables) and the time model."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
import pytest

from corridors import boundaries
from corridors.metrics import border_crossings, country_runs, gauge_breaks, length_by_country
from corridors.network import geodesic_lengths_m
from corridors.routing import PIECE_COLUMNS
from corridors.timemodel import DEFAULT_TIME_MODEL, TimeModel


def _pieces(points: list[tuple[float, float]], mode: str = "rail", **extra: Any) -> pd.DataFrame:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    countries = boundaries.countries_at(xs, ys)
    rows = []
    for i in range(len(points) - 1):
        rows.append(
            {
                "leg": 0,
                "edge": -1,
                "x0": xs[i],
                "y0": ys[i],
                "x1": xs[i + 1],
                "y1": ys[i + 1],
                "mode": mode,
                "status": "operational",
                "gauge_mm": 0,
                "length_m": float(
                    geodesic_lengths_m([xs[i]], [ys[i]], [xs[i + 1]], [ys[i + 1]])[0]
                ),
                "missing": False,
                "bridged": False,
                "link": "",
                "country0": countries[i],
                "country1": countries[i + 1],
                **extra,
            }
        )
    return pd.DataFrame(rows, columns=list(PIECE_COLUMNS))


# Ganja (AZE) to Tbilisi (GEO), every 2 km or so: one crossing, many edges
GANJA_TBILISI = [
    (46.36 + (44.80 - 46.36) * t / 80, 40.69 + (41.72 - 40.69) * t / 80) for t in range(81)
]


def test_one_crossing_however_many_edges() -> None:
    p = _pieces(GANJA_TBILISI)
    crossings = border_crossings(p)
    assert [(c.from_country, c.to_country) for c in crossings] == [("AZE", "GEO")]
    c = crossings[0]
    # the crossing lies on the AZE–GEO boundary
    assert boundaries.distance_to_country_km(c.lon, c.lat, "AZE") < 0.5
    assert boundaries.distance_to_country_km(c.lon, c.lat, "GEO") < 0.5


def test_lengths_by_country_add_up() -> None:
    p = _pieces(GANJA_TBILISI)
    by = length_by_country(p)
    assert set(by) == {"AZE", "GEO"}
    assert sum(by.values()) == pytest.approx(p["length_m"].sum() / 1000, abs=0.2)
    assert 100 < by["AZE"] < 150  # Ganja to the border is about 120 km as the crow flies


def test_a_line_along_a_border_river_does_not_zigzag() -> None:
    # along the Aras on the Iranian bank: the 1:10m border puts some points in AZE and ARM
    line = [(46.05 + 0.01 * i, 38.872) for i in range(31)]
    wiggly = _pieces(line, mode="road")
    raw = set(wiggly["country0"]) | set(wiggly["country1"])
    assert {"IRN", "ARM"} <= raw
    assert [r.country for r in country_runs(wiggly, tolerance_km=1.5)] == ["IRN"]
    assert border_crossings(wiggly) == []
    # with no tolerance the same line "crosses" back and forth
    assert len(country_runs(wiggly, tolerance_km=0.0)) >= 3


def test_entering_and_leaving_by_sea_is_not_a_land_crossing() -> None:
    land_a = _pieces([(49.84, 40.36), (49.40, 39.94)])  # Baku to Alat, AZE
    sea = _pieces([(49.40, 39.94), (50.5, 41.5), (51.22, 43.60)], mode="ferry")
    land_b = _pieces([(51.22, 43.60), (51.30, 43.70)])  # Aktau, KAZ
    p = pd.concat([land_a, sea, land_b], ignore_index=True)
    assert border_crossings(p) == []
    assert [r.country for r in country_runs(p)] == ["AZE", "sea", "KAZ"]
    assert "sea" in length_by_country(p)


def test_gauge_breaks_once_per_change() -> None:
    a = _pieces([(44.9, 41.0), (44.8, 41.1), (44.7, 41.2)], gauge_mm=1520)
    b = _pieces([(44.7, 41.2), (44.6, 41.3)], gauge_mm=1435)
    c = _pieces([(44.6, 41.3), (44.5, 41.4)], gauge_mm=1435)
    breaks = gauge_breaks(pd.concat([a, b, c], ignore_index=True))
    assert len(breaks) == 1
    assert (breaks[0]["from_mm"], breaks[0]["to_mm"]) == (1520, 1435)
    assert breaks[0]["lon"] == pytest.approx(44.7)


def test_time_model_defaults_and_overrides() -> None:
    m = DEFAULT_TIME_MODEL
    assert m.border_dwell_h["rail"] == 40.6 and m.border_dwell_h["road"] == 9.9
    assert "CAREC" in m.sources["border_dwell_h.rail"]
    faster = m.with_overrides({"border_dwell_h.rail": 10, "speed_kmh.rail": 60})
    assert faster.border_dwell_h["rail"] == 10 and faster.speed_kmh["rail"] == 60
    assert faster.sources["border_dwell_h.rail"] == "override"
    assert m.border_dwell_h["rail"] == 40.6  # the default is untouched
    with pytest.raises(KeyError, match="unknown time-model parameter"):
        m.with_overrides({"border_dwell_h.camel": 1})
    assert isinstance(TimeModel().as_dict()["speed_kmh"], dict)


def _tiny_network() -> object:
    from corridors.network import network_from_segments

    def line(pts: list[tuple[float, float]], mode: str, **kw: object) -> list[dict[str, object]]:
        group = "water" if mode in ("sea", "ferry") else mode
        return [
            {
                "x0": a[0],
                "y0": a[1],
                "x1": b[0],
                "y1": b[1],
                "mode": mode,
                "source": "t",
                "g0": group,
                "g1": group,
                **kw,
            }
            for a, b in itertools.pairwise(pts)
        ]

    rows = (
        line([(49.84, 40.36), (49.6, 40.1), (49.40, 39.94)], "rail", gauge_mm=1520)  # Baku-Alat
        + line([(49.40, 39.94), (50.5, 41.5), (51.22, 43.60)], "ferry")  # Alat-Aktau
        + line([(51.22, 43.60), (51.5, 43.9), (52.0, 44.5)], "rail", gauge_mm=1520)
    )
    return network_from_segments(pd.DataFrame(rows))


def test_transshipments_and_published_lengths_on_a_tiny_network() -> None:
    import corridors
    from corridors.metrics import route_metrics
    from corridors.model import Leg, Mode, PublishedLength, Waypoint
    from corridors.routing import route_corridor

    baku = Waypoint("Baku", 49.84, 40.36, "AZE")
    alat = Waypoint("Alat", 49.40, 39.94, "AZE")
    aktau = Waypoint("Aktau", 51.22, 43.60, "KAZ")
    inland = Waypoint("Inland", 52.0, 44.5, "KAZ")
    legs = (
        Leg(baku, alat, Mode.RAIL, published_length=PublishedLength(60.0, "s", "2024")),
        Leg(alat, aktau, Mode.FERRY),
        Leg(aktau, inland, Mode.RAIL),
    )
    c = corridors.Corridor(
        id="tiny",
        name="Tiny",
        summary="t",
        waypoints=(baku, alat, aktau, inland),
        legs=legs,
        modes=(Mode.RAIL, Mode.FERRY),
    )
    m = route_metrics(route_corridor(c, _tiny_network(), links={}))  # type: ignore[arg-type]
    assert [(t["from"], t["to"], t["name"]) for t in m["transshipments"]] == [
        ("rail", "ferry", "Alat"),
        ("ferry", "rail", "Aktau"),
    ]
    assert m["border_crossings"] == []  # arriving by sea is not a land crossing
    assert m["countries"] == ["AZE", "KAZ"]
    (pub,) = m["published_vs_modelled"]
    assert pub["published_km"] == 60.0
    assert pub["modelled_km"] == pytest.approx(m["legs"][0]["length_km"])
    assert pub["deviation_pct"] == pytest.approx((pub["modelled_km"] - 60) / 60 * 100, abs=0.1)
    # time: 2 port calls of 24 h, no border dwell
    assert m["time_h_breakdown"]["port_h"] == 48.0
    assert m["time_h_breakdown"]["border_h"] == 0.0


# the scgraph road Aghband–Kapan as routed: a 35 km chord along the Aras (AZE into IRN),
# then a 32 km chord north that clips a corner of Azerbaijan before Kapan (ARM)
_AGHBAND_KAPAN = [
    (46.789, 39.132),
    (46.754, 39.111),
    (46.732, 39.040),
    (46.365, 38.917),
    (46.424, 39.200),
    (46.466, 39.204),
    (46.340, 39.510),
]


def test_a_corner_clipped_between_two_named_crossings_is_not_a_country() -> None:
    p = _pieces(_AGHBAND_KAPAN, mode="road")
    runs = country_runs(p)
    assert [r.country for r in runs] == ["AZE", "IRN", "ARM"]
    names = [c.name for c in border_crossings(p, runs=runs)]
    assert names == ["Aghband–Kalaleh", "Agarak–Norduz"]
    assert "km in AZE between IRN and ARM" in runs[1].note
    assert sum(r.length_m for r in runs) == pytest.approx(p["length_m"].sum())


def test_slivers_longer_than_the_setting_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors import settings

    monkeypatch.setattr(settings, "sliver_max_km", 1.0)
    runs = country_runs(_pieces(_AGHBAND_KAPAN, mode="road"))
    assert [r.country for r in runs] == ["AZE", "IRN", "AZE", "ARM"]
    assert not any(r.note for r in runs)
