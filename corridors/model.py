"""Domain values: modes, statuses, waypoints, legs and corridors.

These are frozen dataclasses (values, not services): the network, routing and metrics
modules are plain functions that take them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

__all__ = [
    "Avoid",
    "Corridor",
    "Leg",
    "Mode",
    "PublishedLength",
    "Role",
    "Source",
    "Status",
    "Waypoint",
    "register_from_mapping",
]


class _ParsingEnum(StrEnum):
    """A string enum that parses any case and ``-``/space for ``_``."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            for member in cls:
                if member.value == key:
                    return member
        return None

    @classmethod
    def choices(cls) -> str:
        """Return the valid values as a comma-separated string, for messages."""
        return ", ".join(m.value for m in cls)


class Mode(_ParsingEnum):
    """Transport mode of a leg or a network edge."""

    RAIL = "rail"
    ROAD = "road"
    FERRY = "ferry"
    SEA = "sea"
    PIPELINE = "pipeline"

    @property
    def is_water(self) -> bool:
        """Whether the mode moves on water (ferry or sea)."""
        return self in (Mode.FERRY, Mode.SEA)


class Status(_ParsingEnum):
    """Build status of a leg or a network edge."""

    OPERATIONAL = "operational"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    DISMANTLED = "dismantled"
    PROPOSED = "proposed"

    @property
    def is_built(self) -> bool:
        """Whether traffic can use it today."""
        return self is Status.OPERATIONAL


class Role(_ParsingEnum):
    """Role of a waypoint along a corridor."""

    TERMINAL = "terminal"
    STATION = "station"
    PORT = "port"
    BORDER = "border"
    VIA = "via"


@dataclass(frozen=True)
class Source:
    """A public source a definition relies on (a text, a dataset, an operator's page)."""

    id: str
    title: str
    publisher: str
    date: str
    url: str | None = None
    document: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PublishedLength:
    """A length quoted by a public source, in km."""

    value_km: float
    source: str
    date: str


@dataclass(frozen=True)
class Waypoint:
    """A named point of a corridor, in WGS 84 ``(lon, lat)`` degrees."""

    name: str
    lon: float
    lat: float
    country: str
    role: Role = Role.VIA
    source: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def coords(self) -> tuple[float, float]:
        """``(lon, lat)`` in degrees."""
        return (self.lon, self.lat)


@dataclass(frozen=True)
class Leg:
    """A stretch between two consecutive waypoints, on one mode."""

    start: Waypoint
    end: Waypoint
    mode: Mode
    status: Status = Status.OPERATIONAL
    link: str | None = None
    expected_year: int | None = None
    published_length: PublishedLength | None = None
    geometry: tuple[tuple[float, float], ...] | None = None
    note: str | None = None
    source: str | None = None

    @property
    def name(self) -> str:
        """``"Start – End"``."""
        return f"{self.start.name} – {self.end.name}"


@dataclass(frozen=True)
class Avoid:
    """A country the corridor is meant to avoid, with the reason the texts give."""

    country: str
    reason: str


@dataclass(frozen=True)
class Corridor:
    """A corridor definition: ordered waypoints and the legs between them.

    ``digest`` is the SHA-256 of the definition's canonical content, recorded in the
    provenance of every output built from it. A variant carries the id of its ``parent``.
    """

    id: str
    name: str
    summary: str
    waypoints: tuple[Waypoint, ...]
    legs: tuple[Leg, ...]
    modes: tuple[Mode, ...]
    sources: tuple[Source, ...] = ()
    aliases: tuple[str, ...] = ()
    avoids: tuple[Avoid, ...] = ()
    kind: str = "corridor"
    variants: tuple[Corridor, ...] = ()
    parent: str | None = None
    path: Path | None = field(default=None, compare=False)
    digest: str = ""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, check_map: bool = True) -> Corridor:
        """Validate a mapping in the definition-file schema and build the corridor.

        The same checks and messages as a file (``seeds/README.md``), with
        ``<definition>`` where a file would be named.

        Raises
        ------
        DefinitionError
            With every problem found, one line each.
        """
        if _FROM_MAPPING is None:  # pragma: no cover - set when corridors is imported
            raise RuntimeError("import corridors (or corridors.definitions) first")
        return _FROM_MAPPING(raw, check_map=check_map)

    @property
    def is_reference(self) -> bool:
        """Whether the corridor is drawn from its authored geometry only (not routed)."""
        return self.kind == "reference"

    @property
    def avoided_countries(self) -> tuple[str, ...]:
        """ISO3 codes of the countries the definition says it avoids."""
        return tuple(a.country for a in self.avoids)

    def source(self, source_id: str) -> Source | None:
        """Return the source with this id, or ``None``."""
        return next((s for s in self.sources if s.id == source_id), None)

    def waypoint(self, name: str) -> Waypoint:
        """Return the waypoint with this name (exact match)."""
        for wp in self.waypoints:
            if wp.name == name:
                return wp
        msg = f"corridor {self.id!r} has no waypoint {name!r}"
        raise KeyError(msg)


#: The validator behind :meth:`Corridor.from_dict`; ``corridors.definitions`` registers it
#: (the core cannot import the definitions wing, see ARCHITECTURE.md).
_FROM_MAPPING: Callable[..., Corridor] | None = None


def register_from_mapping(fn: Callable[..., Corridor]) -> None:
    """Set the validator :meth:`Corridor.from_dict` uses (called by ``corridors.definitions``)."""
    global _FROM_MAPPING
    _FROM_MAPPING = fn
