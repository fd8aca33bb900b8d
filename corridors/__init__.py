"""Corridor and route modeller over real OpenStreetMap-derived networks.

>>> import corridors
>>> corridors.load("aras").avoided_countries
('ARM',)
"""

from corridors import settings
from corridors._errors import (
    CacheError,
    CorridorsError,
    DataSourceError,
    DefinitionError,
    InfeasibleRouteError,
    OptionalDependencyError,
    OutputPathError,
    ScenarioError,
    SnapError,
    UnknownCorridorError,
    UnknownNameError,
)
from corridors.definitions._load import (
    corridor_from_file,
    corridor_ids,
    corridors_from_files,
    load,
    load_all,
    validate_files,
)
from corridors.model import (
    Avoid,
    Corridor,
    Leg,
    Mode,
    PublishedLength,
    Role,
    Source,
    Status,
    Waypoint,
)
from corridors.provenance import tool_version

__version__ = tool_version()

#: Heavier functions, imported on first use so that ``import corridors`` stays light.
_LAZY = {
    "load_network": "corridors.network.build",
    "network_info": "corridors.network.core",
    "network_to_gdfs": "corridors.network.core",
    "network_to_networkx": "corridors.network.core",
    "route_corridor": "corridors.routing",
    "route_corridors": "corridors.routing",
    "route": "corridors.routing",
    "RoutingOptions": "corridors.routing",
    "route_metrics": "corridors.analysis.metrics",
    "compare": "corridors.analysis.metrics",
    "route_to_gdf": "corridors.outputs.export",
    "route_to_geojson": "corridors.outputs.export",
    "map_routes": "corridors.outputs.maps",
    "save_map": "corridors.outputs.maps",
    "load_scenario": "corridors.analysis.scenarios",
    "run_scenario": "corridors.analysis.scenarios",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridors' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Avoid",
    "CacheError",
    "Corridor",
    "CorridorsError",
    "DataSourceError",
    "DefinitionError",
    "InfeasibleRouteError",
    "Leg",
    "Mode",
    "OptionalDependencyError",
    "OutputPathError",
    "PublishedLength",
    "Role",
    "ScenarioError",
    "SnapError",
    "Source",
    "Status",
    "UnknownCorridorError",
    "UnknownNameError",
    "Waypoint",
    "__version__",
    "corridor_from_file",
    "corridor_ids",
    "corridors_from_files",
    "load",
    "load_all",
    "settings",
    "validate_files",
    *_LAZY,
]
