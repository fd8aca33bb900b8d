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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from corridors._data import cache_dir
from corridors._io import atomic_write

__all__ = [
    "CACHE_VERSION",
    "cache_key",
    "entry_path",
    "load_entry",
    "save_entry",
]

_LOG = logging.getLogger("corridors")

#: Bump when the format or the content of cached networks changes.
CACHE_VERSION = "network-4"


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
