"""Item 6: scenario evaluations (a fresh routing graph for each evaluation)."""

from __future__ import annotations

import dataclasses
import statistics
import time
from typing import Any

from benchmarks._harness import Context, Row, Target, fmt_time, log, profile_top
from benchmarks._inputs import clear_leg_memo


def scenario_runs(n: int) -> list[Any]:
    """``n`` evaluations cycling through the shipped scenarios; every third with a year."""
    from corridors.analysis.scenarios import load_scenario, scenario_ids

    base = [load_scenario(s) for s in scenario_ids()]
    out = []
    for i in range(n):
        sc = base[i % len(base)]
        if i % 3 == 2:
            year = 2026 + (i // 3) % 10
            sc = dataclasses.replace(sc, options=dataclasses.replace(sc.options, as_of=year))
        out.append(sc)
    return out


def bench_scenarios(ctx: Context) -> None:
    """Item 6: 100 scenario evaluations, ours vs a fresh routing graph for each."""
    from corridors.analysis.scenarios import run_scenario
    from corridors.network._graph import _CACHE

    report = ctx.report
    if ctx.quick:  # two cheap ones: an avoided country costs seconds the first time
        runs = [sc for sc in scenario_runs(8) if not sc.options.avoid][:2]
    else:
        runs = scenario_runs(100)
    n = len(runs)
    log(f"6 scenarios: {n} evaluations")

    def each(fresh: bool, *, no_memo: bool = False) -> list[float]:
        times = []
        for sc in runs:
            if fresh:
                _CACHE.clear()
            if no_memo:
                clear_leg_memo()
            start = time.perf_counter()
            run_scenario(sc, ctx.net)
            times.append(time.perf_counter() - start)
        return times

    if not ctx.quick:
        _CACHE.clear()
    ours = each(fresh=False)
    # issue 17: the same evaluations without the leg memo that repeated scenarios hit
    # (graph, hierarchy, masks and their customisations kept)
    no_memo = each(fresh=False, no_memo=True)
    peer = each(fresh=True)
    report.rows.append(
        Row(
            "6",
            f"{n} scenario evaluations ({len({sc.id for sc in runs})} shipped scenarios, "
            f"{sum(1 for sc in runs if sc.options.as_of)} evaluations with an `as_of` year)",
            sum(ours),
            "same, fresh routing graph each time",
            sum(peer),
            note=f"per evaluation: median ours {fmt_time(statistics.median(ours))}, "
            f"peer {fmt_time(statistics.median(peer))}; slowest ours {fmt_time(max(ours))}; "
            f"ours without the leg memo {fmt_time(sum(no_memo))} in all",
        )
    )
    marks = [m for m in (1, 10, 100) if m <= n] if not ctx.quick else [1, n]
    report.scaling.append(
        (
            "Scenario evaluations: cumulative time after N",
            ["evaluations", "ours", "fresh graph each time"],
            [[str(m), fmt_time(sum(ours[:m])), fmt_time(sum(peer[:m]))] for m in marks],
        )
    )
    target = Target(
        f"{n} scenario evaluations" + (" (target is for 100)" if ctx.quick else ""),
        None if ctx.quick else sum(ours),
        10.0,
        "s",
    )
    report.targets.append(target)
    report.targets.append(
        Target(
            f"{n} scenario evaluations without the leg memo (issue 17)"
            + (" (target is for 100)" if ctx.quick else ""),
            None if ctx.quick else sum(no_memo),
            2.0,
            "s",
        )
    )
    if target.met is False:
        target.why_not = "see the profile of the evaluations under Details"
        first = runs[:12]

        def sweep() -> None:
            _CACHE.clear()
            for sc in first:
                run_scenario(sc, ctx.net)

        report.details.append(
            (
                f"Profile of ours on the first {len(first)} scenario evaluations from a cleared "
                "routing graph cache (cProfile; top by own time; cProfile adds overhead)",
                ["function", "calls", "own", "cumulative"],
                profile_top(sweep),
            )
        )
    report.notes.append(
        "6: `run_scenario(load_scenario(id), net)` cycling through the shipped scenarios; "
        "every third evaluation gets `as_of` = 2026..2035 (new link sets, so new masks). "
        "Ours: one process, routing graphs cleared once at the start, then the cached graph, "
        "masks and leg memo are reused across evaluations, as a sweep does. Peer: "
        "`corridors.network._graph._CACHE` cleared before each evaluation (graph, masks, CSR, snap "
        "trees, avoid masks and leg memo rebuilt). One run of each."
    )
