"""The embedded default network, its storage and its cache."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

import corridors
from corridors.network._cache import load_entry
from corridors.network.build import load_network, region_bbox
from corridors.network.core import (
    Network,
    network_from_npz,
    network_info,
    network_to_gdfs,
    network_to_networkx,
    network_to_npz,
)
from corridors.network.sources import bundled as _bundled
from corridors.routing import route


def test_region_covers_every_definition() -> None:
    west, south, east, north = region_bbox()
    for c in corridors.load_all(variants=True):
        for wp in c.waypoints:
            assert west < wp.lon < east and south < wp.lat < north, wp.name


def test_bundled_network_has_every_mode(network: Network) -> None:
    info = network_info(network)
    km = info["km_by_mode"]
    assert km["rail"] > 100_000  # the corridor region's railways, from scgraph-data
    assert km["road"] > 300_000
    assert km["sea"] > 50_000
    assert km["ferry"] > 1_000
    assert info["bridged_km"] > 0
    assert info["repair"]["components_after"]["rail"] < info["repair"]["components_before"]["rail"]
    assert set(network.meta["sources"]) == {
        "osm-rail-road",
        "corridors-geodata",
        "marnet",
        "natural-earth",
    }
    assert network.meta["versions"]["scgraph-data"] == "2.0.0"


def test_every_edge_has_the_attributes(network: Network) -> None:
    e = network.edges
    for column in ("mode", "status", "gauge_mm", "length_m", "source", "bridged"):
        assert column in e.columns
    assert (e["length_m"] >= 0).all()
    assert (e.loc[e["mode"] != "transfer", "length_m"] > 0).all()
    rail = e[e["mode"] == "rail"]
    assert set(np.unique(rail["gauge_mm"])) <= {0, 1435, 1520, 1676}
    assert set(network.nodes["group"].astype(str)) == {"rail", "road", "water"}


def _gauge_near(network: Network, lon: float, lat: float) -> int:
    e = network.edges[network.edges["mode"] == "rail"]
    x, y = network.nodes["x"].to_numpy(), network.nodes["y"].to_numpy()
    d = np.hypot(x[e["u"]] - lon, y[e["u"]] - lat)
    return int(e["gauge_mm"].to_numpy()[np.argmin(d)])


def test_gauge_rules_and_exceptions(network: Network) -> None:
    assert _gauge_near(network, 49.84, 40.36) == 1520  # Baku
    assert _gauge_near(network, 51.39, 35.66) == 1435  # Tehran
    assert _gauge_near(network, 43.09, 40.60) == 1435  # Kars
    assert _gauge_near(network, 43.29, 40.86) == 1435  # BTK north of Kars
    assert _gauge_near(network, 44.80, 41.72) == 1520  # Tbilisi


@pytest.mark.parametrize("place", ["Tbilisi", "Kars", "Julfa", "Tehran"])
def test_key_cities_are_connected_by_rail_after_repair(network: Network, place: str) -> None:
    r = route("Baku", place, network, modes="rail")
    assert r.length_km > 100


def test_baku_to_astara_by_rail(network: Network) -> None:
    r = route("Baku", "Astara (AZE)", network, modes="rail")
    assert 200 < r.length_km < 450


def test_aktau_alat_by_sea_avoids_the_volga_don(network: Network) -> None:
    r = route("Port of Aktau", "Port of Baku (Alat)", network, modes="sea")
    assert 300 < r.length_km < 800
    west, south, east, north = _bundled.VOLGA_DON_BOX
    xs = np.r_[r.pieces["x0"], r.pieces["x1"]]
    ys = np.r_[r.pieces["y0"], r.pieces["y1"]]
    assert not ((xs > west) & (xs < east) & (ys > south) & (ys < north)).any()


def test_kuryk_alat_ferry_crosses_the_caspian_without_doubling_back(network: Network) -> None:
    # the network vertex nearest Kuryk lies to the north-west: before open-water approaches
    # every path went 70 km north first (612 km); the crossing is about 450-480 km
    r = route("Port of Kuryk", "Port of Baku (Alat)", network, modes="ferry")
    assert 420 < r.length_km < 500
    ys = np.r_[r.pieces["y0"], r.pieces["y1"]]
    assert ys.max() <= 43.17  # never north of Kuryk


def test_open_water_approaches_stay_over_water(network: Network) -> None:
    import shapely

    from corridors.geo import boundaries
    from corridors.network.build import PORT_COAST_SLACK_KM

    e = network.edges
    lines = e[e["name"].astype(str).str.endswith("open-water approach")]
    assert len(lines) > 10
    x, y = network.nodes["x"].to_numpy(), network.nodes["y"].to_numpy()
    u, v = lines["u"].to_numpy(), lines["v"].to_numpy()
    frac = PORT_COAST_SLACK_KM * 1000 / lines["length_m"].to_numpy()
    # either end may be the port: drop the slack at both ends
    x0, y0 = x[u] + (x[v] - x[u]) * frac, y[u] + (y[v] - y[u]) * frac
    x1, y1 = x[v] - (x[v] - x[u]) * frac, y[v] - (y[v] - y[u]) * frac
    segs = shapely.linestrings(np.stack([np.c_[x0, y0], np.c_[x1, y1]], axis=1))
    assert not boundaries.crosses_land(segs).any()
    # and the detector is real: a line across the Absheron peninsula touches land
    assert boundaries.crosses_land([shapely.LineString([(49.5, 40.7), (50.2, 40.2)])])[0]


def test_caspian_to_black_sea_only_when_volga_don_allowed(network: Network) -> None:
    from corridors.routing import RoutingOptions

    with pytest.raises(corridors.InfeasibleRouteError):
        route("Port of Aktau", "Port of Poti", network, modes="sea")
    r = route(
        "Port of Aktau",
        "Port of Poti",
        network,
        modes="sea",
        options=RoutingOptions(allow_volga_don=True),
    )
    assert r.length_km > 1000


def test_npz_round_trip(network: Network, tmp_path: Path) -> None:
    path = tmp_path / "net.npz"
    network_to_npz(network, path)
    back = network_from_npz(path)
    assert back.n_nodes == network.n_nodes and back.n_edges == network.n_edges
    np.testing.assert_allclose(back.edges["length_m"], network.edges["length_m"])
    assert (back.edges["mode"].astype(str) == network.edges["mode"].astype(str)).all()
    assert back.meta["bbox"] == network.meta["bbox"]


def test_gdfs_and_networkx_views() -> None:
    import pandas as pd

    from corridors.network.core import network_from_segments

    seg = pd.DataFrame(
        [{"x0": 45.0, "y0": 40.0, "x1": 45.1, "y1": 40.0, "mode": "rail", "source": "t"}]
    )
    net = network_from_segments(seg)
    _nodes, edges = network_to_gdfs(net)
    assert edges.crs == "EPSG:4326" and len(edges) == 1
    assert edges.geometry.iloc[0].length == pytest.approx(0.1)
    g = network_to_networkx(net)
    assert g.number_of_edges() == 2  # both directions, like osmnx
    assert g.edges[0, 1, 0]["length"] == pytest.approx(8538, rel=0.01)


def test_cache_detects_corruption_and_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    box = (44.0, 40.0, 46.0, 42.0)
    first = load_network(bbox=box, modes=("rail",), progress=False)
    files = list((tmp_path / "networks").glob("*.npz"))
    assert len(files) == 1
    assert not list((tmp_path / "networks").glob("*.tmp"))
    files[0].write_bytes(files[0].read_bytes()[:1000])  # truncate: a crash mid-write
    with caplog.at_level(logging.WARNING, logger="corridors"):
        again = load_network(bbox=box, modes=("rail",), progress=False)
    assert "corrupt" in caplog.text
    assert again.n_edges == first.n_edges
    key = again.meta["cache_key"]
    assert load_entry("networks", key, ".npz") is not None


def test_clear_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors.network.build import clear_cache

    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    (tmp_path / "networks").mkdir()
    (tmp_path / "networks" / "x.npz").write_bytes(b"x")
    assert clear_cache() == 1
    assert not list(tmp_path.rglob("*.npz"))


def test_segment_lengths_along_the_track_are_kept_never_below_the_chord() -> None:
    import pandas as pd

    from corridors.network.core import network_from_segments

    seg = pd.DataFrame(
        {
            "x0": [44.0, 44.1, 44.2],
            "y0": [41.0, 41.0, 41.0],
            "x1": [44.1, 44.2, 44.3],
            "y1": [41.0, 41.0, 41.0],
            "mode": "rail",
            "length_m": [12_000.0, 1.0, float("nan")],  # along track; too short; unknown
        }
    )
    net = network_from_segments(seg)
    e = net.edges.sort_values("u")
    chord = 8_413.5  # 0.1 degree of longitude at 41 N on WGS 84, in metres
    assert e["length_m"].to_numpy() == pytest.approx([12_000.0, chord, chord], abs=0.1)
    assert e["length_source"].astype(str).tolist() == ["track", "track", "geodesic"]


def test_bundled_rail_lengths_are_along_the_track(network: Network) -> None:
    e = network.edges
    rail = e[e["mode"] == "rail"]
    source = rail["source"].astype(str)
    backbone = rail[source.str.startswith("scgraph-data")]
    track = backbone[backbone["length_source"] == "track"]
    assert len(track) / len(backbone) > 0.99  # scgraph edges keep its along-track length
    # the OSM layer's edges are its ways' own vertex-to-vertex segments: real track, geodesic
    layer = rail[source.str.startswith("osm-layer")]
    assert len(layer) > len(backbone) / 2
    assert set(layer["length_source"].astype(str)) == {"geodesic"}
    assert set(e.loc[e["mode"] == "sea", "length_source"].astype(str)) == {"geodesic"}
    assert set(e.loc[e["bridged"], "length_source"].astype(str)) == {"geodesic"}
