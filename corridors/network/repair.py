"""Network repair: merge near-coincident nodes, bridge small gaps, and say what was done.

Real extracts have gaps: lines that meet on the ground but share no node, and lines cut at
the edges of data tiles. Repair never bridges silently: every added edge is marked
``bridged`` and counted in the :class:`RepairReport`, which is kept in ``network.meta``.

Every repair decision is local: nodes merge with neighbours within a few metres, and a gap
is bridged or not by what the network looks like in a fixed window of tiles around it
(:func:`_bridge_candidates`), so that a route between two places does not change when the
network is built over a larger extent.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from corridors import settings
from corridors.geo.boundaries import geodesic_lengths_m, sphere_xyz
from corridors.network.core import (
    LENGTH_GEODESIC,
    LENGTH_TRACK,
    Network,
    _canonical_edges,
    subnetwork,
)

__all__ = ["RepairReport", "components", "repair_network"]

_LOG = logging.getLogger("corridors")

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
        pairs = cKDTree(sphere_xyz(x[ids], y[ids])).query_pairs(tolerance_m, output_type="ndarray")
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


#: Bridging is decided in fixed tiles of this many degrees (at least; see :func:`_tile_deg`),
#: each tile looking at the 3 x 3 block of tiles around it, never at the network beyond.
BRIDGE_TILE_DEG = 1.0
#: A tile must be at least this many times as wide as the largest bridge (along a parallel
#: at 60 degrees latitude, where a degree of longitude is half as long as at the equator).
_TILE_OVER_BRIDGE = 10.0
#: Tiles are numbered (tx + 2048) * 4096 + (ty + 2048): room for any tile of a degree or more.
_TILE_CODE = 1 << 12


def _sorted_unique(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values, ascending.

    By sorting: for millions of distinct integers much faster than :func:`numpy.unique`
    without ``return_inverse``, which hashes.
    """
    out = np.sort(values)
    return out[np.concatenate([[True], out[1:] != out[:-1]])] if len(out) else out


def _tile_deg(max_m: float) -> float:
    """Side of the bridging tiles, in degrees, for bridges up to ``max_m`` metres."""
    need = _TILE_OVER_BRIDGE * max_m / (0.5 * _M_PER_DEG_LON_EQ)
    return max(BRIDGE_TILE_DEG, float(math.ceil(need)))


def _tile_codes(tx: npt.NDArray[np.int64], ty: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """One integer per tile from its column and row."""
    half = _TILE_CODE // 2
    return (tx + half) * _TILE_CODE + (ty + half)


def _block_centres(
    tx: npt.NDArray[np.int64], ty: npt.NDArray[np.int64], centres: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every ``(i, centre)`` with tile ``(tx[i], ty[i])`` in the 3 x 3 block of ``centre``."""
    offsets = np.array([(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)], dtype=np.int64)
    centre = _tile_codes(
        (tx[None, :] + offsets[:, :1]).ravel(), (ty[None, :] + offsets[:, 1:]).ravel()
    )
    index = np.tile(np.arange(len(tx)), len(offsets))
    keep = np.isin(centre, centres)
    return index[keep], centre[keep]


def _bridge_candidates(
    net: Network, mode: str, max_m: float, min_component_m: float
) -> pd.DataFrame:
    """For each dangling end, the nearest node within ``max_m`` of another local component.

    A *local component* is a connected component of the window of the end's tile: the
    edges of ``mode`` with an end in the 3 x 3 block of tiles around that tile. Whether two
    nodes are connected, and how long a component is, therefore depends only on the network
    in that window, never on how far the network reaches beyond it (a global component
    joins a gap's two sides by a path far away once the extent is large enough, and the
    gap would then stay open).

    Each window is computed once for all its ends: the edges inside one tile are first
    contracted to the tile's own components; a window is then those components in its nine
    tiles joined by the edges that cross between tiles.

    Returns
    -------
    pandas.DataFrame
        One row per candidate: ``d`` (the chord, in metres), ``a`` (the dangling end),
        ``b``, their coordinates ``xa``, ``ya``, ``xb``, ``yb`` (degrees), and the local
        component labels ``la`` and ``lb`` (distinct across windows, so that one union-find
        serves every tile at once).
    """
    columns = ("d", "a", "b", "xa", "ya", "xb", "yb", "la", "lb")
    empty = pd.DataFrame(
        {c: pd.Series(dtype="float64" if c[0] in "dxy" else "int64") for c in columns}
    )
    e = net.edges[net.edges["mode"] == mode]
    u, v = e["u"].to_numpy(np.int64), e["v"].to_numpy(np.int64)
    length = e["length_m"].to_numpy(np.float64)
    n = net.n_nodes
    degree = np.bincount(np.concatenate([u, v]), minlength=n)
    dangling = np.flatnonzero(degree == 1)
    if len(dangling) == 0:
        return empty
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    deg = _tile_deg(max_m)
    tx = np.floor(x / deg).astype(np.int64)
    ty = np.floor(y / deg).astype(np.int64)
    tile = _tile_codes(tx, ty)
    centres = _sorted_unique(tile[dangling])
    # the components of each tile on its own
    inner = tile[u] == tile[v]
    one = coo_matrix((np.ones(int(inner.sum())), (u[inner], v[inner])), shape=(n, n))
    _, tc = connected_components(one, directed=False)
    tc_len = np.bincount(tc[u[inner]], weights=length[inner], minlength=n)
    on_mode = np.flatnonzero(degree > 0)
    first = on_mode[np.unique(tc[on_mode], return_index=True)[1]]  # a node of each
    # copies, one per window: of the tiles' components, and of the edges between tiles
    i_tc, c_tc = _block_centres(tx[first], ty[first], centres)
    cross = np.flatnonzero(~inner)
    iu, cu = _block_centres(tx[u[cross]], ty[u[cross]], centres)
    iv, cv = _block_centres(tx[v[cross]], ty[v[cross]], centres)
    copies = _sorted_unique(
        np.concatenate([cu, cv]) * np.int64(len(cross)) + np.concatenate([iu, iv])
    )
    c_x, x_of = copies // max(len(cross), 1), cross[copies % max(len(cross), 1)]

    def vertex(nodes: npt.NDArray[np.int64], at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        # a node in the block is its tile's component; one outside it stands for itself
        inside = (np.abs(tx[nodes] - at // _TILE_CODE + _TILE_CODE // 2) <= 1) & (
            np.abs(ty[nodes] - at % _TILE_CODE + _TILE_CODE // 2) <= 1
        )
        return np.where(inside, tc[nodes], n + nodes) * np.int64(_TILE_CODE) ** 2 + at

    k = len(copies)
    tc_keys = tc[first[i_tc]] * np.int64(_TILE_CODE) ** 2 + c_tc
    keys = np.concatenate([vertex(u[x_of], c_x), vertex(v[x_of], c_x), tc_keys])
    uniq, inv = np.unique(keys, return_inverse=True)
    inv = inv.ravel()
    graph = coo_matrix((np.ones(k), (inv[:k], inv[k : 2 * k])), shape=(len(uniq), len(uniq)))
    _, lab = connected_components(graph, directed=False)
    comp_len = np.bincount(
        np.concatenate([lab[inv[:k]], lab[inv[2 * k :]]]),
        weights=np.concatenate([length[x_of], tc_len[tc[first[i_tc]]]]),
        minlength=int(lab.max()) + 1,
    )
    long_enough = comp_len[lab] >= min_component_m

    def local(nodes: npt.NDArray[np.int64], at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Index of each node's copy in the window centred at tile ``at`` (-1: not in it)."""
        key = vertex(nodes, at)
        pos = np.minimum(np.searchsorted(uniq, key), len(uniq) - 1)
        return np.where((uniq[pos] == key) & (key // np.int64(_TILE_CODE) ** 2 < n), pos, -1)

    ca = local(dangling, tile[dangling])
    ok_a = (ca >= 0) & long_enough[np.maximum(ca, 0)]
    dangling, ca = dangling[ok_a], ca[ok_a]
    if len(dangling) == 0:
        return empty
    xyz = sphere_xyz(x, y)
    near = cKDTree(xyz[dangling]).sparse_distance_matrix(
        cKDTree(xyz[on_mode]), max_m, output_type="ndarray"
    )
    ia, b = near["i"].astype(np.int64), on_mode[near["j"]]
    a = dangling[ia]
    cb = local(b, tile[a])
    la = lab[ca[ia]]
    good = (cb >= 0) & (a != b)
    good[good] = long_enough[cb[good]] & (lab[cb[good]] != la[good])
    a, b = a[good], b[good]
    out = pd.DataFrame(
        {
            "d": near["v"][good],
            "a": a,
            "b": b,
            "xa": x[a],
            "ya": y[a],
            "xb": x[b],
            "yb": y[b],
            "la": la[good],
            "lb": lab[cb[good]],
        }
    )
    # per end the nearest such node; equal distances go to the westernmost, then southernmost
    out = out.sort_values(["a", "d", "xb", "yb"], kind="stable")
    return out.drop_duplicates("a").reset_index(drop=True)


def _bridge(
    net: Network, mode: str, max_m: float, min_component_m: float
) -> tuple[pd.DataFrame, float]:
    cand = _bridge_candidates(net, mode, max_m, min_component_m)
    # a gap at a border is a fact (a closed crossing, a line not yet built to it), not a
    # digitising gap: a bridge never joins two countries
    country = net.nodes["country"].astype(str).to_numpy()
    ca_, cb_ = country[cand["a"].to_numpy(int)], country[cand["b"].to_numpy(int)]
    cand = cand[(ca_ == cb_) | (ca_ == "") | (cb_ == "")]
    # shortest first, then by the ends' coordinates: the same order in every extent
    cand = cand.sort_values(["d", "xa", "ya", "xb", "yb"], kind="stable")
    parent: dict[int, int] = {}

    def find(c: int) -> int:
        while parent.get(c, c) != c:
            parent[c] = parent.get(parent[c], parent[c])
            c = parent[c]
        return c

    pairs: set[tuple[int, int]] = set()
    for a, b, ca, cb in zip(cand["a"], cand["b"], cand["la"], cand["lb"], strict=True):
        ra, rb = find(int(ca)), find(int(cb))
        if ra == rb:
            continue
        parent[ra] = rb
        # two ends in neighbouring tiles that chose each other give one edge
        pairs.add((min(int(a), int(b)), max(int(a), int(b))))
    rows = sorted(pairs)
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
        Largest gap, in km, bridged from a dangling end to the nearest node that the
        network does not connect it to within the 3 x 3 tiles of :data:`BRIDGE_TILE_DEG`
        degrees around the end's tile (a *local component*); in each tile shortest gaps
        first, one per pair of local components, ties by the ends' coordinates
        (default :data:`corridors.settings.bridge_max_km`; 0 turns bridging off).
    min_component_km
        Local components with less than this many km are left alone
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
