"""The README's generated blocks: what this commit's code prints, between markers.

``python -m tests.readme_tables`` rewrites them; ``tests/test_readme.py`` fails when the
README says something else. Each block is ``<!-- generated: NAME -->`` ... ``<!-- end -->``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _run(argv: list[str], cwd: Path | None = None) -> str:
    from corridors.cli._main import main

    out = io.StringIO()
    here = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out):
            code = main(["-q", *argv])
    finally:
        os.chdir(here)
    if code != 0:
        raise RuntimeError(f"corridors {' '.join(argv)} exited {code}")
    return out.getvalue().rstrip("\n")


BLOCKS: dict[str, Callable[[], str]] = {
    "compare": lambda: _run(["compare", "--all", "--format", "markdown"]),
    "scenario": lambda: _run(["scenario", "run", "tripp-open-2030", "--format", "markdown"]),
    "scan": lambda: "```text\n" + _run(["scan", "article.txt"], cwd=ROOT / "examples") + "\n```",
}

_BLOCK = re.compile(r"(<!-- generated: (\w+) -->\n)(.*?)(\n<!-- end -->)", re.S)


def expected(text: str) -> str:
    """The README text with every generated block as the code prints it now."""
    return _BLOCK.sub(lambda m: m.group(1) + BLOCKS[m.group(2)]() + m.group(4), text)


def blocks(text: str) -> dict[str, str]:
    """The generated blocks of a README text, by name."""
    return {m.group(2): m.group(3) for m in _BLOCK.finditer(text)}


if __name__ == "__main__":
    README.write_text(expected(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"rewrote {', '.join(blocks(README.read_text(encoding='utf-8')))}\n")
