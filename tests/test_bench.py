"""Smoke test of the benchmark harness (``benchmarks/run.py --quick``).

The benchmarks themselves never run in ``make test``; this only checks that the harness
runs end to end on tiny inputs and writes the table with a ratio in every row.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_quick_run_writes_the_table_with_ratios(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,  # item 7 starts a LocalCluster of two workers
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() in proc.stdout  # printed as well
    assert "--quick run" in text
    for section in ("## Machine", "## Results", "## Targets", "## Scaling"):
        assert section in text
    assert "**CPU**" in text and "scgraph 2.15.0" in text

    lines = text.splitlines()
    header = lines.index("| # | work | ours | peer | peer's | peer/ours | notes |")
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    items = {r[0].rstrip("abcd") for r in rows}
    assert {"1", "2", "3", "4", "6"} <= items
    for r in rows:
        assert len(r) == 7, r
        assert r[2] != "–" and r[4] != "–", r
        assert "×" in r[5], r  # ratio peer/ours in every row
    peers = {r[3] for r in rows}
    assert {"scgraph, world railways", "scgraph, our graph", "networkx, our graph"} <= peers
    assert "searoute" in peers
    assert not list(tmp_path.glob(".RESULTS.md.*")), "temporary file left behind"


def test_a_commit_of_tests_or_mutation_records_during_a_run_is_no_change_to_the_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from benchmarks import _harness

    # 4f1ca66 -> 286849c added tests and equivalent mutants only; 7690479 -> 4f1ca66 changed
    # routing (commits of this repository's history)
    monkeypatch.setattr(_harness, "git_commit", lambda: "286849c")
    assert _harness.commit_line("4f1ca66") == (
        "286849c (HEAD moved from 4f1ca66 during the run; no change to code or data)"
    )
    monkeypatch.setattr(_harness, "git_commit", lambda: "4f1ca66")
    assert _harness.commit_line("7690479") == (
        "7690479 at the start, 4f1ca66 at the end: the code changed during the run, so rows "
        "may mix both; run again"
    )
