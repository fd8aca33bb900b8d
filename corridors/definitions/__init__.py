"""Corridor definitions: reading, validating and naming the links of ``seeds/*.yaml``.

Imports the core and :mod:`corridors.geo` only.
"""

from corridors.definitions._load import (
    corridor_from_file,
    corridor_ids,
    corridors_from_files,
    load,
    load_all,
    validate_files,
)
from corridors.definitions._validate import corridor_from_mapping as _corridor_from_mapping
from corridors.model import register_from_mapping as _register

_register(_corridor_from_mapping)

__all__ = [
    "corridor_from_file",
    "corridor_ids",
    "corridors_from_files",
    "load",
    "load_all",
    "validate_files",
]
