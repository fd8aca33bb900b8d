"""Fidelity: modelled lengths against the lengths public sources give.

Two references, both measured through the real routing path:

- **official line lengths between stations** (``geodata/published_lengths.yaml``): each
  line is routed on the network between its two stations, as ``corridors route --from
  --to`` would, and its modelled ``length_km`` (that of :func:`~corridors.analysis.
  metrics.route_metrics`) is compared with the published one;
- **every** ``published_length_km`` **of the definitions**: each corridor is routed leg by
  leg and the leg's modelled length (missing links as drawn) is compared with it.

Nothing here holds a modelled value: the table measures whatever the network and the
routing produce, so it shows any change to either.
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridors._data import display_path, geodata_dir
from corridors._errors import DefinitionError, InfeasibleRouteError, SnapError
from corridors._yaml import read_yaml
from corridors.analysis.metrics import route_metrics
from corridors.model import Corridor, Mode, Role, Status, Waypoint
from corridors.network.core import Network
from corridors.routing import DETOUR_FACTOR, route, route_corridors

__all__ = [
    "FidelityRow",
    "FidelitySummary",
    "LengthSource",
    "PublishedLine",
    "Station",
    "fidelity_rows",
    "fidelity_summary",
    "percent_error",
    "published_lines",
    "published_lines_from_file",
]

_FILE = "published_lengths.yaml"


@dataclass(frozen=True)
class Station:
    """A station at the end of a published line, ``(lon, lat)`` in WGS 84 degrees."""

    name: str
    lon: float
    lat: float
    country: str
    osm_node: int | None = None

    def waypoint(self) -> Waypoint:
        """The station as a routing waypoint."""
        return Waypoint(self.name, self.lon, self.lat, self.country, Role.STATION, "osm")


@dataclass(frozen=True)
class LengthSource:
    """Where a published length comes from; ``date`` is the source's, ``accessed`` ours."""

    title: str
    publisher: str
    url: str
    date: str
    accessed: str


@dataclass(frozen=True)
class PublishedLine:
    """An official length of the line between two stations, in km."""

    id: str
    start: Station
    end: Station
    mode: Mode
    length_km: float
    status: Status
    source: LengthSource
    note: str | None = None
    via: tuple[Station, ...] = ()

    @property
    def name(self) -> str:
        """``"Start – End"``, with ``"via ..."`` when the line is routed through stations."""
        base = f"{self.start.name} – {self.end.name}"
        return f"{base} via {', '.join(s.name for s in self.via)}" if self.via else base

    @property
    def stops(self) -> tuple[Station, ...]:
        """The stations the line is routed through, in order: start, ``via``, end."""
        return (self.start, *self.via, self.end)


@dataclass(frozen=True)
class FidelityRow:
    """One published length and its modelled counterpart.

    Attributes
    ----------
    kind
        ``"line"`` (a line between stations) or ``"definition"`` (a leg's
        ``published_length_km``).
    id, name
        The line id, or ``"<corridor id>/<leg index>"``, and a readable name.
    countries
        Countries of the published end points, in order, ISO3.
    published_km, modelled_km
        Lengths in km; ``modelled_km`` is ``None`` when the line cannot be routed.
    error_pct
        ``100 × (modelled − published) / published``, or ``None``.
    snap_km
        Distance, in km, from each end to the point of the network it snapped to (``None`` for a
        leg drawn from its geometry).
    flag
        Why a row needs care: ``"missing link (drawn)"``, ``"detour"`` (the path is more than
        :data:`~corridors.routing.DETOUR_FACTOR` times the published length: the line is not
        on the network), ``"not routable"``; ``""`` otherwise.
    source
        The source: title and publisher (lines) or the definition's source id and date.
    url
        The source's address, when it has one.
    detail
        The routing error for a row that is not routable.
    """

    kind: str
    id: str
    name: str
    countries: tuple[str, ...]
    published_km: float
    modelled_km: float | None
    error_pct: float | None
    snap_km: tuple[float | None, float | None] = (None, None)
    flag: str = ""
    source: str = ""
    url: str = ""
    detail: str = ""

    @property
    def abs_error_pct(self) -> float | None:
        """``|error_pct|``, or ``None``."""
        return None if self.error_pct is None else abs(self.error_pct)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; km rounded to 0.1, percentages to 0.01."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "countries": list(self.countries),
            "published_km": self.published_km,
            "modelled_km": None if self.modelled_km is None else round(self.modelled_km, 1),
            "error_pct": None if self.error_pct is None else round(self.error_pct, 2),
            "snap_km": [None if s is None else round(s, 3) for s in self.snap_km],
            "flag": self.flag,
            "source": self.source,
            "url": self.url,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class FidelitySummary:
    """The table in a few figures; percentages over the rows that could be routed.

    Attributes
    ----------
    n_rows, n_routed
        Rows in the table, and rows with a modelled length.
    median_abs_error_pct, p90_abs_error_pct, max_abs_error_pct
        Of ``|error_pct|`` over the routed rows (``nan`` when none is).
    within_2_pct, within_5_pct
        Routed rows within ±2 % and ±5 % of the published length.
    countries
        Countries the rows cover, ISO3, sorted.
    worst
        The routed rows with the largest ``|error_pct|``, worst first.
    """

    n_rows: int
    n_routed: int
    median_abs_error_pct: float
    p90_abs_error_pct: float
    max_abs_error_pct: float
    within_2_pct: int
    within_5_pct: int
    countries: tuple[str, ...]
    worst: tuple[FidelityRow, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""

        def r(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 2)

        return {
            "rows": self.n_rows,
            "routed": self.n_routed,
            "median_abs_error_pct": r(self.median_abs_error_pct),
            "p90_abs_error_pct": r(self.p90_abs_error_pct),
            "max_abs_error_pct": r(self.max_abs_error_pct),
            "within_2_pct": self.within_2_pct,
            "within_5_pct": self.within_5_pct,
            "countries": list(self.countries),
            "worst": [w.id for w in self.worst],
        }


def percent_error(modelled_km: float, published_km: float) -> float:
    """``100 × (modelled − published) / published``: positive when the model is longer.

    Raises
    ------
    ValueError
        If ``published_km`` is not positive.
    """
    if not published_km > 0:
        raise ValueError(f"published length must be positive, got {published_km!r}")
    return (modelled_km - published_km) / published_km * 100.0


# --- reading the published lines ------------------------------------------------------------


def _text(item: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{key}' must be a non-empty string, got {value!r}")
        return ""
    return value.strip()


def _number(item: Mapping[str, Any], key: str, where: str, problems: list[str]) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"{where}: '{key}' must be a number, got {value!r}")
        return math.nan
    return float(value)


def _station(raw: Any, where: str, problems: list[str]) -> Station:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected {{name, lon, lat, country, osm_node}}, got {raw!r}")
        return Station("", math.nan, math.nan, "")
    name = _text(raw, "name", where, problems)
    lon = _number(raw, "lon", where, problems)
    lat = _number(raw, "lat", where, problems)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        problems.append(f"{where}: ({lon}, {lat}) is not a (lon, lat) in degrees")
    country = _text(raw, "country", where, problems)
    if country and (len(country) != 3 or not country.isalpha() or not country.isupper()):
        problems.append(f"{where}: country {country!r} must be an ISO3 code such as 'AZE'")
    node = raw.get("osm_node")
    if node is not None and (isinstance(node, bool) or not isinstance(node, int)):
        problems.append(f"{where}: osm_node must be an OpenStreetMap node id, got {node!r}")
        node = None
    return Station(name, lon, lat, country, node)


def _line(raw: Any, index: int, shown: str, problems: list[str]) -> PublishedLine | None:
    where = f"{shown}: lines[{index}]"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping, got {raw!r}")
        return None
    lid = _text(raw, "id", where, problems)
    where = f"{shown}: line {lid or index!r}"
    start = _station(raw.get("from"), f"{where}: from", problems)
    end = _station(raw.get("to"), f"{where}: to", problems)
    length = _number(raw, "length_km", where, problems)
    if not length > 0:
        problems.append(f"{where}: length_km must be positive, got {raw.get('length_km')!r}")
    try:
        mode = Mode(str(raw.get("mode")))
    except ValueError:
        problems.append(f"{where}: mode {raw.get('mode')!r} must be one of {Mode.choices()}")
        mode = Mode.RAIL
    try:
        status = Status(str(raw.get("status", "operational")))
    except ValueError:
        problems.append(f"{where}: status {raw.get('status')!r} must be one of {Status.choices()}")
        status = Status.OPERATIONAL
    src = raw.get("source")
    if not isinstance(src, Mapping):
        problems.append(f"{where}: source must be {{title, publisher, url, date, accessed}}")
        src = {}
    source = LengthSource(
        *(_text(src, k, f"{where}: source", problems) for k in LengthSource.__annotations__)
    )
    note = raw.get("note")
    via_raw = raw.get("via", [])
    if not isinstance(via_raw, list):
        problems.append(f"{where}: via must be a list of stations, got {via_raw!r}")
        via_raw = []
    via = tuple(_station(v, f"{where}: via[{k}]", problems) for k, v in enumerate(via_raw))
    return PublishedLine(
        lid, start, end, mode, length, status, source, str(note).strip() if note else None, via
    )


def published_lines_from_file(path: Path | str) -> tuple[PublishedLine, ...]:
    """Read and check a file of published lines (schema: ``geodata/README.md``).

    Raises
    ------
    DefinitionError
        Listing every problem, each naming the file, the line and the value.
    """
    path = Path(path)
    shown = display_path(path)
    data = read_yaml(path)
    items = data.get("lines") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not items:
        raise DefinitionError([f"{shown}: expected a non-empty list under 'lines:'"])
    problems: list[str] = []
    lines = [ln for i, raw in enumerate(items) if (ln := _line(raw, i, shown, problems))]
    seen: set[str] = set()
    for ln in lines:
        if ln.id in seen:
            problems.append(f"{shown}: line id {ln.id!r} appears twice; ids must be unique")
        seen.add(ln.id)
    if problems:
        raise DefinitionError(problems)
    return tuple(lines)


@functools.cache
def published_lines() -> tuple[PublishedLine, ...]:
    """The project's published lines (``geodata/published_lengths.yaml``)."""
    return published_lines_from_file(geodata_dir() / _FILE)


# --- the table ------------------------------------------------------------------------------


def _line_row(line: PublishedLine, network: Network) -> FidelityRow:
    src = line.source
    source = f"{src.title} ({src.publisher}, {src.date}; accessed {src.accessed})"
    base: dict[str, Any] = {
        "kind": "line",
        "id": line.id,
        "name": line.name,
        "countries": tuple(dict.fromkeys((line.start.country, line.end.country))),
        "published_km": line.length_km,
        "source": source,
        "url": src.url,
    }
    stops = line.stops
    try:
        # a line with ``via`` stations is routed stop to stop, as its source measures it
        routes = [
            route(a.waypoint(), b.waypoint(), network, modes=line.mode.value)
            for a, b in itertools.pairwise(stops)
        ]
    except (SnapError, InfeasibleRouteError) as exc:
        return FidelityRow(
            **base, modelled_km=None, error_pct=None, flag="not routable", detail=str(exc)
        )
    modelled = sum(float(route_metrics(r)["length_km"]) for r in routes)
    flag = "detour" if modelled > DETOUR_FACTOR * line.length_km else ""
    return FidelityRow(
        **base,
        modelled_km=modelled,
        error_pct=percent_error(modelled, line.length_km),
        snap_km=(routes[0].legs[0].snap_start_km, routes[-1].legs[0].snap_end_km),
        flag=flag,
    )


def _definition_rows(corridors: Sequence[Corridor], network: Network) -> list[FidelityRow]:
    wanted = [c for c in corridors if any(leg.published_length for leg in c.legs)]
    routes, errors = route_corridors(wanted, network)
    by_id = {r.id: r for r in routes}
    rows: list[FidelityRow] = []
    for c in wanted:
        for i, leg in enumerate(c.legs):
            pub = leg.published_length
            if pub is None:
                continue
            source = c.source(pub.source)
            base: dict[str, Any] = {
                "kind": "definition",
                "id": f"{c.id}/{i}",
                "name": f"{c.id}: {leg.name}",
                "countries": tuple(dict.fromkeys((leg.start.country, leg.end.country))),
                "published_km": pub.value_km,
                "source": f"{source.title if source else pub.source} ({pub.date})",
                "url": (source.url or "") if source else "",
            }
            r = by_id.get(c.id)
            if r is None:
                rows.append(
                    FidelityRow(
                        **base,
                        modelled_km=None,
                        error_pct=None,
                        flag="not routable",
                        detail=errors.get(c.id, ""),
                    )
                )
                continue
            rl = r.legs[i]
            flag = "missing link (drawn)" if rl.missing else ""
            if not flag and rl.length_km > DETOUR_FACTOR * pub.value_km:
                flag = "detour"
            rows.append(
                FidelityRow(
                    **base,
                    modelled_km=rl.length_km,
                    error_pct=percent_error(rl.length_km, pub.value_km),
                    snap_km=(rl.snap_start_km, rl.snap_end_km),
                    flag=flag,
                )
            )
    return rows


def fidelity_rows(
    network: Network,
    *,
    lines: Iterable[PublishedLine] | None = None,
    corridors: Iterable[Corridor] | None = None,
) -> list[FidelityRow]:
    """Route every published length and compare: the validation table.

    Parameters
    ----------
    network
        From :func:`corridors.load_network`.
    lines
        Published lines between stations (default: :func:`published_lines`).
    corridors
        Definitions whose ``published_length_km`` are checked (default: every shipped
        definition and variant).

    Returns
    -------
    list of FidelityRow
        The lines in file order, then the definitions' legs in corridor order.
    """
    if corridors is None:
        from corridors.definitions import load_all

        corridors = load_all(variants=True)
    rows = [_line_row(ln, network) for ln in (published_lines() if lines is None else lines)]
    rows += _definition_rows(list(corridors), network)
    return rows


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0–100); ``nan`` for no values."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(q / 100.0 * len(ordered))) - 1]


def fidelity_summary(rows: Sequence[FidelityRow], *, worst: int = 5) -> FidelitySummary:
    """Median, p90 and largest ``|error|`` over the routed rows, and the ``worst`` rows."""
    routed = [r for r in rows if r.abs_error_pct is not None]
    errs = [r.abs_error_pct for r in routed if r.abs_error_pct is not None]
    ranked = sorted(routed, key=lambda r: -(r.abs_error_pct or 0.0))
    return FidelitySummary(
        n_rows=len(rows),
        n_routed=len(routed),
        median_abs_error_pct=statistics.median(errs) if errs else math.nan,
        p90_abs_error_pct=_percentile(errs, 90),
        max_abs_error_pct=max(errs) if errs else math.nan,
        within_2_pct=sum(e <= 2.0 for e in errs),
        within_5_pct=sum(e <= 5.0 for e in errs),
        countries=tuple(sorted({c for r in rows for c in r.countries})),
        worst=tuple(ranked[:worst]),
    )
