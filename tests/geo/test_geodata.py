"""The shipped crossings files: every entry complete and sourced."""

from __future__ import annotations

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
