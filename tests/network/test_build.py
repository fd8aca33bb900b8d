"""Tests of ``corridors.network.build``: the region box and the cache key made from it."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest

from corridors.definitions._load import load, load_all
from corridors.model import Corridor
from corridors.network.build import BUNDLED_MODES, _bundled_key, network_from_bundled, region_bbox
from corridors.network.core import Network
from corridors.routing import Route, route

_M_PER_DEG = 111_320.0


def _moved(corridor: Corridor, index: int, *, east_m: float, north_m: float) -> Corridor:
    """The corridor with waypoint ``index`` moved by the given metres."""
    wp = corridor.waypoints[index]
    lat = wp.lat + north_m / _M_PER_DEG
    lon = wp.lon + east_m / (_M_PER_DEG * math.cos(math.radians(wp.lat)))
    waypoints = list(corridor.waypoints)
    waypoints[index] = dataclasses.replace(wp, lon=lon, lat=lat)
    return dataclasses.replace(corridor, waypoints=tuple(waypoints))


def _key(corridors: list[Corridor]) -> str:
    return _bundled_key(region_bbox(corridors), BUNDLED_MODES, True)


def test_shipped_region_is_snapped_to_whole_degrees() -> None:
    box = region_bbox()
    assert box == (25.0, 15.0, 84.0, 59.0)
    xs = [w.lon for c in load_all(variants=True) for w in c.waypoints]
    ys = [w.lat for c in load_all(variants=True) for w in c.waypoints]
    west, south, east, north = box
    # At least the 3 degree margin on every side, at most one degree more.
    assert 3.0 <= min(xs) - west < 4.0 and 3.0 <= east - max(xs) < 4.0
    assert 3.0 <= min(ys) - south < 4.0 and 3.0 <= north - max(ys) < 4.0


def test_moving_the_outermost_waypoints_by_15_m_keeps_the_cache_key() -> None:
    corridors = list(load_all(variants=True))
    before = _key(corridors)
    points = [(ci, wi, w) for ci, c in enumerate(corridors) for wi, w in enumerate(c.waypoints)]
    extremes = {
        min(points, key=lambda p: p[2].lon)[:2],
        max(points, key=lambda p: p[2].lon)[:2],
        min(points, key=lambda p: p[2].lat)[:2],
        max(points, key=lambda p: p[2].lat)[:2],
    }
    for ci, wi in extremes:
        for east_m, north_m in ((15, 0), (-15, 0), (0, 15), (0, -15)):
            edited = list(corridors)
            edited[ci] = _moved(corridors[ci], wi, east_m=east_m, north_m=north_m)
            assert _key(edited) == before, (corridors[ci].id, wi, east_m, north_m)


def test_a_move_across_a_rounding_step_keeps_the_key() -> None:
    # BTK alone, its western end placed 10 m east of a 0.001 degree step after the margin:
    # a 15 m move west crosses that step, which changed the old rounded box and key.
    btk = load("btk")
    lons = [w.lon for w in btk.waypoints]
    west_i = lons.index(min(lons))
    wp = btk.waypoints[west_i]
    metre = 1.0 / (_M_PER_DEG * math.cos(math.radians(wp.lat)))
    placed_lon = math.floor(wp.lon * 1000) / 1000 + 0.0005 + 10 * metre
    waypoints = list(btk.waypoints)
    waypoints[west_i] = dataclasses.replace(wp, lon=placed_lon)
    placed = dataclasses.replace(btk, waypoints=tuple(waypoints), legs=())
    moved = _moved(placed, west_i, east_m=-15, north_m=0)
    assert round(placed_lon - 3.0, 3) != round(moved.waypoints[west_i].lon - 3.0, 3)
    assert region_bbox([placed]) == region_bbox([moved])
    assert _key([placed]) == _key([moved])


def test_a_move_across_a_whole_degree_changes_the_key() -> None:
    btk = load("btk")
    lons = [w.lon for w in btk.waypoints]
    west_i = lons.index(min(lons))
    wp = btk.waypoints[west_i]
    metre = 1.0 / (_M_PER_DEG * math.cos(math.radians(wp.lat)))
    waypoints = list(btk.waypoints)
    waypoints[west_i] = dataclasses.replace(wp, lon=math.floor(wp.lon) + 10 * metre)
    placed = dataclasses.replace(btk, waypoints=tuple(waypoints), legs=())
    moved = _moved(placed, west_i, east_m=-15, north_m=0)
    assert region_bbox([placed])[0] == region_bbox([moved])[0] + 1.0
    assert _key([placed]) != _key([moved])


#: Gazetteer places across the region, the issue's Svilengrad and Sadakhlo among them.
#: Every rail route between two of them stays inside the region; with the old whole-network
#: repair 27 of these 66 pairs ran otherwise in the doubled box (on main at ca05859: Svilengrad -
#: Sadakhlo 2,280 km through Türkiye, 5,879 km through Poland and Russia).
_PLACES = (
    "Svilengrad",
    "Sadakhlo",
    "Istanbul",
    "Arpaçay",
    "Constanța",
    "Barda",
    "Mersin",
    "Tehran",
    "Volgograd",
    "Aktau",
    "Almaty",
    "Tashkent",
)


def _countries(r: Route) -> list[str]:
    seq: list[str] = []
    for a, b in zip(
        r.pieces["country0"].astype(str), r.pieces["country1"].astype(str), strict=True
    ):
        for c in (a, b):
            if c and (not seq or seq[-1] != c):
                seq.append(c)
    return seq


@pytest.fixture(scope="module")
def region_and_double() -> tuple[Network, Network]:
    """Rail of the region box and of a box twice as wide and as tall around its centre."""
    west, south, east, north = region_bbox()
    cx, cy, w, h = (west + east) / 2, (south + north) / 2, east - west, north - south
    double = (cx - w, max(cy - h, -90.0), cx + w, min(cy + h, 90.0))
    nets = [
        network_from_bundled(bbox=box, modes=("rail",), progress=False, osm_layer=True)
        for box in ((west, south, east, north), double)
    ]
    return nets[0], nets[1]


@pytest.mark.slow
def test_rail_routes_inside_the_region_do_not_depend_on_the_extent(
    region_and_double: tuple[Network, Network],
) -> None:
    region, double = region_and_double
    assert double.n_edges > 2 * region.n_edges
    west, south, east, north = region_bbox()
    pairs = list(itertools.combinations(_PLACES, 2))
    assert len(pairs) == 66
    leaves = set()
    for a, b in pairs:
        small, large = route(a, b, region, modes="rail"), route(a, b, double, modes="rail")
        p = large.pieces
        if not (p["x0"].between(west, east).all() and p["y0"].between(south, north).all()):
            # with Russia-Ukraine closed, the shortest way from the Black Sea's west shore
            # into Russia runs by Poland and Belarus, outside the region: the region's
            # network then routes round by Türkiye and Georgia, longer
            assert _countries(large)[:3] in (["BGR", "ROU", "UKR"], ["ROU", "UKR", "POL"])
            assert small.length_km > large.length_km, (a, b)
            leaves.add((a, b))
            continue
        assert abs(small.length_km - large.length_km) < 0.001, (a, b)
        assert _countries(small) == _countries(large), (a, b)
    assert leaves == {
        ("Svilengrad", "Volgograd"),
        ("Constanța", "Tehran"),
        ("Constanța", "Volgograd"),
        ("Constanța", "Aktau"),
        ("Constanța", "Almaty"),
        ("Constanța", "Tashkent"),
    }
    sadakhlo = route("Svilengrad", "Sadakhlo", double, modes="rail")
    assert _countries(sadakhlo) == ["BGR", "TUR", "GEO"]
    assert sadakhlo.length_km == pytest.approx(2281.269, abs=0.001)


def test_the_readme_quotes_the_default_networks_size(network) -> None:  # type: ignore[no-untyped-def]
    import pickle

    from tests.helpers import readme_prose

    assert (network.n_nodes, network.n_edges) == (185987, 239429)
    mb = len(pickle.dumps(network)) / 1e6
    assert (
        f"a worker holds the network ({network.n_nodes:,} nodes and {network.n_edges:,} edges "
        f"here, {mb:.1f} MB pickled)"
    ) in readme_prose()


#: The box of the Georgia – Türkiye rail border, Akhalkalaki to Kars.
KARTSAKHI_BOX = (42.5, 40.3, 44.0, 41.8)
#: scgraph-data's two straight edges for the Baku – Tbilisi – Kars line in that box.
BTK_CHORDS = {(43.477, 41.329, 43.287, 40.864), (43.287, 40.864, 43.19, 40.661)}


def _rows(frame: object) -> set[tuple[float, ...]]:
    return set(frame[["x0", "y0", "x1", "y1"]].itertuples(index=False, name=None))  # type: ignore[index]


def test_the_backbones_straight_btk_edges_give_way_to_the_added_line() -> None:
    from corridors._errors import DataSourceError
    from corridors.network.build import _drop_superseded
    from corridors.network.sources.bundled import scgraph_segments

    part = scgraph_segments("rail", KARTSAKHI_BOX)
    assert _rows(part) >= BTK_CHORDS
    kept = _drop_superseded(part, "rail", KARTSAKHI_BOX)
    # the two chords, and the 3 km edge past Kars station that the line through it replaces
    assert _rows(part) - _rows(kept) == BTK_CHORDS | {(43.097, 40.595, 43.118, 40.617)}
    assert len(kept) == len(part) - 3
    # only the backbone's own edges go: segments of another source on the same nodes stay,
    # so the backbone's edges are missing
    other = part.assign(source="geodata:network_additions")
    with pytest.raises(DataSourceError, match="does not have"):
        _drop_superseded(other, "rail", KARTSAKHI_BOX)
    # and the road network has no superseded edges
    road = scgraph_segments("road", KARTSAKHI_BOX)
    assert _drop_superseded(road, "road", KARTSAKHI_BOX) is road


def test_a_superseded_edge_the_backbone_lacks_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corridors._errors import DataSourceError
    from corridors.geo import geodata
    from corridors.network.build import _drop_superseded
    from corridors.network.sources.bundled import scgraph_segments

    typo = geodata.Addition(
        name="BTK",
        mode="rail",
        status="operational",
        gauge_mm=1435,
        coords=((43.477, 41.329), (43.19, 40.661)),
        supersedes=((43.477, 41.329), (43.288, 40.864)),
    )
    monkeypatch.setattr(geodata, "network_additions", lambda: (typo,))
    part = scgraph_segments("rail", KARTSAKHI_BOX)
    with pytest.raises(DataSourceError) as err:
        _drop_superseded(part, "rail", KARTSAKHI_BOX)
    assert str(err.value) == (
        "geodata/network_additions.yaml: BTK: supersedes the rail edge [43.477, 41.329] - "
        "[43.288, 40.864], which the embedded network (scgraph-data) does not have; correct "
        "the nodes or remove them"
    )
    # an edge outside the region being built is not looked for
    assert len(_drop_superseded(part, "rail", (44.0, 41.0, 45.0, 42.0))) == len(part)


def test_the_default_network_crosses_into_turkiye_by_rail_only_at_kartsakhi(
    network,  # type: ignore[no-untyped-def]
) -> None:
    # with the backbone's chords there were two rail crossings, the second 20 km west of
    # the real border point, on no station; now the one OSM track at Kartsakhi
    import numpy as np

    from corridors.network._graph import MODES, routing_graph
    from corridors.routing import crossing_names

    graph = routing_graph(network)
    cu, cv = graph.country[graph.u], graph.country[graph.v]
    rail = graph.mode == MODES.index("rail")
    pair = ((cu == "GEO") & (cv == "TUR")) | ((cu == "TUR") & (cv == "GEO"))
    tur_geo = np.flatnonzero(rail & pair)
    assert [crossing_names(graph).get(int(e)) for e in tur_geo] == ["Kartsakhi"]
    # and the chords' middle node, on no line of its own, is gone
    nodes = network.nodes
    assert not ((nodes["x"] == 43.287) & (nodes["y"] == 40.864)).any()
