"""Small builders shared by the tests."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from corridors.geo import boundaries
from corridors.geo.boundaries import geodesic_lengths_m
from corridors.routing import PIECE_COLUMNS


def readme_prose() -> str:
    """README.md with every run of whitespace as one space (its prose quotes computed figures)."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    return " ".join(text.split())


def pieces_along(
    points: list[tuple[float, float]], mode: str = "rail", **extra: Any
) -> pd.DataFrame:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    countries = boundaries.countries_at(xs, ys)
    rows = []
    for i in range(len(points) - 1):
        rows.append(
            {
                "leg": 0,
                "edge": -1,
                "x0": xs[i],
                "y0": ys[i],
                "x1": xs[i + 1],
                "y1": ys[i + 1],
                "mode": mode,
                "status": "operational",
                "gauge_mm": 0,
                "length_m": float(
                    geodesic_lengths_m([xs[i]], [ys[i]], [xs[i + 1]], [ys[i + 1]])[0]
                ),
                "missing": False,
                "bridged": False,
                "link": "",
                "country0": countries[i],
                "country1": countries[i + 1],
                **extra,
            }
        )
    return pd.DataFrame(rows, columns=list(PIECE_COLUMNS))


def segments_along(
    points: list[tuple[float, float]], mode: str, **tags: object
) -> list[dict[str, object]]:
    """Segment rows (as ``network_from_segments`` takes) joining the points in order."""
    group = "water" if mode in ("sea", "ferry") else mode
    return [
        {
            "x0": a[0],
            "y0": a[1],
            "x1": b[0],
            "y1": b[1],
            "mode": mode,
            "source": "t",
            "g0": group,
            "g1": group,
            **tags,
        }
        for a, b in itertools.pairwise(points)
    ]
