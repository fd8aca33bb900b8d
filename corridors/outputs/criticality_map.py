"""The map of a criticality sweep: every closed link drawn by how much its loss costs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
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
    rows: Iterable[Mapping[str, Any]],
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
    graph = routing_graph(network)
    # one pass over the rows (a sweep's may be streamed): per element its count, cuts,
    # worst loss and the rows its tooltip shows, worst first (ties in row order)
    agg: dict[str, dict[str, Any]] = {}
    lon_lo = lat_lo = math.inf
    lon_hi = lat_hi = -math.inf
    top = 0.0
    for seq, r in enumerate(rows):
        a = agg.get(str(r["element"]))
        if a is None:
            a = agg[str(r["element"])] = {"first": r, "n": 0, "cuts": 0, "worst": 0.0, "shown": []}
        a["n"] += 1
        a["cuts"] += bool(r["cut"])
        dh = float(r["delta_time_h"] or 0.0)
        a["worst"] = max(a["worst"], dh)
        if r["delta_time_h"] is not None:
            top = max(top, float(r["delta_time_h"]))
        lon, lat = float(r["lon"]), float(r["lat"])
        lon_lo, lon_hi, lat_lo, lat_hi = (
            min(lon_lo, lon),
            max(lon_hi, lon),
            min(lat_lo, lat),
            max(lat_hi, lat),
        )
        shown = a["shown"]
        shown.append(((not r["cut"], -dh, seq), r))
        if len(shown) > 4 * TOOLTIP_ITEMS:
            shown.sort(key=lambda s: s[0])
            del shown[TOOLTIP_ITEMS:]
    if not agg:
        raise CorridorsError("nothing to map: the sweep has no rows")
    m = base_map((lon_lo, lat_lo, lon_hi, lat_hi), title=title, online=online)
    n = graph.n_network_edges
    for el_id, a in agg.items():
        el = elements.get(el_id)
        first = a["first"]
        colour = _colour(None if a["cuts"] else a["worst"], top)
        shown = [r for _, r in sorted(a["shown"], key=lambda s: s[0])[:TOOLTIP_ITEMS]]
        tip = "<br>".join(
            _esc(
                f"{r['item']}: "
                + ("cut" if r["cut"] else f"+{r['delta_time_h']} h, +{r['delta_length_km']} km")
            )
            for r in shown
        )
        if a["n"] > TOOLTIP_ITEMS:
            tip += f"<br>… and {a['n'] - TOOLTIP_ITEMS} more ({a['n']} items, {a['cuts']} cut)"
        label = f"<b>{_esc(el_id)}</b> {_esc(first['name'])}<br>{tip}"
        edges = np.asarray([e for e in (el.edges if el else ()) if e < n], dtype=np.int64)
        if len(edges) == 0:
            folium.CircleMarker(
                [float(first["lat"]), float(first["lon"])],
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
    m.fit_bounds([[lat_lo, lon_lo], [lat_hi, lon_hi]], padding=(20, 20))
    return m
