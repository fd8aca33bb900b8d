"""Routing the shipped corridors on the embedded network: real values, with tolerances."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import corridors
from corridors import InfeasibleRouteError, SnapError, UnknownNameError
from corridors.analysis.metrics import route_metrics
from corridors.model import Leg, Mode, Waypoint
from corridors.network.core import Network
from corridors.routing import RoutingOptions, parse_place, route, route_corridor
from tests.helpers import readme_prose


def _metrics(cid: str, network: Network, **opts: object) -> dict[str, object]:
    r = route_corridor(corridors.load(cid), network, options=RoutingOptions(**opts))  # type: ignore[arg-type]
    return route_metrics(r)


def _pairs(m: dict[str, object]) -> list[tuple[str, str]]:
    return [(c["from"], c["to"]) for c in m["border_crossings"]]  # type: ignore[attr-defined,index]


def test_aras_never_enters_armenia(network: Network) -> None:
    m = _metrics("aras", network)
    assert "ARM" not in m["countries"]  # type: ignore[operator]
    assert m["countries"] == ["AZE", "IRN", "AZE"]
    assert _pairs(m) == [("AZE", "IRN"), ("IRN", "AZE")]
    assert m["avoids"] == [
        {"country": "ARM", "reason": corridors.load("aras").avoids[0].reason, "verified": True}
    ]
    names = [c["name"] for c in m["border_crossings"]]  # type: ignore[attr-defined]
    assert names == ["Aghband–Kalaleh", "Julfa–Jolfa"]


def test_zangezur_crosses_armenia_to_nakhchivan_and_turkiye(network: Network) -> None:
    m = _metrics("zangezur", network)
    assert _pairs(m) == [("AZE", "ARM"), ("ARM", "AZE"), ("AZE", "TUR")]
    assert m["countries"] == ["AZE", "ARM", "AZE", "TUR"]
    assert m["missing_km"] > 40  # the Meghri section is not built
    missing = {x["link"] for x in m["missing_links"]}  # type: ignore[attr-defined]
    assert "meghri" in missing
    assert 500 < m["length_km"] < 1000  # type: ignore[operator]
    iran = m["length_km_by_country"].get("IRN", 0.0)  # type: ignore[attr-defined]
    assert iran == 0.0
    assert (
        f"Zangezur reads {' → '.join(m['countries'])} with {iran:.0f} km in Iran."  # type: ignore[arg-type]
    ) in readme_prose()


def test_zangezur_avoiding_armenia_is_infeasible(network: Network) -> None:
    with pytest.raises(InfeasibleRouteError, match=r"is in ARM, which is avoided"):
        route_corridor(corridors.load("zangezur"), network, options=RoutingOptions(avoid=("ARM",)))


def test_middle_corridor_avoids_russia_and_iran_with_a_caspian_leg(network: Network) -> None:
    m = _metrics("middle-corridor", network)
    assert "RUS" not in m["countries"] and "IRN" not in m["countries"]  # type: ignore[operator]
    assert all(a["verified"] for a in m["avoids"])  # type: ignore[attr-defined]
    water = m["length_km_by_mode"].get("ferry", 0) + m["length_km_by_mode"].get("sea", 0)  # type: ignore[attr-defined]
    assert 200 < water < 800  # across the Caspian
    assert m["countries"][0] == "KAZ" and m["countries"][-1] == "TUR"  # type: ignore[index]
    assert len(m["gauge_breaks"]) >= 1  # type: ignore[arg-type]


def test_middle_corridor_crosses_the_kyrgyz_stretch_at_maymak(network: Network) -> None:
    # the Taraz–Shymkent line runs through Kyrgyzstan's Talas Region past Maymak station
    m = _metrics("middle-corridor", network)
    names = [c["name"] for c in m["border_crossings"]]  # type: ignore[attr-defined]
    assert names[:2] == ["Sholdala–Zhoon-Döbö", "Maymak–Kürkireusu"]
    assert 10 < m["length_km_by_country"]["KGZ"] < 30  # type: ignore[index]
    # the two Maymak crossings are 0 h transit: two rail waits at the default 40.6 h remain
    border_h = m["time_h_breakdown"]["border_h"]  # type: ignore[index]
    assert border_h == 2 * 40.6 == 81.2
    assert f"the Middle Corridor's border time is two rail waits ({border_h} h), not four." in (
        readme_prose()
    )


def test_instc_west_crosses_russia_azerbaijan_iran(network: Network) -> None:
    m = _metrics("instc-west", network)
    assert ("RUS", "AZE") in _pairs(m) and ("AZE", "IRN") in _pairs(m)
    assert m["countries"][:3] == ["RUS", "AZE", "IRN"]  # type: ignore[index]
    assert "rasht-astara" in {x["link"] for x in m["missing_links"]}  # type: ignore[attr-defined]


def test_btk_matches_its_published_length(network: Network) -> None:
    m = _metrics("btk", network)
    assert _pairs(m) == [("AZE", "GEO"), ("GEO", "TUR")]
    # the OSM layer's track in Azerbaijan and Georgia, scgraph's along-track lengths in
    # Türkiye (802.0 km as chords between scgraph's simplified nodes)
    assert m["length_km"] == pytest.approx(832.9, abs=0.1)
    assert 826 <= m["length_km"] <= 849  # type: ignore[operator]  # published 826-849 km
    assert [(g["from_mm"], g["to_mm"]) for g in m["gauge_breaks"]] == [(1520, 1435)]  # type: ignore[attr-defined]


def test_a_route_records_the_network_it_was_routed_on_and_its_options(network: Network) -> None:
    # the provenance names the network's cache key and every routing option, by name
    key = network.meta["cache_key"]
    assert key
    opts = RoutingOptions(avoid=("IRN",), avoid_mode="soft")
    r = route_corridor(corridors.load("btk"), network, options=opts)
    assert r.meta["network"] == key
    assert r.meta["options"]["avoid"] == ["IRN"]
    assert r.meta["options"]["avoid_mode"] == "soft"
    adhoc = route("Baku", "Tbilisi", network, modes="rail", options=opts)
    assert adhoc.meta["network"] == key
    assert adhoc.meta["options"] == r.meta["options"]


def test_rail_baku_tbilisi_is_a_few_hundred_km(network: Network) -> None:
    r = route("Baku", "Tbilisi", network, modes="rail")
    assert 450 < r.length_km < 650


def test_reference_corridor_is_drawn_not_routed(network: Network) -> None:
    m = _metrics("btc-pipeline", network)
    assert m["length_km_by_mode"] == {"pipeline": pytest.approx(m["length_km"], abs=0.2)}  # type: ignore[index]
    assert m["time_h"] is None
    assert _pairs(m) == [("AZE", "GEO"), ("GEO", "TUR")]


def test_opening_a_link_removes_it_from_the_missing(network: Network) -> None:
    base = _metrics("zangezur", network)
    opened = _metrics("zangezur", network, open_links=("meghri",))
    assert opened["missing_km"] < base["missing_km"]  # type: ignore[operator]
    assert "meghri" not in {x["link"] for x in opened["missing_links"]}  # type: ignore[attr-defined]


def test_unknown_link_lists_close_matches(network: Network) -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'meghri'"):
        _metrics("zangezur", network, open_links=("megri",))


def test_snap_error_names_the_waypoint(network: Network) -> None:
    far = Waypoint("Middle of the Karakum", 59.5, 40.0, "TKM")
    near = Waypoint("Ashgabat", 58.38, 37.95, "TKM")
    c = corridors.Corridor(
        id="x",
        name="x",
        summary="x",
        waypoints=(near, far),
        legs=(Leg(near, far, Mode.RAIL),),
        modes=(Mode.RAIL,),
    )
    with pytest.raises(
        SnapError, match=r"'Middle of the Karakum' .* km from the nearest usable line"
    ):
        route_corridor(c, network)


def test_ad_hoc_route_by_any_mode_uses_the_caspian(network: Network) -> None:
    m = route_metrics(route("Baku", "Aktau", network, modes="any"))
    modes = m["length_km_by_mode"]
    assert set(modes) & {"sea", "ferry"}
    assert m["length_km"] < 1000  # type: ignore[operator]


def test_place_parsing() -> None:
    assert parse_place("49.8,40.4").country == "AZE"
    assert parse_place("nakhichevan").name == "Nakhchivan"  # a spelling variant
    with pytest.raises(UnknownNameError, match="did you mean 'Tbilisi'"):
        parse_place("Tblisi")
    with pytest.raises(UnknownNameError, match="lon in"):
        parse_place("200,40")


def test_an_unknown_place_is_named_with_the_known_names_closest_to_it() -> None:
    tail = "; give 'lon,lat' or a name that 'corridors places' lists"
    # no known name is close: the message names none
    with pytest.raises(UnknownNameError) as no_hint:
        parse_place("Zzqxwv")
    assert str(no_hint.value) == "unknown place 'Zzqxwv'" + tail
    # no name is close in capitals, but folded keys (names and aliases, casefolded) are
    with pytest.raises(UnknownNameError) as folded:
        parse_place("TBLISI")
    assert str(folded.value) == (
        "unknown place 'TBLISI'; did you mean 'tbilisi' or 'tbilisy' or 'tiflis'?" + tail
    )


def test_hard_avoid_blocks_and_soft_avoid_allows(network: Network) -> None:
    # by rail, Yerevan is reached from Tbilisi only through Georgia–Armenia
    with pytest.raises(InfeasibleRouteError):
        route("Tbilisi", "Yerevan", network, modes="rail", options=RoutingOptions(avoid=("GEO",)))
    soft = route(
        "Gyumri",
        "Yerevan",
        network,
        modes="rail",
        options=RoutingOptions(avoid=("GEO",), avoid_mode="soft"),
    )
    assert soft.length_km > 50


def test_closed_border_crossings_are_never_used(network: Network) -> None:
    from corridors.geo import geodata

    assert {c.countries for c in geodata.closed_crossings()} >= {("ARM", "AZE"), ("ARM", "TUR")}
    closed = network.edges["closed"].to_numpy()
    assert closed.sum() >= 5
    r = route("Nakhchivan", "Yerevan", network, modes="road")
    used = r.pieces["edge"].to_numpy()
    assert not closed[used[used >= 0]].any()
    # the direct Yeraskh–Sadarak road would be far shorter than the way round through Iran
    assert r.length_km > 300
    kars = route("Kars", "Gyumri", network, modes="road")
    assert "GEO" in route_metrics(kars)["countries"]  # round through Georgia, not Doğukapı


def test_baku_to_yerevan_by_road_goes_round_through_georgia(network: Network) -> None:
    # ARM–AZE is closed (the Meghri road ends too): the road runs by the Red Bridge into
    # Georgia and by Sadakhlo into Armenia
    r = route("Baku", "Yerevan", network, modes="road")
    m = route_metrics(r)
    assert m["countries"] == ["AZE", "GEO", "ARM"]
    names = [c["name"] for c in m["border_crossings"]]  # type: ignore[attr-defined]
    assert names == ["Red Bridge", "Bagratashen–Sadakhlo"]
    assert round(r.length_km, 1) == 688.9
    assert m["warnings"] == []


def test_ganja_to_moscow_by_road_names_its_crossings(network: Network) -> None:
    # Upper Lars–Kazbegi, the only open Georgia–Russia road crossing, was unnamed before
    # geodata/crossings.yaml had it
    m = route_metrics(route("Ganja", "Moscow", network, modes="road"))
    assert m["countries"] == ["AZE", "GEO", "RUS"]
    crossings = m["border_crossings"]
    assert [(c["name"], round(c["lon"], 2), round(c["lat"], 2)) for c in crossings] == [  # type: ignore[attr-defined]
        ("Red Bridge", 45.07, 41.33),
        ("Upper Lars–Kazbegi", 44.63, 42.75),
    ]
    assert m["length_km"] == 2121.7
    # from Ararat the road leaves Armenia by Gogavan–Guguti, not by Bagratashen 34 km east
    ararat = route_metrics(route("Ararat", "Moscow", network, modes="road"))
    names = [c["name"] for c in ararat["border_crossings"]]  # type: ignore[attr-defined]
    assert names == ["Gogavan–Guguti", "Upper Lars–Kazbegi"]


def test_no_land_route_to_mumbai_through_pakistan(network: Network) -> None:
    # Munabao–Khokhrapar (Thar Express suspended 2019) and Attari–Wagah (closed 2025) are
    # closed, and the network has no other open rail or road into India from the west
    for mode in ("rail", "road"):
        with pytest.raises(InfeasibleRouteError, match=rf"no path on the {mode} network"):
            route("Baku", "Mumbai", network, modes=mode)
    with pytest.raises(InfeasibleRouteError, match="no path on the rail network"):
        route("Yerevan", "Mumbai", network, modes="rail")


def test_the_snap_limit_option_overrides_the_setting(network: Network) -> None:
    # 18.6 km from the nearest rail node: fine under the default 30 km, refused at 5 km
    far = "49.5,41.0"
    m = route_metrics(route(far, "Tbilisi", network, modes="rail"))
    assert m["legs"][0]["snap_km"][0] == pytest.approx(18.6, abs=0.1)
    with pytest.raises(SnapError, match=r"18\.6 km from the nearest usable line.*limit of 5 km"):
        route(far, "Tbilisi", network, modes="rail", options=RoutingOptions(snap_limit_km=5))
    with pytest.raises(SnapError, match="limit of 10 km"):
        route(far, "Tbilisi", network, modes="rail", options=RoutingOptions(snap_limit_km=10))


def test_a_variant_routes_by_its_own_mode(network: Network) -> None:
    road = corridors.load("zangezur-road")
    assert road.modes == (Mode.ROAD,)
    assert {leg.mode for leg in road.legs} == {Mode.ROAD}
    assert road.waypoints[0].name == corridors.load("zangezur").waypoints[0].name
    m = route_metrics(route_corridor(road, network))
    assert m["length_km_by_mode"].keys() == {"road"}
    assert m["countries"][:2] == ["AZE", "ARM"]


def _deepest_km(r: object, avoid: tuple[str, ...]) -> float:
    """How deep, in km, the route's straight segments go into ``avoid`` (every 100 m)."""
    import numpy as np

    from corridors.routing import _avoid_depth_km

    p = r.pieces  # type: ignore[attr-defined]
    t = np.linspace(0.0, 1.0, 101)
    n = (p["length_m"].to_numpy(float) / 100.0).clip(1).astype(int)
    xs, ys = [], []
    for row, k in zip(p.itertuples(), n, strict=True):
        tt = t if k > 100 else np.linspace(0.0, 1.0, k + 1)
        xs.append(row.x0 + (row.x1 - row.x0) * tt)
        ys.append(row.y0 + (row.y1 - row.y0) * tt)
    return float(
        _avoid_depth_km(tuple(sorted(avoid)), np.concatenate(xs), np.concatenate(ys)).max()
    )


def test_hard_avoid_never_returns_a_path_through_an_avoided_country(network: Network) -> None:
    # unconstrained, Baku – Nakhchivan by road runs along the Aras through Iran
    free = route_metrics(route("Baku", "Nakhchivan", network, modes="road"))
    assert free["countries"] == ["AZE", "IRN", "AZE"]
    for avoid in (("IRN", "ARM"), ("IRN",)):
        r = route("Baku", "Nakhchivan", network, modes="road", options=RoutingOptions(avoid=avoid))
        m = route_metrics(r)
        # round through Georgia and Türkiye to Sadarak
        assert m["countries"] == ["AZE", "GEO", "TUR", "AZE"]
        assert round(r.length_km, 1) == 1056.0
        assert _deepest_km(r, avoid) <= 1.5  # whole segments, not only their vertices
    # Kars – Gyumri: round through Georgia, unless Georgia is avoided (then via Nakhchivan, Iran)
    assert route_metrics(route("Kars", "Gyumri", network, modes="road"))["countries"][1] == "GEO"  # type: ignore[index]
    kg = route("Kars", "Gyumri", network, modes="road", options=RoutingOptions(avoid=("GEO",)))
    # by Nakhchivan, Julfa, the Iranian bank of the Aras and Norduz–Agarak (the Iranian
    # stretch runs within 1.5 km of the river and is counted as AZE: a known limit of the
    # hysteresis); never by a closed ARM–AZE or ARM–TUR crossing
    assert round(kg.length_km, 1) == 770.6
    assert route_metrics(kg)["countries"][:2] == ["TUR", "AZE"]  # type: ignore[index]
    used = kg.pieces["edge"].to_numpy()
    assert not network.edges["closed"].to_numpy()[used[used >= 0]].any()
    assert _deepest_km(kg, ("GEO",)) <= 1.5
    with pytest.raises(InfeasibleRouteError, match="every path runs through GEO"):
        route("Kars", "Gyumri", network, modes="rail", options=RoutingOptions(avoid=("GEO",)))


# Kapan (ARM) to a point on the Iranian bank of the Aras: the straight line runs 4.9 km deep
# through Zangilan (AZE) between two vertices outside it; the way round by Meghri stays out
_KAPAN, _MEGHRI, _ARAS_IRN = (46.4068, 39.2076), (46.26, 38.88), (46.75, 38.85)


def _kapan_network(schematic_km: float | None) -> Network:
    import pandas as pd

    from corridors.network.core import network_from_segments
    from tests.helpers import segments_along

    direct = segments_along([_KAPAN, _ARAS_IRN], "road")
    if schematic_km is not None:  # a backbone chord of a line this long, along the track
        direct[0]["length_m"] = schematic_km * 1000.0
    rows = direct + segments_along([_KAPAN, _MEGHRI, _ARAS_IRN], "road")
    return network_from_segments(pd.DataFrame(rows))


def test_hard_avoid_checks_segments_between_vertices() -> None:
    net = _kapan_network(None)
    a, b = "46.4068,39.2076", "46.75,38.85"
    free = route(a, b, net, modes="road")
    assert round(free.length_km, 1) == 49.6  # the straight line
    assert round(_deepest_km(free, ("AZE",)), 2) == 4.86
    assert "AZE" not in route_metrics(free)["countries"]  # type: ignore[operator]
    r = route(a, b, net, modes="road", options=RoutingOptions(avoid=("AZE",)))
    assert round(r.length_km, 1) == 81.2  # round by Meghri
    assert _deepest_km(r, ("AZE",)) == 0.0


def test_a_schematic_chord_gets_its_measured_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    import corridors.routing as routing

    # drawn as a chord of a 56 km line, the same segment may lie 1.5 + 0.179 * 56 = 11.5 km
    # off its real line: 4.9 km inside AZE is no evidence that the road enters it
    a, b = "46.4068,39.2076", "46.75,38.85"
    opts = RoutingOptions(avoid=("AZE",))
    assert round(route(a, b, _kapan_network(56.0), modes="road", options=opts).length_km, 1) == 56.0
    # with an allowance of 6 % (3.4 + 1.5 km < 4.9) the chord is an entry, and it is avoided
    monkeypatch.setattr(routing, "SCHEMATIC_DEVIATION", 0.06)
    r = route(a, b, _kapan_network(56.0), modes="road", options=opts)
    assert round(r.length_km, 1) == 81.2


def test_soft_avoid_that_cannot_avoid_says_where_and_how_far(network: Network) -> None:
    opts = RoutingOptions(avoid=("ARM", "GEO", "IRN"), avoid_mode="soft")
    r = route("Baku", "Nakhchivan", network, modes="road", options=opts)
    assert route_metrics(r)["countries"] == ["AZE", "IRN", "AZE"]
    assert r.warnings == (
        "soft avoid: the route still enters IRN for 289.9 km (no path found that avoids it)",
    )
    # with a penalty high enough, the detour through Georgia is cheaper and nothing is said
    opts = RoutingOptions(avoid=("IRN",), avoid_mode="soft", soft_penalty=100.0)
    ok = route("Baku", "Nakhchivan", network, modes="road", options=opts)
    assert route_metrics(ok)["countries"] == ["AZE", "GEO", "TUR", "AZE"]
    assert ok.warnings == ()


def test_places_as_pairs_and_points_and_a_readable_route(network: Network) -> None:
    import shapely

    by_name = route("Baku", "Tbilisi", network, modes="road")
    baku, tbilisi = parse_place("Baku").coords, parse_place("Tbilisi").coords
    pair = route(baku, tbilisi, network, modes="road")
    point = route(shapely.Point(*baku), "Tbilisi", network, modes="road")
    assert round(pair.length_km, 1) == round(point.length_km, 1) == round(by_name.length_km, 1)
    with pytest.raises(UnknownNameError, match="a place is a name"):
        route(49.9, "Tbilisi", network)
    z = route_corridor(corridors.load("zangezur"), network)
    text = repr(z)
    assert "\n" not in text and len(text) < 120
    assert text.startswith("<Route 'zangezur': 852.7 km, ")
    assert "<table>" in z._repr_html_() and "Nakhchivan" in z._repr_html_()


def test_corridor_from_dict_checks_like_a_file() -> None:
    import yaml

    from corridors import Corridor, DefinitionError
    from tests.conftest import DATA

    raw = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    assert Corridor.from_dict(raw) == corridors.corridor_from_file(DATA / "mini.yaml")
    raw["waypoints"][1]["lat"] = 138.9
    with pytest.raises(DefinitionError) as exc:
        Corridor.from_dict(raw)
    assert exc.value.problems == (
        "<definition>: waypoints[1] 'Ganja': latitude 138.9 is outside [-90, 90]",
    )


def test_access_stretch_to_the_snapped_node_is_counted(network: Network) -> None:
    # a point in the Sharur plain 12.3 km from the nearest rail line (13.0 km from a node)
    r = route("Nakhchivan", "45.45,39.30", network, modes="rail")
    (leg,) = r.legs
    p = r.pieces
    access = p[p["access"].astype(bool)]
    assert len(access) == 2
    assert leg.snap_end_km == pytest.approx(12.339, abs=1e-3)
    assert leg.access_km == pytest.approx(leg.snap_start_km + leg.snap_end_km, abs=1e-3)
    assert access["length_m"].sum() / 1000 == pytest.approx(leg.access_km, abs=1e-3)
    # the line starts at the waypoint and ends at the waypoint: nothing dropped
    assert (p["x0"].iloc[0], p["y0"].iloc[0]) == (leg.leg.start.lon, leg.leg.start.lat)
    assert (p["x1"].iloc[-1], p["y1"].iloc[-1]) == (leg.leg.end.lon, leg.leg.end.lat)
    assert r.length_km == pytest.approx(p["length_m"].sum() / 1000, rel=1e-12)
    assert route_metrics(r)["access_km"] == pytest.approx(12.3, abs=0.05)


def _btk_with_akhalkalaki_at_the_town() -> corridors.Corridor:
    """BTK with Akhalkalaki at the town (GeoNames point), 8 km north of its station."""
    import yaml

    from corridors._data import seeds_dir

    raw = yaml.safe_load((seeds_dir() / "btk.yaml").read_text(encoding="utf-8"))
    (wp,) = [w for w in raw["waypoints"] if w["name"] == "Akhalkalaki"]
    wp["lon"], wp["lat"] = 43.48629, 41.40514
    return corridors.Corridor.from_dict(raw)


def test_access_out_and_back_at_a_passing_waypoint_is_dropped(network: Network) -> None:
    # at the town Akhalkalaki is 6.7 km from its node; both BTK legs there snap to that node
    r = route_corridor(_btk_with_akhalkalaki_at_the_town(), network)
    into, out = r.legs[5], r.legs[6]
    assert into.snap_end_km == pytest.approx(6.669, abs=1e-3)
    assert out.snap_start_km == pytest.approx(6.669, abs=1e-3)
    # Marabda and the border point are passed through too; only Baku's stays (Kars has a node)
    assert (into.access_km, out.access_km) == (0.0, 0.0)
    assert route_metrics(r)["access_km"] == pytest.approx(0.1, abs=0.05)
    assert not r.pieces.loc[r.pieces["leg"].isin([5, 6]), "access"].astype(bool).any()
    assert r.length_km == pytest.approx(sum(rl.length_km for rl in r.legs), rel=1e-9)


@pytest.mark.slow
def test_on_real_track_and_osm_borders_zangezur_aras_and_btk_read_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corridors import settings
    from corridors.network.build import load_network

    monkeypatch.setattr(settings, "borders", "osm")
    net = load_network("bundled+osm", progress=False)
    assert net.meta["source"] == "bundled+osm"
    zangezur = route_metrics(route_corridor(corridors.load("zangezur"), net))
    assert zangezur["countries"] == ["AZE", "ARM", "AZE", "TUR"]
    assert "IRN" not in zangezur["length_km_by_country"]
    aras = route_metrics(route_corridor(corridors.load("aras-rail"), net))
    assert aras["countries"] == ["AZE", "IRN", "AZE"]
    btk = route_metrics(route_corridor(corridors.load("btk"), net))
    assert btk["countries"] == ["AZE", "GEO", "TUR"]
    assert btk["length_km"] == pytest.approx(832.9, abs=0.1)
    # Horadiz-Aghband follows the OSM railway=construction ways (published 110.4 km)
    legs = {(x["from"], x["to"]): x for x in zangezur["legs"]}
    assert legs[("Horadiz", "Aghband")]["length_km"] == pytest.approx(105.8, abs=0.1)
    assert not legs[("Horadiz", "Aghband")]["missing"]


def _balkhash_moiynty() -> tuple[Waypoint, Waypoint]:
    from corridors.analysis.fidelity import published_lines

    (line,) = [x for x in published_lines() if x.id == "balkhash-moiynty"]
    return line.start.waypoint(), line.end.waypoint()


def test_a_station_between_two_nodes_snaps_inside_the_edge(network: Network) -> None:
    # Balkhash 1 lies 1.4 km west of the junction node on the backbone edge to Moiynty
    # (130.281 km along the track): it enters that edge where it lies, the edge's length
    # prorated by the fraction of the chord, instead of running to the node and back
    from corridors.network._graph import routing_graph
    from corridors.routing import _all_links

    start, end = _balkhash_moiynty()
    r = route(start, end, network, modes="rail")
    (leg,) = r.legs
    assert (leg.snap_start_km, leg.snap_end_km) == (0.025, 0.014)  # 1.368 / 0.785 to nodes
    assert leg.access_km == pytest.approx(0.039, abs=1e-3)
    g = routing_graph(network, _all_links())
    p = r.pieces
    part = p.iloc[1]
    e = int(part["edge"])
    assert not bool(part["access"]) and g.length_m[e] == 130_281.0
    x0, x1 = g.x[g.u[e]], g.x[g.v[e]]
    far = x1 if np.isclose(part["x1"], x1) else x0
    frac = (part["x0"] - far) / (x0 + x1 - 2 * far)  # of the chord, from the far node
    assert part["length_m"] == pytest.approx(frac * 130_281.0, rel=1e-9)
    assert round(r.length_km, 1) == 131.5  # 135.9 by the nearest nodes
    # Moiynty: the route stops inside the edge that runs on past the station
    assert not bool(p.iloc[-2]["access"]) and int(p.iloc[-2]["edge"]) >= 0
    assert p.iloc[-2]["length_m"] < g.length_m[int(p.iloc[-2]["edge"])]
    assert r.length_km == pytest.approx(p["length_m"].sum() / 1000, rel=1e-12)


def test_ends_inside_edges_cost_one_search(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # both ends lie inside an edge, so a path may leave by either end of each: the four
    # ways are one multi-source, multi-target search of the hierarchy, not four
    from corridors.network._hierarchy import Metric

    runs = []
    run = Metric._run

    def counted(self: Metric, *args: Any) -> Any:
        runs.append(args[:2])
        return run(self, *args)

    monkeypatch.setattr(Metric, "_run", counted)
    start, end = _balkhash_moiynty()
    r = route(start, end, network, modes="rail")
    assert len(runs) == 1
    assert len(runs[0][0]) + len(runs[0][1]) >= 3  # entries at both ends of the edges
    assert round(r.length_km, 1) == 131.5


def test_two_points_on_one_edge_are_joined_along_it(network: Network) -> None:
    # two points at 30 % and 70 % of the Balkhash–Moiynty edge: the part between them
    from corridors.network._graph import routing_graph
    from corridors.routing import _all_links

    g = routing_graph(network, _all_links())
    (e,) = np.flatnonzero(g.length_m == 130_281.0)
    u, v = g.u[e], g.v[e]

    def at(t: float) -> tuple[float, float]:
        return (g.x[u] + t * (g.x[v] - g.x[u]), g.y[u] + t * (g.y[v] - g.y[u]))

    r = route(at(0.3), at(0.7), network, modes="rail")
    assert len(r.pieces) == 1 and int(r.pieces["edge"].iloc[0]) == e
    assert r.length_km == pytest.approx(0.4 * 130.281, rel=1e-3)
    assert r.legs[0].access_km == 0.0


def test_a_kept_route_setup_lets_a_replaced_routing_graph_go() -> None:
    """Setups kept per options must not hold routing graphs that a cleared cache replaced.

    Scenario sweeps route with many different options; before this, each kept setup held
    the graph it was made on, so clearing the graph cache leaked one graph (about 150 MB)
    per set of options. On a network of its own: routes other tests keep hold the graphs
    of the shared one.
    """
    import gc
    import weakref

    from corridors.network._graph import _CACHE
    from corridors.routing import _ADHOC

    network = _line_and_fragment()
    a, b = "70.0,48.0", "70.4,48.0"
    before = route(a, b, network).length_km  # a Route keeps its graph: not kept
    route(a, b, network, options=RoutingOptions(avoid=("CHN",)))
    assert len(_ADHOC[network]) == 2
    old = {id(s.graph): weakref.ref(s.graph) for s in _ADHOC[network].values()}
    assert len(old) == 1
    _CACHE.clear()
    after = route(a, b, network)
    assert round(after.length_km, 3) == round(before, 3) == 29.85
    kept = list(_ADHOC[network].values())
    assert len(kept) == 1
    gc.collect()
    assert all(ref() is None for ref in old.values())


def _line_and_fragment() -> Network:
    """A 30 km rail line east of 70° E at 48° N, and a 0.5 km fragment 2 km west of it."""
    import pandas as pd

    from corridors.network.core import network_from_segments
    from tests.helpers import segments_along

    line = segments_along([(70.0, 48.0), (70.2, 48.0), (70.4, 48.0)], "rail")
    fragment = segments_along([(69.969, 48.001), (69.965, 48.004)], "rail")
    return network_from_segments(pd.DataFrame(line + fragment))


def test_by_any_mode_a_waypoint_snaps_to_the_nearest_node_of_a_real_stretch() -> None:
    # by any mode ends snap to nodes: the fragment's node is 0.1 km away, the line's first
    # node 2.239 km; the line is preferred, within the snap limit, with or without a hard
    # avoid (which passes the blocked nodes to the snap)
    net = _line_and_fragment()
    w, end = "69.97,48.0", "70.4,48.0"
    for opts in (RoutingOptions(), RoutingOptions(avoid=("CHN",)), RoutingOptions(snap_limit_km=3)):
        r = route(w, end, net, modes="any", options=opts)
        assert (r.legs[0].snap_start_km, r.legs[0].snap_end_km) == (2.239, 0.0)
        assert round(r.length_km, 3) == 32.089  # 2.239 km of access and the 29.850 km line
    # with a limit under 2.239 km only the fragment is in reach: it snaps there, and the
    # fragment leads nowhere
    for opts in (
        RoutingOptions(snap_limit_km=2.2),
        RoutingOptions(avoid=("CHN",), snap_limit_km=2.2),
    ):
        with pytest.raises(InfeasibleRouteError, match="no path on the rail/road/ferry/sea"):
            route(w, end, net, modes="any", options=opts)
    # 12.3 km west of the fragment: beyond a 12 km limit, measured on the ellipsoid
    with pytest.raises(
        SnapError,
        match=r"is 12\.3 km from the nearest usable node, more than the snap limit of 12 km",
    ):
        route("69.8,48.0", end, net, modes="any", options=RoutingOptions(snap_limit_km=12))


def test_km_in_countries_counts_a_merged_sliver_in_its_own_country(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Aghband – Kapan by road on 1:10m borders: a 9.1 km corner of AZE between IRN and ARM is
    # merged into the IRN run (37.2 km); an avoid rule counts it in AZE, and not in IRN,
    # whichever of them it asks about
    from corridors import settings
    from corridors.routing import km_in_countries
    from tests.geo.test_runs import _AGHBAND_KAPAN
    from tests.helpers import pieces_along

    monkeypatch.setattr(settings, "borders", "natural-earth")
    p = pieces_along(_AGHBAND_KAPAN, mode="road")
    assert km_in_countries(p, ["AZE", "IRN", "ARM"]) == {"AZE": 53.8, "IRN": 28.1, "ARM": 35.8}
    assert km_in_countries(p, ["AZE"]) == {"AZE": 53.8}  # 44.7 km, and the 9.1 km corner
    assert km_in_countries(p, ["IRN"]) == {"IRN": 28.1}
    assert km_in_countries(p, ["GEO"]) == {}
    # from the Aras on (IRN 60.9 km), the corner still counts in AZE
    assert km_in_countries(pieces_along(_AGHBAND_KAPAN[2:], mode="road"), ["AZE"]) == {"AZE": 9.1}
    assert km_in_countries(p.iloc[0:0], ["AZE"]) == {}


def test_the_last_hard_avoid_check_names_each_country_and_its_km() -> None:
    # the check behind the segment mask and the refined search: a line Ganja – Tbilisi runs
    # 126.2 km in AZE and 47.6 km in GEO; a hard avoid of either refuses it, a soft one warns
    from corridors.routing import _check_hard_avoid, _soft_avoid_warnings
    from tests.helpers import pieces_along

    p = pieces_along([(46.36 - 0.0195 * t, 40.69 + 0.012875 * t) for t in range(81)])
    tail = "; use --avoid-mode soft to allow it at a cost, or drop it from --avoid"
    for avoid, where in (
        (("GEO",), "GEO (47.6 km)"),
        (("GEO", "AZE"), "AZE (126.2 km), GEO (47.6 km)"),
    ):
        opts = RoutingOptions(avoid=avoid)
        with pytest.raises(InfeasibleRouteError) as err:
            _check_hard_avoid("leg x", p, opts)
        assert str(err.value) == f"leg x: no path found that stays out of {where}{tail}"
        assert _soft_avoid_warnings(p, opts) == []
    soft = RoutingOptions(avoid=("GEO",), avoid_mode="soft")
    _check_hard_avoid("leg x", p, soft)  # a soft avoid is never refused
    assert _soft_avoid_warnings(p, soft) == [
        "soft avoid: the route still enters GEO for 47.6 km (no path found that avoids it)"
    ]
    for opts in (
        RoutingOptions(avoid=("ARM",)),
        RoutingOptions(),
        RoutingOptions(avoid_mode="soft"),
    ):
        _check_hard_avoid("leg x", p, opts)  # ARM is not entered; nothing is avoided
        assert _soft_avoid_warnings(p, opts) == []


def test_a_route_by_sea_counts_the_countries_of_its_ports(network: Network) -> None:
    # all at sea: no land crossing, and each end's country through its port
    m = route_metrics(route("Baku", "Aktau", network, modes="ferry"))
    assert (m["countries"], m["length_km"], m["border_crossings"]) == (["AZE", "KAZ"], 479.8, [])
    assert m["length_km_by_country"] == {"sea": 479.8}
    m = route_metrics(route("Alat", "Turkmenbashi", network, modes="ferry"))
    assert (m["countries"], m["length_km"]) == (["AZE", "TKM"], 352.5)


def test_by_time_a_cross_border_edge_costs_its_crossings_dwell(network: Network) -> None:
    from corridors.network._graph import MODES, routing_graph
    from corridors.routing import BORDER_FOR_ANY_H, _all_links, _border_hours

    g = routing_graph(network, _all_links())
    h = _border_hours(g, BORDER_FOR_ANY_H)
    cross = (g.country[g.u] != g.country[g.v]) & (g.country[g.u] != "") & (g.country[g.v] != "")
    rail, road = g.mode == MODES.index("rail"), g.mode == MODES.index("road")
    assert set(np.unique(h[cross & road])) == {9.9}
    assert set(np.unique(h[cross & rail])) == {0.0, 40.6}
    # the Kyrgyz stretch of the Taraz–Shymkent line (Sholdala, Maymak) is transit: 0 h
    zero = np.flatnonzero(cross & rail & (h == 0.0))
    assert len(zero) == 3
    assert all({g.country[g.u[e]], g.country[g.v[e]]} == {"KAZ", "KGZ"} for e in zero)
    assert int((h > 0).sum()) == 577 and not h[~cross].any()


def test_any_mode_costs_the_border_dwells_given(network: Network) -> None:
    # Baku – Turkmenbashi: at the default 40.6 h a rail border, across the Caspian from
    # Alat; with no rail border dwell, the rail round it through three borders is faster
    across = route_metrics(route("Baku", "Turkmenbashi", network, modes="any"))
    assert across["length_km_by_mode"] == {"rail": 97.7, "sea": 348.9}
    free = route("Baku", "Turkmenbashi", network, modes="any", border_h={"rail": 0.0})
    m = route_metrics(free)
    assert m["length_km_by_mode"] == {"rail": 3065.4}
    assert m["countries"] == ["AZE", "RUS", "KAZ", "TKM"]


def test_a_closure_under_a_hard_avoid_is_refined_on_its_own_mask(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Baku - Nakhchivan by road avoiding Iran: the first path still counts as entering
    Iran and is searched again without the leaking edges. With a closure, that second
    search must be made (and its matrix cached) under a key naming the closure: under the
    open mask's key, the next closure with the same leaking edges reused the first one's
    matrix, and its route ran over the edge it had closed (1,111.8 km every time, the
    first closure's)."""
    import corridors.routing as routing
    from corridors.network._graph import _CACHE

    paths: list[tuple[list[int], list[int]]] = []
    real = routing._refine_hard_avoid

    def spy(*args: Any) -> Any:
        out = real(*args)
        paths.append((args[4][1], out[1]))
        return out

    monkeypatch.setattr(routing, "_refine_hard_avoid", spy)
    avoid = RoutingOptions(avoid=("IRN",))
    base = route("Baku", "Nakhchivan", network, modes="road", options=avoid)
    first, refined = paths[-1]
    only = [e for e in refined if e not in set(first)]  # off the first, leaking path
    assert (len(first), len(refined), len(only)) == (92, 89, 31)
    assert round(base.length_km, 1) == 1056.0

    def closing(e: int) -> routing.Route:
        opts = RoutingOptions(avoid=("IRN",), close_edges=(e,))
        return route("Baku", "Nakhchivan", network, modes="road", options=opts)

    got = {}
    for e in (only[5], only[10], only[0], only[20]):
        r = closing(e)
        assert e not in set(r.pieces["edge"].tolist())
        got[e] = round(r.length_km, 1)
    # each as on a fresh routing graph, where no other closure was searched before
    fresh = {}
    for e in got:
        _CACHE.clear()
        fresh[e] = round(closing(e).length_km, 1)
    assert got == fresh
    assert list(got.values()) == [1111.8, 1075.7, 1064.9, 1056.0]


def test_missing_legs_are_drawn_as_one_line_that_names_its_link(network: Network) -> None:
    """The pieces of a missing leg (drawn, not on the network's track) run end to end from
    its start and carry the name of the link they stand for."""
    links = {}
    for cid in ("aras", "zangezur", "instc-west"):
        r = route_corridor(corridors.load(cid), network)
        p = r.pieces
        for rl in r.legs:
            if not rl.missing:
                continue
            own = p[(p["leg"] == rl.index) & p["missing"].astype(bool)]
            x0, y0, x1, y1 = (own[c].to_numpy(float) for c in ("x0", "y0", "x1", "y1"))
            assert np.array_equal(x0[1:], x1[:-1]) and np.array_equal(y0[1:], y1[:-1])
            assert round(float(own["length_m"].sum()) / 1000, 1) == round(rl.length_km, 1)
            links[(cid, rl.index)] = (sorted(set(own["link"].astype(str))), len(own))
    assert links == {
        ("aras", 1): (["aghband-kalaleh"], 3),
        ("zangezur", 3): (["meghri"], 5),
        ("zangezur", 4): (["meghri"], 22),
        ("zangezur", 9): (["nakhchivan-dilucu"], 6),
        ("instc-west", 8): (["rasht-astara"], 89),
    }


def test_a_closure_reroutes_only_the_legs_that_use_the_closed_edge(network: Network) -> None:
    from corridors.network._graph import _CACHE

    btk = corridors.load("btk")
    _CACHE.clear()  # no leg memoised: the closure is routed as it stands
    far = route_corridor(btk, network, options=RoutingOptions(close_edges=(0,)))
    assert 0 not in set(far.pieces["edge"])
    _CACHE.clear()
    base = route_corridor(btk, network)
    # searched by plain Dijkstra, not the hierarchy (integer weights): the same to the metre
    assert [round(rl.length_km, 3) for rl in far.legs] == [
        round(rl.length_km, 3) for rl in base.legs
    ]
    # the first edge out of Tbilisi towards Marabda, on the only track into the station
    # from both sides: the legs either side of Tbilisi are cut (drawn, missing), their
    # neighbours keep their paths but not the access stretches dropped where they met
    # them; the other legs are the memoised ones, exactly (a search by plain Dijkstra
    # would differ in the last centimetres)
    leg4 = base.pieces[base.pieces["leg"] == 4]
    closed = int(leg4["edge"].iloc[1])
    assert closed >= 0
    r = route_corridor(btk, network, options=RoutingOptions(close_edges=(closed,)))
    assert closed not in set(r.pieces["edge"])
    changed = [i for i, (a, b) in enumerate(zip(base.legs, r.legs, strict=True)) if a != b]
    assert changed == [2, 3, 4, 5]
    assert [(rl.missing, rl.reason) for rl in r.legs[3:5]] == [
        (True, "no rail path on the network")
    ] * 2
    assert [round(rl.access_km, 3) for rl in r.legs[2:6:3]] == [0.026, 0.004]
