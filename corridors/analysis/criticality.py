"""Link criticality: close each link a baseline uses, one at a time, and reroute.

This is a *single-link failure* analysis in the sense of the criticality literature:

- from Jafino, Kwakkel and Verbraeck (2020), "Transport network criticality metrics: a
  comparative analysis and a guideline for selection" (Transport Reviews 40(2)), we
  implement two of the reviewed metrics, each for one origin–destination (a corridor's
  terminals through its stations, or a pair of places) with a demand of one: the
  **increase in travel time** when the link fails (``delta_time_h``, from the project's time
  model; the same for distance, ``delta_length_km``, and cost, ``delta_cost_usd``) and the
  **unsatisfied demand** (``cut``: no alternative path exists, so the OD's demand is lost);
- from RA2CE's criticality analysis (Deltares), its *single-link redundancy*: for every link
  of the network used, the alternative route's length (``length_km``), the difference to
  the baseline (``delta_length_km``) and whether a detour exists (``detour``).

What is a link here (``kind``):

- ``segment``: a contracted stretch of the rail or road network between junctions (nodes
  whose degree is not 2), as the baseline runs on it;
- ``border``: the edges that cross a land border, named after the crossing, with every other
  edge of the same mode that crosses at the same named crossing (another track of it, which
  may share no node with the route's: Kartsakhi has two); the corridor's
  own border waypoints next to it are released, so the route may cross elsewhere (closing
  the segment a station sits on, by contrast, always cuts the corridor: stations stay put);
- ``ferry``: every network edge of a ferry or sea leg's path (the line sailed; other sea
  lanes stay open);
- ``water``: all sailing on the water body of a ferry or sea leg (every ferry and sea edge
  connected to its path, the Volga–Don left out as routing leaves it out): for the Caspian,
  the whole crossing;
- ``link``: a named link of the definitions (``meghri``), closed as scenarios close it.

Closures never rebuild the network: they are :class:`corridors.routing.RoutingOptions`
(``close_links``, ``close_edges``) over the cached routing graph, as scenarios are.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from corridors._errors import InfeasibleRouteError, SnapError
from corridors.analysis.costmodel import route_cost
from corridors.analysis.metrics import route_metrics
from corridors.model import Corridor, Leg, Role, Status
from corridors.network._graph import MODES, RoutingGraph, routing_graph
from corridors.network.core import Network
from corridors.routing import Route, RoutingOptions, crossing_names, route, route_corridor

__all__ = [
    "CRITICALITY_COLUMNS",
    "Element",
    "Item",
    "RankedRows",
    "closure_row",
    "elements_of",
    "evaluate_batch",
    "items_from_od_file",
    "rank_overall",
    "rank_rows",
    "reroute",
    "reroute_route",
    "sweep_criticality",
]


@dataclass(frozen=True)
class Item:
    """What is rerouted: a corridor (by id) or an origin–destination pair of places."""

    kind: str  # "corridor" | "od"
    id: str
    origin: str = ""
    destination: str = ""
    mode: str = "rail"


@dataclass(frozen=True)
class Element:
    """One link to close: network edges and/or named links, and where it is."""

    id: str
    kind: str
    name: str
    edges: tuple[int, ...] = ()
    links: tuple[str, ...] = ()
    release: tuple[str, ...] = ()
    km: float = 0.0
    lon: float = 0.0
    lat: float = 0.0
    countries: tuple[str, ...] = ()


#: Columns of the criticality table, in order.
CRITICALITY_COLUMNS = (
    "item",
    "element",
    "kind",
    "name",
    "countries",
    "element_km",
    "lon",
    "lat",
    "cut",
    "detour",
    "reason",
    "baseline_km",
    "length_km",
    "delta_length_km",
    "baseline_time_h",
    "time_h",
    "delta_time_h",
    "baseline_cost_usd",
    "delta_cost_usd",
    "delta_border_crossings",
    "countries_added",
    "countries_removed",
)


# --- the links a baseline uses -----------------------------------------------------------------


def _route_item(item: Item, network: Network, options: RoutingOptions | None = None) -> Route:
    from corridors.definitions._load import load

    if item.kind == "corridor":
        return route_corridor(load(item.id), network, options=options)
    return route(item.origin, item.destination, network, modes=item.mode, options=options)


def _union_find(n: int) -> tuple[list[int], Any]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    return parent, find


def _degrees(graph: RoutingGraph, mode_code: int) -> Any:
    on = np.flatnonzero(graph.mode[: graph.n_network_edges] == mode_code)
    return np.bincount(np.concatenate([graph.u[on], graph.v[on]]), minlength=graph.n_nodes).astype(
        np.int64
    )


_PAIRS: weakref.WeakKeyDictionary[RoutingGraph, dict[int, list[int]]] = weakref.WeakKeyDictionary()


def _with_parallels(graph: RoutingGraph, edges: Sequence[int]) -> tuple[int, ...]:
    """The edges and every network edge joining the same two nodes (a link's other tracks)."""
    pairs = _PAIRS.get(graph)
    if pairs is None:
        m = graph.n_network_edges
        lo, hi = np.minimum(graph.u[:m], graph.v[:m]), np.maximum(graph.u[:m], graph.v[:m])
        keys = lo * graph.n_nodes + hi
        order = np.argsort(keys, kind="stable")
        pairs = {}
        sk = keys[order]
        dup = np.flatnonzero(np.r_[sk[1:] == sk[:-1], False] | np.r_[False, sk[1:] == sk[:-1]])
        for i in dup:
            pairs.setdefault(int(sk[i]), []).append(int(order[i]))
        _PAIRS[graph] = pairs
    out = set(edges)
    for e in edges:
        a, b = sorted((int(graph.u[e]), int(graph.v[e])))
        out.update(pairs.get(a * graph.n_nodes + b, ()))
    return tuple(sorted(out))


_CROSSINGS: weakref.WeakKeyDictionary[RoutingGraph, dict[tuple[int, str], tuple[int, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _named_crossings(graph: RoutingGraph) -> dict[tuple[int, str], tuple[int, ...]]:
    """Every network edge that crosses a land border, by ``(mode code, crossing name)``.

    Named as routing names them for border dwell
    (:func:`corridors.routing.crossing_names`); edges with no named crossing near are left
    out. Grouped once per graph.
    """
    hit = _CROSSINGS.get(graph)
    if hit is None:
        groups: dict[tuple[int, str], list[int]] = {}
        for e, name in sorted(crossing_names(graph).items()):
            if e < graph.n_network_edges:
                groups.setdefault((int(graph.mode[e]), name), []).append(e)
        hit = _CROSSINGS[graph] = {k: tuple(v) for k, v in groups.items()}
    return hit


def _crossing_edges(graph: RoutingGraph, crossing: Sequence[int], name: str) -> tuple[int, ...]:
    """The edges that closing a border crossing closes.

    The route's crossing edges, their parallels, and every other edge of the same mode that
    crosses the border at the same named crossing (another track of the same crossing that
    shares none of the route's nodes).
    """
    named = _named_crossings(graph)
    out = set(crossing)
    for code in {int(graph.mode[e]) for e in crossing}:
        out.update(named.get((code, name), ()))
    return _with_parallels(graph, sorted(out))


def _water_component(graph: RoutingGraph, edges: Sequence[int]) -> tuple[int, ...]:
    """Every ferry and sea edge connected by water to these (the Volga–Don left out)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    m = graph.n_network_edges
    water = np.flatnonzero(
        np.isin(graph.mode[:m], (MODES.index("ferry"), MODES.index("sea"))) & ~graph.volga_don[:m]
    )
    n = graph.n_nodes
    adj = coo_matrix((np.ones(len(water)), (graph.u[water], graph.v[water])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    mine = {int(labels[graph.u[e]]) for e in edges}
    return tuple(int(e) for e in water if int(labels[graph.u[e]]) in mine)


def _mid(graph: RoutingGraph, edges: Sequence[int]) -> tuple[float, float]:
    e = np.asarray(edges, dtype=np.int64)
    xs = np.concatenate([graph.x[graph.u[e]], graph.x[graph.v[e]]])
    ys = np.concatenate([graph.y[graph.u[e]], graph.y[graph.v[e]]])
    i = int(np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2))
    return round(float(xs[i]), 5), round(float(ys[i]), 5)


def _countries(graph: RoutingGraph, edges: Sequence[int]) -> tuple[str, ...]:
    e = np.asarray(edges, dtype=np.int64)
    both = np.concatenate([graph.country[graph.u[e]], graph.country[graph.v[e]]])
    return tuple(sorted({str(c) for c in both if str(c)}))


def _km(graph: RoutingGraph, edges: Sequence[int]) -> float:
    return round(float(graph.length_m[np.asarray(edges, dtype=np.int64)].sum()) / 1000.0, 1)


_NAMES: weakref.WeakKeyDictionary[Network, tuple[Any, list[str]]] = weakref.WeakKeyDictionary()


def _name_codes(network: Network) -> tuple[Any, list[str]]:
    """Each edge's name as a code into the distinct names (``-1``: none or empty); once."""
    hit = _NAMES.get(network)
    if hit is None:
        import pandas as pd

        cat = pd.Categorical(network.edges["name"].astype(object))
        names = [str(c) for c in cat.categories]
        codes = np.asarray(cat.codes, dtype=np.int64)
        empty = np.array([n == "" for n in names] + [True], dtype=bool)
        codes = np.where(empty[codes], -1, codes)
        hit = _NAMES[network] = (codes, names)
    return hit


def _name(network: Network, edges: Sequence[int]) -> str:
    """The most frequent name on the edges (``""`` when none has one)."""
    if "name" not in network.edges.columns:
        return ""
    codes, names = _name_codes(network)
    c = codes[np.asarray(edges, dtype=np.int64)]
    c = c[c >= 0]
    if not len(c):
        return ""
    values, counts = np.unique(c, return_counts=True)
    top = np.flatnonzero(counts == counts.max())
    if len(top) == 1:
        return names[int(values[top[0]])]
    # a tie: pandas' order decides, as it always has
    named = network.edges["name"].iloc[list(edges)].dropna().astype(str)
    named = named[named != ""]
    return str(named.value_counts().index[0])


def elements_of(base: Route, network: Network, metrics: Mapping[str, Any]) -> list[Element]:
    """The links the baseline uses: segments, border crossings, ferries and named links.

    In route order, each once.
    """
    graph = routing_graph(network, _known_links(base))
    p = base.pieces
    water = {MODES.index("ferry"), MODES.index("sea")}
    out: list[Element] = []
    seen: set[str] = set()

    def add(el: Element) -> None:
        if el.id not in seen:
            seen.add(el.id)
            out.append(el)

    edge_col = p["edge"].to_numpy(np.int64) if len(p) else np.zeros(0, np.int64)
    leg_col = p["leg"].to_numpy(np.int64) if len(p) else np.zeros(0, np.int64)
    route_edges = list(dict.fromkeys(int(e) for e in edge_col if e >= 0))
    land = [e for e in route_edges if int(graph.mode[e]) not in water]
    # contracted segments: route edges joined at nodes of degree 2 on their mode's network
    parent, find = _union_find(len(land))
    at_node: dict[int, list[int]] = {}
    for i, e in enumerate(land):
        for node in (int(graph.u[e]), int(graph.v[e])):
            at_node.setdefault(node, []).append(i)
    degs = {code: _degrees(graph, code) for code in {int(graph.mode[e]) for e in land}}
    for node, idx in at_node.items():
        if len(idx) == 2 and degs[int(graph.mode[land[idx[0]]])][node] == 2:
            a, b = find(idx[0]), find(idx[1])
            if a != b:
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for i, e in enumerate(land):
        groups.setdefault(find(i), []).append(e)
    crossing_names = [
        (float(c["lon"]), float(c["lat"]), str(c.get("name") or f"{c['from']}–{c['to']}"))
        for c in metrics.get("border_crossings", [])
    ]
    border_wps = [
        wp
        for wp in (base.corridor.waypoints if base.corridor is not None else ())
        if wp.role is Role.BORDER
    ]
    for edges in groups.values():
        lon, lat = _mid(graph, edges)
        add(
            Element(
                id=f"segment:{min(edges)}",
                kind="segment",
                name=_name(network, edges),
                edges=_with_parallels(graph, edges),
                km=_km(graph, edges),
                lon=lon,
                lat=lat,
                countries=_countries(graph, edges),
            )
        )
        crossing = [
            e
            for e in edges
            if str(graph.country[graph.u[e]])
            and str(graph.country[graph.v[e]])
            and graph.country[graph.u[e]] != graph.country[graph.v[e]]
        ]
        if crossing:
            lon, lat = _mid(graph, crossing)
            near = [c for c in crossing_names if (c[0] - lon) ** 2 + (c[1] - lat) ** 2 < 0.01]
            name = (
                min(near, key=lambda c: (c[0] - lon) ** 2 + (c[1] - lat) ** 2)[2]
                if near
                else "–".join(_countries(graph, crossing))
            )
            release = tuple(
                wp.name for wp in border_wps if (wp.lon - lon) ** 2 + (wp.lat - lat) ** 2 < 0.01
            )
            add(
                Element(
                    id=f"border:{name}",
                    kind="border",
                    name=name,
                    edges=_crossing_edges(graph, crossing, name),
                    release=release,
                    km=_km(graph, crossing),
                    lon=lon,
                    lat=lat,
                    countries=_countries(graph, crossing),
                )
            )
    for leg in base.legs:
        if leg.mode.is_water:
            edges = sorted(
                {
                    int(e)
                    for e, lg in zip(edge_col, leg_col, strict=True)
                    if e >= 0 and lg == leg.index
                }
            )
            if edges:
                lon, lat = _mid(graph, edges)
                add(
                    Element(
                        id=f"ferry:{leg.leg.name}",
                        kind="ferry",
                        name=leg.leg.name,
                        edges=_with_parallels(graph, edges),
                        km=_km(graph, edges),
                        lon=lon,
                        lat=lat,
                        countries=_countries(graph, edges),
                    )
                )
            basin = _water_component(graph, edges) if edges else ()
            if basin:
                lon, lat = _mid(graph, edges)
                add(
                    Element(
                        id=f"water:{leg.leg.name}",
                        kind="water",
                        name=f"all sailing on the sea of {leg.leg.name}",
                        edges=basin,
                        km=_km(graph, edges),
                        lon=lon,
                        lat=lat,
                    )
                )
        if leg.leg.link:
            add(
                Element(
                    id=f"link:{leg.leg.link}",
                    kind="link",
                    name=leg.leg.link,
                    links=(leg.leg.link,),
                    km=round(
                        sum(rl.length_km for rl in base.legs if rl.leg.link == leg.leg.link), 1
                    ),
                    lon=round(leg.leg.start.lon, 5),
                    lat=round(leg.leg.start.lat, 5),
                )
            )
    return out


def _known_links(base: Route) -> Any:
    from corridors.routing import _all_links

    return _all_links([base.corridor] if base.corridor is not None else [])


# --- rerouting ---------------------------------------------------------------------------------


def release_waypoints(corridor: Corridor, names: Sequence[str]) -> Corridor:
    """The corridor without these border waypoints: the legs on either side are joined.

    Legs are joined only when they share a mode; the joined leg takes the less built status,
    the later expected year, and a link name only if both legs carry it.
    """
    legs = list(corridor.legs)
    order = list(Status)
    for name in names:
        for i in range(len(legs) - 1):
            a, b = legs[i], legs[i + 1]
            if a.end.name == name and b.start.name == name and a.mode is b.mode:
                years = [y for y in (a.expected_year, b.expected_year) if y is not None]
                legs[i : i + 2] = [
                    Leg(
                        start=a.start,
                        end=b.end,
                        mode=a.mode,
                        status=max(a.status, b.status, key=order.index),
                        link=a.link if a.link == b.link else None,
                        expected_year=max(years) if years else None,
                    )
                ]
                break
    kept = {lg.start.name for lg in legs} | {lg.end.name for lg in legs}
    return replace(
        corridor,
        legs=tuple(legs),
        waypoints=tuple(wp for wp in corridor.waypoints if wp.name in kept),
    )


_BASE: weakref.WeakKeyDictionary[Network, dict[Item, Any]] = weakref.WeakKeyDictionary()


def baseline(item: Item, network: Network) -> tuple[Route, dict[str, Any], dict[str, float]]:
    """The item's baseline route, metrics and cost (memoised per network)."""
    per = _BASE.setdefault(network, {})
    if item not in per:
        r = _route_item(item, network)
        m = route_metrics(r)
        per[item] = (r, m, route_cost(m))
    return per[item]  # type: ignore[no-any-return]


def _released_baseline(
    item: Item, release: tuple[str, ...], network: Network
) -> tuple[dict[str, Any], dict[str, float]]:
    from corridors.definitions._load import load

    per = _BASE.setdefault(network, {})
    key = replace(item, id=f"{item.id}\x00{'|'.join(release)}")
    if key not in per:
        r = route_corridor(release_waypoints(load(item.id), release), network)
        m = route_metrics(r)
        per[key] = (r, m, route_cost(m))
    _, m, c = per[key]
    return m, c


def _delta(a: float | None, b: float | None, nd: int = 1) -> float | None:
    return None if a is None or b is None else round(b - a, nd)


def evaluate(item: Item, element: Element, network: Network) -> dict[str, Any]:
    """Close one element, reroute the item, and compare with its baseline."""
    return closure_row(item, element, *reroute(item, element, network))


def reroute(
    item: Item, element: Element, network: Network
) -> tuple[dict[str, Any], dict[str, float], dict[str, Any] | None, str]:
    """The item rerouted with one element closed: what :func:`closure_row` compares.

    Returns
    -------
    (mb, cb, ms, reason)
        The baseline's metrics and cost (the corridor unpinned at a released crossing),
        the rerouted route's metrics (``None`` for a cut) and why it is cut (or ``""``).
    """
    mb, cb, ms, reason, _ = reroute_route(item, element, network)
    return mb, cb, ms, reason


def reroute_route(
    item: Item, element: Element, network: Network
) -> tuple[dict[str, Any], dict[str, float], dict[str, Any] | None, str, Route | None]:
    """As :func:`reroute`, with the rerouted :class:`Route` last (``None`` for a cut)."""
    from corridors.definitions._load import load

    _, mb, cb = baseline(item, network)
    r: Route | None = None
    if element.release and item.kind == "corridor":
        # compare with the corridor unpinned at that crossing but open, not with the pinned
        # route: releasing a waypoint alone shortens a route a little
        mb, cb = _released_baseline(item, element.release, network)
    opts = RoutingOptions(close_links=element.links, close_edges=element.edges)
    reason = ""
    ms: dict[str, Any] | None = None
    try:
        if item.kind == "corridor":
            corridor = load(item.id)
            if element.release:
                corridor = release_waypoints(corridor, element.release)
            r = route_corridor(corridor, network, options=opts)
        else:
            r = _route_item(item, network, opts)
        ms = route_metrics(r)
    except (InfeasibleRouteError, SnapError) as exc:
        reason = str(exc)
    if ms is not None and float(ms["missing_km"]) > float(mb["missing_km"]) + 0.05:
        lost = [
            f"{x['leg']}: {x['reason']}"
            for x in ms["missing_links"]
            if x["leg"] not in {y["leg"] for y in mb["missing_links"]}
        ]
        reason = "no alternative path (" + "; ".join(lost)[:300] + ")"
        ms = None
    return mb, cb, ms, reason, (r if ms is not None else None)


def closure_row(
    item: Item,
    element: Element,
    mb: Mapping[str, Any],
    cb: Mapping[str, float],
    ms: Mapping[str, Any] | None,
    reason: str,
) -> dict[str, Any]:
    """One row of :data:`CRITICALITY_COLUMNS`: the rerouted metrics ``ms`` against the baseline's.

    ``ms`` is ``None`` for a cut (``reason`` says why).
    """
    cut = ms is None
    cs = route_cost(ms) if ms is not None else None
    b_countries = list(dict.fromkeys(mb["countries"]))
    s_countries = list(dict.fromkeys(ms["countries"])) if ms is not None else []
    return {
        "item": item.id,
        "element": element.id,
        "kind": element.kind,
        "name": element.name,
        "countries": ",".join(element.countries),
        "element_km": element.km,
        "lon": element.lon,
        "lat": element.lat,
        "cut": cut,
        "detour": not cut,
        "reason": reason,
        "baseline_km": mb["length_km"],
        "length_km": ms["length_km"] if ms is not None else None,
        "delta_length_km": _delta(mb["length_km"], ms["length_km"]) if ms is not None else None,
        "baseline_time_h": mb["time_h"],
        "time_h": ms["time_h"] if ms is not None else None,
        "delta_time_h": _delta(mb["time_h"], ms["time_h"]) if ms is not None else None,
        "baseline_cost_usd": cb["total_usd"],
        "delta_cost_usd": _delta(cb["total_usd"], cs["total_usd"], 0) if cs is not None else None,
        "delta_border_crossings": (
            ms["border_crossings_count"] - mb["border_crossings_count"] if ms is not None else None
        ),
        "countries_added": ",".join(c for c in s_countries if c not in b_countries),
        "countries_removed": ",".join(c for c in b_countries if c not in s_countries)
        if ms is not None
        else "",
    }


def evaluate_batch(network: Network, batch: Sequence[tuple[Item, Element]]) -> list[dict[str, Any]]:
    """Evaluate a batch of closures (a Dask task); rows in the batch's order."""
    return [evaluate(item, element, network) for item, element in batch]


# --- ranking and the sweep ---------------------------------------------------------------------


def _score(row: Mapping[str, Any]) -> tuple[int, float, float]:
    return (
        0 if row["cut"] else 1,
        -(row["delta_time_h"] or 0.0),
        -(row["delta_length_km"] or 0.0),
    )


def rank_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with ``rank`` per item: cuts first, then by the increase in hours, then in km."""
    out: list[dict[str, Any]] = []
    by_item: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_item.setdefault(str(r["item"]), []).append(r)
    for item_rows in by_item.values():
        ordered = sorted(item_rows, key=lambda r: (*_score(r), str(r["element"])))
        out.extend({**r, "rank": i + 1} for i, r in enumerate(ordered))
    return out


def rank_overall(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per element over all items: items cut, hours added in all, ranked.

    ``rows`` is read once, in order (a :class:`RankedRows` streams them).
    """
    agg: dict[str, dict[str, Any]] = {}
    for r in rows:
        a = agg.setdefault(
            str(r["element"]),
            {
                "element": r["element"],
                "kind": r["kind"],
                "name": r["name"],
                "lon": r["lon"],
                "lat": r["lat"],
                "items": 0,
                "items_cut": 0,
                "sum_delta_time_h": 0.0,
                "max_delta_time_h": 0.0,
            },
        )
        a["items"] += 1
        a["items_cut"] += int(bool(r["cut"]))
        dh = float(r["delta_time_h"] or 0.0)
        a["sum_delta_time_h"] = round(a["sum_delta_time_h"] + dh, 1)
        a["max_delta_time_h"] = max(a["max_delta_time_h"], dh)
    ordered = sorted(
        agg.values(),
        key=lambda a: (-a["items_cut"], -a["sum_delta_time_h"], str(a["element"])),
    )
    return [{**a, "rank": i + 1} for i, a in enumerate(ordered)]


class RankedRows:
    """The rows of criticality Parquet files, in the order and with the ranks of :func:`rank_rows`.

    The tables are held as Arrow columns (a tenth of the memory of the rows as dicts); the
    rows are made a chunk at a time as they are iterated, so writing a sweep of 10^6 rows
    never holds them all. Iterable more than once.

    Parameters
    ----------
    paths
        Parquet files written by a sweep (``parquet=``), read in this order: as the rows of
        the sweeps one after the other.
    chunk
        Rows made at a time.
    """

    def __init__(self, paths: Sequence[Path], *, chunk: int = 20_000) -> None:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = [pq.read_table(p) for p in paths]
        self._table = pa.concat_tables(tables) if tables else _schema().empty_table()
        self._chunk = max(1, int(chunk))
        t = self._table
        item, _ = pd.factorize(t.column("item").to_numpy(zero_copy_only=False))
        _, element = np.unique(
            np.asarray(t.column("element").to_numpy(zero_copy_only=False), dtype=str),
            return_inverse=True,
        )

        def minus(col: str) -> Any:
            v = t.column(col).to_numpy(zero_copy_only=False).astype(np.float64)
            return -np.nan_to_num(v, nan=0.0)

        cut = t.column("cut").to_numpy(zero_copy_only=False).astype(bool)
        # as _score, then the element's id: item (first seen first), cut, -Δh, -Δkm, element
        self._order = np.lexsort(
            (element, minus("delta_length_km"), minus("delta_time_h"), ~cut, item)
        )
        items = item[self._order]
        first = np.r_[True, items[1:] != items[:-1]] if len(items) else np.zeros(0, bool)
        starts = np.flatnonzero(first)
        at = np.arange(len(items))
        self._rank = at - starts[np.cumsum(first) - 1] + 1 if len(items) else at

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(0, len(self._order), self._chunk):
            idx = self._order[i : i + self._chunk]
            for row, rank in zip(
                self._table.take(idx).to_pylist(), self._rank[i : i + self._chunk], strict=True
            ):
                row["rank"] = int(rank)
                yield row


def items_from_od_file(path: str | Path) -> list[Item]:
    """Origin–destination pairs from a CSV with columns ``from``, ``to`` and optional ``mode``.

    Raises
    ------
    DefinitionError
        When the file lacks the columns or has an empty cell.
    """
    import csv

    from corridors._errors import DefinitionError

    p = Path(path)
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        if "from" not in fields or "to" not in fields:
            raise DefinitionError([f"{p}: needs the columns 'from' and 'to', has {fields}"])
        out = []
        for i, row in enumerate(reader, start=2):
            o, d = (row.get("from") or "").strip(), (row.get("to") or "").strip()
            if not o or not d:
                raise DefinitionError([f"{p}, line {i}: empty 'from' or 'to'"])
            mode = (row.get("mode") or "rail").strip()
            out.append(Item("od", f"{o} → {d} ({mode})", o, d, mode))
    return out


def plan(items: Sequence[Item], network: Network) -> tuple[list[tuple[Item, Element]], list[str]]:
    """Every (item, element) closure to evaluate, and the items whose baseline failed."""
    work: list[tuple[Item, Element]] = []
    failed: list[str] = []
    for item in items:
        try:
            base, m, _ = baseline(item, network)
        except (InfeasibleRouteError, SnapError) as exc:
            failed.append(f"{item.id}: {exc}")
            continue
        work.extend((item, el) for el in elements_of(base, network, m))
    return work, failed


def sweep_criticality(
    items: Sequence[Item],
    network: Network,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    client: Any = None,
    batch_size: int = 8,
    parquet: Path | None = None,
    progress: bool = False,
    on_batch: Any = None,
    keep: bool = True,
) -> tuple[list[dict[str, Any]], Any, list[str], dict[str, Element]]:
    """Close every link each item's baseline uses, on Dask (see :mod:`._engine`).

    Returns
    -------
    (rows, run, failed, elements)
        Ranked rows (:data:`CRITICALITY_COLUMNS` and ``rank``), the :class:`SweepRun`, the
        items whose baseline could not be routed, and the elements closed by id. With
        ``keep=False`` the rows are only streamed to ``parquet`` and ``rows`` is empty:
        :class:`RankedRows` reads them back ranked.
    """
    from corridors.analysis._engine import batched, run_batches

    work, failed = plan(items, network)
    batches = batched(work, batch_size)
    rows, run = run_batches(
        evaluate_batch,
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
        evaluations=len(work),
        keep=keep,
    )
    return rank_rows(rows), run, failed, {el.id: el for _, el in work}


def _schema() -> Any:
    import pyarrow as pa

    types = {
        "item": pa.string(),
        "element": pa.string(),
        "kind": pa.string(),
        "name": pa.string(),
        "countries": pa.string(),
        "cut": pa.bool_(),
        "detour": pa.bool_(),
        "reason": pa.string(),
        "countries_added": pa.string(),
        "countries_removed": pa.string(),
        "delta_border_crossings": pa.int64(),
        "baseline_cost_usd": pa.int64(),  # whole dollars, as route_cost rounds them
        "delta_cost_usd": pa.int64(),
    }
    return pa.schema([(c, types.get(c, pa.float64())) for c in CRITICALITY_COLUMNS])


def _table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    return pa.Table.from_pylist([{c: r[c] for c in CRITICALITY_COLUMNS} for r in rows], _schema())
