"""Tests of ``corridors.geo.boundaries``: the vectorised point-in-country look-up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from corridors import settings
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


@pytest.fixture
def fresh_countries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder and no countries in memory (restored afterwards)."""
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    boundaries.countries.cache_clear()
    yield tmp_path / "boundaries"
    boundaries.countries.cache_clear()


def _same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    )
    assert a.crs == b.crs and a.attrs == b.attrs
    assert shapely.equals_exact(a.geometry.values, b.geometry.values, 0).all()


def test_countries_are_cached_as_wkb_and_read_back_the_same(fresh_countries: Path) -> None:
    first = boundaries.countries()
    files = list(fresh_countries.glob("ne-admin0-*.npz"))
    assert len(files) == 1
    boundaries.countries.cache_clear()
    again = boundaries.countries()
    assert again is not first
    _same(first, again)
    assert len(again) == 250 and again.crs.to_epsg() == 4326
    assert shapely.is_valid(again.geometry.values).all()


def test_a_corrupt_boundaries_cache_is_rebuilt(
    fresh_countries: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = boundaries.countries()
    (path,) = fresh_countries.glob("ne-admin0-*.npz")
    path.write_bytes(b"not an npz file")
    boundaries.countries.cache_clear()
    with caplog.at_level(logging.WARNING, logger="corridors"):
        again = boundaries.countries()
    assert "unreadable" in caplog.text
    _same(first, again)
    boundaries.countries.cache_clear()
    _same(first, boundaries.countries())  # the rebuilt entry reads back
