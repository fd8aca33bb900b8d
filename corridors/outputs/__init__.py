"""The output stage: maps, charts, GeoDataFrame/GeoJSON export and tables.

Imports every stage below it (through analysis), never the text scanner or the CLI.
The public functions are imported on first use, so that ``corridors.outputs._format``
(tables, used by every CLI verb) does not pull in folium, geopandas and pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corridors.outputs.export import route_to_gdf, route_to_geojson
    from corridors.outputs.maps import map_routes, save_map, save_png
    from corridors.outputs.scenario_map import scenario_map

#: Public name → the module that defines it.
_LAZY = {
    "route_to_gdf": "corridors.outputs.export",
    "route_to_geojson": "corridors.outputs.export",
    "map_routes": "corridors.outputs.maps",
    "save_map": "corridors.outputs.maps",
    "save_png": "corridors.outputs.maps",
    "scenario_map": "corridors.outputs.scenario_map",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridors.outputs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["map_routes", "route_to_gdf", "route_to_geojson", "save_map", "save_png", "scenario_map"]
