"""Validation of corridor definition files, at the boundary, before any heavy work.

Every problem is one line naming the file, the item and the value, and saying what to do,
e.g. ``seeds/aras.yaml: waypoints[3] 'Jolfa': latitude 138.9 is outside [-90, 90]``.
All problems of a file are collected and raised together as one
:class:`~corridors.DefinitionError`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from corridors._data import display_path
from corridors._errors import DefinitionError, suggest
from corridors.geo.geodata import iso3_problem
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

if TYPE_CHECKING:
    from pyproj import Geod

__all__ = ["corridor_from_mapping", "definition_digest"]


@functools.cache
def _geod() -> Geod:
    """The WGS 84 ellipsoid (pyproj is imported on first use: it is slow to import)."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


_E = TypeVar("_E", Mode, Status, Role)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_TOP_REQUIRED = ("id", "name", "summary", "sources", "modes", "waypoints", "legs")
_TOP_OPTIONAL = ("aliases", "kind", "avoids", "variants")
_SOURCE_REQUIRED = ("id", "title", "publisher", "date")
_SOURCE_OPTIONAL = ("url", "document", "note")
_WAYPOINT_REQUIRED = ("name", "lon", "lat", "country")
_WAYPOINT_OPTIONAL = ("role", "source", "aliases", "note")
_LEG_REQUIRED = ("from", "to", "mode", "status")
_LEG_OPTIONAL = (
    "link",
    "expected_year",
    "published_length_km",
    "geometry",
    "note",
    "source",
)
_VARIANT_REQUIRED = ("id", "name", "modes", "legs")
_VARIANT_OPTIONAL = ("summary", "aliases", "avoids")
_PUBLISHED_REQUIRED = ("value", "source", "date")
_AVOID_REQUIRED = ("country", "reason")

#: Authored geometry must start and end this close to its waypoints, in km.
GEOMETRY_ENDPOINT_TOLERANCE_KM = 5.0
#: A waypoint may lie this far outside its country's Natural Earth polygon, in km
#: (border points, ports and the generalisation of 1:10m boundaries).
COUNTRY_TOLERANCE_KM = {Role.BORDER: 5.0, Role.PORT: 5.0}
COUNTRY_TOLERANCE_DEFAULT_KM = 2.0


#: Longest quoted value in a message, in characters; longer ones are cut with "…".
QUOTE_CHARS = 80
#: Deepest nesting of lists and mappings, and largest integer in decimal digits, accepted.
MAX_DEPTH = 64
MAX_INT_DIGITS = 4000


def _q(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)``, cut to ``limit`` characters (messages never echo input at length)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 13000:
        return f"<an integer of about {int(value.bit_length() * 0.30103):,} digits>"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shape_problem(raw: Any) -> str | None:
    """Why ``raw`` is too deep or holds a too-large integer (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(raw, 0)]
    seen: set[int] = set()
    while stack:
        value, depth = stack.pop()
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > MAX_INT_DIGITS * 3.33:
                return f"an integer of more than {MAX_INT_DIGITS:,} digits; write a smaller number"
            continue
        if not isinstance(value, (Mapping, list, tuple)):
            continue
        if depth >= MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep; flatten the structure"
        if id(value) in seen:  # the same object twice (YAML aliases): walked once
            continue
        seen.add(id(value))
        children = [*value.keys(), *value.values()] if isinstance(value, Mapping) else value
        stack.extend((child, depth + 1) for child in children)
    return None


def _end_text(value: Any) -> str:
    """A leg end for a label: the name itself, cut, or the quoted value if not a name."""
    if isinstance(value, str):
        return value if len(value) <= 40 else value[:39] + "…"
    return _q(value, 40)


def _hashable_text(value: Any) -> str | None:
    """``value`` if it is a string (a name, an id), else ``None``: lists are not names."""
    return value if isinstance(value, str) else None


def definition_digest(raw: Any) -> str:
    """SHA-256 of the definition's canonical JSON form (key order and layout do not count)."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Checker:
    """Collects problems for one file."""

    def __init__(self, path: Path | None) -> None:
        self.file = display_path(path) if path is not None else "<definition>"
        self.problems: list[str] = []

    def add(self, item: str, message: str) -> None:
        where = f"{self.file}: {item}: " if item else f"{self.file}: "
        if len(message) > 4 * QUOTE_CHARS:
            message = message[: 4 * QUOTE_CHARS - 1] + "…"
        self.problems.append(where + message)

    def keys(
        self,
        item: str,
        raw: Any,
        required: Sequence[str],
        optional: Sequence[str],
    ) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping):
            self.add(item, f"expected a mapping, got {type(raw).__name__} {_q(raw)}")
            return None
        allowed = (*required, *optional)
        for key in raw:
            if key not in allowed:
                hint = suggest(str(key), allowed) or f"; valid keys: {', '.join(allowed)}"
                self.add(item, f"unknown key {_q(key)}{hint}")
        for key in required:
            if key not in raw or raw[key] is None:
                self.add(item, f"missing required key {_q(key)}")
        return dict(raw)

    def text(self, item: str, raw: Mapping[str, Any], key: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(item, f"{key} {_q(value)} must be a non-empty string")
            return None
        return value.strip()

    def strings(self, item: str, raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(item, f"{key} must be a list of strings, got {_q(value)}")
            return ()
        return tuple(v.strip() for v in value)

    def number(
        self, item: str, raw: Mapping[str, Any], key: str, label: str, lo: float, hi: float
    ) -> float | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(item, f"{label} {_q(value)} is not a number")
            return None
        if not lo <= value <= hi:  # NaN is never inside
            self.add(item, f"{label} {_q(value)} is outside [{lo:g}, {hi:g}]")
            return None
        return float(value)

    def enum_value(self, item: str, value: Any, enum: type[_E], label: str) -> _E | None:
        try:
            return enum(value)
        except ValueError:
            hint = suggest(str(value).lower(), [m.value for m in enum])
            self.add(item, f"unknown {label} {_q(value)}{hint or f'; valid: {enum.choices()}'}")
            return None


def _label(index: int, raw: Any, key: str, prefix: str) -> str:
    name = raw.get(key) if isinstance(raw, Mapping) else None
    return f"{prefix}[{index}] {_q(name)}" if isinstance(name, str) else f"{prefix}[{index}]"


def _sources(chk: _Checker, raw: Any) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        chk.add("sources", "must be a non-empty list of sources")
        return ()
    out: list[Source] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        label = _label(i, item, "id", "sources")
        m = chk.keys(label, item, _SOURCE_REQUIRED, _SOURCE_OPTIONAL)
        if m is None:
            continue
        sid, title = chk.text(label, m, "id"), chk.text(label, m, "title")
        publisher = chk.text(label, m, "publisher")
        date = m.get("date")
        if date is not None and not (
            isinstance(date, str | int) and not isinstance(date, bool) and _DATE.match(str(date))
        ):
            chk.add(label, f"date {_q(date)} is not YYYY, YYYY-MM or YYYY-MM-DD")
            date = None
        if sid in seen:
            chk.add(label, f"duplicate source id {_q(sid)}; give each source its own id")
        if sid and title and publisher and date is not None:
            seen.add(sid)
            out.append(
                Source(
                    id=sid,
                    title=title,
                    publisher=publisher,
                    date=str(date),
                    url=chk.text(label, m, "url"),
                    document=chk.text(label, m, "document"),
                    note=chk.text(label, m, "note"),
                )
            )
    return tuple(out)


def _check_source_ref(chk: _Checker, label: str, ref: Any, source_ids: set[str]) -> None:
    if ref is None:
        return
    if not isinstance(ref, str) or ref not in source_ids:
        hint = suggest(str(ref), sorted(source_ids)) or "; add it to 'sources' first"
        chk.add(label, f"source {_q(ref)} is not one of this file's sources{hint}")


def _modes(chk: _Checker, item: str, raw: Any) -> tuple[Mode, ...]:
    if not isinstance(raw, list) or not raw:
        chk.add(item, f"must be a non-empty list of modes ({Mode.choices()})")
        return ()
    modes = [chk.enum_value(item, v, Mode, "mode") for v in raw]
    return tuple(m for m in modes if m is not None)


def _avoids(chk: _Checker, raw: Any) -> tuple[Avoid, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        chk.add("avoids", "must be a list of {country, reason}")
        return ()
    out = []
    for i, item in enumerate(raw):
        label = _label(i, item, "country", "avoids")
        m = chk.keys(label, item, _AVOID_REQUIRED, ())
        if m is None:
            continue
        problem = iso3_problem(m.get("country"))
        reason = chk.text(label, m, "reason")
        if problem:
            chk.add(label, problem)
        elif reason:
            out.append(Avoid(country=m["country"], reason=reason))
    return tuple(out)


def _waypoints(
    chk: _Checker, raw: Any, source_ids: set[str], *, check_map: bool
) -> tuple[Waypoint, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        chk.add("waypoints", "must be a list of at least two waypoints")
        return ()
    out: list[Waypoint] = []
    names: set[str] = set()
    for i, item in enumerate(raw):
        label = _label(i, item, "name", "waypoints")
        m = chk.keys(label, item, _WAYPOINT_REQUIRED, _WAYPOINT_OPTIONAL)
        if m is None:
            continue
        name = chk.text(label, m, "name")
        lon = chk.number(label, m, "lon", "longitude", -180, 180)
        lat = chk.number(label, m, "lat", "latitude", -90, 90)
        country = m.get("country")
        if country is not None and (problem := iso3_problem(country)):
            chk.add(label, problem)
            country = None
        role = chk.enum_value(label, m.get("role", "via"), Role, "role")
        chk.text(label, m, "note")
        _check_source_ref(chk, label, m.get("source"), source_ids)
        if name in names:
            chk.add(label, f"duplicate waypoint name {_q(name)}; names must be unique in a file")
        if name is None or lon is None or lat is None or country is None or role is None:
            continue
        names.add(name)
        wp = Waypoint(
            name=name,
            lon=lon,
            lat=lat,
            country=country,
            role=role,
            source=m.get("source"),
            aliases=chk.strings(label, m, "aliases"),
        )
        if check_map:
            _check_on_map(chk, label, wp)
        out.append(wp)
    return tuple(out)


def _check_on_map(chk: _Checker, label: str, wp: Waypoint) -> None:
    from corridors.geo import boundaries  # heavy: imported only when maps are checked

    found = boundaries.country_at(wp.lon, wp.lat)
    if found == wp.country:
        return
    tolerance = COUNTRY_TOLERANCE_KM.get(wp.role, COUNTRY_TOLERANCE_DEFAULT_KM)
    dist = boundaries.distance_to_country_km(wp.lon, wp.lat, wp.country)
    if dist <= tolerance:
        return
    where = f"lies in {found}" if found else "lies in no country (sea)"
    chk.add(
        label,
        f"country {_q(wp.country)} does not match the map: ({wp.lon}, {wp.lat}) {where} on "
        f"Natural Earth, {dist:.1f} km from {wp.country}; fix the coordinates or the country",
    )


def _geometry(chk: _Checker, label: str, raw: Any) -> tuple[tuple[float, float], ...] | None:
    if raw is None:
        return None
    ok = isinstance(raw, list) and len(raw) >= 2
    points: list[tuple[float, float]] = []
    for j, pt in enumerate(raw if isinstance(raw, list) else []):
        if (
            not isinstance(pt, list | tuple)
            or len(pt) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pt)
        ):
            chk.add(label, f"geometry[{j}] {_q(pt)} is not a [lon, lat] pair")
            ok = False
            continue
        lon, lat = float(pt[0]), float(pt[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            chk.add(label, f"geometry[{j}] [{lon}, {lat}] is outside [-180, 180] x [-90, 90]")
            ok = False
        points.append((lon, lat))
    if not ok:
        if not isinstance(raw, list) or len(raw) < 2:
            chk.add(label, "geometry must be a list of at least two [lon, lat] pairs")
        return None
    return tuple(points)


def _legs(
    chk: _Checker,
    raw: Any,
    prefix: str,
    waypoints: Sequence[Waypoint],
    modes: Sequence[Mode],
    source_ids: set[str],
    *,
    variant: bool,
    reference: bool,
    declared: frozenset[str] = frozenset(),
) -> tuple[Leg, ...]:
    """Build the legs; ``declared`` holds waypoint names that exist but failed validation."""
    if not isinstance(raw, list) or not raw:
        chk.add(prefix, "must be a non-empty list of legs")
        return ()
    by_name = {wp.name: k for k, wp in enumerate(waypoints)}
    out: list[Leg] = []
    previous_end: str | None = None
    previous_index = -1
    for i, item in enumerate(raw):
        label = f"{prefix}[{i}]"
        m = chk.keys(label, item, _LEG_REQUIRED, _LEG_OPTIONAL)
        if m is None:
            continue
        start, end = m.get("from"), m.get("to")
        label = f"{prefix}[{i}] '{_end_text(start)} – {_end_text(end)}'"
        for key, name in (("from", start), ("to", end)):
            if name is not None and not isinstance(name, str):
                chk.add(label, f"{key} {_q(name)} must be a waypoint name (a string)")
            elif name is not None and name not in by_name and name not in declared:
                hint = suggest(str(name), list(by_name)) or "; it must name a waypoint"
                chk.add(label, f"{key} {_q(name)} is not a waypoint of this corridor{hint}")
        if previous_end is not None and start != previous_end:
            chk.add(
                label,
                f"legs do not chain: this leg starts at {_q(start)} but the previous one ends "
                f"at {_q(previous_end)}",
            )
        previous_end = end if isinstance(end, str) else None
        mode = chk.enum_value(label, m.get("mode"), Mode, "mode")
        status = chk.enum_value(label, m.get("status"), Status, "status")
        if mode is not None and modes and mode not in modes:
            chk.add(label, f"mode {_q(mode.value)} is not in the corridor's modes")
        if mode is Mode.PIPELINE and not reference:
            chk.add(label, "mode 'pipeline' is only for definitions of kind 'reference'")
        _check_source_ref(chk, label, m.get("source"), source_ids)
        year = m.get("expected_year")
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100
        ):
            chk.add(label, f"expected_year {_q(year)} is not a year between 1990 and 2100")
            year = None
        published = _published(chk, label, m.get("published_length_km"), source_ids)
        geometry = _geometry(chk, label, m.get("geometry"))
        start, end = _hashable_text(start), _hashable_text(end)
        if start not in by_name or end not in by_name or mode is None or status is None:
            continue
        i_start, i_end = by_name[start], by_name[end]
        if i_start <= previous_index - 1 or i_end <= i_start:
            chk.add(label, "legs must follow the waypoints in order")
        elif not variant and (i_end != i_start + 1 or (not out and i_start != 0)):
            chk.add(
                label,
                "legs must visit every waypoint in order: this leg skips or repeats a waypoint",
            )
        previous_index = i_end
        leg = Leg(
            start=waypoints[i_start],
            end=waypoints[i_end],
            mode=mode,
            status=status,
            link=chk.text(label, m, "link"),
            expected_year=year,
            published_length=published,
            geometry=geometry,
            note=chk.text(label, m, "note"),
            source=m.get("source"),
        )
        if geometry is not None:
            _check_geometry_ends(chk, label, leg)
        out.append(leg)
    if out and not variant and out[-1].end != waypoints[-1]:
        chk.add(prefix, f"legs end at {_q(out[-1].end.name)}, not at the last waypoint")
    return tuple(out)


def _sphere_km(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Great-circle distance, in km, on the mean-radius sphere (haversine; no pyproj)."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    a = (
        math.sin((p1 - p0) / 2) ** 2
        + math.cos(p0) * math.cos(p1) * math.sin(math.radians(lon1 - lon0) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _check_geometry_ends(chk: _Checker, label: str, leg: Leg) -> None:
    assert leg.geometry is not None
    for end, wp, point in (
        ("start", leg.start, leg.geometry[0]),
        ("end", leg.end, leg.geometry[-1]),
    ):
        if _sphere_km(wp.lon, wp.lat, point[0], point[1]) < 0.99 * GEOMETRY_ENDPOINT_TOLERANCE_KM:
            continue  # well inside: the ellipsoid is within 0.6 % of the sphere
        _, _, dist_m = _geod().inv(wp.lon, wp.lat, point[0], point[1])
        if dist_m / 1000.0 > GEOMETRY_ENDPOINT_TOLERANCE_KM:
            chk.add(
                label,
                f"geometry {end}s at ({point[0]}, {point[1]}), {dist_m / 1000:.1f} km from "
                f"{_q(wp.name)}; it must {end} within {GEOMETRY_ENDPOINT_TOLERANCE_KM:g} km of it",
            )


def _published(chk: _Checker, label: str, raw: Any, source_ids: set[str]) -> PublishedLength | None:
    if raw is None:
        return None
    m = chk.keys(f"{label} published_length_km", raw, _PUBLISHED_REQUIRED, ())
    if m is None:
        return None
    value = chk.number(label, m, "value", "published_length_km", 0.001, 40000)
    _check_source_ref(chk, label, m.get("source"), source_ids)
    date = m.get("date")
    if date is not None and not (
        isinstance(date, str | int) and not isinstance(date, bool) and _DATE.match(str(date))
    ):
        chk.add(label, f"published_length_km date {_q(date)} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    ref = _hashable_text(m.get("source"))
    if value is None or date is None or ref not in source_ids:
        return None
    return PublishedLength(value_km=value, source=str(ref), date=str(date))


def _declared_names(raw: Any) -> frozenset[str]:
    if not isinstance(raw, list):
        return frozenset()
    return frozenset(
        w["name"] for w in raw if isinstance(w, Mapping) and isinstance(w.get("name"), str)
    )


def corridor_from_mapping(
    raw: Any, *, path: Path | None = None, check_map: bool = True
) -> Corridor:
    """Validate a parsed definition and build its :class:`~corridors.model.Corridor`.

    Parameters
    ----------
    raw
        The parsed YAML document.
    path
        The file it came from, named in messages.
    check_map
        Also check each waypoint's country against Natural Earth boundaries.

    Raises
    ------
    DefinitionError
        With every problem found, one line each.
    """
    chk = _Checker(path)
    if problem := _shape_problem(raw):
        chk.add("", problem)
        raise DefinitionError(chk.problems)
    m = chk.keys("", raw, _TOP_REQUIRED, _TOP_OPTIONAL)
    if m is None:
        raise DefinitionError(chk.problems)
    cid = m.get("id")
    if cid is not None and not (isinstance(cid, str) and _SLUG.match(cid)):
        chk.add("id", f"{_q(cid)} must be a lower-case slug such as 'instc-west'")
    name, summary = chk.text("name", m, "name"), chk.text("summary", m, "summary")
    kind = m.get("kind", "corridor")
    if kind not in ("corridor", "reference"):
        chk.add("kind", f"{_q(kind)} must be 'corridor' or 'reference'")
    sources = _sources(chk, m.get("sources"))
    source_ids = {s.id for s in sources}
    modes = _modes(chk, "modes", m.get("modes"))
    avoids = _avoids(chk, m.get("avoids"))
    waypoints = _waypoints(chk, m.get("waypoints"), source_ids, check_map=check_map)
    reference = kind == "reference"
    declared = _declared_names(m.get("waypoints"))
    legs = _legs(
        chk,
        m.get("legs"),
        "legs",
        waypoints,
        modes,
        source_ids,
        variant=False,
        reference=reference,
        declared=declared,
    )
    variants = _variants(
        chk, m.get("variants"), m, waypoints, avoids, source_ids, reference, declared
    )
    aliases = chk.strings("aliases", m, "aliases")
    if chk.problems:
        raise DefinitionError(chk.problems)
    assert isinstance(cid, str) and name is not None and summary is not None
    digest = definition_digest(raw)
    base = Corridor(
        id=cid,
        name=name,
        summary=summary,
        waypoints=waypoints,
        legs=legs,
        modes=modes,
        sources=sources,
        aliases=aliases,
        avoids=avoids,
        kind=kind,
        path=path,
        digest=digest,
    )
    built = tuple(
        Corridor(
            id=v["id"],
            name=v["name"],
            summary=v.get("summary") or summary,
            waypoints=tuple(dict.fromkeys(wp for leg in v["legs"] for wp in (leg.start, leg.end))),
            legs=v["legs"],
            modes=v["modes"],
            sources=sources,
            aliases=tuple(v.get("aliases") or ()),
            avoids=v["avoids"],
            kind=kind,
            parent=cid,
            path=path,
            digest=digest,
        )
        for v in variants
    )
    return Corridor(**{**base.__dict__, "variants": built})


def _variants(
    chk: _Checker,
    raw: Any,
    parent: Mapping[str, Any],
    waypoints: Sequence[Waypoint],
    avoids: tuple[Avoid, ...],
    source_ids: set[str],
    reference: bool,
    declared: frozenset[str],
) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        chk.add("variants", "must be a list of variants")
        return []
    out = []
    ids = {_hashable_text(parent.get("id"))}
    for i, item in enumerate(raw):
        label = _label(i, item, "id", "variants")
        m = chk.keys(label, item, _VARIANT_REQUIRED, _VARIANT_OPTIONAL)
        if m is None:
            continue
        vid = m.get("id")
        if not (isinstance(vid, str) and _SLUG.match(vid)):
            chk.add(label, f"id {_q(vid)} must be a lower-case slug")
        elif vid in ids:
            chk.add(label, f"duplicate id {_q(vid)}")
        else:
            ids.add(vid)
        chk.text(label, m, "name")
        if "summary" in m:
            chk.text(label, m, "summary")
        aliases = chk.strings(label, m, "aliases")
        modes = _modes(chk, f"{label} modes", m.get("modes"))
        legs = _legs(
            chk,
            m.get("legs"),
            f"{label} legs",
            waypoints,
            modes,
            source_ids,
            variant=True,
            reference=reference,
            declared=declared,
        )
        own_avoids = _avoids(chk, m.get("avoids")) if "avoids" in m else avoids
        out.append(
            {
                **m,
                "name": str(m.get("name") or "").strip(),
                "summary": str(m.get("summary") or "").strip() or None,
                "aliases": aliases,
                "modes": modes,
                "legs": legs,
                "avoids": own_avoids,
            }
        )
    return out
