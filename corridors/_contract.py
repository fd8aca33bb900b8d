"""Degree-2 chain contraction for fast point-to-point queries.

Two thirds of the nodes of a rail network only continue a line (degree 2). Contracting each
chain of such nodes between junctions into one edge gives a graph about three times smaller,
on which scipy's Dijkstra runs that much faster. A query whose ends lie inside chains enters
the contracted graph through a virtual source row (two slots: the chain's two junctions,
weighted by the distance along the chain), and leaves it the same way at the target; a
query within one chain also considers the direct way along it. Paths are expanded back to
the original nodes and edges, so results are exactly those of the plain search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

__all__ = ["Contracted", "contract", "query"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(eq=False)
class Contracted:
    """A contracted graph and what is needed to map queries and paths back."""

    junction: I64  # node -> junction index, or -1
    chain_of: I64  # node -> chain id (for chain-internal nodes), or -1
    pos: F64  # chain-internal node -> cost from the chain's start
    chain_nodes: list[I64]  # nodes of each chain, start junction to end junction
    chain_edges: list[I64]  # edge ids along each chain
    chain_cost: F64
    junction_node: I64  # junction index -> node
    matrix: csr_matrix  # junctions plus one virtual source row (last, two slots)
    pair: I64  # sorted (from * J + to) keys of the contracted entries
    pair_chain: I64  # the chain of each entry (the cheapest, for parallel chains)


def contract(rows: I64, cols: I64, w: F64, eid: I64, n_nodes: int) -> Contracted:
    """Contract a graph given as deduplicated directed entries (both directions present)."""
    order = np.argsort(rows, kind="stable")
    rows, cols, w, eid = rows[order], cols[order], w[order], eid[order]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    degree = np.diff(indptr)
    is_junction = (degree > 0) & (degree != 2)
    used_edge: set[int] = set()
    chain_nodes: list[I64] = []
    chain_edges: list[I64] = []
    chain_cost: list[float] = []

    def walk(start: int, slot: int) -> None:
        nodes = [start]
        edges = []
        cost = 0.0
        cur, prev_edge = start, -1
        k = slot
        while True:
            e = int(eid[k])
            nxt = int(cols[k])
            edges.append(e)
            cost += float(w[k])
            nodes.append(nxt)
            used_edge.add(e)
            if is_junction[nxt] or nxt == start:
                break
            prev_edge = e
            # continue through the other entry of the degree-2 node
            lo, hi = indptr[nxt], indptr[nxt + 1]
            k = next(j for j in range(lo, hi) if int(eid[j]) != prev_edge)
            cur = nxt
        del cur
        chain_nodes.append(np.asarray(nodes, dtype=np.int64))
        chain_edges.append(np.asarray(edges, dtype=np.int64))
        chain_cost.append(cost)

    for j in np.flatnonzero(is_junction):
        for k in range(indptr[j], indptr[j + 1]):
            if int(eid[k]) not in used_edge:
                walk(int(j), k)
    # pure cycles of degree-2 nodes: make one node of each a junction
    for v in np.flatnonzero(degree == 2):
        k = indptr[v]
        if int(eid[k]) not in used_edge:
            is_junction[v] = True
            walk(int(v), int(k))
    junction_node = np.flatnonzero(is_junction).astype(np.int64)
    junction = np.full(n_nodes, -1, dtype=np.int64)
    junction[junction_node] = np.arange(len(junction_node))
    chain_of = np.full(n_nodes, -1, dtype=np.int64)
    pos = np.zeros(n_nodes)
    cost_of = np.zeros(int(eid.max()) + 1 if len(eid) else 1)
    cost_of[eid] = w
    for c, (nodes, edges) in enumerate(zip(chain_nodes, chain_edges, strict=True)):
        inner = nodes[1:-1]
        chain_of[inner] = c
        pos[inner] = np.cumsum(cost_of[edges])[:-1]
    costs = np.asarray(chain_cost)
    starts = np.array([junction[n[0]] for n in chain_nodes], dtype=np.int64)
    ends = np.array([junction[n[-1]] for n in chain_nodes], dtype=np.int64)
    n_j = len(junction_node)
    ids = np.arange(len(chain_nodes), dtype=np.int64)
    src = np.concatenate([starts, ends])
    dst = np.concatenate([ends, starts])
    cost2 = np.concatenate([costs, costs])
    chain2 = np.concatenate([ids, ids])
    keep = src != dst  # a loop chain back to its own junction never shortens a path
    src, dst, cost2, chain2 = src[keep], dst[keep], cost2[keep], chain2[keep]
    key = src * (n_j + 1) + dst
    o = np.lexsort((cost2, key))
    key, src, dst, cost2, chain2 = key[o], src[o], dst[o], cost2[o], chain2[o]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, src, dst, cost2, chain2 = key[first], src[first], dst[first], cost2[first], chain2[first]
    # the virtual source is row n_j, with two slots filled per query
    v_rows = np.concatenate([src, [n_j, n_j]])
    v_cols = np.concatenate([dst, [0, 0]])
    v_data = np.concatenate([np.maximum(cost2, 1e-6), [1.0, 1.0]])
    matrix = csr_matrix((v_data, (v_rows, v_cols)), shape=(n_j + 1, n_j + 1))
    matrix.sum_duplicates()
    if matrix.indptr[-1] - matrix.indptr[-2] != 2:  # both slots to column 0 were merged
        matrix = _with_two_slots(src, dst, cost2, n_j)
    return Contracted(
        junction=junction,
        chain_of=chain_of,
        pos=pos,
        chain_nodes=chain_nodes,
        chain_edges=chain_edges,
        chain_cost=costs,
        junction_node=junction_node,
        matrix=matrix,
        pair=key,
        pair_chain=chain2,
    )


def _with_two_slots(src: I64, dst: I64, cost: F64, n_j: int) -> csr_matrix:
    """CSR whose last row has exactly two explicit slots (filled per query)."""
    order = np.lexsort((dst, src))
    src, dst, cost = src[order], dst[order], cost[order]
    indptr = np.zeros(n_j + 2, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    indptr = np.cumsum(indptr)
    indptr[-1] = indptr[-2] + 2
    indices = np.concatenate([dst, [0, 1 if n_j > 1 else 0]]).astype(np.int32)
    data = np.concatenate([np.maximum(cost, 1e-6), [1.0, 1.0]])
    return csr_matrix((data, indices, indptr), shape=(n_j + 1, n_j + 1))


#: Weight of an unused source slot: never part of a path that is reported.
_PARKED = 1e300


def _ends(c: Contracted, node: int) -> list[tuple[int, float]]:
    """Junctions through which ``node`` enters the contracted graph, with their costs."""
    j = int(c.junction[node])
    if j >= 0:
        return [(j, 0.0)]
    ch = int(c.chain_of[node])
    if ch < 0:
        return []
    nodes = c.chain_nodes[ch]
    off = float(c.pos[node])
    return [
        (int(c.junction[nodes[0]]), off),
        (int(c.junction[nodes[-1]]), float(c.chain_cost[ch]) - off),
    ]


def _along(c: Contracted, node: int, toward_start: bool) -> tuple[list[int], list[int]]:
    """Nodes and edges from ``node`` along its chain to the start (or end) junction."""
    ch = int(c.chain_of[node])
    nodes = c.chain_nodes[ch].tolist()
    edges = c.chain_edges[ch].tolist()
    i = nodes.index(node)
    if toward_start:
        return nodes[: i + 1][::-1], edges[:i][::-1]
    return nodes[i:], edges[i:]


def query(
    c: Contracted, source: int, target: int, *, limit: float = np.inf
) -> tuple[list[int], list[int]] | None:
    """Least-cost path as ``(nodes, edges)`` between two original nodes, or ``None``."""
    starts, goals = _ends(c, source), _ends(c, target)
    if not starts or not goals:
        return None
    best = np.inf
    direct: tuple[list[int], list[int]] | None = None
    ch_s, ch_t = int(c.chain_of[source]), int(c.chain_of[target])
    if source == target:
        return [source], []
    if ch_s >= 0 and ch_s == ch_t:
        a, b = float(c.pos[source]), float(c.pos[target])
        best = abs(a - b)
        cn = c.chain_nodes[ch_s].tolist()
        ce = c.chain_edges[ch_s].tolist()
        i, j = cn.index(source), cn.index(target)
        direct = (cn[i : j + 1], ce[i:j]) if i < j else (cn[j : i + 1][::-1], ce[j:i][::-1])
    m = c.matrix
    n_j = m.shape[0] - 1
    lo = int(m.indptr[n_j])
    (j0, off0), (j1, off1) = starts[0], starts[-1]
    if len(starts) == 1 or j1 == j0:
        # one way in: park the second slot on another column, out of reach
        j1, off1 = (j0 + 1) % max(n_j, 1), _PARKED
    m.indices[lo], m.indices[lo + 1] = j0, j1
    m.data[lo], m.data[lo + 1] = max(off0, 1e-9), max(off1, 1e-9)
    dist, pred = dijkstra(m, directed=True, indices=n_j, return_predecessors=True, limit=limit)
    goal, goal_side = -1, 0
    for side, (j, off) in enumerate(goals):
        if dist[j] + off < best:
            best, goal, goal_side = float(dist[j] + off), j, side
    if goal < 0 or best >= _PARKED / 2:
        return direct if direct is not None else None
    js = [goal]
    while pred[js[-1]] != n_j:
        js.append(int(pred[js[-1]]))
    js.reverse()
    nodes: list[int]
    edges: list[int]
    if int(c.junction[source]) >= 0:
        nodes, edges = [source], []
    else:
        # which end of its chain the source left by: the slot that reached the first junction
        toward_start = js[0] == starts[0][0] and (
            starts[0][0] != starts[-1][0] or starts[0][1] <= starts[-1][1]
        )
        nodes, edges = _along(c, source, toward_start=toward_start)
    if len(js) > 1:
        ja = np.asarray(js[:-1], dtype=np.int64)
        jb = np.asarray(js[1:], dtype=np.int64)
        chains = c.pair_chain[np.searchsorted(c.pair, ja * (n_j + 1) + jb)]
        for a_j, ch in zip(ja.tolist(), chains.tolist(), strict=True):
            cn, ce = c.chain_nodes[ch], c.chain_edges[ch]
            if int(c.junction[cn[0]]) != a_j:
                cn, ce = cn[::-1], ce[::-1]
            nodes += cn[1:].tolist()
            edges += ce.tolist()
    if int(c.junction[target]) < 0:
        back_nodes, back_edges = _along(c, target, toward_start=goal_side == 0)
        nodes += back_nodes[::-1][1:]
        edges += back_edges[::-1]
    return nodes, edges
