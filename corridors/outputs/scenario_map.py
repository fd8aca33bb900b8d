"""The map of a scenario: each changed item's baseline and scenario routes, with its chart.

A baseline and its scenario share a colour: the scenario solid, the baseline dashed; the
embedded time–distance chart uses the same colours and dashes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from branca.element import Element

from corridors._errors import ScenarioError
from corridors.analysis.scenarios import ScenarioResult
from corridors.analysis.timemodel import time_distance
from corridors.outputs.charts import png_data_uri, time_distance_png
from corridors.outputs.maps import PALETTE, _bounds, _esc, add_routes, base_map, finish_map
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
    styles: dict[str, str] = {}
    chart_colours: dict[str, str] = {}
    colours: dict[str, str] = {}
    baselines: list[str] = []
    for n, item in enumerate(ids):
        colour = PALETTE[n % len(PALETTE)]
        base = result.baseline.get(item)
        scen = result.routes.get(item)
        mb, ms = result.metrics[item]
        if base is not None and mb is not None:
            bid, bname = f"{item} (baseline)", f"{base.name} — baseline"
            drawn.append(replace(base, id=bid, name=bname))
            drawn_metrics.append({**mb, "id": bid, "name": bname})
            series[bname] = time_distance(base.pieces, mb)
            styles[bname] = "--"
            chart_colours[bname] = colours[bid] = colour
            baselines.append(bid)
        if scen is not None and ms is not None:
            sid, name = f"{item} (scenario)", f"{scen.name} — {result.scenario.name}"
            drawn.append(replace(scen, id=sid, name=name))
            drawn_metrics.append({**ms, "id": sid, "name": name})
            series[name] = time_distance(scen.pieces, ms, result.scenario.time_model)
            chart_colours[name] = colours[sid] = colour
    if not drawn:
        raise ScenarioError(f"scenario {result.scenario.id!r}: nothing changed, nothing to map")
    m = base_map(_bounds(drawn), title=result.scenario.name, online=online)
    parts = add_routes(m, drawn, metrics=drawn_metrics, colours=colours, baselines=baselines)
    if series:
        png = time_distance_png(
            series, title=result.scenario.name, styles=styles, colours=chart_colours
        )
        chart = (
            '<div id="corridors-chart" class="corridors-box"><details open>'
            f"<summary><b>Time–distance chart</b>: {_esc(result.scenario.name)}</summary>"
            f'<img alt="time-distance chart" src="{png_data_uri(png)}" style="max-width:40vw">'
            "</details></div>"
        )
        root: Any = m.get_root()
        root.html.add_child(Element(chart))
    finish_map(m, parts)
    return m
