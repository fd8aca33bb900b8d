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
    "compare_rows",
    "country_runs",
    "gauge_breaks",
    "length_by_country",
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

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with ``from`` and ``to`` (``km``: distance along the route)."""
        return {
            "from": self.from_country,
            "to": self.to_country,
            "lon": round(self.lon, 5),
            "lat": round(self.lat, 5),
            "mode": self.mode,
            "name": self.name,
            "km": round(self.km, 1),
        }


def length_by_country(
    pieces: pd.DataFrame, *, runs: Sequence[Run] | None = None
) -> dict[str, float]:
    """Length in km per ISO3 country in route order, with water legs as ``"sea"``."""
    out: dict[str, float] = {}
    for r in runs if runs is not None else country_runs(pieces):
        key = r.country or "unknown"
        out[key] = out.get(key, 0.0) + r.length_m / 1000.0
    return {k: round(v, 1) for k, v in out.items()}


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
        name = nearest_name(lon, lat, crossing_candidates(frozenset((a.country, b.country))))
        out.append(
            BorderCrossing(a.country, b.country, float(lon), float(lat), a.mode_end, name, km)
        )
    return out


def _start_km(pieces: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Distance along the route, in km, at the start of each piece."""
    length = pieces["length_m"].to_numpy(float) / 1000.0
    return np.concatenate([[0.0], np.cumsum(length)[:-1]]) if len(length) else length


def _place_name(lon: float, lat: float) -> str | None:
    return nearest_name(lon, lat, place_candidates())


def gauge_breaks(pieces: pd.DataFrame) -> list[dict[str, Any]]:
    """Places where consecutive rail stretches change gauge (e.g. 1520 ↔ 1435 mm)."""
    keep = ((pieces["mode"] == "rail") & (pieces["gauge_mm"].astype(int) > 0)).to_numpy()
    rail = pieces[keep]
    at_km = _start_km(pieces)[keep]
    out: list[dict[str, Any]] = []
    last = 0
    for g, x, y, km in zip(
        rail["gauge_mm"].astype(int), rail["x0"], rail["y0"], at_km, strict=True
    ):
        if last and g != last:
            out.append(
                {
                    "from_mm": last,
                    "to_mm": int(g),
                    "lon": round(float(x), 5),
                    "lat": round(float(y), 5),
                    "name": _place_name(float(x), float(y)),
                    "km": round(float(km), 1),
                }
            )
        last = int(g)
    return out


def transshipments(route: Route) -> list[dict[str, Any]]:
    """Changes of mode along the route (rail → ferry, ferry → rail, rail → road ...)."""
    p = route.pieces
    out: list[dict[str, Any]] = []
    if p.empty:
        return out
    modes, legs = p["mode"].astype(str).to_numpy(), p["leg"].astype(int).to_numpy()
    at_km = _start_km(p)
    for i in range(1, len(p)):
        if modes[i] == modes[i - 1]:
            continue
        x, y = float(p["x0"].iloc[i]), float(p["y0"].iloc[i])
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
    values = pieces[column].astype(str).to_numpy()
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
    modes = p["mode"].astype(str).to_numpy()
    speed = np.zeros(len(p))
    for mode, kmh in model.speed_kmh.items():
        speed[modes == mode] = kmh
    km = p["length_m"].to_numpy(float) / 1000.0
    moving = float(np.sum(np.where(speed > 0, km / np.where(speed > 0, speed, 1.0), 0.0)))
    border = sum(model.border_dwell_h.get(c.mode, 0.0) for c in crossings)
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


def route_metrics(route: Route, *, time_model: TimeModel | None = None) -> dict[str, Any]:
    """Every metric of a route, as a JSON-ready mapping.

    Keys: ``id``, ``name``, ``length_km``, ``length_km_by_mode``, ``length_km_by_status``,
    ``length_km_by_country``, ``border_crossings`` (list of from/to/lon/lat/mode/name),
    ``border_crossings_count``, ``countries`` (in route order), ``avoids`` (each with
    ``verified``), ``missing_km``, ``access_km`` (the straight stretches between waypoints
    and the nodes they snapped to, included in ``length_km``), ``missing_links``,
    ``bridged_km``, ``gauge_breaks``,
    ``transshipments``, ``published_vs_modelled``, ``time_h``, ``time_h_breakdown``,
    ``legs``, ``warnings`` and ``provenance``.
    """
    model = time_model or DEFAULT_TIME_MODEL
    p = route.pieces
    runs = country_runs(p)
    crossings = border_crossings(p, runs=runs)
    countries = _countries_in_order(runs)
    breaks = gauge_breaks(p)
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
    return {
        "id": route.id,
        "name": route.name,
        "length_km": round(route.length_km, 1),
        "length_km_by_mode": _by(p, "mode"),
        "length_km_by_status": _by(p, "status"),
        "length_km_by_country": length_by_country(p, runs=runs),
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


def compare_rows(
    metrics: Sequence[Mapping[str, Any]], *, errors: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Add ``countries_avoided`` to each route's metrics; failed corridors get an ``error``.

    ``countries_avoided`` holds the corridor's verified ``avoids`` and the countries the
    other compared corridors cross and this one does not.
    """
    crossed = {m["id"]: set(m["countries"]) for m in metrics}
    everyone = set().union(*crossed.values()) if crossed else set()
    out = []
    for m in metrics:
        own = {a["country"] for a in m["avoids"] if a["verified"]}
        others = everyone - crossed[m["id"]]
        out.append({**m, "countries_avoided": sorted(own | others)})
    for cid, err in (errors or {}).items():
        out.append({"id": cid, "error": err})
    return out


#: Columns of :func:`compare`, with units in their names.
COMPARE_COLUMNS = (
    "id",
    "name",
    "length_km",
    "rail_km",
    "road_km",
    "ferry_km",
    "sea_km",
    "missing_km",
    "border_crossings",
    "countries",
    "countries_avoided",
    "gauge_breaks",
    "transshipments",
    "time_h",
)


def compare(
    corridors: Sequence[Any],
    network: Any | None = None,
    *,
    options: Any | None = None,
    time_model: TimeModel | None = None,
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

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``; ``attrs["provenance"]`` holds the provenance and
        ``attrs["errors"]`` the corridors that could not be routed.
    """
    from corridors.routing import route_corridors

    routes = [c for c in corridors if isinstance(c, Route)]
    defs = [c for c in corridors if not isinstance(c, Route)]
    errors: dict[str, str] = {}
    if defs:
        if network is None:
            from corridors.network.build import load_network

            network = load_network(progress=False)
        more, errors = route_corridors(defs, network, options=options)
        routes += more
    metrics = [route_metrics(r, time_model=time_model) for r in routes]
    rows = [_row(m) for m in compare_rows(metrics) if "error" not in m]
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS)).set_index("id", drop=False)
    frame.attrs["errors"] = errors
    frame.attrs["provenance"] = metrics[0]["provenance"] if metrics else {}
    return frame


def _row(m: Mapping[str, Any]) -> dict[str, Any]:
    by_mode = m["length_km_by_mode"]
    return {
        "id": m["id"],
        "name": m["name"],
        "length_km": m["length_km"],
        "rail_km": by_mode.get("rail", 0.0),
        "road_km": by_mode.get("road", 0.0),
        "ferry_km": by_mode.get("ferry", 0.0),
        "sea_km": by_mode.get("sea", 0.0),
        "missing_km": m["missing_km"],
        "border_crossings": m["border_crossings_count"],
        "countries": " → ".join(m["countries"]),
        "countries_avoided": ", ".join(m["countries_avoided"]),
        "gauge_breaks": len(m["gauge_breaks"]),
        "transshipments": len(m["transshipments"]),
        "time_h": m["time_h"],
    }
