"""A route's line cut into runs of one country: hysteresis, sea, slivers."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from corridors.analysis.metrics import border_crossings, length_by_country
from corridors.geo.runs import (
    Run,
    country_runs,
    crossing_candidates,
    nearest_candidate,
    nearest_name,
)
from tests.helpers import pieces_along as _pieces

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


@pytest.fixture
def natural_earth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Natural Earth 1:10m borders, 2-4 km off along the Aras: what hysteresis and the
    sliver rule exist for (the default OSM borders put these lines where they really are)."""
    from corridors import settings

    monkeypatch.setattr(settings, "borders", "natural-earth")


@pytest.mark.usefixtures("natural_earth")
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


@pytest.mark.usefixtures("natural_earth")
def test_a_corner_clipped_between_two_named_crossings_is_not_a_country() -> None:
    p = _pieces(_AGHBAND_KAPAN, mode="road")
    runs = country_runs(p)
    assert [r.country for r in runs] == ["AZE", "IRN", "ARM"]
    names = [c.name for c in border_crossings(p, runs=runs)]
    assert names == ["Aghband–Kalaleh", "Agarak–Norduz"]
    assert "km in AZE between IRN and ARM" in runs[1].note
    assert sum(r.length_m for r in runs) == pytest.approx(p["length_m"].sum())


@pytest.mark.usefixtures("natural_earth")
def test_slivers_longer_than_the_setting_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors import settings

    monkeypatch.setattr(settings, "sliver_max_km", 1.0)
    runs = country_runs(_pieces(_AGHBAND_KAPAN, mode="road"))
    assert [r.country for r in runs] == ["AZE", "IRN", "AZE", "ARM"]
    assert not any(r.note for r in runs)


def _summary(runs: list[Run]) -> list[tuple[object, ...]]:
    """Country, length (m), start and end (1e-5 degrees), modes and note of each run."""
    return [
        (
            r.country,
            round(r.length_m),
            tuple(round(float(v), 5) for v in r.start),
            tuple(round(float(v), 5) for v in r.end),
            r.mode_start,
            r.mode_end,
            r.note,
        )
        for r in runs
    ]


@pytest.mark.usefixtures("natural_earth")
def test_runs_start_and_end_where_the_line_crosses_the_boundary() -> None:
    p = _pieces(_AGHBAND_KAPAN, mode="road")
    # pieces 2 (AZE → IRN), 3 (IRN → AZE) and 4 (AZE → ARM) cross; the 9.1 km corner of AZE
    # on piece 3–4 is counted as IRN, so IRN runs on to where piece 4 enters ARM
    note = (
        "9.1 km in AZE between IRN and ARM, entered and left where no crossing is known, "
        "counted as IRN: the named IRN–ARM crossing Agarak–Norduz is nearby (simplified "
        "network lines and 1:10m boundaries clip corners)"
    )
    assert _summary(country_runs(p)) == [
        ("AZE", 44683, (46.789, 39.132), (46.38468, 38.92359), "road", "road", ""),
        ("IRN", 37239, (46.38468, 38.92359), (46.19415, 38.86969), "road", "road", note),
        ("ARM", 35768, (46.46483, 39.20389), (46.34, 39.51), "road", "road", ""),
    ]


@pytest.mark.usefixtures("natural_earth")
def test_a_sliver_kept_as_a_country_has_both_crossing_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corridors import settings

    monkeypatch.setattr(settings, "sliver_max_km", 1.0)
    assert _summary(country_runs(_pieces(_AGHBAND_KAPAN, mode="road"))) == [
        ("AZE", 44683, (46.789, 39.132), (46.38468, 38.92359), "road", "road", ""),
        ("IRN", 28163, (46.38468, 38.92359), (46.41376, 39.1509), "road", "road", ""),
        ("AZE", 9076, (46.41376, 39.1509), (46.46483, 39.20389), "road", "road", ""),
        ("ARM", 35768, (46.46483, 39.20389), (46.34, 39.51), "road", "road", ""),
    ]


@pytest.mark.usefixtures("natural_earth")
def test_border_tolerance_decides_when_the_line_has_crossed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corridors import settings

    wiggly = _pieces([(46.05 + 0.01 * i, 38.872) for i in range(31)], mode="road")
    zigzag = [
        ("IRN", 2490, (46.05, 38.872), (46.0787, 38.872), "road", "road", ""),
        ("AZE", 4478, (46.0787, 38.872), (46.1303, 38.872), "road", "road", ""),
        ("ARM", 6597, (46.1303, 38.872), (46.20631, 38.872), "road", "road", ""),
        ("IRN", 12469, (46.20631, 38.872), (46.35, 38.872), "road", "road", ""),
    ]
    straight = [("IRN", 26035, (46.05, 38.872), (46.35, 38.872), "road", "road", "")]
    assert _summary(country_runs(wiggly, tolerance_km=0.0)) == zigzag
    assert _summary(country_runs(wiggly, tolerance_km=1.5)) == straight
    # the default is the setting
    monkeypatch.setattr(settings, "border_tolerance_km", 0.0)
    assert _summary(country_runs(wiggly)) == zigzag
    monkeypatch.setattr(settings, "border_tolerance_km", 1.5)
    assert _summary(country_runs(wiggly)) == straight


def test_sea_runs_keep_their_ends_and_modes() -> None:
    land_a = _pieces([(49.84, 40.36), (49.40, 39.94)])  # Baku to Alat, AZE
    sea = _pieces([(49.40, 39.94), (50.5, 41.5), (51.22, 43.60)], mode="ferry")
    land_b = _pieces([(51.22, 43.60), (51.30, 43.70)])  # Aktau, KAZ
    p = pd.concat([land_a, sea, land_b], ignore_index=True)
    runs = country_runs(p)
    assert _summary(runs) == [
        ("AZE", 59837, (49.84, 40.36), (49.4, 39.94), "rail", "rail", ""),
        ("sea", 437239, (49.4, 39.94), (51.22, 43.6), "ferry", "ferry", ""),
        ("KAZ", 12849, (51.22, 43.6), (51.3, 43.7), "rail", "rail", ""),
    ]
    assert [r.water for r in runs] == [False, True, False]
    assert country_runs(p.iloc[0:0]) == []


def test_nearest_candidate_within_30_km() -> None:
    from pyproj import Geod

    aze_irn = crossing_candidates(frozenset(("AZE", "IRN")))
    assert aze_irn == (
        ("Astara–Astara", 48.87034, 38.43471),
        ("Biləsuvar–Bileh Savar", 48.36552, 39.38449),
        ("Julfa–Jolfa", 45.62343, 38.95634),
        ("Aghband–Kalaleh", 46.56818, 38.89691),
    )
    geod = Geod(ellps="WGS84")
    # 29.9 km and 30.1 km due north of Julfa–Jolfa: the first is named, the second is not
    for km, hit in ((29.9, "Julfa–Jolfa"), (30.1, None)):
        lon, lat, _ = geod.fwd(45.62343, 38.95634, 0.0, km * 1000.0)
        assert nearest_name(lon, lat, aze_irn) == hit
    # the nearest of several, not the first or the last
    assert nearest_candidate(46.5, 38.9, aze_irn) == aze_irn[3]
    assert nearest_candidate(45.7, 38.95, aze_irn) == aze_irn[2]
    assert nearest_candidate(45.7, 38.95, ()) is None


def test_nearest_candidate_radius_is_30_km_not_a_few_metres_more() -> None:
    # 29.99 km and 30.01 km due north and due east of Julfa–Jolfa: 10 m either side of the
    # radius, so a distance read in other units than km (say m / 1001) names the far point too
    from pyproj import Geod

    julfa = crossing_candidates(frozenset(("AZE", "IRN")))[2]
    assert julfa[0] == "Julfa–Jolfa"
    geod = Geod(ellps="WGS84")
    for azimuth in (0.0, 90.0):
        for km, hit in ((29.99, julfa), (30.01, None)):
            lon, lat, _ = geod.fwd(julfa[1], julfa[2], azimuth, km * 1000.0)
            assert nearest_candidate(lon, lat, (julfa,)) == hit


def test_distance_and_share_follow_the_borders_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first segment of the OSM Ordubad–Julfa track: Azerbaijan on OSM borders, Iran on
    Natural Earth 1:10m (which draws the Aras 2–4 km off); the memos are kept per border set."""
    from corridors import settings
    from corridors.geo import runs

    a, b = (46.00351, 38.87695), (45.99852, 38.87819)
    got = {}
    for borders in ("osm", "natural-earth"):
        monkeypatch.setattr(settings, "borders", borders)
        got[borders] = (
            runs._split_fraction(*a, *b, "AZE"),
            round(runs._distance_km(*a, "AZE"), 2),
            round(runs._distance_km(*a, "IRN"), 2),
        )
    assert got == {"osm": (1.0, 0.0, 0.28), "natural-earth": (0.0, 1.63, 0.0)}
    # 0 inside (Baku), else the km to the territory (Tbilisi to Azerbaijan)
    monkeypatch.setattr(settings, "borders", "osm")
    assert runs._distance_km(49.867, 40.409, "AZE") == 0.0
    assert round(runs._distance_km(44.79, 41.72, "AZE"), 1) == 39.4
    assert runs._distance_km(44.79, 41.72, "XXX") == float("inf")


def _three(a_end: tuple[float, float], b_km: float, b_country: str = "AZE") -> list[Run]:
    """GEO, then ``b_km`` of ``b_country``, then TUR; the middle run ends at Kartsakhi."""
    kartsakhi = (43.30565, 41.18848)  # the named GEO–TUR crossing point (crossings.yaml)
    return [
        Run("GEO", 50_000.0, (44.5, 41.6), a_end, "rail", "rail"),
        Run(b_country, b_km * 1000.0, a_end, kartsakhi, "rail", "rail"),
        Run("TUR", 40_000.0, kartsakhi, (43.1, 40.6), "rail", "rail"),
    ]


def test_a_sliver_merges_only_when_short_unexplained_and_on_land(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``_merge_slivers`` on hand-made runs: GEO, a stretch of a third country, TUR, the
    stretch ending at the named GEO–TUR crossing Kartsakhi (30 km of it)."""
    from corridors import settings
    from corridors.geo.runs import _merge_slivers

    far = (44.0, 41.7)  # no named GEO–AZE crossing within 30 km
    runs = _three(far, 5.0504)
    runs[0] = replace(runs[0], note="an earlier note")
    merged = _merge_slivers(runs)
    assert [(r.country, round(r.length_m, 1), r.end) for r in merged] == [
        ("GEO", 55_050.4, (43.30565, 41.18848)),
        ("TUR", 40_000.0, (43.1, 40.6)),
    ]
    # the earlier note kept, then this one (5.0504 km shown to 0.1 km)
    assert merged[0].note.startswith(
        "an earlier note; 5.1 km in AZE between GEO and TUR, entered and left"
    )
    assert "the named GEO–TUR crossing Kartsakhi is nearby" in merged[0].note
    # left at a named GEO–AZE crossing (Böyük Kəsik): a real entry, kept as a country
    kept = _merge_slivers(_three((45.17337, 41.39699), 5.0))
    assert [r.country for r in kept] == ["GEO", "AZE", "TUR"]
    # a stretch at sea is never a sliver, nor one of sliver_max_km or more
    assert [r.country for r in _merge_slivers(_three(far, 5.0, "sea"))] == ["GEO", "sea", "TUR"]
    monkeypatch.setattr(settings, "sliver_max_km", 5.0)
    assert [r.country for r in _merge_slivers(_three(far, 5.0))] == ["GEO", "AZE", "TUR"]
    assert [r.country for r in _merge_slivers(_three(far, 4.999))] == ["GEO", "TUR"]


def test_off_the_sea_a_piece_ending_outside_every_country_takes_its_start_country() -> None:
    # a pier-end point outside the land polygons (no country): the piece is the port's AZE
    sea = _pieces([(50.5, 41.5), (49.40, 39.94)], mode="ferry")
    land = _pieces([(49.40, 39.94), (49.84, 40.36)])
    land["country1"] = ""
    runs = country_runs(pd.concat([sea, land], ignore_index=True))
    assert [(r.country, r.mode_start, r.mode_end) for r in runs] == [
        ("sea", "ferry", "ferry"),
        ("AZE", "rail", "rail"),
    ]


def test_a_crossing_is_placed_on_the_piece_that_crosses_first_piece_or_after_the_sea() -> None:
    # Böyük Kəsik–Gardabani: piece 0 crosses from AZE and ends 0.6 km into GEO (within the
    # 1.5 km border tolerance, so it is still labelled AZE); piece 1 runs on inside GEO
    line = [(45.25, 41.37), (45.15209, 41.40264), (45.10, 41.42)]
    border = (45.15871, 41.40043)
    want = [
        ("AZE", 8350, (45.25, 41.37), border, "rail", "rail", ""),
        ("GEO", 5368, border, (45.1, 41.42), "rail", "rail", ""),
    ]
    assert _summary(country_runs(_pieces(line))) == want
    # the same after a ferry lands at the start: land boundaries after the sea are placed too
    ferry = _pieces([(45.26, 41.36), (45.25, 41.37)], mode="ferry")
    runs = country_runs(pd.concat([ferry, _pieces(line)], ignore_index=True))
    sea = ("sea", 1391, (45.26, 41.36), (45.25, 41.37), "ferry", "ferry", "")
    assert _summary(runs) == [sea, *want]
