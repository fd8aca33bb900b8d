"""``corridors sweep``: one-line errors, exit status, nothing written on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridors.cli._main import main
from corridors.geo.geodata import main_places


def test_bad_scheduler_address_is_one_line_exit_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("corridors.analysis._engine.CONNECT_TIMEOUT_S", 1)
    out = tmp_path / "out"
    argv = ["-q", "sweep", "criticality", "btk", "--scheduler", "tcp://127.0.0.1:9"]
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("corridors: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "Traceback" not in err
    assert not out.exists()


def test_scheduler_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("corridors.analysis._engine.CONNECT_TIMEOUT_S", 1)
    monkeypatch.setenv("CORRIDORS_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    out = tmp_path / "out"
    assert main(["-q", "sweep", "uncertainty", "btk", "--samples", "2", "--out", str(out)]) == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_scheduler_scheme_and_corridor_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "o")
    assert main(["sweep", "criticality", "btk", "--scheduler", "ftp://x:1", "--out", out]) == 1
    assert "expected 'local', 'none' or an address" in capsys.readouterr().err
    assert main(["sweep", "criticality", "btkk", "--scheduler", "none", "--out", out]) == 2
    assert "btk" in capsys.readouterr().err


def test_criticality_single_process_writes_tables_and_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network: object
) -> None:
    out = tmp_path / "o"
    argv = ["-q", "sweep", "criticality", "btk", "--scheduler", "none", "--format", "json"]
    assert main([*argv, "--out", str(out), "--top", "1", "--map", str(out / "m.html")]) == 0
    data = json.loads(capsys.readouterr().out)
    # both cut BTK (cuts tie, ranked by name): without Böyük Kəsik the only rail way round
    # ran by Russia and Ukraine round the Black Sea, and the Russia–Ukraine border is closed
    assert [(r["element"], r["cut"]) for r in data["rows"]] == [
        ("border:Böyük Kəsik–Gardabani", True)
    ]
    # one per link the baseline uses: each stretch between junctions of the OSM track
    # (sidings and yards included), each named link and crossing
    assert data["run"]["evaluations"] == 701
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "criticality.csv",
        "criticality.json",
        "criticality.parquet",
        "criticality_overall.csv",
        "criticality_overall.json",
        "m.html",
    ]
    page = (out / "m.html").read_text(encoding="utf-8")
    assert "border:Böyük Kəsik–Gardabani" in page


def test_criticality_over_the_first_main_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network: object
) -> None:
    out = tmp_path / "o"
    argv = ["-q", "sweep", "criticality", "--matrix", "2", "--scheduler", "none", "--top", "1"]
    assert main([*argv, "--format", "json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["item"] for r in data["rows"]] == ["Baku → Alat (rail)"]
    assert data["run"]["evaluations"] == 153
    lines = (out / "criticality.csv").read_text(encoding="utf-8").splitlines()
    assert data["run"]["evaluations"] == len(lines) - 1
    # the tables, streamed from the Parquet file, are those of the rows in memory
    from corridors.analysis.criticality import rank_overall
    from corridors.analysis.odmatrix import matrix_items, sweep_od
    from corridors.outputs._format import to_json

    names = [p.name for p in main_places()][:2]
    rows = sweep_od(matrix_items("rail", names), network, scheduler="none")[0]  # type: ignore[arg-type]
    assert (out / "criticality.json").read_text(encoding="utf-8") == to_json(rows)
    assert (out / "criticality_overall.json").read_text(encoding="utf-8") == to_json(
        rank_overall(rows)
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "criticality.csv",
        "criticality.json",
        "criticality.parquet",
        "criticality_overall.csv",
        "criticality_overall.json",
    ]
    assert main(["sweep", "criticality", "--matrix", "1", "--out", str(out)]) == 2
    assert "--matrix 1: give 2 to 50 main places" in capsys.readouterr().err
