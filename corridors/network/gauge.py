"""Track gauge of rail edges: from the OSM ``gauge`` tag, else the country rule.

The rule (``geodata/gauge.yaml``): 1520 mm in the former Soviet states (AZE, ARM, GEO, RUS,
KAZ, TKM, UZB ...), 1435 mm in TUR, IRN, CHN and the EU, 1676 mm in IND; with known
exceptions given as lines, such as the 1435 mm Akhalkalaki–Kars section of the
Baku–Tbilisi–Kars railway.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from corridors.geo import geodata
from corridors.network.core import Network

__all__ = ["add_gauge", "gauge_from_tag"]

_M_PER_DEG = 111_320.0


def gauge_from_tag(value: object) -> int:
    """Gauge in mm from an OSM ``gauge`` tag (``"1520"``, ``"1435;1520"`` → first), 0 if none."""
    if value is None:
        return 0
    # a whole 3- or 4-digit number: "1,520" or "15200" is unreadable (0), never 520 or 1520
    match = re.search(r"(?<![\d,.])\d{3,4}(?![\d,.])", str(value))
    return int(match.group()) if match else 0


def _local(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], lat0: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return x * _M_PER_DEG * np.cos(np.radians(lat0)), y * _M_PER_DEG


def add_gauge(net: Network) -> Network:
    """Fill ``gauge_mm`` on rail edges that have none, by exception line or country rule.

    Returns a new network; edges with a gauge from their OSM tag keep it.
    """
    rules = geodata.gauge_rules()
    edges = net.edges.copy()
    rail = (edges["mode"] == "rail").to_numpy()
    gauge = edges["gauge_mm"].to_numpy().astype(np.int16).copy()
    todo = rail & (gauge == 0)
    if not todo.any():
        return net
    idx = np.flatnonzero(todo)
    u, v = edges["u"].to_numpy()[idx], edges["v"].to_numpy()[idx]
    country = pd.Categorical(net.nodes["country"])
    codes = np.asarray(country.codes)
    names = np.asarray(country.categories.astype(str))
    # each edge takes its first end's country, else its second's ("" or missing: none)
    first = np.where(codes[u] >= 0, codes[u], -1)
    first = np.where((first >= 0) & (names[np.maximum(first, 0)] != ""), first, codes[v])
    rule = np.array([rules.by_country.get(str(code), 0) for code in names] + [0], dtype=np.int16)
    gauge[idx] = rule[np.where(first >= 0, first, names.size)]
    x, y = net.nodes["x"].to_numpy(), net.nodes["y"].to_numpy()
    mx, my = (x[u] + x[v]) / 2, (y[u] + y[v]) / 2
    for exc in rules.exceptions:
        line = np.asarray(exc.line)
        lat0 = float(line[:, 1].mean())
        lx, ly = _local(line[:, 0], line[:, 1], lat0)
        geom = shapely.linestrings(np.stack([lx, ly], axis=1))
        px, py = _local(mx, my, lat0)
        near = shapely.distance(geom, shapely.points(px, py)) <= exc.buffer_m
        gauge[idx[near]] = exc.gauge_mm
    edges["gauge_mm"] = gauge
    return Network(nodes=net.nodes, edges=edges, meta=dict(net.meta))
