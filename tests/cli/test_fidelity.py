"""``corridors fidelity``: the table, the report file, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridors.cli._main import main


def _lines_file(tmp_path: Path) -> Path:
    path = tmp_path / "lines.yaml"
    path.write_text(
        "lines:\n"
        "  - id: adana-mersin\n"
        "    from: {name: Adana, lon: 35.31898, lat: 37.00404, country: TUR}\n"
        "    to: {name: Mersin Garı, lon: 34.63384, lat: 36.80316, country: TUR}\n"
        "    mode: rail\n"
        "    length_km: 67\n"
        "    status: operational\n"
        "    source: {title: T, publisher: P, url: 'https://example.org', date: '2024',"
        " accessed: '2026-12-01'}\n",
        encoding="utf-8",
    )
    return path


def test_fidelity_json_and_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network: object
) -> None:
    out = tmp_path / "FIDELITY.md"
    code = main(["-q", "fidelity", "--lines", str(_lines_file(tmp_path)), "--format", "json",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err.strip() == f"wrote {out}"
    (line,) = [r for r in data["rows"] if r["kind"] == "line"]
    assert line["id"] == "adana-mersin" and line["published_km"] == 67
    assert line["error_pct"] == pytest.approx((line["modelled_km"] - 67) / 67 * 100, abs=0.01)
    assert data["summary"]["rows"] == len(data["rows"]) == 1 + 17
    offsets = {o["id"]: o for o in data["track_offsets"]}
    assert offsets["btk"]["covered_km"] == 770.1 and offsets["btk"]["median_m"] == 0.0
    assert list(offsets)[-1] == "all" and offsets["aras"]["rail_km"] == 0.0
    text = out.read_text(encoding="utf-8")
    assert "## Official lines between stations" in text and "| adana-mersin |" in text
    assert "## Routed line against the OSM track" in text
    assert "| btk | 832.9 | 770.1 | 0.0 | 1.8 | 2,489.3 |" in text
    assert "| aras |" not in text  # no rail covered: left out of the report's table
    assert "- **commit**: " in text


def test_fidelity_table_prints_the_median_and_the_worst(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network: object
) -> None:
    assert main(["-q", "fidelity", "--lines", str(_lines_file(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "published lengths (18 routed) in" in out and "median |error|" in out
    assert "\nworst: " in out
    assert "routed rail within the OSM layer's cover: 4,879.1 of 22,825.0 km, median 0.0 m" in out


def test_a_bad_lines_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lines: []\n", encoding="utf-8")
    assert main(["fidelity", "--lines", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected a non-empty list under 'lines:'" in err
