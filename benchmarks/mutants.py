"""Write ``benchmarks/MUTANTS.md`` from the results of ``mutmut run`` (``make mutants``).

The mutation score of each core module is killed / (killed + survived); mutants that time
out count as killed (the planted bug hangs a test), mutants no test reaches ("no tests")
count as survived. A survivor named in ``benchmarks/mutants_equivalent.toml`` (mutant name =
one-line reason) is equivalent: no test can tell it from the real code, so it is listed with
its reason and left out of the score. Other survivors are listed with their diff so each can
be killed by a test or explained as equivalent.

A module that the current ``mutants/`` holds no checked mutant of (``only_mutate`` was
narrowed for a run on a few modules, or a sample generated them all) keeps its row,
survivors and equivalents from the report being replaced, marked as carried over: a run on
routing does not erase the time model's score.

``--sample MODULE=N --seed S`` checks a reproducible random sample of a module instead of
all of it (a full run on routing takes hours): the module's mutant names, sorted, are drawn
with ``random.Random(S).sample(names, N)`` and run with ``mutmut run --max-children 1``, in
the order drawn, 50 at a time (each mutmut run first re-runs the tests for coverage), so a
run stopped early has checked about a prefix of the draw.
The report then gives, for each sampled module, the killed / survived / equivalent of the
sample and a Wilson 95 % interval for the score of the whole module. If ``mutants/`` holds no
mutant of the module yet, they are generated first (mutmut has no command that only
generates, so the steps of ``mutmut run`` that do are called). The status of each sampled
mutant when first run is kept (``mutants/sample-first-pass.json``): the estimate is made from
it, as tests written for the sample's survivors afterwards (``--rerun-survivors`` checks them
again) say nothing of the mutants not drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = [sys.executable, "-m", "mutmut"]
# mutmut run warns under python -m (its __main__ is imported twice): use the script.
MUTMUT_RUN = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", "1"]
GENERATE = """
import os, mutmut.__main__ as m
m.set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths()
m.store_lines_covered_by_tests()
print(m.create_mutants(1))
"""
KILLED = {"killed", "timeout"}
SURVIVED = {"survived", "no tests"}
EQUIVALENT = ROOT / "benchmarks" / "mutants_equivalent.toml"
#: The status of each sampled mutant when it was first run, before tests were written for
#: the sample's survivors (a sample estimates the module's score only as first run).
FIRST_PASS = ROOT / "mutants" / "sample-first-pass.json"


def first_pass(path: Path = FIRST_PASS) -> dict[str, str]:
    """``{mutant name: status}`` of sampled mutants as first run (empty if none were)."""
    if not path.exists():
        return {}
    return {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


def record_first_pass(names: list[str], path: Path = FIRST_PASS) -> None:
    """Keep the current status of each of ``names`` not recorded yet as its first pass."""
    known, now = first_pass(path), results()
    known |= {
        n: now[n] for n in names if n not in known and now.get(n, "not checked") != "not checked"
    }
    path.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")


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


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval (95 % for the default ``z``) of a proportion ``k`` of ``n``."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Sample:
    """A seeded random draw of ``size`` of a module's ``population`` of mutant names."""

    module: str
    seed: int
    size: int
    population: int
    drawn: tuple[str, ...]  # in the order drawn


def draw(statuses: dict[str, str], module: str, size: int, seed: int) -> Sample:
    """``random.Random(seed).sample(sorted(names), size)`` of the mutants of ``module``."""
    names = sorted(n for n in statuses if module_of(n) == module)
    if not names:
        raise SystemExit(f"mutants/ holds no mutant of {module}")
    size = min(size, len(names))
    return Sample(module, seed, size, len(names), tuple(random.Random(seed).sample(names, size)))


@dataclass(frozen=True)
class Carried:
    """A module's results taken over from an earlier report (see :func:`carried_over`)."""

    row: tuple[int, int, int, int, int]  # checked, killed, survived, equivalent, not run
    survivors: tuple[str, ...]  # Markdown items, each with its diff block
    equivalents: tuple[str, ...]
    sample: str = ""  # its row of the sample table, if the module was sampled


def carried_over(text: str) -> dict[str, Carried]:
    """``{module: Carried}`` of every module row of an earlier ``MUTANTS.md`` ``text``."""
    rows: dict[str, tuple[int, int, int, int, int]] = {}
    samples: dict[str, str] = {}
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
        m = re.match(r"\| `([\w.]+)`(?: †)? \| \d+ of \d+ ", line)
        if m:
            samples[m[1]] = line
            continue
        if line.startswith("## "):
            section = (
                "survivors"
                if line.startswith("## Survivors")
                else "equivalents"
                if line.startswith("## Equivalent")
                else ""
            )
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
            samples.get(mod, ""),
        )
        for mod, row in rows.items()
    }


def render(
    statuses: dict[str, str],
    *,
    with_diffs: bool,
    equivalent: dict[str, str] | None = None,
    carried: dict[str, Carried] | None = None,
    samples: dict[str, Sample] | None = None,
    first: dict[str, str] | None = None,
) -> str:
    """The report as Markdown (``equivalent``: survivors no test can kill, with the reason;
    ``carried``: modules not in this run, from the earlier report; ``samples``: modules
    checked by a random sample, whose rows count only the sample's mutants; ``first``: the
    sampled mutants' statuses when first run, from which the sample's estimate is made)."""
    samples = samples or {}
    reasons = {n: r for n, r in (equivalent or {}).items() if statuses.get(n) in SURVIVED}
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    not_run: Counter[str] = Counter(module_of(n) for n, s in statuses.items() if s == "not checked")
    # a module none of whose mutants was checked in this run (generated, not run) keeps the
    # earlier report's row: generating every module for a sample of two erases nothing
    present = {module_of(n) for n, s in statuses.items() if s != "not checked"}
    kept = {m: c for m, c in (carried or {}).items() if m not in present}
    statuses = {n: s for n, s in statuses.items() if s != "not checked"}
    in_sample = {n for x in samples.values() for n in x.drawn}
    statuses = {n: s for n, s in statuses.items() if module_of(n) not in samples or n in in_sample}
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
                "Sampled (§): the row of a module checked by a random sample counts the sample "
                "only, as it stands now (after any tests written for its survivors, so its "
                "score is no estimate; the **all** row adds it in); see *Random samples* below "
                "for the estimate of the whole module's score.",
            ]
            if samples or any(c.sample for c in kept.values())
            else []
        ),
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
            score += " §" if kept[module].sample else ""
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
        if module in samples:
            score += " §"
        lines.append(
            f"| `{module}` | {sum(c.values())} | {k} | {s} | {c['equivalent']} | {score} "
            f"| {not_run[module]} |"
        )
    if total_k + total_s:
        lines.append(
            f"| **all** | {total_checked} | {total_k} | {total_s} | {total_eq} | "
            f"**{100 * total_k / (total_k + total_s):.1f} %** | {total_not_run} |"
        )

    sample_rows = []
    for module in sorted(set(samples) | {m for m, c in kept.items() if c.sample}):
        if module in kept:
            sample_rows.append(re.sub(r"^(\| `[\w.]+`)(?: †)? ", r"\1 † ", kept[module].sample))
            continue
        x = samples[module]
        was = {n: (first or {}).get(n, statuses[n]) for n in x.drawn if n in statuses}
        done = list(was.values())
        k = sum(st in KILLED for st in done)
        eq = sum(n in reasons for n in was)
        s = sum(st in SURVIVED for st in done) - eq
        since = sum(was[n] in SURVIVED and statuses[n] in KILLED and n not in reasons for n in was)
        lo, hi = wilson(k, k + s)
        score = f"{100 * k / (k + s):.1f} %" if k + s else "–"
        sample_rows.append(
            f"| `{module}` | {len(done)} of {x.population} (seed {x.seed}"
            + (f"; {x.size} drawn, {x.size - len(done)} not run" if len(done) < x.size else "")
            + f") | {k} | {s} | {eq} | {score} | {100 * lo:.1f} – {100 * hi:.1f} % | {since} |"
        )
    if sample_rows:
        lines += [
            "",
            "## Random samples",
            "",
            "A module too large to run in full is checked by a reproducible random sample: "
            "`benchmarks/mutants.py --sample MODULE=N --seed S` draws "
            "`random.Random(S).sample(sorted(names), N)` of the module's mutant names and runs "
            "them. Killed, survived and the sample score are of the mutants as first run, "
            "before tests were written for the sample's survivors: the sample score estimates "
            "the score the whole module had; the interval is the Wilson 95 % score interval of "
            "killed / (killed + survived) in the sample (equivalents left out; no "
            "finite-population correction, so slightly wide). *Killed since*: survivors of the "
            "first run that a test added since kills (the module's row above counts them "
            "killed); the sample no longer estimates the module's score after them, as those "
            "tests were written for the sampled mutants.",
            "",
            "| module | sample of mutants | killed | survived | equivalent | sample score "
            "| 95 % interval (Wilson) | killed since |",
            "|---|---|---|---|---|---|---|---|",
            *sample_rows,
        ]

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


def sample_arg(text: str) -> tuple[str, int]:
    """``("corridors.routing", 100)`` of ``corridors.routing=100``."""
    module, sep, size = text.partition("=")
    if not sep or not size.isdigit() or int(size) < 1:
        raise argparse.ArgumentTypeError(f"expected MODULE=N, got {text!r}")
    return module, int(size)


def run_sample(samples: dict[str, Sample], batch: int, *, rerun: bool = False) -> None:
    """``mutmut run`` the drawn mutants not checked yet, in the order drawn, ``batch`` a time
    (recording each one's first pass); with ``rerun``, then the survivors not known to be
    equivalent again (after tests were written for them)."""
    statuses = results()
    for x in samples.values():
        todo = [n for n in x.drawn if statuses.get(n) == "not checked"]
        print(f"{x.module}: {len(todo)} of the {x.size} drawn to run", flush=True)
        for i in range(0, len(todo), batch):
            chunk = todo[i : i + batch]
            print(f"{dt.datetime.now():%H:%M:%S} running {i + 1}-{i + len(chunk)}", flush=True)
            subprocess.run([*MUTMUT_RUN, *chunk], cwd=ROOT, check=False)
            record_first_pass(chunk)
    if rerun:
        again = [n for x in samples.values() for n in x.drawn if results().get(n) in SURVIVED]
        again = [n for n in again if n not in equivalents()]
        if again:
            print(f"{dt.datetime.now():%H:%M:%S} running {len(again)} survivors again", flush=True)
            subprocess.run([*MUTMUT_RUN, *again], cwd=ROOT, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "MUTANTS.md")
    parser.add_argument("--no-diffs", action="store_true")
    parser.add_argument(
        "--sample",
        type=sample_arg,
        action="append",
        default=[],
        metavar="MODULE=N",
        help="check a random sample of N mutants of MODULE (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=20261204, help="seed of the sample draw")
    parser.add_argument(
        "--batch", type=int, default=50, help="sampled mutants per mutmut run (default 50)"
    )
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="run the sample's survivors again (after tests were added for them)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the report of the sample from the results so far, running nothing",
    )
    args = parser.parse_args(argv)
    earlier = carried_over(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    samples: dict[str, Sample] = {}
    if args.sample:
        statuses = results()
        if not all(any(module_of(n) == m for n in statuses) for m, _ in args.sample):
            subprocess.run([sys.executable, "-c", GENERATE], cwd=ROOT, check=True)
            statuses = results()
        samples = {m: draw(statuses, m, size, args.seed) for m, size in args.sample}
        if not args.report_only:
            run_sample(samples, args.batch, rerun=args.rerun_survivors)
    text = render(
        results(),
        with_diffs=not args.no_diffs,
        equivalent=equivalents(),
        carried=earlier,
        samples=samples,
        first=first_pass(),
    )
    tmp = args.out.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
