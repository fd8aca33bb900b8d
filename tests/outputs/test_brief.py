"""The brief: one self-contained file, the numbers of ``compare``, HTML and PDF."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from corridors.analysis.metrics import compare_rows, route_metrics
from corridors.cli._main import main
from corridors.network.core import Network
from corridors.outputs.brief import brief_html, write_brief
from corridors.routing import route_corridor
from tests.browser import PAYLOAD, check_inert, evil_definition, open_page

_CELL = re.compile(r'<td data-id="([^"]*)" data-col="([^"]*)" data-value="([^"]*)">')


def _compare(capsys: pytest.CaptureFixture[str], *ids: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["-q", "compare", *ids, "--format", "json"]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def test_html_brief_has_the_numbers_of_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "brief.html"
    assert main(["-q", "report", "aras", "zangezur", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    cells = {(html.unescape(i), c): json.loads(html.unescape(v)) for i, c, v in _CELL.findall(page)}
    rows = _compare(capsys, "aras", "zangezur")
    assert {i for i, _ in cells} == {"aras", "zangezur"}
    for r in rows:
        # every one-value column of compare is in the table, with its value
        for col, value in r.items():
            if (r["id"], col) in cells:
                assert cells[(r["id"], col)] == value, (r["id"], col)
        for col in ("length_km", "missing_km", "border_crossings_count", "time_h", "countries"):
            assert cells[(r["id"], col)] == r[col]
    # self-contained: images inline, no script, nothing fetched
    assert page.count('src="data:image/png;base64,') == 2  # map and chart
    assert "<script" not in page and not re.search(r'(?:src|href)="(?!data:|https?://)', page)
    for part in ("Comparison", "Map", "Time and distance", "Legs", "Missing links", "Caveats"):
        assert f">{part}<" in page, part
    assert "Aghband – Kalaleh: 2.4 km, under construction." in page


def test_brief_refuses_other_file_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "report", "aras", "--out", str(tmp_path / "b.docx")]) == 2
    assert "a brief is .html or .pdf" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
def test_pdf_brief_pages_numbers_and_images(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (shutil.which("chromium") and shutil.which("pdfinfo")):
        pytest.skip("needs Chromium and poppler-utils (make browser installs both)")
    out = tmp_path / "brief.pdf"
    args = ["-q", "report", "aras", "zangezur", "--scenario", "aras-instead-of-armenia"]
    assert main([*args, "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert 3 <= pages <= 8, pages
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for r in _compare(capsys, "aras", "zangezur"):
        for col in ("length_km", "missing_km", "time_h"):
            assert f"{r[col]:,.1f}" in text, (r["id"], col)
        assert " → ".join(r["countries"]) in text
    images = subprocess.run(
        ["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) >= 3  # map, chart, scenario chart
    assert "Scenario: Aras route instead of Armenia" in text


@pytest.mark.browser
def test_payloads_in_a_definition_run_no_script_in_the_brief(
    browser: Any, network: Network, tmp_path: Path
) -> None:
    evil = evil_definition()
    route = route_corridor(evil, network)
    met = route_metrics(route)
    path = write_brief(brief_html([route], [met], rows=compare_rows([met])), tmp_path / "b.html")
    opened = open_page(browser, path)
    check_inert(opened, "brief", [evil.name, f"T {PAYLOAD}", f"Baku {PAYLOAD}"])
    opened.page.close()
