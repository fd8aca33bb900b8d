"""A customizable contraction hierarchy (CCH) over the chain-contracted routing graph.

The query engine of :meth:`corridors.network._graph.RoutingGraph.fast_path`. It is built in
three steps, each kept apart so that a new mask costs only the last two:

1. **Topology** (:func:`build_topology`): every edge of some modes, of any status, overlays
   and closed edges included. Parallel edges form one *group*; chains of degree-2 nodes
   between junctions are contracted into one arc each (a rail network is two thirds such
   nodes), and the junctions are ordered by RoutingKit's inertial-flow nested dissection.
   This is the expensive part (about 1 s for the regional rail graph) and it does not depend
   on weights or masks, so it is stored with the network cache (:func:`load_topology`:
   content-hashed, written atomically) and shared by every mask of those modes.
2. **Metric** (:meth:`Topology.customize`): a mask and a cost per edge become integer arc
   weights (the cheapest usable edge of each group; a chain with an unusable edge is cut),
   and RoutingKit customizes the hierarchy with them in a few milliseconds. Avoided
   countries, closed links, scenario years, statuses and the Volga–Don switch are all
   masks, so all are re-customisations of one hierarchy. A sweep that closes a few edges
   at a time changes only the arcs of their chains on one customised metric and changes
   them back (:class:`ClosableMetric`, RoutingKit's partial customisation: about 1 ms a
   closure on the regional rail instead of about 12).
3. **Query** (:meth:`Metric.query`): a node inside a chain enters the hierarchy at the
   junctions at either end of its chain, with the cost along the chain as the initial
   distance (RoutingKit's multi-source query); a query within one chain also considers
   the direct way along it. The junction path is expanded back to nodes and edges with
   NumPy index arithmetic. Each thread searches with its own RoutingKit query object, made
   and dropped on that thread (see :class:`_Store`), so threads may share a metric.

Costs are scaled to integers (RoutingKit weights are 32-bit) by the largest factor that
keeps every shortest path below RoutingKit's infinity (bounded by twice the largest
eccentricity of a component plus two chain lengths); for metres on the regional rail
graph that is a resolution of a few millimetres, so paths equal the float Dijkstra's of
:meth:`~corridors.network._graph.RoutingGraph.shortest_path` except between paths whose
lengths differ by less than the summed rounding (ties, such as a line mapped twice).
Among parallel edges of equal cost the one the reference search keeps is chosen.

RoutingKit: Dibbelt, Strasser, Wagner, "Customizable Contraction Hierarchies", ACM JEA 21
(2016), doi:10.1145/2886843; the Python bindings are PyPI ``routingkit-cch`` (BSD-2-Clause).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "HIERARCHY_VERSION",
    "INF_WEIGHT",
    "ClosableMetric",
    "Metric",
    "Topology",
    "available",
    "build_topology",
    "live_queries",
    "load_topology",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

#: Bump when the stored topology's arrays change meaning.
HIERARCHY_VERSION = "hierarchy-3"
#: RoutingKit's infinite weight (``inf_weight``, 2^31 - 1): an arc at it is never used.
INF_WEIGHT = 2**31 - 1


def available() -> bool:
    """Whether the RoutingKit CCH bindings (PyPI ``routingkit-cch``) can be imported."""
    try:
        import routingkit_cch  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(eq=False)
class Topology:
    """Chains, junctions, edge groups and the junction order of one set of edges.

    A chain's *slots* are its steps from node to node, in order from its start junction:
    slot ``s`` goes from ``slot_tail[s]`` to ``slot_head[s]`` over any edge of group
    ``slot_group[s]``; chain ``c`` has slots ``eptr[c]`` to ``eptr[c + 1] - 1``.
    """

    n_nodes: int
    junction_node: I64  # junction -> node
    junction: I64  # node -> junction, or -1
    chain_of: I64  # node inside a chain -> the chain, or -1
    pos_of: I64  # node inside a chain -> its index in the chain's nodes (1 .. slots - 1)
    eptr: I64  # chain -> its first slot (one more entry at the end)
    slot_group: I64
    slot_tail: I64
    slot_head: I64
    chain_start: I64  # chain -> junction at its start
    chain_end: I64  # chain -> junction at its end
    arc_chain: I64  # arc -> chain; arcs [0, n_fwd) run start -> end, the rest end -> start
    n_fwd: int
    group_ptr: I64  # group -> its first entry in group_edges (one more at the end)
    group_edges: I64  # edge ids, by group then edge id
    edge_from_lo: I64  # 1 where an edge of group_edges is stored from its pair's smaller node
    order: I64  # the junctions in RoutingKit's contraction order
    _cch: Any = field(default=None, repr=False)
    _ranges: tuple[I64, I64, I64, I64] | None = field(default=None, repr=False)
    _tables: tuple[I64, I64, I64, I64, I64] | None = field(default=None, repr=False)
    _dir_node: I64 | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def n_junctions(self) -> int:
        """Number of junctions (the hierarchy's nodes)."""
        return len(self.junction_node)

    def arcs(self) -> tuple[I64, I64]:
        """Tail and head junction of every arc of the hierarchy."""
        ch = self.arc_chain
        fwd = np.arange(len(ch)) < self.n_fwd
        tail = np.where(fwd, self.chain_start[ch], self.chain_end[ch])
        head = np.where(fwd, self.chain_end[ch], self.chain_start[ch])
        return tail, head

    def arc_ranges(self) -> tuple[I64, I64, I64, I64]:
        """Per arc: its first position in a metric's ``dir_edge``, its slots, tail and head.

        An arc runs its chain forward (slots ``eptr[c]`` on) or backward (from the last
        slot), either way an ascending range of positions (see :meth:`customize`).
        """
        hit = self._ranges
        if hit is None:
            ch = self.arc_chain
            lo, hi = self.eptr[ch], self.eptr[ch + 1]
            fwd = np.arange(len(ch)) < self.n_fwd
            pos = np.where(fwd, lo, 2 * len(self.slot_head) - hi)
            tail, head = self.arcs()
            hit = self._ranges = (pos, hi - lo, tail, head)
        return hit

    def dir_node(self) -> I64:
        """Per slot and direction (as :func:`_dir_edge`), the node reached; any mask's."""
        hit = self._dir_node
        if hit is None:
            hit = self._dir_node = np.concatenate([self.slot_head, self.slot_tail[::-1]])
        return hit

    def entry_weights(self, mask: B, weight: F64) -> F64:
        """The cost of every ``group_edges`` entry, ``inf`` where ``mask`` rules it out.

        All that :meth:`customize` reads of ``mask`` and ``weight``: two masks with the same
        entry weights give the same metric (see ``RoutingGraph.metric``).
        """
        ge = self.group_edges
        return np.where(mask[ge], weight[ge], np.inf)

    def cch(self) -> Any:
        """The RoutingKit CCH of the arcs in the stored order (built on first use, ~30 ms)."""
        with self._lock:
            if self._cch is None:
                import routingkit_cch as rkc

                tail, head = self.arcs()
                self._cch = rkc.CCH(self.order.tolist(), tail.tolist(), head.tolist(), False)
            return self._cch

    def to_bytes(self) -> bytes:
        """The arrays as an uncompressed ``.npz`` (what the cache stores).

        Stored as the 64-bit integers they are, so that a fresh process reads them as views
        into the mapped entry and converts nothing (converting 32-bit ones cost more than
        the CRC-32 over the extra bytes).
        """
        arrays = {}
        for f in fields(self):
            if f.name.startswith("_"):
                continue
            arrays[f.name] = np.asarray(getattr(self, f.name))
        from corridors.network._cache import npz_bytes

        return npz_bytes(arrays)

    @classmethod
    def from_file(cls, path: Path) -> Topology:
        """Read what :meth:`to_bytes` wrote."""
        with np.load(path, allow_pickle=False) as z:
            return cls.from_arrays({name: z[name] for name in z.files})

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any]) -> Topology:
        """The topology of the arrays :meth:`to_bytes` stores (by field name)."""
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name.startswith("_"):
                continue
            a = np.asarray(arrays[f.name])
            # stored as 64-bit: a view, no copy (entries of 32-bit integers are converted)
            kw[f.name] = int(a) if a.ndim == 0 else a.astype(np.int64, copy=False)
        return cls(**kw)

    def entry_tables(self) -> tuple[I64, I64, I64, I64, I64]:
        """Lookup tables for closing edges of a customised metric (made on first use).

        Returns ``(entry_group, entry_of_edge, slot_of_group, chain_of_slot, fwd_arc)``: the
        group of each entry of ``group_edges``, the entry of each edge id (``-1`` if not in
        the topology), the slot of each group (every group is one step of one chain), the
        chain of each slot, and each chain's forward arc (``-1`` for a loop; its backward
        arc is ``n_fwd`` later).
        """
        hit = self._tables
        if hit is None:
            sizes = np.diff(self.group_ptr)
            entry_group = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
            ge = self.group_edges
            entry_of_edge = np.full(int(ge.max()) + 1 if len(ge) else 0, -1, dtype=np.int64)
            entry_of_edge[ge] = np.arange(len(ge), dtype=np.int64)
            slot_of_group = np.full(len(sizes), -1, dtype=np.int64)
            slot_of_group[self.slot_group] = np.arange(len(self.slot_group), dtype=np.int64)
            n_chains = len(self.eptr) - 1
            chain_of_slot = np.repeat(np.arange(n_chains, dtype=np.int64), np.diff(self.eptr))
            fwd_arc = np.full(n_chains, -1, dtype=np.int64)
            fwd_arc[self.arc_chain[: self.n_fwd]] = np.arange(self.n_fwd, dtype=np.int64)
            hit = self._tables = (entry_group, entry_of_edge, slot_of_group, chain_of_slot, fwd_arc)
        return hit

    def _pick(self, w_sub: F64, sub: I64, gw: F64, sel_lohi: I64, sel_hilo: I64) -> None:
        """The cheapest usable edge of the groups of the ``group_edges`` entries ``sub``.

        ``sub`` holds whole groups, ``w_sub`` their entries' weights (``inf`` if unusable);
        the groups' weights and the edges used each way are written to ``gw``, ``sel_lohi``
        and ``sel_hilo``. On a tie the edge the reference search keeps, which prefers an
        edge stored in the direction of travel.
        """
        ge = self.group_edges
        e, g_sub = ge[sub], self.entry_tables()[0][sub]
        m = int(ge.max()) + 1
        stored_lo = self.edge_from_lo[sub] == 1
        for stored, out in ((stored_lo, sel_lohi), (~stored_lo, sel_hilo)):
            rank = e + m * (~stored).astype(np.int64)
            o = np.lexsort((rank, w_sub, g_sub))
            head = np.ones(len(o), dtype=bool)
            head[1:] = g_sub[o][1:] != g_sub[o][:-1]
            out[g_sub[o][head]] = e[o][head]
            gw[g_sub[o][head]] = w_sub[o][head]

    def _groups(self, we: F64) -> tuple[F64, I64, I64]:
        """Weight and edges used of every group, from each ``group_edges`` entry's weight.

        ``we`` is ``inf`` for an unusable entry. Returns the group weights and the edge used
        from each group's smaller node to its larger, and back.
        """
        ge = self.group_edges
        gw = we[self.group_ptr[:-1]].copy()
        first = ge[self.group_ptr[:-1]]
        sel_lohi, sel_hilo = first.copy(), first.copy()
        sizes = np.diff(self.group_ptr)
        if (sizes > 1).any():
            # parallel edges: the cheapest usable one
            multi = np.flatnonzero(sizes[self.entry_tables()[0]] > 1)
            self._pick(we[multi], multi, gw, sel_lohi, sel_hilo)
        return gw, sel_lohi, sel_hilo

    def customize(
        self, mask: B, weight: F64, *, scale: float | None = None, entry: F64 | None = None
    ) -> Metric:
        """The hierarchy weighted by ``weight`` (per edge) on the edges of ``mask``.

        Parameters
        ----------
        mask
            Usable edges of the routing graph; edges outside the topology are ignored.
        weight
            Cost of each edge (metres, or hours for time costs), non-negative.
        scale
            Integer units per cost unit; by default the largest that keeps every path of
            this mask below RoutingKit's infinity (:func:`_scale`). A
            :class:`ClosableMetric` passes one with room for any closure.
        entry
            :meth:`entry_weights` of ``mask`` and ``weight`` when the caller has them.
        """
        import routingkit_cch as rkc

        we = self.entry_weights(mask, weight) if entry is None else entry
        gw, sel_lohi, sel_hilo = self._groups(we)
        fw = gw[self.slot_group]
        blocked = ~np.isfinite(fw)
        prefix = np.concatenate([[0.0], np.cumsum(np.where(blocked, 0.0, fw))])
        nblock = np.concatenate([[0], np.cumsum(blocked)])
        lo, hi = self.eptr[:-1], self.eptr[1:]
        cost = prefix[hi] - prefix[lo]
        usable = nblock[hi] == nblock[lo]
        arc_cost = np.where(usable, cost, np.inf)[self.arc_chain]
        # every chain's unblocked sum bounds the entry offsets, usable chain or not (a ring
        # cut by a mask has no usable chain, but a node on it still enters from its ends)
        if scale is None:
            scale = _scale(self, arc_cost, cost)
        iw = np.where(np.isfinite(arc_cost), np.rint(arc_cost * scale), INF_WEIGHT)
        # with no arcs (a ring alone) paths never leave a junction: no hierarchy is needed
        metric = rkc.CCHMetric(self.cch(), iw.astype(np.int64).tolist()) if len(iw) else None
        dir_edge = _dir_edge(self, sel_lohi, sel_hilo)
        return Metric(
            self, metric, scale, prefix, nblock, sel_lohi, sel_hilo, dir_edge, self.dir_node()
        )


def _dir_edge(topo: Topology, sel_lohi: I64, sel_hilo: I64) -> I64:
    """Per slot and direction, the edge used.

    Slot ``s`` travelled forward is at ``s``, backward at ``2 * n_slots - 1 - s``, so that
    every run along a chain, either way, is one ascending range and expanding a path is two
    gathers (:meth:`Metric._expand`; ``dir_node`` holds the node reached, alike).
    """
    up = topo.slot_tail < topo.slot_head
    g = topo.slot_group
    return np.concatenate(
        [np.where(up, sel_lohi[g], sel_hilo[g]), np.where(up, sel_hilo[g], sel_lohi[g])[::-1]]
    )


def _scale(topo: Topology, arc_cost: F64, chain_cost: F64) -> float:
    """Integer units per cost unit: every path and entry offset stays below the infinity."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components, dijkstra

    ok = np.isfinite(arc_cost)
    longest = float(chain_cost.max()) if len(chain_cost) else 0.0
    if not ok.any():  # no usable arc: a path runs along at most two chains
        return (INF_WEIGHT - 2) / (2.0 * longest * 1.001 + 1.0)
    tail, head = topo.arcs()
    n = topo.n_junctions
    g = csr_matrix((np.maximum(arc_cost[ok], 1e-9), (tail[ok], head[ok])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    roots = np.unique(labels, return_index=True)[1]
    # every chain has an arc each way at the same cost, so ``g`` is symmetric: the directed
    # search finds the same distances without SciPy symmetrising the matrix first
    dist = dijkstra(g, directed=True, indices=roots, min_only=True)
    ecc = float(np.max(dist[np.isfinite(dist)])) if np.isfinite(dist).any() else 0.0
    bound = 2.0 * ecc + 2.0 * longest
    return (INF_WEIGHT - 2) / (bound * 1.001 + 1.0)


def _headroom_scale(topo: Topology, we: F64) -> float:
    """Integer units per cost unit that leave room for any closure of the mask of ``we``.

    ``we`` is the weight of each ``group_edges`` entry (``inf`` if unusable). Closing edges
    only removes them, so a group never costs more than its dearest usable edge; a shortest
    path uses each chain at most once, so it costs at most the sum of all chains at those
    weights, and the entry offsets at most two chains more.
    """
    dear = np.where(np.isfinite(we), we, 0.0)
    if not len(dear):
        return 1.0
    group_max = np.maximum.reduceat(dear, topo.group_ptr[:-1])
    chain = np.add.reduceat(group_max[topo.slot_group], topo.eptr[:-1])
    bound = float(chain.sum()) + 2.0 * float(chain.max())
    return (INF_WEIGHT - 2) / (bound * 1.001 + 1.0)


class _Store:
    """One thread's RoutingKit queries, by metric token.

    A ``CCHQuery`` is bound to the thread that made it (a pyo3 ``unsendable`` class): used
    from another thread it panics, dropped on another it is leaked with a "dropped on another
    thread" error. A Dask worker makes its queries on an executor thread but releases the
    network, and with it every metric, on its event loop thread. So the queries are kept
    here, one store per thread, and a metric dropped anywhere only *asks* the owning thread
    to drop its query (``dropped``); the owner does so at its next search, and a thread that
    ends drops what it still holds on itself (its thread-local storage is cleared there).
    """

    __slots__ = ("__weakref__", "dropped", "queries")

    def __init__(self) -> None:
        self.queries: dict[int, Any] = {}
        #: Tokens of metrics gone since this thread's last search (appended by any thread).
        self.dropped: list[int] = []


_TOKENS = itertools.count()
_LOCAL = threading.local()


def _store() -> _Store:
    """The calling thread's query store (made on first use)."""
    store: _Store | None = getattr(_LOCAL, "store", None)
    if store is None:
        store = _LOCAL.store = _Store()
    return store


def _thread_query(metric: Metric) -> Any:
    """The calling thread's RoutingKit query of ``metric`` (made on first use, ~5 us)."""
    store = _store()
    while store.dropped:  # queries of metrics dropped elsewhere: dropped here, their thread
        store.queries.pop(store.dropped.pop(), None)
    query = store.queries.get(metric._token)
    if query is None:
        import routingkit_cch as rkc

        query = store.queries[metric._token] = rkc.CCHQuery(metric.metric)
        metric._stores.append(weakref.ref(store))
    return query


def _release(token: int, stores: list[weakref.ref[_Store]]) -> None:
    """A metric is gone: drop its queries on this thread, ask the other threads to drop theirs."""
    mine: _Store | None = getattr(_LOCAL, "store", None)
    for ref in stores:
        store = ref()
        if store is None:  # that thread has ended, and dropped its queries
            continue
        if store is mine:
            store.queries.pop(token, None)
        else:
            store.dropped.append(token)


def live_queries() -> int:
    """The number of RoutingKit queries the calling thread holds (for tests and leaks)."""
    store: _Store | None = getattr(_LOCAL, "store", None)
    return 0 if store is None else len(store.queries)


#: A way that needs no search: (integer cost, source, target, the slot range along one
#: chain, or ``None`` for a source that is the target).
_Direct = tuple[int, int, int, tuple[int, int, int] | None]


@dataclass(eq=False)
class Metric:
    """A customized hierarchy: answers least-cost path queries between routing-graph nodes."""

    topo: Topology
    metric: Any
    scale: float  # integer units per cost unit
    prefix: F64  # cost up to each slot, usable slots only (one more entry at the start)
    nblock: I64  # unusable slots up to each slot (one more entry at the start)
    sel_lohi: I64  # group -> the edge used from its smaller node to its larger
    sel_hilo: I64
    dir_edge: I64  # slot s forward at s, backward at 2 n_slots - 1 - s -> the edge used
    dir_node: I64  # the same positions -> the node reached
    #: This metric's number in the threads' query stores (see :func:`_thread_query`).
    _token: int = field(default_factory=lambda: next(_TOKENS), repr=False)
    #: The stores of the threads that hold a query of this metric (weakly: a thread's
    #: store, and its queries, go with the thread).
    _stores: list[weakref.ref[_Store]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        weakref.finalize(self, _release, self._token, self._stores).atexit = False

    def _entries(self, node: int) -> list[tuple[int, float, int]]:
        """``(junction, cost, side)`` by which ``node`` enters the hierarchy.

        ``side`` is 0 for the node itself as a junction, 1 for its chain's start, 2 for its
        end; a side cut by an unusable edge is left out.
        """
        t = self.topo
        j = int(t.junction[node])
        if j >= 0:
            return [(j, 0.0, 0)]
        c = int(t.chain_of[node])
        if c < 0:
            return []
        lo, hi = int(t.eptr[c]), int(t.eptr[c + 1])
        at = lo + int(t.pos_of[node])
        out = []
        if self.nblock[at] == self.nblock[lo]:
            out.append((int(t.chain_start[c]), float(self.prefix[at] - self.prefix[lo]), 1))
        if self.nblock[hi] == self.nblock[at]:
            out.append((int(t.chain_end[c]), float(self.prefix[hi] - self.prefix[at]), 2))
        return out

    def _run(
        self, sources: dict[int, int], targets: dict[int, int], beat: int | None = None
    ) -> tuple[int | None, list[int] | None]:
        """RoutingKit's multi-source, multi-target query: distance and the arcs of the path.

        The arcs (RoutingKit unpacks the hierarchy's shortcuts for them, most of a query's
        time) are ``None`` when the distance is not below ``beat``.
        """
        if self.metric is None:
            common = [sources[j] + targets[j] for j in set(sources) & set(targets)]
            return (min(common) if common else None), []
        r = _thread_query(self).run_multi(list(sources.items()), list(targets.items()))
        dist = r.distance
        arcs = r.arc_path if dist is not None and (beat is None or dist < beat) else None
        del r  # RoutingKit needs the result dropped before the next query
        return dist, arcs

    def query(self, source: int, target: int) -> tuple[I64, I64] | None:
        """Least-cost path as ``(nodes, edges)`` between two routing-graph nodes, or ``None``."""
        found = self.between(((source, 0.0),), ((target, 0.0),))
        return None if found is None else (found[0], found[1])

    def between(
        self, sources: Sequence[tuple[int, float]], targets: Sequence[tuple[int, float]]
    ) -> tuple[I64, I64, int, int] | None:
        """The least-cost path from any of ``sources`` to any of ``targets``, in one search.

        Each source and target is ``(node, initial cost)``: a path from source ``s`` to
        target ``t`` costs the two initial costs (in the weight's units) plus its own. Returns
        ``(nodes, edges, s, t)`` of the cheapest, or ``None`` when none is reachable. Costs
        are compared in the hierarchy's integer units (see the module's notes).
        """
        t = self.topo
        scale = self.scale
        ins: dict[int, tuple[int, int, int]] = {}  # junction -> (cost, side, node)
        for node, off in sources:
            for j, cost, side in self._entries(node):
                v = round((off + cost) * scale)
                if j not in ins or v < ins[j][0]:
                    ins[j] = (v, side, node)
        outs: dict[int, tuple[int, int, int]] = {}
        for node, off in targets:
            for j, cost, side in self._entries(node):
                v = round((off + cost) * scale)
                if j not in outs or v < outs[j][0]:
                    outs[j] = (v, side, node)
        # without the hierarchy: a source that is a target, or two nodes of one chain
        direct: _Direct | None = None
        cand: _Direct
        for s, s_off in sources:
            cs = int(t.chain_of[s])
            for g, g_off in targets:
                if s == g:
                    cand = (round((s_off + g_off) * scale), s, g, None)
                elif cs >= 0 and cs == int(t.chain_of[g]):
                    lo = int(t.eptr[cs])
                    a, b = lo + int(t.pos_of[s]), lo + int(t.pos_of[g])
                    if self.nblock[min(a, b)] != self.nblock[max(a, b)]:
                        continue
                    along = abs(float(self.prefix[b] - self.prefix[a]))
                    step = (a, b - a, 1) if a < b else (a - 1, a - b, -1)
                    cand = (round((s_off + g_off + along) * scale), s, g, step)
                else:
                    continue
                if direct is None or cand[0] < direct[0]:
                    direct = cand
        dist: int | None = None
        arcs: list[int] | None = None
        if ins and outs:
            dist, arcs = self._run(
                {j: v[0] for j, v in ins.items()},
                {j: v[0] for j, v in outs.items()},
                None if direct is None else direct[0],
            )
        if direct is not None and (dist is None or direct[0] <= dist):
            _, s, g, way = direct
            if way is None:
                return np.array([s], dtype=np.int64), np.zeros(0, dtype=np.int64), s, g
            nodes, edges = self._expand(s, [way], None)
            return nodes, edges, s, g
        if dist is None or arcs is None:
            return None
        arc = np.fromiter(arcs, dtype=np.int64, count=len(arcs))
        arc_pos, arc_count, arc_tail, arc_head = t.arc_ranges()
        if len(arc):
            j_in, j_out = int(arc_tail[arc[0]]), int(arc_head[arc[-1]])
        else:  # source and target reach one junction
            j_in = j_out = min(set(ins) & set(outs), key=lambda j: ins[j][0] + outs[j][0])
        head: list[tuple[int, int, int]] = []
        _, side, source = ins[j_in]
        if side:
            cs = int(t.chain_of[source])
            lo, hi = int(t.eptr[cs]), int(t.eptr[cs + 1])
            at = lo + int(t.pos_of[source])
            # back along the chain to its start, or on to its end
            head.append((at - 1, at - lo, -1) if side == 1 else (at, hi - at, 1))
        tail: list[tuple[int, int, int]] = []
        _, side, target = outs[j_out]
        if side:
            ct = int(t.chain_of[target])
            lo, hi = int(t.eptr[ct]), int(t.eptr[ct + 1])
            at = lo + int(t.pos_of[target])
            tail.append((lo, at - lo, 1) if side == 1 else (hi - 1, hi - at, -1))
        nodes, edges = self._expand(source, head + tail, (arc_pos[arc], arc_count[arc]), len(head))
        return nodes, edges, source, target

    def _expand(
        self,
        source: int,
        ends: list[tuple[int, int, int]],
        middle: tuple[I64, I64] | None,
        n_head: int = 0,
    ) -> tuple[I64, I64]:
        """Nodes and edges along slot ranges ``(first, count, +1 forward / -1 back)``.

        The ranges are the first ``n_head`` of ``ends``, then ``middle`` (the arcs'
        positions and counts in :meth:`Topology.arc_ranges`), then the rest.
        """
        n2 = 2 * len(self.topo.slot_head) - 1
        k = 0 if middle is None else len(middle[0])
        p = np.empty(k + len(ends), dtype=np.int64)
        c = np.empty(k + len(ends), dtype=np.int64)
        if middle is not None:
            p[n_head : n_head + k] = middle[0]
            c[n_head : n_head + k] = middle[1]
        for i, (first, count, step) in enumerate(ends):
            at = i if i < n_head else i + k
            p[at] = first if step > 0 else n2 - first
            c[at] = count
        ends_at = np.cumsum(c)
        total = int(ends_at[-1]) if len(ends_at) else 0
        # every range is ascending in the mirrored layout (see ``dir_edge``): one gather
        idx = np.repeat(p - ends_at + c, c)
        idx += np.arange(total)
        nodes = np.empty(total + 1, dtype=np.int64)
        nodes[0] = source
        np.take(self.dir_node, idx, out=nodes[1:])
        return nodes, self.dir_edge.take(idx)


class ClosableMetric:
    """One mask and weight customised once, on which closures are made and undone in place.

    A closure (:meth:`closed`) takes a few edges out of the mask: the groups of those edges
    take their cheapest usable remaining edge (a parallel twin may still be open), the chain
    arrays (``prefix``, ``nblock``, the edges used) are redone, and only the arcs of the
    chains holding them change weight, by RoutingKit's partial customisation
    (``CCHMetricPartialUpdater``: only the shortcuts above a changed arc are recomputed).
    Leaving the block restores those arcs. Inside it the metric equals
    ``topo.customize(mask & ~closed, weight, scale=self.scale)`` exactly.

    The integer scale is fixed for every closure. By default it is the unclosed mask's
    (:func:`_scale`, as :meth:`Topology.customize` picks it), so that ties between paths of
    equal cost are broken as on the unclosed metric; but a detour may then be longer than
    that scale has room for, and RoutingKit reports a path whose integer cost reaches its
    infinity as no path (a false cut). With ``headroom=True`` the scale has room for any
    closure (:func:`_headroom_scale`: the sum of all chains rather than twice the unclosed
    graph's eccentricity): on the regional rail about 7 times coarser, 9 cm per arc instead
    of 13 mm, and ties are broken differently. :attr:`certain` says whether the scale has
    that room; a caller of one without it checks each cut on one with it.

    Mutated in place: one per thread, and a closure's metric is queried only on the thread
    that made it (RoutingKit refuses to update a metric with a live query).
    """

    def __init__(self, topo: Topology, mask: B, weight: F64, *, headroom: bool = False) -> None:
        self.topo = topo
        ge = topo.group_edges
        self._we = np.where(mask[ge], weight[ge], np.inf)
        room = _headroom_scale(topo, self._we)
        base = topo.customize(mask, weight, scale=room if headroom else None)
        self.scale = base.scale
        #: Whether no closure can take a shortest path to RoutingKit's infinity.
        self.certain = self.scale <= room
        self._base = base
        # working copies, changed in place by a closure and restored after it
        self._gw = topo._groups(self._we)[0]
        self._x = np.where(np.isfinite(self._gw), self._gw, 0.0)[topo.slot_group]
        self._work = Metric(
            topo,
            base.metric,
            self.scale,
            base.prefix.copy(),
            base.nblock.copy(),
            base.sel_lohi.copy(),
            base.sel_hilo.copy(),
            base.dir_edge.copy(),
            base.dir_node,
        )
        self._iw = (
            np.asarray(base.metric.weights, dtype=np.int64)
            if base.metric is not None
            else np.zeros(0, dtype=np.int64)
        )

    @contextlib.contextmanager
    def closed(self, edges: Sequence[int] | I64) -> Iterator[Metric]:
        """The metric with ``edges`` also unusable, for the duration of the block.

        Its arrays are changed back when the block ends: use it only inside.
        """
        import routingkit_cch as rkc

        t = self.topo
        w = self._work
        entry_group, entry_of_edge, slot_of_group, chain_of_slot, fwd_arc = t.entry_tables()
        e = np.asarray(edges, dtype=np.int64)
        e = e[(e >= 0) & (e < len(entry_of_edge))]
        ent = entry_of_edge[e]
        ent = ent[ent >= 0]
        ent = np.unique(ent[np.isfinite(self._we[ent])])  # an unusable edge changes nothing
        m = Metric(
            t,
            w.metric,
            self.scale,
            w.prefix,
            w.nblock,
            w.sel_lohi,
            w.sel_hilo,
            w.dir_edge,
            w.dir_node,
        )
        if not len(ent):
            try:
                yield m
            finally:
                _release(m._token, m._stores)
            return
        groups = np.unique(entry_group[ent])
        gp = t.group_ptr
        sub = np.concatenate([np.arange(gp[g], gp[g + 1]) for g in groups.tolist()])
        w_sub = self._we[sub]
        w_sub[np.isin(sub, ent)] = np.inf
        slots = slot_of_group[groups]
        old = (self._gw[groups], w.sel_lohi[groups], w.sel_hilo[groups], self._x[slots])
        t._pick(w_sub, sub, self._gw, w.sel_lohi, w.sel_hilo)
        gw = self._gw[groups]
        self._x[slots] = np.where(np.isfinite(gw), gw, 0.0)
        # the slots that became unusable: one more blocked slot after each (a closure only
        # removes edges, and a group keeps its dearest usable edge's cost at most)
        newly = slots[~np.isfinite(gw) & np.isfinite(old[0])]
        steps = np.sort(newly)
        bounds = np.append(steps + 1, len(w.nblock))
        for k in range(len(steps)):
            w.nblock[bounds[k] : bounds[k + 1]] += k + 1
        # the same sequential sums as :meth:`Topology.customize`'s ``cumsum``, from the
        # first changed slot on: the same bits
        s0 = int(slots.min())
        w.prefix[s0:] = np.add.accumulate(np.concatenate([w.prefix[s0 : s0 + 1], self._x[s0:]]))
        up = t.slot_tail[slots] < t.slot_head[slots]
        g = t.slot_group[slots]
        back = 2 * len(t.slot_head) - 1 - slots
        w.dir_edge[slots] = np.where(up, w.sel_lohi[g], w.sel_hilo[g])
        w.dir_edge[back] = np.where(up, w.sel_hilo[g], w.sel_lohi[g])
        chains = np.unique(chain_of_slot[slots])
        lo, hi = t.eptr[chains], t.eptr[chains + 1]
        cost = np.where(w.nblock[hi] == w.nblock[lo], w.prefix[hi] - w.prefix[lo], np.inf)
        iw = np.where(np.isfinite(cost), np.rint(cost * self.scale), INF_WEIGHT).astype(np.int64)
        fa = fwd_arc[chains]
        keep = fa >= 0
        arcs = np.concatenate([fa[keep], fa[keep] + t.n_fwd])
        vals = np.concatenate([iw[keep], iw[keep]])
        change = vals != self._iw[arcs]
        updates = dict(zip(arcs[change].tolist(), vals[change].tolist(), strict=True))
        # made and dropped here, on this thread (a pyo3 ``unsendable`` class, as queries are;
        # it costs about a microsecond)
        updater = rkc.CCHMetricPartialUpdater(t.cch()) if updates and w.metric is not None else None
        try:
            if updater is not None:
                updater.apply(w.metric, updates)
            yield m
        finally:
            # this thread's queries of the closure go first: RoutingKit refuses otherwise
            _release(m._token, m._stores)
            if updater is not None:
                updater.apply(w.metric, {a: int(self._iw[a]) for a in updates})
            del updater
            base = self._base
            self._gw[groups], w.sel_lohi[groups], w.sel_hilo[groups], self._x[slots] = old
            for k in range(len(steps)):
                w.nblock[bounds[k] : bounds[k + 1]] -= k + 1
            w.prefix[s0:] = base.prefix[s0:]
            w.dir_edge[slots] = base.dir_edge[slots]
            w.dir_edge[back] = base.dir_edge[back]


def build_topology(u: I64, v: I64, sel: B, x: F64, y: F64) -> Topology:
    """Contract the chains of the edges in ``sel`` and order the junctions.

    Parameters
    ----------
    u, v
        End nodes of every routing-graph edge.
    sel
        The edges to include (any mask later used with this topology must be a subset).
    x, y
        Node longitudes and latitudes, in degrees (for the nested-dissection order).
    """
    import routingkit_cch as rkc

    n = len(x)
    eids = np.flatnonzero(sel & (u != v)).astype(np.int64)
    lo, hi = np.minimum(u[eids], v[eids]), np.maximum(u[eids], v[eids])
    o = np.lexsort((eids, hi, lo))
    eids, lo, hi = eids[o], lo[o], hi[o]
    new = np.ones(len(eids), dtype=bool)
    new[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    group_ptr = np.append(np.flatnonzero(new), len(eids)).astype(np.int64)
    ga, gb = lo[new], hi[new]
    n_groups = len(ga)
    rows = np.concatenate([ga, gb])
    cols = np.concatenate([gb, ga])
    gid = np.concatenate([np.arange(n_groups), np.arange(n_groups)])
    o = np.argsort(rows, kind="stable")
    rows, cols, gid = rows[o], cols[o], gid[o]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    degree = np.diff(indptr)
    is_junction = (degree > 0) & (degree != 2)
    cols_l, gid_l, ptr_l = cols.tolist(), gid.tolist(), indptr.tolist()
    isj = is_junction.tolist()
    used = bytearray(n_groups)
    slot_group: list[int] = []
    slot_tail: list[int] = []
    slot_head: list[int] = []
    eptr = [0]
    starts: list[int] = []
    ends: list[int] = []

    def walk(start: int, k: int) -> None:
        cur = start
        while True:
            g, nxt = gid_l[k], cols_l[k]
            used[g] = 1
            slot_group.append(g)
            slot_tail.append(cur)
            slot_head.append(nxt)
            if isj[nxt] or nxt == start:
                break
            k = ptr_l[nxt]
            if gid_l[k] == g:
                k += 1
            cur = nxt
        eptr.append(len(slot_group))
        starts.append(start)
        ends.append(nxt)

    for j in np.flatnonzero(is_junction).tolist():
        for k in range(ptr_l[j], ptr_l[j + 1]):
            if not used[gid_l[k]]:
                walk(j, k)
    # rings of degree-2 nodes only: one node of each becomes a junction
    for node in np.flatnonzero(degree == 2).tolist():
        k = ptr_l[node]
        if not used[gid_l[k]]:
            isj[node] = True
            is_junction[node] = True
            walk(node, k)
    junction_node = np.flatnonzero(is_junction).astype(np.int64)
    junction = np.full(n, -1, dtype=np.int64)
    junction[junction_node] = np.arange(len(junction_node))
    ep = np.asarray(eptr, dtype=np.int64)
    heads = np.asarray(slot_head, dtype=np.int64)
    n_chains = len(ep) - 1
    owner = np.repeat(np.arange(n_chains), np.diff(ep))
    inner = np.ones(len(heads), dtype=bool)
    inner[ep[1:] - 1] = False  # a chain's last step reaches a junction
    chain_of = np.full(n, -1, dtype=np.int64)
    pos_of = np.zeros(n, dtype=np.int64)
    s_inner = np.flatnonzero(inner)
    chain_of[heads[s_inner]] = owner[s_inner]
    pos_of[heads[s_inner]] = s_inner - ep[owner[s_inner]] + 1
    cstart = junction[np.asarray(starts, dtype=np.int64)]
    cend = junction[np.asarray(ends, dtype=np.int64)]
    real = np.flatnonzero(cstart != cend)  # a loop back to its own junction never shortens a path
    arc_chain = np.concatenate([real, real]).astype(np.int64)
    topo = Topology(
        n_nodes=n,
        junction_node=junction_node,
        junction=junction,
        chain_of=chain_of,
        pos_of=pos_of,
        eptr=ep,
        slot_group=np.asarray(slot_group, dtype=np.int64),
        slot_tail=np.asarray(slot_tail, dtype=np.int64),
        slot_head=heads,
        chain_start=cstart,
        chain_end=cend,
        arc_chain=arc_chain,
        n_fwd=len(real),
        group_ptr=group_ptr,
        group_edges=eids,
        edge_from_lo=(u[eids] == lo).astype(np.int64),
        order=np.zeros(0, dtype=np.int64),
    )
    tail, head = topo.arcs()
    jx, jy = x[junction_node], y[junction_node]
    if len(junction_node):
        order = rkc.compute_order_inertial(
            len(junction_node), tail.tolist(), head.tolist(), jy.tolist(), jx.tolist()
        )
        topo.order = np.asarray(order, dtype=np.int64)
    return topo


def topology_key(u: I64, v: I64, sel: B, n_nodes: int) -> str:
    """SHA-256 (hex) of the edges a topology is built from, for the cache."""
    from corridors.network._cache import cache_key

    h = hashlib.sha256()
    ids = np.flatnonzero(sel).astype(np.int64)
    for a in (ids, u[ids].astype(np.int64), v[ids].astype(np.int64)):
        h.update(np.ascontiguousarray(a).tobytes())
    return cache_key(
        {
            "kind": HIERARCHY_VERSION,
            "edges": h.hexdigest(),
            "n_nodes": n_nodes,
            "rkc": _rkc_version(),
        }
    )


@functools.cache
def _rkc_version() -> str:
    """The installed ``routingkit-cch`` version, from its ``.dist-info`` folder's name.

    ``importlib.metadata.version`` parses the whole METADATA file (about 15 ms); the
    folder name is enough.
    """
    try:
        import routingkit_cch
    except ImportError:
        return "unknown"
    site = Path(routingkit_cch.__file__).resolve().parents[1]
    found = sorted(site.glob("routingkit_cch-*.dist-info"))
    if not found:
        return "unknown"
    return found[-1].name.removeprefix("routingkit_cch-").removesuffix(".dist-info")


def load_topology(
    u: I64, v: I64, sel: B, x: F64, y: F64, *, graph_key: str | None = None
) -> Topology:
    """The topology of the edges in ``sel``, from the cache or built and stored there.

    ``graph_key`` (the stored routing graph's content key, with the modes that make
    ``sel``) keys the entry without hashing the edge arrays (about 10 ms).
    """
    import logging
    import zipfile

    from corridors._errors import CacheError
    from corridors.network._cache import cache_key, load_arrays, save_entry

    if graph_key is not None:
        key = cache_key({"kind": HIERARCHY_VERSION, "graph": graph_key, "rkc": _rkc_version()})
    else:
        key = topology_key(u, v, sel, len(x))
    try:
        arrays = load_arrays("hierarchies", key)
        if arrays is not None:
            return Topology.from_arrays(arrays)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        logging.getLogger("corridors").warning(
            "hierarchy cache entry %s is unreadable (%s); rebuilding it", key[:32], exc
        )
    topo = build_topology(u, v, sel, x, y)
    data = topo.to_bytes()

    def write(path: Path) -> None:
        path.write_bytes(data)

    try:
        save_entry(
            "hierarchies",
            key,
            ".npz",
            write,
            {"version": HIERARCHY_VERSION, "junctions": topo.n_junctions},
        )
    except CacheError as exc:  # a read-only cache: the hierarchy is still used this session
        logging.getLogger("corridors").warning("hierarchy not cached: %s", exc)
    return topo
