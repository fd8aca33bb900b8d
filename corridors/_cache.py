"""Content-hashed, atomic cache files.

An entry's key is the SHA-256 of its inputs, its parameters and :data:`CACHE_VERSION` (bumped
whenever the code that builds entries changes what it writes). Each entry is a data file plus
a manifest holding the data file's SHA-256; an entry whose data does not match its manifest
is corrupt: it is removed with a warning and rebuilt. Files are written to a temporary name
in the same folder and renamed, so a crash never leaves a half-written entry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from corridors._data import cache_dir
from corridors._errors import CacheError

__all__ = [
    "CACHE_VERSION",
    "atomic_write",
    "atomic_write_text",
    "cache_key",
    "entry_path",
    "load_entry",
    "save_entry",
]

_LOG = logging.getLogger("corridors")

#: Bump when the format or the content of cached networks changes.
CACHE_VERSION = "network-3"


#: Modules whose code decides what a cached network holds: their source is hashed into keys.
_BUILD_MODULES = ("build", "_bundled", "network", "repair", "gauge", "osm", "geodata")


@functools.cache
def code_digest() -> str:
    """SHA-256 of the source of the modules that build networks (changes invalidate)."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _BUILD_MODULES:
        h.update((here / f"{name}.py").read_bytes())
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


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``.

    Raises
    ------
    CacheError
        If the folder cannot be created or written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        msg = f"cannot write to {path.parent} ({exc.strerror}); set CORRIDORS_CACHE_DIR or --out"
        raise CacheError(msg) from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically (see :func:`atomic_write`)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


def entry_path(kind: str, key: str, suffix: str) -> Path:
    """Path of the data file of a cache entry."""
    return cache_dir() / kind / f"{key[:32]}{suffix}"


def load_entry(kind: str, key: str, suffix: str) -> tuple[Path, dict[str, Any]] | None:
    """Return ``(data_path, manifest)`` of a complete, intact entry, or ``None``.

    A corrupt entry (missing manifest, digest mismatch, unreadable) is removed with a warning.
    """
    data = entry_path(kind, key, suffix)
    manifest_path = data.with_suffix(data.suffix + ".json")
    if not data.exists() and not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("key") != key or manifest.get("sha256") != _file_digest(data):
            raise ValueError("digest mismatch")
    except (OSError, ValueError) as exc:
        _LOG.warning("cache entry %s is corrupt (%s); rebuilding it", data, exc)
        data.unlink(missing_ok=True)
        manifest_path.unlink(missing_ok=True)
        return None
    return data, manifest


def save_entry(
    kind: str, key: str, suffix: str, write: Callable[[Path], None], info: Mapping[str, Any]
) -> Path:
    """Write a complete entry: the data file first, then its manifest (both atomic)."""
    data = entry_path(kind, key, suffix)
    atomic_write(data, write)
    manifest = {"key": key, "sha256": _file_digest(data), **info}
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)

    def write_manifest(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    atomic_write(data.with_suffix(data.suffix + ".json"), write_manifest)
    return data
