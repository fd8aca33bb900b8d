"""Tests of ``corridors.definitions._load``: the map check of the shipped files, once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridors import settings
from corridors._errors import DefinitionError
from corridors.definitions import _load


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of two shipped definitions as the seeds, and an empty cache folder."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ("btk.yaml", "aras.yaml"):
        shutil.copy(_load.seeds_dir() / name, folder / name)
    monkeypatch.setattr(_load, "seeds_dir", lambda: folder)
    monkeypatch.setattr(settings, "cache_dir", tmp_path / "cache")
    _load._shipped.cache_clear()
    yield folder
    _load._shipped.cache_clear()


def _markers(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "definitions").glob("map-checked-*"))


def test_a_passed_map_check_is_recorded_and_reused(seeds: Path, tmp_path: Path) -> None:
    first = _load.load_all()
    assert [c.id for c in first] == ["aras", "btk"]
    assert len(_markers(tmp_path)) == 1
    _load._shipped.cache_clear()
    assert _load.load_all() == first  # read without the map, same corridors


def test_an_edit_that_breaks_the_map_check_is_still_caught(seeds: Path, tmp_path: Path) -> None:
    _load.load_all()
    assert len(_markers(tmp_path)) == 1
    # Tbilisi's country changed to Armenia: only the map check can see this.
    path = seeds / "btk.yaml"
    text = path.read_text(encoding="utf-8")
    assert "country: GEO" in text
    path.write_text(text.replace("country: GEO", "country: ARM", 1), encoding="utf-8")
    _load._shipped.cache_clear()
    with pytest.raises(DefinitionError, match="does not match the map"):
        _load.load_all()
    assert len(_markers(tmp_path)) == 1  # a failed check is not recorded


def test_the_key_follows_the_bytes_of_the_files(seeds: Path) -> None:
    files = sorted(seeds.glob("*.yaml"))
    before = _load._map_check_key(files)
    assert before == _load._map_check_key(files)
    with files[0].open("a", encoding="utf-8") as f:
        f.write("\n# a comment\n")
    assert _load._map_check_key(files) != before
