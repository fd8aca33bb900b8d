"""Item 4: network build from the registry data, warm load from the cache, peak RSS.

The peer imports scgraph-data's world railway and highway graphs; the scaling table builds
the network for growing regions.
"""

from __future__ import annotations

import json
import statistics
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
        report.targets.append(Target("cold network build", None, 30.0, "s"))
        report.targets.append(Target("peak RSS of the cold build", None, 1.5, "GB"))
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
    report.targets.append(Target("cold network build", cold.median, 30.0, "s"))
    report.targets.append(Target("peak RSS of the cold build", peak_gb, 1.5, "GB"))

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
