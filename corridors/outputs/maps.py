"""Comparison maps with Folium that work anywhere, offline too.

A map holds one layer per corridor (toggled in the layer control), styled by status
(solid operational, dashed under construction, dotted planned or missing) with water legs
drawn apart; markers for waypoints, border crossings, gauge breaks and missing links;
traversed countries lightly shaded and avoided countries outlined with the reason; a
legend; a comparison panel with the same figures as ``corridors compare``; attribution and
a provenance footer.

By default the page is self-contained: Leaflet's JavaScript and CSS are inlined from the
PyPI package ``folium-offline`` and the basemap is Natural Earth country polygons with the
region's rivers and lakes (:mod:`corridors.geo.water`) on top, so it renders with no
network. ``online=True`` adds OpenStreetMap tiles.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from corridors.geo import boundaries, water
from corridors.outputs.charts import mpl_text
from corridors.provenance import DATA_SOURCES, tool_version
from corridors.routing import Route

__all__ = [
    "MARKERS",
    "PALETTE",
    "STATUS_DASH",
    "MapParts",
    "add_routes",
    "base_map",
    "colours_for",
    "finish_map",
    "map_routes",
    "marker_svg",
    "png_bytes",
    "safe_url",
    "save_map",
    "save_png",
    "source_link",
]

_LOG = logging.getLogger("corridors")

#: Colour-blind-safe line colours, in the order a page hands them out (Okabe–Ito and Tol
#: colours, ordered so that the first *k* stay far apart, also under deuteranopia: CIELAB
#: distance >= 53 for the first four, >= 16 for all twelve; ``tests/outputs`` checks it).
PALETTE = (
    "#D55E00",
    "#0072B2",
    "#000000",
    "#009E73",
    "#88CCEE",
    "#228833",
    "#332288",
    "#AA4499",
    "#882255",
    "#CCBB44",
    "#CC79A7",
    "#6699CC",
)
#: Sea and land colours of the basemap, the web map's and the PNG's.
SEA = "#b9d3e6"
LAND = "#f2efe9"
#: Leaflet ``dashArray`` per status; missing links are dotted whatever their status.
STATUS_DASH = {
    "operational": None,
    "under_construction": "10 6",
    "planned": "2 7",
    "proposed": "2 7",
    "dismantled": "2 7",
}
_MISSING_DASH = "2 7"
#: A baseline drawn next to its scenario: same colour, dashed, thinner.
BASELINE_DASH = "8 5"
#: Missing links shorter than this get no label on the map (they keep their tooltip).
MISSING_LABEL_MIN_KM = 10.0
_WATER_DASH = "12 4 2 4"
#: Above this many layers the layer list starts collapsed (it opens on hover).
LAYER_LIST_MAX = 6


def colours_for(ids: Sequence[str]) -> dict[str, str]:
    """A colour per id in page order from :data:`PALETTE` (cycling past twelve)."""
    out: dict[str, str] = {}
    for i in dict.fromkeys(ids):
        out[i] = PALETTE[len(out) % len(PALETTE)]
    return out


_JS_LIVE = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "\u2028": "&#8232;", "\u2029": "&#8233;"}
)


def _esc(value: Any) -> str:
    """Escape text for HTML that folium may also place inside a JS template literal.

    ``html.escape`` covers element text and quoted attributes; backticks, ``$``, backslashes
    and the line separators U+2028/U+2029 become character references too, so the text stays
    inert inside `` `...` `` (where folium puts tooltips) and still shows literally.
    """
    return html.escape(str(value), quote=True).translate(_JS_LIVE)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an ``http(s)`` address, else ``None`` (no ``javascript:`` links)."""
    if not url:
        return None
    text = url.strip()
    if re.match(r"(?i)^https?://[^\s]+$", text) is None:
        return None
    return text


def _json_script(data: Any) -> str:
    """JSON safe to place inside ``<script>``: no ``</script>``, no raw U+2028/U+2029."""
    return (
        json.dumps(data, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


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


def _style(kind: str, colour: str, *, baseline: bool = False) -> dict[str, Any]:
    """Leaflet path options of one run of a leg: status by dash and width."""
    status, mode = kind.split("|")
    dash = _MISSING_DASH if status == "missing" else STATUS_DASH.get(status)
    weight = {"operational": 5, "under_construction": 4}.get(status, 3)
    if mode in ("ferry", "sea") and status != "missing":
        dash, weight = _WATER_DASH, 3
    if baseline and status != "missing":
        dash = BASELINE_DASH
    return {
        "color": colour,
        "weight": weight - 1 if baseline else weight,
        "opacity": 0.6 if status == "missing" else 0.9,
        "dash_array": dash,
    }


def _leg_tooltip(corridor_name: str, leg: Mapping[str, Any]) -> str:
    parts = [
        f"<b>{_esc(corridor_name)}</b>",
        f"{_esc(leg['from'])} – {_esc(leg['to'])}",
        f"{_esc(leg['mode'])}, {_esc(str(leg['status']).replace('_', ' '))}",
        f"{leg['length_km']:,.1f} km modelled",
    ]
    if leg.get("published_km") is not None:
        dev = (leg["length_km"] - leg["published_km"]) / leg["published_km"] * 100
        parts.append(f"{leg['published_km']:,.1f} km published ({dev:+.0f}%)")
    if leg.get("missing"):
        parts.append(f"<i>missing link: {_esc(leg.get('reason', ''))}</i>")
    return "<br>".join(parts)


# --- symbols: one function draws a marker and its legend entry ------------------------------

#: Point symbols: shape, size in px, stroke, stroke width, fill (``None``: the corridor colour).
MARKERS: dict[str, dict[str, Any]] = {
    "waypoint": {"shape": "circle", "size": 10, "stroke": "#000000", "width": 1, "fill": None},
    "crossing": {
        "shape": "diamond",
        "size": 14,
        "stroke": "#cc0000",
        "width": 2,
        "fill": "#ffffff",
    },
    "gauge": {"shape": "square", "size": 11, "stroke": "#000000", "width": 1, "fill": "#000000"},
}


def marker_svg(kind: str, colour: str = "#888888") -> str:
    """The inline SVG of a point symbol, used as the map marker and in the legend."""
    s = MARKERS[kind]
    size, w = s["size"], s["width"]
    fill = s["fill"] or colour
    c = size / 2
    r = c - w
    if s["shape"] == "circle":
        shape = f'<circle cx="{c}" cy="{c}" r="{r}"'
    elif s["shape"] == "diamond":
        shape = f'<polygon points="{c},{w} {size - w},{c} {c},{size - w} {w},{c}"'
    else:
        shape = f'<rect x="{w}" y="{w}" width="{size - 2 * w}" height="{size - 2 * w}"'
    return (
        f'<svg class="corridors-symbol symbol-{kind}" data-shape="{s["shape"]}" '
        f'width="{size}" height="{size}" viewBox="0 0 {size} {size}">'
        f'{shape} fill="{fill}" stroke="{s["stroke"]}" stroke-width="{w}"/></svg>'
    )


def _marker(
    kind: str, lat: float, lon: float, tooltip: str, colour: str = "#888888", extra: str = ""
) -> Any:
    size = MARKERS[kind]["size"]
    return folium.Marker(
        [lat, lon],
        icon=folium.DivIcon(
            html=marker_svg(kind, colour),
            icon_size=(size, size),
            icon_anchor=(size // 2, size // 2),
            class_name=f"corridors-marker marker-{kind}{extra}",
        ),
        tooltip=folium.Tooltip(tooltip),
    )


def _svg_line(colour: str, dash: str | None, weight: int = 4) -> str:
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" '
        f'stroke="{colour}" stroke-width="{weight}"{d}/></svg>'
    )


def layer_label(name: str, colour: str, *, baseline: bool = False) -> str:
    """A corridor's entry in the layer control: its line, its waypoint symbol, its name."""
    line = _svg_line(colour, BASELINE_DASH if baseline else None, 4)
    return (
        f'<span class="legend-corridor">{line}{marker_svg("waypoint", colour)} {_esc(name)}</span>'
    )


def _legend(items: Sequence[tuple[str, str, bool]]) -> str:
    """The legend: line styles and the point symbols (the same SVG as the markers).

    Each corridor's colour and waypoint symbol are in the layer control (:func:`layer_label`).
    """
    grey = "#444444"
    rows = [
        f"{_svg_line(grey, None, 5)} operational",
        f"{_svg_line(grey, STATUS_DASH['under_construction'], 4)} under construction",
        f"{_svg_line(grey, _MISSING_DASH, 3)} planned / missing link",
        f"{_svg_line(grey, _WATER_DASH, 3)} ferry / sea",
        f"{marker_svg('crossing')} border crossing",
        f"{marker_svg('gauge')} gauge break",
        '<span style="border:2px dashed #c00;padding:0 6px"></span> country avoided (hover)',
    ]
    if any(base for _, _, base in items):
        rows.append(f"{_svg_line(grey, BASELINE_DASH, 3)} baseline (scenario: solid)")
    return (
        '<div id="corridors-legend" class="corridors-box corridors-legend"><details open>'
        "<summary><b>Legend</b></summary>" + "<br>".join(rows) + "</details></div>"
    )


# --- basemap -----------------------------------------------------------------------------------

#: Country shapes for shading are clipped to this box and simplified (display only).
_SHADE_BOX = (0.0, 0.0, 110.0, 70.0)
_SHADE_TOLERANCE_DEG = 0.03
#: The world basemap: Natural Earth admin-0 simplified to this tolerance (degrees).
_WORLD_TOLERANCE_DEG = 0.05


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


@functools.cache
def _world() -> tuple[dict[str, Any], tuple[tuple[str, float, float], ...]]:
    """Natural Earth countries of the whole world, simplified, and a label point for each."""
    gdf = boundaries.countries()
    features = []
    labels = []
    for code, name, geom in zip(gdf["iso3"], gdf["name"], gdf.geometry, strict=True):
        shape = shapely.simplify(geom, _WORLD_TOLERANCE_DEG, preserve_topology=True)
        shape = shapely.set_precision(shape, 0.01)
        if shape.is_empty:
            continue
        mapped = json.loads(shapely.to_geojson(shape))
        features.append(
            {"type": "Feature", "properties": {"iso3": code, "name": str(name)}, "geometry": mapped}
        )
        parts = list(getattr(geom, "geoms", [geom]))
        biggest = max(parts, key=lambda g: g.area)
        pt = biggest.point_on_surface()
        labels.append((str(name), round(pt.x, 3), round(pt.y, 3)))
    return {"type": "FeatureCollection", "features": features}, tuple(labels)


def _basemap() -> dict[str, Any]:
    """The land of the world (Natural Earth admin-0); the sea is the page background."""
    return _world()[0]


#: Rivers and lakes on the web map: simplified to this tolerance and coordinate grid
#: (degrees), rivers from this length (km) and water areas from this size (km²) unless named.
_WATER_TOLERANCE_DEG = 0.01
_WATER_GRID_DEG = 0.01
_RIVER_MIN_KM = 40.0
_WATER_AREA_MIN_KM2 = 150.0
#: Colours of rivers (lines) and of the lakes' shores; lakes are filled with :data:`SEA`.
RIVER = "#3a7dbf"
SHORE = "#7fa7c9"


@functools.cache
def _water() -> dict[str, Any]:
    """Rivers (lines) and lakes (areas) of :data:`corridors.geo.water.REGION` as GeoJSON."""
    gdf = water.water()
    kinds = gdf["kind"].to_numpy()
    named = gdf["name"].to_numpy() != ""
    keep = named | np.where(
        kinds == "river",
        gdf["length_km"].to_numpy() >= _RIVER_MIN_KM,
        gdf["area_km2"].to_numpy() >= _WATER_AREA_MIN_KM2,
    )
    features = []
    # areas first, so that river lines are drawn over reservoirs and deltas
    order = sorted(np.flatnonzero(keep), key=lambda i: (kinds[i] == "river", i))
    geoms = gdf.geometry.values
    for i in order:
        shape = shapely.simplify(geoms[i], _WATER_TOLERANCE_DEG, preserve_topology=True)
        shape = shapely.set_precision(shape, _WATER_GRID_DEG)
        if shape.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": str(kinds[i]), "name": str(gdf["label"].iloc[i])},
                "geometry": json.loads(shapely.to_geojson(shape)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _water_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    if feature["properties"]["kind"] == "river":
        named = bool(feature["properties"]["name"])
        return {"color": RIVER, "weight": 2.2 if named else 1.2, "opacity": 0.9, "fill": False}
    return {"color": SHORE, "weight": 0.6, "fillColor": SEA, "fillOpacity": 1.0, "opacity": 1.0}


#: Named river lines at least this long (km) get a label each; the longest always does.
_RIVER_LABEL_MIN_KM = 250.0
#: Where along a river line its label may sit (fractions of its length, first choice first),
#: and how far (degrees) it keeps from city and port labels where it can.
_RIVER_LABEL_AT = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)
_RIVER_LABEL_CLEAR_DEG = 0.3


def _river_label_point(line: Any, towns: Any) -> Any:
    """The first point of :data:`_RIVER_LABEL_AT` clear of every town, else the clearest."""
    pts = [line.interpolate(f, normalized=True) for f in _RIVER_LABEL_AT]
    if not len(towns):
        return pts[0]
    clear = [float(np.min(np.hypot(towns[:, 0] - p.x, towns[:, 1] - p.y))) for p in pts]
    ok = [p for p, c in zip(pts, clear, strict=True) if c >= _RIVER_LABEL_CLEAR_DEG]
    return ok[0] if ok else pts[int(np.argmax(clear))]


@functools.cache
def _water_label_points() -> tuple[tuple[str, str, float, float], ...]:
    """Labels of named water: lakes at a point inside, rivers along their lines.

    A river is labelled on its longest line and on every line of at least
    :data:`_RIVER_LABEL_MIN_KM` (the Kura in Georgia and in Azerbaijan), away from the city
    and port labels where the line allows.
    """
    from corridors.geo import geodata

    towns = np.array([(p.lon, p.lat) for p in geodata.places() if p.kind in ("city", "port")])
    gdf = water.water()
    out = []
    named = gdf[gdf["name"] != ""]
    for _, rows in named.groupby("name", sort=True):
        kind = str(rows["kind"].iloc[0])
        label = str(rows["label"].iloc[0])
        if kind != "river":
            pt = rows.geometry.iloc[0].point_on_surface()
            out.append((label, kind, round(pt.x, 3), round(pt.y, 3)))
            continue
        km = rows["length_km"].to_numpy()
        for i in sorted({int(km.argmax()), *np.flatnonzero(km >= _RIVER_LABEL_MIN_KM).tolist()}):
            pt = _river_label_point(rows.geometry.iloc[i], towns)
            out.append((label, kind, round(pt.x, 3), round(pt.y, 3)))
    return tuple(out)


def _place_labels(bounds: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    """Country names, named rivers and lakes, then ports and cities around ``bounds``."""
    from corridors.geo import geodata

    west, south, east, north = bounds
    out: list[dict[str, Any]] = []
    for name, lon, lat in _world()[1]:
        if west - 15 <= lon <= east + 15 and south - 10 <= lat <= north + 10:
            out.append({"text": name, "lon": lon, "lat": lat, "kind": "country"})
    for name, kind, lon, lat in _water_label_points():
        if west - 15 <= lon <= east + 15 and south - 10 <= lat <= north + 10:
            out.append({"text": name, "lon": lon, "lat": lat, "kind": kind})
    for kind in ("port", "city"):
        for p in geodata.places():
            if p.kind == kind and west - 5 <= p.lon <= east + 5 and south - 4 <= p.lat <= north + 4:
                out.append({"text": p.name, "lon": p.lon, "lat": p.lat, "kind": kind})
    return out


_OVERLAY = Template(
    """
{% macro html(this, kwargs) %}
<div id="corridors-panel" class="corridors-box corridors-panel">
  <details {{ 'open' if this.open else '' }}>
  <summary><b>Comparison</b> (as <code>corridors compare</code>)</summary>
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
.corridors-box { background: rgba(255,255,255,0.94); padding: 5px 8px; font: 12px/1.35 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); overflow: auto; }
.corridors-box summary { cursor: pointer; }
.corridors-panel { max-width: 62vw; max-height: 44vh; }
.corridors-panel table { border-collapse: collapse; }
.corridors-panel th, .corridors-panel td { padding: 2px 6px; border-bottom: 1px solid #ddd;
  text-align: right; white-space: nowrap; }
.corridors-panel td[data-col="name"], .corridors-panel th:first-child { text-align: left; }
.corridors-legend { font-size: 11px; max-height: 46vh; max-width: 26vw; }
.corridors-legend svg { vertical-align: middle; margin-right: 2px; }
.corridors-footer { max-width: 34vw; max-height: 40vh; color: #333; font-size: 10px; }
.leaflet-container { background: #b9d3e6; }  /* SEA */
.leaflet-control-layers { max-height: 34vh; overflow: auto; font: 12px/1.3 sans-serif; }
.leaflet-control-layers svg { vertical-align: middle; margin-right: 2px; }
.leaflet-control-attribution { max-width: 46vw; }
.corridors-marker { background: none; border: none; }
.corridors-label { white-space: nowrap; pointer-events: none; color: #222;
  font: 11px sans-serif; text-shadow: 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.corridors-label.kind-country { font: italic 12px serif; color: #5a5a5a; letter-spacing: 0.5px; }
.corridors-label.kind-port { color: #0b4f79; }
.corridors-label.kind-river, .corridors-label.kind-lake { font: italic 11px serif; color: #1f5f9e; }
.corridors-label.kind-missing { font-weight: bold; color: #000; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function (map, groups, data) {
  map.attributionControl.addAttribution(data.attribution);
  function control(id, position) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var C = L.Control.extend({ onAdd: function () {
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.disableScrollPropagation(el);
      return el;
    } });
    new C({ position: position }).addTo(map);
  }
  control("corridors-panel", "topleft");
  control("corridors-legend", "bottomleft");
  control("corridors-footer", "topright");
  control("corridors-chart", "topright");
  if (window.innerWidth < 1300) {
    document.querySelectorAll("#corridors-panel details, #corridors-chart details")
      .forEach(function (d) { d.open = false; });
  }
  // popups on click: the same text as the tooltip, for legs and markers
  Object.keys(groups).forEach(function (k) {
    groups[k].eachLayer(function bind(layer) {
      if (layer.eachLayer) { layer.eachLayer(bind); }
      var tip = layer.getTooltip && layer.getTooltip();
      if (tip && !layer.getPopup()) { layer.bindPopup(tip.getContent(), { maxWidth: 360 }); }
    });
  });
  // labels: text nodes (never HTML), shown by priority where they do not collide
  var labelPane = map.createPane("corridors-labels");
  labelPane.style.zIndex = 450;
  labelPane.style.pointerEvents = "none";
  var labels = [];
  data.labels.forEach(function (l, i) {
    var div = document.createElement("div");
    div.className = "corridors-label kind-" + l.kind;
    div.textContent = l.text;
    var icon = L.divIcon({ html: div, className: "corridors-label-icon", iconSize: null,
      iconAnchor: l.kind === "country" ? [0, 0] : [-4, 6] });
    var marker = L.marker([l.lat, l.lon], { icon: icon, interactive: false,
      keyboard: false, pane: "corridors-labels" });
    marker.addTo(l.group !== undefined ? groups[l.group] : map);
    labels.push({ marker: marker, el: div, kind: l.kind });
  });
  function overlaps(a, b) {
    return !(a.right < b.left || b.right < a.left || a.bottom < b.top || b.bottom < a.top);
  }
  function declutter() {
    var taken = Array.prototype.map.call(
      document.querySelectorAll(".leaflet-control"), function (c) {
        return c.getBoundingClientRect();
      });
    labels.forEach(function (l) {
      if (!l.marker._map) { return; }
      l.el.style.visibility = "visible";
      var r = l.el.getBoundingClientRect();
      var hit = taken.some(function (t) { return overlaps(r, t); });
      l.el.style.visibility = hit ? "hidden" : "visible";
      l.el.dataset.shown = hit ? "0" : "1";
      if (!hit) { taken.push(r); }
    });
  }
  // fit the routes, then widen the padding until no corner box covers a route's end
  function boxes() {
    return Array.prototype.map.call(
      map.getContainer().querySelectorAll(".leaflet-control"), function (c) {
        return c.getBoundingClientRect();
      });
  }
  function fit() {
    var area = map.getContainer().getBoundingClientRect();
    var pad = { l: 20, t: 20, r: 20, b: 20 };
    for (var k = 0; k < 8; k++) {
      map.fitBounds(data.bounds, { paddingTopLeft: [pad.l, pad.t],
        paddingBottomRight: [pad.r, pad.b], animate: false });
      var hit = null;
      var ends = map.getContainer().querySelectorAll(".route-end");
      var cover = boxes();
      Array.prototype.forEach.call(ends, function (e) {
        var r = e.getBoundingClientRect();
        cover.forEach(function (b) { if (!hit && overlaps(r, b)) { hit = b; } });
      });
      if (!hit) { break; }
      var cx = (hit.left + hit.right) / 2 - area.left;
      var cy = (hit.top + hit.bottom) / 2 - area.top;
      var west = cx < area.width / 2;
      var north = cy < area.height / 2;
      var dx = west ? hit.right - area.left + 12 : area.right - hit.left + 12;
      var dy = north ? hit.bottom - area.top + 12 : area.bottom - hit.top + 12;
      var key = dx <= dy ? (west ? "l" : "r") : (north ? "t" : "b");
      pad[key] = Math.max(pad[key], dx <= dy ? dx : dy);
      if (pad.l + pad.r > area.width - 120 || pad.t + pad.b > area.height - 120) { break; }
    }
    map.getContainer().dataset.fitPadding = JSON.stringify(pad);
  }
  map.on("zoomend moveend overlayadd overlayremove", declutter);
  fit();
  declutter();
  // once more when the boxes have their final size (the first layout may still move)
  setTimeout(function () { fit(); declutter(); }, 30);
  window.corridorsFit = fit;
})({{ this._parent.get_name() }}, {{ this.groups }}, {{ this.data }});
{% endmacro %}
"""
)

#: Comparison columns shown on the map panel and the index, in this order.
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


def source_link(title: str, url: str | None) -> str:
    """A source as HTML: a link only for an ``http(s)`` address, else plain text."""
    safe = safe_url(url)
    if safe is None:
        return _esc(title) + (f" ({_esc(url)})" if url else "")
    return f'<a href="{_esc(safe)}" rel="noopener noreferrer">{_esc(title)}</a>'


def _footer(routes: Sequence[Route]) -> str:
    defs = []
    refs: dict[str, str] = {}
    for r in routes:
        digest = r.corridor.digest[:12] if r.corridor is not None else ""
        defs.append(f"{_esc(r.id)} {digest}")
        for s in r.corridor.sources if r.corridor is not None else ():
            refs.setdefault(s.id, source_link(f"{s.title} ({s.publisher}, {s.date})", s.url))
    data = "; ".join(
        f"{_esc(s['name'])} ({_esc(s['package'])}, {_esc(s['date'])}, {_esc(s['licence'])})"
        for s in DATA_SOURCES.values()
    )
    created = routes[0].meta.get("created", "") if routes else ""
    cited = "".join(f"<li>{v}</li>" for v in refs.values())
    return (
        '<div id="corridors-footer" class="corridors-box corridors-footer"><details><summary>'
        f"corridors {tool_version()} &middot; built {_esc(created)} &middot; sources</summary>"
        f"data: {data}<br>definitions (sha-256): {'; '.join(defs)}"
        f"{'<br>sources of the definitions:<ul>' + cited + '</ul>' if cited else ''}"
        "</details></div>"
    )


_ATTRIBUTION = (
    "&copy; OpenStreetMap contributors (ODbL) | Made with Natural Earth | "
    "rivers: GSHHG WDBII (LGPL-3.0) | searoute / MARNET"
)


#: Leaflet panes of the basemap: the land under the water, both under the routes.
LAND_PANE = "corridors-land"
WATER_PANE = "corridors-water"


def base_map(
    bounds: tuple[float, float, float, float], *, title: str, online: bool = False
) -> folium.Map:
    """An empty page: Leaflet only, the world's land, the region's rivers and lakes, a title.

    Parameters
    ----------
    bounds
        ``(west, south, east, north)`` in degrees, the view to open on.
    title
        Page title (escaped).
    online
        Add OpenStreetMap tiles.
    """
    centre = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    # the view is set without animation by the page's own fit (finish_map)
    m = folium.Map(
        location=centre,
        zoom_start=5,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,
    )
    # only Leaflet is needed: no jQuery, Bootstrap or icon fonts in the page
    m.default_js = [js for js in m.default_js if js[0] == "leaflet"]
    m.default_css = [css for css in m.default_css if css[0] == "leaflet_css"]
    root: Any = m.get_root()
    root.header.add_child(Element(f"<title>{_esc(title)}</title>"))
    # land, then water, then (in the overlay pane, z-index 400) the routes
    folium.map.CustomPane(LAND_PANE, z_index=350, pointer_events=True).add_to(m)
    folium.map.CustomPane(WATER_PANE, z_index=360, pointer_events=False).add_to(m)
    folium.GeoJson(
        _basemap(),
        name="Countries (Natural Earth)",
        style_function=lambda f: {
            "fillColor": LAND,
            "color": "#9a9a9a",
            "weight": 0.8,
            "fillOpacity": 1.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        control=False,
        smooth_factor=1.0,
        pane=LAND_PANE,
    ).add_to(m)
    folium.GeoJson(
        _water(),
        name="Rivers and lakes (OpenStreetMap via geo-maps)",
        style_function=_water_style,
        control=False,
        smooth_factor=1.0,
        pane=WATER_PANE,
        interactive=False,
        class_name="corridors-water",
    ).add_to(m)
    if online:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)").add_to(m)
    return m


@dataclass(frozen=True)
class MapParts:
    """What :func:`add_routes` put on a map, for :func:`finish_map` to describe.

    Attributes
    ----------
    bounds
        ``(west, south, east, north)`` in degrees that the view must show.
    rows
        Comparison rows for the panel (:func:`corridors.analysis.metrics.compare_rows`).
    legend
        ``(name, colour, is_baseline)`` per route layer.
    routes
        The routes drawn (their definitions' digests and sources go in the footer).
    groups
        The layers whose markers get popups and labels.
    labels
        Labels bound to a layer (missing links): text, lon, lat, kind, group index.
    """

    bounds: tuple[float, float, float, float]
    rows: tuple[Mapping[str, Any], ...] = ()
    legend: tuple[tuple[str, str, bool], ...] = ()
    routes: tuple[Route, ...] = ()
    groups: tuple[folium.FeatureGroup, ...] = ()
    labels: tuple[Mapping[str, Any], ...] = ()


def finish_map(m: folium.Map, parts: MapParts, *, panel_open: bool = True) -> folium.Map:
    """Add the layer control, panel, legend, footer, labels, popups and the fit; call it last.

    Every layer must be on the map before this is called: the layer control's script
    refers to each of them.
    """
    # many layers: the list opens on hover, so it does not cover a quarter of the map
    collapsed = len(parts.groups) > LAYER_LIST_MAX
    folium.LayerControl(collapsed=collapsed, position="bottomright").add_to(m)
    names = [g.get_name() for g in parts.groups]
    bounds = parts.bounds
    data = {
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "labels": [*parts.labels, *_place_labels(bounds)],
        "attribution": _ATTRIBUTION,
    }
    _Html(
        _OVERLAY,
        rows=_panel_rows(parts.rows),
        columns=_PANEL_COLUMNS if parts.rows else (),
        open=panel_open,
        legend=_legend(parts.legend),
        footer=_footer(parts.routes),
        groups="{" + ", ".join(f'"{i}": {n}' for i, n in enumerate(names)) + "}",
        data=_json_script(data),
    ).add_to(m)
    return m


def _bounds(routes: Sequence[Route]) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of the routes' pieces and their waypoints."""
    xs = np.concatenate(
        [np.r_[r.pieces["x0"], r.pieces["x1"]] for r in routes if len(r.pieces)]
        + [np.array([w.lon for w in r.corridor.waypoints]) for r in routes if r.corridor]
    )
    ys = np.concatenate(
        [np.r_[r.pieces["y0"], r.pieces["y1"]] for r in routes if len(r.pieces)]
        + [np.array([w.lat for w in r.corridor.waypoints]) for r in routes if r.corridor]
    )
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def map_routes(
    routes: Sequence[Route],
    *,
    metrics: Sequence[Mapping[str, Any]] | None = None,
    online: bool = False,
    title: str | None = None,
    simplify_m: float | None = None,
    panel_open: bool = True,
    colours: Mapping[str, str] | None = None,
    baselines: Sequence[str] = (),
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
        Whether the comparison panel starts open (it starts closed below 1300 px wide).
    colours
        A colour per route id (default: :func:`colours_for` in page order).
    baselines
        Ids of routes drawn as a baseline: dashed and thinner, in their scenario's colour.
    m
        An existing map (from :func:`base_map`, ``GeoDataFrame.explore()`` or folium) to
        add the routes to, as ``GeoDataFrame.explore(m=...)`` does: each route becomes one
        more layer; the page furniture (panel, legend, footer, layer control) is left to
        the map's owner. The same map is returned.
    """
    if not routes:
        raise CorridorsError("nothing to map: no routed corridors")
    if m is not None:
        add_routes(
            m, routes, metrics=metrics, simplify_m=simplify_m, colours=colours, baselines=baselines
        )
        return m
    m = base_map(_bounds(routes), title=title or "Corridor map", online=online)
    parts = add_routes(
        m, routes, metrics=metrics, simplify_m=simplify_m, colours=colours, baselines=baselines
    )
    return finish_map(m, parts, panel_open=panel_open)


def add_routes(
    m: folium.Map,
    routes: Sequence[Route],
    *,
    metrics: Sequence[Mapping[str, Any]] | None = None,
    simplify_m: float | None = None,
    colours: Mapping[str, str] | None = None,
    baselines: Sequence[str] = (),
) -> MapParts:
    """Add one layer per route (lines, countries, markers) to ``m``; see :func:`map_routes`."""
    if not routes:
        raise CorridorsError("nothing to map: no routed corridors")
    mets = list(metrics) if metrics is not None else [route_metrics(r) for r in routes]
    tol = _tolerance_deg(simplify_m)
    palette = dict(colours) if colours is not None else colours_for([r.id for r in routes])
    legend_items: list[tuple[str, str, bool]] = []
    groups = []
    labels: list[dict[str, Any]] = []
    for route, met in zip(routes, mets, strict=True):
        colour = palette.get(route.id) or PALETTE[len(legend_items) % len(PALETTE)]
        base = route.id in baselines
        legend_items.append((route.name, colour, base))
        group = folium.FeatureGroup(name=layer_label(route.name, colour, baseline=base))
        group.add_to(m)
        groups.append(group)
        _add_countries(group, route, met, colour)
        for leg_index, leg in enumerate(met["legs"]):
            for pts, kind in _leg_segments(route, leg_index):
                style = _style(kind, colour, baseline=base)
                folium.PolyLine(
                    _latlon(_simplify(pts, tol)),
                    tooltip=folium.Tooltip(_leg_tooltip(route.name, leg), sticky=True),
                    color=style["color"],
                    weight=style["weight"],
                    opacity=style["opacity"],
                    dash_array=style["dash_array"],
                    class_name=f"corridor-line corridor-{_class(route.id)}",
                ).add_to(group)
        labels += _add_markers(group, route, met, colour, len(groups) - 1)
    return MapParts(
        bounds=_bounds(routes),
        rows=tuple(compare_rows(mets)),
        legend=tuple(legend_items),
        routes=tuple(routes),
        groups=tuple(groups),
        labels=tuple(labels),
    )


def _class(cid: str) -> str:
    """A CSS class fragment from an id (letters, digits, ``-`` and ``_`` only)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", cid)


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
    group: folium.FeatureGroup,
    route: Route,
    met: Mapping[str, Any],
    colour: str,
    group_index: int,
) -> list[dict[str, Any]]:
    """Waypoints, crossings, gauge breaks; returns the route's missing-link labels."""
    if route.corridor is not None:
        wps = route.corridor.waypoints
        for i, wp in enumerate(wps):
            end = " first" if i == 0 else " last" if i == len(wps) - 1 else ""
            _marker(
                "waypoint",
                wp.lat,
                wp.lon,
                f"{_esc(wp.name)} ({_esc(wp.country)}, {_esc(wp.role.value)})",
                colour,
                f" route-end route-end-{_class(route.id)}{end}" if end else "",
            ).add_to(group)
    for c in met["border_crossings"]:
        label = f"Border {_esc(c['from'])} → {_esc(c['to'])}"
        if c["name"]:
            label += f": {_esc(c['name'])}"
        _marker("crossing", c["lat"], c["lon"], label).add_to(group)
    for g in met["gauge_breaks"]:
        where = f" at {_esc(g['name'])}" if g["name"] else ""
        tip = f"Gauge break {_esc(g['from_mm'])} → {_esc(g['to_mm'])} mm{where}"
        _marker("gauge", g["lat"], g["lon"], tip).add_to(group)
    labels = []
    for rl, leg in zip(route.legs, met["legs"], strict=True):
        if not rl.missing or rl.length_km < MISSING_LABEL_MIN_KM:
            continue
        coords = route.coords(rl.index)
        if not coords:
            continue
        mx, my = coords[len(coords) // 2]
        labels.append(
            {
                "text": f"missing {leg['length_km']:,.0f} km",
                "lon": round(float(mx), 5),
                "lat": round(float(my), 5),
                "kind": "missing",
                "group": group_index,
            }
        )
    return labels


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


_MPL_MARKER = {"circle": "o", "diamond": "D", "square": "s"}


def _scale_km(span_km: float) -> float:
    """A round scale-bar length near a fifth of ``span_km``."""
    target = span_km / 5
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000):
        if step >= target:
            return float(step)
    return 5000.0


def _plot_water(ax: Any, view: tuple[float, float, float, float]) -> None:
    """Lakes (filled with the sea colour) and rivers of the web map inside ``view``."""
    gdf = water.water()
    gdf = gdf[gdf.intersects(shapely.box(*view))]
    areas = gdf[gdf["kind"] != "river"]
    areas = areas[(areas["name"] != "") | (areas["area_km2"] >= _WATER_AREA_MIN_KM2 / 10)]
    rivers = gdf[gdf["kind"] == "river"]
    rivers = rivers[(rivers["name"] != "") | (rivers["length_km"] >= _RIVER_MIN_KM / 4)]
    if len(areas):
        areas.plot(ax=ax, color=SEA, edgecolor=SHORE, linewidth=0.3, zorder=1.5)
    if len(rivers):
        named = (rivers["name"] != "").to_numpy()
        rivers.plot(ax=ax, color=RIVER, linewidth=np.where(named, 0.9, 0.5), zorder=1.6)
    for text, kind, lon, lat in _water_label_points():
        if view[0] < lon < view[2] and view[1] < lat < view[3]:
            ax.text(
                lon,
                lat,
                mpl_text(text),
                fontsize=7,
                style="italic",
                color="#1f5f9e",
                ha="center",
                va="bottom" if kind == "river" else "center",
                clip_on=True,
                zorder=3,
            )


def save_png(
    routes: Sequence[Route],
    path: str | Path,
    *,
    title: str | None = None,
    dpi: int = 150,
    colours: Mapping[str, str] | None = None,
    baselines: Sequence[str] = (),
) -> Path:
    """A static PNG of the routes, styled as the web map: sea, land, markers, legend, scale.

    Parameters
    ----------
    routes
        Routed corridors.
    path
        Output file (written atomically).
    title
        Figure title.
    dpi
        Resolution in dots per inch.
    colours, baselines
        As in :func:`map_routes`.
    """
    data = png_bytes(routes, title=title, dpi=dpi, colours=colours, baselines=baselines)
    out = Path(path)
    atomic_write(out, lambda p: _write_bytes(p, data))
    return out


def png_bytes(
    routes: Sequence[Route],
    *,
    title: str | None = None,
    dpi: int = 150,
    colours: Mapping[str, str] | None = None,
    baselines: Sequence[str] = (),
) -> bytes:
    """The PNG of :func:`save_png` as bytes (for embedding in a brief)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    west, south, east, north = _bounds(routes)
    pad = max(1.0, 0.08 * max(east - west, north - south))
    palette = dict(colours) if colours is not None else colours_for([r.id for r in routes])
    fig, ax = plt.subplots(figsize=(10, 7))
    ax.set_facecolor(SEA)
    boundaries.countries().plot(ax=ax, color=LAND, edgecolor="#9a9a9a", linewidth=0.5)
    _plot_water(ax, (west - pad, south - pad, east + pad, north + pad))
    handles: list[Any] = []
    for i, r in enumerate(routes):
        colour = palette.get(r.id) or PALETTE[i % len(PALETTE)]
        base = r.id in baselines
        for leg in range(len(r.legs)):
            for pts, kind in _leg_segments(r, leg):
                st = _style(kind, colour, baseline=base)
                arr = np.asarray(pts)
                dash = st["dash_array"]
                ls: Any = (0, tuple(float(v) / 2 for v in dash.split())) if dash else "-"
                ax.plot(arr[:, 0], arr[:, 1], color=colour, linewidth=st["weight"] / 2, ls=ls)
        handles.append(
            Line2D([], [], color=colour, lw=2, ls="--" if base else "-", label=mpl_text(r.name))
        )
        if r.corridor is not None:
            wp = MARKERS["waypoint"]
            ax.scatter(
                [w.lon for w in r.corridor.waypoints],
                [w.lat for w in r.corridor.waypoints],
                s=22,
                marker="o",
                facecolor=colour,
                edgecolor=wp["stroke"],
                linewidth=wp["width"] / 2,
                zorder=5,
            )
        met = route_metrics(r)
        for kind, items in (("crossing", met["border_crossings"]), ("gauge", met["gauge_breaks"])):
            if items:
                s = MARKERS[kind]
                ax.scatter(
                    [c["lon"] for c in items],
                    [c["lat"] for c in items],
                    s=40 if kind == "crossing" else 26,
                    marker=_MPL_MARKER[s["shape"]],
                    facecolor=s["fill"],
                    edgecolor=s["stroke"],
                    linewidth=s["width"] / 1.5,
                    zorder=6,
                )
    for kind, text in (("crossing", "border crossing"), ("gauge", "gauge break")):
        s = MARKERS[kind]
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker=_MPL_MARKER[s["shape"]],
                markerfacecolor=s["fill"],
                markeredgecolor=s["stroke"],
                label=text,
            )
        )
    handles.append(Line2D([], [], color="#444", lw=1.5, ls=(0, (1, 3.5)), label="missing link"))
    x0, x1 = west - pad, east + pad
    y0, y1 = south - pad, north + pad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    mid = (y0 + y1) / 2
    ax.set_aspect(1 / np.cos(np.radians(mid)))
    for name, lon, lat in _world()[1]:
        if x0 < lon < x1 and y0 < lat < y1:
            ax.text(
                lon,
                lat,
                mpl_text(name),
                fontsize=8,
                style="italic",
                color="#5a5a5a",
                ha="center",
                va="center",
                clip_on=True,
                zorder=3,
            )
    # scale bar: geodesic km along the parallel near the bottom
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    ybar = y0 + 0.05 * (y1 - y0)
    xbar = x0 + 0.04 * (x1 - x0)
    km_per_deg = geod.inv(xbar, ybar, xbar + 1.0, ybar)[2] / 1000.0
    km = _scale_km((x1 - x0) * km_per_deg)
    ax.plot([xbar, xbar + km / km_per_deg], [ybar, ybar], color="#000", lw=3, solid_capstyle="butt")
    ax.text(xbar, ybar + 0.015 * (y1 - y0), f"{km:,.0f} km", fontsize=8)
    ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.9)
    ax.set_title(mpl_text(title or "Corridors"))
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.text(
        0.99,
        0.01,
        "© OpenStreetMap contributors (ODbL; rivers, lakes via geo-maps); GSHHG WDBII rivers "
        "(LGPL-3.0); Natural Earth; searoute",
        transform=ax.transAxes,
        ha="right",
        fontsize=6,
        color="#555",
    )
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, bbox_inches="tight", format="png")
    plt.close(fig)
    return buf.getvalue()


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
        colours={r.name: colours_for([x.id for x in routes])[r.id] for r in routes},
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
