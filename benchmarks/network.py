"""Item 4: network build from the registry data, warm load from the cache, peak RSS.

The peer imports scgraph-data's world railway and highway graphs; the scaling table builds
the network for growing regions.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile

from benchmarks._harness import Context, Row, Stats, Target, child, fmt_time, log

_BUILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from corridors.network.build import load_network
net = load_network(progress=False)
t1 = time.perf_counter()
ru = resource.getrusage
print(json.dumps({"s": t1 - t0, "nodes": net.n_nodes, "edges": net.n_edges,
                  "maxrss_kib": max(ru(resource.RUSAGE_SELF).ru_maxrss,
                                    ru(resource.RUSAGE_CHILDREN).ru_maxrss)}))
"""


_BUILD_BBOX = """
import json, resource, sys, time
t0 = time.perf_counter()
from corridors.network.build import network_from_bundled
net = network_from_bundled(bbox=tuple(json.loads(sys.argv[1])), progress=False)
t1 = time.perf_counter()
print(json.dumps({"s": t1 - t0, "nodes": net.n_nodes, "edges": net.n_edges,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


_SCALE_RAIL = """
import json, random, resource, statistics, sys, time
import numpy as np
from corridors.network.build import network_from_bundled
box = tuple(json.loads(sys.argv[1]))
t0 = time.perf_counter()
net = network_from_bundled(bbox=box, modes=("rail",), progress=False)
t1 = time.perf_counter()
from corridors.network._graph import routing_graph
from corridors.routing import _edge_mask
g = routing_graph(net, {})
mask = _edge_mask(g, ("rail",), ("operational",), set(), set(), False)
t2 = time.perf_counter()
metric = g.metric(("scale",), ("rail",), mask, g.length_m)
t3 = time.perf_counter()
used = np.unique(np.concatenate([g.u[mask], g.v[mask]])).tolist()
rng = random.Random(42)
pairs = [(rng.choice(used), rng.choice(used)) for _ in range(200)]
times, found = [], 0
for s, t in pairs:
    a = time.perf_counter()
    hit = metric.query(s, t)
    if hit is not None:
        float(g.length_m[hit[1]].sum())
    times.append(time.perf_counter() - a)
    found += hit is not None
print(json.dumps({"build_s": t1 - t0, "hierarchy_s": t3 - t2, "nodes": net.n_nodes,
                  "edges": net.n_edges, "query_s": statistics.median(times), "found": found,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _scaled_boxes(box: tuple[float, float, float, float]) -> list[tuple[str, list[float]]]:
    """The default region, its box grown to 2x and 4x the area about its centre, the world."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    out = [("default region", list(box))]
    for k in (2, 4):
        hw, hh = (box[2] - box[0]) / 2 * k**0.5, (box[3] - box[1]) / 2 * k**0.5
        grown = [max(cx - hw, -180.0), max(cy - hh, -90.0), min(cx + hw, 180.0), min(cy + hh, 90.0)]
        out.append((f"{k}x the region's area", grown))
    out.append(("world", [-180.0, -90.0, 180.0, 90.0]))
    return out


_WARM_LOAD = """
import json, resource, time
t0 = time.perf_counter()
from corridors.network.build import load_network
t1 = time.perf_counter()
net = load_network(progress=False)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "nodes": net.n_nodes,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


_SCGRAPH_IMPORT = """
import json, resource, time
t0 = time.perf_counter()
from scgraph_data.world_railways import world_railways_geograph
from scgraph_data.world_highways import world_highways_geograph
t1 = time.perf_counter()
print(json.dumps({"s": t1 - t0, "nodes": len(world_railways_geograph.nodes)
                  + len(world_highways_geograph.nodes),
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def bench_network(ctx: Context) -> None:
    """Item 4: cold build, warm load and peak RSS; the peer imports scgraph-data's graphs."""
    from corridors.network.build import region_bbox

    report = ctx.report
    log("4 network: warm load, scgraph-data import" + ("" if ctx.quick else ", cold build"))
    repeats = 1 if ctx.quick else 5
    loads, walls, rss = [], [], []
    for i in range(repeats + 1):
        wall, out = child(_WARM_LOAD)
        if i:
            loads.append(out["load_s"])
            walls.append(wall)
            rss.append(out["maxrss_kib"])
            import_s = out["import_s"]
    peer_s, peer_rss = [], []
    peer_repeats = 1 if ctx.quick else 3
    for i in range(peer_repeats + 1):
        _wall, out = child(_SCGRAPH_IMPORT)
        if i:
            peer_s.append(out["s"])
            peer_rss.append(out["maxrss_kib"])
    load = Stats(tuple(loads))
    peer = Stats(tuple(peer_s))
    report.rows.append(
        Row(
            "4b",
            "warm network load from the cache (fresh process, `load_network()` call)",
            load.median,
            "import scgraph-data world railways + highways",
            peer.median,
            note=(
                f"process wall {fmt_time(statistics.median(walls))} incl. interpreter and "
                f"`import corridors.network.build` ({fmt_time(import_s)}); peak RSS ours "
                f"{statistics.median(rss) / 1024:.0f} MiB, peer "
                f"{statistics.median(peer_rss) / 1024:.0f} MiB"
            ),
        )
    )
    report.targets.append(Target("warm network load", load.median, 1.0, "s"))

    if ctx.quick:
        report.targets.append(Target("cold network build (issue 17)", None, 8.0, "s"))
        report.targets.append(Target("peak RSS of the cold build (issue 17)", None, 1.0, "GB"))
        return
    builds, build_rss, inner = [], [], {}
    for _ in range(2):
        with tempfile.TemporaryDirectory(prefix="corridors-bench-cache-") as tmp:
            wall, inner = child(_BUILD, env={"CORRIDORS_CACHE_DIR": tmp})
        builds.append(wall)
        build_rss.append(inner["maxrss_kib"])
    cold = Stats(tuple(builds))
    peak_gb = max(build_rss) * 1024 / 1e9
    report.rows.append(
        Row(
            "4a",
            "cold network build from the registry data (fresh process, empty cache)",
            cold.median,
            "import scgraph-data world railways + highways",
            peer.median,
            note=(
                f"{inner['nodes']:,} nodes, {inner['edges']:,} edges; peak RSS "
                f"{peak_gb:.2f} GB (peer {max(peer_rss) * 1024 / 1e9:.2f} GB); the peer "
                "only reads its world graphs, ours also clips, repairs, adds sea, ferries "
                "and gauge, and writes the cache"
            ),
        )
    )
    report.rows.append(
        Row(
            "4c",
            "peak RSS, cold build vs scgraph-data import",
            max(build_rss) * 1024,
            "import scgraph-data world railways + highways",
            max(peer_rss) * 1024,
            kind="size",
        )
    )
    report.targets.append(Target("cold network build (issue 17)", cold.median, 8.0, "s"))
    report.targets.append(Target("peak RSS of the cold build (issue 17)", peak_gb, 1.0, "GB"))

    from corridors.definitions._load import load

    regions = [
        ("South Caucasus (btk, zangezur, aras)", ["btk", "zangezur", "aras"]),
        ("+ Middle Corridor (Khorgos to Istanbul)", ["btk", "zangezur", "aras", "middle-corridor"]),
    ]
    rows = []
    for title, ids in regions:
        box = region_bbox([load(i) for i in ids])
        wall, out = child(_BUILD_BBOX, json.dumps(box))
        area = (box[2] - box[0]) * (box[3] - box[1])
        rows.append(
            [
                title,
                f"{area:,.0f}",
                f"{out['nodes']:,}",
                f"{out['edges']:,}",
                fmt_time(wall),
                f"{out['maxrss_kib'] / 2**20:.2f} GiB",
            ]
        )
    full = region_bbox()
    rows.append(
        [
            "all definitions (the default region)",
            f"{(full[2] - full[0]) * (full[3] - full[1]):,.0f}",
            f"{inner['nodes']:,}",
            f"{inner['edges']:,}",
            fmt_time(cold.median),
            f"{max(build_rss) / 2**20:.2f} GiB",
        ]
    )
    report.scaling.append(
        (
            "Network build by region size (fresh process; definitions' bbox + 3°, whole degrees)",
            ["region", "bbox deg²", "nodes", "edges", "build wall", "peak RSS"],
            rows,
        )
    )
    rows = []
    for title, sbox in _scaled_boxes(full):
        with tempfile.TemporaryDirectory(prefix="corridors-bench-cache-") as tmp:
            try:
                wall, out = child(
                    _SCALE_RAIL, json.dumps(sbox), env={"CORRIDORS_CACHE_DIR": tmp}, timeout=1800
                )
            except (RuntimeError, subprocess.TimeoutExpired) as exc:  # too large here: say so
                rows.append([title, "–", "–", "–", "–", "–", f"failed: {str(exc)[-120:]}"])
                continue
        rows.append(
            [
                title,
                f"{out['nodes']:,} / {out['edges']:,}",
                fmt_time(out["build_s"]),
                f"{out['maxrss_kib'] / 2**20:.2f} GiB",
                fmt_time(out["hierarchy_s"]),
                fmt_time(out["query_s"]),
                f"{out['found']}/200",
            ]
        )
    report.scaling.append(
        (
            "Rail network by size (issue 17): build, memory, query (fresh process each, empty "
            "cache; rail only)",
            [
                "network",
                "nodes / edges",
                "build",
                "peak RSS",
                "hierarchy (topology + customise)",
                "query median",
                "paths found",
            ],
            rows,
        )
    )
    report.notes.append(
        "4, rail scaling: `network_from_bundled(bbox=..., modes=('rail',))` (the OSM layer "
        "where it covers the box, the backbone elsewhere) in a fresh process with an empty "
        "cache; then the hierarchy of the operational rail mask built and customised, and 200 "
        "random node pairs (random.Random(42), over nodes of the mask) queried through it, "
        "path expanded and its length summed; median per query. The boxes grow about the "
        "default region's centre (sides x sqrt(2) and x 2); the world box is the whole of "
        "scgraph-data's railways."
    )
    report.notes.append(
        "4: each measure in a fresh `python -c` process. Cold build: `load_network()` with "
        "`CORRIDORS_CACHE_DIR` set to a new empty folder (wall time of the process; 2 runs); "
        "peak RSS is the process's own `getrusage(RUSAGE_SELF).ru_maxrss`. Warm load: the "
        "`load_network()` call in a fresh process with the cache on disk (1 warm-up, median of "
        f"{repeats}); the row's note adds the process wall time. Peer: `from "
        "scgraph_data.world_railways import ...` and `world_highways` in a fresh process "
        "(bytecode already compiled, as after `pip install`). The region scaling rows run "
        "`network_from_bundled(bbox=...)` without the cache."
    )
