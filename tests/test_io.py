"""Atomic writes refuse to replace anything but a regular file at the output path."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from corridors import OutputPathError
from corridors._io import atomic_write_text, check_output_path


def test_new_path_and_regular_file_are_written(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "a.txt"
    atomic_write_text(out, "one")
    atomic_write_text(out, "two")
    assert out.read_text(encoding="utf-8") == "two"
    assert [p.name for p in out.parent.iterdir()] == ["a.txt"]  # no temporary file left


def test_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError, match=r"pipe is a FIFO \(named pipe\), not a regular"):
        atomic_write_text(fifo, "x")  # opening it for writing would block: it is never opened
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_symlink_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    target = tmp_path / "target.html"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    with pytest.raises(OutputPathError, match=r"link\.html is a symbolic link; .*target\.html"):
        atomic_write_text(link, "x")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "keep"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputPathError, match="symbolic link"):
        check_output_path(dangling)


def test_devices_folders_and_sockets_are_refused(tmp_path: Path) -> None:
    before = Path("/dev/null").stat()
    with pytest.raises(OutputPathError, match=r"^/dev/null is a character device, .*'-'"):
        check_output_path(Path("/dev/null"))  # checked only: nothing is ever written to it
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    with pytest.raises(OutputPathError, match="is a folder, not a regular file"):
        atomic_write_text(tmp_path, "x")
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(OutputPathError, match="is a socket"):
            check_output_path(sock_path)


def test_output_path_error_is_a_value_error() -> None:
    assert issubclass(OutputPathError, ValueError)
