"""Item 2: all corridors end to end, warm and in a fresh process, and the cold CLI ``compare``."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from benchmarks._harness import (
    ROOT,
    Context,
    Row,
    Stats,
    Target,
    child,
    fmt_time,
    log,
    measure,
    run_cli,
)
from benchmarks._inputs import NxRouter, clear_leg_memo, found, subgraph

_COLD_OURS = """
import json, resource, sys, time
t0 = time.perf_counter()
import corridors
from corridors.network.build import load_network
from corridors.analysis.metrics import route_metrics
from corridors.routing import route_corridors
t1 = time.perf_counter()
net = load_network(progress=False)
t2 = time.perf_counter()
cs = [corridors.load(i) for i in json.loads(sys.argv[1])]
routes, errors = route_corridors(cs, net)
mets = [route_metrics(r) for r in routes]
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "route_metrics_s": t3 - t2,
                  "routes": len(routes), "errors": len(errors),
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


_COLD_PEER = """
import json, sys, time
t0 = time.perf_counter()
import networkx as nx
import numpy as np
from scipy.spatial import cKDTree
sys.path.insert(0, sys.argv[2])
from benchmarks import _inputs as bench
from corridors.network.build import load_network
t1 = time.perf_counter()
net = load_network(progress=False)
t2 = time.perf_counter()
legs = json.loads(sys.argv[1])
routers = {}
found = 0
for modes, statuses, (x0, y0), (x1, y1) in legs:
    key = (tuple(modes), tuple(statuses))
    if key not in routers:
        routers[key] = bench.NxRouter(bench.subgraph(net, *key))
    r = routers[key]
    s, t = r.snap(x0, y0), r.snap(x1, y1)
    if s is None or t is None:
        continue
    try:
        nx.single_source_dijkstra(r.graph, s, target=t, weight="weight")
        found += 1
    except nx.NetworkXNoPath:
        pass
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "route_s": t3 - t2, "found": found}))
"""


def corridor_legs(corridors: Iterable[Any]) -> list[tuple[list[str], list[str], Any, Any]]:
    """The legs our router routes on the network: (modes, statuses, start, end)."""
    out = []
    for c in corridors:
        for leg in c.legs:
            mode, status = leg.mode.value, leg.status.value
            if mode not in ("rail", "road", "sea", "ferry"):
                continue
            if status not in ("operational", "under_construction"):
                continue
            modes = ["ferry", "sea"] if mode == "ferry" else [mode]
            statuses = ["operational"] + (["under_construction"] if status != "operational" else [])
            out.append((modes, statuses, leg.start, leg.end))
    return out


def bench_corridors(ctx: Context) -> None:
    """Item 2: all corridors routed with every metric, warm and cold; the cold CLI."""
    from corridors.analysis.metrics import route_metrics
    from corridors.routing import route_corridors

    report, net = ctx.report, ctx.net
    cs = ctx.corridors[:2] if ctx.quick else ctx.corridors
    ids = [c.id for c in cs]
    repeats = 1 if ctx.quick else 5
    cold_repeats = 1 if ctx.quick else 3
    log(f"2 all corridors end to end: {len(cs)} corridors")

    def e2e(items: Sequence[Any] = cs) -> tuple[int, int]:
        routes, errors = route_corridors(items, net)
        for r in routes:
            route_metrics(r)
        return len(routes), len(errors)

    def routing_only() -> None:
        route_corridors(cs, net)

    warm, (n_routes, n_errors) = measure(e2e, repeats=repeats, setup=clear_leg_memo)
    route_s, _ = measure(routing_only, repeats=repeats, setup=clear_leg_memo)

    legs = corridor_legs(cs)
    routers: dict[tuple[tuple[str, ...], tuple[str, ...]], NxRouter] = {}
    for modes, statuses, _a, _b in legs:
        key = (tuple(modes), tuple(statuses))
        if key not in routers:
            routers[key] = NxRouter(subgraph(net, *key))

    def peer() -> int:
        return found([routers[(tuple(m), tuple(s))](a, b) for m, s, a, b in legs])

    peer_s, peer_found = measure(peer, repeats=repeats)
    note = (
        f"{n_routes} routes, {n_errors} failed; peer routes the {len(legs)} network legs "
        f"({peer_found} found a path) and computes no metrics"
    )
    report.rows.append(
        Row(
            "2a",
            f"{len(cs)} corridors, routing + every metric, warm (leg memo cleared)",
            warm.median,
            "networkx, same legs, routing only",
            peer_s.median,
            note=note,
        )
    )
    report.rows.append(
        Row(
            "2b",
            f"{len(cs)} corridors, routing only, warm (leg memo cleared)",
            route_s.median,
            "networkx, same legs",
            peer_s.median,
        )
    )

    leg_json = json.dumps([[m, s, [a.lon, a.lat], [b.lon, b.lat]] for m, s, a, b in legs])
    cold_ours: list[float] = []
    inner: dict[str, Any] = {}
    for i in range(cold_repeats + (0 if ctx.quick else 1)):
        wall, inner = child(_COLD_OURS, json.dumps(ids))
        if ctx.quick or i > 0:
            cold_ours.append(wall)
    cold_peer: list[float] = []
    for _ in range(cold_repeats):
        wall, _inner = child(_COLD_PEER, leg_json, str(ROOT))
        cold_peer.append(wall)
    cold = Stats(tuple(cold_ours))
    peer_cold = Stats(tuple(cold_peer))
    report.rows.append(
        Row(
            "2c",
            f"{len(cs)} corridors, routing + every metric, fresh process",
            cold.median,
            "networkx, same legs, fresh process",
            peer_cold.median,
            note=(
                f"in the child: import {fmt_time(inner.get('import_s'))}, network load "
                f"{fmt_time(inner.get('load_s'))}, routing + metrics "
                f"{fmt_time(inner.get('route_metrics_s'))}"
            ),
        )
    )
    cli_args = ["-q", "compare", "--all", "--format", "json"]
    cli_runs = []
    rows_out = 0
    for i in range(cold_repeats + (0 if ctx.quick else 1)):
        wall, out = run_cli(cli_args)
        rows_out = len(json.loads(out))
        if ctx.quick or i > 0:
            cli_runs.append(wall)
    cli = Stats(tuple(cli_runs))
    report.rows.append(
        Row(
            "2d",
            "cold CLI `corridors -q compare --all --format json`",
            cli.median,
            "networkx, same legs, fresh process",
            peer_cold.median,
            note=f"{rows_out} corridors in the JSON; peer computes no metrics",
        )
    )

    scale = [1, 2] if ctx.quick else [1, 4, len(ctx.corridors)]
    rows = []
    for n in scale:
        st, _ = measure(lambda n=n: e2e(ctx.corridors[:n]), repeats=repeats, setup=clear_leg_memo)
        n_legs = sum(len(c.legs) for c in ctx.corridors[:n])
        rows.append([str(n), str(n_legs), fmt_time(st.median), fmt_time(st.median / n_legs)])
    report.scaling.append(
        (
            "All corridors, warm (routing + metrics), first N definitions",
            ["corridors", "legs", "median", "per leg"],
            rows,
        )
    )

    help_runs = [run_cli(["--help"])[0] for _ in range(1 if ctx.quick else 3)]
    report.targets.append(Target("all corridors + metrics, warm (issue 17)", warm.median, 0.1, "s"))
    report.targets.append(Target("cold CLI compare --all (issue 17)", cli.median, 1.5, "s"))
    report.targets.append(
        Target("cold CLI `corridors --help` (issue 17)", statistics.median(help_runs), 0.5, "s")
    )
    report.notes.append(
        f"2: every shipped definition (variants included, {len(cs)}): `route_corridors` then "
        f"`route_metrics` on each route. Warm: in this process, the routing graph's leg memo "
        f"(`graph.legs`) cleared before each run so every leg is routed again (masks and CSR "
        f"matrices stay cached); 1 warm-up, median of {repeats}. Fresh process: `python -c` "
        "that imports, loads the cached network, routes and computes metrics (cache warm on "
        f"disk); wall time, 1 warm-up, median of {cold_repeats}. The networkx peer routes the "
        "same legs (operational, and under-construction legs with their edges) on the same "
        "edges of our network with snap + `single_source_dijkstra`; in a fresh process it "
        "loads our cached network and builds its graphs (timed). The CLI row is the console "
        "script's wall time, 1 warm-up, median of " + str(cold_repeats) + "."
    )
