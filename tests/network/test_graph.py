"""Tests of ``corridors.network._graph``: edge attribute codes, the stored routing graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import corridors
from corridors.geo import boundaries
from corridors.network import _graph
from corridors.network.core import Network


def test_codes_of_a_categorical_match_the_value_by_value_lookup(network: Network) -> None:
    for column, vocabulary in (("mode", _graph.MODES), ("status", _graph.STATUSES)):
        values = network.edges[column]
        assert isinstance(values.dtype, pd.CategoricalDtype)
        lookup = {v: i for i, v in enumerate(vocabulary)}
        want = np.array([lookup.get(str(v), -1) for v in values], dtype=np.int8)
        got = _graph._codes(values, vocabulary)
        assert got.dtype == np.int8
        assert (got == want).all()
    assert set(_graph._codes(network.edges["mode"], _graph.MODES).tolist()) == {0, 1, 2, 3, 4}


def test_codes_give_minus_one_for_missing_and_unknown_values() -> None:
    values = pd.Series(pd.Categorical(["rail", None, "sea", "hovercraft", "rail"]))
    assert _graph._codes(values, _graph.MODES).tolist() == [0, -1, 3, -1, 0]
    assert _graph._codes(["road", "sea", "x"], _graph.MODES).tolist() == [1, 3, -1]


def test_the_routing_graph_is_stored_with_the_network_and_read_back(
    network: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from corridors.routing import _all_links

    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    links = _all_links()
    _graph._CACHE.pop(network, None)
    built = _graph.routing_graph(network, links)
    stored = list((tmp_path / "routing-graphs").iterdir())
    assert sorted(p.suffix for p in stored) == [".json", ".npz"]

    def no_build(*_: Any) -> None:
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(_graph, "_join_overlays", no_build)
    _graph._CACHE.pop(network, None)
    again = _graph.routing_graph(network, links)
    assert again is not built
    for name in _graph._ARRAYS:
        a, b = getattr(again, name), getattr(built, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert again.link_names == built.link_names and len(again.link_names) > 0
    assert again.n_network_edges == built.n_network_edges
    # stored as 64-bit node ids: read as views into the mapped entry (writable, private),
    # not converted copies
    for name in ("u", "v", "x", "length_m"):
        a = getattr(again, name)
        assert not a.flags.owndata and a.flags.writeable, name
    assert again.u.dtype == np.int64
    # other links are another graph: built, not read
    fewer = dict(list(links.items())[1:])
    _graph._CACHE.pop(network, None)
    with pytest.raises(AssertionError, match="built again"):
        _graph.routing_graph(network, fewer)
    _graph._CACHE.pop(network, None)


def test_a_network_without_a_cache_key_keeps_its_graph_in_memory_only(
    network: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    bare = Network(network.nodes, network.edges, {})
    _graph.routing_graph(bare, {})
    assert not (tmp_path / "routing-graphs").exists()


@pytest.fixture
def stored(network: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A routing graph built into an empty cache under ``tmp_path``, and its rail mask."""
    from corridors.routing import _all_links, _edge_mask

    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    _graph._CACHE.pop(network, None)
    g = _graph.routing_graph(network, _all_links())
    yield g, _edge_mask(g, ("rail",), ("operational",), set(), set(), False)
    _graph._CACHE.pop(network, None)


def test_the_snap_index_is_stored_with_the_graph_and_snaps_as_the_built_one(
    stored: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    g, mask = stored
    assert g.store_key
    tree, ids, comp_km = g.snap_index(("test-snap",), mask)
    assert len(list((tmp_path / "snap-indexes").glob("*.npz"))) == 1
    # the stored index is SciPy's own tree state: the same tree, the same answers
    monkeypatch.setattr(g, "_build_snap_index", lambda *_: pytest.fail("built again"))
    g._trees.clear()
    tree2, ids2, comp2 = g.snap_index(("test-snap",), mask)
    assert tree2 is not tree
    assert np.array_equal(ids2, ids) and np.array_equal(comp2, comp_km)
    rng = np.random.default_rng(7)
    pts = boundaries.sphere_xyz(rng.uniform(40.0, 50.0, 300), rng.uniform(38.0, 44.0, 300))
    for a, b in zip(tree.query(pts, k=16), tree2.query(pts, k=16), strict=True):
        assert np.array_equal(a, b)
    # the ids are the nodes of the masked edges, as np.unique gives them
    want = np.unique(np.concatenate([g.u[mask], g.v[mask]]))
    assert np.array_equal(ids, want)


def test_the_edge_index_is_stored_with_the_graph_and_snaps_as_the_built_one(
    stored: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    g, mask = stored
    tree, eids, comp_km = g.edge_index(("test-edges",), mask)
    assert len(list((tmp_path / "edge-indexes").glob("*.npz"))) == 1
    # a fresh graph reads it (no sampling, no tree, no snap index) and answers the same
    monkeypatch.setattr(g, "_build_edge_index", lambda *_: pytest.fail("built again"))
    g._edge_trees.clear()
    g._trees.clear()
    tree2, eids2, comp2 = g.edge_index(("test-edges",), mask)
    assert tree2 is not tree and not g._trees
    assert np.array_equal(eids2, eids) and np.array_equal(comp2, comp_km)
    assert eids2.dtype == np.int64 and not eids2.flags.owndata  # a view, not a copy
    rng = np.random.default_rng(11)
    pts = _graph.sphere_xyz(rng.uniform(40.0, 50.0, 300), rng.uniform(38.0, 44.0, 300))
    for a, b in zip(tree.query(pts, k=16), tree2.query(pts, k=16), strict=True):
        assert np.array_equal(a, b)
    # every masked edge has samples, and only masked edges; km of each edge's component
    assert np.array_equal(np.unique(eids), np.flatnonzero(mask))
    assert len(comp_km) == len(g.u) and (comp_km[~mask] == 0).all()
    assert (comp_km[mask] > 0).all()


def _haversine_m(lon: Any, lat: Any, x: Any, y: Any) -> Any:
    lon, lat, x, y = (np.radians(np.asarray(a, float)) for a in (lon, lat, x, y))
    h = np.sin((y - lat) / 2) ** 2 + np.cos(lat) * np.cos(y) * np.sin((x - lon) / 2) ** 2
    return 2 * boundaries.EARTH_RADIUS_M * np.arcsin(np.sqrt(h))


def test_the_snap_index_finds_the_great_circle_nearest_node(network: Network) -> None:
    """The node KD-tree ranks by great-circle metres (a lon·cos(lat) plane: 135 of 200 wrong)."""
    from corridors.routing import _all_links, _edge_mask

    g = _graph.routing_graph(network, _all_links())
    mask = _edge_mask(g, ("rail",), ("operational",), set(), set(), False)
    tree, ids = g.snap_tree(("test-nearest",), mask)
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(38.0, 72.0, 200), rng.uniform(36.0, 50.0, 200)
    _, idx = tree.query(boundaries.sphere_xyz(lon, lat))
    nx, ny = g.x[ids], g.y[ids]
    want = [ids[np.argmin(_haversine_m(a, b, nx, ny))] for a, b in zip(lon, lat, strict=True)]
    assert ids[idx].tolist() == [int(w) for w in want]
    first = _haversine_m(lon[0], lat[0], g.x[ids[idx[0]]], g.y[ids[idx[0]]]) / 1000
    assert (round(float(lon[0]), 2), round(float(lat[0]), 2), round(float(first), 1)) == (
        42.37,
        41.2,
        65.5,
    )
