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


def _command_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the Command line section has one runnable ```sh block"
    return [line for line in blocks[0].splitlines() if line.strip()]


def test_the_command_line_examples_run_as_pasted(
    network: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex
    import shutil

    from corridors.cli._main import main

    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    lines = _command_examples()
    assert len(lines) >= 15
    for line in lines:
        words = shlex.split(line)
        assert words[0] == "corridors", line
        assert not set("[]|<>") & set(line.replace("--format", "")), line  # no synopsis signs
        assert main(["-q", *words[1:]]) == 0, line
    assert (tmp_path / "out" / "aras-zangezur.html").stat().st_size > 10_000
    assert (tmp_path / "out" / "my-route.yaml").exists()


def test_the_readme_tables_are_what_the_code_prints(network: object) -> None:
    from tests import readme_tables

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme_tables.blocks(text)
    assert set(shown) == {"compare", "scenario", "scan"}
    # after a change to the data or the code: python -m tests.readme_tables
    assert readme_tables.blocks(readme_tables.expected(text)) == shown
