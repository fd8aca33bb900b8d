"""Readers of the embedded default data, all from PyPI packages.

- Rail and road: the OSM-derived world railway and highway graphs of ``scgraph-data``
  (adjacency lists with node coordinates as ``[lat, lon]``; their modules import
  ``scgraph.core``, so ``scgraph`` 2.x is pinned as a dependency).
- Sea: the maritime network (MARNET) shipped by ``searoute``, as GeoJSON lines.
"""

from __future__ import annotations

import importlib
import itertools
import json
import logging
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors._errors import OptionalDependencyError

__all__ = ["BBox", "package_version", "scgraph_segments", "sea_segments"]

_LOG = logging.getLogger("corridors")

BBox = tuple[float, float, float, float]

_SCGRAPH_MODULES = {
    "rail": ("scgraph_data.world_railways", "world_railways_geograph"),
    "road": ("scgraph_data.world_highways", "world_highways_geograph"),
}

#: A MARNET line with a vertex in this box runs up the Volga and down the Don (inland
#: Russia between the Caspian and the Sea of Azov): it is tagged ``passage="volga-don"``.
VOLGA_DON_BOX: BBox = (40.5, 46.3, 46.8, 50.5)


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"missing"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def _import(module: str, attr: str, package: str) -> Any:
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        msg = (
            f"the embedded network needs the package {package!r} ({exc}); install the project "
            "with 'make venv' or: pip install 'scgraph==2.15.0' 'scgraph-data==2.0.0'"
        )
        raise OptionalDependencyError(msg) from exc


def _release(module: str) -> None:
    """Forget an imported scgraph-data graph module, so that its memory can be returned.

    The world highway and railway graphs are Python lists of several hundred MB together;
    once a region's segments are extracted they are not needed. A later call imports the
    module again.
    """
    sys.modules.pop(module, None)
    parent, _, child = module.rpartition(".")
    package = sys.modules.get(parent)
    if package is not None and hasattr(package, child):
        delattr(package, child)


def _in_bbox(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], bbox: BBox) -> Any:
    west, south, east, north = bbox
    return (x >= west) & (x <= east) & (y >= south) & (y <= north)


def scgraph_segments(mode: str, bbox: BBox) -> pd.DataFrame:
    """Segments of the scgraph-data world ``rail`` or ``road`` graph inside ``bbox``.

    Both ends must lie in the box. Each undirected edge appears once. scgraph keeps only the
    end nodes of a simplified line, but its edge weight is the line's length along the track
    in kilometres (rounded to 1 m, never shorter than the chord): it becomes ``length_m``.
    """
    module, attr = _SCGRAPH_MODULES[mode]
    geograph = _import(module, attr, "scgraph-data")
    latlon = np.asarray(geograph.nodes, dtype=np.float64)
    y, x = latlon[:, 0], latlon[:, 1]
    inside = _in_bbox(x, y, bbox)
    keep = np.flatnonzero(inside)
    us: list[int] = []
    vs: list[int] = []
    ws: list[float] = []
    graph = geograph.graph
    for u in keep:
        for v, w in graph[u].items():
            if v > u and inside[v]:
                us.append(int(u))
                vs.append(int(v))
                ws.append(float(w))
    del graph, geograph
    _release(module)
    u_arr, v_arr = np.asarray(us, dtype=np.int64), np.asarray(vs, dtype=np.int64)
    _LOG.debug("scgraph %s: %d nodes, %d edges in bbox", mode, len(keep), len(u_arr))
    return pd.DataFrame(
        {
            "x0": x[u_arr],
            "y0": y[u_arr],
            "x1": x[v_arr],
            "y1": y[v_arr],
            "length_m": np.asarray(ws, dtype=np.float64) * 1000.0,
            "mode": mode,
            "status": "operational",
            "source": f"scgraph-data:{attr.removesuffix('_geograph')}",
        }
    )


def _marnet_path() -> Path:
    searoute = _import("searoute", "__file__", "searoute")
    return Path(searoute).parent / "data" / "marnet_searoute.geojson"


def sea_segments(bbox: BBox) -> pd.DataFrame:
    """Segments of the searoute maritime network with at least one end inside ``bbox``.

    Lines through the Volga–Don box get ``passage="volga-don"``; lines searoute names as a
    passage (``bosporus``, ``ormuz``, ``suez`` ...) keep that name.
    """
    data = json.loads(_marnet_path().read_text(encoding="utf-8"))
    rows: list[tuple[float, float, float, float, str]] = []
    for feature in data["features"]:
        geom = feature["geometry"]
        lines = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
        passage = (feature.get("properties") or {}).get("passage") or ""
        for line in lines:
            pts = np.asarray([c[:2] for c in line], dtype=np.float64)
            pts[:, 0] = np.where(pts[:, 0] > 180, pts[:, 0] - 360, pts[:, 0])
            if not _in_bbox(pts[:, 0], pts[:, 1], bbox).any():
                continue
            tag = passage
            if _in_bbox(pts[:, 0], pts[:, 1], VOLGA_DON_BOX).any():
                tag = "volga-don"
            for a, b in itertools.pairwise(pts):
                rows.append((a[0], a[1], b[0], b[1], tag))
    frame = pd.DataFrame(rows, columns=["x0", "y0", "x1", "y1", "passage"])
    frame["mode"] = "sea"
    frame["status"] = "operational"
    frame["source"] = "searoute:marnet"
    return frame
