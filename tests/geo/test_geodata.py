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


def test_an_added_lines_superseded_nodes_are_read_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.geo.geodata as gd
    from corridors._errors import DefinitionError

    superseding = {a.name: a.supersedes for a in gd.network_additions() if a.supersedes}
    assert superseding == {
        "Baku–Tbilisi–Kars railway, Akhalkalaki – Kartsakhi – Kars": (
            (43.477, 41.329),
            (43.287, 40.864),
            (43.19, 40.661),
        ),
        "Kazakhstan–Turkmenistan–Iran railway, Zhanaozen – Bolashak – Serhetyaka – Ärsarybaba": (
            (51.313, 43.68),
            (55.117, 40.843),
        ),
        "Atyrau – Makat railway through Atyrau station and Makat": (
            (51.823, 47.169),
            (53.277, 47.634),
        ),
        "Tbilisi – Gyumri railway through Vanadzor station": ((44.439, 40.831), (44.537, 40.813)),
        "Kars – Gyumri railway through Kars station": ((43.118, 40.617), (43.097, 40.595)),
        "Tehran – Tabriz railway through Qazvin station": ((49.98, 36.237), (50.087, 36.235)),
    }

    monkeypatch.setattr(gd, "geodata_dir", lambda: tmp_path)
    line = "  - {name: L, mode: rail, coords: [[40, 41], [41, 41]], supersedes: %s}\n"
    cases = {
        "7": "lines[0] 'L': supersedes 7 is not a list of [lon, lat]",
        "[[40, 41], [41]]": "lines[0] 'L': supersedes[1] [41] is not [lon, lat] (give the nodes",
        "[[40, 41], [41, 95]]": "lines[0] 'L' supersedes[1]: latitude 95 is outside [-90, 90]",
        "[[40, 41]]": "lines[0] 'L': supersedes needs 2+ nodes, got 1",
    }
    for value, problem in cases.items():
        (tmp_path / "network_additions.yaml").write_text("lines:\n" + line % value)
        with pytest.raises(DefinitionError) as err:
            gd.network_additions()
        assert problem in str(err.value)
    (tmp_path / "network_additions.yaml").write_text(
        "lines:\n" + line % "[[40, 41], [40.5, 41.2], [41, 41]]"
    )
    (ok,) = gd.network_additions()
    assert ok.supersedes == ((40.0, 41.0), (40.5, 41.2), (41.0, 41.0))
