"""Atomic writes: every file the package writes goes to a temporary name and is renamed.

A crash or a full disk never leaves a half-written cache entry, map or table behind. The
rename never replaces anything but a regular file: a device (``/dev/null``), a FIFO, a
socket, a symbolic link or a folder at the path is refused (:func:`check_output_path`).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from corridors._errors import CacheError, OutputPathError

__all__ = ["atomic_write", "atomic_write_text", "check_output_path"]

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def check_output_path(path: Path) -> None:
    """Refuse to write over anything at ``path`` but a regular file.

    A new path and an existing regular file are fine (the file is replaced atomically).
    Symbolic links are refused even when they point to a regular file, since the rename
    would replace the link, not its target.

    Raises
    ------
    OutputPathError
        Naming the path and what is there, if it is a device, FIFO, socket, symbolic link
        or folder.
    """
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror}; choose another path") from None
    if stat.S_ISLNK(st.st_mode):
        msg = (
            f"{path} is a symbolic link; refusing to replace it: write to its target "
            f"({os.path.realpath(path)}) or choose another path"
        )
        raise OutputPathError(msg)
    for test, kind in _KINDS:
        if test(st.st_mode):
            hint = "" if test is stat.S_ISDIR else "use '-' for standard output where offered, or "
            msg = (
                f"{path} is {kind}, not a regular file; refusing to replace it: "
                f"{hint}choose a new file name"
            )
            raise OutputPathError(msg)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``.

    Raises
    ------
    CacheError
        If the folder cannot be created or written.
    OutputPathError
        If something other than a regular file is at ``path`` (see
        :func:`check_output_path`); checked again just before the rename.
    """
    check_output_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        msg = (
            f"cannot write to {path.parent} ({exc.strerror}); choose another output path "
            "(or CORRIDORS_CACHE_DIR for the cache)"
        )
        raise CacheError(msg) from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        check_output_path(path)  # nothing special appeared while writing
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
