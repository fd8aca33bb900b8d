"""Item 7: sweeps on Dask: one process against ``LocalCluster(n_workers=2)`` on the same work.

Three sweeps, each run with ``scheduler="none"`` and on a local cluster of two worker
processes (one thread each), the rows checked equal: 10,000 uncertainty evaluations,
link criticality of every shipped corridor (``--all``), and link criticality over the main
places' OD matrix (the first :data:`MATRIX_PLACES` of the 50, see below). Reported: wall
time, evaluations per second and peak RSS of each worker (``ru_maxrss``).
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from typing import Any

from benchmarks._harness import Context, Row, fmt_time, log

#: Main places whose pairs the OD benchmark sweeps (10: 45 pairs, 21 with a rail baseline,
#: 9,273 closures). All 50 (1,225 pairs, 990 with a rail baseline, 644,137 closures in 4,134
#: shared closures) are ``CORRIDORS_BENCH_MATRIX=50``: one partial re-customisation of the
#: contraction hierarchy per shared closure and a query per pair using it, about 21 min in
#: one process and 19 min on ``LocalCluster(2)`` here (benchmarks/OD_MATRIX.md), so not the
#: default of ``make bench`` on this 2-core machine.
MATRIX_PLACES = int(os.environ.get("CORRIDORS_BENCH_MATRIX", "10"))

UNCERTAINTY_IDS = ("btk", "zangezur", "middle-corridor", "instc-west", "instc-east")


def _peak_mb() -> float:
    """Peak resident set of this process, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _both(
    name: str, sweep: Callable[..., tuple[Any, ...]], client: Any, report: Any
) -> tuple[float, float, int]:
    """Run ``sweep`` in this process and on the cluster; rows must be equal."""
    start = time.perf_counter()
    one = sweep(scheduler="none")
    single = time.perf_counter() - start
    start = time.perf_counter()
    two = sweep(client=client)
    cluster = time.perf_counter() - start
    if one[0] != two[0]:
        raise AssertionError(f"{name}: the cluster's rows differ from one process's")
    n = int(one[1].evaluations)
    log(f"7 {name}: {n} evaluations, {single:.1f} s in one process, {cluster:.1f} s on 2 workers")
    return single, cluster, n


def bench_sweeps(ctx: Context) -> None:
    """Item 7: uncertainty, criticality ``--all`` and the OD matrix, 1 process vs 2 workers."""
    import importlib

    from corridors.analysis import odmatrix
    from corridors.analysis._engine import local_cluster
    from corridors.analysis.criticality import Item, sweep_criticality
    from corridors.analysis.odmatrix import matrix_items, sweep_od
    from corridors.analysis.uncertainty import sweep_uncertainty
    from corridors.definitions._load import corridor_ids
    from corridors.geo.geodata import main_places

    distributed: Any = importlib.import_module("distributed")
    report = ctx.report
    net = ctx.net
    samples = 2 if ctx.quick else 2_000  # per corridor: 5 × 2,000 = 10,000 evaluations
    corridors = [Item("corridor", c) for c in corridor_ids()]
    uncertain = UNCERTAINTY_IDS[:1] if ctx.quick else UNCERTAINTY_IDS
    places = [p.name for p in main_places()][: 2 if ctx.quick else MATRIX_PLACES]
    pairs = matrix_items("rail", places)
    log(
        f"7 sweeps: {samples * len(UNCERTAINTY_IDS)} uncertainty samples, "
        f"{len(corridors)} corridors, {len(pairs)} OD pairs"
    )
    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        work: list[tuple[str, str, Callable[..., tuple[Any, ...]]]] = [
            (
                "uncertainty",
                f"{samples * len(uncertain):,} uncertainty evaluations "
                f"({len(uncertain)} corridors × {samples:,} samples)",
                lambda **kw: sweep_uncertainty(
                    list(uncertain), net, samples=samples, seed=1, batch_size=50, **kw
                ),
            ),
            (
                "criticality --all",
                f"criticality of {len(corridors)} corridors",
                lambda **kw: sweep_criticality(corridors, net, batch_size=8, **kw),
            ),
            (
                "OD matrix",
                f"criticality over {len(pairs):,} OD pairs of the first {len(places)} main places",
                lambda **kw: sweep_od(pairs, net, batch_size=200, **kw),
            ),
        ]
        if ctx.quick:  # the smoke test: no corridor criticality (tens of seconds)
            work = [w for w in work if w[0] != "criticality --all"]
        results = []
        odmatrix.COUNTS.clear()
        for name, what, sweep in work:
            single, two, n = _both(name, sweep, client, report)
            results.append((name, what, single, two, n))
        workers_mb = sorted(
            v / 1024.0
            for v in client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values()
        )
    for _name, what, single, two, n in results:
        report.rows.append(
            Row(
                "7",
                f"{what}: {n:,} evaluations, `LocalCluster(2)`",
                two,
                "same, one process",
                single,
                note=f"{n / two:.1f}/s on 2 workers, {n / single:.1f}/s in one process",
            )
        )
    report.details.append(
        (
            "Sweeps: one process against `LocalCluster(n_workers=2, processes=True)` (rows equal)",
            ["sweep", "evaluations", "one process", "/s", "2 workers", "/s", "speed-up"],
            [
                [
                    what,
                    f"{n:,}",
                    fmt_time(single),
                    f"{n / single:.1f}",
                    fmt_time(two),
                    f"{n / two:.1f}",
                    f"{single / two:.2f}×",
                ]
                for _name, what, single, two, n in results
            ],
        )
    )
    report.notes.append(
        "7: each sweep runs with `scheduler='none'` and then on a `LocalCluster` of two "
        "worker processes (one thread each, started once for all three; its start-up is not "
        "timed), and the rows are checked equal. Uncertainty: `sweep_uncertainty` over "
        f"{', '.join(UNCERTAINTY_IDS)}, seed 1, 50 samples a task. Criticality: "
        "`sweep_criticality` over every shipped corridor, 8 closures a task. OD matrix: "
        f"`sweep_od` over every pair of the first {len(places)} of the 50 main places "
        "(`CORRIDORS_BENCH_MATRIX=50` for all 1,225 pairs), about 200 closures a task, "
        "one hierarchy customisation per shared closure and one query per pair; how the "
        "closures were answered in this process: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(odmatrix.COUNTS.items()))
        + ". "
        f"Peak RSS: this process {_peak_mb():,.0f} MB (after every benchmark before it), "
        f"the workers {', '.join(f'{m:,.0f}' for m in workers_mb)} MB."
    )
