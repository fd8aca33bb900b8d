"""Inputs every benchmark shares: routers on the same graph, OD pairs, agreement checks.

The peers (networkx on our graph, scgraph on its own and on our graph) and ours get the same
pairs and the same subgraph (:func:`subgraph`), so each ratio compares the same work.
"""

from __future__ import annotations

import contextlib
import io
import random
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks._harness import Pair
from corridors.geo.boundaries import sphere_xyz

_SNAP_LIMIT_KM = 30.0


def clear_leg_memo() -> None:
    """Drop the memoised leg results of every routing graph (masks and CSR stay)."""
    from corridors.network._graph import _CACHE

    for per_net in list(_CACHE.values()):
        for graph in per_net.values():
            graph.legs.clear()


@dataclass
class Subgraph:
    """Edges of some modes and statuses of our network, for the peers (min of parallels)."""

    nodes: npt.NDArray[np.int64]  # network node ids, in local order
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    a: npt.NDArray[np.int64]  # local ids
    b: npt.NDArray[np.int64]
    length_m: npt.NDArray[np.float64]

    def networkx(self) -> Any:
        """An undirected ``networkx.Graph`` with ``weight`` in metres."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(len(self.nodes)))
        g.add_weighted_edges_from(
            zip(self.a.tolist(), self.b.tolist(), self.length_m.tolist(), strict=True)
        )
        return g

    def geograph(self) -> Any:
        """The same graph as an ``scgraph.GeoGraph`` (km; nodes as ``[lat, lon]``)."""
        from scgraph import GeoGraph

        adj: list[dict[int, float]] = [{} for _ in range(len(self.nodes))]
        for a, b, w in zip(self.a.tolist(), self.b.tolist(), self.length_m.tolist(), strict=True):
            adj[a][b] = w / 1000.0
            adj[b][a] = w / 1000.0
        nodes = [[float(y), float(x)] for x, y in zip(self.lon, self.lat, strict=True)]
        g = GeoGraph(graph=adj, nodes=nodes)
        g.validate_nodes()
        g.validate_graph(check_symmetry=True, check_connected=False)
        g.warmup()
        return g


def subgraph(net: Any, modes: Sequence[str], statuses: Sequence[str]) -> Subgraph:
    """Edges of ``modes`` with ``statuses`` (the Volga–Don link excluded), as routing sees them."""
    e = net.edges
    sel = (
        e["mode"].isin(list(modes)).to_numpy()
        & e["status"].isin(list(statuses)).to_numpy()
        & (e["passage"].astype(str) != "volga-don").to_numpy()
    )
    u = e["u"].to_numpy(np.int64)[sel]
    v = e["v"].to_numpy(np.int64)[sel]
    w = e["length_m"].to_numpy(np.float64)[sel]
    keep = u != v
    u, v, w = u[keep], v[keep], w[keep]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((w, hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, w = lo[first], hi[first], np.maximum(w[first], 1e-3)
    nodes, inv = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    inv = inv.ravel()
    x = net.nodes["x"].to_numpy(np.float64)[nodes]
    y = net.nodes["y"].to_numpy(np.float64)[nodes]
    return Subgraph(nodes, x, y, inv[: len(lo)], inv[len(lo) :], w)


class NxRouter:
    """The networkx peer: nearest node by KD-tree, then Dijkstra with a target."""

    def __init__(self, sub: Subgraph) -> None:
        from scipy.spatial import cKDTree

        self.graph = sub.networkx()
        self.lon, self.lat = sub.lon, sub.lat
        self.tree = cKDTree(sphere_xyz(sub.lon, sub.lat))

    def snap(self, lon: float, lat: float) -> int | None:
        """Nearest node within the snap limit (geodesic, as ours measures it), else ``None``."""
        from corridors.geo.boundaries import geodesic_lengths_m

        _, i = self.tree.query(sphere_xyz([lon], [lat])[0])
        x, y = self.lon[int(i)], self.lat[int(i)]
        d_m = float(geodesic_lengths_m([lon], [lat], [x], [y])[0])
        return int(i) if d_m / 1000.0 <= _SNAP_LIMIT_KM else None

    def __call__(self, a: Any, b: Any) -> float | None:
        """Path length in km between two waypoints, or ``None``."""
        import networkx as nx

        s, t = self.snap(a.lon, a.lat), self.snap(b.lon, b.lat)
        if s is None or t is None:
            return None
        try:
            dist, _path = nx.single_source_dijkstra(self.graph, s, target=t, weight="weight")
        except nx.NetworkXNoPath:
            return None
        return float(dist) / 1000.0


class NkRouter:
    """The NetworKit peer: the same KD-tree snap, then bidirectional Dijkstra with the path.

    NetworKit (``networkit.distance.BidirectionalDijkstra``) on the uncontracted subgraph,
    undirected, weights in metres; the path is asked for, as ours builds one.
    """

    def __init__(self, sub: Subgraph) -> None:
        import networkit as nk
        from scipy.spatial import cKDTree

        self.graph = nk.GraphFromCoo(
            (sub.length_m, (sub.a, sub.b)), n=len(sub.nodes), weighted=True, directed=False
        )
        self.lon, self.lat = sub.lon, sub.lat
        self.tree = cKDTree(sphere_xyz(sub.lon, sub.lat))

    snap = NxRouter.snap

    def __call__(self, a: Any, b: Any) -> float | None:
        """Path length in km between two waypoints, or ``None``."""
        import networkit as nk

        s, t = self.snap(a.lon, a.lat), self.snap(b.lon, b.lat)
        if s is None or t is None:
            return None
        if s == t:
            return 0.0
        search = nk.distance.BidirectionalDijkstra(self.graph, s, t, True)
        search.run()
        dist = float(search.getDistance())
        if dist >= 1e300 or not search.getPath():
            return None  # NetworKit reports an unreachable target at the largest double
        return dist / 1000.0


def scgraph_router(geograph: Any) -> Callable[[Any, Any], float | None]:
    """``get_shortest_path`` on a GeoGraph; no path (scgraph raises) gives ``None``."""

    def query(a: Any, b: Any) -> float | None:
        sink = io.StringIO()  # scgraph prints a banner before re-raising
        try:
            with contextlib.redirect_stdout(sink):
                out = geograph.get_shortest_path(
                    origin_node={"latitude": a.lat, "longitude": a.lon},
                    destination_node={"latitude": b.lat, "longitude": b.lon},
                    output_units="km",
                )
        except Exception:  # scgraph raises bare Exceptions for disconnected pairs
            return None
        return float(out["length"])

    return query


def ours_router(
    net: Any, modes: str, *, previous_engine: bool = False
) -> Callable[[Any, Any], float | None]:
    """``corridors.routing.route``; a snap or no-path error gives ``None``.

    ``previous_engine``: the search before the contraction hierarchy (the plain Dijkstra,
    then NetworKit on the chain-contracted graph from a mask's 50th query), as when the
    RoutingKit bindings are missing; the rest of the query is the same code.
    """
    from corridors import InfeasibleRouteError, SnapError
    from corridors.network import _hierarchy
    from corridors.routing import route

    def query(a: Any, b: Any) -> float | None:
        saved = _hierarchy.available
        if previous_engine:
            _hierarchy.available = lambda: False  # type: ignore[assignment]
        try:
            return route(a, b, net, modes=modes).length_km
        except (InfeasibleRouteError, SnapError):
            return None
        finally:
            _hierarchy.available = saved  # type: ignore[assignment]

    return query


def max_abs_diff_m(xs: Sequence[float | None], ys: Sequence[float | None]) -> tuple[float, int]:
    """Largest length difference in metres where both found a path, and pairs where one did."""
    diffs = [
        abs(x - y) * 1000.0 for x, y in zip(xs, ys, strict=True) if x is not None and y is not None
    ]
    one_only = sum((x is None) != (y is None) for x, y in zip(xs, ys, strict=True))
    return (max(diffs) if diffs else float("nan")), one_only


def rail_waypoints(corridors: Iterable[Any]) -> list[Any]:
    """Distinct waypoints at either end of a rail leg of the definitions."""
    seen: dict[tuple[float, float], Any] = {}
    for c in corridors:
        for leg in c.legs:
            if leg.mode.value == "rail":
                for wp in (leg.start, leg.end):
                    seen.setdefault((round(wp.lon, 4), round(wp.lat, 4)), wp)
    return list(seen.values())


def od_pairs(waypoints: Sequence[Any], n: int, *, seed: int = 42) -> list[Pair]:
    """``n`` ordered origin–destination pairs (origin ≠ destination), fixed by ``seed``."""
    pairs = [(a, b) for a in waypoints for b in waypoints if a is not b]
    random.Random(seed).shuffle(pairs)
    return pairs[:n]


def agreement(xs: Sequence[float | None], ys: Sequence[float | None]) -> str:
    """Median relative difference of lengths where both found a path."""
    diffs = [abs(x - y) / max(x, 1e-9) for x, y in zip(xs, ys, strict=True) if x and y]
    if not diffs:
        return "no common paths"
    pct = statistics.median(diffs) * 100
    shown = "< 0.01 %" if pct < 0.01 else f"{pct:.2g} %"
    return f"lengths differ by median {shown} on the {len(diffs)} found by both"


def found(results: Sequence[float | None]) -> int:
    """How many queries found a path."""
    return sum(r is not None for r in results)
