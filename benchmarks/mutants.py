"""Write ``benchmarks/MUTANTS.md`` from the results of ``mutmut run`` (``make mutants``).

The mutation score of each core module is killed / (killed + survived); mutants that time
out count as killed (the planted bug hangs a test), mutants no test reaches ("no tests")
count as survived. A survivor named in ``benchmarks/mutants_equivalent.toml`` (mutant name =
one-line reason) is equivalent: no test can tell it from the real code, so it is listed with
its reason and left out of the score. Other survivors are listed with their diff so each can
be killed by a test or explained as equivalent.

A module that the current ``mutants/`` holds no mutant of (``only_mutate`` was narrowed for
a run on a few modules) keeps its row, survivors and equivalents from the report being
replaced, marked as carried over: a run on routing does not erase the time model's score.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = [sys.executable, "-m", "mutmut"]
KILLED = {"killed", "timeout"}
SURVIVED = {"survived", "no tests"}
EQUIVALENT = ROOT / "benchmarks" / "mutants_equivalent.toml"


def equivalents(path: Path = EQUIVALENT) -> dict[str, str]:
    """``{mutant name: why it is equivalent}`` from ``path`` (empty if there is none)."""
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return {str(k): str(v) for k, v in tomllib.load(f).items()}


def results() -> dict[str, str]:
    """``{mutant name: status}`` of every mutant, ``"not checked"`` for those not run yet."""
    out = subprocess.run(
        [*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    statuses: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            statuses[name] = status
    return statuses


def module_of(name: str) -> str:
    """``corridors.analysis.timemodel`` of ``corridors.analysis.timemodel.x_f__mutmut_3``."""
    parts = name.split(".")
    return ".".join(p for p in parts[:-1])


def diff(name: str) -> str:
    """The planted change, as the lines mutmut shows."""
    out = subprocess.run(
        [*MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    return "\n".join(
        ln for ln in out.splitlines() if ln[:1] in "+-" and not ln.startswith(("---", "+++"))
    )


@dataclass(frozen=True)
class Carried:
    """A module's results taken over from an earlier report (see :func:`carried_over`)."""

    row: tuple[int, int, int, int, int]  # checked, killed, survived, equivalent, not run
    survivors: tuple[str, ...]  # Markdown items, each with its diff block
    equivalents: tuple[str, ...]


def carried_over(text: str) -> dict[str, Carried]:
    """``{module: Carried}`` of every module row of an earlier ``MUTANTS.md`` ``text``."""
    rows: dict[str, tuple[int, int, int, int, int]] = {}
    items: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    section = ""
    current: list[str] | None = None
    for line in text.splitlines():
        m = re.match(
            r"\| `([\w.]+)`(?: †)? \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| [^|]* \| (\d+) \|", line
        )
        if m:
            rows[m[1]] = (int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
            continue
        if line.startswith("## "):
            section = "survivors" if line.startswith("## Survivors") else "equivalents"
            current = None
            continue
        m = re.match(r"- `([^`]+)`", line)
        if m and section:
            current = items[module_of(m[1])][section]
            current.append(line)
        elif current is not None and (line.startswith("  ") or not line):
            current[-1] += "\n" + line
    return {
        mod: Carried(
            row,
            tuple(x.rstrip("\n") for x in items[mod]["survivors"]),
            tuple(x.rstrip("\n") for x in items[mod]["equivalents"]),
        )
        for mod, row in rows.items()
    }


def render(
    statuses: dict[str, str],
    *,
    with_diffs: bool,
    equivalent: dict[str, str] | None = None,
    carried: dict[str, Carried] | None = None,
) -> str:
    """The report as Markdown (``equivalent``: survivors no test can kill, with the reason;
    ``carried``: modules not in this run, from the earlier report)."""
    reasons = {n: r for n, r in (equivalent or {}).items() if statuses.get(n) in SURVIVED}
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    not_run: Counter[str] = Counter(module_of(n) for n, s in statuses.items() if s == "not checked")
    present = {module_of(n) for n in statuses}
    kept = {m: c for m, c in (carried or {}).items() if m not in present}
    statuses = {n: s for n, s in statuses.items() if s != "not checked"}
    for name, status in statuses.items():
        by_module[module_of(name)]["equivalent" if name in reasons else status] += 1
    lines = [
        "# Mutation testing (`make mutants`)",
        "",
        f"Written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/mutants.py` from "
        "`mutmut results`; configuration in `pyproject.toml` (`[tool.mutmut]`).",
        "",
        "Score: killed / (killed + survived); equivalent mutants are left out of it. "
        "*Not run*: mutants of the module not yet checked (a module run in part, by function).",
        *(
            [
                "",
                "Carried over (†): modules this run did not mutate keep the figures of the "
                "report it replaced.",
            ]
            if kept
            else []
        ),
        "",
        "| module | checked | killed | survived | equivalent | score | not run |",
        "|---|---|---|---|---|---|---|",
    ]
    total_k = total_s = total_checked = total_eq = total_not_run = 0
    for module in sorted(set(by_module) | set(not_run) | set(kept)):
        if module in kept:
            checked, k, s, eq, nr = kept[module].row
            score = f"{100 * k / (k + s):.1f} %" if k + s else "–"
            lines.append(f"| `{module}` † | {checked} | {k} | {s} | {eq} | {score} | {nr} |")
            total_k, total_s = total_k + k, total_s + s
            total_checked, total_eq, total_not_run = (
                total_checked + checked,
                total_eq + eq,
                total_not_run + nr,
            )
            continue
        c = by_module[module]
        k = sum(c[s] for s in KILLED)
        s = sum(c[s] for s in SURVIVED)
        total_k, total_s = total_k + k, total_s + s
        total_checked += sum(c.values())
        total_eq += c["equivalent"]
        total_not_run += not_run[module]
        score = f"{100 * k / (k + s):.1f} %" if k + s else "–"
        lines.append(
            f"| `{module}` | {sum(c.values())} | {k} | {s} | {c['equivalent']} | {score} "
            f"| {not_run[module]} |"
        )
    if total_k + total_s:
        lines.append(
            f"| **all** | {total_checked} | {total_k} | {total_s} | {total_eq} | "
            f"**{100 * total_k / (total_k + total_s):.1f} %** | {total_not_run} |"
        )

    def entry(name: str, head: str) -> tuple[str, list[str]]:
        item = [head]
        d = diff(name) if with_diffs else ""
        if d:
            item += ["", "  ```diff", *("  " + x for x in d.splitlines()), "  ```"]
        return name, item

    entries = [
        entry(name, f"- `{name}` ({statuses[name]})")
        for name in sorted(n for n, s in statuses.items() if s in SURVIVED and n not in reasons)
    ]
    entries += [(c.split("`")[1], [c]) for m in kept.values() for c in m.survivors]
    lines += ["", f"## Survivors ({len(entries)})", ""]
    for _, item in sorted(entries):
        lines += item
    entries = [entry(name, f"- `{name}`: {reasons[name]}") for name in sorted(reasons)]
    entries += [(c.split("`")[1], [c]) for m in kept.values() for c in m.equivalents]
    lines += ["", f"## Equivalent mutants ({len(entries)})", ""]
    for _, item in sorted(entries):
        lines += item
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "MUTANTS.md")
    parser.add_argument("--no-diffs", action="store_true")
    args = parser.parse_args(argv)
    earlier = carried_over(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    text = render(
        results(), with_diffs=not args.no_diffs, equivalent=equivalents(), carried=earlier
    )
    tmp = args.out.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
