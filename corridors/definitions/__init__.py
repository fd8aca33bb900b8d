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

__all__ = [
    "corridor_from_file",
    "corridor_ids",
    "corridors_from_files",
    "load",
    "load_all",
    "validate_files",
]
