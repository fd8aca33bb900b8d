"""Item 1: ad-hoc rail routing between corridor waypoints against scgraph and networkx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks._harness import (
    Context,
    Row,
    Stats,
    Target,
    fmt_time,
    log,
    one_pass,
    profile_top,
    time_each,
)
from benchmarks._inputs import (
    NxRouter,
    agreement,
    found,
    od_pairs,
    ours_router,
    rail_waypoints,
    scgraph_router,
    subgraph,
)


def bench_od(ctx: Context) -> None:
    """Item 1: ad-hoc rail OD queries, ours vs scgraph (2 graphs) and networkx."""
    from scgraph_data.world_railways import world_railways_geograph

    report = ctx.report
    n_pairs = 5 if ctx.quick else 200
    repeats = 1 if ctx.quick else 3
    scale_ours = (2, 5) if ctx.quick else (10, 100, 1000)
    scale_sc = (2, 5) if ctx.quick else (10, 100)
    waypoints = rail_waypoints(ctx.corridors)
    all_pairs = od_pairs(waypoints, max(n_pairs, *scale_ours))
    pairs = all_pairs[:n_pairs]
    log(f"1 ad-hoc rail OD: {len(waypoints)} waypoints, {n_pairs} pairs")

    rail = subgraph(ctx.net, ("rail",), ("operational",))
    routers: dict[str, Callable[[Any, Any], float | None]] = {
        "ours": ours_router(ctx.net, "rail"),
        "scgraph, world railways": scgraph_router(_warm(world_railways_geograph)),
        "scgraph, our graph": scgraph_router(rail.geograph()),
        "networkx, our graph": NxRouter(rail),
    }
    warm_pairs = all_pairs[n_pairs : n_pairs + 5] or pairs
    stats: dict[str, Stats] = {}
    results: dict[str, list[Any]] = {}
    for name, fn in routers.items():
        for a, b in warm_pairs:
            fn(a, b)
        stats[name], results[name] = time_each(fn, pairs, repeats=repeats)
        log(f"  {name}: median {fmt_time(stats[name].median)}, found {found(results[name])}")

    ours = stats["ours"]
    n_found = f"paths found: ours {found(results['ours'])}/{n_pairs}"
    for name in list(routers)[1:]:
        note = (
            f"{n_found}, peer {found(results[name])}/{n_pairs}; "
            f"{agreement(results['ours'], results[name])}"
        )
        report.rows.append(
            Row(
                "1a",
                f"ad-hoc rail OD, {n_pairs} pairs: median per query",
                ours.median,
                name,
                stats[name].median,
                note=note,
            )
        )
        report.rows.append(
            Row(
                "1b",
                f"ad-hoc rail OD, {n_pairs} pairs: p95 per query",
                ours.p95,
                name,
                stats[name].p95,
            )
        )

    rows = []
    for n in scale_ours:
        sub = all_pairs[:n]
        cells = [str(n)]
        for name, fn in routers.items():
            if name.startswith("scgraph") and n not in scale_sc:
                cells.append("not run (slow; linear in pairs)")
                continue
            total = one_pass(fn, sub)
            cells.append(f"{fmt_time(total)} (mean {fmt_time(total / n)}/query)")
        rows.append(cells)
    report.scaling.append(
        ("Ad-hoc rail OD: one pass over the first N pairs", ["pairs", *routers], rows)
    )

    targets = [Target("median ad-hoc OD query", ours.median * 1e3, 5.0, "ms")]
    for name in ("scgraph, world railways", "scgraph, our graph"):
        targets.append(
            Target(
                f"ad-hoc OD faster than {name}",
                stats[name].median / ours.median,
                5.0,
                "x",
                at_least=True,
            )
        )
    report.targets += targets
    if not ctx.quick and any(t.met is False for t in targets):
        for t in targets:
            t.why_not = "see the profile of our queries under Details"
        report.details.append(
            (
                f"Profile of ours on the {n_pairs} OD queries (cProfile, one pass; top by own "
                "time; cProfile adds overhead)",
                ["function", "calls", "own", "cumulative"],
                profile_top(lambda: one_pass(routers["ours"], pairs)),
            )
        )
    report.notes.append(
        f"1: {len(waypoints)} distinct waypoints at the ends of rail legs of every shipped "
        f"definition (variants included); {n_pairs} ordered pairs drawn with "
        "random.Random(42). Each query is timed alone (5 warm-up queries first); a query's "
        f"time is the median of {repeats} passes, then the median and p95 over the pairs. "
        "Ours: `corridors.routing.route(a, b, net, modes='rail')` (snap, path, pieces table, "
        "provenance; routing graph, mask and CSR built once in the warm-up, as in a session). "
        "Peers get the same graph: operational rail edges of our repaired network, parallel "
        "edges reduced to the shortest. networkx: an `nx.Graph` built from `net.edges` "
        "(not via `network_to_networkx`), nearest node by a prebuilt scipy cKDTree with our "
        "30 km snap limit (geodesic), then `nx.single_source_dijkstra(G, s, target=t)`. scgraph: "
        "`GeoGraph.get_shortest_path(..., output_units='km')` after `warmup()` (its KD-tree "
        "and cache graph, untimed); on its own world railway graph many pairs are "
        "disconnected and it raises: counted as no path, and timed too."
    )


def _warm(geograph: Any) -> Any:
    geograph.warmup()
    return geograph
