"""Tests of ``corridors.geo.boundaries``: the vectorised point-in-country look-up."""

from __future__ import annotations

import numpy as np
import shapely

from corridors.geo import boundaries
from corridors.network.core import Network


def _reference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The former look-up: one STRtree query of every point against the polygons."""
    out = np.full(x.shape, "", dtype="<U3")
    pt_idx, poly_idx = boundaries._tree().query(shapely.points(x, y), predicate="intersects")
    out[pt_idx] = boundaries.countries()["iso3"].to_numpy()[poly_idx]
    return out


def test_known_places_and_the_sea() -> None:
    # Tbilisi, Baku, Nakhchivan city, Yerevan, Kars, the Caspian off Baku, the Black Sea.
    lons = [44.793, 49.867, 45.406, 44.513, 43.095, 51.0, 34.0]
    lats = [41.715, 40.409, 39.209, 40.177, 40.602, 40.5, 43.0]
    got = boundaries.countries_at(lons, lats)
    assert got.tolist() == ["GEO", "AZE", "AZE", "ARM", "TUR", "", ""]
    assert got.dtype == np.dtype("<U3")


def test_empty_and_nan_give_no_country() -> None:
    assert boundaries.countries_at([], []).shape == (0,)
    assert boundaries.countries_at([np.nan, 44.793], [41.715, np.nan]).tolist() == ["", ""]


def test_same_answers_as_the_per_point_query_on_real_nodes(network: Network) -> None:
    rng = np.random.default_rng(17)
    pick = rng.choice(network.n_nodes, size=4000, replace=False)
    x = network.nodes["x"].to_numpy()[pick]
    y = network.nodes["y"].to_numpy()[pick]
    got = boundaries.countries_at(x, y)
    want = _reference(x, y)
    assert (got == want).all()
    # The sample spans the region's countries and the sea, so the check is not vacuous.
    assert {"GEO", "AZE", "ARM", "TUR", "IRN", "RUS", "KAZ"} <= set(got.tolist())
    assert (got == "").sum() > 0
