"""Write ``benchmarks/MUTANTS.md`` from the results of ``mutmut run`` (``make mutants``).

The mutation score of each core module is killed / (killed + survived); mutants that time
out count as killed (the planted bug hangs a test), mutants no test reaches ("no tests")
count as survived. A survivor named in ``benchmarks/mutants_equivalent.toml`` (mutant name =
one-line reason) is equivalent: no test can tell it from the real code, so it is listed with
its reason and left out of the score. Other survivors are listed with their diff so each can
be killed by a test or explained as equivalent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
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


def render(
    statuses: dict[str, str], *, with_diffs: bool, equivalent: dict[str, str] | None = None
) -> str:
    """The report as Markdown (``equivalent``: survivors no test can kill, with the reason)."""
    reasons = {n: r for n, r in (equivalent or {}).items() if statuses.get(n) in SURVIVED}
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    not_run: Counter[str] = Counter(module_of(n) for n, s in statuses.items() if s == "not checked")
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
        "",
        "| module | checked | killed | survived | equivalent | score | not run |",
        "|---|---|---|---|---|---|---|",
    ]
    total_k = total_s = 0
    for module in sorted(set(by_module) | set(not_run)):
        c = by_module[module]
        k = sum(c[s] for s in KILLED)
        s = sum(c[s] for s in SURVIVED)
        total_k, total_s = total_k + k, total_s + s
        score = f"{100 * k / (k + s):.1f} %" if k + s else "–"
        lines.append(
            f"| `{module}` | {sum(c.values())} | {k} | {s} | {c['equivalent']} | {score} "
            f"| {not_run[module]} |"
        )
    if total_k + total_s:
        lines.append(
            f"| **all** | {len(statuses)} | {total_k} | {total_s} | {len(reasons)} | "
            f"**{100 * total_k / (total_k + total_s):.1f} %** | {sum(not_run.values())} |"
        )
    survivors = sorted(n for n, s in statuses.items() if s in SURVIVED and n not in reasons)
    lines += ["", f"## Survivors ({len(survivors)})", ""]
    for name in survivors:
        lines.append(f"- `{name}` ({statuses[name]})")
        if with_diffs:
            d = diff(name)
            if d:
                lines += ["", "  ```diff", *("  " + x for x in d.splitlines()), "  ```"]
    lines += ["", f"## Equivalent mutants ({len(reasons)})", ""]
    for name in sorted(reasons):
        lines.append(f"- `{name}`: {reasons[name]}")
        if with_diffs:
            d = diff(name)
            if d:
                lines += ["", "  ```diff", *("  " + x for x in d.splitlines()), "  ```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "MUTANTS.md")
    parser.add_argument("--no-diffs", action="store_true")
    args = parser.parse_args(argv)
    text = render(results(), with_diffs=not args.no_diffs, equivalent=equivalents())
    tmp = args.out.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
