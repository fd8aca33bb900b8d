"""Benchmarks against the peers, on the same work, in one run (``make bench``).

The runner: loads the network once, runs every benchmark in :data:`BENCHMARKS` on one
shared :class:`~benchmarks._harness.Context`, then writes and prints the report
(:mod:`benchmarks.results`). ``--quick`` runs tiny inputs (the smoke test). Runs as a script
(``python benchmarks/run.py``) or as ``python -m benchmarks.run``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # ``python benchmarks/run.py`` puts this folder first on sys.path; import the package.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path.insert(0, str(_HERE.parent))

import argparse
import logging
import time
from collections.abc import Callable, Sequence

from benchmarks._harness import BENCH_DIR, Context, Report, fmt_time, log
from benchmarks.all_corridors import bench_corridors
from benchmarks.maps import bench_maps
from benchmarks.network import bench_network
from benchmarks.od import bench_od
from benchmarks.results import render, write_atomic
from benchmarks.scenarios import bench_scenarios
from benchmarks.sea import bench_sea
from benchmarks.sweeps import bench_sweeps

#: Every benchmark, in the order it runs. Each appends its rows, targets and notes to
#: ``ctx.report``. The sweeps (Dask) come after the scenarios they extend.
BENCHMARKS: tuple[Callable[[Context], None], ...] = (
    bench_network,
    bench_od,
    bench_corridors,
    bench_sea,
    bench_maps,
    bench_scenarios,
    bench_sweeps,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, write the report atomically and print it."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny inputs (smoke test)")
    parser.add_argument(
        "--out", type=Path, default=BENCH_DIR / "RESULTS.md", help="report path (Markdown)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[b.__name__.removeprefix("bench_") for b in BENCHMARKS],
        help="run only this benchmark (repeatable), e.g. --only od",
    )
    parser.add_argument(
        "--source", default="bundled+osm", help="network source (load_network's default)"
    )
    parser.add_argument("--borders", help="corridors.settings.borders for the run")
    parser.add_argument(
        "--no-slow-peers",
        action="store_true",
        help="leave out the peers that take minutes on a large network (scgraph, networkx)",
    )
    args = parser.parse_args(argv)
    logging.getLogger("corridors").setLevel(logging.ERROR)

    import corridors
    from corridors.network.build import load_network

    if args.borders:
        corridors.settings.borders = args.borders
    started = time.perf_counter()
    log("loading the network (built once if the cache is empty)")
    net = load_network(args.source, progress=False)
    report = Report(quick=args.quick)
    ctx = Context(
        net,
        args.quick,
        report,
        list(corridors.load_all(variants=True)),
        args.source,
        slow_peers=not args.no_slow_peers,
    )
    for bench in BENCHMARKS:
        if args.only and bench.__name__.removeprefix("bench_") not in args.only:
            continue
        bench(ctx)
    report.notes.append(f"Whole run: {fmt_time(time.perf_counter() - started)}.")
    text = render(report)
    write_atomic(args.out, text)
    print(text)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
