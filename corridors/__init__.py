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
    ScenarioError,
    SnapError,
    UnknownCorridorError,
    UnknownNameError,
)
from corridors.definitions import (
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
]
