"""Benchmarks against the peers, on the same work, in one run (``make bench``).

A plain timing harness (``time.perf_counter``; warm-up runs, then repeats; medians and
p95). Every row times our code and a peer on the same work in the same run and gives the
ratio peer/ours ("x times faster"). The report is written atomically to
``benchmarks/RESULTS.md`` (or ``--out``) and printed.

Work items (issue 8):

1. ad-hoc rail routing between corridor waypoints (scgraph, networkx);
2. all corridors end to end, warm and in a fresh process, and the cold CLI ``compare``;
3. sea legs (searoute);
4. network build from the registry data, warm load from the cache, peak RSS
   (importing scgraph-data's graphs);
5. maps (folium with plain GeoJSON lines and CDN links);
6. scenario evaluations (a fresh routing graph for each evaluation).

``--quick`` runs every measure it can on tiny inputs (for the smoke test): the numbers
then say nothing about speed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import io
import json
import logging
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PY = sys.executable
PACKAGES = (
    "corridors",
    "scgraph",
    "scgraph-data",
    "searoute",
    "networkx",
    "scipy",
    "numpy",
    "pandas",
    "folium",
)
_M_PER_DEG = 111_320.0
_SNAP_LIMIT_KM = 30.0

Pair = tuple[Any, Any]  # (origin Waypoint, destination Waypoint)


# --- timing -----------------------------------------------------------------------------------


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


# --- report -----------------------------------------------------------------------------------


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


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


#: What the measured code and data are made of (a change elsewhere, e.g. README, is harmless).
_CODE_PATHS = ("corridors", "geodata", "seeds", "pyproject.toml", "benchmarks")


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


def machine_info(report: Report) -> list[tuple[str, str]]:
    """CPU, cores, RAM, OS, Python, package versions, commit, date and load."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = f"{os.cpu_count()} logical"
    ram = "unknown"
    try:
        import psutil

        cores += f", {psutil.cpu_count(logical=False)} physical"
        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        pass
    os_name = platform.system()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    versions = []
    for p in PACKAGES:
        try:
            versions.append(f"{p} {version(p)}")
        except PackageNotFoundError:
            versions.append(f"{p} (not installed)")
    commit = commit_line(report.commit_start)
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("commit", commit),
        ("CPU", cpu),
        ("cores", cores),
        ("RAM", ram),
        ("OS", f"{os_name} (kernel {platform.release()}, {platform.machine()})"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(versions)),
        (
            "load average (1 min)",
            f"{report.load_start} at the start, {load_average()} at the end "
            f"({os.cpu_count()} cores; above that, other processes competed for the CPU)",
        ),
        ("PYTHONDONTWRITEBYTECODE", os.environ.get("PYTHONDONTWRITEBYTECODE") or "not set"),
    ]


def render(report: Report) -> str:
    """The report as Markdown."""
    lines = ["# Benchmarks: corridors against its peers", ""]
    lines.append(
        "Generated by `make bench` (`benchmarks/run.py`); do not edit by hand. Times are "
        "wall-clock (`time.perf_counter`): medians of repeated runs after warm-up, p95 by "
        "nearest rank. **peer/ours** is how many times faster (or smaller) ours is on the "
        "same work in the same run."
    )
    lines.append("")
    if report.quick:
        lines += [
            "> **--quick run**: tiny inputs, cold build and maps skipped. These numbers "
            "only show that the harness works; they say nothing about speed.",
            "",
        ]
    lines += ["## Machine", ""]
    lines += [f"- **{k}**: {v}" for k, v in machine_info(report)]
    lines += ["", "## Results", ""]

    def cell(v: float | None, kind: str) -> str:
        return fmt_time(v) if kind == "time" else fmt_size(v)

    lines += _table(
        ["#", "work", "ours", "peer", "peer's", "peer/ours", "notes"],
        (
            [
                r.item,
                r.work,
                cell(r.ours, r.kind),
                r.peer_name,
                cell(r.peer, r.kind),
                fmt_ratio(r),
                r.note,
            ]
            for r in sorted(report.rows, key=lambda r: r.item)
        ),
    )
    lines += ["", "## Targets", ""]

    def shown(t: Target) -> str:
        if t.value is None or math.isnan(t.value):
            return "not measured"
        return f"{t.value:.4g} {t.unit}" if t.unit != "x" else f"{t.value:.2f}×"

    lines += _table(
        ["target", "limit", "measured", "status"],
        (
            [
                t.what,
                ("≥ " if t.at_least else "≤ ")
                + (f"{t.limit:g} {t.unit}" if t.unit != "x" else f"{t.limit:g}×"),
                shown(t),
                {True: "met", False: "**missed**", None: "–"}[t.met]
                + (f": {t.why_not}" if t.why_not and t.met is False else ""),
            ]
            for t in report.targets
        ),
    )
    lines += ["", "## Scaling", ""]
    for title, headers, rows in report.scaling:
        lines += [f"**{title}**", "", *_table(headers, rows), ""]
    if report.details:
        lines += ["## Details", ""]
        for title, headers, rows in report.details:
            lines += [f"**{title}**", "", *_table(headers, rows), ""]
    if report.notes:
        lines += ["## How each row was measured", ""]
        lines += [
            f"- {n}" for n in sorted(report.notes, key=lambda n: n[:1] if n[:1].isdigit() else "~")
        ]
        lines.append("")
    return "\n".join(lines)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``."""
    from corridors._io import atomic_write_text

    atomic_write_text(path, text)


def log(msg: str) -> None:
    """Progress on stderr (stdout is the report)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- shared inputs ----------------------------------------------------------------------------


@dataclass
class Context:
    """The network and settings every benchmark shares."""

    net: Any
    quick: bool
    report: Report
    corridors: list[Any]


def clear_leg_memo() -> None:
    """Drop the memoised leg results of every routing graph (masks and CSR stay)."""
    from corridors.network._graph import _CACHE

    for per_net in list(_CACHE.values()):
        for graph in per_net.values():
            graph.legs.clear()


def local_xy(lon: Any, lat: Any) -> npt.NDArray[np.float64]:
    """Planar metres for nearest-node search (the same projection the library uses)."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    return np.stack([x * _M_PER_DEG * np.cos(np.radians(y)), y * _M_PER_DEG], axis=1)


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
        self.tree = cKDTree(local_xy(sub.lon, sub.lat))

    def snap(self, lon: float, lat: float) -> int | None:
        """Nearest node within the snap limit (geodesic, as ours measures it), else ``None``."""
        from corridors.geo.boundaries import geodesic_lengths_m

        _, i = self.tree.query(local_xy([lon], [lat])[0])
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


def ours_router(net: Any, modes: str) -> Callable[[Any, Any], float | None]:
    """``corridors.routing.route``; a snap or no-path error gives ``None``."""
    from corridors import InfeasibleRouteError, SnapError
    from corridors.routing import route

    def query(a: Any, b: Any) -> float | None:
        try:
            return route(a, b, net, modes=modes).length_km
        except (InfeasibleRouteError, SnapError):
            return None

    return query


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


# --- 1 ad-hoc rail routing ----------------------------------------------------------------------


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


def _warm(geograph: Any) -> Any:
    geograph.warmup()
    return geograph


# --- 2 all corridors end to end --------------------------------------------------------------

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
import run as bench
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
        wall, _inner = child(_COLD_PEER, leg_json, str(BENCH_DIR))
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

    report.targets.append(Target("all corridors, warm", warm.median, 1.0, "s"))
    report.targets.append(Target("cold CLI compare --all", cli.median, 5.0, "s"))
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


# --- 3 sea legs -------------------------------------------------------------------------------


def bench_sea(ctx: Context) -> None:
    """Item 3: sea and ferry legs of the definitions, ours vs searoute."""
    import searoute

    report = ctx.report
    seen: dict[tuple[float, ...], Pair] = {}
    for c in ctx.corridors:
        for leg in c.legs:
            if leg.mode.value in ("sea", "ferry"):
                key = (leg.start.lon, leg.start.lat, leg.end.lon, leg.end.lat)
                seen.setdefault(key, (leg.start, leg.end))
    pairs = list(seen.values())[: 1 if ctx.quick else None]
    repeats = 3 if ctx.quick else 20
    log(f"3 sea legs: {len(pairs)} port pairs")
    ours = ours_router(ctx.net, "sea")

    def peer(a: Any, b: Any) -> float | None:
        feature = searoute.searoute([a.lon, a.lat], [b.lon, b.lat], units="km")
        length = feature["properties"]["length"]
        return float(length) if math.isfinite(length) and length > 0 else None

    for a, b in pairs:
        ours(a, b)
        peer(a, b)
    ours_s, ours_km = time_each(ours, pairs, repeats=repeats)
    peer_s, peer_km = time_each(peer, pairs, repeats=repeats)
    # searoute measures from the MARNET vertices nearest the ports; ours includes the approach
    with_ends = [
        searoute.searoute([a.lon, a.lat], [b.lon, b.lat], units="km", append_orig_dest=True)[
            "properties"
        ]["length"]
        for a, b in pairs
    ]
    report.rows.append(
        Row(
            "3",
            f"sea/ferry legs, {len(pairs)} port pairs: median per query",
            ours_s.median,
            "searoute",
            peer_s.median,
            note=f"paths: ours {found(ours_km)}, peer {found(peer_km)}; "
            f"{agreement(ours_km, peer_km)}",
        )
    )
    report.details.append(
        (
            "Sea legs: each port pair, ours (`route(a, b, net, modes='sea')`) vs searoute",
            [
                "from",
                "to",
                "ours km",
                "searoute km",
                "searoute km, port to port",
                "ours",
                "searoute",
                "peer/ours",
            ],
            [
                [
                    a.name,
                    b.name,
                    _km(ko),
                    _km(kp),
                    _km(ke),
                    fmt_time(to),
                    fmt_time(tp),
                    f"{tp / to:.2f}×",
                ]
                for (a, b), ko, kp, ke, to, tp in zip(
                    pairs, ours_km, peer_km, with_ends, ours_s.samples, peer_s.samples, strict=True
                )
            ],
        )
    )
    report.notes.append(
        "3: distinct port pairs of the definitions' sea and ferry legs; ours is "
        "`route(a, b, net, modes='sea')` on the MARNET-derived sea edges of our network "
        "(Volga–Don excluded), searoute is `searoute.searoute([lon, lat], [lon, lat])` "
        "(length in km, its default restrictions); one untimed call each first (searoute "
        f"loads its graph on the first call); per pair the median of {repeats}. searoute's "
        "length runs between the MARNET vertices nearest the ports; the 'port to port' column "
        "(`append_orig_dest=True`, untimed) adds the approaches, as our length does."
    )


def _km(v: float | None) -> str:
    return "no path" if v is None else f"{v:,.0f}"


# --- 4 network build and load -----------------------------------------------------------------

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
            "Network build by region size (fresh process; bbox of the definitions + 3°)",
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


# --- 5 maps -----------------------------------------------------------------------------------


def folium_peer(routes: Sequence[Any], out_dir: Path) -> list[Path]:
    """The same map set with folium: plain GeoJSON lines, default tiles, CDN links."""
    import folium

    from corridors.outputs.maps import COMPARISONS

    by_id = {r.id: r for r in routes}
    groups = [(r.id, [r.id]) for r in routes]
    groups += [(name, list(ids)) for name, (_title, ids) in COMPARISONS.items()]
    groups.append(("all", [r.id for r in routes]))
    written = []
    for name, ids in groups:
        rs = [by_id[i] for i in ids if i in by_id]
        if not rs:
            continue
        m = folium.Map(location=[41.0, 50.0], zoom_start=5)
        xs, ys = [], []
        for r in rs:
            coords = r.coords()
            xs += [c[0] for c in coords]
            ys += [c[1] for c in coords]
            feature = {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {"id": r.id, "length_km": round(r.length_km, 1)},
            }
            folium.GeoJson(feature, name=r.name, tooltip=r.name).add_to(m)
        folium.LayerControl().add_to(m)
        m.fit_bounds([[min(ys), min(xs)], [max(ys), max(xs)]])
        path = out_dir / f"{name}.html"
        m.save(str(path))
        written.append(path)
    return written


def bench_maps(ctx: Context) -> None:
    """Item 5: the whole map set and its file sizes, ours vs plain folium."""
    from corridors.outputs.maps import build_map_set
    from corridors.routing import route_corridors

    report = ctx.report
    if ctx.quick:
        report.targets.append(Target("all maps", None, 60.0, "s"))
        report.targets.append(Target("all-corridors map size", None, 5.0, "MB"))
        return
    log("5 maps")
    repeats = 2
    with tempfile.TemporaryDirectory(prefix="corridors-bench-maps-") as tmp:
        ours_dir, peer_dir, cli_dir = Path(tmp, "ours"), Path(tmp, "peer"), Path(tmp, "cli")
        for d in (ours_dir, peer_dir):
            d.mkdir()
        ours, paths = measure(
            lambda: build_map_set(ours_dir, ctx.net), repeats=repeats, setup=clear_leg_memo
        )
        routes, _errors = route_corridors(ctx.corridors, ctx.net)
        peer, peer_paths = measure(lambda: folium_peer(routes, peer_dir), repeats=repeats)
        cli_wall, _ = run_cli(["-q", "maps", "--out-dir", str(cli_dir)])
        sizes = {p.name: p.stat().st_size for p in paths}
        peer_sizes = {p.name: p.stat().st_size for p in peer_paths}
    n_maps = len(sizes)
    report.rows.append(
        Row(
            "5a",
            f"all maps ({n_maps} HTML files incl. index), in process",
            ours.median,
            "folium, GeoJSON lines, CDN links",
            peer.median,
            note="ours includes routing + metrics of every corridor (leg memo cleared); "
            "the peer gets the routes ready-made and draws only the lines",
        )
    )
    report.rows.append(
        Row(
            "5b",
            "all maps, cold CLI `corridors -q maps --out-dir DIR`",
            cli_wall,
            "folium, GeoJSON lines, CDN links",
            peer.median,
            note="1 run",
        )
    )
    report.rows.append(
        Row(
            "5c",
            "size of all.html",
            sizes.get("all.html", math.nan),
            "folium, GeoJSON lines, CDN links",
            peer_sizes.get("all.html"),
            kind="size",
            note="ours is self-contained (Leaflet inlined, Natural Earth basemap, panel, "
            "markers; lines simplified to ~50 m); the peer loads Leaflet and tiles "
            "from CDNs and keeps full geometry",
        )
    )
    report.rows.append(
        Row(
            "5d",
            "size of all map files",
            float(sum(sizes.values())),
            "folium, GeoJSON lines, CDN links",
            float(sum(peer_sizes.values())),
            kind="size",
        )
    )
    report.details.append(
        (
            "Map files: size, ours vs the folium peer",
            ["file", "ours", "peer"],
            [
                [name, fmt_size(size), fmt_size(peer_sizes.get(name))]
                for name, size in sizes.items()
            ],
        )
    )
    report.targets.append(Target("all maps (cold CLI)", cli_wall, 60.0, "s"))
    report.targets.append(
        Target("all-corridors map size", sizes.get("all.html", math.nan) / 1e6, 5.0, "MB")
    )
    report.notes.append(
        f"5: `corridors.outputs.maps.build_map_set(tmpdir, net)` in this process (1 warm-up, "
        f"median of {repeats}; leg memo cleared before each) and the `corridors -q maps` console "
        "script in a fresh process (1 run). Peer: for the same file names, `folium.Map` with "
        "its default OpenStreetMap tiles and CDN scripts, one `folium.GeoJson` LineString per "
        "route (full geometry), a layer control, `Map.save`."
    )


# --- 6 scenarios ------------------------------------------------------------------------------


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

    def each(fresh: bool) -> list[float]:
        times = []
        for sc in runs:
            if fresh:
                _CACHE.clear()
            start = time.perf_counter()
            run_scenario(sc, ctx.net)
            times.append(time.perf_counter() - start)
        return times

    if not ctx.quick:
        _CACHE.clear()
    ours = each(fresh=False)
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
            f"peer {fmt_time(statistics.median(peer))}; slowest ours {fmt_time(max(ours))}",
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


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, write the report atomically and print it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny inputs (smoke test)")
    parser.add_argument(
        "--out", type=Path, default=BENCH_DIR / "RESULTS.md", help="report path (Markdown)"
    )
    args = parser.parse_args(argv)
    logging.getLogger("corridors").setLevel(logging.ERROR)

    import corridors
    from corridors.network.build import load_network

    started = time.perf_counter()
    log("loading the network (built once if the cache is empty)")
    net = load_network(progress=False)
    report = Report(quick=args.quick)
    ctx = Context(net, args.quick, report, list(corridors.load_all(variants=True)))
    for bench in (bench_network, bench_od, bench_corridors, bench_sea, bench_maps, bench_scenarios):
        bench(ctx)
    report.notes.append(f"Whole run: {fmt_time(time.perf_counter() - started)}.")
    text = render(report)
    write_atomic(args.out, text)
    print(text)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
