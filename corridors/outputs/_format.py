"""Rendering tabular results as a text table, CSV, JSON or Markdown."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = ["FORMATS", "render_rows", "to_json"]

FORMATS = ("table", "csv", "json", "markdown")


def _cell(value: Any, *, plain: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.1f}" if plain else f"{value:,.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {_cell(v)}" for k, v in value.items())
    return str(value)


def _default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "value"):  # enums
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, Mapping):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def to_json(data: Any) -> str:
    """Serialise to indented JSON; NaN becomes ``null``, numpy and enums plain values."""
    return json.dumps(_clean(data), indent=2, ensure_ascii=False, default=_default)


def iter_json(rows: Iterable[Any]) -> Iterator[str]:
    """``to_json(list(rows))`` in pieces, one row at a time (the same text, joined).

    For tables too large to hold twice: neither a cleaned copy of all rows nor the whole
    text is ever in memory, only one row's. ``rows`` is read once.
    """
    i = -1
    for i, row in enumerate(rows):
        # a row's own newlines are indentation only (JSON escapes those inside strings)
        yield ("[\n  " if i == 0 else ",\n  ") + to_json(row).replace("\n", "\n  ")
    yield to_json([]) if i < 0 else "\n]"


def render_rows(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Render rows (mappings with the same keys) in ``fmt``: table, csv, json or markdown."""
    if fmt == "json":
        return to_json(list(rows))
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    cells = [[_cell(row.get(c), plain=fmt == "csv") for c in columns] for row in rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":
        esc = [[c.replace("|", "\\|") for c in r] for r in cells]
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in esc]
        return "\n".join(lines)
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [all(_is_number(r[i]) for r in cells if r[i]) for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
