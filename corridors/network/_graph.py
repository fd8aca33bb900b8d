"""The routing graph: a network (plus link overlays) as flat arrays and CSR matrices.

Built once per network and cached in memory; a query picks edges with a boolean mask and
the CSR matrix for that mask is cached too, so scenario sweeps only re-mask.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from corridors.definitions.links import Link
from corridors.geo import boundaries
from corridors.geo.boundaries import geodesic_lengths_m, sphere_xyz
from corridors.network.core import LENGTH_TRACK, Network

__all__ = [
    "MODES",
    "STATUSES",
    "FoundPath",
    "RoutingGraph",
    "cheapest_pair",
    "is_current",
    "routing_graph",
]

MODES = ("rail", "road", "ferry", "sea", "transfer", "pipeline")
STATUSES = ("operational", "under_construction", "planned", "dismantled", "proposed")
#: Queries on one mask before :meth:`RoutingGraph.fast_path` contracts it.
CONTRACT_AFTER = 50
#: Farthest apart, in metres, two points sampled along an edge for snapping to the edge.
EDGE_SAMPLE_M = 500.0

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
#: A path as ``(nodes, edges)``: lists, or NumPy arrays from the hierarchy.
FoundPath = tuple[Sequence[int] | I64, Sequence[int] | I64]


def _codes(values: Any, vocabulary: tuple[str, ...]) -> npt.NDArray[np.int8]:
    """Index of each value in ``vocabulary`` (``-1`` for any other value, missing included).

    A categorical column is mapped through its categories (one look-up per category, not
    per row); anything else value by value.
    """
    lookup = {v: i for i, v in enumerate(vocabulary)}
    cat = getattr(values, "cat", None)
    if cat is None:
        return np.array([lookup.get(str(v), -1) for v in values], dtype=np.int8)
    table = np.array([lookup.get(str(c), -1) for c in cat.categories] + [-1], dtype=np.int8)
    codes = np.asarray(cat.codes, dtype=np.int64)  # -1 (missing) picks the trailing -1
    return table[codes]


def _search_bounds(limit: float) -> list[float]:
    """Bounds to try in turn: a tight one, the bound given, then none.

    Most paths run within about 1.35x the straight line, which ``0.45 * limit`` is for the
    callers' ``3x + 300 km``.
    """
    return [limit * 0.45, limit, np.inf] if np.isfinite(limit) else [np.inf]


#: CSR matrices of one-off masks a routing graph keeps (:meth:`RoutingGraph.csr`).
ONE_OFF_CSR_KEPT = 4
#: Customised hierarchies a routing graph keeps, the least recently used dropped first
#: (:meth:`RoutingGraph.metric`; about 6 MB each on the regional rail).
METRICS_KEPT = 48


@dataclass(eq=False)
class RoutingGraph:
    """Flat arrays of nodes and edges; overlay edges (links) come after the network's."""

    x: F64
    y: F64
    country: npt.NDArray[np.str_]
    u: I64
    v: I64
    length_m: F64
    mode: npt.NDArray[np.int8]
    status: npt.NDArray[np.int8]
    gauge_mm: npt.NDArray[np.int16]
    bridged: B
    volga_don: B
    closed: B
    #: Edges drawn as a straight chord of a longer line (``length_source="track"``: the
    #: backbone's simplified lines), whose middle may lie km off the real track.
    schematic: B
    link: npt.NDArray[np.int16]
    link_names: tuple[str, ...]
    n_network_edges: int
    _csr: dict[Any, tuple[csr_matrix, I64, I64]] = field(default_factory=dict)
    #: CSR matrices of one-off masks (a closure), the last :data:`ONE_OFF_CSR_KEPT` used.
    _csr_once: OrderedDict[Any, tuple[csr_matrix, I64, I64]] = field(default_factory=OrderedDict)
    _order: tuple[F64, I64, I64] | None = None
    _countries: tuple[Any, I64] | None = None
    _country_names: tuple[str, ...] | None = None
    _contracted: dict[Any, Any] = field(default_factory=dict)
    _uses: dict[Any, int] = field(default_factory=dict)
    _link_dtype: Any = None
    #: Edge masks by their key, and memoised leg results (see ``routing._route_leg``).
    masks: dict[Any, B] = field(default_factory=dict)
    weights: dict[Any, F64] = field(default_factory=dict)
    legs: dict[Any, Any] = field(default_factory=dict)
    _trees: dict[Any, tuple[cKDTree, I64, F64]] = field(default_factory=dict)
    #: Snapped places: (snap index key, lon, lat, limit, nodes only) -> (blocked nodes, snap).
    snaps: dict[Any, tuple[B | None, Any]] = field(default_factory=dict)
    _edge_trees: dict[Any, tuple[cKDTree, I64, F64]] = field(default_factory=dict)
    _topologies: dict[tuple[str, ...], Any] = field(default_factory=dict)
    #: Customised hierarchies by the content of their entry weights, least recently used
    #: first, and the content digest of each (mask key, cost array) asked for.
    _metrics: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    _metric_digests: dict[Any, Any] = field(default_factory=dict)
    #: The routing graph's cache key when it is stored with the network cache; snap
    #: indexes are then stored with it.
    store_key: str | None = None

    def topology(self, modes: tuple[str, ...]) -> Any:
        """The hierarchy topology of every edge of ``modes`` (see :mod:`._hierarchy`).

        Loaded from the network cache, or built (about 1 s for the regional rail) and stored.
        """
        key = tuple(sorted(modes))
        hit = self._topologies.get(key)
        if hit is None:
            from corridors.network._hierarchy import load_topology

            graph_key = None
            if self.store_key:  # the stored graph's content and the modes fix the edges
                from corridors.network._cache import cache_key

                graph_key = cache_key({"graph": self.store_key, "modes": list(key)})
            hit = load_topology(
                self.u, self.v, self.mode_mask(key), self.x, self.y, graph_key=graph_key
            )
            self._topologies[key] = hit
        return hit

    def metric(self, key: Any, modes: tuple[str, ...], mask: B, weight: F64) -> Any:
        """The hierarchy of ``modes`` customized for ``mask`` and ``weight``.

        Cached by what the customisation reads, the hierarchy's entry weights: masks of
        different keys that differ only outside ``modes`` or in edges no path can use alike
        (a scenario year that opens a road link, for a rail search) share one metric. The
        last :data:`METRICS_KEPT` used are kept.
        """
        topo = self.topology(modes)
        full = (key, tuple(sorted(modes)), id(weight))  # cost arrays are kept: ids not reused
        digest = self._metric_digests.get(full)
        entry = None
        if digest is None:
            import hashlib

            entry = topo.entry_weights(mask, weight)
            digest = (full[1], hashlib.blake2b(entry.tobytes(), digest_size=16).digest())
            self._metric_digests[full] = digest
        hit = self._metrics.pop(digest, None)
        if hit is None:
            hit = topo.customize(mask, weight, entry=entry)
            while len(self._metrics) >= METRICS_KEPT:
                self._metrics.popitem(last=False)
        self._metrics[digest] = hit
        return hit

    def country_index(self) -> tuple[Any, I64]:
        """The distinct country codes (a pandas CategoricalDtype) and each node's code."""
        if self._countries is None:
            import pandas as pd

            values, codes = np.unique(self.country, return_inverse=True)
            dtype = pd.CategoricalDtype(list(values.astype(str)))
            self._countries = (dtype, codes.astype(np.int64))
        return self._countries

    def country_names(self) -> tuple[str, ...]:
        """The categories of :meth:`country_index` as ``str``, in code order."""
        if self._country_names is None:
            self._country_names = tuple(map(str, self.country_index()[0].categories))
        return self._country_names

    def link_dtype(self) -> Any:
        """CategoricalDtype of link names, ``""`` first (no link)."""
        if self._link_dtype is None:
            import pandas as pd

            self._link_dtype = pd.CategoricalDtype(["", *self.link_names])
        return self._link_dtype

    @property
    def n_nodes(self) -> int:
        """Number of nodes, overlay nodes included."""
        return len(self.x)

    def mode_mask(self, modes: tuple[str, ...]) -> B:
        """Edges of these modes."""
        codes = [MODES.index(m) for m in modes]
        return np.isin(self.mode, codes)

    def status_mask(self, statuses: tuple[str, ...]) -> B:
        """Edges with these statuses."""
        return np.isin(self.status, [STATUSES.index(s) for s in statuses])

    def csr(
        self, key: Any, mask: B, weight: F64, *, one_off: bool = False
    ) -> tuple[csr_matrix, I64, I64]:
        """Directed CSR (both directions) of the masked edges; cached under ``key``.

        Returns the matrix and, for path reconstruction, the sorted pair keys and their edge
        ids. Of parallel edges only the cheapest is kept. A ``one_off`` mask (one closure of
        a criticality sweep, about 14 MB on the default network) is kept among the last
        :data:`ONE_OFF_CSR_KEPT` only, so a sweep's thousands of closures do not fill the
        cache that routing's own masks share.
        """
        cache = self._csr_once if one_off else self._csr
        hit = cache.get(key)
        if hit is not None:
            if one_off:
                self._csr_once.move_to_end(key)
            return hit
        order, pair_all = self._sorted_entries(weight)
        m = len(self.u)
        eid_all = np.where(order < m, order, order - m)
        keep = mask[eid_all]
        eid, pair = eid_all[keep], pair_all[keep]
        first = np.ones(len(pair), dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        eid, pair = eid[first], pair[first]
        n = self.n_nodes
        rows, cols = pair // n, pair % n
        w = weight[eid]
        matrix = csr_matrix((np.maximum(w, 1e-6), (rows, cols)), shape=(n, n))
        entry = (matrix, pair, eid)
        if one_off:
            self._csr_once[key] = entry
            while len(self._csr_once) > ONE_OFF_CSR_KEPT:
                self._csr_once.popitem(last=False)
            return entry
        if len(self._csr) > 64:
            self._csr.clear()
        self._csr[key] = entry
        return entry

    def _sorted_entries(self, weight: F64) -> tuple[I64, I64]:
        """Both directions of every edge sorted by (pair, weight), once per weight vector.

        A mask then only filters this order, so a new mask costs no sort.
        """
        hit = self._order
        if hit is not None and hit[0] is weight:
            return hit[1], hit[2]
        n = self.n_nodes
        rows = np.concatenate([self.u, self.v])
        cols = np.concatenate([self.v, self.u])
        pair = rows * n + cols
        w = np.concatenate([weight, weight])
        order = np.lexsort((w, pair))
        self._order = (weight, order, pair[order])
        return order, pair[order]

    def contracted(self, key: Any, mask: B, weight: F64) -> Any:
        """The degree-2 contraction of the masked graph (see :mod:`corridors.network._contract`)."""
        hit = self._contracted.get(key)
        if hit is None:
            from corridors.network._contract import contract

            _, pair, eid = self.csr(key, mask, weight)
            n = self.n_nodes
            hit = contract(pair // n, pair % n, weight[eid], eid, n)
            if len(self._contracted) > 16:
                self._contracted.clear()
            self._contracted[key] = hit
        return hit

    def fast_path(
        self,
        key: Any,
        mask: B,
        weight: F64,
        source: int,
        target: int,
        *,
        limit: float = np.inf,
        modes: tuple[str, ...] | None = None,
    ) -> FoundPath | None:
        """As :meth:`shortest_path`, by the contraction hierarchy of ``modes``.

        ``mask`` must select only edges of ``modes``. The hierarchy is customized for the
        mask once (a few ms) and then answers in microseconds; ``limit`` is not needed.
        Without ``modes``, or without the RoutingKit bindings (PyPI ``routingkit-cch``),
        the older engine answers: the chain-contracted graph searched by NetworKit.

        That one:

        Contracting costs 0.2–0.7 s (and the first one imports NetworKit, about 1 s) and
        saves about 1 ms a query, so a mask is contracted on its :data:`CONTRACT_AFTER`-th
        query (ad-hoc sweeps); masks used a few times (scenario what-ifs) keep the plain
        search. The contracted search stops at the target, so ``limit`` only bounds the
        plain one.
        """
        from corridors.network import _hierarchy

        if modes is not None and _hierarchy.available():
            found: FoundPath | None = self.metric(key, modes, mask, weight).query(source, target)
            return found
        from corridors.network._contract import query

        uses = self._uses.get(key, 0) + 1
        self._uses[key] = uses
        if uses < CONTRACT_AFTER and key not in self._contracted:
            return self.shortest_path(key, mask, weight, source, target, limit=limit)
        return query(self.contracted(key, mask, weight), source, target)

    def fast_path_between(
        self,
        key: Any,
        mask: B,
        weight: F64,
        sources: Sequence[tuple[int, float]],
        targets: Sequence[tuple[int, float]],
        *,
        limit: float = np.inf,
        modes: tuple[str, ...] | None = None,
    ) -> tuple[FoundPath, int, int] | None:
        """The least-cost path from any of ``sources`` to any of ``targets``.

        Each is ``(node, initial cost)`` (a waypoint inside an edge enters the network at
        either end with the cost along the edge to it). With the hierarchy this is one
        multi-source, multi-target search; otherwise one :meth:`fast_path` per pair (see
        :func:`cheapest_pair`). Returns the path and the source and target it joins.
        """
        from corridors.network import _hierarchy

        if modes is not None and _hierarchy.available():
            hit = self.metric(key, modes, mask, weight).between(sources, targets)
            return None if hit is None else ((hit[0], hit[1]), hit[2], hit[3])

        def find(s: int, t: int) -> FoundPath | None:
            return self.fast_path(key, mask, weight, s, t, limit=limit)

        return cheapest_pair(find, weight, sources, targets)

    def snap_tree(self, key: Any, mask: B) -> tuple[cKDTree, I64]:
        """KD-tree of the nodes used by the masked edges; cached under ``key``."""
        tree, ids, _ = self.snap_index(key, mask)
        return tree, ids

    def snap_index(self, key: Any, mask: B) -> tuple[cKDTree, I64, F64]:
        """KD-tree of the masked edges' nodes, their ids, and their components' km.

        The km of the connected component each node is on lets snapping prefer the network
        over detached fragments such as sidings.
        """
        hit = self._trees.get(key)
        if hit is not None:
            return hit
        # stored with the routing graph: a fresh process reads it (a few ms) instead of
        # building it (about 0.1 s for the regional rail)
        stored = _index_key(SNAP_VERSION, self.store_key, mask) if self.store_key else None
        hit = _load_index("snap-indexes", stored) if stored else None
        if hit is None:
            hit = self._build_snap_index(mask)
            if stored:
                _store_index("snap-indexes", stored, hit, SNAP_VERSION)
        if len(self._trees) > 64:
            self._trees.clear()
            self.snaps.clear()
        self._trees[key] = hit
        return hit

    def _build_snap_index(self, mask: B) -> tuple[cKDTree, I64, F64]:
        """KD-tree, node ids and component km of the masked edges (see :meth:`snap_index`)."""
        u, v = self.u[mask], self.v[mask]
        used = np.zeros(self.n_nodes, dtype=bool)
        used[u] = True
        used[v] = True
        ids = np.flatnonzero(used).astype(np.int64)  # sorted, as np.unique gives them
        n, m = len(ids), len(u)
        comp_km = np.zeros(n)
        if n:
            local = np.full(self.n_nodes, -1, dtype=np.int64)
            local[ids] = np.arange(n)
            iu, iv = local[u], local[v]
            graph = coo_matrix((np.ones(m), (iu, iv)), shape=(n, n))
            _, labels = connected_components(graph, directed=False)
            km = np.bincount(labels[iu], weights=self.length_m[mask] / 1000.0)
            comp_km = km[labels]
        tree = cKDTree(sphere_xyz(self.x[ids], self.y[ids])) if n else cKDTree(np.zeros((1, 3)))
        return tree, ids, comp_km

    def remember_snap(self, key: Any, value: tuple[B | None, Any]) -> None:
        """Keep one snap (see ``routing._snap``); a full memo starts again."""
        if len(self.snaps) >= 4096:
            self.snaps.clear()
        self.snaps[key] = value

    def edge_index(self, key: Any, mask: B) -> tuple[cKDTree, I64, F64]:
        """KD-tree of points along the masked edges, each point's edge, and each edge's km.

        The km, indexed by edge id (0 off the mask), are those of the connected component
        the edge is on (see :meth:`snap_index`). Each edge is sampled at both ends and at
        least every :data:`EDGE_SAMPLE_M` metres of its chord; points are :func:`sphere_xyz`
        metres, so that the edge nearest a point is among those with a sample within the
        nearest sample's distance plus half that spacing (see ``routing._snap``). Cached
        under ``key``, and stored with the routing graph.
        """
        hit = self._edge_trees.get(key)
        if hit is not None:
            return hit
        # stored with the routing graph: a fresh process reads it (a few ms) instead of
        # sampling the edges and building the tree (about 0.2 s for the regional rail)
        stored = _index_key(EDGE_VERSION, self.store_key, mask) if self.store_key else None
        found = _load_index("edge-indexes", stored) if stored else None
        if found is None:
            found = self._build_edge_index(key, mask)
            if stored:
                _store_index("edge-indexes", stored, found, EDGE_VERSION)
        if len(self._edge_trees) > 64:
            self._edge_trees.clear()
        self._edge_trees[key] = found
        return found

    def _build_edge_index(self, key: Any, mask: B) -> tuple[cKDTree, I64, F64]:
        """Samples, their edges and the edges' components' km (see :meth:`edge_index`)."""
        e = np.flatnonzero(mask)
        _, _, comp_node = self.snap_index(key, mask)
        comp_km = np.zeros(len(self.u))
        if not len(e):
            return cKDTree(np.zeros((1, 3))), e, comp_km
        a = sphere_xyz(self.x[self.u[e]], self.y[self.u[e]])
        b = sphere_xyz(self.x[self.v[e]], self.y[self.v[e]])
        chord = np.linalg.norm(b - a, axis=1)
        n = np.maximum(np.ceil(chord / EDGE_SAMPLE_M), 1).astype(np.int64) + 1
        owner = np.repeat(np.arange(len(e)), n)
        starts = np.cumsum(n) - n
        t = (np.arange(len(owner)) - starts[owner]) / (n[owner] - 1)
        x = self.x[self.u[e]][owner] + t * (self.x[self.v[e]] - self.x[self.u[e]])[owner]
        y = self.y[self.u[e]][owner] + t * (self.y[self.v[e]] - self.y[self.u[e]])[owner]
        _, inv = np.unique(np.concatenate([self.u[e], self.v[e]]), return_inverse=True)
        comp_km[e] = comp_node[inv[: len(e)]]
        # leaves of 32 points: half the nodes of the default 16 (less to store and read),
        # queries as fast
        return cKDTree(sphere_xyz(x, y), leafsize=32), e[owner], comp_km

    def shortest_path(
        self,
        key: Any,
        mask: B,
        weight: F64,
        source: int,
        target: int,
        *,
        limit: float = np.inf,
        one_off: bool = False,
    ) -> tuple[list[int], list[int]] | None:
        """Least-cost path as ``(nodes, edges)``, or ``None`` when there is none.

        ``limit`` bounds the search (in weight units); a path is looked for again without
        it when none is found within it. ``one_off``: the mask is kept briefly (see
        :meth:`csr`).
        """
        matrix, pair, eid = self.csr(key, mask, weight, one_off=one_off)
        limits = _search_bounds(limit)
        for bound in limits:
            dist, pred = dijkstra(
                matrix, directed=True, indices=source, return_predecessors=True, limit=bound
            )
            if np.isfinite(dist[target]):
                break
        if not np.isfinite(dist[target]):
            return None
        nodes = [target]
        while nodes[-1] != source:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        n = self.n_nodes
        keys = np.asarray(nodes[:-1], dtype=np.int64) * n + np.asarray(nodes[1:], dtype=np.int64)
        edges = eid[np.searchsorted(pair, keys)]
        return nodes, [int(e) for e in edges]


def cheapest_pair(
    find: Callable[[int, int], FoundPath | None],
    weight: F64,
    sources: Sequence[tuple[int, float]],
    targets: Sequence[tuple[int, float]],
) -> tuple[FoundPath, int, int] | None:
    """The cheapest of the paths ``find(s, t)`` over every source and target, one by one.

    Sources and targets are ``(node, initial cost)``, as for
    :meth:`RoutingGraph.fast_path_between`; a path's cost is both initial costs plus the sum
    of ``weight`` over its edges. On a tie the first pair found wins.
    """
    best: tuple[float, FoundPath, int, int] | None = None
    for s, s_off in sources:
        for t, t_off in targets:
            found: FoundPath | None = ([s], []) if s == t else find(s, t)
            if found is None or (s != t and len(found[1]) == 0):
                continue
            cost = s_off + t_off + float(weight[np.asarray(found[1], dtype=np.int64)].sum())
            if best is None or cost < best[0]:
                best = (cost, found, s, t)
    return None if best is None else best[1:]


_CACHE: weakref.WeakKeyDictionary[Network, dict[Any, RoutingGraph]] = weakref.WeakKeyDictionary()

#: Bump when the stored routing graph's arrays change meaning.
GRAPH_VERSION = "routing-graph-4"
#: The per-node and per-edge arrays of a routing graph: every field the constructor needs.
_ARRAYS = tuple(
    f.name
    for f in fields(RoutingGraph)
    if f.default is MISSING
    and f.default_factory is MISSING
    and f.name not in ("link_names", "n_network_edges")
)


def _stored_key(net: Network, links: Mapping[str, Link]) -> str | None:
    """Cache key of a network's routing graph with these links; ``None`` for an uncached net.

    It covers the network's own key, every link's name, mode, status and points, the
    borders setting (overlay nodes get countries) and the source of this module.
    """
    base = net.meta.get("cache_key")
    if not base:
        return None
    import hashlib
    import json
    from pathlib import Path

    from corridors import settings
    from corridors.network._cache import cache_key

    h = hashlib.sha256()
    for name in sorted(links):
        lk = links[name]
        coords = [[float(c) for c in pt] for pt in lk.coords]
        h.update(json.dumps([name, lk.mode.value, lk.status.value, coords]).encode())
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return cache_key(
        {
            "kind": GRAPH_VERSION,
            "network": str(base),
            "links": h.hexdigest(),
            "borders": settings.borders,
            "graph_code": code,
        }
    )


def _int64(a: Any) -> Any:
    """``a`` as 64-bit integers: itself when it is already (a view into the mapped entry).

    Node ids are stored as 64-bit integers, so a fresh process converts nothing; entries
    written with 32-bit ids (before) are converted.
    """
    return np.asarray(a).astype(np.int64, copy=False)


def _load_stored(key: str) -> RoutingGraph | None:
    """The routing graph stored under ``key``, or ``None`` (absent or unreadable)."""
    import logging
    import zipfile

    from corridors.network._cache import load_arrays

    try:
        z = load_arrays("routing-graphs", key)
        if z is None:
            return None
        arrays = {name: z[name] for name in _ARRAYS}
        for name in ("u", "v"):
            arrays[name] = _int64(arrays[name])
        names = tuple(str(n) for n in z["link_names"])
        n_net = int(z["n_network_edges"])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        logging.getLogger("corridors").warning(
            "routing graph cache entry %s is unreadable (%s); rebuilding it", key[:32], exc
        )
        return None
    return RoutingGraph(**arrays, link_names=names, n_network_edges=n_net)


def _store(key: str, graph: RoutingGraph) -> None:
    """Write the graph's arrays as a cache entry (see :func:`_store_npz`)."""
    arrays = {
        "link_names": np.asarray(graph.link_names, dtype=str),
        "n_network_edges": np.asarray(graph.n_network_edges),
        **{name: getattr(graph, name) for name in _ARRAYS},
    }
    _store_npz("routing-graphs", key, arrays, GRAPH_VERSION)


def _store_npz(kind: str, key: str, arrays: Mapping[str, Any], version: str) -> None:
    """Write arrays as an uncompressed, aligned ``.npz`` cache entry of ``kind``.

    Written atomically with its manifest; a cache that cannot be written (read-only) only
    logs a warning, and the caller goes on with what it built.
    """
    import logging
    from pathlib import Path

    from corridors._errors import CacheError
    from corridors.network._cache import npz_bytes, save_entry

    data = npz_bytes(arrays)  # aligned: read back as views, not copies

    def write(path: Path) -> None:
        path.write_bytes(data)

    try:
        save_entry(kind, key, ".npz", write, {"version": version})
    except CacheError as exc:
        logging.getLogger("corridors").warning("%s not cached: %s", kind, exc)


#: Bump when a stored snap index's arrays change meaning.
SNAP_VERSION = "snap-index-2"
#: Bump when a stored edge index's arrays change meaning (or :data:`EDGE_SAMPLE_M`).
EDGE_VERSION = f"edge-index-2-{EDGE_SAMPLE_M:g}m"


def _index_key(version: str, graph_key: str, mask: B) -> str:
    """Cache key of the ``version`` index (snap or edge) of ``mask`` on the graph ``graph_key``.

    The KD-tree is stored as SciPy's own state (arrays and integers), whose layout is
    SciPy's: its version is in the key.
    """
    import hashlib

    import scipy

    from corridors.network._cache import cache_key

    digest = hashlib.sha256(np.packbits(mask).tobytes()).hexdigest()
    return cache_key(
        {
            "kind": version,
            "graph": graph_key,
            "mask": digest,
            "n_edges": len(mask),
            "scipy": scipy.__version__,
        }
    )


def _load_index(kind: str, key: str) -> tuple[cKDTree, I64, F64] | None:
    """A snap or edge index stored under ``key``: tree, ids and km, or ``None``.

    ``None`` when absent or unreadable (a warning says so; the caller rebuilds it).
    """
    import logging
    import zipfile

    from corridors.network._cache import load_arrays

    try:
        z = load_arrays(kind, key)
        if z is None:
            return None
        kinds = [str(k) for k in z["tree_kinds"]]
        state: list[Any] = []
        for i, item in enumerate(kinds):
            a = z[f"tree_{i}"]
            state.append(None if item == "none" else int(a) if item == "int" else a)
        ids = _int64(z["ids"])
        comp_km = np.asarray(z["comp_km"], dtype=np.float64)
        tree = cKDTree.__new__(cKDTree)
        tree.__setstate__(tuple(state))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        logging.getLogger("corridors").warning(
            "%s cache entry %s is unreadable (%s); rebuilding it", kind, key[:32], exc
        )
        return None
    return tree, ids, comp_km


def _store_index(kind: str, key: str, index: tuple[cKDTree, I64, F64], version: str) -> None:
    """Write a snap or edge index as a cache entry (see :func:`_store_npz`)."""
    tree, ids, comp_km = index
    arrays: dict[str, Any] = {"ids": ids, "comp_km": comp_km}
    kinds = []
    for i, item in enumerate(tree.__getstate__()):
        kind_i = "none" if item is None else "int" if isinstance(item, int) else "array"
        kinds.append(kind_i)
        arrays[f"tree_{i}"] = np.zeros(0) if item is None else np.asarray(item)
    arrays["tree_kinds"] = np.asarray(kinds)
    _store_npz(kind, key, arrays, version)


def is_current(net: Network, graph: RoutingGraph) -> bool:
    """Whether ``graph`` is still the one :func:`routing_graph` keeps for ``net``."""
    return any(g is graph for g in _CACHE.get(net, {}).values())


def routing_graph(net: Network, links: Mapping[str, Link] | None = None) -> RoutingGraph:
    """The routing graph of a network with the given links as switched-off overlays.

    Kept in memory per network and, for a cached network, stored with it (content-hashed,
    written atomically), so that a fresh process reads it instead of building it.
    """
    links = dict(links or {})
    key = tuple(sorted((k, lk.coords[0], lk.coords[-1], len(lk.coords)) for k, lk in links.items()))
    per_net = _CACHE.setdefault(net, {})
    if key in per_net:
        return per_net[key]
    # stored with the network cache, so a fresh process does not rebuild it (about 1 s)
    stored = _stored_key(net, links)
    if stored is not None:
        hit = _load_stored(stored)
        if hit is not None:
            hit.store_key = stored
            per_net[key] = hit
            return hit
    n, e = net.nodes, net.edges
    x, y = n["x"].to_numpy(np.float64), n["y"].to_numpy(np.float64)
    country = n["country"].astype(str).to_numpy().astype("<U3")
    parts: dict[str, list[Any]] = {k: [] for k in ("u", "v", "len", "mode", "status", "link")}
    xs, ys, cs = [x], [y], [country]
    next_id = len(x)
    # built links are on the network already; only the others become switchable overlays
    links = {k: lk for k, lk in links.items() if lk.status.value != "operational"}
    names = tuple(sorted(links))
    for li, name in enumerate(names):
        link = links[name]
        pts = np.asarray(link.coords, dtype=np.float64)
        ids = np.arange(next_id, next_id + len(pts))
        next_id += len(pts)
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        cs.append(boundaries.countries_at(pts[:, 0], pts[:, 1]).astype("<U3"))
        parts["u"].append(ids[:-1])
        parts["v"].append(ids[1:])
        parts["len"].append(geodesic_lengths_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]))
        parts["mode"].append(np.full(len(pts) - 1, MODES.index(link.mode.value), np.int8))
        parts["status"].append(np.full(len(pts) - 1, STATUSES.index(link.status.value), np.int8))
        parts["link"].append(np.full(len(pts) - 1, li, np.int16))
    all_x, all_y = np.concatenate(xs), np.concatenate(ys)
    all_c = np.concatenate(cs)
    u = np.concatenate([e["u"].to_numpy(np.int64), *parts["u"]])
    v = np.concatenate([e["v"].to_numpy(np.int64), *parts["v"]])
    m_links = sum(len(a) for a in parts["u"])
    graph = RoutingGraph(
        x=all_x,
        y=all_y,
        country=all_c,
        u=u,
        v=v,
        length_m=np.concatenate([e["length_m"].to_numpy(np.float64), *parts["len"]]),
        mode=np.concatenate([_codes(e["mode"], MODES), *parts["mode"]]),
        status=np.concatenate([_codes(e["status"], STATUSES), *parts["status"]]),
        gauge_mm=np.concatenate([e["gauge_mm"].to_numpy(np.int16), np.zeros(m_links, np.int16)]),
        bridged=np.concatenate([e["bridged"].to_numpy(bool), np.zeros(m_links, bool)]),
        volga_don=np.concatenate(
            [(e["passage"].astype(str) == "volga-don").to_numpy(), np.zeros(m_links, bool)]
        ),
        closed=np.concatenate(
            [
                e["closed"].to_numpy(bool) if "closed" in e.columns else np.zeros(len(e), bool),
                np.zeros(m_links, bool),
            ]
        ),
        schematic=np.concatenate(
            [
                (e["length_source"].astype(str) == LENGTH_TRACK).to_numpy()
                if "length_source" in e.columns
                else np.zeros(len(e), bool),
                np.zeros(m_links, bool),
            ]
        ),
        link=np.concatenate([np.full(len(e), -1, np.int16), *parts["link"]]),
        link_names=names,
        n_network_edges=len(e),
    )
    # overlay ends join the network: the nearest node of the same mode, no length added
    _join_overlays(graph, links, names)
    per_net[key] = graph
    if stored is not None:
        _store(stored, graph)
        graph.store_key = stored
    return graph


_OPERATIONAL = STATUSES.index("operational")


def _join_overlays(graph: RoutingGraph, links: Mapping[str, Link], names: tuple[str, ...]) -> None:
    """Give each overlay's end nodes a tie to the nearest operational network node of its mode."""
    ties_u: list[int] = []
    ties_v: list[int] = []
    ties_len: list[float] = []
    ties_mode: list[int] = []
    ties_link: list[int] = []
    net_mask = np.zeros(len(graph.u), dtype=bool)
    net_mask[: graph.n_network_edges] = True
    for li, name in enumerate(names):
        link = links[name]
        mode_code = MODES.index(link.mode.value)
        on = np.flatnonzero(graph.link == li)
        if not len(on):
            continue
        ends = (int(graph.u[on[0]]), int(graph.v[on[-1]]))
        # tie to the network of the same mode, or to another overlay's end node
        other_ends = [
            n
            for lj in range(len(names))
            if lj != li
            for n in _overlay_ends(graph, lj)
            if graph.mode[graph.link == lj][0] == mode_code
        ]
        # the nearest node of any status, and the nearest built one: the OSM layer maps a
        # link's works as ``construction`` stubs that lead nowhere until they are finished,
        # while a planned link may continue a line under construction (Meghri after
        # Horadiz–Aghband); each tie is usable when its node's edges are
        trees = []
        for built in (False, True):
            mask = net_mask & (graph.mode == mode_code)
            if built:
                mask &= graph.status == _OPERATIONAL
            trees.append(graph.snap_tree(("overlay", mode_code, built), mask))
        ids_set = set(trees[0][1].tolist())
        for end in ends:
            here = sphere_xyz(graph.x[end], graph.y[end])
            cands: list[tuple[float, int]] = []
            for tree, ids in trees:
                if not len(ids):
                    continue
                # the nearest node on the same side of any border (a tie must not jump a
                # border river where there is no bridge), else the nearest within 5 km
                k = min(32, len(ids))
                dd, ii = tree.query(here, k=k)
                same = [
                    (float(d), int(ids[i]))
                    for d, i in zip(np.atleast_1d(dd), np.atleast_1d(ii), strict=True)
                    if graph.country[int(ids[i])] == graph.country[end]
                ]
                first = (float(np.atleast_1d(dd)[0]), int(ids[np.atleast_1d(ii)[0]]))
                pick = same[0] if same else first
                if pick not in cands:
                    cands.append(pick)
            for n in other_ends:
                cands.append((float(np.linalg.norm(here - sphere_xyz(graph.x[n], graph.y[n]))), n))
            for d, node in cands:
                on_network = node in ids_set
                same_side = graph.country[node] == graph.country[end]
                if d > (30_000 if on_network and same_side else 5_000):
                    continue
                ties_u.append(end)
                ties_v.append(node)
                ties_len.append(
                    float(
                        geodesic_lengths_m(
                            [graph.x[end]], [graph.y[end]], [graph.x[node]], [graph.y[node]]
                        )[0]
                    )
                )
                ties_mode.append(mode_code)
                ties_link.append(li)
    if not ties_u:
        return
    k = len(ties_u)
    status_of = {li: graph.status[graph.link == li][0] for li in set(ties_link)}
    graph.u = np.concatenate([graph.u, np.asarray(ties_u, np.int64)])
    graph.v = np.concatenate([graph.v, np.asarray(ties_v, np.int64)])
    graph.length_m = np.concatenate([graph.length_m, np.asarray(ties_len)])
    graph.mode = np.concatenate([graph.mode, np.asarray(ties_mode, np.int8)])
    graph.status = np.concatenate(
        [graph.status, np.asarray([status_of[li] for li in ties_link], np.int8)]
    )
    graph.gauge_mm = np.concatenate([graph.gauge_mm, np.zeros(k, np.int16)])
    graph.bridged = np.concatenate([graph.bridged, np.zeros(k, bool)])
    graph.volga_don = np.concatenate([graph.volga_don, np.zeros(k, bool)])
    graph.closed = np.concatenate([graph.closed, np.zeros(k, bool)])
    graph.schematic = np.concatenate([graph.schematic, np.zeros(k, bool)])
    graph.link = np.concatenate([graph.link, np.asarray(ties_link, np.int16)])
    graph._trees.clear()
    graph.snaps.clear()


def _overlay_ends(graph: RoutingGraph, li: int) -> tuple[int, int]:
    on = np.flatnonzero(graph.link == li)
    return int(graph.u[on[0]]), int(graph.v[on[-1]])
