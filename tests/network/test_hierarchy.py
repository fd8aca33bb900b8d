"""The contraction hierarchy answers as the plain Dijkstra search does (the reference)."""

from __future__ import annotations

import functools
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import corridors
from corridors.network import _hierarchy
from corridors.network._graph import RoutingGraph, routing_graph
from corridors.network._hierarchy import Topology, build_topology, load_topology
from corridors.network.core import Network
from corridors.routing import _all_links, _avoid_masks, _edge_mask

# a junction 0 with a chain 0-1-2-3-4 (to junction 4), a long edge 0-4, a spur 4-5-6, an
# edge 0-10, a ring 7-8-9 of degree-2 nodes only, and between 11 and 12 two parallel edges
# of equal length stored in opposite directions, hung off 10 by 10-11 and 12-13
_TINY = [
    (0, 1, 1.0),
    (1, 2, 1.0),
    (2, 3, 1.0),
    (3, 4, 1.0),
    (0, 4, 10.0),
    (4, 5, 2.0),
    (5, 6, 2.0),
    (0, 10, 1.0),
    (7, 8, 1.0),
    (8, 9, 1.0),
    (9, 7, 1.0),
    (10, 11, 1.0),
    (11, 12, 3.0),
    (12, 11, 3.0),
    (12, 13, 1.0),
]


def _graph(edges: list[tuple[int, int, float]]) -> RoutingGraph:
    n = 1 + max(max(a, b) for a, b, _ in edges)
    m = len(edges)
    return RoutingGraph(
        x=np.linspace(40.0, 41.0, n),
        y=np.linspace(40.0, 40.5, n),
        country=np.full(n, "GEO"),
        u=np.array([a for a, _, _ in edges], dtype=np.int64),
        v=np.array([b for _, b, _ in edges], dtype=np.int64),
        length_m=np.array([w for _, _, w in edges]),
        mode=np.zeros(m, np.int8),
        status=np.zeros(m, np.int8),
        gauge_mm=np.zeros(m, np.int16),
        bridged=np.zeros(m, bool),
        volga_don=np.zeros(m, bool),
        closed=np.zeros(m, bool),
        schematic=np.zeros(m, bool),
        link=np.full(m, -1, np.int16),
        link_names=(),
        n_network_edges=m,
    )


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RoutingGraph:
    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    return _graph(_TINY)


def _fast(g: RoutingGraph, mask: Any, s: int, t: int) -> Any:
    return g.fast_path(("test", mask.tobytes()), mask, g.length_m, s, t, modes=("rail",))


@pytest.mark.parametrize(
    ("s", "t", "nodes", "edges"),
    [
        (1, 3, [1, 2, 3], [1, 2]),
        (3, 1, [3, 2, 1], [2, 1]),
        (1, 6, [1, 2, 3, 4, 5, 6], [1, 2, 3, 5, 6]),
        (6, 2, [6, 5, 4, 3, 2], [6, 5, 3, 2]),
        (2, 10, [2, 1, 0, 10], [1, 0, 7]),
        (0, 4, [0, 1, 2, 3, 4], [0, 1, 2, 3]),
        (8, 9, [8, 9], [9]),
        (7, 9, [7, 9], [10]),
        (5, 5, [5], []),
        # equal parallel edges: the one stored in the direction of travel, as the reference
        (11, 12, [11, 12], [12]),
        (12, 11, [12, 11], [13]),
        (13, 1, [13, 12, 11, 10, 0, 1], [14, 13, 11, 7, 0]),
    ],
)
def test_tiny_graph_paths_are_the_reference_paths(
    tiny: RoutingGraph, s: int, t: int, nodes: list[int], edges: list[int]
) -> None:
    mask = np.ones(len(tiny.u), dtype=bool)
    found = _fast(tiny, mask, s, t)
    assert found is not None
    assert (list(found[0]), list(found[1])) == (nodes, edges)
    ref = tiny.shortest_path(("ref",), mask, tiny.length_m, s, t)
    assert ref is not None and (list(ref[0]), list(ref[1])) == (nodes, edges)


@pytest.mark.parametrize(
    ("sources", "targets", "want"),
    [
        # each start counts its initial cost: from 1 (5 + 2) rather than 3 (20 + 4)
        (((1, 5.0), (3, 20.0)), ((10, 0.0),), ([1, 0, 10], 1, 10)),
        (((1, 5.0), (3, 0.5)), ((10, 0.0),), ([3, 2, 1, 0, 10], 3, 10)),
        # the nearer of two targets, one a junction (2 + 0.25), one on the chain (1 + 1.5)
        (((2, 0.0),), ((4, 0.25), (1, 1.5)), ([2, 3, 4], 2, 4)),
        # two targets on the source's chain: the way along it (1 + 0.1), no search needed
        (((2, 0.0),), ((3, 1.0), (1, 0.1)), ([2, 1], 2, 1)),
        # a source that is a target
        (((5, 1.0), (6, 0.0)), ((6, 0.5), (4, 3.0)), ([6], 6, 6)),
    ],
)
def test_one_search_from_several_sources_to_several_targets(
    tiny: RoutingGraph,
    sources: tuple[tuple[int, float], ...],
    targets: tuple[tuple[int, float], ...],
    want: tuple[list[int], int, int],
) -> None:
    mask = np.ones(len(tiny.u), dtype=bool)
    found = tiny.fast_path_between(
        ("test-between",), mask, tiny.length_m, sources, targets, modes=("rail",)
    )
    assert found is not None
    (nodes, _), s, t = found
    assert (list(nodes), s, t) == want
    # the same as the cheapest of the pairs searched one by one (the previous engine)
    monkey = pytest.MonkeyPatch()
    monkey.setattr(_hierarchy, "available", lambda: False)
    try:
        slow = tiny.fast_path_between(("test-pairs",), mask, tiny.length_m, sources, targets)
    finally:
        monkey.undo()
    assert slow is not None and (list(slow[0][0]), slow[1], slow[2]) == want


def test_a_masked_edge_cuts_its_chain_and_the_way_along_it(tiny: RoutingGraph) -> None:
    mask = np.ones(len(tiny.u), dtype=bool)
    mask[2] = False  # 2-3, inside the chain 0-1-2-3-4
    found = _fast(tiny, mask, 1, 3)
    assert found is not None
    # the chain is cut: out to 0, the long edge to 4, back to 3
    assert list(found[0]) == [1, 0, 4, 3]
    assert list(found[1]) == [0, 4, 3]
    assert tiny.length_m[found[1]].sum() == 12.0
    # a closed spur leaves 6 unreachable, as in the reference
    mask[5] = False
    assert _fast(tiny, mask, 6, 1) is None
    assert tiny.shortest_path(("ref", 2), mask, tiny.length_m, 6, 1) is None


def test_a_masked_parallel_edge_leaves_its_twin(tiny: RoutingGraph) -> None:
    mask = np.ones(len(tiny.u), dtype=bool)
    mask[12] = False
    found = _fast(tiny, mask, 11, 12)
    assert found is not None and list(found[1]) == [13]


def test_unreachable_and_unknown_nodes_are_none(tiny: RoutingGraph) -> None:
    mask = np.ones(len(tiny.u), dtype=bool)
    assert _fast(tiny, mask, 1, 8) is None
    mask[[8, 9, 10]] = False  # the whole ring: its nodes are on no usable edge
    assert _fast(tiny, mask, 8, 1) is None


def test_topology_is_cached_content_hashed_and_read_back(
    tiny: RoutingGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sel = np.ones(len(tiny.u), dtype=bool)
    built = load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    files = sorted(p.name for p in (tmp_path / "hierarchies").iterdir())
    assert len(files) == 2 and files[1] == files[0] + ".json"

    def no_build(*_: Any) -> Topology:
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(_hierarchy, "build_topology", no_build)
    again = load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    for name in ("junction_node", "chain_of", "pos_of", "slot_group", "arc_chain", "order"):
        assert np.array_equal(getattr(again, name), getattr(built, name))
    assert again.n_fwd == built.n_fwd and again.n_nodes == built.n_nodes
    # stored as 64-bit integers: read as views into the mapped entry, not converted copies
    assert again.slot_head.dtype == np.int64 and not again.slot_head.flags.owndata
    # another edge set is another entry
    sel[14] = False
    with pytest.raises(AssertionError, match="built again"):
        load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)


def test_a_corrupt_cached_topology_is_rebuilt(
    tiny: RoutingGraph, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sel = np.ones(len(tiny.u), dtype=bool)
    first = load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    data = next(p for p in (tmp_path / "hierarchies").iterdir() if p.suffix == ".npz")
    data.write_bytes(b"not an npz")
    again = load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    assert "corrupt" in caplog.text
    assert np.array_equal(again.order, first.order)


def test_a_bit_flipped_in_a_cached_topology_is_refused_and_rebuilt(
    tiny: RoutingGraph,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import zipfile

    sel = np.ones(len(tiny.u), dtype=bool)
    first = load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    data = next(p for p in (tmp_path / "hierarchies").iterdir() if p.suffix == ".npz")
    good = data.read_bytes()
    with zipfile.ZipFile(data) as zf:  # the last byte of the order's data
        info = zf.getinfo("order.npy")
    n_name = int.from_bytes(good[info.header_offset + 26 : info.header_offset + 28], "little")
    n_extra = int.from_bytes(good[info.header_offset + 28 : info.header_offset + 30], "little")
    at = info.header_offset + 30 + n_name + n_extra + info.file_size - 1
    bad = bytearray(good)
    bad[at] ^= 0x01
    data.write_bytes(bytes(bad))
    again = load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    assert "corrupt" in caplog.text
    assert np.array_equal(again.order, first.order)
    assert data.read_bytes() == good  # rebuilt and stored again
    assert data.with_name(data.name + ".corrupt").read_bytes() == bytes(bad)

    def no_build(*_: Any) -> Topology:
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(_hierarchy, "build_topology", no_build)
    assert np.array_equal(load_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y).order, first.order)


def test_a_ring_alone_needs_no_hierarchy(tiny: RoutingGraph) -> None:
    ring = _graph([(0, 1, 1.0), (1, 2, 2.0), (2, 0, 4.0)])
    mask = np.ones(3, dtype=bool)
    assert ring.topology(("rail",)).n_fwd == 0
    for s, t, want in ((1, 2, [1]), (0, 2, [0, 1]), (2, 0, [1, 0]), (1, 0, [0])):
        found = _fast(ring, mask, s, t)
        assert found is not None and list(found[1]) == want, (s, t)
    mask[0] = False
    found = _fast(ring, mask, 1, 0)
    assert found is not None and list(found[1]) == [1, 2]


def test_chains_are_contracted(tiny: RoutingGraph) -> None:
    sel = np.ones(len(tiny.u), dtype=bool)
    topo = build_topology(tiny.u, tiny.v, sel, tiny.x, tiny.y)
    # junctions: 0 and 4 (three neighbours), the dead ends 6 and 13, one node of the ring
    assert list(topo.junction_node) == [0, 4, 6, 7, 13]
    # chains: 0-1-2-3-4, 0-4, 4-5-6, 0-10-11-12-13 (over a group of two edges), the ring
    assert np.diff(topo.eptr).tolist() == [4, 1, 4, 2, 3]
    assert topo.chain_of[2] == 0 and topo.pos_of[2] == 2
    assert topo.chain_of[12] == 2 and topo.pos_of[12] == 3
    # the ring's chain goes back to its own junction and gets no arc
    assert sorted(topo.arc_chain.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]


# --- the regional network: same lengths as the reference on thousands of pairs ------------


def _rail(network: Network) -> tuple[RoutingGraph, Any, np.ndarray]:
    g = routing_graph(network, _all_links())
    mask = _edge_mask(g, ("rail",), ("operational",), set(), set(), False)
    return g, mask, np.unique(np.concatenate([g.u[mask], g.v[mask]]))


def test_the_scale_is_the_undirected_searchs_on_the_regional_rail(network: Network) -> None:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components, dijkstra

    g = routing_graph(network, _all_links())
    topo = g.topology(("rail",))
    for mask in (
        _edge_mask(g, ("rail",), ("operational",), set(), set(), False),
        g.mode_mask(("rail",)),
    ):
        m = topo.customize(mask, g.length_m)
        lo, hi = topo.eptr[:-1], topo.eptr[1:]
        cost = m.prefix[hi] - m.prefix[lo]
        arc_cost = np.where(m.nblock[hi] == m.nblock[lo], cost, np.inf)[topo.arc_chain]
        # the bound as it was computed before: SciPy's undirected search
        ok = np.isfinite(arc_cost)
        tail, head = topo.arcs()
        n = topo.n_junctions
        w = np.maximum(arc_cost[ok], 1e-9)
        a = csr_matrix((w, (tail[ok], head[ok])), shape=(n, n))
        _, labels = connected_components(a, directed=False)
        roots = np.unique(labels, return_index=True)[1]
        dist = dijkstra(a, directed=False, indices=roots, min_only=True)
        ecc = float(np.max(dist[np.isfinite(dist)]))
        want = (_hierarchy.INF_WEIGHT - 2) / ((2.0 * ecc + 2.0 * cost.max()) * 1.001 + 1.0)
        assert m.scale == want  # exactly: the same integer weights as before
        assert (a != a.T).nnz == 0


def _gazetteer_nodes(g: RoutingGraph, mask: Any) -> list[int]:
    from corridors.geo import geodata

    tree, ids = g.snap_tree(("test-gazetteer",), mask)
    pts = [(p.lon, p.lat) for p in geodata.places()]
    from corridors.geo.boundaries import sphere_xyz

    _, idx = tree.query(sphere_xyz([p[0] for p in pts], [p[1] for p in pts]))
    return sorted({int(ids[i]) for i in np.atleast_1d(idx)})


def _agree(g: RoutingGraph, key: str, mask: Any, pairs: list[tuple[int, int]]) -> tuple[int, int]:
    """Assert equal lengths (to 1 m) and reachability; return (pairs with a path, same paths)."""
    found = same = 0
    for s, t in pairs:
        bound = 3.0 * float(np.hypot(g.x[s] - g.x[t], g.y[s] - g.y[t])) * 111_320.0 + 300_000.0
        ref = g.shortest_path(("ref", key), mask, g.length_m, s, t, limit=bound)
        fast = g.fast_path(("cch", key), mask, g.length_m, s, t, modes=("rail",))
        assert (ref is None) == (fast is None), (s, t)
        if ref is None or fast is None:
            continue
        found += 1
        nodes, edges = fast
        assert nodes[0] == s and nodes[-1] == t
        assert mask[np.asarray(edges, dtype=np.int64)].all()
        uu, vv = g.u[edges], g.v[edges]
        a, b = np.asarray(nodes[:-1]), np.asarray(nodes[1:])
        assert (((uu == a) & (vv == b)) | ((uu == b) & (vv == a))).all()
        assert abs(g.length_m[edges].sum() - g.length_m[ref[1]].sum()) <= 1.0, (s, t)
        same += list(edges) == list(ref[1])
    return found, same


def test_same_lengths_as_the_reference_on_random_and_gazetteer_pairs(network: Network) -> None:
    g, mask, nodes = _rail(network)
    rng = random.Random(17)
    pairs = [(int(rng.choice(nodes)), int(rng.choice(nodes))) for _ in range(1000)]
    places = _gazetteer_nodes(g, mask)
    pairs += [(a, b) for a in places for b in places if a != b][::3][:1000]
    assert len(pairs) == 2000
    found, same = _agree(g, "plain", mask, pairs)
    assert found > 0.8 * len(pairs)
    # Paths differ only between alternatives of equal length: the network has many an edge
    # beside a two-edge detour of exactly the same whole metres, where the float search
    # keeps whichever its summation order happens to favour; the lengths still agree.
    assert 0 < same < found


def test_same_lengths_as_the_reference_under_an_avoid(network: Network) -> None:
    g, mask, nodes = _rail(network)
    _, bad = _avoid_masks(g, ("ARM",))
    avoid = mask & ~bad
    assert int((mask & bad).sum()) > 0
    rng = random.Random(5)
    pairs = [(int(rng.choice(nodes)), int(rng.choice(nodes))) for _ in range(600)]
    found, _ = _agree(g, "avoid-ARM", avoid, pairs)
    assert found > 0.5 * len(pairs)


def test_same_lengths_as_the_reference_under_closures(network: Network) -> None:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g, mask, _ = _rail(network)
    # nodes of the largest connected stretch of line: random nodes are often on fragments
    n = g.n_nodes
    adj = coo_matrix((np.ones(int(mask.sum())), (g.u[mask], g.v[mask])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    used = np.unique(np.concatenate([g.u[mask], g.v[mask]]))
    big = np.bincount(labels[used]).argmax()
    nodes = used[labels[used] == big]
    rng = random.Random(9)
    pairs = [(int(rng.choice(nodes)), int(rng.choice(nodes))) for _ in range(600)]
    # close every edge of the first 40 reference paths' middles: the lines really used
    closed = mask.copy()
    for s, t in pairs[:40]:
        ref = g.shortest_path(("ref", "plain"), mask, g.length_m, s, t)
        if ref is not None and len(ref[1]) > 4:
            closed[ref[1][len(ref[1]) // 2]] = False
    assert int((mask & ~closed).sum()) >= 20
    found, _ = _agree(g, "closed", closed, pairs)
    # the closures cut the largest stretch into pieces (85 of the 600 pairs keep a path on
    # the default network); what is checked is that both searches agree on every pair
    assert found >= 50


def test_routes_match_the_previous_engine(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.geo import geodata
    from corridors.routing import route

    names = [p.name for p in geodata.places()][:40]
    pairs = list(zip(names[::2], names[1::2], strict=True))

    def lengths() -> list[float | None]:
        out: list[float | None] = []
        for a, b in pairs:
            try:
                r = route(a, b, network, modes="rail")
            except corridors.CorridorsError:
                out.append(None)
                continue
            lazy_km = r.length_km  # before the table exists
            back = pickle.loads(pickle.dumps(r))  # the table travels, not the routing graph
            assert back.length_km == lazy_km and len(back.pieces) == len(r.pieces)
            assert r.length_km == float(r.pieces["length_m"].sum()) / 1000.0 == lazy_km
            assert r.legs[0].length_km == r.length_km
            out.append(r.length_km)
        return out

    new = lengths()
    monkeypatch.setattr(_hierarchy, "available", lambda: False)
    old = lengths()
    assert [x is None for x in new] == [x is None for x in old]
    assert sum(x is not None for x in new) >= 10
    for x, y in zip(new, old, strict=True):
        if x is not None and y is not None:
            assert abs(x - y) * 1000.0 <= 1.0


class _Worker:
    """A thread that runs the calls it is given, one at a time, and stays alive between them.

    As a Dask worker's executor thread: it makes and uses the queries, while another thread
    (the worker's event loop, releasing the network) drops the last reference to them.
    """

    def __init__(self) -> None:
        import queue
        import threading

        self.calls: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while (call := self.calls.get()) is not None:
            func, out = call
            del call  # keep no reference to the call's objects between calls
            try:
                result = (True, func())
            except BaseException as exc:  # handed back to the caller
                result = (False, exc)
            del func
            out.put(result)

    def run(self, func: Any) -> Any:
        import queue

        out: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self.calls.put((func, out))
        ok, value = out.get(timeout=60)
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        self.calls.put(None)
        self.thread.join(timeout=60)


def _unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages of the exceptions Python could not raise (a drop on the wrong thread)."""
    import sys

    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(f"{u.exc_value}"))
    return seen


def _path(found: Any) -> tuple[list[int], list[int]]:
    assert found is not None
    return list(found[0]), list(found[1])


def test_a_query_made_on_one_thread_is_dropped_on_that_thread(
    tiny: RoutingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    seen = _unraisable(monkeypatch)
    mask = np.ones(len(tiny.u), dtype=bool)
    metric = tiny.topology(("rail",)).customize(mask, tiny.length_m)
    here = _hierarchy.live_queries()  # of other tests' metrics, still alive
    worker = _Worker()
    try:
        assert _path(worker.run(functools.partial(metric.query, 1, 6))) == (
            [1, 2, 3, 4, 5, 6],
            [1, 2, 3, 5, 6],
        )
        assert _hierarchy.live_queries() == here  # this thread made none
        assert worker.run(_hierarchy.live_queries) == 1
        del metric  # the last reference goes on this thread, not the worker's
        gc.collect()
        assert seen == []
        # the worker drops its query at its next search (here on another metric)
        other = tiny.topology(("rail",)).customize(mask, tiny.length_m)
        assert _path(worker.run(functools.partial(other.query, 6, 2))) == (
            [6, 5, 4, 3, 2],
            [6, 5, 3, 2],
        )
        assert worker.run(_hierarchy.live_queries) == 1
        del other
        gc.collect()
    finally:
        worker.stop()
    # a thread that ends drops the queries it still holds, on itself
    assert seen == []


def test_threads_share_a_metric_each_with_its_own_query(
    tiny: RoutingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _unraisable(monkeypatch)
    mask = np.ones(len(tiny.u), dtype=bool)
    metric = tiny.topology(("rail",)).customize(mask, tiny.length_m)
    want = ([13, 12, 11, 10, 0, 1], [14, 13, 11, 7, 0])
    here = _hierarchy.live_queries()
    assert _path(metric.query(13, 1)) == want
    workers = [_Worker(), _Worker()]
    try:
        # a RoutingKit query is bound to the thread that made it; before, the second thread
        # panicked on the first one's ("unsendable, but sent to another thread")
        for w in workers:
            assert _path(w.run(functools.partial(metric.query, 13, 1))) == want
            assert w.run(_hierarchy.live_queries) == 1
        assert _hierarchy.live_queries() == here + 1
    finally:
        for w in workers:
            w.stop()
    del metric
    assert _hierarchy.live_queries() == here
    assert seen == []


# --- closures by partial customisation ------------------------------------------------------


def test_a_closure_of_one_parallel_edge_leaves_its_twin_and_is_undone(tiny: RoutingGraph) -> None:
    mask = np.ones(len(tiny.u), dtype=bool)
    topo = tiny.topology(("rail",))
    cm = _hierarchy.ClosableMetric(topo, mask, tiny.length_m)
    with cm.closed([12]) as m:
        found = m.query(10, 13)
        assert found is not None and found[1].tolist() == [11, 13, 14]
        entry_group, entry_of_edge = topo.entry_tables()[:2]
        group = entry_group[entry_of_edge[12]]
        assert (m.sel_lohi[group], m.sel_hilo[group]) == (13, 13)
    with cm.closed([12, 13]) as m:
        assert m.query(10, 13) is None
        assert m.query(0, 11) is not None  # the chain is cut between 11 and 12 only
    with cm.closed([]) as m:
        found = m.query(10, 13)
        assert found is not None and found[1].tolist() == [11, 12, 14]


def test_a_partially_updated_metric_answers_as_a_full_customisation(network: Network) -> None:
    """Closures made by RoutingKit's partial update, on random pairs of the regional rail.

    Each closure (random edges, some of them one of a group of parallel edges) must give
    the arrays, the arc weights and the paths of ``customize`` with that closure at the
    same scale, for 300 random pairs each; after it the unclosed metric is back.
    """
    g, mask, nodes = _rail(network)
    topo = g.topology(("rail",))
    cm = _hierarchy.ClosableMetric(topo, mask, g.length_m)
    plain = topo.customize(mask, g.length_m)
    assert cm.scale == plain.scale  # the unclosed metric's: ties broken as there
    assert not cm.certain
    room = _hierarchy.ClosableMetric(topo, mask, g.length_m, headroom=True)
    assert room.certain and 0.1 < room.scale / cm.scale < 0.2
    usable = np.flatnonzero(mask)
    sizes = np.diff(topo.group_ptr)
    twins = topo.group_edges[np.repeat(sizes, sizes) > 1]
    twins = twins[mask[twins]]
    rng = random.Random(23)
    closures = [
        [int(rng.choice(usable))],
        [int(rng.choice(twins))],
        [int(rng.choice(usable)) for _ in range(12)] + [int(rng.choice(twins))],
    ]
    assert plain.metric is not None
    weights = list(plain.metric.weights)
    for closed in closures:
        closed_mask = mask.copy()
        closed_mask[closed] = False
        for c in (cm, room):
            full = topo.customize(closed_mask, g.length_m, scale=c.scale)
            assert full.metric is not None
            differ = 0
            with c.closed(closed) as m:
                assert m.metric is not None
                for name in ("prefix", "nblock", "sel_lohi", "sel_hilo", "dir_edge", "dir_node"):
                    assert np.array_equal(getattr(m, name), getattr(full, name)), name
                assert list(m.metric.weights) == list(full.metric.weights)
                for _ in range(300):
                    s, t = int(rng.choice(nodes)), int(rng.choice(nodes))
                    a, b = m.query(s, t), full.query(s, t)
                    assert (a is None) == (b is None), (closed, s, t)
                    if a is not None and b is not None:
                        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
                        differ += bool(np.isin(a[1], closed).any())
            assert differ == 0  # no path uses a closed edge
        with cm.closed([]) as m:  # undone: the unclosed metric again
            assert m.metric is not None and list(m.metric.weights) == weights
            for name in ("prefix", "nblock", "sel_lohi", "sel_hilo", "dir_edge"):
                assert np.array_equal(getattr(m, name), getattr(plain, name)), name
