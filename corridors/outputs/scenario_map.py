"""The map of a scenario: each changed item's baseline and scenario routes, with its chart."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from branca.element import Element

from corridors._errors import ScenarioError
from corridors.analysis.scenarios import ScenarioResult
from corridors.analysis.timemodel import time_distance
from corridors.outputs.charts import png_data_uri, time_distance_png
from corridors.outputs.maps import map_routes
from corridors.routing import Route

__all__ = ["scenario_map"]


def scenario_map(result: ScenarioResult, *, online: bool = False, only_changed: bool = True) -> Any:
    """A Folium map with each changed item's baseline and scenario routes.

    The time–distance chart of both is embedded in the page.
    """
    ids = result.changed() if only_changed else [r["id"] for r in result.rows]
    drawn: list[Route] = []
    drawn_metrics: list[dict[str, Any]] = []
    series = {}
    styles = {}
    for item in ids:
        base = result.baseline.get(item)
        scen = result.routes.get(item)
        mb, ms = result.metrics[item]
        if base is not None and mb is not None:
            drawn.append(replace(base, id=f"{item} (baseline)", name=f"{base.name} — baseline"))
            drawn_metrics.append(
                {**mb, "id": f"{item} (baseline)", "name": f"{base.name} — baseline"}
            )
            series[f"{base.name} — baseline"] = time_distance(base.pieces, mb)
            styles[f"{base.name} — baseline"] = "--"
        if scen is not None and ms is not None:
            name = f"{scen.name} — {result.scenario.name}"
            drawn.append(replace(scen, id=f"{item} (scenario)", name=name))
            drawn_metrics.append({**ms, "id": f"{item} (scenario)", "name": name})
            series[name] = time_distance(scen.pieces, ms, result.scenario.time_model)
    if not drawn:
        raise ScenarioError(f"scenario {result.scenario.id!r}: nothing changed, nothing to map")
    m = map_routes(drawn, metrics=drawn_metrics, online=online, title=result.scenario.name)
    if series:
        uri = png_data_uri(time_distance_png(series, title=result.scenario.name, styles=styles))
        chart = (
            '<div style="position:absolute;bottom:28px;left:50%;transform:translateX(-50%);'
            "z-index:1000;background:#fff;padding:4px;border-radius:4px;"
            'box-shadow:0 1px 4px rgba(0,0,0,.3)"><details><summary>Time–distance chart'
            f'</summary><img alt="time-distance chart" src="{uri}" style="max-width:46vw">'
            "</details></div>"
        )
        root: Any = m.get_root()
        root.html.add_child(Element(chart))
    return m
