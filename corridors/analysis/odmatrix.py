"""Criticality over an origin–destination matrix: each link closed once for every pair using it.

The built-in matrix is every unordered pair of the gazetteer's 50 main places
(``geodata/main_places.yaml``, which states the rule that picked them): 1,225 pairs, routed by
rail (``route(a, b, net, modes="rail")``; pass another mode to :func:`matrix_items`). A pair
without a rail path between its places has no baseline and is reported as failed.

The rows are those of :func:`corridors.analysis.criticality.evaluate` for the same pair and
link (tests check that, row for row); what differs is how they are computed:

- **closures are shared**: the links of all pairs are grouped by the edges they close, so a
  link that many pairs run over is one group (one task), and its closed routing graph (the
  CSR matrix for that mask) is built once for all of them;
- **one search per pair, no rebuilt route**: each pair is rerouted with the same search as
  :func:`corridors.routing.route` (the same snapped points, mask, weights, bound and cache key),
  but the route is not rebuilt: where the detour provably leaves everything but the
  length and the moving time as they were, those two are computed from the path's edge
  lengths and the baseline's own border crossings, port calls and transshipments (see
  :func:`_shortcut`); anywhere else (a detour in another country or near a border, a gauge
  change, a cut) the pair is evaluated in full by ``evaluate``.

A single-link failure analysis in the sense of Jafino et al. (2020) and RA2CE, as
:mod:`corridors.analysis.criticality` describes: per pair the increase in travel time,
distance and cost, unsatisfied demand (a cut), and RA2CE's single-link redundancy; over
pairs, :func:`corridors.analysis.criticality.rank_overall` counts the pairs each link cuts
and sums the hours it adds (each pair a demand of one).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors import settings
from corridors._errors import InfeasibleRouteError, SnapError
from corridors.analysis.criticality import (
    Element,
    Item,
    baseline,
    closure_row,
    elements_of,
    evaluate,
)
from corridors.network._graph import MODES, RoutingGraph, routing_graph
from corridors.network.core import Network

__all__ = [
    "COUNTS",
    "Group",
    "evaluate_groups",
    "matrix_items",
    "pack",
    "plan_groups",
    "sweep_od",
]

#: A detour's country run must stay at least this much longer than the sliver rule's limit
#: (:data:`corridors.settings.sliver_max_km`), in km, for the shortcut to apply.
_RUN_MARGIN_KM = 100.0


def matrix_items(mode: str = "rail", places: Sequence[str] | None = None) -> list[Item]:
    """Every unordered pair of the main places (or of ``places``), in list order.

    Parameters
    ----------
    mode
        The mode each pair is routed on (``"rail"``, ``"road"``, ...).
    places
        Place names; default the 50 of ``geodata/main_places.yaml`` (1,225 pairs).
    """
    from corridors.geo.geodata import main_places

    names = list(places) if places is not None else [p.name for p in main_places()]
    return [
        Item("od", f"{a} → {b} ({mode})", a, b, mode) for a, b in itertools.combinations(names, 2)
    ]


@dataclass(frozen=True)
class Group:
    """One closure and the pairs whose baselines use it: ``(item, element)`` in plan order."""

    key: tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]
    work: tuple[tuple[Item, Element], ...]


def plan_groups(
    items: Sequence[Item], network: Network
) -> tuple[list[Group], list[str], dict[str, Element]]:
    """The closures of every item, grouped by the edges and links they close.

    Returns
    -------
    (groups, failed, elements)
        Groups in order of first use, the items whose baseline could not be routed, and the
        elements by id.
    """
    by_key: dict[tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]], list[Any]] = {}
    failed: list[str] = []
    elements: dict[str, Element] = {}
    for item in items:
        try:
            base, m, _ = baseline(item, network)
        except (InfeasibleRouteError, SnapError) as exc:
            failed.append(f"{item.id}: {exc}")
            continue
        for el in elements_of(base, network, m):
            by_key.setdefault((el.edges, el.links, el.release), []).append((item, el))
            elements.setdefault(el.id, el)
    return [Group(k, tuple(w)) for k, w in by_key.items()], failed, elements


# --- the per-pair search -----------------------------------------------------------------------


@dataclass(eq=False)
class _Pair:
    """What rerouting one OD baseline needs, computed once per network."""

    graph: RoutingGraph
    key: tuple[Any, ...]
    mask: npt.NDArray[np.bool_]
    weights: npt.NDArray[np.float64]
    source: int
    target: int
    limit: float
    edges: npt.NDArray[np.int64]  # the baseline's path edges, in order
    head: int  # access pieces and parts of snapped edges before the path
    #: the nodes each end may enter the network at, with the cost along its snapped edge
    #: (one node, cost 0, for an end snapped to a node): as ``routing._join`` weighs them
    entries_a: tuple[tuple[int, float], ...]
    entries_b: tuple[tuple[int, float], ...]
    lengths: npt.NDArray[np.float64]  # length_m of every baseline piece
    labels: list[str]  # country label of every baseline piece (``country_runs``)
    blocks: npt.NDArray[np.int64]  # label block index of every piece
    block_m: npt.NDArray[np.float64]  # length of each label block, m
    block_inner: npt.NDArray[np.bool_]  # neither the first nor the last block
    border_h: float
    port_h: float
    trans_h: float
    speed_kmh: float
    no_path: str  # the message ``route`` raises when no path is left


#: How many closures each path took in this process: ``shortcut`` or why not (``full: ...``).
COUNTS: dict[str, int] = {}


def _count(what: str) -> None:
    COUNTS[what] = COUNTS.get(what, 0) + 1


_PAIRS: weakref.WeakKeyDictionary[Network, dict[Item, _Pair | None]] = weakref.WeakKeyDictionary()


def _pair(item: Item, network: Network) -> _Pair | None:
    """The search of ``route(item.origin, item.destination, network, modes=item.mode)``.

    ``None`` when the shortcut cannot serve this item (not a one-mode rail pair on network
    edges); such items are always evaluated in full.
    """
    per = _PAIRS.setdefault(network, {})
    if item in per:
        return per[item]
    per[item] = out = _build_pair(item, network)
    return out


def _build_pair(item: Item, network: Network) -> _Pair | None:
    from corridors.analysis.metrics import _time, border_crossings, gauge_breaks, transshipments
    from corridors.analysis.timemodel import DEFAULT_TIME_MODEL
    from corridors.geo.runs import _labels, country_runs
    from corridors.routing import RoutingOptions as Options
    from corridors.routing import (
        _all_links,
        _check_options,
        _edge_mask,
        _opened_links,
        _snap,
        _weights,
        as_waypoint,
    )

    if item.kind != "od" or item.mode != "rail":
        return None
    base, _, _ = baseline(item, network)
    p = base.pieces
    if not len(p) or (p["mode"].astype(str) != "rail").any():
        return None
    # the preamble of routing.route for one mode and default options
    a, b = as_waypoint(item.origin), as_waypoint(item.destination)
    opts = _check_options(Options(), _all_links())
    known = _all_links()
    opened = _opened_links(known, opts)
    graph = routing_graph(network, known)
    volga = settings.allow_volga_don
    limit_km = settings.snap_limit_km
    use_modes = ("rail",)
    weights = _weights(graph, opts, by_time=False)
    mask = _edge_mask(graph, use_modes, ("operational",), opened, set(), volga)
    key: tuple[Any, ...] = (use_modes, tuple(sorted(opened)), (), volga, (), "hard")
    snap_mask = mask & (graph.mode != MODES.index("transfer"))
    what = f"route {a.name!r} – {b.name!r} (rail)"
    sa = _snap(graph, ("snap", key), snap_mask, a, limit_km=limit_km, what=what)
    sb = _snap(graph, ("snap", key), snap_mask, b, limit_km=limit_km, what=what)
    from corridors.geo.boundaries import geodesic_lengths_m

    straight_m = float(geodesic_lengths_m([sa.x], [sa.y], [sb.x], [sb.y])[0])
    access = p["access"].to_numpy(bool)
    on_path = ~access
    # the parts of snapped edges at either end are not path edges: the path runs between
    # the nodes they reach
    first, last = int(np.argmax(on_path)), len(p) - 1 - int(np.argmax(on_path[::-1]))
    if not on_path.any() or first >= last:
        return None
    if sa.edge >= 0:
        on_path[first] = False
    if sb.edge >= 0:
        on_path[last] = False
    edges = p["edge"].to_numpy(np.int64)[on_path]
    if not len(edges) or (edges < 0).any():
        return None
    head = int(np.argmax(on_path))
    if not on_path[head : head + len(edges)].all():
        return None  # access pieces only at the ends
    na = _entered(graph, sa, float(p["x1"].iloc[first]), float(p["y1"].iloc[first]))
    nb = _entered(graph, sb, float(p["x0"].iloc[last]), float(p["y0"].iloc[last]))
    if na == nb:
        return None
    runs = country_runs(p)
    crossings = border_crossings(p, runs=runs)
    breaks = gauge_breaks(p, crossings=crossings)
    changes = transshipments(base)
    t = _time(base, runs, crossings, breaks, changes, DEFAULT_TIME_MODEL)
    if t is None:
        return None
    labels = _labels(p, settings.border_tolerance_km)
    starts = np.r_[True, np.asarray(labels[1:]) != np.asarray(labels[:-1])]
    blocks = np.cumsum(starts) - 1
    lengths = p["length_m"].to_numpy(float)
    block_m = np.bincount(blocks, weights=lengths).astype(np.float64)
    block_country = [labels[i] for i in np.flatnonzero(starts)]
    inner = np.zeros(len(block_country), dtype=bool)
    inner[1:-1] = True
    model = DEFAULT_TIME_MODEL
    border = sum(
        c.dwell_h if c.dwell_h is not None else model.border_dwell_h.get(c.mode, 0.0)
        for c in crossings
    )
    port = sum(2 for r in runs if r.water) * model.port_dwell_h
    land = [
        c for c in changes if c["from"] not in ("ferry", "sea") and c["to"] not in ("ferry", "sea")
    ]
    trans = (len(breaks) + len(land)) * model.transshipment_h
    return _Pair(
        graph=graph,
        key=("path", key, False, id(weights)),
        mask=mask,
        weights=weights,
        source=na,
        target=nb,
        limit=3.0 * straight_m + 300_000.0,
        edges=edges,
        head=head,
        entries_a=tuple(sa.entries(graph, weights)),
        entries_b=tuple(sb.entries(graph, weights)),
        lengths=lengths,
        labels=labels,
        blocks=blocks,
        block_m=block_m,
        block_inner=inner,
        border_h=float(border),
        port_h=float(port),
        trans_h=float(trans),
        speed_kmh=float(model.speed_kmh["rail"]),
        no_path=f"{what}: no path on the rail network between these places",
    )


def _entered(graph: RoutingGraph, snap: Any, x: float, y: float) -> int:
    """The node a path enters the network at.

    The snapped node, or the end of the snapped edge at ``(x, y)``, where the part of that
    edge ends.
    """
    if snap.edge < 0:
        return int(snap.node)
    u, v = int(graph.u[snap.edge]), int(graph.v[snap.edge])
    return u if np.isclose(graph.x[u], x) and np.isclose(graph.y[u], y) else v


def _miss(why: str) -> tuple[float, float] | None:
    """Count why the shortcut does not apply; ``None``."""
    _count(f"full: {why}")
    return None


def _shortcut(pr: _Pair, new_edges: npt.NDArray[np.int64]) -> tuple[float, float] | None:
    """``(length_km, time_h)`` of the rerouted pair, unrounded, or ``None`` to evaluate in full.

    The detour replaces one stretch of the baseline path (``B[i:k]``) by another
    (``N[i:l]``), the rest of the path being the same. When every node of both stretches and
    of the path edge on either side of them is in one country ``C``, the baseline's country
    labels are ``C`` there, every edge is rail of one known gauge, and ``C``'s stretch of
    the route is long enough that the sliver rule cannot apply to it (or has no land
    country on both sides), then the country runs, border crossings (their places and
    dwell), gauge breaks, port calls and transshipments of the rerouted route are the
    baseline's: only the length and the moving time change. The time is computed as
    :func:`corridors.analysis.metrics._time` computes it.
    """
    g = pr.graph
    b = pr.edges
    m = min(len(b), len(new_edges))
    neq = b[:m] != new_edges[:m]
    i = int(np.argmax(neq)) if neq.any() else m
    rb, rn = b[::-1], new_edges[::-1]
    m2 = min(len(b), len(new_edges)) - i
    neq2 = rb[:m2] != rn[:m2]
    j = int(np.argmax(neq2)) if neq2.any() else m2
    k, lnew = len(b) - j, len(new_edges) - j
    if i < 1 or j < 1:
        return _miss("ends")
    if (new_edges >= g.n_network_edges).any():
        return _miss("overlay")
    touched = np.concatenate([b[i - 1 : k + 1], new_edges[i:lnew]])
    nodes = np.concatenate([g.u[touched], g.v[touched]])
    countries = g.country[nodes]
    c = str(countries[0])
    if not c or (countries != c).any():
        return _miss("countries")
    if (g.mode[touched] != MODES.index("rail")).any():
        return _miss("mode")
    gauges = g.gauge_mm[touched]
    if gauges[0] <= 0 or (gauges != gauges[0]).any():
        return _miss("gauge")
    lo, hi = pr.head + i - 1, pr.head + k  # baseline pieces of the stretch and its margins
    if any(pr.labels[x] != c for x in range(lo, hi + 1)):
        return _miss("labels")
    blk = int(pr.blocks[lo])
    if int(pr.blocks[hi]) != blk:
        return _miss("blocks")
    removed = float(pr.lengths[pr.head + i : pr.head + k].sum())
    added_arr = g.length_m[new_edges[i:lnew]]
    new_block_km = (float(pr.block_m[blk]) - removed + float(added_arr.sum())) / 1000.0
    limit = settings.sliver_max_km + _RUN_MARGIN_KM
    if pr.block_inner[blk] and min(float(pr.block_m[blk]) / 1000.0, new_block_km) < limit:
        return _miss("sliver")
    lengths = np.concatenate([pr.lengths[: pr.head + i], added_arr, pr.lengths[pr.head + k :]])
    length_km = float(pd.Series(lengths).sum()) / 1000.0
    km = lengths / 1000.0
    moving = float(np.sum(km / pr.speed_kmh))
    time_h = moving + pr.border_h + pr.port_h + pr.trans_h
    return length_km, time_h


def _closed_matrix(pr: _Pair, closed: tuple[int, ...]) -> tuple[Any, Any, Any] | None:
    """The search matrix ``route`` builds with ``closed`` cut, with its pair keys and edges.

    It is the open search's matrix with the closed edges' entries deleted, which is what
    :meth:`RoutingGraph.csr` builds for the closed mask when every edge joining the same two
    nodes is closed too (a link's parallel tracks are part of its closure); ``None``
    otherwise, and the caller takes the long way.
    """
    from scipy.sparse import csr_matrix

    g = pr.graph
    matrix, pair, eid = g.csr(pr.key, pr.mask, pr.weights)
    e = np.asarray(closed, dtype=np.int64)
    e = e[pr.mask[e]]
    n = g.n_nodes
    keys = np.concatenate([g.u[e] * n + g.v[e], g.v[e] * n + g.u[e]])
    pos = np.minimum(np.searchsorted(pair, keys), len(pair) - 1)
    pos = np.unique(pos[pair[pos] == keys])
    if not np.isin(eid[pos], e).all():
        return None  # an open parallel edge would take over the pair
    keep = np.ones(len(pair), dtype=bool)
    keep[pos] = False
    indptr = matrix.indptr - np.searchsorted(pos, matrix.indptr, side="left")
    closed_m = csr_matrix(
        (matrix.data[keep], matrix.indices[keep], indptr.astype(matrix.indptr.dtype)),
        shape=matrix.shape,
    )
    return closed_m, pair[keep], eid[keep]


def _paths(
    searched: tuple[Any, Any, Any], source: int, targets: Sequence[tuple[int, float]]
) -> list[list[int] | None]:
    """Edges of the least-cost path from ``source`` to each ``(target, limit)``, or ``None``.

    One target: the bounded searches of :meth:`RoutingGraph.shortest_path`. Several: one
    search for all, bounded by the largest of their bounds, then unbounded if a target is
    not reached (a bound only stops a search early; the nodes it reaches get the same
    distances and predecessors, so the paths are the same).
    """
    from scipy.sparse.csgraph import dijkstra

    from corridors.network._graph import _search_bounds

    matrix, pair, eid = searched
    n = matrix.shape[0]
    bounds = (
        _search_bounds(targets[0][1]) if len(targets) == 1 else [max(t[1] for t in targets), np.inf]
    )
    for bound in bounds:
        dist, pred = dijkstra(
            matrix, directed=True, indices=source, return_predecessors=True, limit=bound
        )
        if all(np.isfinite(dist[t]) for t, _ in targets):
            break
    out: list[list[int] | None] = []
    for target, _ in targets:
        if not np.isfinite(dist[target]):
            out.append(None)
            continue
        nodes = [target]
        while nodes[-1] != source:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        arr = np.asarray(nodes, dtype=np.int64)
        out.append([int(x) for x in eid[np.searchsorted(pair, arr[:-1] * n + arr[1:])]])
    return out


def _row(item: Item, element: Element, network: Network, pr: _Pair, edges: Any) -> dict[str, Any]:
    """The row of ``evaluate(item, element, network)`` given the rerouted path's edges."""
    _, mb, cb = baseline(item, network)
    if edges is None:
        _count("cut")
        return closure_row(item, element, mb, cb, None, pr.no_path)
    hit = _shortcut(pr, np.asarray(edges, dtype=np.int64))
    if hit is None:
        return evaluate(item, element, network)
    length_km, time_h = hit
    _count("shortcut")
    leg = {**mb["legs"][0], "length_km": round(length_km, 1)}
    ms = {**mb, "length_km": round(length_km, 1), "time_h": round(time_h, 1), "legs": [leg]}
    return closure_row(item, element, mb, cb, ms, "")


def _same_ends(pr: _Pair, searched: tuple[Any, Any, Any], edges: list[int] | None) -> bool:
    """Whether the closed route still enters the network at the baseline's two nodes.

    An end snapped inside an edge may enter at either of its nodes; ``route`` takes the
    cheapest way (``routing._join``: the cost along the edge to each node plus the path),
    which a closure may change. The other ways are searched on the same closed matrix and
    weighed in the same order; ``False`` when another is cheaper (the pair is then
    evaluated in full).
    """
    if len(pr.entries_a) == 1 and len(pr.entries_b) == 1:
        return True
    w = pr.weights
    best: tuple[float, int, int] | None = None
    for na, oa in pr.entries_a:
        targets = [(nb, pr.limit) for nb, _ in pr.entries_b if nb != na]
        found = dict(zip([t for t, _ in targets], _paths(searched, na, targets), strict=True))
        for nb, ob in pr.entries_b:
            if na == nb:
                cost = oa + ob + 0.0
            elif (na, nb) == (pr.source, pr.target):
                if edges is None:
                    continue
                cost = oa + ob + float(w[np.asarray(edges, dtype=np.int64)].sum())
            else:
                path = found[nb]
                if path is None or not path:
                    continue
                cost = oa + ob + float(w[np.asarray(path, dtype=np.int64)].sum())
            if best is None or cost < best[0]:
                best = (cost, na, nb)
    return best is None or (best[1], best[2]) == (pr.source, pr.target)


def _group_rows(group: Group, network: Network) -> list[dict[str, Any]]:
    """The rows of one closure for every pair using it, in the group's order."""
    rows: list[dict[str, Any] | None] = [None] * len(group.work)
    buckets: dict[tuple[Any, int], list[int]] = {}
    prs: list[_Pair | None] = []
    for k, (item, el) in enumerate(group.work):
        pr = _pair(item, network) if not (el.links or el.release) else None
        prs.append(pr)
        if pr is None:
            _count("full: not a rail pair on network edges")
            rows[k] = evaluate(item, el, network)
        else:
            buckets.setdefault((pr.key, pr.source), []).append(k)
    matrices: dict[Any, Any] = {}
    for (key, source), ks in buckets.items():
        first = prs[ks[0]]
        assert first is not None
        if key not in matrices:
            matrices[key] = _closed_matrix(first, group.work[ks[0]][1].edges)
        searched = matrices[key]
        if searched is None:
            for k in ks:
                _count("full: open parallel")
                rows[k] = evaluate(*group.work[k], network)
            continue
        targets = [(p.target, p.limit) for p in (prs[k] for k in ks) if p is not None]
        for k, edges in zip(ks, _paths(searched, source, targets), strict=True):
            pr = prs[k]
            assert pr is not None
            item, el = group.work[k]
            if not _same_ends(pr, searched, edges):
                _count("full: other ends")
                rows[k] = evaluate(item, el, network)
                continue
            rows[k] = _row(item, el, network, pr, edges)
    return [r for r in rows if r is not None]


def evaluate_groups(network: Network, batch: Sequence[Group]) -> list[dict[str, Any]]:
    """Evaluate a batch of closure groups (a Dask task); rows in group, then pair, order."""
    return [row for group in batch for row in _group_rows(group, network)]


def pack(groups: Sequence[Group], size: int) -> list[list[Group]]:
    """Groups packed, in order, into batches of about ``size`` closures each (a group whole)."""
    out: list[list[Group]] = []
    cur: list[Group] = []
    n = 0
    for g in groups:
        if cur and n + len(g.work) > size:
            out.append(cur)
            cur, n = [], 0
        cur.append(g)
        n += len(g.work)
    if cur:
        out.append(cur)
    return out


def sweep_od(
    items: Sequence[Item],
    network: Network,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    client: Any = None,
    batch_size: int = 200,
    parquet: Path | None = None,
    progress: bool = False,
    on_batch: Any = None,
) -> tuple[list[dict[str, Any]], Any, list[str], dict[str, Element]]:
    """Close every link the pairs' baselines use, each closure once for all its pairs.

    As :func:`corridors.analysis.criticality.sweep_criticality` (same rows, ranks and
    return values); a task is a batch of whole closure groups of about ``batch_size``
    (pair, closure) evaluations.
    """
    from corridors.analysis._engine import run_batches
    from corridors.analysis.criticality import _schema, _table, rank_rows

    groups, failed, elements = plan_groups(items, network)
    batches = pack(groups, batch_size)
    rows, run = run_batches(
        evaluate_groups,
        network,
        batches,
        scheduler=scheduler,
        n_workers=n_workers,
        client=client,
        parquet=parquet,
        schema=_schema(),
        to_table=_table,
        progress=progress,
        on_batch=on_batch,
        what="closures",
        evaluations=sum(len(g.work) for g in groups),
    )
    return rank_rows(rows), run, failed, elements
