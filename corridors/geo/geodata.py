"""The project's authored geodata: gazetteer, border crossings, ferries, countries, gauge.

Files live in ``geodata/`` (schema: ``geodata/README.md``) and are validated when read:
every problem names the file, the item and the value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pycountry

from corridors._data import display_path, geodata_dir
from corridors._errors import DefinitionError
from corridors._yaml import read_yaml

__all__ = [
    "Addition",
    "ClosedCrossing",
    "Crossing",
    "Ferry",
    "GaugeException",
    "GaugeRules",
    "Place",
    "closed_crossings",
    "country_names",
    "crossings",
    "ferries",
    "gauge_rules",
    "iso3_problem",
    "main_places",
    "network_additions",
    "organisations",
    "places",
]


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: a named point with spelling variants."""

    name: str
    kind: str
    country: str
    lon: float
    lat: float
    variants: tuple[str, ...] = ()
    source: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by its variants."""
        return (self.name, *self.variants)


@dataclass(frozen=True)
class Crossing:
    """A named border crossing point between two countries."""

    name: str
    countries: tuple[str, str]
    modes: tuple[str, ...]
    lon: float
    lat: float
    variants: tuple[str, ...] = ()
    note: str | None = None
    source: str | None = None
    #: Hours a crossing of this mode takes here, ``(mode, hours)`` pairs; where a mode has
    #: none, the time model's border dwell (the CAREC average) applies.
    dwell_h: tuple[tuple[str, float], ...] = ()
    #: The source of ``dwell_h`` (an id in the file's sources).
    dwell_source: str | None = None

    def dwell_for(self, mode: str) -> float | None:
        """The crossing's own dwell, in hours, for ``mode``, or ``None`` (use the default)."""
        return next((h for m, h in self.dwell_h if m == mode), None)


@dataclass(frozen=True)
class Port:
    """One end of a ferry link."""

    name: str
    lon: float
    lat: float
    country: str


@dataclass(frozen=True)
class Ferry:
    """A ferry link between two ports (the sea distance comes from the maritime network)."""

    id: str
    name: str
    start: Port
    end: Port
    kind: str = "ferry"
    operator: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class GaugeException:
    """A line whose gauge differs from its country's rule (e.g. 1435 mm Akhalkalaki–Kars)."""

    name: str
    gauge_mm: int
    line: tuple[tuple[float, float], ...]
    buffer_m: float
    source: str | None = None


@dataclass(frozen=True)
class GaugeRules:
    """Track gauge by country, and the known exceptions."""

    by_country: Mapping[str, int]
    exceptions: tuple[GaugeException, ...]


_R = TypeVar("_R")


def _read_once(name: str) -> Callable[[Callable[[], _R]], Callable[[], _R]]:
    """Keep a reader's result while ``geodata/<name>`` is unchanged (its size and mtime).

    A process that reads a file once and keeps the result would go on using the old data
    after the file is edited, while the network cache key (the files' hashes) already names
    the new data; such a network would be stored under the new key. Keyed by the file's
    stamp, the reader runs again instead.
    """

    def wrap(read: Callable[[], _R]) -> Callable[[], _R]:
        memo: dict[tuple[str, int, int], _R] = {}

        @functools.wraps(read)
        def reader() -> _R:
            path = geodata_dir() / name
            try:
                st = path.stat()
                stamp = (str(path), st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = (str(path), -1, -1)
            if stamp not in memo:
                memo.clear()
                memo[stamp] = read()
            return memo[stamp]

        reader.cache_clear = memo.clear  # type: ignore[attr-defined]
        return reader

    return wrap


class _Reader:
    def __init__(self, name: str) -> None:
        self.path: Path = geodata_dir() / name
        self.shown = display_path(self.path)
        self.problems: list[str] = []
        raw = read_yaml(self.path)
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            self.problems.append(f"{self.shown}: expected a mapping at the top level")
        self.sources = {
            s.get("id") for s in self.raw.get("sources", []) or [] if isinstance(s, Mapping)
        }

    def items(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            self.problems.append(f"{self.shown}: {key}: expected a list")
            return []
        out = []
        for i, item in enumerate(value):
            name = item.get("name") or item.get("id") if isinstance(item, Mapping) else None
            label = f"{key}[{i}] {name!r}" if name else f"{key}[{i}]"
            if not isinstance(item, Mapping):
                self.problems.append(f"{self.shown}: {label}: expected a mapping")
                continue
            out.append((label, item))
        return out

    def point(self, label: str, item: Mapping[str, Any]) -> tuple[float, float] | None:
        lon, lat = item.get("lon"), item.get("lat")
        ok = True
        for axis, value, bound in (("longitude", lon, 180), ("latitude", lat, 90)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.problems.append(f"{self.shown}: {label}: {axis} {value!r} is not a number")
                ok = False
            elif not -bound <= value <= bound:
                self.problems.append(
                    f"{self.shown}: {label}: {axis} {value} is outside [-{bound}, {bound}]"
                )
                ok = False
        return (float(lon), float(lat)) if ok else None  # type: ignore[arg-type]

    def country(self, label: str, code: Any) -> str | None:
        problem = iso3_problem(code)
        if problem:
            self.problems.append(f"{self.shown}: {label}: {problem}")
            return None
        return str(code)

    def source(self, label: str, item: Mapping[str, Any]) -> str | None:
        ref = item.get("source")
        if ref is not None and ref not in self.sources:
            self.problems.append(
                f"{self.shown}: {label}: source {ref!r} is not in this file's sources"
            )
        return str(ref) if ref is not None else None

    def done(self) -> None:
        if self.problems:
            raise DefinitionError(self.problems)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int | float))
    return ()


@_read_once("places.yaml")
def places() -> tuple[Place, ...]:
    """The gazetteer (``geodata/places.yaml``)."""
    r = _Reader("places.yaml")
    out = []
    for label, item in r.items("places"):
        pt = r.point(label, item)
        country = r.country(label, item.get("country"))
        name, kind = item.get("name"), item.get("kind")
        if not isinstance(name, str) or not isinstance(kind, str):
            r.problems.append(f"{r.shown}: {label}: needs a 'name' and a 'kind'")
            continue
        if pt is None or country is None:
            continue
        out.append(
            Place(
                name=name,
                kind=kind,
                country=country,
                lon=pt[0],
                lat=pt[1],
                variants=_strings(item.get("variants")),
                source=r.source(label, item),
            )
        )
    r.done()
    return tuple(out)


@_read_once("main_places.yaml")
def main_places() -> tuple[Place, ...]:
    """The main places (``geodata/main_places.yaml``): the built-in OD matrix's ends.

    The file states the rule that picked them; each is a gazetteer entry, in the file's order.

    Raises
    ------
    DefinitionError
        When a name is not in the gazetteer, is listed twice, or the list is malformed.
    """
    path = geodata_dir() / "main_places.yaml"
    shown = display_path(path)
    raw = read_yaml(path)
    names = raw.get("places") if isinstance(raw, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise DefinitionError([f"{shown}: places: expected a list of gazetteer names"])
    by_name = {p.name: p for p in places()}
    problems = [f"{shown}: {n!r} is not in places.yaml" for n in names if n not in by_name]
    problems += [
        f"{shown}: {n!r} is listed twice" for n in sorted(set(names)) if names.count(n) > 1
    ]
    if problems:
        raise DefinitionError(problems)
    return tuple(by_name[n] for n in names)


@_read_once("crossings.yaml")
def crossings() -> tuple[Crossing, ...]:
    """Named border crossing points (``geodata/crossings.yaml``)."""
    r = _Reader("crossings.yaml")
    out = []
    for label, item in r.items("crossings"):
        pt = r.point(label, item)
        pair = item.get("countries")
        codes = (
            [r.country(label, c) for c in pair] if isinstance(pair, list) and len(pair) == 2 else []
        )
        if len(codes) != 2:
            r.problems.append(f"{r.shown}: {label}: countries must be a list of two ISO3 codes")
        if pt is None or len(codes) != 2 or None in codes or not item.get("name"):
            continue
        dwell: list[tuple[str, float]] = []
        raw_dwell = item.get("dwell_h")
        if raw_dwell is not None:
            ok = isinstance(raw_dwell, Mapping) and all(
                isinstance(m, str)
                and isinstance(h, int | float)
                and not isinstance(h, bool)
                and 0 <= h <= 1000
                for m, h in raw_dwell.items()
            )
            if not ok or not item.get("dwell_source"):
                r.problems.append(
                    f"{r.shown}: {label}: dwell_h must be a mapping such as {{rail: 0}} "
                    "(hours, 0 to 1000) with a dwell_source"
                )
            else:
                dwell = [(str(m), float(h)) for m, h in raw_dwell.items()]
                r.source(f"{label} dwell_source", {"source": item.get("dwell_source")})
        out.append(
            Crossing(
                name=str(item["name"]),
                countries=(str(codes[0]), str(codes[1])),
                modes=_strings(item.get("modes")),
                lon=pt[0],
                lat=pt[1],
                variants=_strings(item.get("variants")),
                note=item.get("note"),
                source=r.source(label, item),
                dwell_h=tuple(dwell),
                dwell_source=str(item["dwell_source"]) if dwell else None,
            )
        )
    r.done()
    return tuple(out)


@_read_once("ferries.yaml")
def ferries() -> tuple[Ferry, ...]:
    """Ferry links as port pairs (``geodata/ferries.yaml``)."""
    r = _Reader("ferries.yaml")
    out = []
    for label, item in r.items("ferries"):
        ports = []
        for end in ("from", "to"):
            p = item.get(end)
            if not isinstance(p, Mapping):
                r.problems.append(f"{r.shown}: {label}: {end!r} must be a port mapping")
                continue
            pt = r.point(f"{label} {end}", p)
            country = r.country(f"{label} {end}", p.get("country"))
            if pt is not None and country is not None:
                ports.append(Port(str(p.get("name")), pt[0], pt[1], country))
        if len(ports) != 2 or not item.get("id"):
            continue
        out.append(
            Ferry(
                id=str(item["id"]),
                name=str(item.get("name") or item["id"]),
                start=ports[0],
                end=ports[1],
                kind=str(item.get("kind", "ferry")),
                operator=item.get("operator"),
                source=r.source(label, item),
            )
        )
    r.done()
    return tuple(out)


@_read_once("gauge.yaml")
def gauge_rules() -> GaugeRules:
    """Gauge by country and its exceptions (``geodata/gauge.yaml``)."""
    r = _Reader("gauge.yaml")
    by_country: dict[str, int] = {}
    raw = r.raw.get("default_by_country", {})
    if not isinstance(raw, Mapping):
        r.problems.append(f"{r.shown}: default_by_country: expected a mapping ISO3: mm")
        raw = {}
    for code, mm in raw.items():
        if r.country(f"default_by_country {code!r}", code) and isinstance(mm, int):
            by_country[str(code)] = mm
    exceptions = []
    for label, item in r.items("exceptions"):
        line = item.get("line")
        pts = [
            (float(p[0]), float(p[1]))
            for p in (line if isinstance(line, list) else [])
            if isinstance(p, list) and len(p) == 2
        ]
        mm = item.get("gauge_mm")
        if len(pts) < 2 or not isinstance(mm, int):
            r.problems.append(f"{r.shown}: {label}: needs gauge_mm and a line of [lon, lat]")
            continue
        exceptions.append(
            GaugeException(
                name=str(item.get("name")),
                gauge_mm=mm,
                line=tuple(pts),
                buffer_m=float(item.get("buffer_m", 2000)),
                source=r.source(label, item),
            )
        )
    r.done()
    return GaugeRules(by_country=by_country, exceptions=tuple(exceptions))


@_read_once("countries.yaml")
def _countries_raw() -> dict[str, Any]:
    r = _Reader("countries.yaml")
    r.done()
    return r.raw


def country_names() -> dict[str, tuple[str, ...]]:
    """ISO3 → names, short forms and demonyms used to find countries in texts."""
    out: dict[str, tuple[str, ...]] = {}
    for item in _countries_raw().get("countries", []) or []:
        if isinstance(item, Mapping) and isinstance(item.get("iso3"), str):
            names = (
                _strings([item.get("name")])
                + _strings(item.get("names"))
                + _strings(item.get("demonyms"))
            )
            out[item["iso3"]] = tuple(dict.fromkeys(names))
    return out


def organisations() -> dict[str, tuple[str, ...]]:
    """Organisation id → names (EU, NATO, ...), which are not countries."""
    out: dict[str, tuple[str, ...]] = {}
    for item in _countries_raw().get("organisations", []) or []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            out[item["id"]] = _strings(item.get("names"))
    return out


@dataclass(frozen=True)
class ClosedCrossing:
    """A border crossing on the ground that is closed to traffic."""

    name: str
    countries: tuple[str, str]
    modes: tuple[str, ...]
    lon: float
    lat: float
    radius_km: float
    source: str | None = None


@_read_once("closed_crossings.yaml")
def closed_crossings() -> tuple[ClosedCrossing, ...]:
    """Closed border crossings (``geodata/closed_crossings.yaml``)."""
    if not (geodata_dir() / "closed_crossings.yaml").exists():
        return ()
    r = _Reader("closed_crossings.yaml")
    out = []
    for label, item in r.items("closed"):
        pt = r.point(label, item)
        pair = item.get("countries")
        codes = (
            [r.country(label, c) for c in pair] if isinstance(pair, list) and len(pair) == 2 else []
        )
        if pt is None or len(codes) != 2 or None in codes:
            r.problems.append(f"{r.shown}: {label}: needs lon, lat and two ISO3 countries")
            continue
        out.append(
            ClosedCrossing(
                name=str(item.get("name")),
                countries=(str(codes[0]), str(codes[1])),
                modes=_strings(item.get("modes")) or ("rail", "road"),
                lon=pt[0],
                lat=pt[1],
                radius_km=float(item.get("radius_km", 4.0)),
                source=r.source(label, item),
            )
        )
    r.done()
    return tuple(out)


@dataclass(frozen=True)
class Addition:
    """A real line missing from the embedded network, authored by the project."""

    name: str
    mode: str
    status: str
    gauge_mm: int
    coords: tuple[tuple[float, float], ...]
    opened: int | None = None
    source: str | None = None
    #: ``[lon, lat]`` nodes, in order, of the embedded network's simplified drawing of the
    #: same line (straight edges between these nodes), which the builder drops so that the
    #: line is not there twice.
    supersedes: tuple[tuple[float, float], ...] = ()


@_read_once("network_additions.yaml")
def network_additions() -> tuple[Addition, ...]:
    """Lines the embedded network lacks (``geodata/network_additions.yaml``)."""
    if not (geodata_dir() / "network_additions.yaml").exists():
        return ()
    r = _Reader("network_additions.yaml")
    out = []
    for label, item in r.items("lines"):
        coords = item.get("coords")
        pts = []
        for j, p in enumerate(coords if isinstance(coords, list) else []):
            pt = (
                r.point(f"{label} coords[{j}]", {"lon": p[0], "lat": p[1]})
                if (isinstance(p, list) and len(p) == 2)
                else None
            )
            if pt is None:
                r.problems.append(f"{r.shown}: {label}: coords[{j}] {p!r} is not [lon, lat]")
            else:
                pts.append(pt)
        mode, status = item.get("mode"), item.get("status", "operational")
        old = item.get("supersedes", [])
        gone = []
        if not isinstance(old, list):
            r.problems.append(f"{r.shown}: {label}: supersedes {old!r} is not a list of [lon, lat]")
            old = []
        for j, p in enumerate(old):
            pt = (
                r.point(f"{label} supersedes[{j}]", {"lon": p[0], "lat": p[1]})
                if (isinstance(p, list) and len(p) == 2)
                else None
            )
            if pt is None:
                r.problems.append(
                    f"{r.shown}: {label}: supersedes[{j}] {p!r} is not [lon, lat]"
                    " (give the nodes of the network's edges this line replaces, in order)"
                )
            else:
                gone.append(pt)
        if len(gone) == 1:
            r.problems.append(f"{r.shown}: {label}: supersedes needs 2+ nodes, got 1")
        if mode not in ("rail", "road") or len(pts) < 2:
            r.problems.append(f"{r.shown}: {label}: needs mode rail|road and 2+ coords")
            continue
        out.append(
            Addition(
                name=str(item.get("name")),
                mode=str(mode),
                status=str(status),
                gauge_mm=int(item.get("gauge_mm") or 0),
                coords=tuple(pts),
                opened=item.get("opened"),
                source=r.source(label, item),
                supersedes=tuple(gone),
            )
        )
    r.done()
    return tuple(out)


def iso3_problem(code: object) -> str | None:
    """Return why ``code`` is not an ISO 3166-1 alpha-3 code, or ``None`` if it is one."""
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
        return f"country {code!r} is not an upper-case ISO 3166-1 alpha-3 code (e.g. 'AZE')"
    if pycountry.countries.get(alpha_3=code) is None:
        return f"country {code!r} is not an ISO 3166-1 alpha-3 code (e.g. 'AZE')"
    return None
