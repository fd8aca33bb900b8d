"""The README's Python API section runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corridors
from tests.conftest import ROOT


def _api_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the README's Python API section has no python block"
    return "\n".join(blocks)


def test_the_python_api_section_runs(
    network: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ns: dict[str, object] = {}
    exec(compile(_api_block(), "README.md", "exec"), ns)
    # what the block promises, checked on its own results
    assert ns["zangezur"].id == "zangezur"  # type: ignore[attr-defined]
    m = ns["m"]
    assert isinstance(m, dict) and m["id"] == "zangezur" and m["length_km"] > 0
    table = ns["table"]
    assert list(table["id"]) == sorted(table["id"])  # type: ignore[index]
    assert "ARM" not in ns["route_metrics"](ns["r2"])["countries"]  # type: ignore[operator]
    assert ns["gdf"].attrs["provenance"]["version"] == corridors.__version__  # type: ignore[attr-defined]
    assert (tmp_path / "zangezur.html").stat().st_size > 10_000
