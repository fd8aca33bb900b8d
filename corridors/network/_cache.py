"""Content-hashed, atomic cache files.

An entry's key is the SHA-256 of its inputs, its parameters and :data:`CACHE_VERSION` (bumped
whenever the code that builds entries changes what it writes). Each entry is a data file plus
a manifest holding the data file's SHA-256; an entry whose data does not match its manifest
is corrupt: it is moved aside (``NAME.corrupt``) with a warning and rebuilt. So is an entry
whose data file or manifest is a folder, a manifest that is not a JSON object, and an empty
data file. Files are written to a temporary name in the same folder and renamed, so a crash
never leaves a half-written entry; temporary files a killed build left behind are removed
on the next run once older than :data:`STALE_TMP_S`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import shutil
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from corridors._data import cache_dir
from corridors._io import atomic_write

__all__ = [
    "CACHE_VERSION",
    "STALE_TMP_S",
    "cache_key",
    "clean_stale_tmp",
    "entry_path",
    "load_entry",
    "save_entry",
]

_LOG = logging.getLogger("corridors")

#: Bump when the format or the content of cached networks changes.
CACHE_VERSION = "network-4"

#: A temporary file of an interrupted write older than this many seconds is removed.
STALE_TMP_S = 3600.0


#: Modules whose code decides what a cached network holds: their source is hashed into keys.
_BUILD_MODULES = (
    "network/build.py",
    "network/sources/bundled.py",
    "network/core.py",
    "network/repair.py",
    "network/gauge.py",
    "network/sources/osm.py",
    "network/sources/layer.py",
    "geo/geodata.py",
    "geo/boundaries.py",
)


@functools.cache
def code_digest() -> str:
    """SHA-256 of the source of the modules that build networks (changes invalidate)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for name in _BUILD_MODULES:
        h.update((package / name).read_bytes())
    return h.hexdigest()


def cache_key(params: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the parameters, in canonical JSON, the cache version and the code."""
    text = json.dumps(
        {"v": CACHE_VERSION, "code": code_digest(), **params}, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def entry_path(kind: str, key: str, suffix: str) -> Path:
    """Path of the data file of a cache entry."""
    return cache_dir() / kind / f"{key[:32]}{suffix}"


def _move_aside(path: Path) -> None:
    """Rename a broken cache file or folder to ``NAME.corrupt`` (replacing an older one)."""
    if not (path.exists() or path.is_symlink()):
        return
    aside = path.with_name(path.name + ".corrupt")
    try:
        if aside.is_dir() and not aside.is_symlink():
            shutil.rmtree(aside)
        elif aside.exists() or aside.is_symlink():
            aside.unlink()
        path.rename(aside)
    except OSError as exc:
        _LOG.warning("cannot move %s aside (%s); remove it by hand", path, exc.strerror)


def clean_stale_tmp(folder: Path, *, older_than_s: float | None = None) -> int:
    """Remove the ``.NAME.*.tmp`` files that killed writes left in ``folder``; return how many.

    Only files older than ``older_than_s`` (default :data:`STALE_TMP_S`) go, so a write in
    progress in another process is left alone.
    """
    if not folder.is_dir():
        return 0
    limit = time.time() - (STALE_TMP_S if older_than_s is None else older_than_s)
    n = 0
    for tmp in folder.glob(".*.tmp"):
        try:
            st = tmp.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mtime < limit:
                tmp.unlink()
                n += 1
        except OSError:
            continue
    if n:
        _LOG.info("removed %d stale temporary file%s in %s", n, "s" if n != 1 else "", folder)
    return n


def load_entry(kind: str, key: str, suffix: str) -> tuple[Path, dict[str, Any]] | None:
    """Return ``(data_path, manifest)`` of a complete, intact entry, or ``None``.

    A corrupt entry (missing manifest, digest mismatch, unreadable, a folder in place of a
    file, a manifest that is not a JSON object, an empty data file) is moved aside with a
    warning.
    """
    data = entry_path(kind, key, suffix)
    manifest_path = data.with_suffix(data.suffix + ".json")
    clean_stale_tmp(data.parent)
    if not (data.exists() or data.is_symlink() or manifest_path.exists()):
        return None
    try:
        for p in (data, manifest_path):
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode):
                raise ValueError(f"{p.name} is not a regular file")
        if data.stat().st_size == 0:
            raise ValueError("empty data file")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError(f"manifest is a JSON {type(manifest).__name__}, not an object")
        if manifest.get("key") != key or manifest.get("sha256") != _file_digest(data):
            raise ValueError("digest mismatch")
    except (OSError, ValueError, RecursionError) as exc:
        _LOG.warning("cache entry %s is corrupt (%s); moved aside, rebuilding it", data, exc)
        _move_aside(data)
        _move_aside(manifest_path)
        return None
    return data, manifest


def save_entry(
    kind: str, key: str, suffix: str, write: Callable[[Path], None], info: Mapping[str, Any]
) -> Path:
    """Write a complete entry: the data file first, then its manifest (both atomic).

    Anything but a regular file in the way (a folder, a link) is moved aside first.
    """
    data = entry_path(kind, key, suffix)
    manifest_path = data.with_suffix(data.suffix + ".json")
    for p in (data, manifest_path):
        if p.is_symlink() or (p.exists() and not p.is_file()):
            _LOG.warning("cache path %s is not a regular file; moved aside", p)
            _move_aside(p)
    atomic_write(data, write)
    manifest = {"key": key, "sha256": _file_digest(data), **info}
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)

    def write_manifest(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    atomic_write(manifest_path, write_manifest)
    return data
