"""The map of a criticality sweep: every closed link drawn by how much its loss costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import numpy as np

from corridors._errors import CorridorsError
from corridors.analysis.criticality import Element
from corridors.network._graph import routing_graph
from corridors.network.core import Network
from corridors.outputs.maps import _esc, base_map

__all__ = ["TOOLTIP_ITEMS", "criticality_map"]

#: Items listed in a link's tooltip (the worst first); a matrix sweep has hundreds a link.
TOOLTIP_ITEMS = 12

_CUT = "#000000"
_RAMP = ("#fee08b", "#fdae61", "#f46d43", "#d73027", "#a50026")


def _colour(delta_h: float | None, top: float) -> str:
    if delta_h is None:
        return _CUT
    if delta_h <= 0 or top <= 0:
        return "#1a9850"
    return _RAMP[min(len(_RAMP) - 1, int(len(_RAMP) * delta_h / (top * 1.0001)))]


def criticality_map(
    rows: Sequence[Mapping[str, Any]],
    elements: Mapping[str, Element],
    network: Network,
    *,
    title: str = "Link criticality",
    online: bool = False,
) -> folium.Map:
    """Each closed segment, crossing and ferry, coloured by the hours its loss adds.

    Black: its loss cuts an item (no alternative); green: no increase; yellow to dark red:
    increasing hours, scaled to the largest increase. The tooltip lists the items' results,
    the worst first, at most :data:`TOOLTIP_ITEMS` of them; all text in it is escaped.
    """
    if not rows:
        raise CorridorsError("nothing to map: the sweep has no rows")
    graph = routing_graph(network)
    by_el: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_el.setdefault(str(r["element"]), []).append(r)
    finite = [float(r["delta_time_h"]) for r in rows if r["delta_time_h"] is not None]
    top = max(finite) if finite else 0.0
    lons = [float(r["lon"]) for r in rows]
    lats = [float(r["lat"]) for r in rows]
    m = base_map((min(lons), min(lats), max(lons), max(lats)), title=title, online=online)
    n = graph.n_network_edges
    for el_id, el_rows in by_el.items():
        el = elements.get(el_id)
        worst = (
            None
            if any(r["cut"] for r in el_rows)
            else max(float(r["delta_time_h"] or 0.0) for r in el_rows)
        )
        colour = _colour(worst, top)
        # the worst first (cuts, then hours added), at most TOOLTIP_ITEMS of them
        shown = sorted(el_rows, key=lambda r: (not r["cut"], -float(r["delta_time_h"] or 0.0)))
        tip = "<br>".join(
            _esc(
                f"{r['item']}: "
                + ("cut" if r["cut"] else f"+{r['delta_time_h']} h, +{r['delta_length_km']} km")
            )
            for r in shown[:TOOLTIP_ITEMS]
        )
        if len(shown) > TOOLTIP_ITEMS:
            cuts = sum(bool(r["cut"]) for r in shown)
            tip += f"<br>… and {len(shown) - TOOLTIP_ITEMS} more ({len(shown)} items, {cuts} cut)"
        label = f"<b>{_esc(el_id)}</b> {_esc(el_rows[0]['name'])}<br>{tip}"
        edges = np.asarray([e for e in (el.edges if el else ()) if e < n], dtype=np.int64)
        if len(edges) == 0:
            folium.CircleMarker(
                [float(el_rows[0]["lat"]), float(el_rows[0]["lon"])],
                radius=6,
                color=colour,
                fill=True,
                tooltip=label,
            ).add_to(m)
            continue
        lines = [
            [[float(graph.y[a]), float(graph.x[a])], [float(graph.y[b]), float(graph.x[b])]]
            for a, b in zip(graph.u[edges], graph.v[edges], strict=True)
        ]
        folium.PolyLine(lines, color=colour, weight=5, opacity=0.9, tooltip=label).add_to(m)
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    return m
