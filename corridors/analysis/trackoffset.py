"""How far a routed line runs from the OSM track where the regional OSM layer covers it.

Where ``geodata/osm_rail.parquet`` (or a layer a user built from a PBF) covers the network,
a route should follow the real track, not a schematic chord beside it. This module samples
each route's rail pieces every :data:`SAMPLE_M` metres and measures, for every sample within
the layer's cover distance (:data:`corridors.network.sources.layer.COVER_M`, the distance
under which the network build treats a backbone segment as covered by the layer), the
geodesic distance to the nearest OSM rail way. Drawn missing links are left out: they are
authored, not routed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from corridors.geo.boundaries import geodesic_lengths_m
from corridors.network.sources.layer import COVER_M, layer_lines

__all__ = ["SAMPLE_M", "TrackOffset", "offsets_m", "track_offset", "track_offsets"]

#: Spacing of the samples along a route's rail pieces (metres).
SAMPLE_M = 100.0
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class TrackOffset:
    """Distance of a routed line from the OSM track, over the stretch the layer covers.

    Attributes
    ----------
    id
        The route's id (a corridor id, or ``"all"`` for every route pooled).
    rail_km
        Routed rail length (drawn missing links excluded), km.
    covered_km
        Of which within the layer's cover distance of an OSM rail way, km.
    median_m, p90_m, max_m
        Length-weighted median, 90th percentile and largest distance from the nearest OSM
        rail way over the covered stretch, metres (``nan`` where nothing is covered).
    """

    id: str
    rail_km: float
    covered_km: float
    median_m: float
    p90_m: float
    max_m: float

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON and tables, rounded (km to 0.1, m to 0.1); ``None`` for nan."""

        def r(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 1)

        return {
            "id": self.id,
            "rail_km": round(self.rail_km, 1),
            "covered_km": round(self.covered_km, 1),
            "median_m": r(self.median_m),
            "p90_m": r(self.p90_m),
            "max_m": r(self.max_m),
        }


@dataclass(frozen=True, eq=False)
class _Tree:
    tree: Any
    kx: float  # degrees of longitude are scaled by this to be locally isotropic


_TREES: dict[int, tuple[Any, _Tree]] = {}


def _tree(lines: Any) -> _Tree:
    """An STRtree over ``lines`` with longitudes scaled by the cosine of their mean latitude."""
    import shapely

    geoms = np.asarray(getattr(lines, "geometry", lines))
    hit = _TREES.get(id(lines))
    if hit is not None and hit[0] is lines:
        return hit[1]
    _, south, _, north = shapely.total_bounds(geoms)
    kx = math.cos(math.radians((south + north) / 2.0))
    scaled = shapely.transform(geoms, lambda c: c * np.array([kx, 1.0]))
    out = _Tree(shapely.STRtree(scaled), kx)
    _TREES.clear()
    _TREES[id(lines)] = (lines, out)
    return out


def offsets_m(
    x: npt.ArrayLike, y: npt.ArrayLike, *, lines: Any = None, cover_m: float = COVER_M
) -> npt.NDArray[np.float64]:
    """Distance (m) from each point to the nearest rail way of the layer, ``inf`` beyond cover.

    Parameters
    ----------
    x, y
        Longitudes and latitudes of the points, degrees (WGS 84).
    lines
        LineStrings of the track (a GeoDataFrame, GeoSeries or array); default the shipped
        OSM layer (:func:`~corridors.network.sources.layer.layer_lines`).
    cover_m
        Points farther than this from every way are outside the layer's cover, metres.

    Notes
    -----
    The nearest way is found in a plane whose longitudes are scaled by the cosine of the
    layer's mean latitude; the distance to the nearest point of that way is then geodesic.
    """
    import shapely

    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    out = np.full(xs.size, np.inf)
    if xs.size == 0:
        return out
    t = _tree(layer_lines() if lines is None else lines)
    pts: npt.NDArray[np.object_] = np.asarray(shapely.points(xs * t.kx, ys))
    # a generous radius in the scaled plane; the geodesic check below is the real cut
    near, cand = t.tree.query_nearest(pts, max_distance=1.5 * cover_m / _M_PER_DEG)
    if near.size == 0:
        return out
    geoms = t.tree.geometries[cand]
    foot = shapely.line_interpolate_point(geoms, shapely.line_locate_point(geoms, pts[near]))
    fx, fy = shapely.get_x(foot) / t.kx, shapely.get_y(foot)
    d = geodesic_lengths_m(xs[near], ys[near], fx, fy)
    np.minimum.at(out, near, d)
    out[out > cover_m] = np.inf
    return out


def _samples(pieces: Any) -> tuple[Any, Any, Any]:
    """Midpoints of each routed rail piece cut into parts of at most :data:`SAMPLE_M`, km each."""
    keep = (pieces["mode"].astype(str) == "rail").to_numpy() & ~pieces["missing"].to_numpy(bool)
    p = pieces[keep]
    x0, y0, x1, y1 = (p[c].to_numpy(dtype=np.float64) for c in ("x0", "y0", "x1", "y1"))
    length = p["length_m"].to_numpy(dtype=np.float64)
    n = np.maximum(1, np.ceil(length / SAMPLE_M).astype(np.int64))
    rep = np.repeat(np.arange(n.size), n)
    t = (np.arange(rep.size) - np.repeat(np.cumsum(n) - n, n) + 0.5) / n[rep]
    xs = x0[rep] + (x1[rep] - x0[rep]) * t
    ys = y0[rep] + (y1[rep] - y0[rep]) * t
    return xs, ys, (length / n / 1000.0)[rep]


def _weighted(values: Any, weights: Any, q: float) -> float:
    """The ``q`` (0–1) quantile of ``values`` weighted by ``weights`` (lower value at a tie)."""
    if values.size == 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    i = int(np.searchsorted(cum, q * cum[-1], side="left"))
    return float(values[order][min(i, values.size - 1)])


def _summary(rid: str, d: Any, w: Any) -> TrackOffset:
    inside = np.isfinite(d)
    dv, wv = d[inside], w[inside]
    return TrackOffset(
        id=rid,
        rail_km=float(w.sum()),
        covered_km=float(wv.sum()),
        median_m=_weighted(dv, wv, 0.5),
        p90_m=_weighted(dv, wv, 0.9),
        max_m=float(dv.max()) if dv.size else math.nan,
    )


def track_offset(route: Any, *, lines: Any = None) -> TrackOffset:
    """How far ``route`` (a :class:`~corridors.routing.Route`) runs from the OSM track.

    Parameters
    ----------
    route
        A routed corridor or ad-hoc route.
    lines
        The track's LineStrings (default: the shipped OSM layer).
    """
    xs, ys, w = _samples(route.pieces)
    return _summary(route.id, offsets_m(xs, ys, lines=lines), w)


def track_offsets(routes: Iterable[Any], *, lines: Any = None) -> list[TrackOffset]:
    """:func:`track_offset` of each route, then ``"all"``: every route's samples pooled."""
    out, ds, ws = [], [], []
    for r in routes:
        xs, ys, w = _samples(r.pieces)
        d = offsets_m(xs, ys, lines=lines)
        out.append(_summary(r.id, d, w))
        ds.append(d)
        ws.append(w)
    if ds:
        out.append(_summary("all", np.concatenate(ds), np.concatenate(ws)))
    return out
