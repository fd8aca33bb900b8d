"""The YAML reader: regular files only, size, depth and alias-expansion limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from corridors import DefinitionError
from corridors._yaml import MAX_BYTES, MAX_DEPTH, SafeLoader, load_yaml_text, read_yaml


def _bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_libyaml_is_used_when_present() -> None:
    assert SafeLoader is yaml.CSafeLoader
    assert load_yaml_text("when: 2024-05-01\nn: [1, 2]\n") == {"when": "2024-05-01", "n": [1, 2]}


def test_alias_bomb_is_refused_from_its_events(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(), encoding="utf-8")
    assert path.stat().st_size < 600  # 9**9 = 387 million strings
    with pytest.raises(DefinitionError) as info:
        read_yaml(path)
    assert info.value.problems == (
        f"{path}: more than 1,000,000 values once its aliases are expanded (limit MAX_NODES, "
        "an alias bomb?); write the values out or use fewer aliases",
    )
    # a few honest aliases are fine
    assert load_yaml_text("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_nesting_limit_names_the_line() -> None:
    deep = "a:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, MAX_DEPTH + 2)) + "x"
    with pytest.raises(DefinitionError, match=rf"nested more than {MAX_DEPTH} levels deep"):
        load_yaml_text(deep)
    with pytest.raises(DefinitionError, match=r"1:1001: malformed YAML: exceeded maximum nesting"):
        load_yaml_text("[" * 100_000 + "]" * 100_000)
    assert load_yaml_text("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


def test_huge_integers_and_bad_dates_are_our_error() -> None:
    with pytest.raises(DefinitionError, match=r"a value cannot be read .*4300 digits"):
        load_yaml_text("n: " + "9" * 5000)
    with pytest.raises(DefinitionError, match=r"month must be in 1\.\.12"):
        load_yaml_text("d: 2024-13-01")


def test_special_files_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "def.yaml"
    os.mkfifo(fifo)  # reading it would hang until a writer comes
    with pytest.raises(DefinitionError, match=r"def\.yaml: not a regular file"):
        read_yaml(fifo)
    with pytest.raises(DefinitionError, match="/dev/zero: not a regular file"):
        read_yaml(Path("/dev/zero"))  # would read until memory runs out
    with pytest.raises(DefinitionError, match="is a folder"):
        read_yaml(tmp_path)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(DefinitionError, match=r"loop\.yaml: cannot read \(Too many levels"):
        read_yaml(loop)


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no real disk use
    with pytest.raises(DefinitionError, match=r"8,388,609 bytes is more than the limit"):
        read_yaml(big)
