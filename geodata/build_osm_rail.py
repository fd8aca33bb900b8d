"""Build the project's regional OpenStreetMap rail layer (``geodata/osm_rail.parquet``).

Reads any OSM input -- ``.osm.pbf``/``.pbf`` and OSM XML ``.osm`` (through ``osmium``) or an
Overpass JSON answer (``.json``) -- keeps the ways tagged ``railway`` = rail, narrow_gauge,
construction, proposed, disused or abandoned, and writes one GeoParquet file (zstd) with a
row per way: ``way_id``, ``railway``, ``construction`` (what a way under construction will
be), ``gauge`` (as tagged), ``gauge_mm`` (the first number of ``gauge``, 0 when absent),
``usage``, ``electrified``, ``name``, ``extract`` (the input's name), ``extract_date`` (the
extract's OSM timestamp) and the way's full geometry. A way in several extracts is kept once
(from the first). The file's metadata carries the attribution, the licence and, per extract,
its date and its coverage (the bounding box of its ways).

OSM data are © OpenStreetMap contributors, available under the ODbL 1.0.

Usage (from the repository root)::

    python geodata/build_osm_rail.py georgia_rail.osm caucasus_rail.osm.pbf tm.json
    python geodata/build_osm_rail.py --out my_layer.parquet my-country-latest.osm.pbf

The package never reads the inputs at run time, only the layer written here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

#: ``railway`` values kept.
RAILWAY_VALUES = ("rail", "narrow_gauge", "construction", "proposed", "disused", "abandoned")
#: Tags kept as columns (besides ``railway``).
TAGS = ("construction", "gauge", "usage", "electrified", "name")
ATTRIBUTION = "© OpenStreetMap contributors"
LICENCE = "ODbL 1.0"
OUT = Path(__file__).resolve().parent / "osm_rail.parquet"

Way = tuple[int, dict[str, str], list[tuple[float, float]]]


def extract_name(path: Path) -> str:
    """The extract's name: the file name without its OSM suffixes."""
    name = path.name
    for suffix in (".osm.pbf", ".pbf", ".overpass.json", ".json", ".osm"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _ways_osmium(path: Path) -> Iterator[Way]:
    import osmium

    fp = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("railway"))
    )
    for obj in fp:
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = {t.k: t.v for t in obj.tags}
        if tags.get("railway") not in RAILWAY_VALUES:
            continue
        try:
            coords = [(n.lon, n.lat) for n in obj.nodes]
        except osmium.InvalidLocationError:
            coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        yield obj.id, tags, coords


def _ways_overpass(path: Path) -> Iterator[Way]:
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes = {e["id"]: (e["lon"], e["lat"]) for e in data["elements"] if e["type"] == "node"}
    for e in data["elements"]:
        if e["type"] != "way":
            continue
        tags = {str(k): str(v) for k, v in (e.get("tags") or {}).items()}
        if tags.get("railway") not in RAILWAY_VALUES:
            continue
        if "geometry" in e:  # ``out geom``
            coords = [(g["lon"], g["lat"]) for g in e["geometry"] if g]
        else:
            coords = [nodes[n] for n in e.get("nodes", []) if n in nodes]
        yield int(e["id"]), tags, coords


def extract_date(path: Path) -> str:
    """The extract's OSM timestamp (ISO 8601), or ``""`` when the input does not say."""
    if path.name.endswith(".json"):
        with path.open(encoding="utf-8") as f:
            head = f.read(4096)
        m = re.search(r'"timestamp_osm_base"\s*:\s*"([^"]+)"', head)
        return m.group(1) if m else ""
    if path.name.endswith(".pbf"):
        import osmium

        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            header = reader.header()
            stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp")
        finally:
            reader.close()
        return str(stamp or "")
    with path.open(encoding="utf-8", errors="replace") as f:
        head = f.read(4096)
    m = re.search(r'(?:osm_base|timestamp)="([^"]+)"', head)
    return m.group(1) if m else ""


def read_ways(path: Path) -> Iterator[Way]:
    """Rail ways of one OSM input (PBF, XML or Overpass JSON)."""
    if path.name.endswith(".json"):
        return _ways_overpass(path)
    return _ways_osmium(path)


def _gauge_mm(tag: str) -> int:
    m = re.match(r"\s*(\d{3,4})", tag or "")
    return int(m.group(1)) if m else 0


def build_layer(paths: Sequence[Path]) -> Any:
    """The rail layer of ``paths`` as a GeoDataFrame (EPSG:4326), ``attrs`` with provenance."""
    import geopandas as gpd
    import shapely

    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    seen: set[int] = set()
    extracts: dict[str, dict[str, Any]] = {}
    for path in paths:
        name, date = extract_name(path), extract_date(path)
        bounds: list[float] | None = None
        n = 0
        for way_id, tags, coords in read_ways(path):
            if len(coords) < 2 or way_id in seen:
                continue
            seen.add(way_id)
            line = shapely.LineString(coords)
            w, s, e, nn = line.bounds
            bounds = (
                [w, s, e, nn]
                if bounds is None
                else [min(bounds[0], w), min(bounds[1], s), max(bounds[2], e), max(bounds[3], nn)]
            )
            rows.append(
                {
                    "way_id": way_id,
                    "railway": tags["railway"],
                    **{t: tags.get(t, "") for t in TAGS},
                    "gauge_mm": _gauge_mm(tags.get("gauge", "")),
                    "extract": name,
                    "extract_date": date,
                }
            )
            geoms.append(line)
            n += 1
        extracts[name] = {"date": date, "ways": n, "bbox": [round(b, 5) for b in bounds or []]}
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    if len(frame):
        frame = frame.astype({"way_id": "int64", "gauge_mm": "int16"})
    frame.attrs["corridors"] = {
        "attribution": ATTRIBUTION,
        "licence": LICENCE,
        "railway": list(RAILWAY_VALUES),
        "extracts": extracts,
    }
    return frame


def write_layer(frame: Any, out: Path) -> Path:
    """Write the layer as GeoParquet (zstd) with its provenance in the file's metadata."""
    import pyarrow.parquet as pq

    frame.to_parquet(out, compression="zstd", index=False)
    table = pq.read_table(out)
    meta = dict(table.schema.metadata or {})
    meta[b"corridors"] = json.dumps(frame.attrs["corridors"], ensure_ascii=False).encode()
    pq.write_table(table.replace_schema_metadata(meta), out, compression="zstd")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: OSM inputs, and an optional ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("inputs", type=Path, nargs="+", help=".osm.pbf, .osm or Overpass .json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for p in args.inputs:
        if not p.is_file():
            print(f"error: {p}: no such file", file=sys.stderr)
            return 2
    frame = build_layer(args.inputs)
    out = write_layer(frame, args.out)
    extracts = frame.attrs["corridors"]["extracts"]
    print(f"wrote {out}: {len(frame)} ways from {len(extracts)} extracts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
