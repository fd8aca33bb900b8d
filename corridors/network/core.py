"""The multimodal transport network: one graph of rail, road, ferry, sea and transfer edges.

A :class:`Network` holds two tables. ``nodes`` (index = node id ``0..n-1``) has ``x`` (lon),
``y`` (lat), ``group`` (``rail``, ``road`` or ``water``: a node belongs to one mode group) and
``country`` (ISO3 from Natural Earth, ``""`` at sea). ``edges`` are undirected straight
segments ``u``–``v`` with ``mode``, ``status``, ``gauge_mm`` (0 when unknown or not rail),
``length_m`` (metres: the length along the track where the source records one, else the
geodesic length of the segment on WGS 84), ``length_source`` (``track``: the source's
along-track length, the drawn segment is schematic; ``geodesic``: the segment's own length),
``source``, ``bridged`` (added by the repair step),
``passage`` (named sea passages such as ``volga-don``), ``name``, ``osmid`` and the kept OSM
tags. Modes meet only through ``transfer`` edges at ports and interchanges.

Every source (the embedded default data, Overpass, local files) is turned into a table of
segments and assembled by :func:`network_from_segments`; :func:`load_network` builds,
repairs and caches.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Geod

from corridors.geo import boundaries, geodata
from corridors.geo.boundaries import geodesic_lengths_m
from corridors.model import Mode, Status

__all__ = [
    "CATEGORY_COLUMNS",
    "GROUP_OF_MODE",
    "LENGTH_GEODESIC",
    "LENGTH_TRACK",
    "SEGMENT_COLUMNS",
    "TAG_COLUMNS",
    "TRANSFER",
    "Network",
    "empty_segments",
    "mark_closed_crossings",
    "network_from_npz",
    "network_from_segments",
    "network_info",
    "network_to_gdfs",
    "network_to_networkx",
    "network_to_npz",
]

_LOG = logging.getLogger("corridors")
GEOD = Geod(ellps="WGS84")

#: The mode of edges that join two mode groups (port or interchange).
TRANSFER = "transfer"
#: Which node group each edge mode lives in.
GROUP_OF_MODE = {
    Mode.RAIL.value: "rail",
    Mode.ROAD.value: "road",
    Mode.FERRY.value: "water",
    Mode.SEA.value: "water",
}
#: OSM tags kept on edges (as columns) when the source has them.
TAG_COLUMNS = ("railway", "highway", "usage", "service", "electrified", "operator", "construction")
#: Columns of a segment table, the common form every source is read into.
SEGMENT_COLUMNS = (
    "x0",
    "y0",
    "x1",
    "y1",
    "g0",
    "g1",
    "mode",
    "status",
    "gauge_mm",
    "source",
    "name",
    "osmid",
    "passage",
    "bridged",
    "length_m",
    "length_source",
    *TAG_COLUMNS,
)
#: Edge columns stored as pandas categoricals.
CATEGORY_COLUMNS = ("mode", "status", "source", "name", "passage", "length_source", *TAG_COLUMNS)
#: ``length_source`` of an edge whose length is the source's along-track figure.
LENGTH_TRACK = "track"
#: ``length_source`` of an edge measured along its own (straight) segment.
LENGTH_GEODESIC = "geodesic"


@dataclass(frozen=True, eq=False)
class Network:
    """A multimodal network: ``nodes`` and undirected ``edges`` tables, plus ``meta``.

    Treat the tables as read-only; functions that change a network return a new one.
    ``meta`` holds the provenance (sources, dates, parameters) and repair diagnostics.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edges)


def empty_segments() -> pd.DataFrame:
    """An empty segment table with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype=_segment_dtype(c)) for c in SEGMENT_COLUMNS})


def _segment_dtype(column: str) -> str:
    if column in ("x0", "y0", "x1", "y1", "length_m"):
        return "float64"
    if column == "gauge_mm":
        return "int16"
    if column == "osmid":
        return "int64"
    if column == "bridged":
        return "bool"
    return "object"


_SEGMENT_DEFAULTS: dict[str, Any] = {
    "gauge_mm": 0,
    "osmid": -1,
    "bridged": False,
    "status": Status.OPERATIONAL.value,
    "length_m": np.nan,
}


def _normalise_segments(seg: pd.DataFrame) -> pd.DataFrame:
    out = seg.copy()
    for c in SEGMENT_COLUMNS:
        if c in ("g0", "g1"):
            group = out["mode"].map(GROUP_OF_MODE)
            out[c] = out[c].fillna(group) if c in out.columns else group
            continue
        default = _SEGMENT_DEFAULTS.get(c, "")
        if c not in out.columns:
            out[c] = default
        elif c == "length_m":
            out[c] = pd.to_numeric(out[c], errors="coerce")
        elif out[c].isna().any():
            out[c] = out[c].astype(object).where(out[c].notna(), default)
    return out[list(SEGMENT_COLUMNS)].astype({c: _segment_dtype(c) for c in SEGMENT_COLUMNS})


def network_from_segments(
    segments: pd.DataFrame, *, meta: Mapping[str, Any] | None = None
) -> Network:
    """Assemble a network from a segment table (see :data:`SEGMENT_COLUMNS`).

    Segment ends with the same coordinates (to 1e-7 degree) in the same mode group become one
    node. Zero-length segments are dropped. A segment's ``length_m`` (metres along the track,
    as the source records it) is kept where given, never below the segment's geodesic chord,
    and marked ``length_source="track"``; elsewhere the length is the geodesic chord
    (``"geodesic"``). Node countries come from the boundaries of :mod:`corridors.geo`.
    """
    seg = _normalise_segments(segments)
    groups = pd.Categorical(np.concatenate([seg["g0"].to_numpy(), seg["g1"].to_numpy()]))
    xs = np.concatenate([seg["x0"].to_numpy(), seg["x1"].to_numpy()])
    ys = np.concatenate([seg["y0"].to_numpy(), seg["y1"].to_numpy()])
    keys = np.stack(
        [
            groups.codes.astype(np.int64),
            np.round(xs * 1e7).astype(np.int64),
            np.round(ys * 1e7).astype(np.int64),
        ],
        axis=1,
    )
    uniq, inverse = _unique_rows(keys)
    n = len(seg)
    nodes = pd.DataFrame(
        {
            "x": uniq[:, 1] / 1e7,
            "y": uniq[:, 2] / 1e7,
            "group": pd.Categorical.from_codes(uniq[:, 0].astype(int), groups.categories),
        }
    )
    nodes["country"] = pd.Categorical(
        boundaries.countries_at(nodes["x"].to_numpy(), nodes["y"].to_numpy())
    )
    edges = seg.drop(columns=["x0", "y0", "x1", "y1", "g0", "g1"]).copy()
    edges.insert(0, "u", inverse[:n].astype(np.int64))
    edges.insert(1, "v", inverse[n:].astype(np.int64))
    chord = geodesic_lengths_m(seg["x0"], seg["y0"], seg["x1"], seg["y1"])
    given = seg["length_m"].to_numpy(np.float64)
    track = np.isfinite(given) & (given > 0)
    edges["length_m"] = np.where(track, np.fmax(given, chord), chord)
    edges["length_source"] = pd.Categorical.from_codes(
        track.astype(np.int8), dtype=pd.CategoricalDtype([LENGTH_GEODESIC, LENGTH_TRACK])
    )
    edges = edges[edges["u"] != edges["v"]]
    edges = _canonical_edges(edges)
    return Network(nodes=nodes, edges=edges, meta=dict(meta or {}))


def _unique_rows(
    keys: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``np.unique(keys, axis=0, return_inverse=True)`` by one lexsort (several times faster).

    The rows come out in the same lexicographic order, so node ids are unchanged.
    """
    if not len(keys):
        return keys[:0], np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys.T[::-1])
    ordered = keys[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def _canonical_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """Order ends (u < v), drop duplicate edges, set categoricals and a fresh index."""
    e = edges.copy()
    u = np.minimum(e["u"].to_numpy(), e["v"].to_numpy())
    v = np.maximum(e["u"].to_numpy(), e["v"].to_numpy())
    e["u"], e["v"] = u, v
    e = e.drop_duplicates(subset=["u", "v", "mode", "status", "bridged"])
    for c in CATEGORY_COLUMNS:
        if c in e.columns:
            e[c] = _string_category(e[c])
    return e.reset_index(drop=True)


def _string_category(col: pd.Series) -> pd.Series:
    """``col.astype(str).astype("category")``: sorted string categories, only those used.

    A column that is already categorical over strings, with no missing value, keeps its
    codes (its unused categories dropped, the rest sorted), which is several times faster
    than going through an array of strings.
    """
    dtype = col.dtype
    if (
        isinstance(dtype, pd.CategoricalDtype)
        and pd.api.types.is_string_dtype(dtype.categories.dtype)
        and not col.isna().any()
    ):
        used = col.cat.remove_unused_categories()
        cats = list(used.cat.categories)
        ordered = sorted(cats)
        return used if cats == ordered else used.cat.reorder_categories(ordered)
    return col.astype(str).astype("category")


def subnetwork(net: Network, edge_mask: npt.NDArray[np.bool_]) -> Network:
    """Keep the masked edges and the nodes they use (node ids are renumbered)."""
    edges = net.edges[edge_mask]
    used = np.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]))
    remap = np.full(net.n_nodes, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    nodes = net.nodes.iloc[used].reset_index(drop=True)
    edges = edges.assign(u=remap[edges["u"].to_numpy()], v=remap[edges["v"].to_numpy()])
    return Network(nodes=nodes, edges=edges.reset_index(drop=True), meta=dict(net.meta))


# --- summaries and conversions -----------------------------------------------------------------


def network_info(net: Network) -> dict[str, Any]:
    """Nodes, edges, km per mode and status, components and bridged km, with provenance."""
    from scipy.sparse.csgraph import connected_components

    e = net.edges
    km = (
        e.groupby(["mode", "status"], observed=True)["length_m"].sum().div(1000).round(1)
    ).reset_index()
    by_mode = e.groupby("mode", observed=True)["length_m"].sum().div(1000).round(1)
    components: dict[str, int] = {}
    for mode in sorted(set(e["mode"].astype(str)) - {TRANSFER}):
        sub = e[e["mode"] == mode]
        if sub.empty:
            continue
        used, inv = np.unique(np.concatenate([sub["u"], sub["v"]]), return_inverse=True)
        from scipy.sparse import coo_matrix

        m = len(sub)
        graph = coo_matrix((np.ones(m), (inv[:m], inv[m:])), shape=(len(used), len(used)))
        components[mode] = int(connected_components(graph, directed=False)[0])
    bridged = e[e["bridged"]]
    return {
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "km_by_mode": {str(k): float(v) for k, v in by_mode.items()},
        "km_by_mode_status": [
            {"mode": str(m), "status": str(st), "km": float(k)}
            for m, st, k in zip(km["mode"], km["status"], km["length_m"], strict=True)
        ],
        "components_by_mode": components,
        "bridged_edges": len(bridged),
        "bridged_km": round(float(bridged["length_m"].sum()) / 1000, 1),
        "repair": dict(net.meta.get("repair", {})),
        "sources": net.meta.get("sources", {}),
        "bbox": net.meta.get("bbox"),
    }


def network_to_gdfs(net: Network) -> tuple[Any, Any]:
    """Return ``(nodes, edges)`` GeoDataFrames in EPSG:4326, like ``osmnx.graph_to_gdfs``."""
    import geopandas as gpd
    import shapely

    nodes = gpd.GeoDataFrame(
        net.nodes.copy(),
        geometry=gpd.points_from_xy(net.nodes["x"], net.nodes["y"]),
        crs="EPSG:4326",
    )
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    u, v = net.edges["u"].to_numpy(), net.edges["v"].to_numpy()
    coords = np.stack([np.stack([x[u], y[u]], axis=1), np.stack([x[v], y[v]], axis=1)], axis=1)
    edges = gpd.GeoDataFrame(
        net.edges.copy(), geometry=shapely.linestrings(coords), crs="EPSG:4326"
    )
    nodes.attrs.update(net.meta)
    edges.attrs.update(net.meta)
    return nodes, edges


def network_to_networkx(net: Network) -> Any:
    """Return an osmnx-style ``networkx.MultiDiGraph`` (both directions of every edge).

    Nodes carry ``x``, ``y``, ``group``, ``country``; edges every edge column with ``length``
    (metres) as osmnx names it. ``graph["crs"]`` is EPSG:4326.
    """
    import networkx as nx

    g = nx.MultiDiGraph(crs="EPSG:4326", **{k: v for k, v in net.meta.items() if k == "created"})
    n = net.nodes
    for i, (x, y, grp, ctry) in enumerate(
        zip(n["x"].to_numpy(), n["y"].to_numpy(), n["group"], n["country"], strict=True)
    ):
        g.add_node(i, x=float(x), y=float(y), group=str(grp), country=str(ctry))
    cols = [c for c in net.edges.columns if c not in ("u", "v")]
    for rec in net.edges.to_dict("records"):
        attrs = {c: _plain(rec[c]) for c in cols}
        attrs["length"] = attrs["length_m"]
        u, v = int(rec["u"]), int(rec["v"])
        g.add_edge(u, v, **attrs)
        g.add_edge(v, u, **attrs)
    return g


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


# --- storage --------------------------------------------------------------------------------


def network_to_npz(net: Network, path: Path) -> None:
    """Write the network to one ``.npz`` file (numbers as arrays, categories as codes)."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "node_x": net.nodes["x"].to_numpy(np.float64),
        "node_y": net.nodes["y"].to_numpy(np.float64),
    }
    cats: dict[str, list[str]] = {}
    for name, frame, prefix in (("group", net.nodes, "node_"), ("country", net.nodes, "node_")):
        col = frame[name].astype("category")
        arrays[prefix + name] = col.cat.codes.to_numpy(np.int16)
        cats[prefix + name] = [str(c) for c in col.cat.categories]
    for c in net.edges.columns:
        col = net.edges[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            arrays["edge_" + c] = col.cat.codes.to_numpy(np.int32)
            cats["edge_" + c] = [str(x) for x in col.cat.categories]
        else:
            arrays["edge_" + c] = col.to_numpy()
    header = json.dumps({"categories": cats, "meta": net.meta}, default=str)
    arrays["header"] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    path.write_bytes(buf.getvalue())


def network_from_npz(path: Path) -> Network:
    """Read a network written by :func:`network_to_npz`."""
    with np.load(path, allow_pickle=False) as z:
        header = json.loads(bytes(z["header"]).decode("utf-8"))
        cats: dict[str, list[str]] = header["categories"]

        def column(key: str) -> Any:
            if key in cats:
                return pd.Categorical.from_codes(z[key].astype(np.int64), pd.Index(cats[key]))
            return z[key]

        nodes = pd.DataFrame(
            {
                "x": z["node_x"],
                "y": z["node_y"],
                "group": column("node_group"),
                "country": column("node_country"),
            }
        )
        edge_keys = [k for k in z.files if k.startswith("edge_")]
        edges = pd.DataFrame({k[5:]: column(k) for k in edge_keys})
    return Network(nodes=nodes, edges=edges, meta=header["meta"])


def mark_closed_crossings(net: Network) -> Network:
    """Set ``closed`` on edges that join the two countries of a closed border crossing.

    Routing never uses closed edges (``geodata/closed_crossings.yaml``). An edge is closed
    when its end nodes lie in the crossing's two countries and its line passes within
    ``radius_km`` of the crossing's point: the embedded road graph's edges run tens of km
    between junctions, so which node lies nearest the border moves with the boundary data.
    """
    edges = net.edges.copy()
    closed = np.zeros(len(edges), dtype=bool)
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    # integer codes once (hashing), not string comparisons over every edge per crossing
    country_codes, countries = pd.factorize(net.nodes["country"].astype(str).to_numpy())
    mode_codes, modes = pd.factorize(edges["mode"].astype(str).to_numpy())
    cu, cv = country_codes[u], country_codes[v]
    known = {str(c): i for i, c in enumerate(countries)}
    for cc in geodata.closed_crossings():
        a, b = (known.get(c, -2) for c in cc.countries)
        joins = ((cu == a) & (cv == b)) | ((cu == b) & (cv == a))
        wanted = [i for i, m in enumerate(modes) if str(m) in set(cc.modes)]
        cand = np.flatnonzero(joins & np.isin(mode_codes, wanted))
        if not len(cand):
            continue
        d = _segment_distance_m(x[u[cand]], y[u[cand]], x[v[cand]], y[v[cand]], cc.lon, cc.lat)
        closed[cand[d <= cc.radius_km * 1000.0]] = True
    edges["closed"] = closed
    return Network(nodes=net.nodes, edges=edges, meta=dict(net.meta))


def _segment_distance_m(
    x0: npt.NDArray[np.float64],
    y0: npt.NDArray[np.float64],
    x1: npt.NDArray[np.float64],
    y1: npt.NDArray[np.float64],
    lon: float,
    lat: float,
) -> npt.NDArray[np.float64]:
    """Distance in metres from ``(lon, lat)`` to each straight segment (local plane, shapely)."""
    import shapely

    kx, ky = 111_320.0 * np.cos(np.radians(lat)), 111_320.0
    ends = np.stack(
        [
            np.stack([(x0 - lon) * kx, (y0 - lat) * ky], 1),
            np.stack([(x1 - lon) * kx, (y1 - lat) * ky], 1),
        ],
        axis=1,
    )
    return np.asarray(
        shapely.distance(shapely.Point(0.0, 0.0), shapely.linestrings(ends)), dtype=np.float64
    )
