"""Network repair: merge near-coincident nodes, bridge small gaps, and say what was done.

Real extracts have gaps: lines that meet on the ground but share no node, and lines cut at
the edges of data tiles. Repair never bridges silently: every added edge is marked
``bridged`` and counted in the :class:`RepairReport`, which is kept in ``network.meta``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from corridors import settings
from corridors.geo.boundaries import geodesic_lengths_m
from corridors.network.core import (
    LENGTH_GEODESIC,
    LENGTH_TRACK,
    Network,
    _canonical_edges,
    subnetwork,
)

__all__ = ["RepairReport", "components", "repair_network"]

_LOG = logging.getLogger("corridors")

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


@dataclass(frozen=True)
class RepairReport:
    """What the repair step did, per mode."""

    merge_tolerance_m: float
    bridge_max_km: float
    merged_nodes: int
    components_before: dict[str, int]
    components_after: dict[str, int]
    bridged_edges: dict[str, int]
    bridged_km: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        """Plain mapping, for ``network.meta`` and JSON."""
        return asdict(self)


def _local_xy(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Planar metres good enough for neighbour search within a few km (not for lengths)."""
    return np.stack([x * _M_PER_DEG_LON_EQ * np.cos(np.radians(y)), y * _M_PER_DEG_LAT], axis=1)


def components(net: Network, mode: str) -> tuple[npt.NDArray[np.int64], int]:
    """Connected-component label of every node on the edges of ``mode`` (-1: not on it)."""
    e = net.edges[net.edges["mode"] == mode]
    labels = np.full(net.n_nodes, -1, dtype=np.int64)
    if e.empty:
        return labels, 0
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    used, inv = np.unique(np.concatenate([u, v]), return_inverse=True)
    m = len(e)
    graph = coo_matrix((np.ones(m), (inv[:m], inv[m:])), shape=(len(used), len(used)))
    n, lab = connected_components(graph, directed=False)
    labels[used] = lab
    return labels, int(n)


def _merge_nodes(net: Network, modes: Iterable[str], tolerance_m: float) -> tuple[Network, int]:
    if tolerance_m <= 0:
        return net, 0
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    rep = np.arange(net.n_nodes)
    merged = 0
    for mode in modes:
        e = net.edges[net.edges["mode"] == mode]
        ids = np.unique(np.concatenate([e["u"].to_numpy(), e["v"].to_numpy()]))
        if len(ids) < 2:
            continue
        pairs = cKDTree(_local_xy(x[ids], y[ids])).query_pairs(tolerance_m, output_type="ndarray")
        if len(pairs) == 0:
            continue
        k = len(ids)
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(k, k))
        _, lab = connected_components(graph, directed=False)
        first = pd.Series(ids).groupby(lab).transform("min").to_numpy()
        rep[ids] = first
        merged += int((first != ids).sum())
    if merged == 0:
        return net, 0
    edges = net.edges.assign(u=rep[net.edges["u"].to_numpy()], v=rep[net.edges["v"].to_numpy()])
    edges = edges[edges["u"] != edges["v"]]
    chord = geodesic_lengths_m(x[edges["u"]], y[edges["u"]], x[edges["v"]], y[edges["v"]])
    # an along-track length stays (ends move by under tolerance_m); a chord is re-measured
    track = (edges["length_source"].astype(str) == LENGTH_TRACK).to_numpy()
    edges = edges.assign(
        length_m=np.where(track, np.fmax(edges["length_m"].to_numpy(np.float64), chord), chord)
    )
    edges = _canonical_edges(edges)
    out = Network(nodes=net.nodes, edges=edges, meta=dict(net.meta))
    return subnetwork(out, np.ones(len(edges), dtype=bool)), merged


def _bridge_candidates(
    net: Network, mode: str, max_m: float, min_component_m: float
) -> list[tuple[float, int, int, int, int]]:
    labels, n_comp = components(net, mode)
    if n_comp < 2:
        return []
    e = net.edges[net.edges["mode"] == mode]
    comp_len = np.bincount(
        labels[e["u"].to_numpy()], weights=e["length_m"].to_numpy(), minlength=n_comp
    )
    degree = np.bincount(
        np.concatenate([e["u"].to_numpy(), e["v"].to_numpy()]), minlength=net.n_nodes
    )
    on_mode = labels >= 0
    eligible = on_mode & (comp_len[np.maximum(labels, 0)] >= min_component_m)
    ids = np.flatnonzero(eligible)
    if len(ids) == 0:
        return []
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    xy = _local_xy(x[ids], y[ids])
    tree = cKDTree(xy)
    dangling = np.flatnonzero(degree[ids] == 1)
    out: list[tuple[float, int, int, int, int]] = []
    k = min(24, len(ids))
    dist, idx = tree.query(xy[dangling], k=k, distance_upper_bound=max_m)
    dist, idx = np.atleast_2d(dist), np.atleast_2d(idx)
    for row, d_row, i_row in zip(dangling, dist, idx, strict=True):
        a = ids[row]
        found = False
        for d, j in zip(d_row, i_row, strict=True):
            if not np.isfinite(d):
                break
            b = ids[j]
            if labels[b] != labels[a]:
                out.append((float(d), int(a), int(b), int(labels[a]), int(labels[b])))
                found = True
                break
        if not found and np.isfinite(d_row[-1]):
            near = tree.query_ball_point(xy[row], max_m)
            other = [j for j in near if labels[ids[j]] != labels[a]]
            if other:
                dd = np.hypot(*(xy[other] - xy[row]).T)
                j = other[int(np.argmin(dd))]
                out.append(
                    (float(dd.min()), int(a), int(ids[j]), int(labels[a]), int(labels[ids[j]]))
                )
    return out


def _bridge(
    net: Network, mode: str, max_m: float, min_component_m: float
) -> tuple[pd.DataFrame, float]:
    candidates = sorted(_bridge_candidates(net, mode, max_m, min_component_m))
    parent: dict[int, int] = {}

    def find(c: int) -> int:
        while parent.get(c, c) != c:
            parent[c] = parent.get(parent[c], parent[c])
            c = parent[c]
        return c

    rows = []
    for _, a, b, ca, cb in candidates:
        ra, rb = find(ca), find(cb)
        if ra == rb:
            continue
        parent[ra] = rb
        rows.append((a, b))
    if not rows:
        return net.edges.iloc[0:0], 0.0
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    u = np.array([r[0] for r in rows])
    v = np.array([r[1] for r in rows])
    template = net.edges[net.edges["mode"] == mode].iloc[[0]]
    new = pd.DataFrame({c: np.repeat(template[c].to_numpy(), len(rows)) for c in net.edges.columns})
    new["u"], new["v"] = u, v
    new["length_m"] = geodesic_lengths_m(x[u], y[u], x[v], y[v])
    new["length_source"] = LENGTH_GEODESIC
    new["bridged"] = True
    new["status"] = "operational"
    new["source"] = "repair"
    for c in (
        "name",
        "passage",
        "railway",
        "highway",
        "usage",
        "service",
        "electrified",
        "operator",
        "construction",
    ):
        if c in new.columns:
            new[c] = ""
    if "osmid" in new.columns:
        new["osmid"] = -1
    return new, float(new["length_m"].sum()) / 1000.0


def repair_network(
    net: Network,
    *,
    modes: Iterable[str] = ("rail", "road"),
    merge_tolerance_m: float | None = None,
    bridge_max_km: float | None = None,
    min_component_km: float | None = None,
) -> tuple[Network, RepairReport]:
    """Merge nodes closer than a tolerance and bridge gaps between components.

    Parameters
    ----------
    net
        The network to repair (not modified).
    modes
        Modes to repair, each on its own (a rail gap is never bridged by a road).
    merge_tolerance_m
        Nodes of the same mode closer than this, in metres, become one node
        (default :data:`corridors.settings.merge_tolerance_m`).
    bridge_max_km
        Largest gap, in km, bridged between two components, from a dangling end to the
        nearest node of another component; shortest gaps first, one per pair of components
        (default :data:`corridors.settings.bridge_max_km`; 0 turns bridging off).
    min_component_km
        Components with less than this many km are left alone
        (default :data:`corridors.settings.bridge_min_component_km`).

    Returns
    -------
    (Network, RepairReport)
        The repaired network (bridged edges have ``bridged=True``, ``source="repair"``) and
        the report, also stored in ``meta["repair"]``.
    """
    merge_m = settings.merge_tolerance_m if merge_tolerance_m is None else merge_tolerance_m
    max_km = settings.bridge_max_km if bridge_max_km is None else bridge_max_km
    min_km = settings.bridge_min_component_km if min_component_km is None else min_component_km
    modes = tuple(m for m in modes if (net.edges["mode"] == m).any())
    before = {m: components(net, m)[1] for m in modes}
    net, merged = _merge_nodes(net, modes, merge_m)
    added: list[pd.DataFrame] = []
    bridged_edges: dict[str, int] = {}
    bridged_km: dict[str, float] = {}
    if max_km > 0:
        for mode in modes:
            new, km = _bridge(net, mode, max_km * 1000.0, min_km * 1000.0)
            bridged_edges[mode] = len(new)
            bridged_km[mode] = round(km, 2)
            if len(new):
                added.append(new)
    if added:
        edges = pd.concat(
            [net.edges.astype(dict.fromkeys(net.edges.select_dtypes("category"), object)), *added],
            ignore_index=True,
        )
        net = Network(nodes=net.nodes, edges=_canonical_edges(edges), meta=dict(net.meta))
    after = {m: components(net, m)[1] for m in modes}
    report = RepairReport(
        merge_tolerance_m=merge_m,
        bridge_max_km=max_km,
        merged_nodes=merged,
        components_before=before,
        components_after=after,
        bridged_edges=bridged_edges,
        bridged_km=bridged_km,
    )
    _LOG.info(
        "repair: merged %d nodes; components %s -> %s; bridged %s km",
        merged,
        before,
        after,
        bridged_km,
    )
    meta = {**net.meta, "repair": report.as_dict()}
    return Network(nodes=net.nodes, edges=net.edges, meta=meta), report
