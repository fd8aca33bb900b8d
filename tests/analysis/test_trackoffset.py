"""Distance of routed lines from the OSM track: geodesic metres, real routes, exact figures."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod

import corridors
from corridors.analysis.trackoffset import (
    SAMPLE_M,
    _samples,
    _weighted,
    offsets_m,
    track_offset,
    track_offsets,
)
from corridors.network.core import Network
from corridors.routing import route_corridor, route_corridors
from tests.helpers import readme_prose

GEOD = Geod(ellps="WGS84")
TRACK = [shapely.LineString([(44.0, 41.0), (44.1, 41.0)])]


def test_a_point_50_m_north_of_a_track_is_50_m_from_it() -> None:
    lon, lat, _ = GEOD.fwd(44.05, 41.0, 0.0, 50.0)
    far_lon, far_lat, _ = GEOD.fwd(44.05, 41.0, 0.0, 2_600.0)
    east_lon, east_lat, _ = GEOD.fwd(44.1, 41.0, 90.0, 300.0)
    d = offsets_m([lon, far_lon, east_lon, 44.02], [lat, far_lat, east_lat, 41.0], lines=TRACK)
    assert d[0] == pytest.approx(50.0, abs=1e-6)
    assert math.isinf(d[1])  # beyond the layer's cover (2.5 km)
    assert d[2] == pytest.approx(300.0, abs=0.01)  # past the end: to the end point
    assert d[3] == 0.0


def test_a_point_nearer_to_a_second_way_takes_that_way() -> None:
    lines = [*TRACK, shapely.LineString([(44.05, 41.001), (44.06, 41.001)])]
    lon, lat, _ = GEOD.fwd(44.055, 41.0, 0.0, 100.0)
    (d,) = offsets_m([lon], [lat], lines=lines)
    _, _, to_second = GEOD.inv(lon, lat, 44.055, 41.001)
    assert d == pytest.approx(to_second, abs=1e-3) and d < 100.0


def test_weighted_quantiles() -> None:
    v, w = np.array([100.0, 0.0, 10.0]), np.array([8.0, 1.0, 1.0])
    assert _weighted(v, w, 0.5) == 100.0
    assert _weighted(v, w, 0.1) == 0.0
    assert _weighted(v, w, 0.15) == 10.0
    assert math.isnan(_weighted(np.array([]), np.array([]), 0.5))


def test_samples_cut_each_routed_rail_piece_and_leave_out_drawn_links(network: Network) -> None:
    r = route_corridor(corridors.load("zangezur"), network)
    p = r.pieces
    xs, ys, w = _samples(p)
    routed = (p["mode"].astype(str) == "rail") & ~p["missing"]
    assert round(float(w.sum()), 6) == round(float(p.loc[routed, "length_m"].sum()) / 1000, 6)
    n = np.maximum(1, np.ceil(p.loc[routed, "length_m"].to_numpy() / SAMPLE_M))
    assert xs.size == ys.size == int(n.sum())
    assert round(float(w.sum()), 1) == round(r.length_km - 49.4, 1) == 803.3


def test_routed_corridors_follow_the_osm_track_where_the_layer_covers_them(
    network: Network,
) -> None:
    """Issue 12's check: the routed line is within 30 m of the OSM track at the median."""
    btk = track_offset(route_corridor(corridors.load("btk"), network))
    assert btk.as_dict() == {
        "id": "btk",
        "rail_km": 832.9,
        "covered_km": 770.1,
        "median_m": 0.0,
        "p90_m": 1.8,
        "max_m": 2489.3,
    }
    rows = track_offsets(
        [route_corridor(corridors.load(c), network) for c in ("zangezur", "middle-corridor")]
    )
    got = {o.id: (round(o.covered_km, 1), round(o.median_m, 1), round(o.p90_m, 1)) for o in rows}
    assert got == {
        "zangezur": (792.5, 0.0, 0.8),
        "middle-corridor": (691.1, 0.0, 1.7),
        "all": (1483.7, 0.0, 1.4),
    }
    assert all(o.median_m <= 30.0 for o in rows)


def test_the_schematic_backbone_alone_runs_tens_to_hundreds_of_metres_off_the_track() -> None:
    """On the backbone alone (``--source bundled``) the measure shows the chords' offset."""
    from corridors.network.build import load_network

    bundled = load_network("bundled")
    o = track_offset(route_corridor(corridors.load("btk"), bundled))
    assert (round(o.covered_km, 1), round(o.median_m, 1), round(o.p90_m, 1)) == (757.1, 41.7, 609.6)
    assert (
        f"puts BTK a median {o.median_m:.1f} m and a p90 {o.p90_m:,.0f} m off the track"
    ) in readme_prose()


def test_the_readme_quotes_the_offsets_of_the_shipped_corridors(network: Network) -> None:
    # what `corridors fidelity` measures: every shipped corridor, as routed
    routes, _ = route_corridors(corridors.load_all(), network)
    whole = track_offsets(routes)[-1]
    assert whole.id == "all"
    assert (round(whole.covered_km, 1), round(whole.median_m, 1), round(whole.p90_m, 1)) == (
        4879.1,
        0.0,
        1.4,
    )
    assert (
        f"on the default network the median is {whole.median_m:.1f} m and the p90 "
        f"{whole.p90_m:.1f} m over {whole.covered_km:,.0f} covered km of the shipped corridors"
    ) in readme_prose()
