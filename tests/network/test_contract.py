"""Degree-2 chain contraction gives exactly the plain search's paths."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from corridors.network._contract import Contracted, contract, query
from corridors.network._graph import RoutingGraph, routing_graph
from corridors.network.core import Network
from corridors.routing import _all_links, _edge_mask


def _tiny() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    # a junction 0 with a long chain 0-1-2-3-4 (to junction 4), a short edge 0-4,
    # a spur 4-5-6 (dead end), and a separate pure cycle 7-8-9
    und = [
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
    ]
    rows, cols, w, eid = [], [], [], []
    for k, (a, b, c) in enumerate(und):
        rows += [a, b]
        cols += [b, a]
        w += [c, c]
        eid += [k, k]
    order = np.lexsort((np.array(w), np.array(rows) * 11 + np.array(cols)))
    arr = [np.asarray(x)[order] for x in (rows, cols, w, eid)]
    return arr[0], arr[1], arr[2].astype(float), arr[3], 11


@pytest.mark.parametrize(
    ("s", "t", "length"),
    [
        (1, 3, 2.0),
        (3, 1, 2.0),
        (1, 6, 7.0),
        (6, 2, 6.0),
        (2, 10, 3.0),
        (0, 4, 4.0),
        (8, 9, 1.0),
        (7, 9, 1.0),
        (5, 5, 0.0),
    ],
)
def test_tiny_graph_paths(s: int, t: int, length: float) -> None:
    rows, cols, w, eid, n = _tiny()
    c = contract(rows, cols, w, eid, n)
    found = query(c, s, t)
    assert found is not None
    nodes, edges = found
    assert nodes[0] == s and nodes[-1] == t
    cost = {int(e): float(x) for e, x in zip(eid, w, strict=True)}
    assert sum(cost[e] for e in edges) == pytest.approx(length)
    assert len(edges) == len(nodes) - 1


def test_unreachable_is_none() -> None:
    rows, cols, w, eid, n = _tiny()
    c = contract(rows, cols, w, eid, n)
    assert query(c, 1, 8) is None


def _rail(network: Network) -> tuple[RoutingGraph, Any, tuple[str], Contracted, np.ndarray]:
    """The routing graph, operational rail mask and key, its contraction, and its nodes."""
    g = routing_graph(network, _all_links())
    mask = _edge_mask(g, ("rail",), ("operational",), set(), set(), False)
    key = ("test-contract",)
    _, pair, _ = g.csr(key, mask, g.length_m)
    return g, mask, key, g.contracted(key, mask, g.length_m), np.unique(pair // g.n_nodes)


def test_same_paths_as_the_plain_search_on_the_rail_network(network: Network) -> None:
    g, mask, key, c, nodes = _rail(network)
    n_edges = c.graph.numberOfEdges()
    rng = random.Random(7)
    for _ in range(150):
        s, t = int(rng.choice(nodes)), int(rng.choice(nodes))
        plain = g.shortest_path(key, mask, g.length_m, s, t)
        fast = query(c, s, t)
        assert (plain is None) == (fast is None)
        if plain is None or fast is None:
            continue
        assert fast[0][0] == s and fast[0][-1] == t
        assert g.length_m[fast[1]].sum() == pytest.approx(g.length_m[plain[1]].sum(), rel=1e-9)
        for e, a, b in zip(fast[1], fast[0][:-1], fast[0][1:], strict=True):
            assert {int(g.u[e]), int(g.v[e])} == {a, b}
    # the virtual source and target edges of each query are gone again
    assert c.graph.numberOfEdges() == n_edges
    assert c.graph.degreeOut(c.n_junctions) == 0
    assert c.graph.degreeIn(c.n_junctions + 1) == 0


def test_parallel_queries_agree_with_serial_ones(network: Network) -> None:
    """Queries edit the contracted graph under a lock, so threads do not see each other's ends."""
    from concurrent.futures import ThreadPoolExecutor

    *_, c, nodes = _rail(network)
    rng = random.Random(11)
    pairs = [(int(rng.choice(nodes)), int(rng.choice(nodes))) for _ in range(60)]
    serial = [query(c, s, t) for s, t in pairs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda p: query(c, *p), pairs))
    assert parallel == serial
