"""The shipped crossings files: every entry complete and sourced."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors._data import geodata_dir
from corridors._yaml import read_yaml
from corridors.geo import geodata


def _sources(name: str) -> dict[str, dict[str, object]]:
    raw = read_yaml(geodata_dir() / name)
    return {s["id"]: s for s in raw["sources"]}


def test_every_named_crossing_has_its_fields_and_a_cited_source() -> None:
    sources = _sources("crossings.yaml")
    names = [c.name for c in geodata.crossings()]
    assert len(names) == len(set(names)), "crossing names are unique"
    for c in geodata.crossings():
        assert len(c.countries) == 2 and c.countries[0] != c.countries[1], c.name
        assert c.modes and set(c.modes) <= {"rail", "road"}, c.name
        assert c.variants, c.name
        assert c.note, c.name
        assert c.source in sources, c.name
        s = sources[c.source]
        assert s.get("title") and s.get("publisher") and s.get("date"), c.source
    for sid, s in sources.items():
        if sid not in {"natural-earth", "osm-stations", "geonames", "trilateral-2020"}:
            assert str(s.get("url", "")).startswith("http"), sid


def test_every_closed_crossing_cites_the_source_of_its_closure() -> None:
    sources = _sources("closed_crossings.yaml")
    for c in geodata.closed_crossings():
        assert c.source in sources, c.name
        s = sources[c.source]
        assert str(s["url"]).startswith("http") and s.get("title") and s.get("date"), c.name
        # a few km round the point; a whole border closed at every crossing says so by name
        assert 0 < c.radius_km <= 5 or c.name.endswith("(every crossing)"), c.name
    closed = {c.name for c in geodata.closed_crossings()}
    assert {"Munabao–Khokhrapar (Thar Express)", "Attari–Wagah", "Psou (Russia–Abkhazia)"} <= closed


def test_an_edited_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a reader that kept the old closures after an edit would build a network with stale
    # data and store it under the new files' cache key
    import corridors.geo.geodata as gd

    src = gd.geodata_dir() / "closed_crossings.yaml"
    copy = tmp_path / "closed_crossings.yaml"
    copy.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(gd, "geodata_dir", lambda: tmp_path)
    before = gd.closed_crossings()
    assert len(before) == len(_closed_entries(src)) > 3
    kept = copy.read_text(encoding="utf-8").split("\nclosed:\n")
    first = kept[1].split("\n  - ")[0]
    copy.write_text(kept[0] + "\nclosed:\n" + first + "\n", encoding="utf-8")
    after = gd.closed_crossings()
    assert [c.name for c in after] == [before[0].name]
    copy.unlink()
    assert gd.closed_crossings() == ()
    monkeypatch.undo()
    assert gd.closed_crossings() == before


def _closed_entries(path: Path) -> list[object]:
    import yaml

    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["closed"])
