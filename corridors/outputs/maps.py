"""Comparison maps with Folium that work anywhere, offline too.

A map holds one layer per corridor (toggled in the layer control), styled by status
(solid operational, dashed under construction, dotted planned or missing) with water legs
drawn apart; markers for waypoints, border crossings, gauge breaks and missing links;
traversed countries lightly shaded and avoided countries outlined with the reason; a
legend; a comparison panel with the same figures as ``corridors compare``; attribution and
a provenance footer.

By default the page is self-contained: Leaflet's JavaScript and CSS are inlined from the
PyPI package ``folium-offline`` and the basemap is Natural Earth country polygons, so it
renders with no network. ``online=True`` adds OpenStreetMap tiles.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from corridors import settings
from corridors._errors import CorridorsError
from corridors._io import atomic_write, atomic_write_text
from corridors.analysis.metrics import compare_rows, route_metrics
from corridors.geo import boundaries
from corridors.provenance import DATA_SOURCES, tool_version
from corridors.routing import Route

__all__ = [
    "COLOURS",
    "STATUS_DASH",
    "base_map",
    "map_routes",
    "save_map",
    "save_png",
]

_LOG = logging.getLogger("corridors")

#: A distinct colour per shipped corridor (others cycle through ``_PALETTE``).
COLOURS = {
    "zangezur": "#d62728",
    "zangezur-road": "#ff7f0e",
    "aras": "#2ca02c",
    "aras-rail": "#17becf",
    "instc-west": "#9467bd",
    "instc-east": "#8c564b",
    "instc-caspian": "#e377c2",
    "middle-corridor": "#1f77b4",
    "middle-corridor-black-sea": "#393b79",
    "btk": "#bcbd22",
    "armenia-iran-road": "#7f7f7f",
    "btc-pipeline": "#000000",
}
_PALETTE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf")
#: Leaflet ``dashArray`` per status; missing links are dotted whatever their status.
STATUS_DASH = {
    "operational": None,
    "under_construction": "10 6",
    "planned": "2 7",
    "proposed": "2 7",
    "dismantled": "2 7",
}
_MISSING_DASH = "2 7"
#: Missing links shorter than this get no label on the map (they keep their tooltip).
MISSING_LABEL_MIN_KM = 10.0
_WATER_DASH = "12 4 2 4"


def _colour(cid: str, index: int) -> str:
    return COLOURS.get(cid, _PALETTE[index % len(_PALETTE)])


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _tolerance_deg(simplify_m: float | None) -> float:
    metres = settings.simplify_tolerance_m if simplify_m is None else simplify_m
    return max(metres, 0.0) / 111_320.0


def _simplify(coords: Sequence[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    if tol <= 0 or len(coords) < 3:
        return [(float(x), float(y)) for x, y in coords]
    line = shapely.LineString(coords).simplify(tol, preserve_topology=True)
    return [(float(x), float(y)) for x, y in line.coords]


def _latlon(coords: Sequence[tuple[float, float]]) -> list[list[float]]:
    return [[round(y, 5), round(x, 5)] for x, y in coords]


def _leg_segments(route: Route, leg_index: int) -> list[tuple[list[tuple[float, float]], str]]:
    """Split a leg's pieces into runs of one drawing style (mode/status/missing)."""
    p = route.pieces[route.pieces["leg"] == leg_index]
    if p.empty:
        return []
    keys = [
        ("missing" if m else st, mo)
        for m, st, mo in zip(
            p["missing"], p["status"].astype(str), p["mode"].astype(str), strict=True
        )
    ]
    out: list[tuple[list[tuple[float, float]], str]] = []
    x0, y0 = p["x0"].to_numpy(), p["y0"].to_numpy()
    x1, y1 = p["x1"].to_numpy(), p["y1"].to_numpy()
    start = 0
    for i in range(1, len(p) + 1):
        if i == len(p) or keys[i] != keys[start]:
            pts = [(float(x0[j]), float(y0[j])) for j in range(start, i)]
            pts.append((float(x1[i - 1]), float(y1[i - 1])))
            out.append((pts, f"{keys[start][0]}|{keys[start][1]}"))
            start = i
    return out


def _style(kind: str, colour: str) -> dict[str, Any]:
    status, mode = kind.split("|")
    dash = _MISSING_DASH if status == "missing" else STATUS_DASH.get(status)
    if mode in ("ferry", "sea") and status != "missing":
        dash = _WATER_DASH
    return {
        "color": colour,
        "weight": 3 if mode in ("ferry", "sea") else 4,
        "opacity": 0.6 if status == "missing" else 0.9,
        "dash_array": dash,
    }


def _leg_tooltip(corridor_name: str, leg: Mapping[str, Any]) -> str:
    parts = [
        f"<b>{_esc(corridor_name)}</b>",
        f"{_esc(leg['from'])} – {_esc(leg['to'])}",
        f"{_esc(leg['mode'])}, {_esc(leg['status'].replace('_', ' '))}",
        f"{leg['length_km']:,.1f} km modelled",
    ]
    if leg.get("published_km") is not None:
        dev = (leg["length_km"] - leg["published_km"]) / leg["published_km"] * 100
        parts.append(f"{leg['published_km']:,.1f} km published ({dev:+.0f}%)")
    if leg.get("missing"):
        parts.append(f"<i>missing link: {_esc(leg.get('reason', ''))}</i>")
    return "<br>".join(parts)


#: Country shapes for shading are clipped to this box and simplified (display only).
_SHADE_BOX = (0.0, 0.0, 110.0, 70.0)
_SHADE_TOLERANCE_DEG = 0.03


@functools.cache
def _shade_geometry(code: str) -> dict[str, Any] | None:
    gdf = boundaries.countries()
    rows = gdf.loc[gdf["iso3"] == code, "geometry"]
    if rows.empty:
        return None
    geom = shapely.intersection(rows.iloc[0], shapely.box(*_SHADE_BOX))
    geom = shapely.simplify(geom, _SHADE_TOLERANCE_DEG, preserve_topology=True)
    geom = shapely.set_precision(geom, 0.001)
    if geom.is_empty:
        return None
    mapped: dict[str, Any] = json.loads(shapely.to_geojson(geom))
    return mapped


def _country_shapes(codes: Sequence[str]) -> dict[str, Any]:
    names = dict(zip(boundaries.countries()["iso3"], boundaries.countries()["name"], strict=True))
    features = []
    for code in dict.fromkeys(codes):
        geometry = _shade_geometry(code)
        if geometry is not None:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"iso3": code, "name": str(names.get(code, code))},
                    "geometry": geometry,
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _basemap(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    """Natural Earth countries around the view, simplified for display."""
    west, south, east, north = bounds
    box = shapely.box(west - 12, south - 8, east + 12, north + 8)
    gdf = boundaries.countries()
    hits = gdf[gdf.intersects(box)]
    features = []
    for code, name, geom in zip(hits["iso3"], hits["name"], hits.geometry, strict=True):
        clipped = shapely.simplify(shapely.intersection(geom, box), 0.02, preserve_topology=True)
        if clipped.is_empty:
            continue
        mapped = json.loads(shapely.to_geojson(shapely.set_precision(clipped, 0.001)))
        features.append(
            {"type": "Feature", "properties": {"iso3": code, "name": str(name)}, "geometry": mapped}
        )
    return {"type": "FeatureCollection", "features": features}


_OVERLAY = Template(
    """
{% macro html(this, kwargs) %}
<div id="corridors-panel" class="corridors-panel">
  <details {{ 'open' if this.open else '' }}>
  <summary><b>Comparison</b> (same figures as <code>corridors compare</code>)</summary>
  <table>
    <thead><tr>{% for c in this.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for row in this.rows %}
      <tr data-id="{{ row.id_attr }}">
      {% for c in this.columns %}
        <td data-col="{{ c }}" data-value="{{ row.raw[c] }}">{{ row.shown[c] }}</td>
      {% endfor %}
      </tr>
    {% endfor %}
    </tbody>
  </table>
  </details>
</div>
{{ this.legend }}
{{ this.footer }}
{% endmacro %}
{% macro header(this, kwargs) %}
<style>
.corridors-panel { position: absolute; top: 10px; left: 54px; z-index: 1000;
  background: rgba(255,255,255,0.93); padding: 6px 8px; font: 12px/1.3 sans-serif;
  max-width: calc(100vw - 320px); max-height: 45vh; overflow: auto; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.corridors-panel table { border-collapse: collapse; }
.corridors-panel th, .corridors-panel td { padding: 2px 6px; border-bottom: 1px solid #ddd;
  text-align: right; white-space: nowrap; }
.corridors-panel td[data-col="name"], .corridors-panel th:first-child { text-align: left; }
.corridors-legend, .corridors-footer { position: absolute; z-index: 1000;
  font: 11px/1.35 sans-serif; background: rgba(255,255,255,0.92); padding: 6px 8px;
  border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.corridors-legend { bottom: 28px; left: 10px; }
.leaflet-container { background: #d4e4f1; }
.leaflet-control-layers { max-height: 40vh; overflow: auto; }
.corridors-footer { top: 10px; right: 10px; max-width: 40vw; color: #333; font-size: 10px; }
.corridors-legend svg { vertical-align: middle; }
.corridors-label { font: bold 11px sans-serif; color: #222; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution }});
{% endmacro %}
"""
)

_PANEL_COLUMNS = (
    "name",
    "length_km",
    "missing_km",
    "border_crossings",
    "countries",
    "avoids",
    "gauge_breaks",
    "time_h",
)


class _Html(MacroElement):
    """Page furniture: CSS in the header, panel/legend/footer in the body, a script."""

    def __init__(self, template: Template, **values: Any) -> None:
        super().__init__()
        self._template = template
        for k, v in values.items():
            setattr(self, k, v)


def _panel_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for m in rows:
        if "error" in m:
            continue
        raw = {
            "name": m["name"],
            "length_km": m["length_km"],
            "missing_km": m["missing_km"],
            "border_crossings": m["border_crossings_count"],
            "countries": " → ".join(m["countries"]),
            "avoids": ", ".join(
                f"{a['country']} ({'ok' if a['verified'] else 'entered'})" for a in m["avoids"]
            ),
            "gauge_breaks": len(m["gauge_breaks"]),
            "time_h": "" if m["time_h"] is None else m["time_h"],
        }
        shown = {k: (f"{v:,.1f}" if isinstance(v, float) else v) for k, v in raw.items()}
        out.append(
            {
                "id_attr": _esc(m["id"]),
                "raw": {k: _esc(v) for k, v in raw.items()},
                "shown": {k: _esc(v) for k, v in shown.items()},
            }
        )
    return out


def _svg_line(colour: str, dash: str | None, weight: int = 4) -> str:
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" '
        f'stroke="{colour}" stroke-width="{weight}"{d}/></svg>'
    )


def _legend(items: Sequence[tuple[str, str]]) -> str:
    rows = [
        f"{_svg_line('#444', None)} operational",
        f"{_svg_line('#444', STATUS_DASH['under_construction'])} under construction",
        f"{_svg_line('#444', _MISSING_DASH)} planned / missing link",
        f"{_svg_line('#444', _WATER_DASH, 3)} ferry / sea",
        '<span style="color:#000">&#9679;</span> waypoint &nbsp; '
        '<span style="color:#c00">&#9670;</span> border crossing &nbsp; '
        '<span style="color:#000">&#9632;</span> gauge break',
        '<span style="border:2px dashed #c00;padding:0 6px"></span> country avoided (hover)',
    ]
    rows += [f"{_svg_line(colour, None)} {_esc(name)}" for name, colour in items]
    return '<div class="corridors-legend"><b>Legend</b><br>' + "<br>".join(rows) + "</div>"


def _footer(routes: Sequence[Route]) -> str:
    defs = []
    for r in routes:
        digest = r.corridor.digest[:12] if r.corridor is not None else ""
        defs.append(f"{_esc(r.id)} {digest}")
    data = "; ".join(
        f"{_esc(s['name'])} ({_esc(s['package'])}, {_esc(s['date'])}, {_esc(s['licence'])})"
        for s in DATA_SOURCES.values()
    )
    created = routes[0].meta.get("created", "") if routes else ""
    return (
        '<div class="corridors-footer"><details><summary>'
        f"corridors {tool_version()} &middot; built {_esc(created)} &middot; sources</summary>"
        f"data: {data}<br>definitions (sha-256): {'; '.join(defs)}</details></div>"
    )


_ATTRIBUTION = (
    "Rail &amp; road network: &copy; OpenStreetMap contributors (ODbL), via scgraph-data | "
    "Boundaries: Made with Natural Earth | Sea routes: searoute / Eurostat MARNET"
)


def base_map(
    bounds: tuple[float, float, float, float], *, title: str, online: bool = False
) -> folium.Map:
    """An empty page: Leaflet only, the Natural Earth basemap around ``bounds``, a title.

    Parameters
    ----------
    bounds
        ``(west, south, east, north)`` in degrees, what the basemap must cover.
    title
        Page title (escaped).
    online
        Add OpenStreetMap tiles.
    """
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    # only Leaflet is needed: no jQuery, Bootstrap or icon fonts in the page
    m.default_js = [js for js in m.default_js if js[0] == "leaflet"]
    m.default_css = [css for css in m.default_css if css[0] == "leaflet_css"]
    root: Any = m.get_root()
    root.header.add_child(Element(f"<title>{_esc(title)}</title>"))
    folium.GeoJson(
        _basemap(bounds),
        name="Countries (Natural Earth)",
        style_function=lambda f: {
            "fillColor": "#f2efe9",
            "color": "#9a9a9a",
            "weight": 0.8,
            "fillOpacity": 1.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        control=False,
    ).add_to(m)
    if online:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)").add_to(m)
    return m


def map_routes(
    routes: Sequence[Route],
    *,
    metrics: Sequence[Mapping[str, Any]] | None = None,
    online: bool = False,
    title: str | None = None,
    simplify_m: float | None = None,
    panel_open: bool = True,
    m: folium.Map | None = None,
) -> folium.Map:
    """Build a Folium map comparing routed corridors, or add them to an existing map.

    Parameters
    ----------
    routes
        Routed corridors (:func:`corridors.route_corridor`).
    metrics
        Their :func:`corridors.analysis.metrics.route_metrics` (computed if not given).
    online
        Add OpenStreetMap tiles (needs the internet when the page is opened).
    title
        Page title.
    simplify_m
        Display simplification in metres (default
        :data:`corridors.settings.simplify_tolerance_m`); metrics use full geometry.
    panel_open
        Whether the comparison panel starts open.
    m
        An existing map (from :func:`base_map`, ``GeoDataFrame.explore()`` or folium) to
        add the routes to, as ``GeoDataFrame.explore(m=...)`` does: each route becomes one
        more layer; the page furniture (panel, legend, footer, layer control) is left to
        the map's owner. The same map is returned.
    """
    if not routes:
        raise CorridorsError("nothing to map: no routed corridors")
    existing = m
    mets = list(metrics) if metrics is not None else [route_metrics(r) for r in routes]
    rows = compare_rows(mets)
    tol = _tolerance_deg(simplify_m)
    xs = np.concatenate([np.r_[r.pieces["x0"], r.pieces["x1"]] for r in routes if len(r.pieces)])
    ys = np.concatenate([np.r_[r.pieces["y0"], r.pieces["y1"]] for r in routes if len(r.pieces)])
    bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    m = existing or base_map(bounds, title=title or "Corridor map", online=online)
    legend_items = []
    for i, (route, met) in enumerate(zip(routes, mets, strict=True)):
        colour = _colour(route.id, i)
        legend_items.append((route.name, colour))
        group = folium.FeatureGroup(name=_esc(route.name), show=True)
        group.add_to(m)
        _add_countries(group, route, met, colour)
        for leg_index, leg in enumerate(met["legs"]):
            for pts, kind in _leg_segments(route, leg_index):
                style = _style(kind, colour)
                folium.PolyLine(
                    _latlon(_simplify(pts, tol)),
                    tooltip=folium.Tooltip(_leg_tooltip(route.name, leg), sticky=True),
                    color=style["color"],
                    weight=style["weight"],
                    opacity=style["opacity"],
                    dash_array=style["dash_array"],
                    class_name=f"corridor-line corridor-{_esc(route.id)}",
                ).add_to(group)
        _add_markers(group, route, met, colour)
    if existing is not None:
        return m
    folium.LayerControl(collapsed=False, position="bottomright").add_to(m)
    _Html(
        _OVERLAY,
        rows=_panel_rows(rows),
        columns=_PANEL_COLUMNS,
        open=panel_open,
        legend=_legend(legend_items),
        footer=_footer(routes),
        attribution=json.dumps(_ATTRIBUTION),
    ).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(20, 20))
    return m


def _add_countries(
    group: folium.FeatureGroup, route: Route, met: Mapping[str, Any], colour: str
) -> None:
    traversed = list(dict.fromkeys(met["countries"]))
    if traversed:
        folium.GeoJson(
            _country_shapes(traversed),
            style_function=lambda f, c=colour: {
                "fillColor": c,
                "fillOpacity": 0.07,
                "color": c,
                "weight": 0.5,
                "opacity": 0.3,
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(group)
    reasons = {a["country"]: a["reason"] for a in met["avoids"]}
    if reasons:
        shapes = _country_shapes(list(reasons))
        for f in shapes["features"]:
            iso = f["properties"]["iso3"]
            f["properties"]["note"] = (
                f"{_esc(route.name)} avoids {_esc(f['properties']['name'])}: {_esc(reasons[iso])}"
            )
        folium.GeoJson(
            shapes,
            style_function=lambda f: {
                "fillOpacity": 0.0,
                "color": "#cc0000",
                "weight": 2,
                "dashArray": "6 4",
            },
            tooltip=folium.GeoJsonTooltip(fields=["note"], labels=False),
        ).add_to(group)


def _add_markers(
    group: folium.FeatureGroup, route: Route, met: Mapping[str, Any], colour: str
) -> None:
    if route.corridor is not None:
        for wp in route.corridor.waypoints:
            folium.CircleMarker(
                [wp.lat, wp.lon],
                radius=4,
                color="#000",
                weight=1,
                fill=True,
                fill_color=colour,
                fill_opacity=1.0,
                tooltip=f"{_esc(wp.name)} ({_esc(wp.country)}, {_esc(wp.role.value)})",
            ).add_to(group)
    for c in met["border_crossings"]:
        label = f"Border {_esc(c['from'])} → {_esc(c['to'])}"
        if c["name"]:
            label += f": {_esc(c['name'])}"
        folium.RegularPolygonMarker(
            [c["lat"], c["lon"]],
            number_of_sides=4,
            rotation=45,
            radius=7,
            color="#cc0000",
            weight=2,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1.0,
            tooltip=label,
        ).add_to(group)
    for g in met["gauge_breaks"]:
        where = f" at {_esc(g['name'])}" if g["name"] else ""
        folium.RegularPolygonMarker(
            [g["lat"], g["lon"]],
            number_of_sides=4,
            radius=6,
            color="#000",
            weight=1,
            fill=True,
            fill_color="#000",
            fill_opacity=0.9,
            tooltip=f"Gauge break {g['from_mm']} → {g['to_mm']} mm{where}",
        ).add_to(group)
    for rl, leg in zip(route.legs, met["legs"], strict=True):
        if not rl.missing or rl.length_km < MISSING_LABEL_MIN_KM:
            continue
        coords = route.coords(rl.index)
        if not coords:
            continue
        mx, my = coords[len(coords) // 2]
        folium.Marker(
            [my, mx],
            icon=folium.DivIcon(
                html=f'<div class="corridors-label">missing {leg["length_km"]:,.0f} km</div>',
                icon_size=(110, 16),
                icon_anchor=(0, 8),
            ),
            tooltip=f"Missing link {_esc(leg['from'])} – {_esc(leg['to'])}: "
            f"{leg['length_km']:,.1f} km ({_esc(leg['status'].replace('_', ' '))})",
        ).add_to(group)


# --- output ------------------------------------------------------------------------------------

_SCRIPT = re.compile(r'<script src="(https?://[^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"/>')


def _inline(page: str) -> str:
    """Replace CDN script and stylesheet links with their contents from folium-offline."""
    try:
        from offlinefolium.elements import _res
    except ImportError as exc:  # pragma: no cover - a declared dependency
        msg = "offline maps need 'folium-offline'; install it: pip install folium-offline==0.20.0.2"
        raise CorridorsError(msg) from exc

    def script(match: re.Match[str]) -> str:
        body = _res.get(match.group(1))
        if body is None:
            raise CorridorsError(f"no offline copy of {match.group(1)}; use --online")
        return "<script>" + body.replace("</script>", "<\\/script>") + "</script>"

    def css(match: re.Match[str]) -> str:
        body = _res.get(match.group(1))
        if body is None:
            raise CorridorsError(f"no offline copy of {match.group(1)}; use --online")
        return "<style>" + body + "</style>"

    return _CSS.sub(css, _SCRIPT.sub(script, page))


def save_map(m: folium.Map, path: str | Path, *, online: bool = False) -> Path:
    """Write the map's HTML atomically; offline pages carry Leaflet inline.

    Raises
    ------
    CorridorsError
        If an offline page would still need a resource from the network.
    """
    out = Path(path)
    root: Any = m.get_root()
    page = root.render()
    if not online:
        page = _inline(page)
        leftover = re.findall(r'(?:src|href)="(https?://[^"]+\.(?:js|css))"', page)
        if leftover:
            raise CorridorsError(f"offline map would load {leftover[0]}; use --online")
    atomic_write_text(out, page)
    return out


def save_png(
    routes: Sequence[Route], path: str | Path, *, title: str | None = None, dpi: int = 150
) -> Path:
    """A static PNG of the routes over Natural Earth countries, for reports."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(path)
    xs = np.concatenate([np.r_[r.pieces["x0"], r.pieces["x1"]] for r in routes if len(r.pieces)])
    ys = np.concatenate([np.r_[r.pieces["y0"], r.pieces["y1"]] for r in routes if len(r.pieces)])
    pad = 1.0
    fig, ax = plt.subplots(figsize=(10, 7))
    countries = boundaries.countries()
    countries.plot(ax=ax, color="#f2efe9", edgecolor="#999999", linewidth=0.5)
    for i, r in enumerate(routes):
        colour = _colour(r.id, i)
        label: str | None = r.name
        for leg in range(len(r.legs)):
            for pts, kind in _leg_segments(r, leg):
                st = _style(kind, colour)
                arr = np.asarray(pts)
                ax.plot(
                    arr[:, 0],
                    arr[:, 1],
                    color=colour,
                    linewidth=st["weight"] / 2,
                    linestyle=(0, (2, 2)) if st["dash_array"] else "-",
                    label=label,
                )
                label = None
    ax.set_xlim(xs.min() - pad, xs.max() + pad)
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_aspect(1 / np.cos(np.radians((ys.min() + ys.max()) / 2)))
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(title or "Corridors")
    ax.text(
        0.99,
        0.01,
        "© OpenStreetMap contributors (ODbL); Natural Earth; searoute",
        transform=ax.transAxes,
        ha="right",
        fontsize=6,
        color="#555",
    )
    atomic_write(out, lambda p: fig.savefig(p, dpi=dpi, bbox_inches="tight", format="png"))
    plt.close(fig)
    return out


#: The comparison maps ``make maps`` builds, besides one map per corridor.
COMPARISONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zangezur-vs-aras": ("Zangezur vs Aras", ("zangezur", "zangezur-road", "aras", "aras-rail")),
    "instc": ("INSTC variants", ("instc-west", "instc-east", "instc-caspian")),
    "middle-btk-zangezur": (
        "Middle Corridor vs Baku–Tbilisi–Kars vs Zangezur",
        ("middle-corridor", "middle-corridor-black-sea", "btk", "zangezur"),
    ),
}


def build_map_set(
    out_dir: str | Path,
    network: Any,
    *,
    online: bool = False,
    png: bool = False,
) -> list[Path]:
    """Build ``index.html``, one map per corridor, the comparison maps and ``all.html``.

    Corridors that cannot be routed are listed on the index with the reason.
    """
    from corridors.definitions._load import load_all
    from corridors.routing import route_corridors

    out = Path(out_dir)
    corridors = list(load_all(variants=True))
    routes, errors = route_corridors(corridors, network)
    by_id = {r.id: r for r in routes}
    mets = {r.id: route_metrics(r) for r in routes}
    written: list[tuple[str, str, Path]] = []

    def one(name: str, title: str, ids: Sequence[str]) -> None:
        rs = [by_id[i] for i in ids if i in by_id]
        if not rs:
            return
        m = map_routes(rs, metrics=[mets[r.id] for r in rs], online=online, title=title)
        path = save_map(m, out / f"{name}.html", online=online)
        if png:
            save_png(rs, out / f"{name}.png", title=title)
        written.append((name, title, path))

    for c in corridors:
        one(c.id, c.name, [c.id])
    for name, (title, ids) in COMPARISONS.items():
        one(name, title, ids)
    one("all", "All corridors", [c.id for c in corridors])
    from corridors.analysis.timemodel import time_distance
    from corridors.outputs.charts import png_data_uri, time_distance_png

    series = {r.name: time_distance(r.pieces, mets[r.id]) for r in routes if mets[r.id]["time_h"]}
    chart = time_distance_png(
        series,
        title="Time–distance, all corridors (time model defaults)",
        colours={r.name: _colour(r.id, i) for i, r in enumerate(routes)},
    )
    if png:
        atomic_write(out / "time-distance.png", lambda p: _write_bytes(p, chart))
    index = _index_page(
        written, compare_rows(list(mets.values()), errors=errors), png_data_uri(chart)
    )
    atomic_write_text(out / "index.html", index)
    return [out / "index.html", *(p for _, _, p in written)]


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _index_page(
    maps: Sequence[tuple[str, str, Path]], rows: Sequence[Mapping[str, Any]], chart_uri: str
) -> str:
    links = "\n".join(
        f'<li><a href="{_esc(p.name)}">{_esc(title)}</a></li>' for _, title, p in maps
    )
    body = []
    for r in _panel_rows(rows):
        cells = "".join(f'<td data-col="{c}">{r["shown"][c]}</td>' for c in _PANEL_COLUMNS)
        body.append(f'<tr data-id="{r["id_attr"]}">{cells}</tr>')
    errors = "".join(
        f"<li><b>{_esc(r['id'])}</b>: {_esc(r['error'])}</li>" for r in rows if "error" in r
    )
    head = "".join(f"<th>{c}</th>" for c in _PANEL_COLUMNS)
    sources = "".join(
        f"<li>{_esc(s['name'])}: {_esc(s['attribution'])} ({_esc(s['licence'])}, "
        f"{_esc(s['package'])})</li>"
        for s in DATA_SOURCES.values()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Corridor maps</title>
<style>body{{font:14px/1.4 sans-serif;margin:2em;max-width:80em}}
table{{border-collapse:collapse}}td,th{{padding:3px 8px;border-bottom:1px solid #ddd;
text-align:right}}td:first-child,th:first-child{{text-align:left}}</style></head>
<body><h1>Corridor maps</h1>
<p>Generated by corridors {tool_version()} on the embedded default data.
Open a map; each works offline.</p>
<ul>{links}</ul>
<h2>Comparison</h2>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
{f"<h2>Not routed</h2><ul>{errors}</ul>" if errors else ""}
<h2>Time–distance</h2>
<p>Cumulative hours against cumulative km (UNESCAP time/cost–distance method); vertical
steps are border crossings, port calls, gauge breaks and changes of mode.</p>
<img alt="time-distance chart of all corridors" src="{chart_uri}" style="max-width:100%">
<h2>Data</h2><ul>{sources}</ul>
</body></html>
"""
