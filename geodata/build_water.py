r"""Pack rivers and lakes of the corridor region into ``geodata/water.parquet``.

Reads the GeoJSON of the npm packages ``@geo-maps/earth-rivers-10m`` 0.6.0 and
``@geo-maps/earth-lakes-10m`` 0.6.0 (OpenStreetMap water areas at about 10 m precision, data
ODbL 1.0, package code MIT), keeps what lies in :data:`REGION` and writes one GeoParquet
(zstd) with the source, licence, date and region in the file's metadata and on every row.

The packages hold one unnamed MultiPolygon each, cut into small pieces along tile edges.

* **Rivers** become lines: each river piece is a node at a point on its surface, pieces less
  than :data:`GAP_DEG` apart are joined, the minimum spanning tree of that graph is the river
  network; systems shorter than :data:`MIN_SYSTEM_KM` are dropped, the rest simplified to
  :data:`TOLERANCE_DEG`. River pieces wider than :data:`RIVERBANK_MIN_KM2` (reservoirs, the
  Volga's delta) are kept as areas too (``kind`` ``riverbank``).
* **Lakes** are the lake pieces dissolved (the Caspian Sea is one of them), at least
  :data:`LAKE_MIN_KM2`, simplified to :data:`TOLERANCE_DEG`.
* **Names** come from ``geodata/water_names.yaml``: a river is named along the tree path
  between the places it flows by, a lake by the lake nearest its point.

Usage (from the repository root)::

    npm pack @geo-maps/earth-rivers-10m@0.6.0 @geo-maps/earth-lakes-10m@0.6.0
    python geodata/build_water.py geo-maps-earth-rivers-10m-0.6.0.tgz \
        geo-maps-earth-lakes-10m-0.6.0.tgz

Each input may be the ``.tgz``, the unpacked ``package/`` folder or ``map.geo.json`` itself.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
#: ``(west, south, east, north)`` in degrees: the corridor region, from the Bosporus to
#: Xinjiang and from Moscow to the Arabian Sea (every shipped corridor with a margin).
REGION = (24.0, 14.0, 86.0, 60.0)
#: River pieces closer than this (degrees, about 5 km) belong to one river.
GAP_DEG = 0.05
#: Ends of river pieces up to this far apart (km) may be bridged to follow a named river.
BRIDGE_KM = 40.0
#: River systems shorter than this (km) are left out.
MIN_SYSTEM_KM = 50.0
#: Lakes smaller than this (km²) are left out; lake pieces below a tenth of it before dissolving.
LAKE_MIN_KM2 = 20.0
#: River pieces at least this large (km²) are kept as water areas too.
RIVERBANK_MIN_KM2 = 10.0
#: Simplification tolerance (degrees, about 500 m) and coordinate grid (degrees, about 100 m).
TOLERANCE_DEG = 0.005
GRID_DEG = 0.001
#: What the file says about itself (read back by :mod:`corridors.geo.water`).
SOURCE = {
    "name": "geo-maps earth-rivers-10m and earth-lakes-10m (OpenStreetMap water, 10 m)",
    "package": "@geo-maps/earth-rivers-10m 0.6.0, @geo-maps/earth-lakes-10m 0.6.0 (npm)",
    "licence": "ODbL 1.0 (data); MIT (package code)",
    "attribution": "© OpenStreetMap contributors",
    "date": "2017-11-30",
    "names": "geodata/water_names.yaml",
    "region": list(REGION),
    "tolerance_deg": TOLERANCE_DEG,
}
OUT = HERE / "water.parquet"
_KM_PER_DEG = 111.32


def _geojson_bytes(path: Path) -> bytes:
    if path.is_dir():
        inner = path / "map.geo.json"
        return (inner if inner.exists() else path / "package" / "map.geo.json").read_bytes()
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as tar:
            member = tar.extractfile("package/map.geo.json")
            if member is None:
                raise SystemExit(f"error: {path} holds no package/map.geo.json")
            return member.read()
    return path.read_bytes()


def _polygons(path: Path) -> Any:
    """The package's polygons that touch :data:`REGION`, clipped to it."""
    import shapely

    data = json.loads(_geojson_bytes(path))
    geoms = data["geometries"] if data.get("type") == "GeometryCollection" else [data]
    west, south, east, north = REGION
    out = []
    for geom in geoms:
        rings = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in rings:
            ext = np.asarray(poly[0], dtype=float)
            xs, ys = ext[:, 0], ext[:, 1]
            if xs.max() < west or xs.min() > east or ys.max() < south or ys.min() > north:
                continue
            out.append(shapely.Polygon(poly[0], poly[1:]))
    polys = shapely.make_valid(np.array(out, dtype=object))
    polys = shapely.intersection(polys, shapely.box(*REGION))
    return polys[~shapely.is_empty(polys)]


def _km2(geoms: Any) -> Any:
    """Approximate area in km² (degrees² scaled at each shape's latitude)."""
    import shapely

    lat = shapely.get_coordinates(shapely.centroid(geoms))[:, 1]
    return shapely.area(geoms) * _KM_PER_DEG**2 * np.cos(np.radians(lat))


def _xy_km(pts: Any) -> Any:
    return np.c_[pts[:, 0] * np.cos(np.radians(pts[:, 1])), pts[:, 1]] * _KM_PER_DEG


def _river_tree(pieces: Any) -> tuple[Any, Any, Any]:
    """Nodes (lon, lat), tree edges ``(i, j)`` and each edge's system length in km."""
    import shapely
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

    pts = shapely.get_coordinates(shapely.point_on_surface(pieces))
    xy = _xy_km(pts)
    a, b = shapely.STRtree(pieces).query(pieces, predicate="dwithin", distance=GAP_DEG)
    keep = a < b
    a, b = a[keep], b[keep]
    dist = np.linalg.norm(xy[a] - xy[b], axis=1) + 1e-6
    n = len(pts)
    tree = minimum_spanning_tree(coo_matrix((dist, (a, b)), shape=(n, n)).tocsr()).tocoo()
    _, label = connected_components(tree, directed=False)
    length = np.linalg.norm(xy[tree.row] - xy[tree.col], axis=1)
    system = np.bincount(label[tree.row], weights=length, minlength=label.max() + 1)
    return pts, np.c_[tree.row, tree.col], system[label[tree.row]]


def _places() -> dict[str, tuple[float, float]]:
    sys.path.insert(0, str(HERE.parent))
    from corridors.geo import geodata

    return {p.name: (p.lon, p.lat) for p in geodata.places()}


def _point(item: Any, places: Mapping[str, tuple[float, float]]) -> tuple[str, float, float]:
    if isinstance(item, str):
        if item not in places:
            raise SystemExit(f"error: water_names.yaml: {item!r} is not in places.yaml")
        return (item, *places[item])
    return (str(item["name"]), float(item["lon"]), float(item["lat"]))


def _name_rivers(
    pts: Any, edges: Any, rivers: Sequence[Mapping[str, Any]], snap_km: float
) -> tuple[Any, list[str]]:
    """The name of each tree edge (``""`` for none) and a report line per stretch."""
    import networkx as nx
    from scipy.spatial import cKDTree

    places = _places()
    xy = _xy_km(pts)
    graph = nx.Graph()
    for k, (i, j) in enumerate(edges):
        graph.add_edge(int(i), int(j), k=k, w=float(np.linalg.norm(xy[i] - xy[j])))
    # gaps in the data: ends of river pieces up to BRIDGE_KM apart may be crossed when naming
    # (at a cost), never drawn
    ends = np.array([n for n, d in graph.degree() if d == 1])
    comp = {n: c for c, nodes in enumerate(nx.connected_components(graph)) for n in nodes}
    for i, j in cKDTree(xy[ends]).query_pairs(BRIDGE_KM):
        a, b = int(ends[i]), int(ends[j])
        if comp[a] != comp[b]:
            graph.add_edge(a, b, k=-1, w=3.0 * float(np.linalg.norm(xy[a] - xy[b])))
    used = np.unique(edges)
    kd = cKDTree(_xy_km(pts[used]))
    names = np.full(len(edges), "", dtype=object)
    report = []
    for river in rivers:
        stops = [_point(v, places) for v in river["via"]]
        nodes = []
        for label, lon, lat in stops:
            d, i = kd.query(_xy_km(np.array([[lon, lat]]))[0])
            if d > snap_km:
                raise SystemExit(f"error: {river['name']}: {label} is {d:.1f} km from any river")
            nodes.append((label, int(used[i]), float(d)))
        for (la, a, da), (lb, b, db) in itertools.pairwise(nodes):
            try:
                path = nx.shortest_path(graph, a, b, weight="w")
            except nx.NetworkXNoPath:
                msg = f"error: {river['name']}: {la} – {lb}: not connected in the data"
                raise SystemExit(msg) from None
            ks = [graph.edges[u, v]["k"] for u, v in itertools.pairwise(path)]
            for k in ks:
                if k >= 0:
                    names[k] = river["name"]
            gaps = sum(k < 0 for k in ks)
            report.append(
                f"{river['name']}: {la} ({da:.1f} km off) – {lb} ({db:.1f} km off): "
                f"{len(ks) - gaps} links, {gaps} gaps"
            )
    return names, report


def _lines(pts: Any, edges: Any, names: Any) -> list[tuple[str, Any]]:
    """Tree edges merged into lines, one name each, simplified."""
    import shapely

    segs = shapely.linestrings(np.stack([pts[edges[:, 0]], pts[edges[:, 1]]], axis=1))
    out = []
    for name in sorted(set(names.tolist()), key=lambda s: (s != "", s)):
        merged = shapely.line_merge(shapely.union_all(segs[names == name]))
        for line in list(shapely.get_parts(merged)):
            simple = shapely.set_precision(
                shapely.simplify(line, TOLERANCE_DEG, preserve_topology=True), GRID_DEG
            )
            if not simple.is_empty:
                out.append((str(name), simple))
    return out


def _lakes(
    pieces: Any, lakes: Sequence[Mapping[str, Any]], snap_km: float
) -> list[tuple[str, Any]]:
    import shapely

    pieces = pieces[_km2(pieces) >= LAKE_MIN_KM2 / 10]
    dissolved = shapely.get_parts(shapely.union_all(pieces, grid_size=1e-6))
    dissolved = dissolved[_km2(dissolved) >= LAKE_MIN_KM2]
    named = np.full(len(dissolved), "", dtype=object)
    for lake in lakes:
        pt = shapely.Point(float(lake["point"]["lon"]), float(lake["point"]["lat"]))
        dist = shapely.distance(dissolved, pt) * _KM_PER_DEG
        hit = int(np.argmin(dist))
        if dist[hit] > snap_km or named[hit]:
            raise SystemExit(f"error: {lake['name']}: no unnamed lake within {snap_km} km")
        named[hit] = lake["name"]
    out = []
    for name, geom in zip(named, dissolved, strict=True):
        simple = shapely.simplify(geom, TOLERANCE_DEG, preserve_topology=True)
        simple = shapely.make_valid(shapely.set_precision(simple, GRID_DEG))
        simple = shapely.union_all(
            [p for p in shapely.get_parts(simple) if p.geom_type == "Polygon"]
        )
        if not simple.is_empty:
            out.append((str(name), simple))
    return out


def build(rivers_src: Path, lakes_src: Path, out: Path = OUT) -> tuple[Path, list[str]]:
    """Read both packages, write ``out``; returns it and the naming report."""
    import geopandas as gpd
    import pyarrow.parquet as pq
    import shapely

    sys.path.insert(0, str(HERE.parent))
    from pyproj import Geod

    from corridors._yaml import read_yaml

    table = read_yaml(HERE / "water_names.yaml")
    river_pieces = _polygons(rivers_src)
    pts, edges, system_km = _river_tree(river_pieces)
    keep = system_km >= MIN_SYSTEM_KM
    edges = edges[keep]
    names, report = _name_rivers(pts, edges, table["rivers"], float(table["snap_km"]))
    rows: list[tuple[str, str, Any]] = [("river", n, g) for n, g in _lines(pts, edges, names)]
    wide = river_pieces[_km2(river_pieces) >= RIVERBANK_MIN_KM2]
    for geom in shapely.get_parts(shapely.union_all(wide, grid_size=1e-6)):
        simple = shapely.make_valid(
            shapely.set_precision(shapely.simplify(geom, TOLERANCE_DEG), GRID_DEG)
        )
        if not simple.is_empty and simple.area > 0:
            rows.append(("riverbank", "", simple))
    lakes = _lakes(_polygons(lakes_src), table["lakes"], float(table["snap_km"]))
    rows += [("lake", n, g) for n, g in lakes]
    labels = {r["name"]: r.get("label", r["name"]) for r in table["rivers"]}
    frame = gpd.GeoDataFrame(
        {
            "kind": [k for k, _, _ in rows],
            "name": [n for _, n, _ in rows],
            "label": [labels.get(n, n) for _, n, _ in rows],
            "source": SOURCE["package"],
            "licence": SOURCE["licence"],
            "date": SOURCE["date"],
        },
        geometry=[g for _, _, g in rows],
        crs="EPSG:4326",
    )
    lines = frame.geometry.values
    is_line = frame["kind"].to_numpy() == "river"
    length = np.zeros(len(frame))
    geod = Geod(ellps="WGS84")
    length[is_line] = [geod.geometry_length(g) / 1000.0 for g in lines[is_line]]
    frame["length_km"] = length.round(1)
    frame["area_km2"] = np.where(is_line, 0.0, _km2(lines)).round(1)
    frame = frame.sort_values(["kind", "name", "length_km", "area_km2"], ascending=False)
    frame = frame.reset_index(drop=True)
    frame.to_parquet(out, compression="zstd", index=False)
    written = pq.read_table(out)
    meta = dict(written.schema.metadata or {})
    meta[b"corridors"] = json.dumps(SOURCE).encode("utf-8")
    pq.write_table(written.replace_schema_metadata(meta), out, compression="zstd")
    return out, report


def main(argv: list[str] | None = None) -> int:
    """Command line: the rivers and the lakes package (``.tgz``, folder or GeoJSON)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("rivers", type=Path, help="earth-rivers-10m .tgz, folder or GeoJSON")
    parser.add_argument("lakes", type=Path, help="earth-lakes-10m .tgz, folder or GeoJSON")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for src in (args.rivers, args.lakes):
        if not src.exists():
            print(
                f"error: {src} not found; run: npm pack @geo-maps/earth-rivers-10m@0.6.0 "
                "@geo-maps/earth-lakes-10m@0.6.0"
            )
            return 2
    path, report = build(args.rivers, args.lakes, args.out)
    print("\n".join(report))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
