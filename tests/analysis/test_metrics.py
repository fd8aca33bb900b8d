"""Metrics on tiny hand-made routes (pieces tables) and the time model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridors.analysis.metrics import (
    border_crossings,
    gauge_breaks,
    length_by_country,
)
from corridors.analysis.timemodel import DEFAULT_TIME_MODEL, TimeModel
from corridors.geo import boundaries
from tests.helpers import pieces_along as _pieces
from tests.helpers import readme_prose, segments_along

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


def test_gauge_breaks_once_per_change() -> None:
    a = _pieces([(44.9, 41.0), (44.8, 41.1), (44.7, 41.2)], gauge_mm=1520)
    b = _pieces([(44.7, 41.2), (44.6, 41.3)], gauge_mm=1435)
    c = _pieces([(44.6, 41.3), (44.5, 41.4)], gauge_mm=1435)
    breaks = gauge_breaks(pd.concat([a, b, c], ignore_index=True))
    assert breaks == [
        # where the 1435 mm piece starts, 27.9 km (the two 1520 mm pieces) along
        {"from_mm": 1520, "to_mm": 1435, "lon": 44.7, "lat": 41.2, "name": "Sadakhlo", "km": 27.9}
    ]


def test_an_empty_route_has_no_crossings_breaks_or_countries() -> None:
    empty = _pieces([(44.9, 41.0)])
    assert len(empty) == 0
    assert gauge_breaks(empty) == []
    assert border_crossings(empty) == []
    assert length_by_country(empty) == {}


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
    from corridors.network.core import network_from_segments

    rows = (
        segments_along([(49.84, 40.36), (49.6, 40.1), (49.40, 39.94)], "rail", gauge_mm=1520)
        + segments_along([(49.40, 39.94), (50.5, 41.5), (51.22, 43.60)], "ferry")  # Alat-Aktau
        + segments_along([(51.22, 43.60), (51.5, 43.9), (52.0, 44.5)], "rail", gauge_mm=1520)
    )
    return network_from_segments(pd.DataFrame(rows))


def test_transshipments_and_published_lengths_on_a_tiny_network() -> None:
    import corridors
    from corridors.analysis.metrics import route_metrics
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
    # the published split: the Baku–Alat leg runs in Azerbaijan; no total, two legs lack one
    assert m["published_km_by_country"] == {"AZE": 60.0}
    assert m["published_km"] is None
    # time: 2 port calls of 24 h, no border dwell
    assert m["time_h_breakdown"]["port_h"] == 48.0
    assert m["time_h_breakdown"]["border_h"] == 0.0


@pytest.mark.parametrize(
    ("mode", "dwell_h", "speed_kmh"), [("road", 9.9, 42.0), ("rail", 40.6, 53.9)]
)
def test_one_land_crossing_is_charged_the_dwell_of_its_own_mode(
    mode: str, dwell_h: float, speed_kmh: float
) -> None:
    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.model import Leg, Mode, Waypoint
    from corridors.network.core import network_from_segments
    from corridors.routing import route_corridor

    pts = GANJA_TBILISI
    rows = segments_along(pts, mode, gauge_mm=1520 if mode == "rail" else 0)
    net = network_from_segments(pd.DataFrame(rows))
    ganja = Waypoint("Ganja", *pts[0], "AZE")
    tbilisi = Waypoint("Tbilisi", *pts[-1], "GEO")
    c = corridors.Corridor(
        id="t",
        name="t",
        summary="t",
        waypoints=(ganja, tbilisi),
        legs=(Leg(ganja, tbilisi, Mode(mode)),),
        modes=(Mode(mode),),
    )
    m = route_metrics(route_corridor(c, net, links={}))
    (crossing,) = m["border_crossings"]
    assert (crossing["from"], crossing["to"], crossing["mode"]) == ("AZE", "GEO", mode)
    # the crossing sits where the AZE run ends, not at 0 km
    assert crossing["km"] == pytest.approx(m["length_km_by_country"]["AZE"], abs=0.1)
    assert 100 < crossing["km"] < m["length_km"] - 20
    t = m["time_h_breakdown"]
    assert t["border_h"] == dwell_h
    assert t["moving_h"] == pytest.approx(m["length_km"] / speed_kmh, abs=0.05)  # 0.1 h rounding
    assert m["time_h"] == pytest.approx(t["moving_h"] + dwell_h, abs=0.1)


def test_the_btc_reference_line_and_its_published_split(network: object) -> None:
    import corridors
    from corridors.analysis.metrics import compare, route_metrics
    from corridors.routing import route_corridor

    btc = corridors.load("btc-pipeline")
    m = route_metrics(route_corridor(btc, network))  # type: ignore[arg-type]
    assert m["published_km"] == 1768.0
    assert m["published_km_by_country"] == {"AZE": 443.0, "GEO": 249.0, "TUR": 1076.0}
    # the drawn trace, measured on the OSM borders: 2.6 % short in all; each country within
    # 5 % (Azerbaijan 4.9 %, Georgia 5.0 %, Türkiye 1.2 % short: the trace is straight between
    # the places it passes, starting at the terminal's published coordinates)
    assert m["length_km"] == 1721.2
    assert m["length_km_by_country"] == {"AZE": 421.5, "GEO": 236.6, "TUR": 1063.1}
    assert abs(m["length_km"] - 1768.0) / 1768.0 < 0.03
    for country in ("AZE", "GEO", "TUR"):
        pub = m["published_km_by_country"][country]
        assert abs(m["length_km_by_country"][country] - pub) / pub < 0.05
    assert m["countries"] == ["AZE", "GEO", "TUR"]
    row = compare([btc], network).set_index("id").loc["btc-pipeline"]
    assert row["published_km"] == 1768.0
    assert row["published_km_by_country"] == "AZE 443, GEO 249, TUR 1,076"


def test_any_mode_is_least_time_by_the_time_model(network: object) -> None:
    from corridors.analysis.metrics import fastest_route, route_metrics
    from corridors.routing import (
        BORDER_FOR_ANY_H,
        SPEEDS_FOR_ANY_KMH,
        TRANSFER_FOR_ANY_H,
        route,
    )

    # the routing cost of modes="any" uses the time model's own defaults
    for mode, kmh in DEFAULT_TIME_MODEL.speed_kmh.items():
        if mode != "pipeline":
            assert SPEEDS_FOR_ANY_KMH[mode] == kmh
    assert DEFAULT_TIME_MODEL.port_dwell_h == TRANSFER_FOR_ANY_H
    assert dict(DEFAULT_TIME_MODEL.border_dwell_h) == BORDER_FOR_ANY_H
    # Baku – Tbilisi: road 512 km / 22.1 h beats rail 550 km / 50.8 h (40.6 h rail border)
    r = fastest_route("Baku", "Tbilisi", network)
    m = route_metrics(r)
    assert m["length_km_by_mode"] == {"road": 512.4}
    assert m["time_h"] == 22.1
    # the multimodal candidate, on moving time alone, takes the rail (10.1 h moving)
    assert r.meta["candidates_h"] == {"any": 50.8, "rail": 50.8, "road": 22.1}
    # with a 1 h rail border dwell, rail (10.1 + 1 h) is faster than road
    quick = DEFAULT_TIME_MODEL.with_overrides({"border_dwell_h.rail": 1.0})
    r2 = fastest_route("Baku", "Tbilisi", network, time_model=quick)
    assert route_metrics(r2, time_model=quick)["length_km_by_mode"] == {"rail": 550.0}
    # the README's example, from the default model's candidates
    rail = route_metrics(route("Baku", "Tbilisi", network, modes="rail"))
    assert (
        f"(Baku → Tbilisi: road, {m['length_km']:,.0f} km in {m['time_h']} h, not rail, "
        f"{rail['length_km']:,.0f} km in {r.meta['candidates_h']['rail']} h;"
    ) in readme_prose()


def test_any_mode_crosses_the_caspian_when_the_borders_around_it_cost_more(
    network: object,
) -> None:
    """Baku – Turkmenbashi: across the Caspian from Alat, not by rail round it (3 borders).

    The multimodal search once costed only moving time and port dwell: the rail through
    Russia and Kazakhstan (56.9 h moving) beat the crossing, and the 121.8 h its three rail
    borders take were seen only afterwards; `--mode any` then answered the road through
    Iran (66.9 h).
    """
    from corridors.analysis.metrics import fastest_route, route_metrics

    r = fastest_route("Baku", "Turkmenbashi", network)
    m = route_metrics(r)
    assert m["countries"] == ["AZE", "TKM"]
    assert m["length_km"] == 446.6 and m["time_h"] == 62.3
    assert m["length_km_by_mode"] == {"rail": 97.7, "sea": 348.9}
    assert m["time_h_breakdown"]["port_h"] == 48.0 and m["time_h_breakdown"]["border_h"] == 0
    assert r.meta["candidates_h"] == {"any": 62.3, "rail": 178.7, "road": 66.9}
    h = r.meta["candidates_h"]
    assert (
        f"Baku → Turkmenbashi: across the Caspian from Alat, {m['length_km']:,.0f} km in "
        f"{m['time_h']} h, not the road through Iran in {h['road']} h nor the rail round the "
        f"Caspian through three borders in {h['rail']} h)"
    ) in readme_prose()


def test_a_drawn_link_takes_its_neighbours_gauge_or_its_countrys() -> None:
    # in Georgia: 1520 mm, a drawn link without a gauge, 1520 mm again: no break
    a = _pieces([(44.9, 41.0), (44.8, 41.1)], gauge_mm=1520)
    gap = _pieces([(44.8, 41.1), (44.7, 41.2)], gauge_mm=0, missing=True)
    c = _pieces([(44.7, 41.2), (44.6, 41.3)], gauge_mm=1520)
    assert gauge_breaks(pd.concat([a, gap, c], ignore_index=True)) == []
    # Nakhchivan (1520 mm) into Türkiye on a drawn line: Türkiye's rule, 1435 mm, breaks it
    nak = _pieces([(45.2, 39.4), (45.0, 39.55)], gauge_mm=1520)
    drawn = _pieces([(45.0, 39.55), (44.8, 39.68), (44.6, 39.82), (44.4, 39.9)], missing=True)
    breaks = gauge_breaks(pd.concat([nak, drawn], ignore_index=True))
    assert [(b["from_mm"], b["to_mm"]) for b in breaks] == [(1520, 1435)]


@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        # Baku – Kars both ways: the 1520 → 1435 mm change entering Türkiye is one break
        ("zangezur", [("Sadarak–Dilucu", 1520, 1435)]),
        ("btk", [("Akhalkalaki station", 1520, 1435)]),
        # the 1520 mm track reaches Iranian Astara's yard; the missing Rasht–Astara line is
        # 1435 mm
        ("instc-west", [("Astara–Astara", 1520, 1435)]),
        # the planned line in Iran joins the 1520 mm track at Aghband to the 1520 mm track
        # that reaches Jolfa station (OSM): it takes their gauge, and Jolfa's 1435 mm yard
        # tracks are passed through, not a break
        ("aras-rail", []),
        ("middle-corridor", [("Akhalkalaki station", 1520, 1435)]),
    ],
)
def test_gauge_break_places(
    cid: str, expected: list[tuple[str, int, int]], network: object
) -> None:
    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.routing import route_corridor

    m = route_metrics(route_corridor(corridors.load(cid), network))  # type: ignore[arg-type]
    assert [(g["name"], g["from_mm"], g["to_mm"]) for g in m["gauge_breaks"]] == expected


def test_each_crossing_has_its_own_dwell_and_maymak_is_transit(network: object) -> None:
    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.analysis.timemodel import time_distance
    from corridors.geo import geodata
    from corridors.routing import route_corridor

    own = {c.name: c.dwell_h for c in geodata.crossings() if c.dwell_h}
    assert own == {"Sholdala–Zhoon-Döbö": (("rail", 0.0),), "Maymak–Kürkireusu": (("rail", 0.0),)}
    r = route_corridor(corridors.load("middle-corridor"), network)  # type: ignore[arg-type]
    m = route_metrics(r)
    dwell = [(c["name"], c["dwell_h"]) for c in m["border_crossings"]]
    assert dwell == [
        ("Sholdala–Zhoon-Döbö", 0.0),
        ("Maymak–Kürkireusu", 0.0),
        ("Böyük Kəsik–Gardabani", None),
        ("Kartsakhi", None),
    ]
    # two CAREC rail waits (2 x 40.6 h), not four: the Kyrgyz stretch is transit
    assert m["time_h_breakdown"]["border_h"] == 81.2
    # the time–distance chart steps by the same dwell
    curve = time_distance(r.pieces, m)
    assert round(float(curve["h"].max()), 1) == m["time_h"]


def test_an_avoid_the_route_breaks_is_reported_as_broken(network: object) -> None:
    # a road corridor Baku – Nakhchivan meant to avoid Iran: the shortest road runs along
    # the Aras through Iran, and the report says the avoid is broken
    import corridors
    from corridors.analysis.metrics import compare_rows, route_metrics
    from corridors.model import Avoid, Leg, Mode, Waypoint
    from corridors.routing import RoutingOptions, route_corridor

    baku = Waypoint("Baku", 49.8671, 40.4093, "AZE")
    nakhchivan = Waypoint("Nakhchivan", 45.4122, 39.2089, "AZE")
    c = corridors.Corridor(
        id="no-iran",
        name="No Iran",
        summary="t",
        waypoints=(baku, nakhchivan),
        legs=(Leg(baku, nakhchivan, Mode.ROAD),),
        modes=(Mode.ROAD,),
        avoids=(Avoid("IRN", "test"), Avoid("RUS", "test")),
    )
    plain = route_metrics(route_corridor(c, network))  # type: ignore[arg-type]
    assert "IRN" in plain["countries"]
    assert [(a["country"], a["verified"]) for a in plain["avoids"]] == [
        ("IRN", False),
        ("RUS", True),
    ]
    assert compare_rows([plain])[0]["avoids_ok"] is False
    # the definition's avoids are checked, not imposed: --avoid IRN keeps the route out
    opts = RoutingOptions(avoid=("IRN",))
    hard = route_metrics(route_corridor(c, network, options=opts))  # type: ignore[arg-type]
    assert "IRN" not in hard["countries"]
    assert compare_rows([hard])[0]["avoids_ok"] is True


@pytest.mark.parametrize(
    ("cid", "by_country", "crossings", "breaks", "missing_km"),
    [
        (
            "zangezur",
            {"AZE": 579.4, "ARM": 36.1, "TUR": 237.1},
            [
                ("AZE", "ARM", "Aghband–Meghri (Zangezur)", 396.2, 46.53339, 38.88989),
                ("ARM", "AZE", "Meghri–Ordubad (Zangezur)", 432.4, 46.14534, 38.875),
                ("AZE", "TUR", "Sadarak–Dilucu", 615.6, 44.80124, 39.66387),
            ],
            [(1520, 1435, "Sadarak–Dilucu", 615.6, 44.80124, 39.66387)],
            49.4,
        ),
        (
            "btk",
            {"AZE": 501.5, "GEO": 260.8, "TUR": 70.6},
            [
                ("AZE", "GEO", "Böyük Kəsik–Gardabani", 501.5, 45.16488, 41.40615),
                ("GEO", "TUR", "Kartsakhi", 762.3, 43.29642, 41.18952),
            ],
            [(1520, 1435, "Akhalkalaki station", 734.4, 43.51416, 41.32207)],
            0.0,
        ),
    ],
)
def test_crossings_and_gauge_breaks_lie_where_and_how_far_along_they_are(
    cid: str,
    by_country: dict[str, float],
    crossings: list[tuple[object, ...]],
    breaks: list[tuple[object, ...]],
    missing_km: float,
    network: object,
) -> None:
    # km along the route at each crossing and break (each crossing at the end of a country's
    # run, the break at Sadarak–Dilucu placed at the crossing), km by country in route order
    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.routing import route_corridor

    m = route_metrics(route_corridor(corridors.load(cid), network))  # type: ignore[arg-type]
    assert m["length_km_by_country"] == by_country
    assert list(m["length_km_by_country"]) == list(by_country)  # in route order
    countries = [crossings[0][0], *(c[1] for c in crossings)]
    assert m["countries"] == countries
    assert [
        (c["from"], c["to"], c["name"], c["km"], c["lon"], c["lat"]) for c in m["border_crossings"]
    ] == crossings
    assert m["border_crossings_count"] == len(crossings)
    assert [
        (g["from_mm"], g["to_mm"], g["name"], g["km"], g["lon"], g["lat"])
        for g in m["gauge_breaks"]
    ] == breaks
    assert m["missing_km"] == missing_km


def test_published_lengths_by_country_count_a_leg_without_a_country_as_unknown() -> None:
    from corridors.analysis.metrics import published_by_country
    from corridors.model import Leg, Mode, PublishedLength, Status, Waypoint
    from corridors.routing import Route, RoutedLeg

    # a rail leg drawn across the Caspian (no country), then one in Azerbaijan
    a, b = Waypoint("A", 50.5, 40.5, "AZE"), Waypoint("B", 50.9, 40.7, "AZE")
    c = Waypoint("C", 49.5, 40.3, "AZE")
    sea = _pieces([(50.5, 40.5), (50.9, 40.7)])
    land = _pieces([(49.84, 40.36), (49.5, 40.3)], leg=1)
    assert (sea["country0"].iloc[0], land["country0"].iloc[0]) == ("", "AZE")

    def leg(x: Waypoint, y: Waypoint, km: float) -> Leg:
        return Leg(x, y, Mode.RAIL, published_length=PublishedLength(km, "s", "2024"))

    legs = (
        RoutedLeg(0, leg(a, b, 46.0), Status.OPERATIONAL, False, 40.0),
        RoutedLeg(1, leg(b, c, 30.0), Status.OPERATIONAL, False, 30.0),
    )
    r = Route("r", "R", legs, pd.concat([sea, land], ignore_index=True))
    assert published_by_country(r) == {"unknown": 46.0, "AZE": 30.0}


def test_a_drawn_stretch_at_the_start_without_a_rule_takes_the_gauge_after_it() -> None:
    # a drawn line from Iraq (no gauge rule) into Türkiye's 1435 mm, then Georgia's 1520 mm:
    # the drawn piece takes the 1435 mm after it, not the route's last gauge
    gap = _pieces([(43.0, 36.9), (42.6, 37.2)], gauge_mm=0, missing=True)
    tur = _pieces([(42.6, 37.2), (42.4, 39.0), (42.8, 41.0)], gauge_mm=1435)
    geo = _pieces([(42.8, 41.0), (43.2, 41.6)], gauge_mm=1520)
    rail = pd.concat([gap, tur, geo], ignore_index=True)
    assert list(rail["country0"]) == ["IRQ", "TUR", "TUR", "TUR"]
    breaks = gauge_breaks(rail)
    assert [(b["from_mm"], b["to_mm"], b["name"], b["km"]) for b in breaks] == [
        (1435, 1520, "Ardahan", 474.0)
    ]


def test_compare_rows_routes_in_the_order_given() -> None:
    import dataclasses

    import corridors
    from corridors.analysis.metrics import REFERENCE_TIME, compare
    from corridors.model import Avoid, Leg, Mode, PublishedLength, Waypoint
    from corridors.routing import route_corridor

    baku, alat = Waypoint("Baku", 49.84, 40.36, "AZE"), Waypoint("Alat", 49.40, 39.94, "AZE")
    aktau, inland = Waypoint("Aktau", 51.22, 43.60, "KAZ"), Waypoint("Inland", 52.0, 44.5, "KAZ")
    legs = (Leg(baku, alat, Mode.RAIL), Leg(alat, aktau, Mode.FERRY), Leg(aktau, inland, Mode.RAIL))
    tiny = corridors.Corridor(
        id="tiny",
        name="Tiny",
        summary="t",
        waypoints=(baku, alat, aktau, inland),
        legs=legs,
        modes=(Mode.RAIL, Mode.FERRY),
        avoids=(Avoid("IRN", "r"), Avoid("RUS", "r")),
    )
    published = dataclasses.replace(legs[0], published_length=PublishedLength(60.5, "s", "2024"))
    short = dataclasses.replace(
        tiny, id="short", name="Short", waypoints=(baku, alat), legs=(published,), avoids=()
    )
    ref = dataclasses.replace(short, id="ref", name="Ref", kind="reference")
    net = _tiny_network()
    routes = [route_corridor(c, net, links={}) for c in (short, tiny, ref)]  # type: ignore[arg-type]
    frame = compare(routes)
    assert frame.attrs["errors"] == {}
    cols = ["id", "kind", "from", "to", "length_km", "rail_km", "ferry_km", "avoids"]
    cols += ["avoids_ok", "transshipments", "time_h", "time_h_today", "via_GEO", "GEO_km"]
    ref_h = REFERENCE_TIME  # a reference line has no time
    rows = frame[cols].to_numpy().tolist()
    assert [r[:8] for r in rows] == [
        ["short", "corridor", "Baku", "Alat", 60.0, 60.0, 0.0, ""],
        ["tiny", "corridor", "Baku", "Inland", 615.2, 178.0, 437.2, "IRN, RUS"],
        ["ref", "reference", "Baku", "Alat", 60.0, 60.0, 0.0, ""],
    ]
    assert [r[8:] for r in rows] == [
        ["n/a", 0, 1.1, 1.1, "no", 0.0],
        ["yes", 2, 71.2, 71.2, "no", 0.0],
        ["n/a", 0, ref_h, ref_h, "no", 0.0],
    ]
    more = ["operational_km", "sea_km", "published_km_by_country"]
    assert frame[more].to_numpy().tolist() == [
        [60.0, 0.0, "AZE 60.5"],  # the published split keeps its tenth
        [615.2, 0.0, ""],
        [60.0, 0.0, "AZE 60.5"],
    ]
    assert frame["published_km"].fillna(-1.0).tolist() == [60.5, -1.0, 60.5]  # tiny: none


def _port_network() -> object:
    from corridors.network.core import network_from_segments

    rows = segments_along([(49.6, 40.1), (49.40, 39.94)], "rail", gauge_mm=1520)
    rows += segments_along([(49.40, 39.94), (50.5, 41.5), (51.22, 43.60)], "ferry")
    return network_from_segments(pd.DataFrame(rows))


def test_a_change_of_mode_after_a_one_piece_first_leg_is_named_for_its_waypoint() -> None:
    import corridors
    from corridors.analysis.metrics import transshipments
    from corridors.model import Leg, Mode, Waypoint
    from corridors.routing import route_corridor

    x, port = Waypoint("Sangachal", 49.6, 40.1, "AZE"), Waypoint("Port A", 49.40, 39.94, "AZE")
    aktau = Waypoint("Aktau", 51.22, 43.60, "KAZ")
    legs = (Leg(x, port, Mode.RAIL), Leg(port, aktau, Mode.FERRY))
    c = corridors.Corridor(
        id="two",
        name="Two",
        summary="t",
        waypoints=(x, port, aktau),
        legs=legs,
        modes=(Mode.RAIL, Mode.FERRY),
    )
    r = route_corridor(c, _port_network(), links={})  # type: ignore[arg-type]
    assert r.pieces["leg"].tolist() == [0, 1, 1]  # the rail leg is one piece
    assert transshipments(r) == [
        {"from": "rail", "to": "ferry", "lon": 49.4, "lat": 39.94, "name": "Port A", "km": 24.6}
    ]


def test_a_pipeline_crossing_a_border_costs_no_border_dwell() -> None:
    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.model import Leg, Mode, Waypoint
    from corridors.routing import route_corridor

    tbilisi, baku = Waypoint("Tbilisi", 44.8, 41.7, "GEO"), Waypoint("B", 49.6, 40.1, "AZE")
    port = Waypoint("Port A", 49.40, 39.94, "AZE")
    c = corridors.Corridor(
        id="pl",
        name="PL",
        summary="t",
        waypoints=(tbilisi, baku, port),
        legs=(Leg(tbilisi, baku, Mode.PIPELINE), Leg(baku, port, Mode.RAIL)),
        modes=(Mode.PIPELINE, Mode.RAIL),
    )
    m = route_metrics(route_corridor(c, _port_network(), links={}))  # type: ignore[arg-type]
    assert [(x["from"], x["to"], x["mode"], x["dwell_h"]) for x in m["border_crossings"]] == [
        ("GEO", "AZE", "pipeline", None)
    ]
    # the time model has border dwells for rail and road only: a pipeline's is 0 h
    assert m["time_h_breakdown"] == {
        "moving_h": 0.5,
        "border_h": 0.0,
        "port_h": 0.0,
        "transshipment_h": 6.0,
        "total_h": 6.5,
    }


def test_a_leg_opened_by_a_what_if_is_listed_as_opened_with_its_link() -> None:
    from corridors.analysis.metrics import route_metrics
    from corridors.model import Leg, Mode, PublishedLength, Status, Waypoint
    from corridors.routing import Route, RoutedLeg

    a, b = Waypoint("A", 49.6, 40.1, "AZE"), Waypoint("B", 49.40, 39.94, "AZE")
    pub = PublishedLength(25.0, "s", "2024")
    leg = Leg(a, b, Mode.RAIL, Status.PLANNED, link="a-b", published_length=pub)
    rl = RoutedLeg(0, leg, Status.OPERATIONAL, False, 24.7, opened=True, snap_start_km=0.0)
    m = route_metrics(Route("r", "R", (rl,), _pieces([(49.6, 40.1), (49.40, 39.94)])))
    assert m["legs"] == [
        {
            "from": "A",
            "to": "B",
            "mode": "rail",
            "status": "operational",
            "length_km": 24.7,
            "missing": False,
            "opened": True,
            "snap_km": [0.0, None],
            "access_km": 0.0,
            "link": "a-b",
            "published_km": 25.0,
        }
    ]


def test_a_drawn_stretch_between_two_gauges_without_a_rule_keeps_the_gauge_before_it() -> None:
    # 1520 mm in Georgia, a drawn line through Iraq (no rule), 1435 mm in Türkiye: the drawn
    # pieces keep 1520 mm, so the break is where the 1435 mm track starts, 515.4 km on
    geo = _pieces([(43.0, 41.5), (43.1, 41.3)], gauge_mm=1520)
    gap = _pieces([(43.1, 41.3), (43.0, 37.0), (42.9, 36.9)], gauge_mm=0, missing=True)
    gap[["country0", "country1"]] = "IRQ"
    tur = _pieces([(42.9, 36.9), (42.6, 37.2)], gauge_mm=1435)
    breaks = gauge_breaks(pd.concat([geo, gap, tur], ignore_index=True))
    assert [(b["from_mm"], b["to_mm"], b["km"]) for b in breaks] == [(1520, 1435, 515.4)]


def test_a_drawn_stretch_between_two_like_gauges_takes_theirs_over_its_countrys() -> None:
    # Türkiye's 1435 mm, then the 1520 mm Kars line, a drawn stretch in Türkiye, 1520 mm
    # again: the stretch joins two 1520 mm lines, so it is 1520 mm, one break only
    std = _pieces([(42.9, 40.4), (43.0, 40.6)], gauge_mm=1435)
    broad = _pieces([(43.0, 40.6), (43.1, 40.7)], gauge_mm=1520)
    gap = _pieces([(43.1, 40.7), (43.2, 40.8)], gauge_mm=0, missing=True)
    broad2 = _pieces([(43.2, 40.8), (43.3, 40.9)], gauge_mm=1520)
    rail = pd.concat([std, broad, gap, broad2], ignore_index=True)
    assert set(rail["country0"]) == {"TUR"}
    assert [(b["from_mm"], b["to_mm"]) for b in gauge_breaks(rail)] == [(1435, 1520)]


def test_a_drawn_stretch_at_the_start_takes_its_countrys_rule() -> None:
    # a drawn line in Türkiye (1435 mm by rule) onto the 1520 mm Kars line: a break
    gap = _pieces([(42.9, 40.4), (43.0, 40.6)], gauge_mm=0, missing=True)
    broad = _pieces([(43.0, 40.6), (43.1, 40.7)], gauge_mm=1520)
    rail = pd.concat([gap, broad], ignore_index=True)
    assert set(rail["country0"]) == {"TUR"}
    breaks = gauge_breaks(rail)
    assert [(b["from_mm"], b["to_mm"], b["lon"], b["lat"]) for b in breaks] == [
        (1435, 1520, 43.0, 40.6)
    ]


def test_compare_row_of_hand_made_metrics_fills_every_column() -> None:
    from corridors.analysis.metrics import COMPARE_COLUMNS, compare_row

    m = {
        "id": "x",
        "name": "X",
        "from": "A",
        "to": "B",
        "length_km": 300.0,
        "missing_km": 0.0,
        "length_km_by_mode": {"rail": 100.0, "road": 150.0, "ferry": 50.0},
        "length_km_by_country": {"AZE": 200.0, "GEO": 100.0},
        "border_crossings_count": 1,
        "countries": ["AZE", "GEO"],
        "avoids": [],
        "gauge_breaks": [],
        "transshipments": [{}, {}],
        "time_h": 12.5,
        "published_km": None,
    }  # no "kind": a corridor
    row = compare_row(m)
    assert list(row) == list(COMPARE_COLUMNS)
    assert row == {
        "id": "x",
        "name": "X",
        "kind": "corridor",
        "from": "A",
        "to": "B",
        "length_km": 300.0,
        "operational_km": 300.0,
        "missing_km": 0.0,
        "rail_km": 100.0,
        "road_km": 150.0,
        "ferry_km": 50.0,
        "sea_km": 0.0,
        "border_crossings": 1,
        "countries": "AZE → GEO",
        "avoids": "",
        "avoids_ok": "n/a",
        "via_RUS": "no",
        "RUS_km": 0.0,
        "via_IRN": "no",
        "IRN_km": 0.0,
        "via_ARM": "no",
        "ARM_km": 0.0,
        "via_GEO": "yes",
        "GEO_km": 100.0,
        "gauge_breaks": 0,
        "transshipments": 2,
        "time_h": 12.5,
        "time_h_today": 12.5,
        "published_km": None,
        "published_km_by_country": "",
    }


def test_compare_keeps_the_order_given_when_routes_and_definitions_mix() -> None:
    import corridors
    from corridors.analysis.metrics import compare
    from corridors.model import Leg, Mode, Waypoint
    from corridors.routing import route_corridor

    baku, alat = Waypoint("Baku", 49.84, 40.36, "AZE"), Waypoint("Alat", 49.40, 39.94, "AZE")
    aktau = Waypoint("Aktau", 51.22, 43.60, "KAZ")
    net = _tiny_network()
    first = corridors.Corridor(
        id="first",
        name="First",
        summary="a definition, routed by compare",
        waypoints=(baku, alat),
        legs=(Leg(baku, alat, Mode.RAIL),),
        modes=(Mode.RAIL,),
    )
    second = corridors.Corridor(
        id="second",
        name="Second",
        summary="routed before compare",
        waypoints=(alat, aktau),
        legs=(Leg(alat, aktau, Mode.FERRY),),
        modes=(Mode.FERRY,),
    )
    routed = route_corridor(second, net, links={})  # type: ignore[arg-type]
    frame = compare([first, routed], net)
    assert frame["id"].tolist() == ["first", "second"]
    assert frame.attrs["errors"] == {}
    # the provenance is the first row's route's
    again = route_corridor(first, net, links={})  # type: ignore[arg-type]
    prov = dict(frame.attrs["provenance"])
    assert prov["definitions"] == {"first": ""}
    assert prov == {**again.meta, "created": prov["created"]}


def _baku_alat(**leg: object) -> object:
    import corridors
    from corridors.model import Leg, Mode, Waypoint
    from corridors.routing import route_corridor

    baku, alat = Waypoint("Baku", 49.84, 40.36, "AZE"), Waypoint("Alat", 49.40, 39.94, "AZE")
    c = corridors.Corridor(
        id="ba",
        name="BA",
        summary="t",
        waypoints=(baku, alat),
        legs=(Leg(baku, alat, Mode.RAIL, **leg),),  # type: ignore[arg-type]
        modes=(Mode.RAIL,),
    )
    return route_corridor(c, _tiny_network(), links={})  # type: ignore[arg-type]


def test_a_planned_leg_says_why_it_is_missing_and_its_published_km_keep_a_tenth() -> None:
    from corridors.analysis.metrics import route_metrics
    from corridors.model import PublishedLength, Status

    r = _baku_alat(status=Status.PLANNED, published_length=PublishedLength(60.24, "s", "2024"))
    m = route_metrics(r)  # type: ignore[arg-type]
    assert m["legs"] == [
        {
            "from": "Baku",
            "to": "Alat",
            "mode": "rail",
            "status": "planned",
            "length_km": 59.8,
            "missing": True,
            "reason": "status planned",
            "published_km": 60.24,
        }
    ]
    assert m["published_km_by_country"] == {"AZE": 60.2}


def test_a_speed_under_one_km_an_hour_is_still_a_speed() -> None:
    from corridors.analysis.metrics import route_metrics

    r = _baku_alat()
    slow = DEFAULT_TIME_MODEL.with_overrides({"speed_kmh.rail": 0.5})
    m = route_metrics(r, time_model=slow)  # type: ignore[arg-type]
    assert round(r.length_km, 3) == 60.005  # type: ignore[attr-defined]
    # 60.005 km at 0.5 km/h
    assert m["time_h_breakdown"] == {
        "moving_h": 120.0,
        "border_h": 0,
        "port_h": 0.0,
        "transshipment_h": 0.0,
        "total_h": 120.0,
    }


def test_a_change_of_mode_on_a_route_without_a_definition_is_named_for_the_place() -> None:
    import dataclasses

    import corridors
    from corridors.analysis.metrics import transshipments
    from corridors.model import Leg, Mode, Waypoint
    from corridors.routing import route_corridor

    baku, alat = Waypoint("Baku", 49.84, 40.36, "AZE"), Waypoint("W", 49.40, 39.94, "AZE")
    aktau = Waypoint("Aktau", 51.22, 43.60, "KAZ")
    c = corridors.Corridor(
        id="p",
        name="P",
        summary="t",
        waypoints=(baku, alat, aktau),
        legs=(Leg(baku, alat, Mode.RAIL), Leg(alat, aktau, Mode.FERRY)),
        modes=(Mode.RAIL, Mode.FERRY),
    )
    routed = route_corridor(c, _tiny_network(), links={})  # type: ignore[arg-type]
    r = dataclasses.replace(routed, corridor=None)  # as an ad-hoc route has none
    # the waypoint is "W", the gazetteer's name there is Alat
    assert transshipments(r) == [
        {"from": "rail", "to": "ferry", "lon": 49.4, "lat": 39.94, "name": "Alat", "km": 60.0}
    ]


def test_the_multimodal_candidate_is_routed_on_the_time_models_own_dwells(
    network: object,
) -> None:
    from corridors.analysis.metrics import fastest_route

    # no rail border dwell: the multimodal candidate takes the rail round the Caspian
    quick = DEFAULT_TIME_MODEL.with_overrides({"border_dwell_h.rail": 0.0})
    r = fastest_route("Baku", "Turkmenbashi", network, time_model=quick)
    # (the crossing from Alat would be 62.3 h)
    assert r.meta["candidates_h"] == {"any": 56.9, "rail": 56.9, "road": 66.9}
    # 100 h in each port: the multimodal candidate keeps to the rail round the Caspian
    slow_ports = DEFAULT_TIME_MODEL.with_overrides({"port_dwell_h": 100.0})
    r = fastest_route("Baku", "Turkmenbashi", network, time_model=slow_ports)
    assert r.meta["candidates_h"] == {"any": 178.7, "rail": 178.7, "road": 66.9}
    # and on its own speeds: with ships at 2 km/h it goes round the Caspian by land (the
    # crossing from Alat, routed at the default 28 km/h and then timed at 2, is over 200 h)
    slow_sea = DEFAULT_TIME_MODEL.with_overrides({"speed_kmh.sea": 2.0, "speed_kmh.ferry": 2.0})
    r = fastest_route("Baku", "Turkmenbashi", network, time_model=slow_sea)
    assert r.meta["candidates_h"] == {"any": 77.6, "rail": 178.7, "road": 66.9}


def test_a_corridor_without_legs_has_no_km_written_as_floats() -> None:
    import json

    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.model import Mode, Waypoint
    from corridors.routing import route_corridor

    baku = Waypoint("Baku", 49.84, 40.36, "AZE")
    c = corridors.Corridor(
        id="e", name="E", summary="t", waypoints=(baku,), legs=(), modes=(Mode.RAIL,)
    )
    m = route_metrics(route_corridor(c, _tiny_network(), links={}))  # type: ignore[arg-type]
    keys = ("from", "to", "length_km", "access_km", "legs")
    assert json.dumps({k: m[k] for k in keys}) == (
        '{"from": null, "to": null, "length_km": 0.0, "access_km": 0.0, "legs": []}'
    )


def test_any_positive_gauge_is_a_gauge_of_its_own() -> None:
    # a 1 mm gauge (a bad tag) is kept, not filled in as a drawn stretch; run in a thread so
    # that a fill that never moves on fails the test instead of hanging it
    import threading

    from corridors._frames import text_values
    from corridors.analysis.metrics import _filled_gauges

    a = _pieces([(44.9, 41.0), (44.8, 41.1)], gauge_mm=1520)
    b = _pieces([(44.8, 41.1), (44.7, 41.2)], gauge_mm=1)
    c = _pieces([(44.7, 41.2), (44.6, 41.3)], gauge_mm=0)  # in Armenia: its 1520 mm rule
    rail = pd.concat([a, b, c], ignore_index=True)
    out: list[list[int]] = []
    cols = (
        rail["gauge_mm"].to_numpy(np.int64),
        text_values(rail["country0"]),
        text_values(rail["country1"]),
    )
    t = threading.Thread(target=lambda: out.append(_filled_gauges(*cols).tolist()), daemon=True)
    t.start()
    t.join(timeout=5.0)
    assert out == [[1520, 1, 1520]]


def test_published_lengths_and_missing_links_are_listed_to_the_tenth(network: object) -> None:
    import corridors
    from corridors.analysis.metrics import route_metrics
    from corridors.routing import route_corridor

    btk = route_metrics(route_corridor(corridors.load("btk"), network))  # type: ignore[arg-type]
    assert btk["published_vs_modelled"] == [
        {
            "leg": "Akhalkalaki – Kartsakhi–Çıldır border",
            "published_km": 29.0,
            "modelled_km": 28.8,
            "deviation_pct": -0.5,
            "source": "wiki-btk",
            "date": "2024-04",
        },
        {
            "leg": "Kartsakhi–Çıldır border – Kars",
            "published_km": 76.0,
            "modelled_km": 70.9,
            "deviation_pct": -6.7,
            "source": "wiki-btk",
            "date": "2024-04",
        },
    ]
    assert [leg["status"] for leg in btk["legs"]] == ["operational"] * len(btk["legs"])
    z = route_metrics(route_corridor(corridors.load("zangezur"), network))  # type: ignore[arg-type]
    planned = {"status": "planned", "reason": "status planned"}
    assert z["missing_links"] == [
        {"leg": "Aghband – Armenian border (Aghband side)", "km": 5.2, **planned, "link": "meghri"},
        {
            "leg": "Armenian border (Aghband side) – Armenian border (Ordubad side)",
            "km": 35.5,
            **planned,
            "link": "meghri",
        },
        {
            "leg": "Sadarak – Sadarak–Dilucu border",
            "km": 8.7,
            **planned,
            "link": "nakhchivan-dilucu",
        },
    ]
    assert [leg["status"] for leg in z["legs"] if leg["missing"]] == ["planned"] * 3


def test_gauge_changes_exactly_a_yard_apart_are_two_yards() -> None:
    # 1520, 1435 and 1520 mm pieces of 5 km each: the changes at 5 and 10 km are
    # GAUGE_YARD_KM apart, so two breaks; 4.9 km apart they are one yard the route leaves on
    # the gauge it came in on, no break
    from corridors.analysis.metrics import GAUGE_YARD_KM

    assert GAUGE_YARD_KM == 5.0
    p = _pieces([(44.9, 41.0), (44.8, 41.1), (44.7, 41.2), (44.6, 41.3)])
    p["gauge_mm"] = [1520, 1435, 1520]
    p["length_m"] = 5000.0
    assert gauge_breaks(p) == [
        {"from_mm": 1520, "to_mm": 1435, "lon": 44.8, "lat": 41.1, "name": "Ayrum", "km": 5.0},
        {"from_mm": 1435, "to_mm": 1520, "lon": 44.7, "lat": 41.2, "name": "Sadakhlo", "km": 10.0},
    ]
    p["length_m"] = 4900.0
    assert gauge_breaks(p) == []


def test_a_gauge_change_and_its_crossing_window_are_in_km() -> None:
    from corridors.analysis.metrics import BorderCrossing, raw_gauge_changes

    # four 5 km rail pieces, 1520 mm in Azerbaijan then 1435 mm in Türkiye: the change is at
    # 10 km; a crossing is looked for from 1 km before the last 1520 mm piece starts (4 km)
    # to 1 km past the end of the first 1435 mm piece (16 km)
    p = _pieces([(45.3, 39.3), (45.2, 39.35), (45.1, 39.4), (45.0, 39.45), (44.9, 39.5)])
    p["gauge_mm"] = [1520, 1520, 1435, 1435]
    p["country0"] = ["AZE", "AZE", "TUR", "TUR"]
    p["length_m"] = 5000.0

    def at(km: float) -> BorderCrossing:
        return BorderCrossing("AZE", "TUR", 45.0 + km / 100, 39.0, "rail", None, km)

    change = {"from_mm": 1520, "to_mm": 1435}
    # no crossing in the window (3.9 km is before it): at the start of the 1435 mm piece
    assert raw_gauge_changes(p, crossings=[at(3.9)]) == [
        {**change, "lon": 45.1, "lat": 39.4, "km": 10.0}
    ]
    # the last crossing in the window, its ends included; 16.5 km is past it
    assert raw_gauge_changes(p, crossings=[at(4.0), at(16.5)]) == [
        {**change, "lon": 45.04, "lat": 39.0, "km": 4.0}
    ]
    assert raw_gauge_changes(p, crossings=[at(3.9), at(16.0)]) == [
        {**change, "lon": 45.16, "lat": 39.0, "km": 16.0}
    ]


def test_a_legs_published_length_counts_for_its_known_country_with_most_km() -> None:
    import numpy as np

    from corridors.analysis.metrics import published_by_country
    from corridors.model import Leg, Mode, PublishedLength, Status, Waypoint
    from corridors.routing import Route, RoutedLeg

    # legs 0 to 2: 3 km of no known country and 1 km of a country, which the leg counts for
    # (no country: "", NaN, and "None", as pandas 2's astype(str) writes a missing value);
    # leg 3: 2 km in Georgia then 2 km in Azerbaijan, a tie, which the code first in
    # alphabetical order takes
    pts = [(44.0 + i / 10, 41.0) for i in range(9)]
    p = _pieces(pts)
    p["leg"] = [0, 0, 1, 1, 2, 2, 3, 3]
    p["country0"] = ["", "AZE", "None", "GEO", np.nan, "ARM", "GEO", "AZE"]
    p["length_m"] = [3000.0, 1000.0, 3000.0, 1000.0, 3000.0, 1000.0, 2000.0, 2000.0]
    w = Waypoint("W", 44.0, 41.0, "GEO")

    def leg(i: int, km: float) -> RoutedLeg:
        pub = PublishedLength(km, "s", "2024")
        return RoutedLeg(
            i, Leg(w, w, Mode.RAIL, published_length=pub), Status.OPERATIONAL, False, 4.0
        )

    r = Route("r", "R", (leg(0, 10.0), leg(1, 20.0), leg(2, 30.0), leg(3, 4.5)), p)
    assert published_by_country(r) == {"AZE": 14.5, "GEO": 20.0, "ARM": 30.0}


def _one_leg_route(pieces: pd.DataFrame) -> object:
    from corridors.model import Leg, Mode, Status, Waypoint
    from corridors.routing import Route, RoutedLeg

    a = Waypoint("A", float(pieces["x0"].iloc[0]), float(pieces["y0"].iloc[0]), "")
    b = Waypoint("B", float(pieces["x1"].iloc[-1]), float(pieces["y1"].iloc[-1]), "")
    km = float(pieces["length_m"].sum()) / 1000.0
    rl = RoutedLeg(0, Leg(a, b, Mode.RAIL), Status.OPERATIONAL, False, km)
    return Route("r", "R", (rl,), pieces)


def test_a_gauge_break_costs_the_models_fractional_transshipment_hours() -> None:
    from corridors.analysis.metrics import route_metrics

    # Armenia into Georgia: one gauge break (Sadakhlo) and one rail border crossing
    a = _pieces([(44.9, 41.0), (44.8, 41.1), (44.7, 41.2)], gauge_mm=1520)
    b = _pieces([(44.7, 41.2), (44.6, 41.3)], gauge_mm=1435)
    r = _one_leg_route(pd.concat([a, b], ignore_index=True))
    model = DEFAULT_TIME_MODEL.with_overrides({"transshipment_h": 2.5})
    m = route_metrics(r, time_model=model)  # type: ignore[arg-type]
    assert len(m["gauge_breaks"]) == 1 and m["transshipments"] == []
    assert m["time_h_breakdown"] == {
        "moving_h": 0.8,
        "border_h": 40.6,
        "port_h": 0.0,
        "transshipment_h": 2.5,
        "total_h": 43.9,
    }


def test_float32_lengths_are_timed_in_float64_as_the_route_length_counts_them() -> None:
    import numpy as np

    from corridors.analysis.metrics import route_metrics

    # 2 350 m at 1 km/h: 2.35 h, rounded up; float32 2350 / 1000 would be 2.3499999 h
    p = _pieces([(49.6, 40.1), (49.40, 39.94)])
    p["length_m"] = np.array([2350.0], dtype=np.float32)
    r = _one_leg_route(p)
    slow = DEFAULT_TIME_MODEL.with_overrides({"speed_kmh.rail": 1.0})
    m = route_metrics(r, time_model=slow)  # type: ignore[arg-type]
    assert r.length_km == 2.35  # type: ignore[attr-defined]
    assert m["time_h_breakdown"]["moving_h"] == 2.4
    assert m["time_h"] == 2.4


def test_border_crossings_follow_the_runs_given() -> None:
    from corridors.analysis.metrics import country_runs

    # the route goes 47.6 km into Georgia: runs cut with a 50 km border tolerance have no
    # crossing, those of the default tolerance one
    p = _pieces(GANJA_TBILISI)
    wide = country_runs(p, tolerance_km=50.0)
    assert [r.country for r in wide] == ["AZE"]
    assert border_crossings(p, runs=wide) == []
    crossings = border_crossings(p, runs=country_runs(p))
    assert [(c.from_country, c.to_country, c.name) for c in crossings] == [
        ("AZE", "GEO", "Böyük Kəsik–Gardabani")
    ]


def _rail_only_metrics(**extra: object) -> dict[str, object]:
    m: dict[str, object] = {
        "id": "r",
        "name": "R",
        "length_km": 300.0,
        "missing_km": 41.3,
        "length_km_by_mode": {"rail": 300.0},
        "length_km_by_country": {"AZE": 300.0},
        "border_crossings_count": 0,
        "countries": ["AZE"],
        "avoids": [],
        "gauge_breaks": [],
        "transshipments": [],
        "time_h": 5.6,
        "published_km": None,
    }
    return {**m, **extra}


def test_a_rail_only_corridor_with_missing_links_has_no_road_and_less_operational_km() -> None:
    from corridors.analysis.metrics import compare_row

    row = compare_row(_rail_only_metrics())
    km = ["length_km", "operational_km", "missing_km", "rail_km", "road_km", "ferry_km"]
    assert [row[k] for k in [*km, "sea_km", "time_h", "time_h_today"]] == [
        300.0,
        258.7,
        41.3,
        300.0,
        0.0,
        0.0,
        0.0,
        5.6,
        "not open today",
    ]


def test_a_corridor_without_avoids_has_no_avoids_verdict() -> None:
    from corridors.analysis.metrics import compare_rows

    (row,) = compare_rows([_rail_only_metrics()])
    assert row["avoids_ok"] is None
    avoids = [{"country": "IRN", "reason": "r", "verified": True}]
    (kept,) = compare_rows([_rail_only_metrics(avoids=avoids)])
    assert kept["avoids_ok"] is True


def test_the_fastest_route_keeps_to_the_options_given(network: object) -> None:
    from corridors.analysis.metrics import fastest_route, route_metrics
    from corridors.routing import RoutingOptions

    # Baku – Kars avoiding Georgia: by road through Iran and Nakhchivan (no rail path)
    opts = RoutingOptions(avoid=("GEO",))
    r = fastest_route("Baku", "Kars", network, options=opts)
    m = route_metrics(r)
    assert m["countries"] == ["AZE", "IRN", "AZE", "TUR"]
    assert m["length_km_by_mode"] == {"road": 825.5}
    assert r.meta["candidates_h"] == {"any": 61.5, "rail": None, "road": 49.4}
    assert r.options == opts
