"""Content-hashed, atomic cache files.

An entry's key is the SHA-256 of its inputs, its parameters and :data:`CACHE_VERSION` (bumped
whenever the code that builds entries changes what it writes). Each entry is a data file plus
a manifest holding the key, the data file's size, its CRC-32 and its SHA-256. A read checks
the key, the size and the CRC-32 over every byte (2 to 4 GB/s here, where SHA-256 runs at
1 GB/s and made most of a fresh process's first query); the SHA-256 is written for the
record and checked only on a manifest without a CRC-32 (one written before it was added).
The CRC guards against accidents (a torn copy, a flipped bit, a truncated file), not an
attacker, who could rewrite the manifest too. Reading every byte of a large entry costs more
than the read itself (a cold ``compare --all`` maps 230 MB of snap indexes, about 100 ms of
CRC), so a data file that passed is stamped in its manifest (``checked``: device, inode,
size and the ns modification and status-change times, as ``git`` trusts its index) and
later reads of that same file skip the CRC. Any write to the file moves its status-change
time, which no user can set back; a copy is a new inode. A file whose status changed less
than :data:`SETTLE_S` ago is not stamped, as a write within the same clock tick (the kernel
keeps file times to a few ms) would leave its times alone. What a stamp gives up is the
check against the disk itself flipping a bit later, which the disk's own checksums cover.

An entry whose data does not match its manifest is corrupt: it is moved aside
(``NAME.corrupt``) with a warning and rebuilt. So is an entry whose data file or manifest
is a folder, a manifest that is not a JSON object, and an empty data file. Files are written
to a temporary name in the same folder and renamed, so a crash never leaves a half-written
entry; temporary files a killed build left behind are removed on the next run once older
than :data:`STALE_TMP_S`. A stamp is written the same way; two processes stamping at once
write the same text.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import mmap
import os
import shutil
import stat
import time
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from corridors._data import cache_dir
from corridors._errors import CacheError
from corridors._io import atomic_write

__all__ = [
    "CACHE_VERSION",
    "STALE_TMP_S",
    "cache_key",
    "clean_stale_tmp",
    "entry_path",
    "load_arrays",
    "load_entry",
    "npz_arrays",
    "npz_bytes",
    "save_entry",
]

_LOG = logging.getLogger("corridors")

#: Bump when the format or the content of cached networks changes.
CACHE_VERSION = "network-5"

#: A temporary file of an interrupted write older than this many seconds is removed.
STALE_TMP_S = 3600.0

#: A data file whose status changed less than this many seconds ago is not stamped checked.
SETTLE_S = 2.0


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


def _file_crc32(path: Path, sha256: Any = None) -> int:
    """CRC-32 of a file's bytes; a ``hashlib`` object given as ``sha256`` is fed them too."""
    crc = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            crc = zlib.crc32(chunk, crc)
            if sha256 is not None:
                sha256.update(chunk)
    return crc


def _intact(manifest: dict[str, Any], key: str, size: int, crc: Callable[[], int]) -> bool:
    """Whether a manifest with a CRC-32 is for ``key``, ``size`` bytes and ``crc()``.

    The size is checked first, so a truncated file is refused without reading it.
    """
    return (
        manifest.get("key") == key
        and manifest.get("size") == size
        and manifest.get("crc32") == crc()
    )


def _identity(st: os.stat_result) -> list[int]:
    """What a ``checked`` stamp records of a data file (see the module's notes)."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _checked(manifest: dict[str, Any], st: os.stat_result) -> bool:
    """Whether the manifest stamps this very file (unchanged since) as having passed its CRC."""
    return manifest.get("checked") == _identity(st)


def _stamp(manifest_path: Path, manifest: dict[str, Any], st: os.stat_result) -> None:
    """Record in the manifest that the data file of status ``st`` has just passed its CRC-32.

    Skipped for a file whose status changed under :data:`SETTLE_S` ago, and for one already
    stamped; written atomically, and a cache that cannot be written is only logged.
    """
    if _checked(manifest, st) or time.time_ns() - st.st_ctime_ns < SETTLE_S * 1e9:
        return
    text = json.dumps({**manifest, "checked": _identity(st)}, indent=2, sort_keys=True)

    def write(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    try:
        atomic_write(manifest_path, write)
    except (CacheError, OSError) as exc:
        _LOG.info("cache manifest %s not stamped: %s", manifest_path, exc)


def _add_crc(manifest_path: Path, manifest: dict[str, Any], data: Path) -> dict[str, Any]:
    """Give a manifest of an older version (SHA-256 only, just checked) its size and CRC-32.

    Written atomically; a cache that cannot be written keeps the older manifest.
    """
    upgraded = {**manifest, "size": data.stat().st_size, "crc32": _file_crc32(data)}
    text = json.dumps(upgraded, indent=2, sort_keys=True, default=str)

    def write(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    try:
        atomic_write(manifest_path, write)
    except (CacheError, OSError) as exc:
        _LOG.info("cache manifest %s not upgraded: %s", manifest_path, exc)
    return upgraded


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
        if "crc32" not in manifest:  # written before the CRC-32: checked by its SHA-256
            if manifest.get("key") != key or manifest.get("sha256") != _file_digest(data):
                raise ValueError("digest mismatch")
            manifest = _add_crc(manifest_path, manifest, data)
        else:
            st = data.stat()
            if not _checked(manifest, st):
                if not _intact(manifest, key, st.st_size, lambda: _file_crc32(data)):
                    raise ValueError("digest mismatch")
                _stamp(manifest_path, manifest, st)
            elif manifest.get("key") != key:
                raise ValueError("digest mismatch")
    except (OSError, ValueError, RecursionError) as exc:
        _LOG.warning("cache entry %s is corrupt (%s); moved aside, rebuilding it", data, exc)
        _move_aside(data)
        _move_aside(manifest_path)
        return None
    return data, manifest


def load_arrays(kind: str, key: str) -> dict[str, Any] | None:
    """The arrays of an intact ``.npz`` entry (as :func:`load_entry` checks it), or ``None``.

    The file is mapped, not read: its CRC-32 is checked on the mapped bytes (every byte,
    headers included; skipped for a file its manifest stamps as passed, unchanged since, see
    the module's notes), and the arrays are views into a private copy-on-write mapping
    (writable; a write never reaches the file), not copies through ``zipfile``: a fresh
    process's first query reads three entries.
    """
    data = entry_path(kind, key, ".npz")
    manifest_path = data.with_suffix(".npz.json")
    if not data.is_file() or not manifest_path.is_file():
        entry = load_entry(kind, key, ".npz")  # moves a broken entry aside, warns
        return None if entry is None else npz_arrays(entry[0].read_bytes())
    buf: mmap.mmap | None = None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        with data.open("rb") as fh:
            st = os.fstat(fh.fileno())
            size = st.st_size
            if size > 0:  # an empty file cannot be mapped (and is corrupt)
                buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
        mapped = buf
        ok = mapped is not None and isinstance(manifest, dict) and "crc32" in manifest
        if ok and _checked(manifest, st):  # this very file passed before: no CRC again
            ok = manifest.get("key") == key
        elif ok and mapped is not None:
            ok = _intact(manifest, key, size, lambda: zlib.crc32(mapped))
            if ok:
                _stamp(manifest_path, manifest, st)
    except (OSError, ValueError, RecursionError):
        ok = False
    if not ok or buf is None:
        # let load_entry say what is wrong and move the entry aside (or check an older
        # manifest's SHA-256 and add the CRC-32 to it)
        if buf is not None:
            buf.close()
        entry = load_entry(kind, key, ".npz")
        return None if entry is None else npz_arrays(entry[0].read_bytes())
    return npz_arrays(buf)


#: Byte alignment of every array's data in an ``.npz`` that :func:`npz_bytes` writes.
NPZ_ALIGN = 64


def npz_bytes(arrays: Mapping[str, Any]) -> bytes:
    """An uncompressed ``.npz`` of ``arrays`` whose array data start at 64-byte offsets.

    What ``numpy.savez`` writes (``numpy.load`` reads it), except that each member's local
    header carries a padding extra field (id ``0xD935``, as Android's ``zipalign``), so
    that :func:`npz_arrays` can hand out views into the bytes read instead of aligned
    copies.
    """
    import struct
    import zipfile

    import numpy as np

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, value in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
            data = member.getvalue()
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            # the .npy header is padded to a multiple of 64 bytes: align the member's start
            start = buf.tell() + 30 + len(info.filename.encode()) + 4
            pad = -start % NPZ_ALIGN
            info.extra = struct.pack("<HH", 0xD935, pad) + bytes(pad)
            zf.writestr(info, data)
    return buf.getvalue()


def npz_arrays(buf: bytes | bytearray | mmap.mmap) -> dict[str, Any]:
    """The arrays of an uncompressed ``.npz`` held in memory, as views into ``buf``.

    Members stored compressed, or of an object dtype, are read by ``numpy.load``.
    """
    import zipfile

    import numpy as np

    out: dict[str, Any] = {}
    view = memoryview(buf)
    # the member list from the central directory, read through a view (no copy of ``buf``)
    with zipfile.ZipFile(_BufferReader(view)) as zf:
        infos = zf.infolist()
    slow: list[str] = []
    for info in infos:
        name = info.filename.removesuffix(".npy")
        at = info.header_offset
        if info.compress_type != zipfile.ZIP_STORED or bytes(view[at : at + 4]) != b"PK\x03\x04":
            slow.append(info.filename)
            continue
        n_name = int.from_bytes(view[at + 26 : at + 28], "little")
        n_extra = int.from_bytes(view[at + 28 : at + 30], "little")
        start = at + 30 + n_name + n_extra
        member = io.BytesIO(view[start : start + min(info.file_size, 65536)])
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        if dtype.hasobject or fortran:
            slow.append(info.filename)
            continue
        offset = start + member.tell()
        count = int(np.prod(shape)) if shape else 1
        a = np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(shape)
        # a member's data need not start on its dtype's alignment within the zip
        out[name] = a if a.flags.aligned else a.copy()
    if slow:
        with np.load(io.BytesIO(bytes(buf)), allow_pickle=False) as z:
            for member_name in slow:
                out[member_name.removesuffix(".npy")] = z[member_name.removesuffix(".npy")]
    return out


class _BufferReader(io.RawIOBase):
    """A read-only, seekable file over a buffer, without copying it (for ``zipfile``)."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, b: Any) -> int:
        chunk = self._view[self._pos : self._pos + len(b)]
        n = len(chunk)
        memoryview(b).cast("B")[:n] = chunk
        self._pos += n
        return n


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
    sha = hashlib.sha256()
    crc = _file_crc32(data, sha)  # one pass for both
    manifest = {
        "key": key,
        "size": data.stat().st_size,
        "crc32": crc,
        "sha256": sha.hexdigest(),
        **info,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)

    def write_manifest(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    atomic_write(manifest_path, write_manifest)
    return data
