"""Named links: stretches the definitions name with ``link:`` (``meghri``, ``rasht-astara``).

Scenarios open or close links by name. A link that is on no network yet is drawn from the
definition's authored geometry (else the geodesic between its waypoints); routing adds it
to the graph as an overlay that stays switched off until a scenario or ``as_of`` year opens
it, so the cached network is never rebuilt.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from corridors._errors import UnknownNameError, suggest
from corridors.model import Corridor, Leg, Mode, Status

if TYPE_CHECKING:
    from pyproj import Geod

__all__ = ["Link", "densify", "leg_geometry", "links_from_corridors", "resolve_links"]


@functools.cache
def _geod() -> Geod:
    """The WGS 84 ellipsoid (pyproj is imported on first use: it is slow to import)."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


#: Spacing, in km, of the points of a geodesic or authored line after densifying.
DENSIFY_KM = 2.0


@dataclass(frozen=True)
class Link:
    """A named link and where it runs."""

    name: str
    mode: Mode
    status: Status
    expected_year: int | None
    coords: tuple[tuple[float, float], ...]
    corridors: tuple[str, ...]
    authored: bool


def densify(
    coords: Iterable[tuple[float, float]], *, step_km: float = DENSIFY_KM
) -> tuple[tuple[float, float], ...]:
    """Add points along each segment's geodesic so no gap exceeds ``step_km``."""
    pts = list(coords)
    out: list[tuple[float, float]] = [pts[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        _, _, dist = _geod().inv(x0, y0, x1, y1)
        n = int(dist / 1000.0 // step_km)
        if n > 0:
            out.extend((float(x), float(y)) for x, y in _geod().npts(x0, y0, x1, y1, n))
        out.append((x1, y1))
    return tuple(out)


def leg_geometry(leg: Leg) -> tuple[tuple[float, float], ...]:
    """The leg's authored geometry, or the geodesic between its waypoints, densified."""
    base = leg.geometry or (leg.start.coords, leg.end.coords)
    return densify(base)


def _chains(corridor: Corridor) -> list[tuple[str, list[Leg]]]:
    """Runs of consecutive legs that carry the same link name."""
    out: list[tuple[str, list[Leg]]] = []
    for leg in corridor.legs:
        if not leg.link:
            continue
        if out and out[-1][0] == leg.link and out[-1][1][-1].end == leg.start:
            out[-1][1].append(leg)
        else:
            out.append((leg.link, [leg]))
    return out


def links_from_corridors(corridors: Iterable[Corridor]) -> dict[str, Link]:
    """Every named link of the definitions (and their variants), by name.

    A link may span several consecutive legs; its line joins theirs in order. When several
    definitions carry the same link, the first with authored geometry gives the line; its
    status is the least built of its legs and its expected year the latest.
    """
    found: dict[str, Link] = {}
    order = list(Status)
    for c in corridors:
        for item in (c, *c.variants):
            for name, legs in _chains(item):
                coords: list[tuple[float, float]] = []
                for leg in legs:
                    line = leg_geometry(leg)
                    coords.extend(line if not coords else line[1:])
                authored = any(leg.geometry is not None for leg in legs)
                status = max((leg.status for leg in legs), key=order.index)
                years = [leg.expected_year for leg in legs if leg.expected_year is not None]
                old = found.get(name)
                users = (*old.corridors, item.id) if old else (item.id,)
                if old is not None and (old.authored or not authored):
                    found[name] = replace(old, corridors=tuple(dict.fromkeys(users)))
                    continue
                found[name] = Link(
                    name=name,
                    mode=legs[0].mode,
                    status=status,
                    expected_year=max(years) if years else None,
                    coords=tuple(coords),
                    corridors=tuple(dict.fromkeys(users)),
                    authored=authored,
                )
    return found


def resolve_links(names: Iterable[str], known: dict[str, Link]) -> tuple[str, ...]:
    """Check link names; raise :class:`UnknownNameError` listing close matches."""
    out = []
    for name in names:
        key = name.strip().lower()
        if key not in known:
            hint = suggest(key, sorted(known)) or f"; known links: {', '.join(sorted(known))}"
            raise UnknownNameError(f"unknown link {name!r}{hint}")
        out.append(key)
    return tuple(out)
