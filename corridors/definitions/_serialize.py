"""Plain-data (JSON-ready) forms of the domain values."""

from __future__ import annotations

from typing import Any

from corridors.model import Corridor, Leg, Waypoint

__all__ = ["corridor_to_dict", "leg_to_dict", "waypoint_to_dict"]


def waypoint_to_dict(wp: Waypoint) -> dict[str, Any]:
    """A waypoint as a JSON-ready mapping."""
    out: dict[str, Any] = {
        "name": wp.name,
        "lon": wp.lon,
        "lat": wp.lat,
        "country": wp.country,
        "role": wp.role.value,
    }
    if wp.source:
        out["source"] = wp.source
    if wp.aliases:
        out["aliases"] = list(wp.aliases)
    return out


def leg_to_dict(leg: Leg) -> dict[str, Any]:
    """A leg of a definition as a JSON-ready mapping (``from``/``to`` are waypoint names)."""
    out: dict[str, Any] = {
        "from": leg.start.name,
        "to": leg.end.name,
        "mode": leg.mode.value,
        "status": leg.status.value,
    }
    if leg.link:
        out["link"] = leg.link
    if leg.expected_year is not None:
        out["expected_year"] = leg.expected_year
    if leg.published_length is not None:
        p = leg.published_length
        out["published_length_km"] = {"value": p.value_km, "source": p.source, "date": p.date}
    if leg.geometry is not None:
        out["geometry"] = [list(pt) for pt in leg.geometry]
    if leg.note:
        out["note"] = leg.note
    if leg.source:
        out["source"] = leg.source
    return out


def corridor_to_dict(corridor: Corridor) -> dict[str, Any]:
    """The full definition as a JSON-ready mapping, with its digest."""
    out: dict[str, Any] = {
        "id": corridor.id,
        "name": corridor.name,
        "aliases": list(corridor.aliases),
        "summary": corridor.summary,
        "kind": corridor.kind,
        "modes": [m.value for m in corridor.modes],
        "avoids": [{"country": a.country, "reason": a.reason} for a in corridor.avoids],
        "sources": [
            {k: v for k, v in s.__dict__.items() if v is not None} for s in corridor.sources
        ],
        "waypoints": [waypoint_to_dict(wp) for wp in corridor.waypoints],
        "legs": [leg_to_dict(leg) for leg in corridor.legs],
        "digest": corridor.digest,
    }
    if corridor.parent:
        out["parent"] = corridor.parent
    if corridor.variants:
        out["variants"] = [
            {
                "id": v.id,
                "name": v.name,
                "modes": [m.value for m in v.modes],
                "legs": [leg_to_dict(leg) for leg in v.legs],
            }
            for v in corridor.variants
        ]
    return out
