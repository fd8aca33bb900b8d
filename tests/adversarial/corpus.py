"""Small generators of hostile input files (nothing large is committed; each is made here).

Each generator returns ``(name, text)`` or writes a special file; :func:`yaml_corpus` and
:func:`osm_corpus` list them all with the message part the refusal must contain.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

#: The valid definition every mutation starts from.
MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A 'billion laughs': ``width ** levels`` strings from a few hundred bytes."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def deep_nesting(depth: int = 2000, flow: bool = True) -> str:
    """Lists nested ``depth`` deep (flow style) or mappings indented ``depth`` deep."""
    if flow:
        return "[" * depth + "]" * depth + "\n"
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x\n"


def mini_with(replace: str, by: str) -> str:
    """The mini definition with one piece of text replaced."""
    text = MINI.read_text(encoding="utf-8")
    assert replace in text, replace
    return text.replace(replace, by, 1)


#: ``(name, text or bytes, a part of the expected message)``: each must be refused.
YAML_CASES: list[tuple[str, str | bytes, str]] = [
    ("bomb.yaml", alias_bomb(), "once its aliases are expanded"),
    ("deep-flow.yaml", deep_nesting(), "nesting depth"),
    ("deep-block.yaml", deep_nesting(200, flow=False), "nested more than 64 levels"),
    ("python-tag.yaml", "x: !!python/object/apply:os.system ['true']\n", "malformed YAML"),
    ("python-name.yaml", "x: !!python/name:os.system\n", "malformed YAML"),
    ("huge-int.yaml", mini_with("lon: 46.3600", "lon: " + "9" * 5000), "cannot be read"),
    ("bad-date.yaml", mini_with("date: 2026\n", "date: 2026-13-40\n"), "month must be"),
    ("not-utf8.yaml", b"id: \xff\xfe\xfa\n", "not UTF-8"),
    ("binary.yaml", bytes(range(256)), "not UTF-8"),
    ("empty.yaml", "", "expected a mapping"),
    ("list.yaml", "- 1\n- 2\n", "expected a mapping"),
    ("scalar.yaml", "just text\n", "expected a mapping"),
    ("tabs.yaml", "id:\n\t- x\n", "malformed YAML"),
    ("unclosed.yaml", "id: [mini\n", "malformed YAML"),
    ("complex-key.yaml", "? [a, b]\n: 1\n", "malformed YAML"),
    (
        "set-note.yaml",
        mini_with("role: terminal, source: osm}", "role: terminal, note: !!set {a}}"),
        "note",
    ),
    ("binary-name.yaml", mini_with("name: Mini corridor", "name: !!binary aGVsbG8="), "name"),
    ("nan-lat.yaml", mini_with("lat: 40.3636", "lat: .nan"), "latitude nan is outside"),
    ("inf-lon.yaml", mini_with("lon: 49.8387", "lon: -.inf"), "longitude -inf is outside"),
    ("bool-lon.yaml", mini_with("lon: 49.8387", "lon: true"), "is not a number"),
    (
        "list-from.yaml",
        mini_with("{from: Baku, to: Ganja", "{from: [Baku], to: Ganja"),
        "must be a waypoint name",
    ),
    ("dict-id.yaml", mini_with("id: mini-express", "id: {a: 1}"), "must be a lower-case slug"),
    ("long-name.yaml", mini_with("country: GEO", "country: " + "G" * 200_000), "…"),
    ("aliases-int.yaml", mini_with("aliases: [Tiny route]", "aliases: 7"), "aliases must be"),
    ("variant-name.yaml", mini_with("name: Mini express", "name: [1]"), "must be a non-empty"),
    (
        "pub-date.yaml",
        mini_with("source: osm, date: 2026}", "source: osm, date: soon}"),
        "published_length_km date",
    ),
    ("nul.yaml", "id: mini\x00\n", "malformed YAML"),
    ("bidi.yaml", mini_with("id: mini\n", "id: mini\u202e\n"), "lower-case slug"),
]


def write_case(folder: Path, name: str, body: str | bytes) -> Path:
    """Write one case of :data:`YAML_CASES` into ``folder``."""
    path = folder / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def _osm(nodes: str, ways: str = "") -> str:
    return f'<?xml version="1.0"?>\n<osm version="0.6">\n{nodes}{ways}</osm>\n'


_WAY = '<way id="7"><nd ref="1"/><nd ref="2"/><tag k="railway" v="rail"/></way>\n'
_NODES = '<node id="1" lat="41.7" lon="44.8"/>\n<node id="2" lat="41.8" lon="44.9"/>\n'

#: ``(name, bytes, a part of the expected message)``: broken OSM files, each refused.
OSM_CASES: list[tuple[str, bytes, str]] = [
    (
        "lat999.osm",
        _osm(_NODES.replace('lat="41.8"', 'lat="999"'), _WAY).encode(),
        "with coordinates that are not a finite",
    ),
    (
        "nan.osm",
        _osm(_NODES.replace('lon="44.9"', 'lon="NaN"'), _WAY).encode(),
        "with coordinates that are not a finite",
    ),
    (
        "text-lat.osm",
        _osm(_NODES.replace('lat="41.8"', 'lat="north"'), _WAY).encode(),
        "with coordinates that are not a finite",
    ),
    ("no-ways.osm", _osm(_NODES).encode(), "no rail, road or ferry ways"),
    (
        "missing-node.osm",
        _osm(_NODES.split("\n")[0] + "\n", _WAY).encode(),
        "cannot read as OSM data",
    ),
    ("cut.osm", _osm(_NODES, _WAY).encode()[:-30], "truncated or malformed OSM XML"),
    ("html.osm", b"<html><body>404</body></html>", "not OpenStreetMap XML"),
    (
        "entity.osm",
        b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<osm version="0.6"><node id="1" lat="&e;" lon="1"/></osm>',
        "truncated or malformed OSM XML",
    ),
    (
        "laughs.osm",
        b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<osm version="0.6"><node id="1" lat="&c;" lon="1"/></osm>',
        "with coordinates that are not a finite",
    ),
    ("empty.osm", b"", "truncated or malformed OSM XML"),
    ("gzip.osm.pbf", gzip.compress(b"\x00" * 10_000), "cannot read as OSM data"),
    ("zero.osm.pbf", b"\x00" * 4096, "cannot read as OSM data"),
    ("bad.geojson", b'{"type": "FeatureCollection", "features": [', "cannot read as OSM data"),
    (
        "far.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        b'{"railway":"rail"},"geometry":{"type":"LineString","coordinates":[[1,2],[500,2]]}}]}',
        "with coordinates that are not a finite",
    ),
    ("bad.graphml", b"<graphml><graph></graph>", "cannot read as OSM data"),
]

#: Makers of special files at a path: each must be refused as input and as output.
SPECIALS: dict[str, Callable[[Path], Path]] = {}


def _fifo(path: Path) -> Path:
    import os

    os.mkfifo(path)
    return path


def _loop(path: Path) -> Path:
    path.symlink_to(path)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


SPECIALS.update({"fifo": _fifo, "symlink-loop": _loop, "folder": _folder})
