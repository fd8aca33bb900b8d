"""The validation table: published lengths parsed exactly, errors computed right, every
published line routable on the embedded network."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Geod

import corridors
from corridors import settings
from corridors._errors import DefinitionError
from corridors.analysis.fidelity import (
    FidelityRow,
    LengthSource,
    PublishedLine,
    Station,
    fidelity_rows,
    fidelity_summary,
    percent_error,
    published_lines,
    published_lines_from_file,
)
from corridors.model import Mode, Status
from corridors.network.core import Network, network_from_segments
from tests.conftest import shared_path
from tests.helpers import readme_prose


def _by_id() -> dict[str, PublishedLine]:
    return {ln.id: ln for ln in published_lines()}


def test_published_lines_are_parsed_exactly() -> None:
    lines = _by_id()
    assert len(lines) == 27
    mashhad = lines["tehran-mashhad"]
    assert mashhad.start == Station("Tehran", 51.39781, 35.65812, "IRN", 11271470419)
    assert mashhad.end.name == "Shahid Raeisi Railway Station (Mashhad)"
    assert (mashhad.end.lon, mashhad.end.lat) == (59.62419, 36.30456)
    assert mashhad.length_km == 926.0
    assert mashhad.mode is Mode.RAIL and mashhad.status is Status.OPERATIONAL
    assert mashhad.source == LengthSource(
        title="Iran, China hold talks on electrifying Tehran-Mashhad railroad",
        publisher="Iran Daily (quoting the head of the Islamic Republic of Iran Railways)",
        url="https://newspaper.irandaily.ir/7667/2/11450",
        date="2017",
        accessed="2026-12-01",
    )
    assert lines["marabda-tetritskaro"].length_km == 29.2
    assert lines["sari-gorgan"].length_km == 142.6
    assert lines["baku-boyuk-kasik"].length_km == 503.0
    assert lines["fariman-parahat"].end.country == "TKM"
    georgia = lines["boyuk-kasik-kartsakhi"]
    tbilisi = Station("Tbilisi Central Station", 44.7995883, 41.721053, "GEO", 1448030489)
    assert georgia.via == (tbilisi,)
    assert georgia.name == "Böyük Kəsik – Kartsakhi via Tbilisi Central Station"
    assert all(ln.via == () for lid, ln in lines.items() if lid != "boyuk-kasik-kartsakhi")
    countries = {c for ln in lines.values() for c in (ln.start.country, ln.end.country)}
    assert countries == {"ARM", "AZE", "GEO", "IRN", "KAZ", "TKM", "TUR"}
    for ln in lines.values():
        assert ln.source.url.startswith("http"), ln.id
        assert ln.source.accessed in ("2026-12-01", "2026-12-02"), ln.id
        assert ln.source.title and ln.source.publisher and ln.source.date, ln.id


def test_station_coordinates_are_those_of_the_osm_station_nodes() -> None:
    folder = shared_path("osm", "stations")
    nodes: dict[int, tuple[float, float]] = {}
    for f in folder.glob("*.json"):
        for s in json.loads(f.read_text(encoding="utf-8")):
            if "coords" in s:  # georgia.json: [lat, lon] and a list of ids
                nodes[s["id"][0]] = (s["coords"][1], s["coords"][0])
            else:
                nodes[s["id"]] = (s["lon"], s["lat"])
    from corridors.geo.geodata import crossings

    borders = {c.name: (c.lon, c.lat) for c in crossings()}
    for ln in published_lines():
        for st in ln.stops:
            if st.osm_node is None:  # a line measured to a border ends at its crossing
                assert (st.lon, st.lat) == borders[st.name], (ln.id, st.name)
                continue
            assert st.osm_node in nodes, (ln.id, st.name)
            lon, lat = nodes[st.osm_node]  # type: ignore[index]
            assert (st.lon, st.lat) == pytest.approx((lon, lat), abs=1e-6), (ln.id, st.name)


def test_a_bad_file_names_the_file_the_line_and_the_value(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "lines:\n"
        "  - id: bad\n"
        "    from: {name: A, lon: 70.0, lat: 45.0, country: Kazakhstan}\n"
        "    to: {name: B, lon: 200.0, lat: 46.0, country: KAZ}\n"
        "    mode: bus\n"
        "    length_km: -5\n"
        "    status: operational\n"
        "    source: {title: T, publisher: P, url: u, date: '2024'}\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as err:
        published_lines_from_file(path)
    problems = err.value.problems
    assert all(p.startswith("mine.yaml: line 'bad'") or "mine.yaml" in p for p in problems)
    text = "\n".join(problems)
    assert "country 'Kazakhstan' must be an ISO3 code" in text
    assert "(200.0, 46.0) is not a (lon, lat)" in text
    assert "mode 'bus' must be one of" in text
    assert "length_km must be positive, got -5" in text
    assert "'accessed' must be a non-empty string" in text


def test_percent_error() -> None:
    assert percent_error(95.0, 100.0) == -5.0
    assert percent_error(826.0, 826.0) == 0.0
    assert percent_error(110.0, 100.0) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="must be positive"):
        percent_error(1.0, 0.0)


# --- a tiny hand-made network with a known length --------------------------------------------


def _meridian() -> Network:
    """A rail line along 70°E from 45°N to 46°N (Kazakhstan), in four straight pieces."""
    lats = [45.0, 45.25, 45.5, 45.75, 46.0]
    rows = [
        {"x0": 70.0, "y0": a, "x1": 70.0, "y1": b, "mode": "rail", "source": "t"}
        for a, b in itertools.pairwise(lats)
    ]
    return network_from_segments(pd.DataFrame(rows))


def _line(lid: str, km: float, *, end_lat: float = 46.0, end_lon: float = 70.0) -> PublishedLine:
    src = LengthSource("T", "P", "https://example.org", "2024", "2026-12-01")
    return PublishedLine(
        lid,
        Station("South", 70.0, 45.0, "KAZ"),
        Station("North", end_lon, end_lat, "KAZ"),
        Mode.RAIL,
        km,
        Status.OPERATIONAL,
        src,
    )


def test_the_error_on_a_tiny_network_with_a_known_length() -> None:
    arc_km = Geod(ellps="WGS84").inv(70.0, 45.0, 70.0, 46.0)[2] / 1000.0
    assert arc_km == pytest.approx(111.141, abs=0.001)  # one degree of meridian at 45.5°N
    lines = [
        _line("short", 100.0),
        _line("exact", round(arc_km, 1)),
        _line("off", 50.0, end_lon=71.0),
    ]
    rows = {r.id: r for r in fidelity_rows(_meridian(), lines=lines, corridors=[])}
    short = rows["short"]
    assert short.kind == "line" and short.name == "South – North"
    assert short.modelled_km == round(arc_km, 1) == 111.1
    assert short.error_pct == pytest.approx(11.1, abs=1e-9)
    assert short.snap_km == (0.0, 0.0)
    assert short.flag == "" and short.countries == ("KAZ",)
    assert rows["exact"].error_pct == 0.0
    # 71°E is about 79 km from the line: beyond the snap limit, so not routable, and said why
    off = rows["off"]
    assert off.modelled_km is None and off.error_pct is None and off.flag == "not routable"
    assert "snap limit" in off.detail


def test_a_line_with_via_stations_is_routed_through_them_in_order() -> None:
    # the meridian with a spur east at 45.5°N: South – North via the spur's end goes out and back
    spur = {"x0": 70.0, "y0": 45.5, "x1": 70.2, "y1": 45.5, "mode": "rail", "source": "t"}
    lats = [45.0, 45.25, 45.5, 45.75, 46.0]
    rows_in = [
        {"x0": 70.0, "y0": a, "x1": 70.0, "y1": b, "mode": "rail", "source": "t"}
        for a, b in itertools.pairwise(lats)
    ]
    net = network_from_segments(pd.DataFrame([*rows_in, spur]))
    geod = Geod(ellps="WGS84")
    arc_km = geod.inv(70.0, 45.0, 70.0, 46.0)[2] / 1000.0
    spur_km = geod.inv(70.0, 45.5, 70.2, 45.5)[2] / 1000.0
    line = replace(_line("via", 130.0), via=(Station("East", 70.2, 45.5, "KAZ"),))
    (row,) = fidelity_rows(net, lines=[line], corridors=[])
    assert row.name == "South – North via East"
    assert row.modelled_km == pytest.approx(arc_km + 2 * spur_km, abs=0.01)
    assert row.snap_km == (0.0, 0.0)


def test_a_path_much_longer_than_the_published_line_is_flagged_as_a_detour() -> None:
    rows = fidelity_rows(_meridian(), lines=[_line("tiny", 60.0)], corridors=[])
    assert rows[0].flag == "detour"
    assert rows[0].error_pct == pytest.approx(percent_error(111.1, 60.0))


def _row(lid: str, err: float | None) -> FidelityRow:
    modelled = None if err is None else 100.0 * (1 + err / 100.0)
    return FidelityRow("line", lid, lid, ("AZE",), 100.0, modelled, err)


def test_the_summary_of_hand_made_rows() -> None:
    rows = [_row("a", 1.0), _row("b", -3.0), _row("c", 10.0), _row("d", None), _row("e", -1.5)]
    s = fidelity_summary(rows, worst=2)
    assert (s.n_rows, s.n_routed) == (5, 4)
    assert s.median_abs_error_pct == 2.25  # of 1, 1.5, 3, 10
    assert s.p90_abs_error_pct == 10.0 and s.max_abs_error_pct == 10.0
    assert (s.within_2_pct, s.within_5_pct) == (2, 3)
    assert [w.id for w in s.worst] == ["c", "b"]
    assert s.countries == ("AZE",)
    empty = fidelity_summary([])
    assert (
        math.isnan(empty.median_abs_error_pct) and empty.as_dict()["median_abs_error_pct"] is None
    )


# --- on the embedded network -------------------------------------------------------------------


def test_every_published_line_is_routable_on_the_embedded_network(network: Network) -> None:
    rows = fidelity_rows(network, corridors=[])
    assert [r.id for r in rows] == [ln.id for ln in published_lines()]
    for r in rows:
        assert r.modelled_km is not None and r.modelled_km > 0, (r.id, r.detail)
        assert all(s is not None and s <= settings.snap_limit_km for s in r.snap_km), r.id
        assert r.flag in ("", "detour"), r.id
        assert r.error_pct == pytest.approx(percent_error(r.modelled_km, r.published_km))


def test_every_published_length_of_the_definitions_is_in_the_table(network: Network) -> None:
    rows = fidelity_rows(network, lines=[])
    expected = [
        (f"{c.id}/{i}", leg.published_length.value_km)
        for c in corridors.load_all(variants=True)
        for i, leg in enumerate(c.legs)
        if leg.published_length is not None
    ]
    assert [(r.id, r.published_km) for r in rows] == expected
    assert len(expected) == 17
    assert all(r.kind == "definition" and r.modelled_km is not None for r in rows)
    btc = [r for r in rows if r.id.startswith("btc-pipeline/")]
    assert [r.published_km for r in btc] == [443.0, 249.0, 1076.0]


def test_the_readme_quotes_this_summary(network: Network) -> None:
    rows = fidelity_rows(network)
    official = fidelity_summary([r for r in rows if r.kind != "definition"])
    defined = fidelity_summary([r for r in rows if r.kind == "definition"])
    worst = max((r for r in rows if r.kind != "definition"), key=lambda r: abs(r.error_pct))
    assert worst.id == "gyumri-vanadzor"
    assert (official.n_rows, official.within_5_pct, defined.n_rows, defined.within_5_pct) == (
        27,
        27,
        17,
        10,
    )
    assert (
        f"median |error| {official.median_abs_error_pct:.1f} % over the {official.n_rows} "
        f"official lines (all {official.within_5_pct} within ±5 %, the largest "
        f"Gyumri–Vanadzor {worst.error_pct:+.1f} %) and {defined.median_abs_error_pct:.1f} % "
        f"over the {defined.n_rows} published lengths in the definitions "
        f"({defined.within_5_pct} within ±5 %)"
    ) in readme_prose()


# --- on the embedded backbone with the regional OSM layer and OSM borders ----------------------


@pytest.mark.slow
def test_the_rows_fixed_edge_by_edge_on_real_track(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors.network.build import load_network

    monkeypatch.setattr(settings, "borders", "osm")
    net = load_network("bundled+osm", progress=False)
    rows = {r.id: r for r in fidelity_rows(net)}

    def got(rid: str) -> tuple[float, float, float]:
        r = rows[rid]
        assert r.modelled_km is not None and r.error_pct is not None, rid
        s0, s1 = r.snap_km
        return round(r.modelled_km, 1), round(r.error_pct, 1), round((s0 or 0) + (s1 or 0), 1)

    # Qom – Kashan no longer goes out to Saqh and back (was 131.3 km, +34 %)
    # (Kashan snaps inside its edge: 0.6 km off the line, 1.2 km from a node)
    assert got("qom-kashan") == (97.1, -0.9, 0.6)
    # Vanadzor station has a node: no run past it and back (was 76.5 km, snap 4.3 km)
    assert got("gyumri-vanadzor") == (68.0, 4.6, 0.0)
    # the Kal-e Zard – Tabas gap is closed: no detour by Tehran (Bafq – Mashhad was 1,636.7 km)
    assert got("bafq-torbat-e-heydarieh") == (671.0, -0.7, 0.6)
    assert rows["bafq-torbat-e-heydarieh"].flag == ""
    # the new line of 1996 from Fariman to the triangle at Parahat, on the OSM track (the row
    # was Mashhad – Tejen stations, 370.6 km, +25.6 %: those 295 km are not between them)
    assert got("fariman-parahat") == (291.2, -1.3, 0.0)
    assert got("fariman-sarakhs") == (158.8, 2.5, 0.0)
    # Kars station has a node (was snapped 1.4 km away)
    assert got("erzurum-kars") == (211.9, -2.4, 0.2)
    # Akhalkalaki – Kartsakhi on the OSM track instead of the drawn addition
    assert got("marabda-kartsakhi") == (178.6, -1.0, 0.0)
    # the Georgian share of BTK counted through Tbilisi, as published (was 241.4 km, -6.8 %,
    # on the shortest path, which bypasses the city)
    assert got("boyuk-kasik-kartsakhi") == (258.7, -0.1, 0.0)
    # the 29 km start at the junction east of the gauge-change yard, where the standard-gauge
    # line begins, not in the middle of the yard (was 26.1 km, -10.1 %)
    assert got("btk/6") == (28.8, -0.5, 0.0)
    # the Astara border and terminal on the OSM track and border (was +18.6 % and +50.3 %)
    # (Astara (AZE) snaps on the line 0.3 km on from its node, the previous leg takes them)
    assert got("instc-west/6") == (8.2, -4.0, 0.0)
    assert got("instc-west/7") == (1.6, 5.8, 0.0)
    assert rows["instc-west/7"].flag == ""
    # the Dilucu border point at the end of the OSM construction track (was snapped 2 km); the
    # 224 km end where the line leaves the Kars – Tbilisi railway, 12 km out of Kars (was
    # measured on to Kars station: 236.5 km, +5.6 %)
    assert got("zangezur/10") == (224.9, 0.4, 0.3)
