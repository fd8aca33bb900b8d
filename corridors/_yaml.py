"""YAML reading with messages that name the file and the line, within fixed limits.

Definition, scenario and geodata files are user input. Before anything is built from one,
the reader checks that it is a regular file (a FIFO or ``/dev/zero`` is refused at once, not
read), no larger than :data:`MAX_BYTES`, nested no deeper than :data:`MAX_DEPTH`, and that
its aliases do not expand it past :data:`MAX_NODES` values (a "billion laughs" bomb is
refused from its event stream, before any object is made). Parsing uses libyaml's C safe
loader when PyYAML was built with it (about ten times faster), else the pure-Python one.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from corridors._data import display_path
from corridors._errors import DefinitionError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "SafeLoader", "load_yaml_text", "read_yaml"]

#: Largest YAML file read, in bytes (the largest shipped file is about 40 KB).
MAX_BYTES = 8 * 1024 * 1024
#: Deepest nesting of lists and mappings (shipped files reach 6).
MAX_DEPTH = 64
#: Most values (scalars, lists, mappings) a file may hold once its aliases are expanded.
MAX_NODES = 1_000_000

#: The safe loader: libyaml's C one where present.
SafeLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _normalise(value: Any) -> Any:
    """Turn YAML dates into ISO strings, recursively, so definitions hash and dump as text."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, dt.date) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_events(text: str, shown: str) -> None:
    """Walk the event stream (no recursion, no objects) and enforce depth and expansion."""
    # one frame per open collection: [expanded size so far, anchor or None]
    stack: list[list[Any]] = [[0, None]]
    sizes: dict[str, int] = {}
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            stack[-1][0] += sizes.get(str(event.anchor), 1)
        elif isinstance(event, yaml.ScalarEvent):
            stack[-1][0] += 1
            if event.anchor is not None:
                sizes[str(event.anchor)] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
            if len(stack) - 1 > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 0
                msg = (
                    f"{shown}:{line}: nested more than {MAX_DEPTH} levels deep (limit "
                    "MAX_DEPTH); flatten the structure"
                )
                raise DefinitionError([msg])
        elif isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
            if anchor is not None:
                sizes[str(anchor)] = size
            stack[-1][0] += size
        else:
            continue
        if stack[-1][0] > MAX_NODES or sum(f[0] for f in stack) > MAX_NODES:
            msg = (
                f"{shown}: more than {MAX_NODES:,} values once its aliases are expanded "
                "(limit MAX_NODES, an alias bomb?); write the values out or use fewer aliases"
            )
            raise DefinitionError([msg])


def load_yaml_text(text: str, *, name: str = "<text>") -> Any:
    """Parse YAML text with the safe loader, within :data:`MAX_DEPTH` and :data:`MAX_NODES`.

    Dates become ISO strings.

    Raises
    ------
    DefinitionError
        If the text is not valid YAML (the message names the line and column) or exceeds
        a limit (the message names it).
    """
    if len(text) > MAX_BYTES:
        msg = f"{name}: {len(text):,} characters is more than the limit of {MAX_BYTES:,} bytes"
        raise DefinitionError([msg])
    try:
        _check_events(text, name)
        return _normalise(yaml.load(text, Loader=SafeLoader))  # a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "syntax error"
        msg = f"{name}{where}: malformed YAML: {problem}; fix the syntax at that line"
        raise DefinitionError([msg]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([f"{name}: malformed YAML: {str(exc)[:200]}"]) from None
    except DefinitionError:
        raise
    except ValueError as exc:  # an integer over 4,300 digits, a date like 2024-13-45
        msg = f"{name}: a value cannot be read ({str(exc)[:120]}); write it as a quoted string"
        raise DefinitionError([msg]) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops this first
        msg = f"{name}: nested too deeply to read; flatten the structure"
        raise DefinitionError([msg]) from None


def _read_text(path: Path, shown: str) -> str:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DefinitionError([f"{shown}: no such file; check the path"]) from None
    except OSError as exc:  # a symlink loop, no permission
        raise DefinitionError([f"{shown}: cannot read ({exc.strerror})"]) from None
    if stat.S_ISDIR(st.st_mode):
        raise DefinitionError([f"{shown}: is a folder, expected a .yaml file"])
    if not stat.S_ISREG(st.st_mode):
        msg = f"{shown}: not a regular file (a device, FIFO or socket); give a .yaml file"
        raise DefinitionError([msg])
    if st.st_size > MAX_BYTES:
        msg = (
            f"{shown}: {st.st_size:,} bytes is more than the limit of {MAX_BYTES:,} bytes "
            "(MAX_BYTES); split the file"
        )
        raise DefinitionError([msg])
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since stat()
                raise DefinitionError([f"{shown}: not a regular file; give a .yaml file"])
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DefinitionError([f"{shown}: cannot read ({exc.strerror})"]) from None
    if len(data) > MAX_BYTES:
        msg = f"{shown}: more than the limit of {MAX_BYTES:,} bytes (MAX_BYTES); split the file"
        raise DefinitionError([msg])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{shown}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise DefinitionError([msg]) from None


def read_yaml(path: Path) -> Any:
    """Read a YAML file with the safe loader, within the limits of this module.

    Raises
    ------
    DefinitionError
        If the file is missing, not a regular file, unreadable, larger than
        :data:`MAX_BYTES`, not UTF-8, not valid YAML (the message names the line and
        column), nested deeper than :data:`MAX_DEPTH` or expanding past :data:`MAX_NODES`.
    """
    shown = display_path(path)
    return load_yaml_text(_read_text(Path(path), shown), name=shown)
