"""Routing corridors leg by leg, and ad-hoc routes between places.

Each leg is snapped to the network of its mode at both ends and routed on the least-cost
path (length for one mode; time for ``mode="any"``). Legs whose status is planned,
dismantled or proposed, or that have no path on the network, become **missing links**:
drawn from the authored geometry (else the geodesic), flagged, and counted apart.
"""

from __future__ import annotations

import functools
import logging
import math
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors import settings
from corridors._errors import (
    InfeasibleRouteError,
    ScenarioError,
    SnapError,
    UnknownNameError,
    suggest,
)
from corridors.definitions.links import Link, leg_geometry, links_from_corridors, resolve_links
from corridors.geo import boundaries
from corridors.geo.boundaries import geodesic_lengths_m, sphere_xyz
from corridors.geo.geodata import iso3_problem
from corridors.model import Corridor, Leg, Mode, Role, Status, Waypoint
from corridors.network._graph import (
    EDGE_SAMPLE_M,
    MODES,
    STATUSES,
    FoundPath,
    RoutingGraph,
    cheapest_pair,
    is_current,
    routing_graph,
)
from corridors.network.core import Network
from corridors.provenance import provenance

if TYPE_CHECKING:
    from corridors.geo.runs import Pieces

__all__ = [
    "BORDER_FOR_ANY_H",
    "PIECE_COLUMNS",
    "SPEEDS_FOR_ANY_KMH",
    "TRANSFER_FOR_ANY_H",
    "Route",
    "RoutedLeg",
    "RoutingOptions",
    "as_waypoint",
    "corridor_between",
    "crossing_names",
    "km_in_countries",
    "known_places",
    "parse_place",
    "route",
    "route_corridor",
    "route_corridors",
]

_LOG = logging.getLogger("corridors")

#: Columns of ``Route.pieces``: one row per traversed segment, in travel order.
PIECE_COLUMNS = (
    "leg",
    "edge",
    "x0",
    "y0",
    "x1",
    "y1",
    "mode",
    "status",
    "gauge_mm",
    "length_m",
    "missing",
    "bridged",
    "link",
    "country0",
    "country1",
    "access",
)
_NOT_BUILT = (Status.PLANNED, Status.DISMANTLED, Status.PROPOSED)
#: Speeds, in km/h, that cost edges for ``modes="any"``: the defaults of
#: :class:`corridors.analysis.TimeModel` (a transfer edge's metres count at 1 km/h).
SPEEDS_FOR_ANY_KMH = {"rail": 53.9, "road": 42.0, "ferry": 22.0, "sea": 28.0, "transfer": 1.0}
#: Hours added for each transfer between modes (the time model's port dwell per call).
TRANSFER_FOR_ANY_H = 24.0
#: Hours added where a rail or road edge crosses a border (the time model's border dwell,
#: the CAREC averages), unless the named crossing there has its own dwell for the mode.
BORDER_FOR_ANY_H = {"rail": 40.6, "road": 9.9}


@dataclass(frozen=True)
class RoutingOptions:
    """Constraints and what-ifs for routing.

    Parameters
    ----------
    avoid
        ISO3 codes of countries to avoid.
    avoid_mode
        ``"hard"``: the path never enters them (an error names the leg and the country when
        there is no such path); ``"soft"``: edges in them cost ``soft_penalty`` times more.
    soft_penalty
        Cost multiplier for ``avoid_mode="soft"``.
    open_links, close_links
        Named links (see :mod:`corridors.definitions.links`) to treat as built, or as cut.
    as_of
        Links under construction or planned whose expected year is on or before this count
        as built.
    allow_volga_don
        Let sea legs use the Volga–Don link (default :data:`corridors.settings.allow_volga_don`).
    snap_limit_km
        Farthest a waypoint may be from the network (default
        :data:`corridors.settings.snap_limit_km`).
    close_edges
        Ids of network edges to treat as cut (single-link failure sweeps, see
        :mod:`corridors.analysis.criticality`). Waypoints still snap as if they were open, so a
        closure reroutes or cuts a leg; it never moves a station.
    """

    avoid: tuple[str, ...] = ()
    avoid_mode: str = "hard"
    soft_penalty: float = 10.0
    open_links: tuple[str, ...] = ()
    close_links: tuple[str, ...] = ()
    as_of: int | None = None
    allow_volga_don: bool | None = None
    snap_limit_km: float | None = None
    close_edges: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoutedLeg:
    """One leg as routed: how long, whether missing and why, and how far the ends snapped."""

    index: int
    leg: Leg
    status: Status
    missing: bool
    length_km: float
    reason: str | None = None
    opened: bool = False
    snap_start_km: float | None = None
    snap_end_km: float | None = None
    access_km: float = 0.0

    @property
    def mode(self) -> Mode:
        """The leg's mode."""
        return self.leg.mode


@dataclass(frozen=True, eq=False)
class _Access:
    """A piece at a path's end, from p0 to p1: a straight access stretch, or part of an edge.

    An access stretch (``edge = -1``) runs between a waypoint and the point of the network
    it snapped to; a part of an edge (``edge >= 0``) runs along a snapped edge between that
    point and one of the edge's nodes, and takes the edge's attributes, with its length
    prorated.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    length_m: float
    leg: int
    mode: Mode
    status: Status
    edge: int = -1


@dataclass(frozen=True)
class _Snap:
    """Where a waypoint meets the network: a node, or a point inside an edge.

    ``edge`` is ``-1`` for a node (``node``); else the point lies at fraction ``t`` of the
    edge's chord from its node ``u`` (``0 < t < 1``), and ``node`` is the nearer end. ``x, y``
    is the point (lon, lat); ``dist_km`` the geodesic distance from the waypoint to it.
    ``access_m`` is the geodesic length, in metres, of the straight access stretch from the
    waypoint to the point and of the one back (measured once, as the snap is kept).
    """

    node: int
    dist_km: float
    x: float
    y: float
    edge: int = -1
    t: float = 0.0
    access_m: tuple[float, float] = (0.0, 0.0)

    def entries(
        self, graph: RoutingGraph, weight: npt.NDArray[np.float64]
    ) -> list[tuple[int, float]]:
        """The nodes a path may start (or end) at, each with the cost along the edge to it."""
        if self.edge < 0:
            return [(self.node, 0.0)]
        w = float(weight[self.edge])
        return [(int(graph.u[self.edge]), self.t * w), (int(graph.v[self.edge]), (1 - self.t) * w)]

    def fraction_to(self, graph: RoutingGraph, node: int) -> float:
        """The fraction of the snapped edge between the point and ``node`` (one of its ends)."""
        return self.t if node == int(graph.u[self.edge]) else 1.0 - self.t


@dataclass(frozen=True, eq=False)
class _PathRef:
    """A path's nodes and edges, made into piece columns only when a table is asked for."""

    nodes: Sequence[int] | npt.NDArray[np.int64]
    edges: Sequence[int] | npt.NDArray[np.int64]
    leg: int
    mode: Mode | None
    drop_transfers: bool


@dataclass(eq=False)
class _Pieces:
    """A route's segments, made into one table on demand (see :func:`_table`).

    The length needs only the edges' lengths; the columns, and the countries of the access
    stretches (a point-in-polygon test), wait for :meth:`table`.
    """

    graph: RoutingGraph
    head: list[_Access]
    path: _PathRef | None
    tail: list[_Access]

    @functools.cached_property
    def length_m(self) -> float:
        """Total length in metres.

        The values of the table's ``length_m`` column in its order, so the same sum.
        """
        p = self.path
        e = np.zeros(0, dtype=np.int64) if p is None else np.asarray(p.edges, dtype=np.int64)
        if p is not None and p.drop_transfers:
            e = e[self.graph.mode[e] != MODES.index("transfer")]
        n_head = len(self.head)
        out = np.empty(n_head + len(e) + len(self.tail))
        for i, a in enumerate((*self.head, *self.tail)):
            out[i if i < n_head else i + len(e)] = a.length_m
        np.take(self.graph.length_m, e, out=out[n_head : n_head + len(e)])
        return float(out.sum())

    def table(self) -> pd.DataFrame:
        """The pieces table (:data:`PIECE_COLUMNS`)."""
        parts, extra = self._parts()
        if not parts:
            return _empty_pieces()
        return _table(self.graph, parts, extra)

    def leg_pieces(self) -> _LegPieces:
        """The pieces as NumPy columns, for a corridor's table built once from all its legs."""
        parts, extra = self._parts()
        if not parts:
            return _LegPieces(_empty_columns())
        if len(parts) == 1:
            return _LegPieces(parts[0], tuple(extra))
        cols = {c: np.concatenate([p[c] for p in parts]) for c in PIECE_COLUMNS}
        return _LegPieces(cols, tuple(extra))

    def _parts(self) -> tuple[list[Columns], list[str]]:
        """Column parts (head, path, tail) and the country codes they add to the graph's."""
        g = self.graph
        known = {c: i for i, c in enumerate(g.country_names())}
        extra: list[str] = []

        def code(country: str) -> int:
            if country not in known:
                known[country] = len(known)
                extra.append(country)
            return known[country]

        def access(a: _Access) -> Columns:
            if a.edge >= 0:  # part of a snapped edge: the edge's attributes
                cols = _path_columns(g, [0, 0], [a.edge], a.leg, a.mode)
                return {
                    **cols,
                    "x0": np.array([a.x0]),
                    "y0": np.array([a.y0]),
                    "x1": np.array([a.x1]),
                    "y1": np.array([a.y1]),
                    "length_m": np.array([a.length_m]),
                    "country0": np.array([code(_country_at(a.x0, a.y0, settings.borders))]),
                    "country1": np.array([code(_country_at(a.x1, a.y1, settings.borders))]),
                }
            return {
                "leg": np.array([a.leg], dtype=np.int64),
                "edge": np.array([-1], dtype=np.int64),
                "x0": np.array([a.x0]),
                "y0": np.array([a.y0]),
                "x1": np.array([a.x1]),
                "y1": np.array([a.y1]),
                "mode": np.array([MODES.index(a.mode.value)], dtype=np.int64),
                "status": np.array([STATUSES.index(a.status.value)], dtype=np.int64),
                "gauge_mm": np.zeros(1, dtype=np.int16),
                "length_m": np.array([a.length_m]),
                "missing": np.zeros(1, dtype=bool),
                "bridged": np.zeros(1, dtype=bool),
                "link": np.zeros(1, dtype=np.int64),  # "" is the first link category
                "country0": np.array([code(_country_at(a.x0, a.y0, settings.borders))]),
                "country1": np.array([code(_country_at(a.x1, a.y1, settings.borders))]),
                "access": np.ones(1, dtype=bool),
            }

        parts = [access(a) for a in self.head]
        p = self.path
        if p is not None:
            cols = _path_columns(
                g, p.nodes, p.edges, p.leg, p.mode, drop_transfers=p.drop_transfers
            )
            if len(cols["leg"]):
                parts.append(cols)
        parts += [access(a) for a in self.tail]
        return parts, extra


@dataclass(frozen=True, eq=False)
class Route:
    """A routed corridor (or ad-hoc route): its legs and the segments it runs on.

    ``pieces`` has one row per segment in travel order (see :data:`PIECE_COLUMNS`); metrics
    are computed from it. ``meta`` carries the provenance. An ad-hoc route holds its
    segments as NumPy columns and builds the ``pieces`` table on first use, so that a query
    that only wants the length never pays for a DataFrame.
    """

    id: str
    name: str
    legs: tuple[RoutedLeg, ...]
    _pieces: pd.DataFrame | _Pieces
    corridor: Corridor | None = None
    options: RoutingOptions = field(default_factory=RoutingOptions)
    warnings: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def pieces(self) -> pd.DataFrame:
        """One row per segment, in travel order (see :data:`PIECE_COLUMNS`)."""
        p = self._pieces
        return p.table() if isinstance(p, _Pieces) else p

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the pieces table, not the routing graph that lazy pieces refer to."""
        state = dict(self.__dict__)
        state["_pieces"] = self.pieces
        state.pop("pieces", None)
        return state

    @property
    def length_km(self) -> float:
        """Total length in km."""
        p = self._pieces
        if isinstance(p, _Pieces):
            return p.length_m / 1000.0
        return float(p["length_m"].sum()) / 1000.0

    def __repr__(self) -> str:
        missing = sum(rl.length_km for rl in self.legs if rl.missing)
        legs = len(self.legs)
        return (
            f"<Route {self.id!r}: {self.length_km:,.1f} km, {legs} leg{'' if legs == 1 else 's'}"
            f", {missing:,.1f} km missing, {len(self.pieces):,} segments"
            f"{f', {len(self.warnings)} warnings' if self.warnings else ''}>"
        )

    def _repr_html_(self) -> str:
        """The legs as an HTML table, for notebooks."""
        import html

        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    rl.leg.start.name,
                    rl.leg.end.name,
                    rl.mode.value,
                    rl.status.value,
                    f"{rl.length_km:,.1f}",
                    "yes" if rl.missing else "",
                )
            )
            + "</tr>"
            for rl in self.legs
        )
        head = "".join(
            f"<th>{h}</th>" for h in ("from", "to", "mode", "status", "length_km", "missing")
        )
        return (
            f"<div><strong>{html.escape(self.name)}</strong>: {self.length_km:,.1f} km"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )

    def coords(self, leg: int | None = None) -> list[tuple[float, float]]:
        """The route's (or one leg's) line as ``(lon, lat)`` points."""
        p = self.pieces if leg is None else self.pieces[self.pieces["leg"] == leg]
        if p.empty:
            return []
        pts = list(zip(p["x0"], p["y0"], strict=True))
        pts.append((float(p["x1"].iloc[-1]), float(p["y1"].iloc[-1])))
        return [(float(a), float(b)) for a, b in pts]


# --- helpers ---------------------------------------------------------------------------------


def _effective_status(leg: Leg, opts: RoutingOptions) -> tuple[Status, bool]:
    """The leg's status under the options, and whether a what-if opened it."""
    if leg.link and leg.link in opts.close_links:
        return leg.status, False
    if leg.link and leg.link in opts.open_links and not leg.status.is_built:
        return Status.OPERATIONAL, True
    if (
        opts.as_of is not None
        and leg.expected_year is not None
        and leg.expected_year <= opts.as_of
        and leg.status in (Status.UNDER_CONSTRUCTION, Status.PLANNED)
    ):
        return Status.OPERATIONAL, True
    return leg.status, False


def _opened_links(links: Mapping[str, Link], opts: RoutingOptions) -> set[str]:
    opened = {name for name in opts.open_links if name in links}
    if opts.as_of is not None:
        opened |= {
            name
            for name, lk in links.items()
            if lk.expected_year is not None
            and lk.expected_year <= opts.as_of
            and lk.status in (Status.UNDER_CONSTRUCTION, Status.PLANNED)
        }
    return opened - set(opts.close_links)


_AVOID_CACHE: weakref.WeakKeyDictionary[RoutingGraph, dict[tuple[str, ...], Any]] = (
    weakref.WeakKeyDictionary()
)
#: Spacing, in metres, of the points at which a segment is checked against avoided countries.
_AVOID_SAMPLE_M = 250.0


def _avoid_border(
    avoid: tuple[str, ...], bounds: tuple[float, float, float, float] | None = None
) -> Any:
    """The avoided countries as one area, and an index of its land border with the others.

    On the boundaries of :data:`corridors.settings.borders` (cached per setting).
    """
    return _avoid_border_on(avoid, bounds, settings.borders)


@functools.cache
def _avoid_border_on(
    avoid: tuple[str, ...], bounds: tuple[float, float, float, float] | None, borders: str
) -> Any:
    """:func:`_avoid_border` on the boundaries ``borders``.

    Depth into the avoided area is measured to the nearest border with a country that is not
    avoided (a coast, or a border between two avoided countries, does not count): a point
    1 km inside Iran next to Armenia is not 1 km from an allowed country when Armenia is
    avoided too.
    """
    import shapely

    geoms = boundaries.geometries()
    parts = [geoms[c] for c in avoid if c in geoms]
    if not parts:
        return None
    area = shapely.union_all(parts)
    if bounds is not None:
        # only the part within reach of the network (Russia is most of a continent)
        area = shapely.clip_by_rect(area, *bounds)
    shapely.prepare(area)
    around = area.envelope.buffer(1.0)
    others = [g for code, g in geoms.items() if code not in avoid and g.intersects(around)]
    if not others:
        return area, None
    # the part of the area's boundary shared with an allowed country (0.01 deg ~ 1 km slack)
    near = shapely.union_all([shapely.clip_by_rect(g, *around.bounds) for g in others])
    border = area.boundary.intersection(near.buffer(0.01))
    segs = []
    for part in shapely.get_parts(border):
        if part.geom_type != "LineString":
            continue
        xy = shapely.get_coordinates(part)
        if len(xy) >= 2:
            segs.append(np.stack([xy[:-1], xy[1:]], axis=1))
    if not segs:
        return area, None
    lines: Any = shapely.linestrings(np.concatenate(segs))
    return area, shapely.STRtree(lines)


def _avoid_depth_km(
    avoid: tuple[str, ...],
    x: Any,
    y: Any,
    bounds: tuple[float, float, float, float] | None = None,
) -> npt.NDArray[np.float64]:
    """How far, in km, each point lies inside the avoided countries (0 outside them).

    Measured to the nearest land border with a country that is not avoided; planar degrees
    scaled by latitude, as :func:`corridors.geo.boundaries.depth_km`.
    """
    import shapely

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    out = np.zeros(x.shape)
    found = _avoid_border(avoid, bounds)
    if found is None or not x.size:
        return out
    area, tree = found
    pts = shapely.points(x, y)
    inside = shapely.contains_xy(area, x, y)
    if not inside.any():
        return out
    if tree is None:
        out[inside] = np.inf
        return out
    idx, dist = tree.query_nearest(pts[inside], return_distance=True, all_matches=False)
    depth = np.full(int(inside.sum()), np.inf)
    depth[idx[0]] = dist
    scale = 111.32 * np.maximum(np.cos(np.radians(y[inside])), 0.2)
    out[inside] = depth * scale
    return out


#: How far the middle of a schematic edge may lie off the real track, as a share of the
#: edge's length: the 90th percentile of the largest offset of 244 backbone rail chords
#: (3–160 km) from the OSM track they simplify, where the regional OSM layer covers them
#: (median 5.1 %, p75 11 %, p90 17.9 %; ``tests/network/sources/test_layer.py`` re-measures
#: it). A lower share blocks real roads (the Iranian road along the Aras east of Norduz,
#: drawn as a 58 km chord, cuts 5.3 km into Zangilan).
SCHEMATIC_DEVIATION = 0.179


def _avoid_masks(
    graph: RoutingGraph, avoid: Sequence[str]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Nodes, and edges, that go more than ``settings.border_tolerance_km`` into ``avoid``.

    An edge is checked along its whole straight segment (at :data:`_AVOID_SAMPLE_M`), not at
    its ends only: a long straight road segment can pass deep through a country between two
    vertices that lie outside it. Points closer to an allowed country than the tolerance are
    not blocked: a line that follows a border river on the allowed bank often plots a few
    hundred metres inside the other country. The middle of a schematic edge (a chord of the
    backbone's simplified lines) is allowed :data:`SCHEMATIC_DEVIATION` of the edge's length
    more: it may lie that far off the real track.
    """
    import shapely

    codes = tuple(sorted(set(avoid)))
    tol = settings.border_tolerance_km
    key = (*codes, str(tol), settings.borders)
    per_graph = _AVOID_CACHE.setdefault(graph, {})
    if key in per_graph:
        return per_graph[key]  # type: ignore[no-any-return]
    nodes = np.zeros(graph.n_nodes, dtype=bool)
    edges = np.zeros(len(graph.u), dtype=bool)
    bounds = (
        float(np.floor(graph.x.min())) - 1.0,
        float(np.floor(graph.y.min())) - 1.0,
        float(np.ceil(graph.x.max())) + 1.0,
        float(np.ceil(graph.y.max())) + 1.0,
    )
    found = _avoid_border(codes, bounds)
    if found is not None:
        area = found[0]
        near = np.flatnonzero(np.isin(graph.country, codes))
        nodes[near] = _avoid_depth_km(codes, graph.x[near], graph.y[near], bounds) > tol
        edges = nodes[graph.u] | nodes[graph.v]
        x0, y0 = graph.x[graph.u], graph.y[graph.u]
        x1, y1 = graph.x[graph.v], graph.y[graph.v]
        lines = shapely.linestrings(
            np.stack([np.stack([x0, y0], axis=1), np.stack([x1, y1], axis=1)], axis=1)
        )
        cand = np.flatnonzero(~edges & shapely.intersects(area, lines))
        if len(cand):
            n_pts = np.ceil(graph.length_m[cand] / _AVOID_SAMPLE_M).astype(np.int64) + 1
            owner = np.repeat(np.arange(len(cand)), n_pts)
            starts = np.cumsum(n_pts) - n_pts
            t = (np.arange(int(n_pts.sum())) - starts[owner]) / np.maximum(n_pts[owner] - 1, 1)
            e = cand[owner]
            px = x0[e] + (x1[e] - x0[e]) * t
            py = y0[e] + (y1[e] - y0[e]) * t
            allow = tol + np.where(
                graph.schematic[e], SCHEMATIC_DEVIATION * graph.length_m[e] / 1000.0, 0.0
            )
            deep = _avoid_depth_km(codes, px, py, bounds) > allow
            edges[cand[np.unique(owner[deep])]] = True
    per_graph[key] = (nodes, edges)
    return nodes, edges


def _edge_mask(
    graph: RoutingGraph,
    modes: tuple[str, ...],
    statuses: tuple[str, ...],
    opened: set[str],
    closed: set[str],
    volga: bool,
) -> npt.NDArray[np.bool_]:
    """Usable edges: the modes and statuses asked for, opened overlays, minus closures."""
    key = (modes, statuses, tuple(sorted(opened)), tuple(sorted(closed)), volga)
    cached = graph.masks.get(key)
    if cached is not None:
        return cached
    mask = graph.mode_mask(modes)
    is_overlay = graph.link >= 0
    on_network = mask & ~is_overlay & graph.status_mask(statuses)
    overlay = np.zeros_like(mask)
    for li, name in enumerate(graph.link_names):
        if name in opened:
            overlay |= mask & (graph.link == li)
    out = on_network | overlay
    if closed:
        for li, name in enumerate(graph.link_names):
            if name in closed:
                out &= ~_near_link(graph, li)
    if not volga:
        out &= ~graph.volga_don
    out &= ~graph.closed
    graph.masks[key] = out
    return out


def _near_link(graph: RoutingGraph, li: int, buffer_m: float = 1500.0) -> npt.NDArray[np.bool_]:
    """Network edges of the link's mode that run along a closed link (within ``buffer_m``)."""
    from scipy.spatial import cKDTree

    on = graph.link == li
    pts = np.unique(np.concatenate([graph.u[on], graph.v[on]]))
    mode = graph.mode[on][0]
    tree = cKDTree(sphere_xyz(graph.x[pts], graph.y[pts]))
    mx = (graph.x[graph.u] + graph.x[graph.v]) / 2
    my = (graph.y[graph.u] + graph.y[graph.v]) / 2
    cand = np.flatnonzero(graph.mode == mode)
    d, _ = tree.query(sphere_xyz(mx[cand], my[cand]), distance_upper_bound=buffer_m)
    out: npt.NDArray[np.bool_] = on.copy()
    out[cand[np.isfinite(d)]] = True
    return out


def _weights(
    graph: RoutingGraph,
    opts: RoutingOptions,
    *,
    by_time: bool,
    speeds_kmh: Mapping[str, float] | None = None,
    transfer_h: float | None = None,
    border_h: Mapping[str, float] | None = None,
) -> npt.NDArray[np.float64]:
    """Edge costs: metres, or hours by mode for ``mode="any"``; soft avoid multiplies.

    By time, an edge whose ends lie in two countries also costs the border dwell of its
    mode (``border_h``, default :data:`BORDER_FOR_ANY_H`), or the own dwell of the named
    crossing within 30 km of it (``geodata/crossings.yaml``), as the time model charges.

    Cached on the graph, so that the same costs are the same array (the sorted edge order
    of :meth:`RoutingGraph.csr` is kept per cost array).
    """
    soft = opts.avoid_mode == "soft" and bool(opts.avoid)
    speeds = {**SPEEDS_FOR_ANY_KMH, **(speeds_kmh or {})}
    transfer = TRANSFER_FOR_ANY_H if transfer_h is None else transfer_h
    border = {**BORDER_FOR_ANY_H, **(border_h or {})}
    key = (
        "weights",
        by_time,
        tuple(sorted(speeds.items())) if by_time else (),
        transfer if by_time else 0.0,
        tuple(sorted(border.items())) if by_time else (),
        tuple(sorted(opts.avoid)) if soft else (),
        opts.soft_penalty,
    )
    cached = graph.weights.get(key)
    if cached is not None:
        return cached
    w = graph.length_m
    if by_time:
        per_mode = [speeds.get(m, 0.0) for m in MODES]
        speed = np.array([v if v > 0 else 1e-3 for v in per_mode])[graph.mode]
        w = w / 1000.0 / speed
        w[graph.mode == MODES.index("transfer")] += transfer
        w = w + _border_hours(graph, border)
    if soft:
        # every edge that touches an avoided country pays, so that a path along its edge
        # is not preferred to one that stays out
        _, bad_edges = _avoid_masks(graph, opts.avoid)
        codes = np.asarray(sorted(opts.avoid))
        touches = np.isin(graph.country[graph.u], codes) | np.isin(graph.country[graph.v], codes)
        w = np.where(bad_edges | touches, w * opts.soft_penalty, w)
    graph.weights[key] = w
    return w


_CROSSING_NAMES: weakref.WeakKeyDictionary[RoutingGraph, dict[int, str]] = (
    weakref.WeakKeyDictionary()
)


def crossing_names(graph: RoutingGraph) -> dict[int, str]:
    """The named crossing of each edge whose two ends lie in two countries, by edge index.

    The nearest known crossing of the two countries to the edge's midpoint within their
    naming radius (:func:`corridors.geo.runs.nearest_name`), as route metrics name a
    crossing; edges with none near are left out. Worked out once per graph.
    """
    hit = _CROSSING_NAMES.get(graph)
    if hit is None:
        from corridors.geo.runs import crossing_candidates, nearest_name

        cu, cv = graph.country[graph.u], graph.country[graph.v]
        hit = {}
        for e in np.flatnonzero((cu != cv) & (cu != "") & (cv != "")):
            pair = frozenset((str(cu[e]), str(cv[e])))
            mx = float(graph.x[graph.u[e]] + graph.x[graph.v[e]]) / 2
            my = float(graph.y[graph.u[e]] + graph.y[graph.v[e]]) / 2
            name = nearest_name(mx, my, crossing_candidates(pair))
            if name is not None:
                hit[int(e)] = name
        _CROSSING_NAMES[graph] = hit
    return hit


def _border_hours(graph: RoutingGraph, border_h: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """Border dwell, in hours, of each edge whose two ends lie in two countries.

    The edge's crossing is named by :func:`crossing_names`; where that crossing has its own
    dwell for the mode it applies, else ``border_h``.
    """
    from corridors.geo import geodata

    own = {c.name: c for c in geodata.crossings() if c.dwell_h}
    names = crossing_names(graph) if own else {}
    cu, cv = graph.country[graph.u], graph.country[graph.v]
    out = np.zeros(graph.u.size)
    for mode, hours in border_h.items():
        if mode not in MODES:
            continue
        cross = np.flatnonzero(
            (graph.mode == MODES.index(mode)) & (cu != cv) & (cu != "") & (cv != "")
        )
        out[cross] = hours
        for e in cross if own else ():
            name = names.get(int(e))
            h = own[name].dwell_for(mode) if name in own else None
            if h is not None:
                out[e] = h
    return out


#: Metres per degree of latitude (and of longitude at the equator), for the snapping plane.
_M_PER_DEG = 111_320.0
#: Snapping prefers edges on connected stretches of at least this many km.
SNAP_MIN_COMPONENT_KM = 20.0


_P = ParamSpec("_P")
#: A snap function: ``(graph, snap index key, edge mask, waypoint, *, limit_km, ...)``.
_SnapFn = Callable[Concatenate[RoutingGraph, Any, npt.NDArray[np.bool_], Waypoint, _P], "_Snap"]


def _kept(snap: _SnapFn[_P]) -> _SnapFn[_P]:
    """Keep the snaps of ``snap`` per snap index key and place (``RoutingGraph.snaps``).

    Places recur (gazetteer names, a corridor's waypoints); a kept snap holds only for the
    same ``blocked`` array, and for the same ``limit_km`` and ``nodes_only``.
    """

    @functools.wraps(snap)
    def kept(
        graph: RoutingGraph,
        key: Any,
        mask: npt.NDArray[np.bool_],
        wp: Waypoint,
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _Snap:
        blocked = cast("npt.NDArray[np.bool_] | None", kwargs.get("blocked"))
        memo = (key, wp.lon, wp.lat, kwargs["limit_km"], kwargs.get("nodes_only", False))
        hit = graph.snaps.get(memo)
        if hit is not None and hit[0] is blocked:
            return cast(_Snap, hit[1])
        out = snap(graph, key, mask, wp, *args, **kwargs)
        graph.remember_snap(memo, (blocked, out))
        return out

    return kept


@_kept
def _snap(
    graph: RoutingGraph,
    key: Any,
    mask: npt.NDArray[np.bool_],
    wp: Waypoint,
    /,
    *,
    limit_km: float,
    what: str,
    blocked: npt.NDArray[np.bool_] | None = None,
    nodes_only: bool = False,
) -> _Snap:
    """The nearest point of the masked edges to a waypoint: a node, or a point on an edge.

    As OSRM, Valhalla and osmnx ``nearest_edges`` do, a waypoint snaps to the nearest point of
    an edge, not to the edge's nearest node: a station between two nodes is entered where it
    lies, and the edge is split there, its length prorated (by the fraction of the chord).
    Edges on connected stretches of at least :data:`SNAP_MIN_COMPONENT_KM` within the snap
    limit are preferred to detached fragments such as sidings; under a hard avoid, edges
    with a node in an avoided country (``blocked``) are not snapped to.

    With ``nodes_only`` the waypoint snaps to the nearest node instead (multimodal routes:
    a port's terminal is a node of its sea and ferry lines, where the nearest point would
    tie the trip to whichever road or rail passes closest). Snaps are kept (see
    :func:`_kept`).

    Raises
    ------
    SnapError
        If the network has no usable edge, or the point is farther than ``limit_km``.
    """
    if nodes_only:
        return _snap_node(graph, key, mask, wp, limit_km=limit_km, what=what, blocked=blocked)
    tree, eids, comp_km = graph.edge_index(key, mask)  # km by edge id
    if not len(eids):
        raise SnapError(f"{what}: the network has no usable edges for this leg; check --source")
    here = sphere_xyz([wp.lon], [wp.lat])[0]
    k = min(64, len(eids))
    dists, idx = tree.query(here, k=k)
    dists, idx = np.atleast_1d(dists), np.atleast_1d(idx)
    # every edge with a sample within the nearest sample's distance plus half the sample
    # spacing: among them is the edge nearest the waypoint (a margin for the tangent plane)
    radius = float(dists[0]) * 1.01 + EDGE_SAMPLE_M / 2 + 10.0
    ball = np.asarray(tree.query_ball_point(here, r=radius), dtype=np.int64)
    pick = np.unique(np.concatenate([idx[np.isfinite(dists)], ball]))
    edges = np.unique(eids[pick])
    comps = comp_km[edges]
    if blocked is not None:
        ok = ~(blocked[graph.u[edges]] | blocked[graph.v[edges]])
        if ok.any():
            edges, comps = edges[ok], comps[ok]
    # the nearest point of each edge, on the plane tangent at the waypoint (metres)
    cos0 = np.cos(np.radians(wp.lat))
    ax = (graph.x[graph.u[edges]] - wp.lon) * _M_PER_DEG * cos0
    ay = (graph.y[graph.u[edges]] - wp.lat) * _M_PER_DEG
    dx = (graph.x[graph.v[edges]] - wp.lon) * _M_PER_DEG * cos0 - ax
    dy = (graph.y[graph.v[edges]] - wp.lat) * _M_PER_DEG - ay
    chord2 = dx * dx + dy * dy
    t = np.clip(-(ax * dx + ay * dy) / np.where(chord2 > 0, chord2, 1.0), 0.0, 1.0)
    d = np.hypot(ax + t * dx, ay + t * dy)
    main = (comps >= SNAP_MIN_COMPONENT_KM) & (d <= limit_km * 1000)
    pool = np.flatnonzero(main) if main.any() else np.arange(len(edges))
    best = int(pool[np.argmin(d[pool])])
    e, tb = int(edges[best]), float(t[best])
    chord = float(np.sqrt(chord2[best]))
    px = float(graph.x[graph.u[e]] + tb * (graph.x[graph.v[e]] - graph.x[graph.u[e]]))
    py = float(graph.y[graph.u[e]] + tb * (graph.y[graph.v[e]] - graph.y[graph.u[e]]))
    if tb * chord < _ON_NODE_M or (1 - tb) * chord < _ON_NODE_M:
        node = int(graph.u[e] if tb * chord < _ON_NODE_M else graph.v[e])
        snap = _Snap(node, 0.0, float(graph.x[node]), float(graph.y[node]))
    else:
        node = int(graph.u[e] if tb <= 0.5 else graph.v[e])
        snap = _Snap(node, 0.0, px, py, e, tb)
    there, back = _access_m(wp, snap.x, snap.y)
    d_km = there / 1000
    if d_km > limit_km:
        msg = (
            f"{what}: waypoint {wp.name!r} ({wp.lon}, {wp.lat}) is {d_km:.1f} km from the "
            f"nearest usable line, more than the snap limit of {limit_km:g} km; move the "
            "waypoint onto the line, raise settings.snap_limit_km, or use another --source"
        )
        raise SnapError(msg)
    return replace(snap, dist_km=d_km, access_m=(there, back))


def _access_m(wp: Waypoint, x: float, y: float) -> tuple[float, float]:
    """Geodesic metres from the waypoint to ``(x, y)`` and back (one call for both)."""
    d = geodesic_lengths_m([wp.lon, x], [wp.lat, y], [x, wp.lon], [y, wp.lat])
    return float(d[0]), float(d[1])


def _snap_node(
    graph: RoutingGraph,
    key: Any,
    mask: npt.NDArray[np.bool_],
    wp: Waypoint,
    *,
    limit_km: float,
    what: str,
    blocked: npt.NDArray[np.bool_] | None = None,
) -> _Snap:
    """The nearest node of the masked edges, preferring real stretches (see :func:`_snap`)."""
    tree, ids, comp_km = graph.snap_index(key, mask)
    if not len(ids):
        raise SnapError(f"{what}: the network has no usable edges for this leg; check --source")
    k = min(16, len(ids))
    dists, idx = tree.query(sphere_xyz([wp.lon], [wp.lat])[0], k=k)
    order = [
        (float(d), int(i))
        for d, i in zip(np.atleast_1d(dists), np.atleast_1d(idx), strict=True)
        if np.isfinite(d) and (blocked is None or not blocked[int(ids[int(i)])])
    ]
    if not order:
        order = [(float(np.atleast_1d(dists)[0]), int(np.atleast_1d(idx)[0]))]
    main = [o for o in order if comp_km[o[1]] >= SNAP_MIN_COMPONENT_KM and o[0] <= limit_km * 1000]
    node = int(ids[(main or order)[0][1]])
    x, y = float(graph.x[node]), float(graph.y[node])
    there, back = _access_m(wp, x, y)
    d_km = there / 1000
    if d_km > limit_km:
        msg = (
            f"{what}: waypoint {wp.name!r} ({wp.lon}, {wp.lat}) is {d_km:.1f} km from the "
            f"nearest usable node, more than the snap limit of {limit_km:g} km; move the "
            "waypoint onto the line, raise settings.snap_limit_km, or use another --source"
        )
        raise SnapError(msg)
    return _Snap(node, d_km, x, y, access_m=(there, back))


def _straight_m(sa: _Snap, sb: _Snap) -> float:
    """Great-circle metres between two snapped points (haversine, mean Earth radius).

    Only for the bound of a plain search, which changes its speed, not its path: a search
    that finds nothing within the bound is repeated without it.
    """
    la0, la1 = math.radians(sa.y), math.radians(sb.y)
    h = (
        math.sin((la1 - la0) / 2) ** 2
        + math.cos(la0) * math.cos(la1) * math.sin(math.radians(sb.x - sa.x) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


#: A waypoint whose nearest point of an edge is within this many metres of one of the
#: edge's nodes snaps to that node.
_ON_NODE_M = 1.0


@dataclass(frozen=True)
class _Joined:
    """A path between two snapped points: the nodes it runs between, or along one edge."""

    found: FoundPath | None
    source: int
    target: int
    direct: bool = False


#: A search from any of some ``(node, initial cost)`` sources to any of some targets: the
#: path, and the source and target it joins (see ``RoutingGraph.fast_path_between``).
FindBetween = Callable[
    [Sequence[tuple[int, float]], Sequence[tuple[int, float]]],
    tuple[FoundPath, int, int] | None,
]


def _join(
    graph: RoutingGraph,
    sa: _Snap,
    sb: _Snap,
    weight: npt.NDArray[np.float64],
    find: FindBetween,
) -> _Joined:
    """The least-cost way between two snapped points.

    Each point enters the network at either end of its edge, with the cost of the part of
    the edge to that end; the path is the cheapest of the (up to four) ways between the
    ends, found by one search from both ends of one point's edge to both ends of the
    other's, or, for two points on one edge, the way along it (which wins a tie).
    ``found`` is ``None`` when no way exists.
    """
    starts, goals = sa.entries(graph, weight), sb.entries(graph, weight)
    hit = find(starts, goals)
    direct: tuple[float, _Joined] | None = None
    if sa.edge >= 0 and sa.edge == sb.edge:
        cost = abs(sa.t - sb.t) * float(weight[sa.edge])
        direct = (cost, _Joined(([sa.node], []), sa.node, sa.node, direct=True))
    if hit is None:
        return direct[1] if direct is not None else _Joined(None, sa.node, sb.node)
    found, na, nb = hit
    if direct is not None:
        cost = (
            min(c for n, c in starts if n == na)
            + min(c for n, c in goals if n == nb)
            + float(weight[np.asarray(found[1], dtype=np.int64)].sum())
        )
        if not cost < direct[0]:
            return direct[1]
    return _Joined(found, na, nb)


#: Columns of ``Route.pieces`` held as codes while a route is assembled, and their vocabularies.
_CODED = ("mode", "status", "link", "country0", "country1")

Columns = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True, eq=False)
class _LegPieces:
    """One leg's pieces as NumPy columns (:data:`PIECE_COLUMNS`), coded as :func:`_table` reads.

    A country code past the graph's own indexes ``countries``, a link code past the graph's
    own (``""`` and its link names) indexes ``links``. A corridor's legs are memoised in this
    form and its table is built once from all of them (:func:`_corridor_table`): a DataFrame
    per leg cost more than routing it.
    """

    cols: Columns
    countries: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.cols["leg"])

    @property
    def length_m(self) -> float:
        """Total length in metres."""
        return float(self.cols["length_m"].sum())

    def with_leg(self, index: int) -> _LegPieces:
        """The same pieces as leg ``index`` of a corridor."""
        cols = {**self.cols, "leg": np.full(len(self), index, dtype=np.int64)}
        return _LegPieces(cols, self.countries, self.links)

    def rows(self, lo: int, hi: int) -> _LegPieces:
        """Rows ``lo`` to ``hi`` (exclusive)."""
        return _LegPieces({c: v[lo:hi] for c, v in self.cols.items()}, self.countries, self.links)

    def run_columns(self, graph: RoutingGraph) -> dict[str, Any]:
        """What :func:`~corridors.geo.runs.country_runs` reads, decoded: no table is built.

        The same values as the columns of the table (:func:`_table`) would give it.
        """
        c = self.cols
        names = np.array(
            [*graph.country_names(), *self.countries, "nan"], dtype=object
        )  # a missing code (-1) reads "nan", as the table's text values do
        out: dict[str, Any] = {
            "mode": _MODE_NAMES[c["mode"]],
            "country0": names[c["country0"]],
            "country1": names[c["country1"]],
        }
        return out | {k: c[k] for k in ("x0", "y0", "x1", "y1", "length_m")}


def _empty_columns() -> Columns:
    ints = ("leg", "edge", "mode", "status", "link", "country0", "country1")
    floats = ("x0", "y0", "x1", "y1", "length_m")
    out: Columns = {c: np.zeros(0, dtype=np.int64) for c in ints}
    out |= {c: np.zeros(0, dtype=np.float64) for c in floats}
    out |= {c: np.zeros(0, dtype=bool) for c in ("missing", "bridged", "access")}
    out["gauge_mm"] = np.zeros(0, dtype=np.int16)
    return {c: out[c] for c in PIECE_COLUMNS}


def _corridor_table(graph: RoutingGraph, per_leg: Sequence[_LegPieces]) -> pd.DataFrame:
    """One pieces table from the legs' columns, their added country and link codes merged."""
    kept = [p for p in per_leg if len(p)]
    if not kept:
        return _empty_pieces()
    n_countries = len(graph.country_index()[0].categories)
    n_links = len(graph.link_dtype().categories)
    countries: list[str] = []
    links: list[str] = []

    def recode(own: int, added: tuple[str, ...], merged: list[str]) -> npt.NDArray[np.int64]:
        for name in added:
            if name not in merged:
                merged.append(name)
        return np.array([*range(own), *(own + merged.index(n) for n in added)], dtype=np.int64)

    parts = []
    for p in kept:
        cols = p.cols
        if p.countries:
            m = recode(n_countries, p.countries, countries)
            cols = {**cols, "country0": m[cols["country0"]], "country1": m[cols["country1"]]}
        if p.links:
            cols = {**cols, "link": recode(n_links, p.links, links)[cols["link"]]}
        parts.append(cols)
    return _table(graph, parts, countries, links)


def _path_columns(
    graph: RoutingGraph,
    nodes: Sequence[int] | npt.NDArray[np.int64],
    edges: Sequence[int] | npt.NDArray[np.int64],
    leg_index: int,
    mode: Mode | None,
    *,
    drop_transfers: bool = False,
) -> Columns:
    """The pieces of a path as NumPy columns; coded columns hold codes (see :func:`_table`)."""
    a = np.asarray(nodes[:-1], dtype=np.int64)
    b = np.asarray(nodes[1:], dtype=np.int64)
    e = np.asarray(edges, dtype=np.int64)
    mode_codes = graph.mode[e].astype(np.int64)
    if drop_transfers:
        keep = mode_codes != MODES.index("transfer")
        a, b, e, mode_codes = a[keep], b[keep], e[keep], mode_codes[keep]
    if mode is not None and mode.is_water:
        water = np.isin(mode_codes, (MODES.index("sea"), MODES.index("ferry")))
        mode_codes = np.where(water, MODES.index(mode.value), mode_codes)
    link_codes = graph.link[e].astype(np.int64)
    _, country_codes = graph.country_index()
    return {
        "leg": np.full(len(e), leg_index, dtype=np.int64),
        "edge": np.where(e < graph.n_network_edges, e, -1),
        "x0": graph.x[a],
        "y0": graph.y[a],
        "x1": graph.x[b],
        "y1": graph.y[b],
        "mode": mode_codes,
        "status": graph.status[e].astype(np.int64),
        "gauge_mm": graph.gauge_mm[e],
        "length_m": graph.length_m[e],
        "missing": np.zeros(len(e), dtype=bool),
        "bridged": graph.bridged[e],
        "link": np.where(link_codes >= 0, link_codes + 1, 0),
        "country0": country_codes[a],
        "country1": country_codes[b],
        "access": np.zeros(len(e), dtype=bool),
    }


def _table(
    graph: RoutingGraph,
    parts: Sequence[Columns],
    extra_countries: Sequence[str],
    extra_links: Sequence[str] = (),
) -> pd.DataFrame:
    """One pieces table from column parts, coded columns as categoricals of the graph's codes.

    ``extra_countries`` are country codes (after the graph's own) that access stretches or
    drawn lines used; ``extra_links``, link names (after the graph's own) of drawn lines.
    """
    countries, _ = graph.country_index()
    if extra_countries:
        countries = pd.CategoricalDtype([*countries.categories, *extra_countries])
    links = graph.link_dtype()
    if extra_links:
        links = pd.CategoricalDtype([*links.categories, *extra_links])
    dtypes = {
        "mode": _MODE_DTYPE,
        "status": _STATUS_DTYPE,
        "link": links,
        "country0": countries,
        "country1": countries,
    }
    data: dict[str, Any] = {}
    for c in PIECE_COLUMNS:
        col = parts[0][c] if len(parts) == 1 else np.concatenate([p[c] for p in parts])
        # codes come from the graph's own vocabularies: no validation, no string conversion
        data[c] = (
            pd.Categorical.from_codes(col, dtype=dtypes[c], validate=False) if c in dtypes else col
        )
    return pd.DataFrame(data, copy=False)


_MODE_DTYPE = pd.CategoricalDtype(list(MODES))
_MODE_NAMES = np.array(MODES, dtype=object)
_STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))


def _pieces_from_line(
    graph: RoutingGraph,
    coords: Sequence[tuple[float, float]],
    leg_index: int,
    mode: Mode,
    status: Status,
    *,
    missing: bool,
    link: str | None,
) -> _LegPieces:
    """A leg drawn as its line: one piece per vertex pair, its countries where its points are."""
    pts = np.asarray(coords, dtype=np.float64)
    names = boundaries.countries_at(pts[:, 0], pts[:, 1])
    own = {c: i for i, c in enumerate(graph.country_names())}
    added = tuple(dict.fromkeys(str(c) for c in names if c not in own))
    code = {**own, **{c: len(own) + i for i, c in enumerate(added)}}
    countries = np.array([code[str(c)] for c in names], dtype=np.int64)
    link_names = list(graph.link_dtype().categories)
    name = link or ""
    links: tuple[str, ...] = () if name in link_names else (name,)
    link_code = len(link_names) if links else link_names.index(name)
    n = len(pts) - 1
    cols: Columns = {
        "leg": np.full(n, leg_index, dtype=np.int64),
        "edge": np.full(n, -1, dtype=np.int64),
        "x0": pts[:-1, 0],
        "y0": pts[:-1, 1],
        "x1": pts[1:, 0],
        "y1": pts[1:, 1],
        "mode": np.full(n, MODES.index(mode.value), dtype=np.int64),
        "status": np.full(n, STATUSES.index(status.value), dtype=np.int64),
        "gauge_mm": np.zeros(n, dtype=np.int16),
        "length_m": geodesic_lengths_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]),
        "missing": np.full(n, missing, dtype=bool),
        "bridged": np.zeros(n, dtype=bool),
        "link": np.full(n, link_code, dtype=np.int64),
        "country0": countries[:-1],
        "country1": countries[1:],
        "access": np.zeros(n, dtype=bool),
    }
    return _LegPieces(cols, added, links)


def _empty_pieces() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PIECE_COLUMNS})


#: An access stretch shorter than this (metres) is not drawn: the waypoint is on the node.
_ACCESS_MIN_M = 1.0


@functools.lru_cache(maxsize=4096)
def _country_at(lon: float, lat: float, borders: str) -> str:
    """The country at one point (``""`` at sea); waypoints recur, so answers are kept."""
    return str(boundaries.countries_at([lon], [lat], borders=borders)[0])


def _assemble(
    graph: RoutingGraph,
    path: _PathRef | None,
    ends: tuple[tuple[Waypoint, _Snap], tuple[Waypoint, _Snap]],
    joined: _Joined,
    leg_index: int,
    mode: Mode,
    status: Status,
) -> tuple[_Pieces, float]:
    """The pieces: a path with, at each end, the part of a snapped edge and an access stretch.

    The access stretch runs straight from a waypoint to the point it snapped to; it is
    counted in the route's length (``access`` is set on it) so that nothing between a
    waypoint and the network is lost. A point inside an edge adds the part of that edge
    between the point and the node the path starts (or ends) at, its length prorated; two
    points on one edge (``joined.direct``) are joined by the part between them. Returns the
    pieces (a table on demand) and the access km.
    """
    head: list[_Access] = []
    tail: list[_Access] = []
    km = 0.0
    (wa, sa), (wb, sb) = ends

    def part(snap: _Snap, node: int, *, first: bool) -> _Access | None:
        if snap.edge < 0:
            return None
        frac = snap.fraction_to(graph, node)
        length = frac * float(graph.length_m[snap.edge])
        p, q = (snap.x, snap.y), (float(graph.x[node]), float(graph.y[node]))
        a, b = (p, q) if first else (q, p)
        return _Access(*a, *b, length, leg_index, mode, status, edge=snap.edge)

    d = sa.access_m[0]
    if d >= _ACCESS_MIN_M:
        head.append(_Access(float(wa.lon), float(wa.lat), sa.x, sa.y, d, leg_index, mode, status))
        km += d / 1000.0
    if joined.direct:
        length = abs(sa.t - sb.t) * float(graph.length_m[sa.edge])
        head.append(_Access(sa.x, sa.y, sb.x, sb.y, length, leg_index, mode, status, sa.edge))
    else:
        pa, pb = part(sa, joined.source, first=True), part(sb, joined.target, first=False)
        head += [pa] if pa is not None else []
        tail += [pb] if pb is not None else []
    d = sb.access_m[1]
    if d >= _ACCESS_MIN_M:
        tail.append(_Access(sb.x, sb.y, float(wb.lon), float(wb.lat), d, leg_index, mode, status))
        km += d / 1000.0
    return _Pieces(graph, head, path, tail), km


def _modes_for_leg(mode: Mode) -> tuple[str, ...]:
    if mode is Mode.FERRY:
        return ("ferry", "sea")
    return (mode.value,)


def _statuses_for(status: Status) -> tuple[str, ...]:
    if status is Status.UNDER_CONSTRUCTION:
        return ("operational", "under_construction")
    return ("operational",)


def _blocking_countries(
    graph: RoutingGraph, path_nodes: Sequence[int], avoid: Sequence[str]
) -> list[str]:
    """The avoided countries that the unconstrained path runs through."""
    nodes = np.asarray(path_nodes, dtype=np.int64)
    return sorted({str(c) for c in graph.country[nodes] if c in avoid})


def km_in_countries(pieces: Pieces, countries: Sequence[str]) -> dict[str, float]:
    """Km of the route counted in each of ``countries`` (as the metrics count them).

    ``pieces`` is a pieces table or its columns (see :func:`corridors.geo.runs.country_runs`).

    Runs come from :func:`corridors.geo.runs.country_runs`; a short stretch the runs count
    as a neighbour (a sliver, see its ``note``) is counted here in its own country, so that
    nothing an avoid rule forbids is hidden by the merge.
    """
    import re

    from corridors.geo.runs import country_runs

    out: dict[str, float] = {}
    for run in country_runs(pieces):
        sliver = 0.0
        for hit in re.finditer(r"([0-9.]+) km in ([A-Z]{3}) between", run.note):
            km = float(hit.group(1))
            sliver += km  # not the run's country's, whichever countries are asked for
            if hit.group(2) in countries:
                out[hit.group(2)] = out.get(hit.group(2), 0.0) + km
        if run.country in countries:
            out[run.country] = out.get(run.country, 0.0) + run.length_m / 1000.0 - sliver
    return {k: round(v, 1) for k, v in out.items() if v > 0}


def _check_hard_avoid(what: str, pieces: Pieces, opts: RoutingOptions) -> None:
    """Refuse a path that still enters an avoided country (after the segment mask)."""
    if not (opts.avoid and opts.avoid_mode == "hard"):
        return
    entered = km_in_countries(pieces, opts.avoid)
    if entered:
        where = ", ".join(f"{c} ({km:.1f} km)" for c, km in sorted(entered.items()))
        msg = (
            f"{what}: no path found that stays out of {where}; use --avoid-mode soft to allow "
            "it at a cost, or drop it from --avoid"
        )
        raise InfeasibleRouteError(msg)


def _soft_avoid_warnings(pieces: pd.DataFrame, opts: RoutingOptions) -> list[str]:
    """For a soft avoid, which avoided countries the route still enters, and for how many km."""
    if not (opts.avoid and opts.avoid_mode == "soft"):
        return []
    entered = km_in_countries(pieces, opts.avoid)
    return [
        f"soft avoid: the route still enters {c} for {km:.1f} km (no path found that avoids it)"
        for c, km in sorted(entered.items())
    ]


#: How many times a hard-avoid search is repeated with the leaking edges taken out.
_AVOID_RETRIES = 8


def _refine_hard_avoid(
    graph: RoutingGraph,
    key: Any,
    mask: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.float64],
    found: FoundPath | None,
    source: int,
    target: int,
    opts: RoutingOptions,
) -> FoundPath | None:
    """Search again without the edges by which a hard-avoid path still counts as entering.

    The segment mask keeps a path within the border tolerance of some allowed country; the
    metrics count a country once the line is that far from the *current* one, so a path
    along the Iranian bank of the Aras, near Armenia but far from Azerbaijan, still counts
    as Iran when both are avoided. Such edges are dropped and the search repeated.

    ``key`` names ``mask``: the searches' matrices are cached under it and the edges
    dropped, so a mask with a closure needs a key of its own (and is kept briefly).
    """
    if not (opts.avoid and opts.avoid_mode == "hard"):
        return found
    avoid = np.asarray(sorted(opts.avoid))
    dropped: set[int] = set()
    for _ in range(_AVOID_RETRIES):
        if found is None or not len(found[1]):
            return found
        cols = _path_columns(graph, found[0], found[1], 0, None)
        if not km_in_countries(_LegPieces(cols).run_columns(graph), opts.avoid):
            return found
        e = np.asarray(found[1], dtype=np.int64)
        leaking = e[
            np.isin(graph.country[graph.u[e]], avoid) | np.isin(graph.country[graph.v[e]], avoid)
        ]
        if not len(leaking):
            return found
        dropped |= {int(i) for i in leaking}
        cut = mask.copy()
        cut[np.fromiter(dropped, np.int64)] = False
        found = graph.shortest_path(
            (*key, "refined", tuple(sorted(dropped))),
            cut,
            weights,
            source,
            target,
            one_off=bool(opts.close_edges),
        )
    return found


# --- corridor routing --------------------------------------------------------------------------


@dataclass(frozen=True)
class _LegQuery:
    """What legs are routed under; hashable, it keys the leg memo.

    The cost array follows from the options, so it takes no part in equality.
    """

    opts: RoutingOptions
    opened: frozenset[str]
    limit_km: float
    volga: bool
    weights: npt.NDArray[np.float64] = field(compare=False, repr=False)


def _route_leg(
    graph: RoutingGraph, index: int, leg: Leg, corridor_id: str, q: _LegQuery
) -> tuple[RoutedLeg, _LegPieces]:
    """Route one leg; results are memoised on the graph by the leg and the query."""
    key = (leg, q)
    if q.opts.close_edges:
        # one-off closures (criticality sweeps) are not memoised: the memo would only grow.
        # A leg whose open-network path avoids every closed edge keeps that path: removing
        # edges off a shortest path leaves it shortest.
        open_hit = graph.legs.get((leg, replace(q, opts=replace(q.opts, close_edges=()))))
        if open_hit is not None and not isinstance(open_hit, Exception):
            routed, pieces = open_hit
            if not np.isin(pieces.cols["edge"], q.opts.close_edges).any():
                if routed.index != index:
                    routed, pieces = replace(routed, index=index), pieces.with_leg(index)
                return routed, pieces
        return _route_leg_uncached(graph, index, leg, corridor_id, q)
    hit = graph.legs.get(key)
    if hit is None:
        try:
            routed, pieces = _route_leg_uncached(graph, index, leg, corridor_id, q)
        except (InfeasibleRouteError, SnapError) as exc:
            graph.legs[key] = exc
            raise
        graph.legs[key] = (routed, pieces)
        return routed, pieces
    if isinstance(hit, Exception):
        raise type(hit)(str(hit).replace(_what_prefix(hit), _what(corridor_id, index, leg), 1))
    routed, pieces = hit
    if routed.index != index:
        routed = replace(routed, index=index)
        pieces = pieces.with_leg(index)
    return routed, pieces


def _what(corridor_id: str, index: int, leg: Leg) -> str:
    return f"corridor {corridor_id!r}, leg {index} {leg.name!r} ({leg.mode.value})"


def _what_prefix(exc: Exception) -> str:
    return str(exc).split(": ", 1)[0]


def _route_leg_uncached(
    graph: RoutingGraph, index: int, leg: Leg, corridor_id: str, q: _LegQuery
) -> tuple[RoutedLeg, _LegPieces]:
    opts, opened, weights = q.opts, set(q.opened), q.weights
    limit_km, volga = q.limit_km, q.volga
    what = _what(corridor_id, index, leg)
    status, was_opened = _effective_status(leg, opts)
    if leg.link and leg.link in opts.close_links:
        raise InfeasibleRouteError(f"{what}: the link {leg.link!r} is closed by the scenario")
    if opts.avoid and opts.avoid_mode == "hard":
        for wp in (leg.start, leg.end):
            if wp.country in opts.avoid:
                msg = f"{what}: waypoint {wp.name!r} is in {wp.country}, which is avoided"
                raise InfeasibleRouteError(msg)
    geometry = leg_geometry(leg)
    if leg.mode is Mode.PIPELINE:
        pieces = _pieces_from_line(
            graph, geometry, index, leg.mode, status, missing=False, link=leg.link
        )
        return RoutedLeg(index, leg, status, False, _km(pieces)), pieces
    if status in _NOT_BUILT:
        pieces = _pieces_from_line(
            graph, geometry, index, leg.mode, status, missing=True, link=leg.link
        )
        return (
            RoutedLeg(index, leg, status, True, _km(pieces), reason=f"status {status.value}"),
            pieces,
        )
    modes = _modes_for_leg(leg.mode)
    statuses = _statuses_for(status)
    closed = set(opts.close_links)
    base_key = (modes, statuses, tuple(sorted(opened)), tuple(sorted(closed)), volga)
    mask = _edge_mask(graph, modes, statuses, opened, closed, volga)
    blocked = None
    if opts.avoid and opts.avoid_mode == "hard":
        bad, bad_edges = _avoid_masks(graph, opts.avoid)
        hard_mask = mask & ~bad_edges
        key = (*base_key, tuple(opts.avoid), "hard")
        use_mask, blocked = hard_mask, bad
    else:
        key = (*base_key, tuple(opts.avoid), opts.avoid_mode)
        use_mask = mask

    def drawn(
        reason: str, snaps: tuple[float | None, float | None]
    ) -> tuple[RoutedLeg, _LegPieces]:
        """The leg as its drawn line, missing unless a what-if opened it."""
        line = _pieces_from_line(
            graph, geometry, index, leg.mode, status, missing=not was_opened, link=leg.link
        )
        routed = RoutedLeg(
            index,
            leg,
            status,
            not was_opened,
            _km(line),
            reason=reason,
            opened=was_opened,
            snap_start_km=snaps[0],
            snap_end_km=snaps[1],
        )
        return routed, line

    try:
        sa, sb = (
            _snap(graph, ("snap", key), use_mask, wp, limit_km=limit_km, what=what, blocked=blocked)
            for wp in (leg.start, leg.end)
        )
    except SnapError as exc:
        if status is Status.OPERATIONAL and not was_opened:
            raise
        # a link being built (or opened by a what-if) that the network does not reach yet
        detail = str(exc).split(": ", 1)[-1]
        return drawn(f"no {leg.mode.value} network near its ends ({detail})", (None, None))
    da, db = sa.dist_km, sb.dist_km
    path_key: Any = ("path", key)
    if opts.close_edges:
        use_mask = use_mask.copy()
        use_mask[np.asarray(opts.close_edges, dtype=np.int64)] = False
        path_key = ("path", key, opts.close_edges)
    bound = 3.0 * _straight_m(sa, sb) + 300_000.0

    def find(
        starts: Sequence[tuple[int, float]], goals: Sequence[tuple[int, float]]
    ) -> tuple[FoundPath, int, int] | None:
        if opts.close_edges:
            # one-off closures (criticality sweeps): one search costs less than a customisation
            def one(na: int, nb: int) -> FoundPath | None:
                return graph.shortest_path(
                    path_key, use_mask, weights, na, nb, limit=bound, one_off=True
                )

            return cheapest_pair(one, weights, starts, goals)
        return graph.fast_path_between(
            path_key, use_mask, weights, starts, goals, limit=bound, modes=modes
        )

    joined = _join(graph, sa, sb, weights, find)
    a, b = joined.source, joined.target
    found = joined.found
    if not joined.direct:
        found = _refine_hard_avoid(graph, path_key, use_mask, weights, found, a, b, opts)
    if found is None and opts.avoid and opts.avoid_mode == "hard":
        free = graph.shortest_path(("path", (*base_key, "free")), mask, weights, a, b)
        if free is not None:
            countries = _blocking_countries(graph, free[0], opts.avoid)
            msg = (
                f"{what}: no {leg.mode.value} path avoids "
                f"{', '.join(countries or list(opts.avoid))}; the only paths run through it. "
                "Use --avoid-mode soft to allow it at a cost, or drop it from --avoid"
            )
            raise InfeasibleRouteError(msg)
    if found is None or (len(found[1]) == 0 and a != b):
        return drawn(f"no {leg.mode.value} path on the network", (da, db))
    nodes, edges = found
    path = _PathRef(nodes, edges, index, leg.mode, False) if len(edges) else None
    path_km = float(graph.length_m[np.asarray(edges, dtype=np.int64)].sum()) / 1000.0
    if status is not Status.OPERATIONAL and path_km > DETOUR_FACTOR * _line_km(geometry):
        # a link being built: a network path much longer than the link is a detour, not it
        reason = (
            f"not on the network (the only {leg.mode.value} path is a {path_km:,.0f} km detour)"
        )
        return drawn(reason, (da, db))
    parts, access_km = _assemble(
        graph, path, ((leg.start, sa), (leg.end, sb)), joined, index, leg.mode, status
    )
    pieces = parts.leg_pieces()
    if opts.avoid and opts.avoid_mode == "hard":
        _check_hard_avoid(what, pieces.run_columns(graph), opts)
    routed = RoutedLeg(
        index,
        leg,
        status,
        False,
        _km(pieces),
        opened=was_opened,
        snap_start_km=round(da, 3),
        snap_end_km=round(db, 3),
        access_km=round(access_km, 3),
    )
    return routed, pieces


#: A leg that is not operational takes a network path only if it is at most this many times
#: as long as the leg's drawn line; a longer path is a detour, and the leg stays missing.
DETOUR_FACTOR = 1.5


def _line_km(coords: Sequence[tuple[float, float]]) -> float:
    pts = np.asarray(coords, dtype=np.float64)
    return float(geodesic_lengths_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]).sum()) / 1000


def _km(pieces: _LegPieces) -> float:
    return pieces.length_m / 1000.0


def _check_options(opts: RoutingOptions, links: Mapping[str, Link]) -> RoutingOptions:
    for code in opts.avoid:
        problem = iso3_problem(code)
        if problem:
            raise UnknownNameError(f"--avoid: {problem}")
    if opts.avoid_mode not in ("hard", "soft"):
        raise UnknownNameError(f"avoid_mode {opts.avoid_mode!r} must be 'hard' or 'soft'")
    if opts.as_of is not None and not (
        isinstance(opts.as_of, int)
        and not isinstance(opts.as_of, bool)
        and 1900 <= opts.as_of <= 2200
    ):
        raise ScenarioError(f"as_of {opts.as_of!r} is not a year between 1900 and 2200")
    return replace(
        opts,
        open_links=resolve_links(opts.open_links, dict(links)),
        close_links=resolve_links(opts.close_links, dict(links)),
    )


def _all_links(extra: Iterable[Corridor] = ()) -> dict[str, Link]:
    more = tuple(extra)
    return dict(_shipped_links()) if not more else _links_with(more)


@functools.cache
def _shipped_links() -> dict[str, Link]:
    from corridors.definitions._load import load_all

    return links_from_corridors(load_all())


def _links_with(extra: tuple[Corridor, ...]) -> dict[str, Link]:
    from corridors.definitions._load import load_all

    shipped = {c.id for c in load_all()}
    if all(c.id in shipped or c.parent in shipped for c in extra):
        return dict(_shipped_links())
    return links_from_corridors([*load_all(), *extra])


def route_corridor(
    corridor: Corridor,
    network: Network,
    *,
    options: RoutingOptions | None = None,
    links: Mapping[str, Link] | None = None,
) -> Route:
    """Route a corridor leg by leg over the network.

    Parameters
    ----------
    corridor
        The definition (see :func:`corridors.load`).
    network
        From :func:`corridors.load_network`.
    options
        Avoided countries, opened or closed links, ``as_of`` year, snap limit.
    links
        Named links available to scenarios (default: those of every shipped definition and
        this corridor).

    Returns
    -------
    Route
        With ``pieces`` for metrics; the corridor's own ``avoids`` are checked and any
        violation is in ``warnings`` (and logged).

    Raises
    ------
    SnapError
        A waypoint is farther from its mode's network than the snap limit.
    InfeasibleRouteError
        A leg is closed, or no path avoids a country that must be avoided.
    """
    opts = options or RoutingOptions()
    known = dict(links) if links is not None else _all_links([corridor])
    opts = _check_options(opts, known)
    opened = _opened_links(known, opts)
    graph = routing_graph(network, known)
    volga = settings.allow_volga_don if opts.allow_volga_don is None else opts.allow_volga_don
    limit = settings.snap_limit_km if opts.snap_limit_km is None else opts.snap_limit_km
    weights = _weights(graph, opts, by_time=False)
    query = _LegQuery(opts, frozenset(opened), limit, volga, weights)
    legs: list[RoutedLeg] = []
    per_leg: list[_LegPieces] = []
    for i, leg in enumerate(corridor.legs):
        routed, p = _route_leg(graph, i, leg, corridor.id, query)
        legs.append(routed)
        per_leg.append(p)
    _drop_passing_access(graph, legs, per_leg)
    table = _corridor_table(graph, per_leg)
    warnings = _check_avoids(corridor, table) + _soft_avoid_warnings(table, opts)
    for w in warnings:
        _LOG.warning("%s", w)
    meta = provenance(
        corridors=[corridor],
        sources=network.meta.get("sources"),
        extra={"network": network.meta.get("cache_key", ""), "options": _options_dict(opts)},
    )
    return Route(
        corridor.id, corridor.name, tuple(legs), table, corridor, opts, tuple(warnings), meta
    )


def _drop_passing_access(
    graph: RoutingGraph, legs: list[RoutedLeg], pieces: list[_LegPieces]
) -> None:
    """Drop the out-and-back stretches at a waypoint the route passes through.

    Where one leg ends and the next starts at the same waypoint, both snapped to the same
    point, the route goes on from that point: the two access stretches to the waypoint and
    back are not travelled. Where, in addition, the point lies inside an edge and both legs
    leave it by the same node (the route turns at the node, the point lies just past it),
    the two parts of that edge, out and back, are not travelled either; whole edges are
    kept (a corridor may run into a station and out again, as BTK at Tbilisi). Lists are
    changed in place; the memoised legs are not.
    """
    # the rows kept of each piece, [lo, hi): drops only ever take a first or last row, so
    # each piece is sliced once at the end
    lo = [0] * len(pieces)
    hi = [len(p) for p in pieces]

    def at(k: int, name: str, row: int) -> Any:
        return pieces[k].cols[name][row]

    def close(a: float, b: float) -> bool:  # np.isclose's test, without its array overhead
        return abs(a - b) <= 1e-8 + 1e-5 * abs(b)

    def drop(k: int, first: bool, *, access: bool) -> None:
        row = lo[k] if first else hi[k] - 1
        km = float(at(k, "length_m", row)) / 1000.0
        if first:
            lo[k] += 1
        else:
            hi[k] -= 1
        legs[k] = replace(
            legs[k],
            length_km=legs[k].length_km - km,
            access_km=round(max(legs[k].access_km - km, 0.0), 3) if access else legs[k].access_km,
        )

    for i in range(len(legs) - 1):
        if hi[i] <= lo[i] or hi[i + 1] <= lo[i + 1]:
            continue
        ra, rb = hi[i] - 1, lo[i + 1]
        if not (bool(at(i, "access", ra)) and bool(at(i + 1, "access", rb))):
            continue
        same_point = close(at(i, "x0", ra), at(i + 1, "x1", rb)) and close(
            at(i, "y0", ra), at(i + 1, "y1", rb)
        )
        if not same_point:
            continue
        drop(i, False, access=True)
        drop(i + 1, True, access=True)
        if hi[i] - lo[i] < 2 or hi[i + 1] - lo[i + 1] < 2:
            continue
        ra, rb = hi[i] - 1, lo[i + 1]
        edge = int(at(i, "edge", ra))
        back = (
            edge >= 0
            and edge == int(at(i + 1, "edge", rb))
            and float(at(i, "length_m", ra)) < float(graph.length_m[edge])  # a part of it
            and close(at(i, "x0", ra), at(i + 1, "x1", rb))
            and close(at(i, "y0", ra), at(i + 1, "y1", rb))
            and close(at(i, "x1", ra), at(i + 1, "x0", rb))
            and close(at(i, "y1", ra), at(i + 1, "y0", rb))
        )
        if back:
            drop(i, False, access=False)
            drop(i + 1, True, access=False)
    for k, p in enumerate(pieces):
        if (lo[k], hi[k]) != (0, len(p)):
            pieces[k] = p.rows(lo[k], hi[k])


def _options_dict(opts: RoutingOptions) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in opts.__dict__.items()}


def _check_avoids(corridor: Corridor, pieces: pd.DataFrame) -> list[str]:
    from corridors.geo.runs import country_runs

    if not corridor.avoids or pieces.empty:
        return []
    entered = {r.country for r in country_runs(pieces)}
    return [
        f"corridor {corridor.id!r} is meant to avoid {a.country} ({a.reason}) but its route "
        f"enters it"
        for a in corridor.avoids
        if a.country in entered
    ]


def route_corridors(
    corridors: Iterable[Corridor],
    network: Network,
    *,
    options: RoutingOptions | None = None,
) -> tuple[list[Route], dict[str, str]]:
    """Route several corridors; a corridor that cannot be routed does not stop the others.

    Returns
    -------
    (routes, errors)
        The routes, and for each corridor that failed, its error message.
    """
    from corridors._errors import CorridorsError

    items = list(corridors)
    known = _all_links(items)
    routes: list[Route] = []
    errors: dict[str, str] = {}
    for c in items:
        try:
            routes.append(route_corridor(c, network, options=options, links=known))
        except (InfeasibleRouteError, SnapError) as exc:
            errors[c.id] = str(exc)
        except CorridorsError:
            raise
    return routes, errors


# --- ad-hoc routes ----------------------------------------------------------------------------


def _fold(text: str) -> str:
    import unicodedata

    nk = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in nk if not unicodedata.combining(ch)).replace("ı", "i").strip()


@functools.cache
def _known_places() -> dict[str, Waypoint]:
    from corridors.definitions._load import load_all
    from corridors.geo import geodata

    out: dict[str, Waypoint] = {}
    for c in load_all(variants=False):
        for wp in c.waypoints:
            for name in (wp.name, *wp.aliases):
                out.setdefault(_fold(name), wp)
    for p in geodata.places():
        wp = Waypoint(p.name, p.lon, p.lat, p.country, Role.VIA, p.source)
        for name in p.names:
            out.setdefault(_fold(name), wp)
    return out


def known_places() -> list[tuple[Waypoint, tuple[str, ...]]]:
    """Every place a name can stand for, with the other names it answers to, by name."""
    by_place: dict[Waypoint, list[str]] = {}
    for key, wp in _known_places().items():
        by_place.setdefault(wp, []).append(key)
    out = []
    for wp, keys in by_place.items():
        others = sorted({k for k in keys if k != _fold(wp.name)})
        out.append((wp, tuple(others)))
    return sorted(out, key=lambda item: (_fold(item[0].name), item[0].country))


def parse_place(text: str) -> Waypoint:
    """A waypoint from ``"lon,lat"`` or a place name known to the definitions or gazetteer.

    Raises
    ------
    UnknownNameError
        Listing the closest known names.
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                msg = f"{text!r}: expected 'lon,lat' with lon in [-180, 180], lat in [-90, 90]"
                raise UnknownNameError(msg)
            country = boundaries.country_at(lon, lat) or "XXX"
            return Waypoint(f"{lon:.4f},{lat:.4f}", lon, lat, country, Role.VIA)
    places = _known_places()
    hit = places.get(_fold(text))
    if hit is not None:
        return hit
    names = sorted({wp.name for wp in places.values()})
    hint = suggest(text, names) or suggest(_fold(text), list(places))
    msg = (
        f"unknown place {text!r}{hint or ''}; give 'lon,lat' or a name that "
        "'corridors places' lists"
    )
    raise UnknownNameError(msg)


#: What :func:`route` takes as a place.
Place = str | Waypoint | tuple[float, float] | Any


def as_waypoint(place: Any) -> Waypoint:
    """A waypoint from a name, ``"lon,lat"``, a ``(lon, lat)`` pair or a shapely Point.

    Raises
    ------
    UnknownNameError
        For an unknown name, coordinates out of range, or anything else.
    """
    if isinstance(place, Waypoint):
        return place
    if isinstance(place, str):
        return parse_place(place)
    if getattr(place, "geom_type", None) == "Point":
        return parse_place(f"{place.x},{place.y}")
    if isinstance(place, tuple | list) and len(place) == 2:
        try:
            lon, lat = float(place[0]), float(place[1])
        except (TypeError, ValueError):
            pass
        else:
            return parse_place(f"{lon},{lat}")
    msg = f"{place!r:.60}: a place is a name, 'lon,lat', a (lon, lat) pair or a shapely Point"
    raise UnknownNameError(msg)


@dataclass(frozen=True, eq=False)
class _AdHoc:
    """What :func:`route` derives from the network, the modes and the options.

    The same for every pair of places, so it is kept (see :func:`_adhoc`): a warm query
    goes straight to snapping. ``mask`` is the usable edges (a hard avoid applied),
    ``free_mask`` the same without the avoid, ``key`` names them in the graph's caches.
    """

    graph: RoutingGraph
    links: Mapping[str, Link]
    opts: RoutingOptions
    mode_list: tuple[str, ...]
    use_modes: tuple[str, ...]
    leg_mode: Mode
    by_time: bool
    limit_km: float
    weights: npt.NDArray[np.float64]
    mask: npt.NDArray[np.bool_]
    free_mask: npt.NDArray[np.bool_]
    key: tuple[Any, ...]
    blocked: npt.NDArray[np.bool_] | None
    snap_mask: npt.NDArray[np.bool_]


_ADHOC: weakref.WeakKeyDictionary[Network, dict[Any, _AdHoc]] = weakref.WeakKeyDictionary()


def _adhoc(
    network: Network,
    modes: str | Sequence[str],
    options: RoutingOptions | None,
    speeds_kmh: Mapping[str, float] | None,
    transfer_h: float | None,
    border_h: Mapping[str, float] | None = None,
) -> _AdHoc:
    """The graph, costs and masks of an ad-hoc route; kept per network and arguments.

    A kept one holds while the network's routing graph and the shipped links are the same
    objects and the settings it read are unchanged (they are part of its key).
    """
    memo: tuple[Any, ...] | None = (
        modes if isinstance(modes, str) else tuple(modes),
        options,
        None if speeds_kmh is None else tuple(sorted(speeds_kmh.items())),
        transfer_h,
        None if border_h is None else tuple(sorted(border_h.items())),
        settings.allow_volga_don,
        settings.snap_limit_km,
        settings.border_tolerance_km,
        settings.borders,
    )
    try:
        hash(memo)
    except TypeError:  # options given lists where tuples are expected: not kept
        memo = None
    per_net = _ADHOC.setdefault(network, {})
    hit = per_net.get(memo)
    if hit is not None and hit.links is _shipped_links() and is_current(network, hit.graph):
        return hit
    mode_list = [modes] if isinstance(modes, str) else list(modes)
    if mode_list == ["any"]:
        use_modes: tuple[str, ...] = ("rail", "road", "ferry", "sea", "transfer")
        leg_mode = Mode.RAIL
    else:
        try:
            parsed = [Mode(m) for m in mode_list]
        except ValueError:
            msg = f"unknown mode in {mode_list!r}; use rail, road, ferry, sea or any"
            raise UnknownNameError(msg) from None
        use_modes = tuple(dict.fromkeys(m for p in parsed for m in _modes_for_leg(p)))
        leg_mode = parsed[0]
    opts = options or RoutingOptions()
    known = _all_links()
    opts = _check_options(opts, known)
    opened = _opened_links(known, opts)
    graph = routing_graph(network, known)
    volga = settings.allow_volga_don if opts.allow_volga_don is None else opts.allow_volga_don
    limit = settings.snap_limit_km if opts.snap_limit_km is None else opts.snap_limit_km
    by_time = len(use_modes) > 1 and "transfer" in use_modes
    weights = _weights(
        graph,
        opts,
        by_time=by_time,
        speeds_kmh=speeds_kmh,
        transfer_h=transfer_h,
        border_h=border_h,
    )
    mask = _edge_mask(graph, use_modes, ("operational",), opened, set(opts.close_links), volga)
    free_mask = mask
    key: tuple[Any, ...] = (use_modes, tuple(sorted(opened)), tuple(opts.close_links), volga)
    blocked = None
    if opts.avoid and opts.avoid_mode == "hard":
        bad, bad_edges = _avoid_masks(graph, opts.avoid)
        mask = mask & ~bad_edges
        key = (*key, tuple(opts.avoid), "hard")
        blocked = bad
    else:
        key = (*key, tuple(opts.avoid), opts.avoid_mode)
    snap_mask = graph.masks.get(("snap", key))  # built once per key, as its snap index
    if snap_mask is None or snap_mask.shape != mask.shape:
        snap_mask = mask & (graph.mode != MODES.index("transfer"))
        graph.masks[("snap", key)] = snap_mask
    out = _AdHoc(
        graph,
        _shipped_links(),
        opts,
        tuple(mode_list),
        use_modes,
        leg_mode,
        by_time,
        limit,
        weights,
        mask,
        free_mask,
        key,
        blocked,
        snap_mask,
    )
    if memo is not None:
        # a kept setup holds its routing graph: one for a graph that was replaced (a
        # cleared or rebuilt cache) would keep that graph alive, so such setups go
        stale = [k for k, v in per_net.items() if v.graph is not graph]
        for k in stale:
            del per_net[k]
        if len(per_net) >= 64:
            per_net.clear()
        per_net[memo] = out
    return out


def route(
    origin: Place,
    destination: Place,
    network: Network,
    *,
    modes: str | Sequence[str] = "rail",
    options: RoutingOptions | None = None,
    speeds_kmh: Mapping[str, float] | None = None,
    transfer_h: float | None = None,
    border_h: Mapping[str, float] | None = None,
) -> Route:
    """Route between two places on one mode, or on any mode with transfers.

    Parameters
    ----------
    origin, destination
        A place name, ``"lon,lat"``, a ``(lon, lat)`` pair, a shapely Point, or a
        :class:`~corridors.model.Waypoint`.
    network
        From :func:`corridors.load_network`.
    modes
        ``"rail"``, ``"road"``, ``"sea"``, ``"ferry"``, or ``"any"``: all modes joined at
        ports, on the least time: km / ``speeds_kmh``, plus ``transfer_h`` per transfer,
        plus ``border_h`` where an edge crosses a border (a named crossing's own dwell where
        it has one). Gauge breaks are not in this cost; for the least time under the whole
        time model use :func:`corridors.analysis.fastest_route`.
    options
        As for :func:`route_corridor`.
    speeds_kmh, transfer_h, border_h
        For ``"any"``: speeds by mode, in km/h, hours per transfer and hours per border
        crossing by mode (default :data:`SPEEDS_FOR_ANY_KMH`, :data:`TRANSFER_FOR_ANY_H`,
        :data:`BORDER_FOR_ANY_H`, the time model's defaults).
    """
    a, b = as_waypoint(origin), as_waypoint(destination)
    q = _adhoc(network, modes, options, speeds_kmh, transfer_h, border_h)
    graph, opts, key, weights, by_time = q.graph, q.opts, q.key, q.weights, q.by_time
    leg = Leg(a, b, q.leg_mode, Status.OPERATIONAL)
    what = f"route {a.name!r} – {b.name!r} ({'/'.join(q.mode_list)})"
    if q.blocked is not None:
        for wp in (a, b):
            if wp.country in opts.avoid:
                raise InfeasibleRouteError(
                    f"{what}: {wp.name!r} is in {wp.country}, which is avoided"
                )
    sa, sb = (
        _snap(
            graph,
            ("snap", key),
            q.snap_mask,
            wp,
            limit_km=q.limit_km,
            what=what,
            blocked=q.blocked,
            nodes_only=by_time,
        )
        for wp in (a, b)
    )
    use_modes, leg_mode, mask, blocked = q.use_modes, q.leg_mode, q.mask, q.blocked
    da, db = sa.dist_km, sb.dist_km
    wkey = ("path", key, by_time, id(weights))
    # bound the search: 3x the straight line (+300 km) in metres, or in hours by time
    bound = 3.0 * _straight_m(sa, sb) + 300_000.0
    limit = bound / 1000.0 / min(SPEEDS_FOR_ANY_KMH.values()) if by_time else bound
    if opts.close_edges:
        # a one-off closure (criticality sweeps): the stations snap as if it were open
        mask = mask.copy()
        mask[np.asarray(opts.close_edges, dtype=np.int64)] = False

    def find(
        starts: Sequence[tuple[int, float]], goals: Sequence[tuple[int, float]]
    ) -> tuple[FoundPath, int, int] | None:
        if opts.close_edges:

            def one(x: int, y: int) -> FoundPath | None:
                key = (*wkey, opts.close_edges)
                return graph.shortest_path(key, mask, weights, x, y, limit=limit, one_off=True)

            return cheapest_pair(one, weights, starts, goals)
        return graph.fast_path_between(
            wkey, mask, weights, starts, goals, limit=limit, modes=use_modes
        )

    joined = _join(graph, sa, sb, weights, find)
    na, nb = joined.source, joined.target
    found = joined.found
    if not joined.direct:
        rkey = (*wkey, opts.close_edges) if opts.close_edges else wkey  # names the mask
        found = _refine_hard_avoid(graph, rkey, mask, weights, found, na, nb, opts)
    if found is None:
        if blocked is not None and graph.shortest_path(
            ("path", "free", key, by_time), q.free_mask, weights, na, nb
        ):
            msg = (
                f"{what}: every path runs through {', '.join(opts.avoid)}; use "
                "--avoid-mode soft or drop it from --avoid"
            )
            raise InfeasibleRouteError(msg)
        raise InfeasibleRouteError(
            f"{what}: no path on the {'/'.join(use_modes)} network between these places"
        )
    nodes, edges = found
    # transfer edges are not drawn; without them in the mask there are none to drop
    path = _PathRef(nodes, edges, 0, None, "transfer" in use_modes) if len(edges) else None
    lazy, access_km = _assemble(
        graph, path, ((a, sa), (b, sb)), joined, 0, leg_mode, Status.OPERATIONAL
    )
    pieces: pd.DataFrame | _Pieces = lazy
    warnings: list[str] = []
    if opts.avoid:
        table = lazy.table()
        _check_hard_avoid(what, table, opts)
        warnings = _soft_avoid_warnings(table, opts)
        pieces = table
    for w in warnings:
        _LOG.warning("%s", w)
    routed = RoutedLeg(
        0,
        leg,
        Status.OPERATIONAL,
        False,
        lazy.length_m / 1000.0,
        snap_start_km=round(da, 3),
        snap_end_km=round(db, 3),
        access_km=round(access_km, 3),
    )
    meta = provenance(
        sources=network.meta.get("sources"),
        extra={"network": network.meta.get("cache_key", ""), "options": _options_dict(opts)},
    )
    rid = f"{a.name} – {b.name}"
    return Route(rid, rid, (routed,), pieces, None, opts, tuple(warnings), meta)


#: A place within this many km of a corridor's waypoint counts as that waypoint.
SAME_PLACE_KM = 25.0


def _waypoint_index(corridor: Corridor, place: Waypoint) -> int | None:
    """The corridor's waypoint that is ``place`` (same name, an alias, or within 25 km)."""
    name = _fold(place.name)
    for i, wp in enumerate(corridor.waypoints):
        if name in {_fold(n) for n in (wp.name, *wp.aliases)}:
            return i
    xs = np.array([wp.lon for wp in corridor.waypoints])
    ys = np.array([wp.lat for wp in corridor.waypoints])
    d = geodesic_lengths_m(np.full(len(xs), place.lon), np.full(len(xs), place.lat), xs, ys)
    i = int(np.argmin(d))
    return i if d[i] / 1000.0 <= SAME_PLACE_KM else None


def corridor_between(
    corridor: Corridor, origin: str | Waypoint, destination: str | Waypoint
) -> tuple[Corridor, tuple[str, ...]]:
    """The corridor's own path from ``origin`` to ``destination``, for a like-for-like compare.

    The legs between the two places are kept where the corridor passes them (a waypoint of
    the same name or alias, or within :data:`SAME_PLACE_KM`). A place the corridor does not
    pass is joined to the corridor's first (or last) waypoint by an access leg on the mode
    of the corridor's first (or last) leg, operational: the corridor's path with the trip
    to reach it, said in the notes.

    Returns
    -------
    (Corridor, notes)
        The cut corridor (same id, name saying from and to) and what was added.

    Raises
    ------
    InfeasibleRouteError
        When the corridor passes both places the other way round, or is a reference line.
    """
    a, b = as_waypoint(origin), as_waypoint(destination)
    if corridor.is_reference:
        raise InfeasibleRouteError(
            f"corridor {corridor.id!r} is a reference line; it has no path between places"
        )
    i, j = _waypoint_index(corridor, a), _waypoint_index(corridor, b)
    wps = corridor.waypoints
    if i is not None and j is not None and i >= j:
        msg = (
            f"corridor {corridor.id!r} reaches {b.name!r} before {a.name!r} (its waypoints: "
            f"{', '.join(w.name for w in wps)}); swap --from and --to"
        )
        raise InfeasibleRouteError(msg)
    first = i if i is not None else 0
    last = j if j is not None else len(wps) - 1
    legs = [
        leg
        for leg in corridor.legs
        if leg.start in wps[first:last] and leg.end in wps[first + 1 : last + 1]
    ]
    notes: list[str] = []
    if i is None:
        mode = legs[0].mode if legs else corridor.legs[0].mode
        legs.insert(0, Leg(a, wps[first], mode, Status.OPERATIONAL, note="access"))
        notes.append(
            f"{corridor.id}: does not pass {a.name}; an access leg {a.name} – "
            f"{wps[first].name} by {mode.value} is added"
        )
    if j is None:
        mode = legs[-1].mode if legs else corridor.legs[-1].mode
        legs.append(Leg(wps[last], b, mode, Status.OPERATIONAL, note="access"))
        notes.append(
            f"{corridor.id}: does not pass {b.name}; an access leg {wps[last].name} – "
            f"{b.name} by {mode.value} is added"
        )
    points = [legs[0].start, *(leg.end for leg in legs)]
    cut = replace(
        corridor,
        name=f"{corridor.name}, {a.name} – {b.name}",
        waypoints=tuple(points),
        legs=tuple(legs),
        variants=(),
    )
    return cut, tuple(notes)
