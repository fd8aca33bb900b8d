"""OpenStreetMap sources: Overpass through osmnx (online), and local files (offline).

- Overpass: a query polygon around the corridors (buffer ``settings.overpass_buffer_km``),
  one custom filter per mode, osmnx's own cache inside the project cache. Only complete,
  successful answers are cached (osmnx saves only ``ok`` responses; a failing status raises
  before that).
- Files: OSM XML (``.osm``, read by ``osmnx.graph_from_xml``), ``.osm.pbf`` (read with
  ``osmium``), GraphML (``osmnx.load_graphml``) and GeoJSON line files.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests
import shapely
from pyproj import Geod

from corridors import settings
from corridors._data import cache_dir, display_path
from corridors._errors import DataSourceError
from corridors.model import Corridor
from corridors.network.core import (
    TAG_COLUMNS,
    Network,
    empty_segments,
    mark_closed_crossings,
    network_from_segments,
)
from corridors.network.gauge import add_gauge, gauge_from_tag
from corridors.network.repair import repair_network

__all__ = [
    "MODE_FILTERS",
    "check_coordinates",
    "network_from_file",
    "network_from_graph",
    "network_from_overpass",
    "overpass_polygon",
    "overpass_url",
    "segments_from_graph",
]

_LOG = logging.getLogger("corridors")
_GEOD = Geod(ellps="WGS84")

#: Overpass way filters per mode.
MODE_FILTERS = {
    "rail": '["railway"~"^(rail|narrow_gauge|construction|proposed|disused|abandoned)$"]',
    "road": '["highway"~"^(motorway|trunk|primary|motorway_link|trunk_link|primary_link)$"]',
    "ferry": '["route"="ferry"]',
}
_RAIL_VALUES = {"rail", "narrow_gauge", "construction", "proposed", "disused", "abandoned"}
_ROAD_VALUES = {"motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"}
_KEEP_TAGS = (*TAG_COLUMNS, "route", "gauge", "name", "ref")


def _status(tags: dict[str, Any]) -> str:
    railway = str(tags.get("railway") or "")
    highway = str(tags.get("highway") or "")
    if railway == "construction" or highway == "construction":
        return "under_construction"
    if railway == "proposed" or highway == "proposed":
        return "proposed"
    if railway in ("disused", "abandoned"):
        return "dismantled"
    return "operational"


def _mode(tags: dict[str, Any]) -> str | None:
    if str(tags.get("railway") or "") in _RAIL_VALUES:
        return "rail"
    if str(tags.get("highway") or "") in _ROAD_VALUES:
        return "road"
    if str(tags.get("route") or "") == "ferry":
        return "ferry"
    return None


def _first(value: Any) -> Any:
    """Osmnx joins tags of merged ways into lists; keep the first."""
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _osmid(value: Any) -> int:
    v = _first(value)
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


def _segments_from_records(
    records: Iterable[tuple[Sequence[tuple[float, float]], dict[str, Any]]],
    *,
    source: str,
    modes: Sequence[str] | None,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for coords, raw_tags in records:
        tags = {k: _first(v) for k, v in raw_tags.items()}
        mode = _mode(tags)
        if mode is None or (modes and mode not in modes):
            continue
        base = {
            "mode": mode,
            "status": _status(tags),
            "gauge_mm": gauge_from_tag(tags.get("gauge")) if mode == "rail" else 0,
            "source": source,
            "name": str(tags.get("name") or ""),
            "osmid": _osmid(tags.get("osmid")),
            **{c: str(tags.get(c) or "") for c in TAG_COLUMNS},
        }
        if mode == "ferry":
            base["g0"] = base["g1"] = "water"
        for (x0, y0), (x1, y1) in itertools.pairwise(coords):
            rows.append({"x0": x0, "y0": y0, "x1": x1, "y1": y1, **base})
    return pd.DataFrame(rows) if rows else empty_segments()


def segments_from_graph(
    graph: Any, *, source: str, modes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Segment table from an osmnx graph (edge ``geometry`` is followed when present)."""
    xs = {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
    seen: set[tuple[Any, Any, Any]] = set()

    def records() -> Iterable[tuple[Sequence[tuple[float, float]], dict[str, Any]]]:
        for u, v, k, data in graph.edges(keys=True, data=True):
            if (v, u, k) in seen:
                continue
            seen.add((u, v, k))
            geom = data.get("geometry")
            coords = list(geom.coords) if geom is not None else [xs[u], xs[v]]
            yield coords, {**data, "osmid": data.get("osmid")}

    return _segments_from_records(records(), source=source, modes=modes)


def check_coordinates(seg: pd.DataFrame, *, where: str) -> None:
    """Refuse segments whose ends are not finite lon/lat in range, before anything is built.

    Raises
    ------
    DataSourceError
        Naming the source, how many segments are bad and the first of them (NaN, ±inf,
        longitude outside −180..180 or latitude outside −90..90 degrees).
    """
    if seg.empty:
        return
    lon = seg[["x0", "x1"]].to_numpy(dtype=float)
    lat = seg[["y0", "y1"]].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(lon).all(axis=1)
            & np.isfinite(lat).all(axis=1)
            & (np.abs(lon) <= 180.0).all(axis=1)
            & (np.abs(lat) <= 90.0).all(axis=1)
        )
    if ok.all():
        return
    bad = np.flatnonzero(~ok)
    i = int(bad[0])
    row = seg.iloc[i]
    osmid = int(row["osmid"]) if "osmid" in seg.columns and pd.notna(row["osmid"]) else -1
    way = f"way {osmid}" if osmid > 0 else f"segment {i}"
    msg = (
        f"{where}: {len(bad):,} segment{'s' if len(bad) != 1 else ''} with coordinates that "
        f"are not a finite lon −180..180, lat −90..90 (first: {way} from "
        f"({lon[i, 0]:.6g}, {lat[i, 0]:.6g}) to ({lon[i, 1]:.6g}, {lat[i, 1]:.6g})); "
        "fix or re-download the file"
    )
    raise DataSourceError(msg)


def _finish(seg: pd.DataFrame, *, meta: dict[str, Any], where: str) -> Network:
    check_coordinates(seg, where=where)
    if seg.empty:
        msg = (
            f"{where}: no rail, road or ferry ways found; check that it is OpenStreetMap data "
            "of the right region, or use --source bundled"
        )
        raise DataSourceError(msg)
    net = network_from_segments(seg, meta=meta)
    net, _ = repair_network(net, modes=[m for m in ("rail", "road") if (seg["mode"] == m).any()])

    return mark_closed_crossings(add_gauge(net))


def network_from_graph(
    graph: Any, *, source: str = "osmnx", modes: Sequence[str] | None = None
) -> Network:
    """Build a repaired network from an osmnx ``MultiDiGraph``."""
    seg = segments_from_graph(graph, source=source, modes=modes)
    return _finish(seg, meta={"source": source}, where=source)


# --- Overpass ---------------------------------------------------------------------------------


def overpass_polygon(corridors: Sequence[Corridor], *, buffer_km: float | None = None) -> Any:
    """Query polygon: the corridors' legs (authored geometry or straight) buffered by km.

    The buffer is applied in an azimuthal equidistant projection centred on the corridors,
    so it is a true distance; the result is in EPSG:4326.
    """
    import pyproj

    km = settings.overpass_buffer_km if buffer_km is None else buffer_km
    lines = []
    for c in corridors:
        for leg in c.legs:
            pts = leg.geometry or (leg.start.coords, leg.end.coords)
            lines.append(shapely.LineString(pts))
    union = shapely.union_all(lines)
    lon0, lat0 = union.centroid.x, union.centroid.y
    aeqd = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84")
    fwd = pyproj.Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    back = pyproj.Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)

    def project(t: pyproj.Transformer) -> Any:
        return lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))

    buffered = shapely.transform(union, project(fwd)).buffer(km * 1000.0)
    return shapely.transform(buffered, project(back))


DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"


def overpass_url() -> str:
    """The Overpass endpoint: ``settings.overpass_url``, else ``CORRIDORS_OVERPASS_URL``.

    Raises
    ------
    DataSourceError
        If the URL is not ``http://`` or ``https://``.
    """
    url = settings.overpass_url or os.environ.get("CORRIDORS_OVERPASS_URL") or DEFAULT_OVERPASS_URL
    if not url.startswith(("http://", "https://")):
        msg = (
            f"Overpass URL {url[:80]!r} is not http:// or https://; fix --overpass-url or "
            "CORRIDORS_OVERPASS_URL"
        )
        raise DataSourceError(msg)
    return url.rstrip("/")


def _fail(response: requests.Response, what: str) -> DataSourceError:
    response.close()
    url = response.url.split("?")[0]
    return DataSourceError(
        f"Overpass at {url} {what}; nothing was cached; try again later, or use "
        "--source bundled or a local file (--source FILE.osm)"
    )


def _read_body(response: requests.Response) -> bytes:
    """Read a streamed answer within the deadline and the decompressed size limit."""
    limit = int(settings.overpass_max_bytes)
    deadline = time.monotonic() + float(settings.overpass_deadline_s)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflate: Any = zlib.decompressobj(47)  # gzip or zlib header, detected
    elif encoding in ("identity", ""):
        inflate = None
    else:
        raise _fail(response, f"sent an answer in an unsupported encoding {encoding[:40]!r}")
    out = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise _fail(
                response,
                f"did not finish its answer within {settings.overpass_deadline_s:g} s "
                "(settings.overpass_deadline_s)",
            )
        chunk = response.raw.read1(1 << 16, decode_content=False)
        if not chunk:
            break
        if inflate is None:
            out += chunk
        else:
            while chunk and len(out) <= limit:
                out += inflate.decompress(chunk, limit + 1 - len(out))
                chunk = inflate.unconsumed_tail
        if len(out) > limit:
            raise _fail(
                response,
                f"sent more than {limit:,} bytes once decompressed "
                "(settings.overpass_max_bytes, a compression bomb?)",
            )
    return bytes(out)


def _check_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Requests hook: refuse a failing status or an unusable answer before osmnx caches it.

    The response is streamed; the body is read here within ``settings.overpass_deadline_s``
    and ``settings.overpass_max_bytes``, checked to be an Overpass JSON answer (an object
    with an ``elements`` list and no error remark), then handed to osmnx.
    """
    if "/interpreter" not in response.url:
        return
    if response.status_code != 200:
        wait = response.headers.get("Retry-After", "").strip()
        asked = f" (it asks to wait {wait[:20]} s)" if wait else ""
        raise _fail(response, f"answered {response.status_code} {response.reason}{asked}")
    try:
        body = _read_body(response)
    except requests.RequestException:
        response.close()
        raise
    except (OSError, zlib.error) as exc:
        raise _fail(response, f"sent a broken answer ({type(exc).__name__})") from exc
    response.close()
    if not body.strip():
        raise _fail(response, "sent an empty answer")
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        start = body.lstrip()[:1]
        kind = "an HTML page" if start == b"<" else "truncated or malformed JSON"
        raise _fail(response, f"sent {kind}, not an Overpass JSON answer") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("elements"), list):
        raise _fail(response, "sent JSON without an 'elements' list")
    remark = answer.get("remark")
    if isinstance(remark, str) and ("error" in remark.lower() or "timed out" in remark.lower()):
        raise _fail(response, f"reported an incomplete answer ({remark[:80]!r})")
    response._content = body  # what osmnx parses; the stream is already closed


def _clean_osmnx_cache(folder: Path, before: set[Path] | None = None) -> None:
    """Move aside cached answers that are not whole JSON objects; drop new empty answers.

    A truncated file never ends in ``}``; an answer with no elements is not kept, so an
    outage that returned nothing is not replayed until ``--refresh``.
    """
    if not folder.is_dir():
        return
    for f in folder.glob("*.json"):
        try:
            if not f.is_file() or f.is_symlink():
                raise ValueError("not a regular file")
            size = f.stat().st_size
            with f.open("rb") as fh:
                fh.seek(max(0, size - 64))
                if size == 0 or not fh.read().rstrip().endswith(b"}"):
                    raise ValueError("truncated")
            new = before is not None and f not in before and size < 4096
            if new and json.loads(f.read_text(encoding="utf-8")).get("elements") == []:
                _LOG.info("overpass: not caching the empty answer %s", f.name)
                f.unlink()
        except (OSError, ValueError, AttributeError) as exc:
            aside = f.with_name(f.name + ".corrupt")
            _LOG.warning("overpass cache file %s is unusable (%s); moved aside", f, exc)
            try:
                if aside.is_dir() and not aside.is_symlink():
                    import shutil

                    shutil.rmtree(aside)
                f.replace(aside)
            except OSError:
                _LOG.warning("cannot move %s aside; remove it by hand", f)


def network_from_overpass(
    corridors: Sequence[Corridor],
    *,
    modes: Sequence[str] | None = None,
    buffer_km: float | None = None,
    refresh: bool = False,
) -> Network:
    """Download rail, road and ferry ways around the corridors from Overpass, via osmnx.

    Raises
    ------
    DataSourceError
        Naming the URL, when the server fails, times out or cannot be reached.
    """
    import osmnx as ox

    use = tuple(modes or ("rail", "road", "ferry"))
    polygon = overpass_polygon(corridors, buffer_km=buffer_km)
    url = overpass_url()
    folder = cache_dir() / "osmnx"
    ox.settings.overpass_url = url
    ox.settings.cache_folder = str(folder)
    ox.settings.use_cache = not refresh
    ox.settings.requests_timeout = int(settings.requests_timeout_s)
    ox.settings.overpass_rate_limit = False
    ox.settings.doh_url_template = None
    ox.settings.log_console = False
    ox.settings.useful_tags_way = list(_KEEP_TAGS)
    ox.settings.requests_kwargs = {"hooks": {"response": [_check_status]}, "stream": True}
    parts = []
    for mode in use:
        _clean_osmnx_cache(folder)
        before = set(folder.glob("*.json")) if folder.is_dir() else set()
        try:
            graph = ox.graph_from_polygon(
                polygon,
                custom_filter=MODE_FILTERS[mode],
                simplify=False,
                retain_all=True,
                truncate_by_edge=True,
            )
        except DataSourceError:
            raise
        except requests.Timeout as exc:
            msg = (
                f"Overpass at {url} did not answer within {settings.requests_timeout_s:g} s; "
                "try again later, or use --source bundled or a local file"
            )
            raise DataSourceError(msg) from exc
        except requests.RequestException as exc:
            msg = (
                f"cannot reach Overpass at {url} ({type(exc).__name__}); check the network, "
                "or use --source bundled or a local file"
            )
            raise DataSourceError(msg) from exc
        except (ValueError, ox._errors.InsufficientResponseError) as exc:
            if "no data" in str(exc).lower() or "found no graph nodes" in str(exc).lower():
                _LOG.info("overpass: no %s ways in the query polygon", mode)
                continue
            raise DataSourceError(f"Overpass at {url}: unusable answer ({exc})") from exc
        finally:
            _clean_osmnx_cache(folder, before)
        parts.append(segments_from_graph(graph, source="osm:overpass", modes=[mode]))
    seg = pd.concat(parts, ignore_index=True) if parts else empty_segments()
    meta = {
        "source": "overpass",
        "overpass_url": url,
        "corridors": [c.id for c in corridors],
        "modes": list(use),
        "sources": {
            "osm": {
                "name": "OpenStreetMap via Overpass API",
                "licence": "ODbL 1.0",
                "attribution": "© OpenStreetMap contributors",
            }
        },
    }
    return _finish(seg, meta=meta, where=f"Overpass at {url}")


# --- files ----------------------------------------------------------------------------------


def _check_xml(path: Path) -> None:
    shown = display_path(path)
    try:
        for _, elem in ET.iterparse(path, events=("start",)):
            if elem.tag != "osm":
                msg = f"{shown}: not OpenStreetMap XML (root element <{elem.tag}>, expected <osm>)"
                raise DataSourceError(msg)
            break
        bad: list[str] = []
        for _, elem in ET.iterparse(path):
            if elem.tag == "node" and not _lon_lat_ok(elem.get("lon"), elem.get("lat")):
                bad.append(
                    f"node {elem.get('id', '?')[:20]} at lat={elem.get('lat', '')[:20]!r} "
                    f"lon={elem.get('lon', '')[:20]!r}"
                )
            elem.clear()
    except ET.ParseError as exc:
        msg = f"{shown}: truncated or malformed OSM XML ({exc}); download the file again"
        raise DataSourceError(msg) from exc
    if bad:
        msg = (
            f"{shown}: {len(bad):,} node{'s' if len(bad) != 1 else ''} with coordinates that are "
            f"not a finite lon −180..180, lat −90..90 (first: {bad[0]}); fix or re-download "
            "the file"
        )
        raise DataSourceError(msg)


def _lon_lat_ok(lon: str | None, lat: str | None) -> bool:
    try:
        x, y = float(lon or "nan"), float(lat or "nan")
    except ValueError:
        return False
    return bool(np.isfinite(x) and np.isfinite(y) and abs(x) <= 180.0 and abs(y) <= 90.0)


def _pbf_records(path: Path) -> list[tuple[list[tuple[float, float]], dict[str, Any]]]:
    import osmium

    out: list[tuple[list[tuple[float, float]], dict[str, Any]]] = []
    fp = osmium.FileProcessor(str(path)).with_locations()
    for obj in fp:
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = dict(obj.tags)
        if _mode(tags) is None:
            continue
        coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        if len(coords) >= 2:
            out.append((coords, {**tags, "osmid": obj.id}))
    return out


def _geojson_records(path: Path) -> list[tuple[list[tuple[float, float]], dict[str, Any]]]:
    import geopandas as gpd

    gdf = gpd.read_file(path)
    out: list[tuple[list[tuple[float, float]], dict[str, Any]]] = []
    for row in gdf.to_dict("records"):
        geom = row.pop("geometry")
        osmid = str(row.get("@id") or row.get("id") or "").rsplit("/", 1)[-1]
        lines = getattr(geom, "geoms", [geom])
        for line in lines:
            if line is not None and line.geom_type == "LineString":
                out.append(([(c[0], c[1]) for c in line.coords], {**row, "osmid": osmid}))
    return out


def network_from_file(path: str | Path, *, modes: Sequence[str] | None = None) -> Network:
    """Build a repaired network from a local OSM file.

    Parameters
    ----------
    path
        ``.osm`` (OSM XML), ``.osm.pbf``/``.pbf``, ``.graphml`` or ``.geojson``/``.json``.
    modes
        Keep only these modes.

    Raises
    ------
    DataSourceError
        For a missing, truncated, empty or non-OSM file; the message names the file.
    """
    import osmnx as ox

    p = Path(path)
    shown = display_path(p)
    if not p.is_file():
        if p.exists():
            kind = "a folder" if p.is_dir() else "not a regular file (a device, FIFO or socket)"
            raise DataSourceError(f"{shown}: {kind}; give an OSM file")
        raise DataSourceError(f"{shown}: no such file; check the path")
    name = p.name.lower()
    source = f"osm:file:{p.name}"
    try:
        if name.endswith(".osm") or name.endswith(".xml"):
            _check_xml(p)
            ox.settings.useful_tags_way = list(_KEEP_TAGS)
            graph = ox.graph_from_xml(p, simplify=False, retain_all=True)
            seg = segments_from_graph(graph, source=source, modes=modes)
        elif name.endswith(".pbf"):
            seg = _segments_from_records(_pbf_records(p), source=source, modes=modes)
        elif name.endswith(".graphml"):
            graph = ox.load_graphml(p)
            seg = segments_from_graph(graph, source=source, modes=modes)
            if seg.empty and "mode" in next(iter(graph.edges(data=True)), (0, 0, {}))[2]:
                seg = _segments_from_network_graph(graph, source)
        elif name.endswith(".geojson") or name.endswith(".json"):
            seg = _segments_from_records(_geojson_records(p), source=source, modes=modes)
        else:
            msg = f"{shown}: unknown file type; use .osm, .osm.pbf, .graphml or .geojson"
            raise DataSourceError(msg)
    except DataSourceError:
        raise
    except Exception as exc:  # a reader's own error: name the file, keep the cause
        msg = f"{shown}: cannot read as OSM data ({type(exc).__name__}: {exc})"
        raise DataSourceError(msg) from exc
    meta = {
        "source": "file",
        "file": str(p),
        "sources": {
            "osm": {
                "name": f"OpenStreetMap extract {p.name}",
                "licence": "ODbL 1.0",
                "attribution": "© OpenStreetMap contributors",
            }
        },
    }
    return _finish(seg, meta=meta, where=shown)


def _segments_from_network_graph(graph: Any, source: str) -> pd.DataFrame:
    """Segments from a GraphML written by ``network_to_graphml`` (our own attributes)."""
    xs = {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
    rows = []
    seen: set[tuple[Any, Any]] = set()
    for u, v, data in graph.edges(data=True):
        if (v, u) in seen or (u, v) in seen:
            continue
        seen.add((u, v))
        rows.append(
            {
                "x0": xs[u][0],
                "y0": xs[u][1],
                "x1": xs[v][0],
                "y1": xs[v][1],
                "mode": str(data.get("mode")),
                "status": str(data.get("status", "operational")),
                "gauge_mm": int(float(data.get("gauge_mm", 0) or 0)),
                "source": source,
                "name": str(data.get("name", "") or ""),
                "g0": graph.nodes[u].get("group"),
                "g1": graph.nodes[v].get("group"),
            }
        )
    return pd.DataFrame(rows) if rows else empty_segments()
