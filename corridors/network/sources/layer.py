"""The project's regional OpenStreetMap rail layer (``geodata/osm_rail.parquet``).

Built by ``geodata/build_osm_rail.py`` from OSM extracts (© OpenStreetMap contributors,
ODbL 1.0). Each way becomes segments along its full geometry, so lengths are along the real
track. Where the layer covers a line of the embedded backbone, the layer's ways replace it
(:func:`replace_covered`), and the backbone joins them where the coverage ends.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from corridors._data import geodata_dir
from corridors._errors import OptionalDependencyError
from corridors.geo.boundaries import geodesic_lengths_m, sphere_xyz

__all__ = [
    "COVER_M",
    "DENSIFY_M",
    "DUPLICATE_FACTOR",
    "JOIN_M",
    "LAYER_FILE",
    "drop_covered",
    "layer_lines",
    "layer_meta",
    "layer_segments",
    "replace_covered",
]

LAYER_FILE = "osm_rail.parquet"
#: A backbone rail segment whose ends and middle are all this close (metres) to the layer's
#: track (not only to its vertices) is covered by the layer and dropped.
COVER_M = 2_500.0
#: A backbone node left at the edge of the coverage joins the nearest layer vertex within
#: this distance (metres).
JOIN_M = 5_000.0
#: The layer's track is measured at points this far apart at most (metres), so that a
#: segment running beside a long straight way, whose vertices are far apart, is seen as
#: close to it.
DENSIFY_M = 200.0
#: A rail segment whose two ends lie on the layer's track is a simplified duplicate of it,
#: and is dropped, when the layer joins those two points by a path of the same status no
#: longer than this many times the segment's length (its recorded length along the track,
#: or its chord).
DUPLICATE_FACTOR = 1.1

_STATUS = {
    "rail": "operational",
    "narrow_gauge": "operational",
    "construction": "under_construction",
    "proposed": "proposed",
    "disused": "dismantled",
    "abandoned": "dismantled",
}


@functools.cache
def _layer() -> Any:
    import geopandas as gpd

    path = geodata_dir() / LAYER_FILE
    if not path.is_file():
        msg = f"{path} is missing; build it with: python geodata/build_osm_rail.py EXTRACT ..."
        raise OptionalDependencyError(msg)
    return gpd.read_parquet(path)


def layer_lines() -> Any:
    """The layer's ways as a GeoDataFrame of LineStrings (WGS 84), one row per OSM way.

    Columns as in ``geodata/osm_rail.parquet`` (``way_id``, ``railway``, ``gauge_mm``,
    ``name``, ``extract``, ...). Raises :class:`~corridors.OptionalDependencyError` when the
    file is missing.
    """
    return _layer()


def layer_meta() -> dict[str, Any]:
    """The layer's provenance: attribution, licence, and each extract's date and coverage."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(geodata_dir() / LAYER_FILE).metadata or {}
    return dict(json.loads(meta.get(b"corridors", b"{}")))


def layer_segments(bbox: tuple[float, float, float, float]) -> pd.DataFrame:
    """Segments of the layer's rail ways with a vertex inside ``bbox`` (one per OSM edge).

    ``status`` comes from ``railway`` (``construction`` → ``under_construction``,
    ``disused``/``abandoned`` → ``dismantled``); ``gauge_mm``, ``name``, ``osmid`` (the way
    id), ``railway``, ``usage``, ``electrified`` and ``construction`` are kept.
    """
    import shapely

    layer = _layer()
    west, south, east, north = bbox
    layer = layer[layer.intersects(shapely.box(west, south, east, north))]
    coords, index = shapely.get_coordinates(layer.geometry.values, return_index=True)
    same = index[:-1] == index[1:]
    a = np.flatnonzero(same)
    rows = index[a]

    def col(name: str) -> Any:
        return layer[name].to_numpy()[rows]

    return pd.DataFrame(
        {
            "x0": coords[a, 0],
            "y0": coords[a, 1],
            "x1": coords[a + 1, 0],
            "y1": coords[a + 1, 1],
            "mode": "rail",
            "status": pd.Series(col("railway")).map(_STATUS).fillna("operational").to_numpy(),
            "gauge_mm": col("gauge_mm").astype(np.int16),
            "source": np.char.add("osm-layer:", col("extract").astype(str)),
            "name": col("name"),
            "osmid": col("way_id").astype(np.int64),
            "railway": col("railway"),
            "usage": col("usage"),
            "electrified": col("electrified"),
            "construction": col("construction"),
        }
    )


def _densified(layer: pd.DataFrame) -> tuple[Any, Any]:
    """Points along the layer's segments, at most :data:`DENSIFY_M` apart, ends included."""
    x0, y0, x1, y1 = (layer[c].to_numpy(dtype=np.float64) for c in ("x0", "y0", "x1", "y1"))
    d = geodesic_lengths_m(x0, y0, x1, y1)
    n = np.maximum(1, np.ceil(d / DENSIFY_M).astype(np.int64))
    rep = np.repeat(np.arange(x0.size), n)
    t = (np.arange(rep.size) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
    xs = np.concatenate([x0[rep] + (x1[rep] - x0[rep]) * t, x1])
    ys = np.concatenate([y0[rep] + (y1[rep] - y0[rep]) * t, y1])
    return xs, ys


def _duplicates(
    rail: pd.DataFrame,
    layer: pd.DataFrame,
    candidates: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Which ``candidates`` the layer's track (of the same status) joins end to end.

    A candidate's two ends lie within :data:`COVER_M` of the layer but its middle does not: a
    chord that cuts a bend of the track, or a second line. It is a duplicate when the
    layer's shortest path between the vertices nearest its ends is at most
    :data:`DUPLICATE_FACTOR` times its length.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    out = np.zeros(len(rail), dtype=bool)
    idx = np.flatnonzero(candidates)
    if idx.size == 0:
        return out
    statuses = set(rail["status"].iloc[idx]) if "status" in rail else {"operational"}
    same = layer[layer["status"].isin(statuses)] if "status" in layer else layer
    if same.empty:
        return out
    xy = np.concatenate(
        [
            same[["x0", "y0"]].to_numpy(dtype=np.float64),
            same[["x1", "y1"]].to_numpy(dtype=np.float64),
        ]
    )
    uniq, codes = np.unique(np.round(xy * 1e7).astype(np.int64), axis=0, return_inverse=True)
    codes = codes.ravel()
    m = len(same)
    u, v = codes[:m], codes[m:]
    w = geodesic_lengths_m(same["x0"], same["y0"], same["x1"], same["y1"]) + 1e-3
    graph = coo_matrix((w, (u, v)), shape=(len(uniq), len(uniq))).tocsr()
    vx = np.zeros(len(uniq))
    vy = np.zeros(len(uniq))
    vx[u], vy[u] = same["x0"].to_numpy(), same["y0"].to_numpy()
    vx[v], vy[v] = same["x1"].to_numpy(), same["y1"].to_numpy()
    tree = cKDTree(sphere_xyz(vx, vy))
    sub = rail.iloc[idx]
    d0, a = tree.query(sphere_xyz(sub["x0"], sub["y0"]))
    d1, b = tree.query(sphere_xyz(sub["x1"], sub["y1"]))
    chord = geodesic_lengths_m(sub["x0"], sub["y0"], sub["x1"], sub["y1"])
    length = sub["length_m"].to_numpy(dtype=np.float64) if "length_m" in sub else chord * np.nan
    length = np.where(np.isfinite(length) & (length > 0), length, chord)
    limit = DUPLICATE_FACTOR * length
    ok = (d0 <= COVER_M) & (d1 <= COVER_M) & (a != b)
    for j in np.flatnonzero(ok):
        dist = dijkstra(graph, directed=False, indices=int(a[j]), limit=float(limit[j]))
        out[idx[j]] = bool(dist[b[j]] <= limit[j])
    return out


def _split_covered(rail: pd.DataFrame, layer: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(kept, joins)``: the rail segments the layer does not cover, and their joins."""
    lx = np.concatenate([layer["x0"], layer["x1"]])
    ly = np.concatenate([layer["y0"], layer["y1"]])
    tree = cKDTree(sphere_xyz(lx, ly))
    track = cKDTree(sphere_xyz(*_densified(layer)))
    mx = (rail["x0"].to_numpy() + rail["x1"].to_numpy()) / 2
    my = (rail["y0"].to_numpy() + rail["y1"].to_numpy()) / 2
    # only whether a point is within COVER_M matters: the bound prunes the search (a point
    # farther gets inf; the bound is exclusive, hence the next float up)
    bound = float(np.nextafter(COVER_M, np.inf))
    d = [
        track.query(sphere_xyz(x, y), distance_upper_bound=bound)[0]
        for x, y in ((rail["x0"], rail["y0"]), (rail["x1"], rail["y1"]), (mx, my))
    ]
    on_track = (d[0] <= COVER_M) & (d[1] <= COVER_M)
    covered = on_track & (d[2] <= COVER_M)
    covered |= _duplicates(rail, layer, on_track & ~covered)
    kept, dropped = rail[~covered], rail[covered]

    def ends(frame: pd.DataFrame) -> set[tuple[float, float]]:
        return set(zip(frame["x0"], frame["y0"], strict=True)) | set(
            zip(frame["x1"], frame["y1"], strict=True)
        )

    edge_nodes = sorted(ends(kept) & ends(dropped))
    joins = []
    if edge_nodes:
        ex = np.array([p[0] for p in edge_nodes])
        ey = np.array([p[1] for p in edge_nodes])
        _, idx = tree.query(sphere_xyz(ex, ey))
        dist = geodesic_lengths_m(ex, ey, lx[idx], ly[idx])
        ok = (dist <= JOIN_M) & (dist > 0)
        joins.append(
            pd.DataFrame(
                {
                    "x0": ex[ok],
                    "y0": ey[ok],
                    "x1": lx[idx][ok],
                    "y1": ly[idx][ok],
                    "mode": "rail",
                    "status": "operational",
                    "source": "osm-layer:join",
                }
            )
        )
    return kept, (joins[0] if joins else kept.iloc[:0])


def drop_covered(rail: pd.DataFrame, layer: pd.DataFrame) -> pd.DataFrame:
    """Rail segments of ``rail`` that the layer does not cover, joined to the layer's track.

    A segment is covered when both ends and its middle lie within :data:`COVER_M` of the
    layer's track (measured at points :data:`DENSIFY_M` apart along it), or when both ends
    do and the layer's track of the same status joins them by a path at most
    :data:`DUPLICATE_FACTOR` times the segment's length (a chord cutting a bend). Each node
    that loses a segment but keeps another joins the nearest layer vertex within
    :data:`JOIN_M` by a straight segment (``source="osm-layer:join"``).
    ``rail`` must hold rail rows only; the layer's own segments are not added.
    """
    if layer.empty or rail.empty:
        return rail
    kept, joins = _split_covered(rail, layer)
    out: pd.DataFrame = pd.concat([kept, joins], ignore_index=True)
    return out


def replace_covered(backbone: pd.DataFrame, layer: pd.DataFrame) -> pd.DataFrame:
    """Backbone rail segments with those the layer covers replaced by the layer's ways.

    The backbone's rail goes through :func:`drop_covered`; the layer's segments are added.
    Non-rail rows pass through unchanged.
    """
    if layer.empty:
        return backbone
    rail = (backbone["mode"] == "rail").to_numpy()
    kept, joins = _split_covered(backbone[rail], layer)
    out: pd.DataFrame = pd.concat([backbone[~rail], kept, layer, joins], ignore_index=True)
    return out
