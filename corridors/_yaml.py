"""YAML reading with messages that name the file and the line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from corridors._data import display_path
from corridors._errors import DefinitionError

__all__ = ["read_yaml"]

#: libyaml's parser where PyYAML was built with it (about 8x faster), else the Python one;
#: both use the same safe constructor.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _normalise(value: Any) -> Any:
    """Turn YAML dates into ISO strings, recursively, so definitions hash and dump as text."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, dt.date) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_yaml(path: Path) -> Any:
    """Read a YAML file with the safe loader.

    Raises
    ------
    DefinitionError
        If the file is missing, unreadable, not UTF-8, or not valid YAML (the message names
        the line and column).
    """
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError([f"{shown}: no such file; check the path"]) from None
    except IsADirectoryError:
        raise DefinitionError([f"{shown}: is a folder, expected a .yaml file"]) from None
    except UnicodeDecodeError as exc:
        msg = f"{shown}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise DefinitionError([msg]) from None
    except OSError as exc:
        raise DefinitionError([f"{shown}: cannot read ({exc.strerror})"]) from None
    try:
        return _normalise(yaml.load(text, Loader=_SAFE_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "syntax error"
        msg = f"{shown}{where}: malformed YAML: {problem}; fix the syntax at that line"
        raise DefinitionError([msg]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([f"{shown}: malformed YAML: {exc}"]) from None
