"""The command line under hostile arguments: one line, exit 2 or 1, no traceback, no hang,
and no special file replaced."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from corridors.cli._main import main
from tests.adversarial import corpus


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("corridors: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("kind", sorted(corpus.SPECIALS))
def test_special_files_as_input(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = corpus.SPECIALS[kind](tmp_path / "in.yaml")
    assert main(["validate", str(path)]) == 2
    assert "in.yaml" in capsys.readouterr().err
    assert main(["scenario", "run", str(path)]) == 2
    _one_line(capsys)
    assert main(["route", "btk", "--source", str(path)]) == 1  # read never, hashed never
    _one_line(capsys)
    if kind != "folder":
        assert main(["scan", str(path)]) == 2
        _one_line(capsys)


def test_dev_zero_is_never_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/dev/zero"]) == 2
    assert "/dev/zero: not a regular file" in capsys.readouterr().err
    assert main(["scan", "/dev/zero"]) == 2
    assert "/dev/zero: not a regular file" in _one_line(capsys)
    assert main(["route", "btk", "--source", "/dev/zero"]) == 1
    assert "/dev/zero: not a regular file" in _one_line(capsys)


def _fifo_and_link(tmp_path: Path) -> tuple[Path, Path, Path]:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    target = tmp_path / "target.txt"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "out.html"
    link.symlink_to(target)
    return fifo, link, target


@pytest.mark.parametrize(
    "args",
    [
        ["map", "btk", "--out", "{out}"],
        ["map", "btk", "--png", "--out", "{dir}/other.html"],  # the PNG is the link
        ["scenario", "run", "tripp-open-2030", "--map", "{out}"],
        ["scenario", "run", "tripp-open-2030", "--chart", "{out}"],
        ["scan", "README.md", "--map", "{out}"],
        ["scan", "README.md", "--draft", "X", "--out", "{out}", "--force"],
    ],
)
@pytest.mark.parametrize("special", ["fifo", "link", "/dev/null"])
def test_outputs_never_replace_special_files(
    tmp_path: Path, args: list[str], special: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo, link, target = _fifo_and_link(tmp_path)
    (tmp_path / "other.png").symlink_to(target)
    out = {"fifo": str(fifo), "link": str(link), "/dev/null": "/dev/null"}[special]
    argv = [a.format(out=out, dir=tmp_path) for a in args]
    before = Path("/dev/null").stat()
    assert main(argv) == 2
    err = _one_line(capsys)
    assert "refusing to replace it" in err
    assert (
        stat.S_ISFIFO(fifo.lstat().st_mode)
        and link.is_symlink()
        and (tmp_path / "other.png").is_symlink()
    )
    assert target.read_text(encoding="utf-8") == "keep"
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "other.png",
        "out.fifo",
        "out.html",
        "target.txt",
    ]


@pytest.mark.parametrize("special", ["fifo", "link", "/dev/null"])
def test_maps_out_dir_must_be_a_folder(
    tmp_path: Path, special: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo, link, _ = _fifo_and_link(tmp_path)
    out = {"fifo": str(fifo), "link": str(link), "/dev/null": "/dev/null"}[special]
    assert main(["maps", "--out-dir", out]) == 2
    assert f"--out-dir {out} is not a folder" in _one_line(capsys)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()


@pytest.mark.parametrize(
    "args",
    [
        ["scenario", "run", "--set", "speed_kmh.rail=0"],
        ["scenario", "run", "--set", "border_dwell_h.rail=-1"],
        ["scenario", "run", "--set", "port_dwell_h=nan"],
        ["scenario", "run", "--set", "port_dwell_h=1e999"],
        ["scenario", "run", "--set", "x" * 10_000 + "=1"],
        ["show", "z" * 100_000],
        ["route", "--from", "\u202e" * 1000, "--to", "Baku", "--source", "nowhere.osm"],
        ["route", "btk", "--source", "overpass", "--overpass-url", "file:///etc/passwd"],
        ["scan", "README.md", "--context", "-1"],
    ],
    ids=range(9),
)
def test_hostile_arguments_give_one_short_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) in (1, 2)
    assert len(_one_line(capsys)) < 1000
