"""Routes as GeoDataFrames and GeoJSON, with provenance."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely

from corridors.analysis.metrics import route_metrics
from corridors.routing import Route

__all__ = ["route_to_gdf", "route_to_geojson"]


def route_to_gdf(route: Route, *, metrics: dict[str, Any] | None = None) -> gpd.GeoDataFrame:
    """One row per leg (EPSG:4326) with from, to, mode, status, length_km, missing, reason.

    ``attrs`` carries the route's metrics (without the per-leg list) and provenance.
    """
    m = metrics or route_metrics(route)
    rows = []
    for rl, leg_m in zip(route.legs, m["legs"], strict=True):
        coords = route.coords(rl.index)
        geom = shapely.LineString(coords) if len(coords) >= 2 else None
        rows.append({"route_id": route.id, "leg": rl.index, **leg_m, "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf.attrs["metrics"] = {k: v for k, v in m.items() if k != "legs"}
    gdf.attrs["provenance"] = dict(route.meta)
    return gdf


def route_to_geojson(route: Route, *, metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the legs; route metrics and provenance as members."""
    m = metrics or route_metrics(route)
    features = []
    for rl, leg_m in zip(route.legs, m["legs"], strict=True):
        coords = route.coords(rl.index)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(x, 6), round(y, 6)] for x, y in coords],
                }
                if len(coords) >= 2
                else None,
                "properties": {"route_id": route.id, "leg": rl.index, **leg_m},
            }
        )
    summary = {k: v for k, v in m.items() if k not in ("legs", "provenance")}
    return {
        "type": "FeatureCollection",
        "properties": summary,
        "provenance": dict(route.meta),
        "features": features,
    }
