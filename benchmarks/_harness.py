"""The shared harness: timing, fresh child processes, and the report's values.

``Stats``/``measure``/``time_each`` time our code and a peer the same way (warm-up runs,
then repeats; medians and p95 by nearest rank); ``child`` and ``run_cli`` run work in a
fresh interpreter; ``Row``, ``Target`` and ``Report`` hold what a run measured, in the
order :mod:`benchmarks.results` shows it; ``Context`` is what every benchmark receives.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


ROOT = BENCH_DIR.parent


PY = sys.executable


Pair = tuple[Any, Any]  # (origin Waypoint, destination Waypoint)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Stats:
    """Timings of repeated runs, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median, in seconds."""
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        """95th percentile (nearest rank), in seconds."""
        return percentile(self.samples, 95)

    @property
    def total(self) -> float:
        """Sum of the samples, in seconds."""
        return float(sum(self.samples))


def measure(
    fn: Callable[[], Any],
    *,
    warmup: int = 1,
    repeats: int = 5,
    setup: Callable[[], None] | None = None,
) -> tuple[Stats, Any]:
    """Time ``fn`` after ``warmup`` untimed runs; ``setup`` runs untimed before each call."""
    result = None
    for _ in range(warmup):
        if setup:
            setup()
        result = fn()
    samples = []
    for _ in range(repeats):
        if setup:
            setup()
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return Stats(tuple(samples)), result


def time_each(
    fn: Callable[[Any, Any], Any], pairs: Sequence[Pair], *, repeats: int
) -> tuple[Stats, list[Any]]:
    """Time ``fn(a, b)`` per pair; each pair's time is the median over ``repeats`` passes."""
    per_pair: list[list[float]] = [[] for _ in pairs]
    results: list[Any] = [None] * len(pairs)
    for _ in range(repeats):
        for i, (a, b) in enumerate(pairs):
            start = time.perf_counter()
            results[i] = fn(a, b)
            per_pair[i].append(time.perf_counter() - start)
    return Stats(tuple(statistics.median(t) for t in per_pair)), results


def one_pass(fn: Callable[[Any, Any], Any], pairs: Sequence[Pair]) -> float:
    """Seconds for one pass of ``fn`` over ``pairs``."""
    start = time.perf_counter()
    for a, b in pairs:
        fn(a, b)
    return time.perf_counter() - start


def child(
    code: str, *args: str, env: dict[str, str] | None = None, timeout: float = 900
) -> tuple[float, dict[str, Any]]:
    """Run ``python -c code args`` in a fresh process; its wall time and last JSON line."""
    start = time.perf_counter()
    proc = subprocess.run(
        [PY, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        msg = f"child process failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        raise RuntimeError(msg)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return wall, (json.loads(lines[-1]) if lines else {})


def run_cli(args: Sequence[str], *, timeout: float = 900) -> tuple[float, str]:
    """Run the ``corridors`` console script in a fresh process; wall time and stdout."""
    script = Path(PY).with_name("corridors")
    cmd = [str(script), *args] if script.exists() else [PY, "-m", "corridors", *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        msg = f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        raise RuntimeError(msg)
    return wall, proc.stdout


@dataclass
class Row:
    """One line of the results table: our value and the peer's on the same work."""

    item: str
    work: str
    ours: float
    peer_name: str
    peer: float | None
    kind: str = "time"  # "time" (seconds) or "size" (bytes)
    note: str = ""


@dataclass
class Target:
    """A target of the issue: measured value, limit and whether it was met."""

    what: str
    value: float | None
    limit: float
    unit: str  # "s", "ms", "MB", "GB", "x"
    at_least: bool = False  # True when the value must be at least the limit (ratios)
    why_not: str = ""

    @property
    def met(self) -> bool | None:
        """Met, missed, or ``None`` when not measured."""
        if self.value is None or math.isnan(self.value):
            return None
        return self.value >= self.limit if self.at_least else self.value <= self.limit


@dataclass
class Report:
    """Everything the run measured, in the order the report shows it."""

    quick: bool
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    scaling: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    details: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    load_start: str = field(default_factory=lambda: load_average())
    commit_start: str = field(default_factory=lambda: git_commit())


def fmt_time(seconds: float | None) -> str:
    """Seconds as a short human duration."""
    if seconds is None or math.isnan(seconds):
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_size(n: float | None) -> str:
    """Bytes as MB (10^6) or kB."""
    if n is None:
        return "–"
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def fmt_ratio(row: Row) -> str:
    """Peer/ours: how many times faster (or smaller) ours is."""
    if row.peer is None or not row.ours or math.isnan(row.ours) or math.isnan(row.peer):
        return "–"
    r = row.peer / row.ours
    better, worse = ("faster", "slower") if row.kind == "time" else ("smaller", "larger")
    word = better if r >= 1 else f"{worse}: peer {1 / r:.2g}× {better}"
    return f"{r:.2f}× ({word})"


#: What the measured code and data are made of (a change elsewhere, e.g. README, is harmless).
#: What the benchmarks measure (the mutation-testing records and the reports under
#: benchmarks/ are not code the runs use).
_CODE_PATHS = (
    "corridors",
    "geodata",
    "seeds",
    "pyproject.toml",
    "benchmarks",
    ":!benchmarks/*.md",
    ":!benchmarks/mutants.py",
    ":!benchmarks/mutants_equivalent.toml",
)


def _git(*args: str) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.strip()
    return ""


def git_commit() -> str:
    """The checked-out commit, marked when tracked files (not this table) have changed."""
    head = _git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown"
    dirty = _git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/RESULTS.md"
    )
    return head + (" (with uncommitted changes)" if dirty else "")


def commit_line(start: str) -> str:
    """The commit measured; a warning when the code changed while the benchmarks ran."""
    end = git_commit()
    if end == start:
        return end
    a, b = start.split()[0], end.split()[0]
    if "uncommitted" not in start + end and not _git(
        "diff", "--name-only", a, b, "--", *_CODE_PATHS
    ):
        return f"{end} (HEAD moved from {a} during the run; no change to code or data)"
    return (
        f"{start} at the start, {end} at the end: the code changed during the run, so rows "
        "may mix both; run again"
    )


def load_average() -> str:
    """The 1-minute load average (other work on the machine skews the timings)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def log(msg: str) -> None:
    """Progress on stderr (stdout is the report)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Context:
    """The network and settings every benchmark shares."""

    net: Any
    quick: bool
    report: Report
    corridors: list[Any]
    source: str = "bundled+osm"  # the network source ``net`` was loaded from
    slow_peers: bool = True  # False: leave out peers that take minutes (scgraph, networkx)


def profile_top(fn: Callable[[], Any], *, n: int = 12) -> list[list[str]]:
    """Run ``fn`` under cProfile; the ``n`` functions with the most own time."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(fn)
    st = pstats.Stats(prof)
    rows = []
    entries = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in entries[:n]:
        where = filename
        for marker in ("site-packages/", str(ROOT) + "/"):
            if marker in where:
                where = where.split(marker, 1)[1]
        rows.append(
            [f"`{where}:{line}({func})`", str(ncalls), fmt_time(tottime), fmt_time(cumtime)]
        )
    return rows
