"""The validation table's Markdown report."""

from __future__ import annotations

from pathlib import Path

from corridors.analysis.fidelity import FidelityRow
from corridors.outputs.fidelity import (
    fidelity_markdown,
    fidelity_table_rows,
    git_commit,
    machine_info,
    write_fidelity_report,
)
from tests.conftest import ROOT


def _rows() -> list[FidelityRow]:
    return [
        FidelityRow(
            "line", "a-b", "A – B", ("AZE",), 100.0, 103.0, 3.0, (0.2, 1.25), "",
            "T (P, 2024; accessed 2026-12-01)", "https://example.org/t",
        ),
        FidelityRow("line", "c-d", "C – D", ("GEO", "TUR"), 50.0, 40.0, -20.0, (0.0, 0.0)),
        FidelityRow("line", "e-f", "E – F", ("IRN",), 80.0, None, None, flag="not routable",
                    detail="waypoint 'E' is 40 km from the network"),
        FidelityRow("definition", "btk/6", "btk: X – Y", ("GEO",), 29.0, 29.29, 1.0,
                    flag="missing link (drawn)", source="Baku–Tbilisi–Kars (2024-04)"),
    ]  # fmt: skip


def test_the_report_has_machine_summary_worst_rows_and_both_tables() -> None:
    text = fidelity_markdown(_rows(), machine=[("date", "2026-12-01"), ("commit", "abc1234")])
    assert text.startswith("# Fidelity: modelled lengths against published ones\n")
    assert "- **date**: 2026-12-01\n- **commit**: abc1234" in text
    # all: |errors| 3, 20, 1 -> median 3; lines: 3, 20 -> 11.5; definitions: 1
    assert "- **all**: 4 rows (3 routed)" in text and "median |error| **3.0 %**" in text
    assert "median |error| **11.5 %**" in text and "median |error| **1.0 %**" in text
    assert "1. C – D: 40.0 km modelled, 50.0 km published (-20.0 %)" in text
    assert (
        "| a-b | A – B | AZE | 100.0 | 103.0 | +3.0 | 0.2 / 1.2 |  | [T (P, 2024; accessed" in text
    )
    assert "](https://example.org/t) |" in text
    assert "| btk/6 | btk: X – Y | GEO | 29.0 | 29.3 | +1.0 |  | missing link (drawn) |" in text
    assert "## Not routed\n\n- E – F: waypoint 'E' is 40 km from the network" in text


def test_table_rows_join_countries_and_snaps() -> None:
    (row, *_) = fidelity_table_rows(_rows())
    assert row["countries"] == "AZE" and row["snap_km"] == "0.2 / 1.2"
    assert fidelity_table_rows(_rows())[1]["countries"] == "GEO → TUR"
    assert row["source"] == "T (P, 2024; accessed 2026-12-01)"  # no link in plain tables


def test_the_report_is_written_whole(tmp_path: Path) -> None:
    path = write_fidelity_report(tmp_path / "sub" / "FIDELITY.md", "# x\n")
    assert path.read_text(encoding="utf-8") == "# x\n"
    assert [p.name for p in path.parent.iterdir()] == ["FIDELITY.md"]  # no temporary left


def test_machine_info_names_the_commit_and_the_network(tmp_path: Path) -> None:
    info = dict(machine_info(root=ROOT, network_meta={"source": "bundled", "cache_key": "f" * 64}))
    assert set(info) == {"date", "commit", "CPU", "OS", "Python", "packages", "network"}
    assert info["date"].endswith(" UTC") and "corridors " in info["packages"]
    assert info["network"] == "bundled (cache key ffffffffffffffff)"
    assert git_commit(tmp_path) == "unknown (not a git checkout)"
