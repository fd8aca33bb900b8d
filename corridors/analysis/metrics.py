"""Corridor metrics from a routed :class:`~corridors.routing.Route`.

Lengths are geodesic (WGS 84). Countries come from Natural Earth 1:10m polygons; a route is
cut into *runs* of one country (water legs form ``"sea"`` runs, never a country). The route
changes country only once it is more than :data:`corridors.settings.border_tolerance_km`
beyond its current country, so a line that follows a border river (drawn at 1:10m) does
not zig-zag across it, and a crossing is counted once per real crossing, not per edge.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors._frames import text_values
from corridors.analysis.timemodel import DEFAULT_TIME_MODEL, TimeModel
from corridors.geo import boundaries
from corridors.geo.runs import (
    WATER_MODES,
    Run,
    country_runs,
    crossing_candidates,
    nearest_name,
    place_candidates,
)
from corridors.routing import Route

__all__ = [
    "BorderCrossing",
    "Run",
    "border_crossings",
    "compare",
    "compare_row",
    "compare_rows",
    "country_runs",
    "fastest_route",
    "gauge_breaks",
    "length_by_country",
    "published_by_country",
    "raw_gauge_changes",
    "route_metrics",
    "transshipments",
]


@dataclass(frozen=True)
class BorderCrossing:
    """A land border crossing along a route."""

    from_country: str
    to_country: str
    lon: float
    lat: float
    mode: str
    name: str | None
    km: float = 0.0
    #: The crossing's own dwell in hours (``geodata/crossings.yaml``), ``None``: the default.
    dwell_h: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with ``from`` and ``to`` (``km``: distance along the route).

        ``dwell_h`` is the crossing's own dwell, or ``None`` where the time model's border
        dwell for the mode applies.
        """
        return {
            "from": self.from_country,
            "to": self.to_country,
            "lon": round(self.lon, 5),
            "lat": round(self.lat, 5),
            "mode": self.mode,
            "name": self.name,
            "km": round(self.km, 1),
            "dwell_h": self.dwell_h,
        }


def _own_dwell(name: str | None, pair: frozenset[str], mode: str) -> float | None:
    """The named crossing's own dwell for ``mode`` in hours, if ``crossings.yaml`` has one."""
    from corridors.geo import geodata

    if name is None:
        return None
    for c in geodata.crossings():
        if c.name == name and frozenset(c.countries) == pair:
            return c.dwell_for(mode)
    return None


def length_by_country(
    pieces: pd.DataFrame, *, runs: Sequence[Run] | None = None
) -> dict[str, float]:
    """Length in km per ISO3 country in route order, with water legs as ``"sea"``."""
    out: dict[str, float] = {}
    for r in runs if runs is not None else country_runs(pieces):
        key = r.country or "unknown"
        out[key] = out.get(key, 0.0) + r.length_m / 1000.0
    return {k: round(v, 1) for k, v in out.items()}


def published_by_country(route: Route) -> dict[str, float]:
    """Published leg lengths summed by country, in km, in route order.

    A leg with a ``published_length_km`` counts for the country that holds most of its
    modelled length (water legs count as ``"sea"``). For the BTC reference line, whose legs
    are its operator's per-country lengths, this is the published split. Empty when no leg
    has a published length.
    """
    out: dict[str, float] = {}
    p = route.pieces
    if not any(rl.leg.published_length is not None for rl in route.legs):
        return out
    legs = p["leg"].to_numpy(np.int64) if len(p) else np.zeros(0, np.int64)
    countries = text_values(p["country0"]) if len(p) else np.zeros(0, object)
    length_m = p["length_m"].to_numpy(float) if len(p) else np.zeros(0)
    for rl in route.legs:
        pub = rl.leg.published_length
        if pub is None:
            continue
        own = legs == rl.index
        key = "unknown"
        if rl.leg.mode.is_water:
            key = "sea"
        elif own.any():
            # modelled metres by country, in sorted order of the codes (ties: the first);
            # pieces of no known country (at sea, or drawn off every polygon) do not count
            names, where = np.unique(countries[own].astype(str), return_inverse=True)
            km = np.bincount(where, weights=length_m[own], minlength=len(names))
            known = ~np.isin(names, ["None", "nan", ""])
            if known.any():
                key = str(names[known][np.argmax(km[known])])
        out[key] = round(out.get(key, 0.0) + pub.value_km, 1)
    return out


def border_crossings(
    pieces: pd.DataFrame, *, runs: Sequence[Run] | None = None
) -> list[BorderCrossing]:
    """Land border crossings in route order; leaving or entering by sea is not a crossing."""
    runs = list(runs) if runs is not None else country_runs(pieces)
    out = []
    km = 0.0
    for a, b in itertools.pairwise(runs):
        km += a.length_m / 1000.0
        if a.water or b.water or a.country == b.country:
            continue
        lon, lat = a.end
        pair = frozenset((a.country, b.country))
        name = nearest_name(lon, lat, crossing_candidates(pair))
        dwell = _own_dwell(name, pair, a.mode_end)
        out.append(
            BorderCrossing(
                a.country, b.country, float(lon), float(lat), a.mode_end, name, km, dwell
            )
        )
    return out


def _start_km(pieces: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Distance along the route, in km, at the start of each piece."""
    length = pieces["length_m"].to_numpy(float) / 1000.0
    return np.concatenate([[0.0], np.cumsum(length)[:-1]]) if len(length) else length


#: Gauge changes closer than this along a route (km) are one break-of-gauge yard.
GAUGE_YARD_KM = 5.0


def _place_name(lon: float, lat: float) -> str | None:
    return nearest_name(lon, lat, place_candidates())


def _filled_gauges(
    gauge: npt.NDArray[Any], c0: npt.NDArray[np.object_], c1: npt.NDArray[np.object_]
) -> npt.NDArray[np.int64]:
    """Gauge of each rail piece, with the pieces that have none (drawn links) filled in.

    ``gauge`` (mm, 0 for none), ``c0`` and ``c1`` (country codes at either end) are the
    rail pieces' columns, in route order. A stretch without a gauge (a missing link drawn
    from its geometry, an opened overlay) between two stretches of the same gauge takes
    that gauge (a link joining two 1520 mm lines is taken to be built at 1520 mm);
    otherwise each of its pieces takes its country's rule (``geodata/gauge.yaml``), so the
    planned Kars–Nakhchivan line changes gauge entering Türkiye and the missing
    Rasht–Astara line at Astara, where it starts.
    """
    from corridors.geo import geodata

    by_country = geodata.gauge_rules().by_country
    g = np.asarray(gauge).astype(np.int64)
    out = g.copy()
    n = len(g)
    i = 0
    while i < n:
        if g[i] > 0:
            i += 1
            continue
        j = i
        while j < n and g[j] <= 0:
            j += 1
        before = int(g[i - 1]) if i > 0 else 0
        after = int(g[j]) if j < n else 0
        if before and before == after:
            out[i:j] = before
        else:
            for k in range(i, j):
                rule = by_country.get(c0[k] or c1[k], 0)
                out[k] = rule or (int(out[k - 1]) if k > i or before else after)
        i = j
    return out


def gauge_breaks(
    pieces: pd.DataFrame, *, crossings: Sequence[BorderCrossing] = ()
) -> list[dict[str, Any]]:
    """Places where consecutive rail stretches change gauge (e.g. 1520 ↔ 1435 mm).

    Rail pieces without a gauge are filled in first (see :func:`_filled_gauges`). A break
    that comes with a change of country is placed at the route's border crossing there,
    when there is one, rather than at the first vertex past it. Changes less than
    :data:`GAUGE_YARD_KM` apart are one break-of-gauge yard (OSM maps each track of a yard
    such as Akhalkalaki's, 1520 and 1435 mm side by side): they count once, from the gauge
    before the yard to the gauge after it, placed where the new gauge starts for good; a
    yard the route leaves on the gauge it came in on is no break.
    """
    raw = raw_gauge_changes(pieces, crossings=crossings)
    return [
        {
            "from_mm": first["from_mm"],
            "to_mm": final["to_mm"],
            "lon": round(final["lon"], 5),
            "lat": round(final["lat"], 5),
            "name": _place_name(final["lon"], final["lat"]),
            "km": round(final["km"], 1),
        }
        for first, final in _yards(raw)
        if first["from_mm"] != final["to_mm"]
    ]


def raw_gauge_changes(
    pieces: pd.DataFrame, *, crossings: Sequence[BorderCrossing] = ()
) -> list[dict[str, Any]]:
    """Every change of gauge between consecutive rail pieces, before yards are grouped.

    Each is ``from_mm``, ``to_mm``, ``lon``, ``lat`` and ``km`` (along the route, at the
    start of the piece on the new gauge or at the border crossing there);
    :func:`gauge_breaks` groups them into yards (:data:`GAUGE_YARD_KM`).
    """
    keep = (
        np.flatnonzero(text_values(pieces["mode"]) == "rail")
        if len(pieces)
        else np.zeros(0, np.int64)
    )
    at_km = _start_km(pieces)[keep]
    lengths = pieces["length_m"].to_numpy(float)[keep] / 1000.0
    c0 = text_values(pieces["country0"])[keep]
    gauges = (
        _filled_gauges(
            pieces["gauge_mm"].to_numpy(np.int64)[keep], c0, text_values(pieces["country1"])[keep]
        )
        if len(keep)
        else np.zeros(0, np.int64)
    )
    xs, ys = pieces["x0"].to_numpy(float)[keep], pieces["y0"].to_numpy(float)[keep]
    # the pieces with a gauge, and where one's gauge differs from the one before it
    on = np.flatnonzero(gauges > 0)
    changed = np.flatnonzero(gauges[on][1:] != gauges[on][:-1]) + 1
    raw: list[dict[str, Any]] = []
    for j in changed.tolist():
        i, before = int(on[j]), int(on[j - 1])
        lon, lat, where = float(xs[i]), float(ys[i]), float(at_km[i])
        if c0[i] != c0[before]:
            lo, hi = float(at_km[before]) - 1.0, float(at_km[i] + lengths[i]) + 1.0
            near = [c for c in crossings if lo <= c.km <= hi]
            if near:
                lon, lat, where = near[-1].lon, near[-1].lat, near[-1].km
        change = {"from_mm": int(gauges[before]), "to_mm": int(gauges[i])}
        raw.append({**change, "lon": lon, "lat": lat, "km": where})
    return raw


def _yards(raw: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Group gauge changes less than :data:`GAUGE_YARD_KM` apart: (first, last) of each."""
    groups: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for b in raw:
        if groups and b["km"] - groups[-1][1]["km"] < GAUGE_YARD_KM:
            groups[-1] = (groups[-1][0], b)
        else:
            groups.append((b, b))
    return groups


def transshipments(route: Route) -> list[dict[str, Any]]:
    """Changes of mode along the route (rail → ferry, ferry → rail, rail → road ...)."""
    p = route.pieces
    out: list[dict[str, Any]] = []
    if p.empty:
        return out
    modes, legs = text_values(p["mode"]), p["leg"].astype(int).to_numpy()
    at_km = _start_km(p)
    xs, ys = p["x0"].to_numpy(float), p["y0"].to_numpy(float)
    for i in (np.flatnonzero(modes[1:] != modes[:-1]) + 1).tolist():
        x, y = float(xs[i]), float(ys[i])
        name = None
        if legs[i] != legs[i - 1] and route.corridor is not None:
            name = route.legs[legs[i - 1]].leg.end.name
        out.append(
            {
                "from": modes[i - 1],
                "to": modes[i],
                "lon": round(x, 5),
                "lat": round(y, 5),
                "name": name or _place_name(x, y),
                "km": round(float(at_km[i]), 1),
            }
        )
    return out


# --- the metrics -----------------------------------------------------------------------------


def _by(pieces: pd.DataFrame, column: str) -> dict[str, float]:
    """Length in km by the values of ``column``, in order of first appearance."""
    if pieces.empty:
        return {}
    values = text_values(pieces[column])
    keys, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    km = np.bincount(inverse, weights=pieces["length_m"].to_numpy(float)) / 1000.0
    return {str(keys[i]): round(float(km[i]), 1) for i in np.argsort(first)}


def _time(
    route: Route,
    runs: Sequence[Run],
    crossings: Sequence[BorderCrossing],
    breaks: Sequence[Mapping[str, Any]],
    changes: Sequence[Mapping[str, Any]],
    model: TimeModel,
) -> dict[str, float] | None:
    p = route.pieces
    if p.empty or (p["mode"] == "pipeline").all():
        return None
    modes = text_values(p["mode"])
    speed = np.zeros(len(p))
    for mode, kmh in model.speed_kmh.items():
        speed[modes == mode] = kmh
    km = p["length_m"].to_numpy(float) / 1000.0
    moving = float(np.sum(np.where(speed > 0, km / np.where(speed > 0, speed, 1.0), 0.0)))
    border = sum(
        c.dwell_h if c.dwell_h is not None else model.border_dwell_h.get(c.mode, 0.0)
        for c in crossings
    )
    port_calls = sum(2 for r in runs if r.water)
    port = port_calls * model.port_dwell_h
    land_changes = [
        c for c in changes if c["from"] not in WATER_MODES and c["to"] not in WATER_MODES
    ]
    trans = (len(breaks) + len(land_changes)) * model.transshipment_h
    return {
        "moving_h": round(moving, 1),
        "border_h": round(border, 1),
        "port_h": round(port, 1),
        "transshipment_h": round(trans, 1),
        "total_h": round(moving + border + port + trans, 1),
    }


def _countries_in_order(runs: Sequence[Run]) -> list[str]:
    """Countries traversed in order; a country reached only by sea counts through its port."""
    out: list[str] = []

    def add(code: str | None) -> None:
        if code and (not out or out[-1] != code):
            out.append(code)

    for r in runs:
        if r.water:
            add(boundaries.nearest_country(*r.start))
            add(boundaries.nearest_country(*r.end))
        else:
            add(r.country)
    return out


def _published_total(route: Route) -> float | None:
    """The published length of the whole route, when every leg has one (km)."""
    pubs = [rl.leg.published_length for rl in route.legs]
    if not pubs or any(p is None for p in pubs):
        return None
    return round(sum(p.value_km for p in pubs if p is not None), 1)


def route_metrics(route: Route, *, time_model: TimeModel | None = None) -> dict[str, Any]:
    """Every metric of a route, as a JSON-ready mapping.

    Keys: ``id``, ``name``, ``length_km``, ``length_km_by_mode``, ``length_km_by_status``,
    ``length_km_by_country``, ``published_km_by_country`` (see :func:`published_by_country`),
    ``published_km`` (the published total when every leg has one, else ``None``),
    ``border_crossings`` (list of from/to/lon/lat/mode/name),
    ``border_crossings_count``, ``countries`` (in route order), ``avoids`` (each with
    ``verified``), ``missing_km``, ``access_km`` (the straight stretches between waypoints
    and the points they snapped to, included in ``length_km``), ``missing_links``,
    ``bridged_km``, ``gauge_breaks``,
    ``transshipments``, ``published_vs_modelled``, ``time_h``, ``time_h_breakdown``,
    ``legs``, ``warnings`` and ``provenance``.
    """
    model = time_model or DEFAULT_TIME_MODEL
    p = route.pieces
    runs = country_runs(p)
    crossings = border_crossings(p, runs=runs)
    countries = _countries_in_order(runs)
    breaks = gauge_breaks(p, crossings=crossings)
    changes = transshipments(route)
    time = _time(route, runs, crossings, breaks, changes, model)
    entered = set(countries)
    avoids = []
    if route.corridor is not None:
        avoids = [
            {"country": a.country, "reason": a.reason, "verified": a.country not in entered}
            for a in route.corridor.avoids
        ]
    legs = []
    published = []
    for rl in route.legs:
        leg = rl.leg
        item: dict[str, Any] = {
            "from": leg.start.name,
            "to": leg.end.name,
            "mode": leg.mode.value,
            "status": rl.status.value,
            "length_km": round(rl.length_km, 1),
            "missing": rl.missing,
        }
        if rl.reason:
            item["reason"] = rl.reason
        if rl.opened:
            item["opened"] = True
        if rl.snap_start_km is not None:
            item["snap_km"] = [rl.snap_start_km, rl.snap_end_km]
            item["access_km"] = round(rl.access_km, 1)
        if leg.link:
            item["link"] = leg.link
        if leg.published_length is not None:
            pub = leg.published_length.value_km
            dev = (rl.length_km - pub) / pub * 100.0 if pub else math.nan
            item["published_km"] = pub
            published.append(
                {
                    "leg": leg.name,
                    "published_km": pub,
                    "modelled_km": round(rl.length_km, 1),
                    "deviation_pct": round(dev, 1),
                    "source": leg.published_length.source,
                    "date": leg.published_length.date,
                }
            )
        legs.append(item)
    missing = [
        {
            "leg": rl.leg.name,
            "km": round(rl.length_km, 1),
            "status": rl.status.value,
            "reason": rl.reason,
            "link": rl.leg.link,
        }
        for rl in route.legs
        if rl.missing
    ]
    bridged = p[p["bridged"].astype(bool)] if len(p) else p
    kind = route.corridor.kind if route.corridor is not None else "route"
    return {
        "id": route.id,
        "name": route.name,
        "kind": kind,
        "from": legs[0]["from"] if legs else None,
        "to": legs[-1]["to"] if legs else None,
        "length_km": round(route.length_km, 1),
        "length_km_by_mode": _by(p, "mode"),
        "length_km_by_status": _by(p, "status"),
        "length_km_by_country": length_by_country(p, runs=runs),
        "published_km_by_country": published_by_country(route),
        "published_km": _published_total(route),
        "border_crossings": [c.as_dict() for c in crossings],
        "border_crossings_count": len(crossings),
        "countries": countries,
        "avoids": avoids,
        "missing_km": round(sum((rl.length_km for rl in route.legs if rl.missing), 0.0), 1),
        "access_km": round(sum((rl.access_km for rl in route.legs), 0.0), 1),
        "missing_links": missing,
        "bridged_km": round(float(bridged["length_m"].sum()) / 1000.0, 1) if len(p) else 0.0,
        "gauge_breaks": breaks,
        "transshipments": changes,
        "published_vs_modelled": published,
        "time_h": time["total_h"] if time else None,
        "time_h_breakdown": time,
        "legs": legs,
        "warnings": [*route.warnings, *(r.note for r in runs if r.note)],
        "provenance": dict(route.meta),
    }


#: The countries the policy texts argue about: each gets a fixed ``via_XXX`` yes/no column
#: and an ``XXX_km`` column in :func:`compare`, whatever else is in the table.
VIA_COUNTRIES = ("RUS", "IRN", "ARM", "GEO")


def compare_rows(
    metrics: Sequence[Mapping[str, Any]], *, errors: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Each route's metrics with the comparison fields; failed corridors get an ``error``.

    Added: ``avoids_ok`` (``True`` when the route keeps every avoid its definition states,
    ``None`` when it states none) and ``via`` (for each of :data:`VIA_COUNTRIES`, whether
    the route enters it and its km there). Nothing depends on the other rows.
    """
    out = []
    for m in metrics:
        own = m["avoids"]
        ok = all(a["verified"] for a in own) if own else None
        by_country = m["length_km_by_country"]
        via = {
            code: {"via": code in m["countries"], "km": float(by_country.get(code, 0.0))}
            for code in VIA_COUNTRIES
        }
        out.append({**m, "avoids_ok": ok, "via": via})
    for cid, err in (errors or {}).items():
        out.append({"id": cid, "error": err})
    return out


#: Columns of :func:`compare`, with units in their names.
COMPARE_COLUMNS = (
    "id",
    "name",
    "kind",
    "from",
    "to",
    "length_km",
    "operational_km",
    "missing_km",
    "rail_km",
    "road_km",
    "ferry_km",
    "sea_km",
    "border_crossings",
    "countries",
    "avoids",
    "avoids_ok",
    *(col for code in VIA_COUNTRIES for col in (f"via_{code}", f"{code}_km")),
    "gauge_breaks",
    "transshipments",
    "time_h",
    "time_h_today",
    "published_km",
    "published_km_by_country",
)

#: What the time columns of a reference line (drawn, not travelled) say.
REFERENCE_TIME = "reference line"
#: What ``time_h_today`` says for a route with missing links.
NOT_OPEN_TODAY = "not open today"


def compare(
    corridors: Sequence[Any],
    network: Any | None = None,
    *,
    options: Any | None = None,
    time_model: TimeModel | None = None,
    variants: bool = True,
) -> pd.DataFrame:
    """One row per corridor with unit-suffixed columns (see :data:`COMPARE_COLUMNS`).

    Parameters
    ----------
    corridors
        Definitions (routed on ``network``) or already routed :class:`Route` objects.
    network
        Needed when definitions are given (default: :func:`corridors.load_network`).
    options
        :class:`~corridors.routing.RoutingOptions` for every corridor.
    time_model
        Overrides of the time model.
    variants
        Also compare each definition's variants, after it, as ``corridors compare --all``
        does (so ``compare(load_all())`` has the CLI's rows).

    Returns
    -------
    pandas.DataFrame
        One row per corridor with a plain index, in the order given; ``time_h`` counts
        missing links as if built, ``time_h_today`` only routes open today.
        ``attrs["provenance"]`` holds the provenance and ``attrs["errors"]`` the
        corridors that could not be routed.
    """
    from corridors.routing import route_corridors

    items: list[Any] = []
    for c in corridors:
        items.append(c)
        if variants and not isinstance(c, Route):
            items.extend(v for v in c.variants if v not in corridors)
    routes = [c for c in items if isinstance(c, Route)]
    defs = [c for c in items if not isinstance(c, Route)]
    errors: dict[str, str] = {}
    if defs:
        if network is None:
            from corridors.network.build import load_network

            network = load_network(progress=False)
        more, errors = route_corridors(defs, network, options=options)
        routes += more
    order = {id(c): i for i, c in enumerate(items)}
    by_id = {r.id: r for r in routes}
    ranked = sorted(
        routes,
        key=lambda r: next(
            (order[id(c)] for c in items if getattr(c, "id", None) == r.id), len(items)
        ),
    )
    metrics = [route_metrics(r, time_model=time_model) for r in ranked if r.id in by_id]
    rows = [compare_row(m) for m in compare_rows(metrics) if "error" not in m]
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    frame.attrs["errors"] = errors
    frame.attrs["provenance"] = metrics[0]["provenance"] if metrics else {}
    return frame


def _yes(flag: bool | None) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")


def compare_row(m: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the comparison table from :func:`compare_rows` output."""
    by_mode = m["length_km_by_mode"]
    reference = m.get("kind") == "reference"
    time_h: Any = REFERENCE_TIME if reference or m["time_h"] is None else m["time_h"]
    if reference or m["time_h"] is None:
        today: Any = REFERENCE_TIME
    elif m["missing_km"] > 0:
        today = NOT_OPEN_TODAY
    else:
        today = m["time_h"]
    via = m.get("via") or compare_rows([m])[0]["via"]
    row: dict[str, Any] = {
        "id": m["id"],
        "name": m["name"],
        "kind": m.get("kind", "corridor"),
        "from": m.get("from"),
        "to": m.get("to"),
        "length_km": m["length_km"],
        "operational_km": round(m["length_km"] - m["missing_km"], 1),
        "missing_km": m["missing_km"],
        "rail_km": by_mode.get("rail", 0.0),
        "road_km": by_mode.get("road", 0.0),
        "ferry_km": by_mode.get("ferry", 0.0),
        "sea_km": by_mode.get("sea", 0.0),
        "border_crossings": m["border_crossings_count"],
        "countries": " → ".join(m["countries"]),
        "avoids": ", ".join(a["country"] for a in m["avoids"]),
        "avoids_ok": _yes(m.get("avoids_ok") if m["avoids"] else None),
    }
    for code in VIA_COUNTRIES:
        row[f"via_{code}"] = _yes(via[code]["via"])
        row[f"{code}_km"] = via[code]["km"]
    row.update(
        {
            "gauge_breaks": len(m["gauge_breaks"]),
            "transshipments": len(m["transshipments"]),
            "time_h": time_h,
            "time_h_today": today,
            "published_km": m.get("published_km"),
            "published_km_by_country": ", ".join(
                f"{k} {v:,.0f}" if v == int(v) else f"{k} {v:,.1f}"
                for k, v in (m.get("published_km_by_country") or {}).items()
            )
            if m.get("published_km") is not None
            else "",
        }
    )
    return row


def fastest_route(
    origin: Any,
    destination: Any,
    network: Any,
    *,
    options: Any | None = None,
    time_model: TimeModel | None = None,
) -> Route:
    """The least-time route between two places on any mode, by the time model's own time.

    Three candidates are routed: the shortest rail path, the shortest road path, and the
    multimodal path of least time (edges at the model's speeds, the model's port dwell
    per transfer and border dwell per crossing; see :func:`corridors.routing.route`).
    Each is timed by :func:`route_metrics` (speeds, border dwell by mode, port dwell,
    transshipments) and the least ``time_h`` wins (ties: the shorter).
    ``meta["candidates_h"]`` has each candidate's hours (``None`` where it has no path).

    Raises
    ------
    InfeasibleRouteError, SnapError
        When no candidate has a path (the multimodal candidate's error).
    """
    from corridors._errors import InfeasibleRouteError, SnapError
    from corridors.routing import route

    model = time_model or DEFAULT_TIME_MODEL
    found: list[tuple[float, float, str, Route]] = []
    times: dict[str, float | None] = {}
    error: Exception | None = None
    for mode in ("any", "rail", "road"):
        try:
            r = route(
                origin,
                destination,
                network,
                modes=mode,
                options=options,
                speeds_kmh=dict(model.speed_kmh),
                transfer_h=model.port_dwell_h,
                border_h=dict(model.border_dwell_h),
            )
        except (InfeasibleRouteError, SnapError) as exc:
            times[mode] = None
            error = error or exc
            continue
        t = route_metrics(r, time_model=model)["time_h"]
        times[mode] = t
        if t is not None:
            found.append((float(t), r.length_km, mode, r))
    if not found:
        assert error is not None
        raise error
    best = min(found, key=lambda f: (f[0], f[1]))[3]
    from dataclasses import replace

    return replace(best, meta={**best.meta, "candidates_h": times})
