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
- **a hierarchy query per pair entry, no rebuilt route**: each pair is rerouted with the
  same searches as :func:`corridors.routing.route` (the same snapped points, mask and weights;
  an end snapped inside an edge enters at either of its nodes with the prorated part of the
  edge, the cheapest of up to four ways winning as in ``routing._join``), each one query of a
  contraction hierarchy with the closure applied by a partial update of the search's own
  customised metric (at its integer scale, so that ties between paths of equal length
  are broken as on the baseline's; a cut is checked on a metric whose scale has room for
  any detour), but the route is not rebuilt: where the detour provably leaves everything
  but the length and the moving time as they were, those two are computed from the path's
  edge lengths and the baseline's own border crossings, port calls and transshipments (see
  :func:`_shortcut`); anywhere else (a detour in another country or near a border, a gauge
  change, a path entering at other nodes of the snapped edges) the pair is evaluated in
  full by ``evaluate``, as it is for a closure of an edge one of its ends snapped inside.

A single-link failure analysis in the sense of Jafino et al. (2020) and RA2CE, as
:mod:`corridors.analysis.criticality` describes: per pair the increase in travel time,
distance and cost, unsatisfied demand (a cut), and RA2CE's single-link redundancy; over
pairs, :func:`corridors.analysis.criticality.rank_overall` counts the pairs each link cuts
and sums the hours it adds (each pair a demand of one).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corridors import settings
from corridors._errors import InfeasibleRouteError, SnapError
from corridors.analysis.criticality import (
    Element,
    Item,
    baseline,
    closure_row,
    elements_of,
    evaluate,
    reroute_route,
)
from corridors.network._graph import MODES, RoutingGraph, routing_graph
from corridors.network._hierarchy import ClosableMetric
from corridors.network.core import Network
from corridors.routing import Route

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
class _Ref:
    """A routed path of one pair (its baseline or a detour) and what the shortcut needs of it."""

    ends: tuple[int, int]  # the nodes the path runs between (``routing._join``)
    edges: npt.NDArray[np.int64]  # edges of the pieces from the first to the last, in order
    head: int  # access stretches before the first edge's piece
    lengths: npt.NDArray[np.float64]  # length_m of every piece
    labels: npt.NDArray[np.str_]  # country label of every piece (``country_runs``)
    blocks: npt.NDArray[np.int64]  # label block index of every piece
    block_m: npt.NDArray[np.float64]  # length of each label block, m
    block_inner: npt.NDArray[np.bool_]  # neither the first nor the last block
    gauge_km: npt.NDArray[np.float64]  # km of each gauge change before yards group them
    border_h: float
    port_h: float
    trans_h: float
    speed_kmh: float
    metrics: dict[str, Any]  # ``route_metrics`` of the route


@dataclass(eq=False)
class _Pair:
    """What rerouting one OD baseline needs, computed once per network."""

    graph: RoutingGraph
    key: tuple[Any, ...]
    mask: npt.NDArray[np.bool_]
    weights: npt.NDArray[np.float64]
    #: Where each end enters the network: ``(node, cost along its snapped edge)``, one for
    #: an end snapped to a node, the two ends of its edge for one inside an edge.
    starts: tuple[tuple[int, float], ...]
    goals: tuple[tuple[int, float], ...]
    #: The edges the ends snapped inside (``-1`` for a node): the first and last pieces.
    snapped: tuple[int, int]
    base: _Ref
    no_path: str  # the message ``route`` raises when no path is left
    #: Rerouted in full, by the detour's path edges: ``reroute``'s (mb, cb, ms, reason).
    detours: dict[bytes, tuple[Any, Any, Any, str]] = field(default_factory=dict)
    #: The last few detours rerouted in full, newest first: references for the shortcut.
    refs: list[_Detour] = field(default_factory=list)


@dataclass(eq=False)
class _Detour:
    """A detour routed in full, kept as a reference; its :class:`_Ref` is made when first needed.

    Most detours never serve another closure: their path is compared first (cheap), and
    the country labels, crossings and time of :func:`_ref` are worked out only for one
    whose stretch :func:`_stretch` accepts.
    """

    ends: tuple[int, int]
    edges: npt.NDArray[np.int64]
    route: Route
    metrics: dict[str, Any]
    ref: _Ref | None = None
    tried: bool = False

    def full(self, g: RoutingGraph, snapped: tuple[int, int]) -> _Ref | None:
        """The reference, made once (``None`` if the shortcut cannot use this route)."""
        if not self.tried:
            self.tried = True
            self.ref = _ref(self.route, self.metrics, g, snapped)
        return self.ref


#: Detours of one pair kept as references for the shortcut (each holds its pieces' arrays).
_REFS_PER_PAIR = 4

#: How many closures each path took in this process: ``shortcut`` or why not (``full: ...``).
COUNTS: dict[str, int] = {}


def _count(what: str) -> None:
    COUNTS[what] = COUNTS.get(what, 0) + 1


#: How many pairs' search state (:class:`_Pair`: its mask, detours and references, about
#: 1 MB each) a process keeps, the least recently used dropped first; ``None``: all. A
#: dropped pair is made again when a later closure needs it: the rows are the same, but its
#: memo of detours starts empty, and closures of one pair are spread over the whole plan
#: (groups go in order of first use), so a bound well below the pairs swept thrashes: with
#: 32 of the 136 pairs of 20 main places kept, the sweep took over twice the CPU time and
#: was stopped unfinished. A bound for workers short
#: of memory, not the default.
PAIRS_KEPT: int | None = None

_PAIRS: weakref.WeakKeyDictionary[Network, OrderedDict[Item, _Pair | None]] = (
    weakref.WeakKeyDictionary()
)


def _pair(item: Item, network: Network) -> _Pair | None:
    """The search of ``route(item.origin, item.destination, network, modes=item.mode)``.

    ``None`` when the shortcut cannot serve this item (not a one-mode rail pair, both ends
    inside one edge, or a baseline with no path between the parts of its snapped edges);
    such items are always evaluated in full. Kept for the last :data:`PAIRS_KEPT` pairs used.
    """
    per = _PAIRS.setdefault(network, OrderedDict())
    if item in per:
        per.move_to_end(item)
        return per[item]
    per[item] = out = _build_pair(item, network)
    while PAIRS_KEPT is not None and len(per) > max(PAIRS_KEPT, 1):
        per.popitem(last=False)
        _count("pair dropped")
    return out


def _build_pair(item: Item, network: Network) -> _Pair | None:
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
    base, mb, _ = baseline(item, network)
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
    if sa.edge >= 0 and sa.edge == sb.edge:
        return None  # both ends inside one edge: joined along it (``routing._join``)
    if sa.edge < 0 and sb.edge < 0 and sa.node == sb.node:
        return None
    snapped = (sa.edge, sb.edge)
    ref = _ref(base, mb, graph, snapped)
    if ref is None:
        return None
    return _Pair(
        graph=graph,
        key=("path", key, False, id(weights)),
        mask=mask,
        weights=weights,
        starts=tuple(sa.entries(graph, weights)),
        goals=tuple(sb.entries(graph, weights)),
        snapped=snapped,
        base=ref,
        no_path=f"{what}: no path on the rail network between these places",
    )


def _end_node(g: RoutingGraph, edge: int, x: float, y: float) -> int | None:
    """The node of ``edge`` at ``(x, y)`` (a part piece's node end), ``None`` if not one."""
    u, v = int(g.u[edge]), int(g.v[edge])
    at_u = bool(g.x[u] == x and g.y[u] == y)
    at_v = bool(g.x[v] == x and g.y[v] == y)
    return None if at_u == at_v else (u if at_u else v)


def _path_of(
    r: Route, g: RoutingGraph, snapped: tuple[int, int]
) -> tuple[tuple[int, int], npt.NDArray[np.int64], int] | None:
    """``(ends, edges, head)`` of a one-leg rail route, as :class:`_Ref` holds them.

    ``snapped`` are the edges the route's ends snapped inside (``-1`` for a node): the
    pieces along them (the parts between each point and the node the path starts or ends
    at) are the first and last edge pieces, and fix the nodes the path runs between.
    ``None`` when the shortcut cannot serve the route.
    """
    p = r.pieces
    if not len(p) or (p["mode"].astype(str) != "rail").any():
        return None
    access = p["access"].to_numpy(bool)
    edges = p["edge"].to_numpy(np.int64)[~access]
    if not len(edges) or (edges < 0).any():
        return None
    head = int(np.argmax(~access))
    if access[head : head + len(edges)].any():
        return None  # access pieces only at the ends
    sa, sb = snapped
    if len(edges) <= (sa >= 0) + (sb >= 0):
        return None  # no path between the parts of the snapped edges
    x0, y0 = p["x0"].to_numpy(float), p["y0"].to_numpy(float)
    x1, y1 = p["x1"].to_numpy(float), p["y1"].to_numpy(float)
    last = head + len(edges) - 1
    if sa >= 0:
        if int(edges[0]) != sa:
            return None
        source = _end_node(g, sa, float(x1[head]), float(y1[head]))
    else:
        source = _end_node(g, int(edges[0]), float(x0[head]), float(y0[head]))
    if sb >= 0:
        if int(edges[-1]) != sb:
            return None
        target = _end_node(g, sb, float(x0[last]), float(y0[last]))
    else:
        target = _end_node(g, int(edges[-1]), float(x1[last]), float(y1[last]))
    if source is None or target is None:
        return None
    return (source, target), edges, head


def _ref(
    r: Route, metrics: dict[str, Any], g: RoutingGraph, snapped: tuple[int, int]
) -> _Ref | None:
    """What the shortcut needs of a one-leg rail route; ``None`` when it cannot serve it.

    The path as :func:`_path_of` finds it, with the country labels, crossings, gauge
    changes and time components of the route.
    """
    from corridors.analysis.metrics import (
        _time,
        border_crossings,
        gauge_breaks,
        raw_gauge_changes,
        transshipments,
    )
    from corridors.analysis.timemodel import DEFAULT_TIME_MODEL
    from corridors.geo.runs import _labels, _run_columns, country_runs

    path = _path_of(r, g, snapped)
    if path is None:
        return None
    (source, target), edges, head = path
    p = r.pieces
    runs = country_runs(p)
    crossings = border_crossings(p, runs=runs)
    breaks = gauge_breaks(p, crossings=crossings)
    changes = transshipments(r)
    t = _time(r, runs, crossings, breaks, changes, DEFAULT_TIME_MODEL)
    if t is None:
        return None
    labels = _labels(_run_columns(p), settings.border_tolerance_km)
    starts = np.r_[True, np.asarray(labels[1:]) != np.asarray(labels[:-1])]
    blocks = np.cumsum(starts) - 1
    lengths = p["length_m"].to_numpy(float)
    block_m = np.bincount(blocks, weights=lengths).astype(np.float64)
    inner = np.zeros(int(starts.sum()), dtype=bool)
    inner[1:-1] = True
    model = DEFAULT_TIME_MODEL
    border = sum(
        c.dwell_h if c.dwell_h is not None else model.border_dwell_h.get(c.mode, 0.0)
        for c in crossings
    )
    port = sum(2 for run in runs if run.water) * model.port_dwell_h
    land = [
        c for c in changes if c["from"] not in ("ferry", "sea") and c["to"] not in ("ferry", "sea")
    ]
    trans = (len(breaks) + len(land)) * model.transshipment_h
    return _Ref(
        ends=(source, target),
        edges=edges,
        head=head,
        lengths=lengths,
        labels=np.asarray(labels, dtype=str),
        blocks=blocks,
        block_m=block_m,
        block_inner=inner,
        gauge_km=np.asarray(
            [c["km"] for c in raw_gauge_changes(p, crossings=crossings)], dtype=np.float64
        ),
        border_h=float(border),
        port_h=float(port),
        trans_h=float(trans),
        speed_kmh=float(model.speed_kmh["rail"]),
        metrics=metrics,
    )


def _stretch(
    g: RoutingGraph, b: npt.NDArray[np.int64], new_edges: npt.NDArray[np.int64]
) -> tuple[int, int, int, str] | str:
    """The stretch a detour replaces, ``(i, k, l, country)``, or why the shortcut cannot apply.

    ``b[i:k]`` is replaced by ``new_edges[i:l]``; the checks of :func:`_shortcut` that need
    only the two paths' edges (one country, rail, one gauge) are made here.
    """
    m = min(len(b), len(new_edges))
    neq = b[:m] != new_edges[:m]
    i = int(np.argmax(neq)) if neq.any() else m
    rb, rn = b[::-1], new_edges[::-1]
    m2 = min(len(b), len(new_edges)) - i
    neq2 = rb[:m2] != rn[:m2]
    j = int(np.argmax(neq2)) if neq2.any() else m2
    k, lnew = len(b) - j, len(new_edges) - j
    if k <= i:
        return "no stretch"
    if (new_edges >= g.n_network_edges).any():
        return "overlay"
    touched = np.concatenate([b[max(i - 1, 0) : k + 1], new_edges[i:lnew]])
    nodes = np.concatenate([g.u[touched], g.v[touched]])
    countries = g.country[nodes]
    c = str(countries[0])
    if not c or (countries != c).any():
        return "countries"
    if (g.mode[touched] != MODES.index("rail")).any():
        return "mode"
    gauges = g.gauge_mm[touched]
    if gauges[0] <= 0 or (gauges != gauges[0]).any():
        return "gauge"
    return i, k, lnew, c


def _shortcut(
    g: RoutingGraph, pr: _Ref, new_edges: npt.NDArray[np.int64]
) -> tuple[float, float] | str:
    """``(length_km, time_h)`` of the rerouted pair, unrounded, or why it must be rerouted.

    ``pr`` is the pair's baseline or a detour of it routed in full: below, "the baseline".
    ``new_edges`` are the detour's path edges with, at either end, the edge its end snapped
    inside (as in ``pr.edges``); the caller checks that both paths run between the same
    nodes, so those end pieces are the same parts of their edges in both.

    The detour replaces one stretch of the baseline path (``B[i:k]``) by another
    (``N[i:l]``), the rest of the path being the same (either may start at the path's first
    edge or end at its last). When every node of both stretches and of the path edges on
    either side of them is in one country ``C``, the baseline's country labels are ``C``
    there (and on the piece before the stretch, which sets the label the stretch starts
    from), every edge is rail of one known gauge, ``C``'s stretch of the route is long
    enough that the sliver rule cannot apply to it (or has no land country on both sides),
    and the gap between the gauge changes on either side of the stretch stays on the same
    side of :data:`~corridors.analysis.metrics.GAUGE_YARD_KM` (so yards group alike), then
    the country runs, border crossings (their places and dwell), gauge breaks, port calls
    and transshipments of the rerouted route are the baseline's: only the length and the
    moving time change. The time is computed as :func:`corridors.analysis.metrics._time`
    computes it.
    """
    from corridors.analysis.metrics import GAUGE_YARD_KM

    st = _stretch(g, pr.edges, new_edges)
    if isinstance(st, str):
        return st
    i, k, lnew, c = st
    # baseline pieces of the stretch and the pieces on either side (access pieces too)
    lo = max(pr.head + i - 1, 0)
    hi = min(pr.head + k, len(pr.lengths) - 1)
    if (pr.labels[lo : hi + 1] != c).any():
        return "labels"
    blk = int(pr.blocks[lo])
    if int(pr.blocks[hi]) != blk:
        return "blocks"
    removed = float(pr.lengths[pr.head + i : pr.head + k].sum())
    added_arr = g.length_m[new_edges[i:lnew]]
    added = float(added_arr.sum())
    new_block_km = (float(pr.block_m[blk]) - removed + added) / 1000.0
    limit = settings.sliver_max_km + _RUN_MARGIN_KM
    if pr.block_inner[blk] and min(float(pr.block_m[blk]) / 1000.0, new_block_km) < limit:
        return "sliver"
    start_km = float(pr.lengths[: pr.head + i].sum()) / 1000.0
    end_km = start_km + removed / 1000.0
    mid = (start_km + end_km) / 2.0
    before, after = pr.gauge_km[pr.gauge_km < mid], pr.gauge_km[pr.gauge_km >= mid]
    if len(before) and len(after):
        gap = float(after[0] - before[-1])
        new_gap = gap + (added - removed) / 1000.0
        if (
            (gap < GAUGE_YARD_KM) != (new_gap < GAUGE_YARD_KM)
            or abs(gap - GAUGE_YARD_KM) < 1e-3
            or abs(new_gap - GAUGE_YARD_KM) < 1e-3
        ):
            return "gauge yard"
    lengths = np.concatenate([pr.lengths[: pr.head + i], added_arr, pr.lengths[pr.head + k :]])
    length_km = float(lengths.sum()) / 1000.0  # summed as ``Route.length_km`` sums
    km = lengths / 1000.0
    moving = float(np.sum(km / pr.speed_kmh))
    time_h = moving + pr.border_h + pr.port_h + pr.trans_h
    return length_km, time_h


_LOCAL = threading.local()


def _closable(pr: _Pair, *, headroom: bool = False) -> ClosableMetric:
    """The calling thread's closable hierarchy of the pair's search (mask, cost), made once.

    Pairs of one search key share it (they search with the same mask and weights); it is
    kept per thread (closures change it in place) and per routing graph, weakly. With
    ``headroom`` its scale has room for any closure (used to check cuts).
    """
    per: weakref.WeakKeyDictionary[RoutingGraph, dict[Any, ClosableMetric]] | None
    per = getattr(_LOCAL, "closable", None)
    if per is None:
        per = _LOCAL.closable = weakref.WeakKeyDictionary()
    mine = per.setdefault(pr.graph, {})
    hit = mine.get((pr.key, headroom))
    if hit is None:
        topo = pr.graph.topology(("rail",))
        hit = ClosableMetric(topo, pr.mask, pr.weights, headroom=headroom)
        mine[(pr.key, headroom)] = hit
    return hit


def _closed_joined(
    prs: Sequence[_Pair], closed: tuple[int, ...]
) -> list[tuple[tuple[int, int], npt.NDArray[np.int64]] | None]:
    """:func:`_joined` of each pair (one search key) with ``closed`` cut from its mask.

    The mask and cost are those :func:`corridors.routing.route` searches with for this
    closure. Rather than a re-customisation of the whole hierarchy per closure, the arcs
    of the chains holding the closed edges are changed on the search's customised metric
    and changed back afterwards (:class:`~corridors.network._hierarchy.ClosableMetric`,
    RoutingKit's partial customisation), at the unclosed metric's scale. A pair cut there
    may be a detour too long for that scale: such a cut is checked on a metric with room
    for any detour, and if that finds a way the closure is customised in full, as before.
    """
    with _closable(prs[0]).closed(closed) as metric:
        out = [_joined(pr, metric) for pr in prs]
    if all(j is not None for j in out) or _closable(prs[0]).certain:
        return out
    with _closable(prs[0], headroom=True).closed(closed) as check:
        false_cut = any(
            _joined(pr, check) is not None for pr, j in zip(prs, out, strict=True) if j is None
        )
    if not false_cut:
        return out
    _count("full customisation: a detour beyond the scale")
    mask = prs[0].mask.copy()
    mask[np.asarray(closed, dtype=np.int64)] = False
    full = prs[0].graph.topology(("rail",)).customize(mask, prs[0].weights)
    return [_joined(pr, full) for pr in prs]


def _joined(pr: _Pair, metric: Any) -> tuple[tuple[int, int], npt.NDArray[np.int64]] | None:
    """The rerouted path as :func:`corridors.routing._join` finds it: ``(ends, edges)``.

    Each end enters at each of its entry nodes with the cost along its snapped edge; the
    cheapest of the (up to four) searches wins, the first on a tie, its cost summed from
    the path's edge weights as ``_join`` sums it. ``None`` when no way is left.
    """
    best: tuple[float, tuple[int, int], npt.NDArray[np.int64]] | None = None
    for na, oa in pr.starts:
        for nb, ob in pr.goals:
            if na == nb:
                edges = np.zeros(0, dtype=np.int64)
            else:
                found = metric.query(na, nb)
                if found is None or len(found[1]) == 0:
                    continue
                edges = np.asarray(found[1], dtype=np.int64)
            cost = oa + ob + float(pr.weights[edges].sum())
            if best is None or cost < best[0]:
                best = (cost, (na, nb), edges)
    return None if best is None else (best[1], best[2])


def _row(
    item: Item,
    element: Element,
    network: Network,
    pr: _Pair,
    joined: tuple[tuple[int, int], npt.NDArray[np.int64]] | None,
) -> dict[str, Any]:
    """The row of ``evaluate(item, element, network)`` given the rerouted path (:func:`_joined`).

    The path, with the parts of the snapped edges at its ends, is compared with the
    baseline's, then with the last detours of this pair that were routed in full (a closure
    next to an earlier one often takes the same long way round, differing only near the
    closed link): where it runs between the same nodes (so the parts of the snapped edges
    are the same) and :func:`_shortcut` proves that only the length and moving time differ
    from one of them, the row comes from its metrics. A path met before reuses its metrics;
    any other is rerouted in full.
    """
    _, mb, cb = baseline(item, network)
    if joined is None:
        _count("cut")
        return closure_row(item, element, mb, cb, None, pr.no_path)
    ends, found = joined
    sa, sb = pr.snapped
    path = np.concatenate(
        [
            np.asarray([sa] if sa >= 0 else [], np.int64),
            found,
            np.asarray([sb] if sb >= 0 else [], np.int64),
        ]
    )
    key = np.asarray(ends, dtype=np.int64).tobytes() + path.tobytes()
    hit: tuple[float, float] | str = "ends" if len(found) else "empty path"
    ref = pr.base
    if len(found) and ref.ends == ends:
        hit = _shortcut(pr.graph, ref, path)
    if isinstance(hit, str):
        # a route's metrics are those of its path: a detour met again is not rerouted
        if key in pr.detours:
            _count("full: again")
            return closure_row(item, element, *pr.detours[key])
        for d in pr.refs if len(found) else []:
            if d.ends != ends or isinstance(_stretch(pr.graph, d.edges, path), str):
                continue
            made = d.full(pr.graph, pr.snapped)
            if made is not None and not isinstance(got := _shortcut(pr.graph, made, path), str):
                hit, ref = got, made
                break
    if isinstance(hit, str):
        _count(f"full: {hit}")
        mb2, cb2, ms, reason, r = reroute_route(item, element, network)
        pr.detours[key] = (mb2, cb2, ms, reason)
        if r is not None and ms is not None and (new := _path_of(r, pr.graph, pr.snapped)):
            pr.refs.insert(0, _Detour(new[0], new[1], r, ms))
            del pr.refs[_REFS_PER_PAIR:]
        return closure_row(item, element, mb2, cb2, ms, reason)
    length_km, time_h = hit
    _count("shortcut" if ref is pr.base else "shortcut from a detour")
    rm = ref.metrics
    leg = {**rm["legs"][0], "length_km": round(length_km, 1)}
    ms = {**rm, "length_km": round(length_km, 1), "time_h": round(time_h, 1), "legs": [leg]}
    return closure_row(item, element, mb, cb, ms, "")


def _group_rows(group: Group, network: Network) -> list[dict[str, Any]]:
    """The rows of one closure for every pair using it, in the group's order.

    A pair whose end snapped inside a closed edge is evaluated in full for this closure.
    """
    rows: list[dict[str, Any] | None] = [None] * len(group.work)
    buckets: dict[Any, list[int]] = {}
    prs: list[_Pair | None] = []
    for k, (item, el) in enumerate(group.work):
        pr = _pair(item, network) if not (el.links or el.release) else None
        prs.append(pr)
        if pr is None:
            _count("full: not a rail pair on network edges")
            rows[k] = evaluate(item, el, network)
        elif set(pr.snapped) & set(el.edges):
            _count("full: snapped edge closed")
            rows[k] = evaluate(item, el, network)
        else:
            buckets.setdefault(pr.key, []).append(k)
    for ks in buckets.values():
        pairs = [p for p in (prs[k] for k in ks) if p is not None]
        joined = _closed_joined(pairs, group.work[ks[0]][1].edges)
        for k, found in zip(ks, joined, strict=True):
            pr = prs[k]
            assert pr is not None
            item, el = group.work[k]
            rows[k] = _row(item, el, network, pr, found)
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
    keep: bool = True,
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
        keep=keep,
    )
    return rank_rows(rows), run, failed, elements
