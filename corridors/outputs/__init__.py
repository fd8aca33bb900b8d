"""The output stage: maps, charts, GeoDataFrame/GeoJSON export and tables.

Imports every stage below it (through analysis), never the text scanner or the CLI.
"""

from corridors.outputs.export import route_to_gdf, route_to_geojson
from corridors.outputs.maps import map_routes, save_map, save_png
from corridors.outputs.scenario_map import scenario_map

__all__ = ["map_routes", "route_to_gdf", "route_to_geojson", "save_map", "save_png", "scenario_map"]
