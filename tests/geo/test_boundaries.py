"""Tests of ``corridors.geo.boundaries``: the vectorised point-in-country look-up."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from corridors import settings
from corridors._data import geodata_dir
from corridors.geo import boundaries
from corridors.network.core import Network
from tests.conftest import DATA


def _reference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The former look-up: one STRtree query of every point against the polygons."""
    out = np.full(x.shape, "", dtype="<U3")
    pt_idx, poly_idx = boundaries._tree_for("natural-earth").query(
        shapely.points(x, y), predicate="intersects"
    )
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
    got = boundaries.countries_at(x, y, borders="natural-earth")
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


@pytest.mark.parametrize(
    ("place", "lon", "lat", "iso3"),
    [
        ("Nakhchivan city", 45.41, 39.21, "AZE"),
        ("Khankendi (Stepanakert)", 46.75, 39.82, "AZE"),
        ("Shusha", 46.75, 39.76, "AZE"),
        ("Lachin", 46.55, 39.64, "AZE"),
        ("Julfa station", 45.62301, 38.95743, "AZE"),
        ("Ordubad station (OSM node 3082835805)", 46.00288, 38.87717, "AZE"),
        ("Meghri", 46.24, 38.90, "ARM"),
        ("Lake Sevan (a filled lake, not a hole)", 45.30, 40.35, "ARM"),
        ("Sukhumi", 41.02, 43.00, "GEO"),
        ("Tskhinvali", 43.96, 42.23, "GEO"),
        ("Caspian Sea off Baku", 50.50, 41.00, None),
        ("Black Sea off Batumi", 41.20, 41.80, None),
        ("Almaty (outside the OSM region: Natural Earth)", 76.90, 43.25, "KAZ"),
    ],
)
def test_political_cases_on_the_osm_borders(
    place: str, lon: float, lat: float, iso3: str | None
) -> None:
    assert boundaries.country_at(lon, lat, borders="osm") == iso3, place


@pytest.mark.parametrize(
    ("lon", "lat", "iso3"),
    [(45.41, 39.21, "AZE"), (46.75, 39.82, "AZE"), (50.50, 41.00, None), (45.30, 40.35, "ARM")],
)
def test_political_cases_on_natural_earth(lon: float, lat: float, iso3: str | None) -> None:
    assert boundaries.country_at(lon, lat) == iso3


def _ordubad_julfa() -> list[tuple[float, float]]:
    data = json.loads((DATA / "ordubad_julfa_osm.geojson").read_text(encoding="utf-8"))
    return [(float(x), float(y)) for x, y in data["features"][0]["geometry"]["coordinates"]]


def test_the_real_ordubad_julfa_track_lies_in_azerbaijan() -> None:
    coords = _ordubad_julfa()
    xs, ys = np.array(coords).T
    assert boundaries.geodesic_lengths_m(xs[:-1], ys[:-1], xs[1:], ys[1:]).sum() == (
        pytest.approx(39_376, abs=1)
    )
    codes = boundaries.countries_at(xs, ys, borders="osm")
    assert len(codes) == 348 and set(codes) == {"AZE"}
    # 14 vertices on the river bank fall in the water between the land polygons and take
    # the nearest country (within WATER_GAP_DEG)
    held = np.zeros(len(xs), bool)
    for geom in boundaries.osm_countries().geometry.values:
        held |= shapely.intersects_xy(geom, xs, ys)
    assert (~held).sum() == 14
    frac = [
        shapely.intersection(shapely.LineString(coords), g).length
        / shapely.LineString(coords).length
        for g in boundaries.osm_countries().set_index("iso3").loc[["AZE", "IRN"], "geometry"]
    ]
    # 97.2 % inside Azerbaijan, the rest in gaps between the AZE and IRN polygons at the river
    assert frac == [pytest.approx(0.972, abs=0.001), 0.0]


def test_natural_earth_alone_would_put_most_of_that_track_in_iran() -> None:
    # why the OSM borders ship: Natural Earth 1:10m draws the Aras 2-4 km off
    ne = boundaries.countries()
    iran = ne.loc[ne["iso3"] == "IRN", "geometry"].iloc[0]
    track = shapely.LineString(_ordubad_julfa())
    share = shapely.intersection(track, iran).length / track.length
    assert share == pytest.approx(0.81, abs=0.01)  # 32 of the 39 km


def test_the_packed_borders_are_attributed_and_dated() -> None:
    path = geodata_dir() / "boundaries_osm_caucasus.parquet"
    assert path.stat().st_size < 2_000_000
    meta = json.loads(pq.read_schema(path).metadata[b"corridors"])
    assert meta["licence"] == "ODbL 1.0"
    assert meta["attribution"] == "© OpenStreetMap contributors"
    assert meta["date"] == "2017-12-01"
    assert tuple(meta["region"]) == boundaries.OSM_REGION
    frame = gpd.read_parquet(path)
    assert set(frame["iso3"]) == {
        "ARM", "AZE", "GEO", "IRN", "IRQ", "KAZ", "RUS", "SYR", "TKM", "TUR", "UZB"
    }  # fmt: skip
    assert boundaries.osm_countries().attrs["sources"][1] == boundaries.OSM_BORDERS


def test_unknown_borders_are_named() -> None:
    with pytest.raises(LookupError, match="unknown borders 'ne'"):
        boundaries.countries_at([45.0], [40.0], borders="ne")


def test_water_gaps_take_the_nearest_country_and_the_sea_stays_no_country() -> None:
    # the Aras by Margara: OSM land polygons leave the river out; ARM's bank is 1 m away,
    # TUR's 31 m
    river = (44.226, 40.043)
    held = [
        g for g in boundaries.osm_countries().geometry.values if g.intersects(shapely.Point(river))
    ]
    assert held == []
    assert boundaries.country_at(*river, borders="osm") == "ARM"
    assert boundaries.country_at(*river, borders="natural-earth") == "ARM"
    # Baku's shore, 1 km out, is AZE; the Caspian 20 km out and the open Black Sea are not
    assert boundaries.country_at(49.87, 40.36, borders="osm") == "AZE"
    assert boundaries.country_at(50.2, 40.2, borders="osm") is None
    assert boundaries.country_at(40.0, 42.5, borders="osm") is None


@pytest.mark.parametrize(
    ("corridor", "name", "other", "inside_m"),
    [
        ("instc-west", "Astarachay border", "IRN", 50),  # 60 m along the track
        ("btk", "Kartsakhi–Çıldır border", "TUR", 370),
        ("middle-corridor", "Kartsakhi–Çıldır border", "TUR", 370),
        ("zangezur", "Sadarak–Dilucu border", "TUR", 60),
    ],
)
def test_border_points_on_the_osm_track_sit_just_inside_the_country_left_on_osm_borders(
    monkeypatch: pytest.MonkeyPatch, corridor: str, name: str, other: str, inside_m: int
) -> None:
    import corridors

    monkeypatch.setattr(settings, "borders", "osm")
    (wp,) = [w for w in corridors.load(corridor).waypoints if w.name == name]
    assert boundaries.country_at(wp.lon, wp.lat, borders="osm") == wp.country
    # distance to the neighbour across the border, in metres
    assert round(boundaries.distance_to_country_km(wp.lon, wp.lat, other) * 1000, -1) == inside_m


@pytest.mark.parametrize(
    ("corridor", "name", "way"),
    [
        ("btk", "Akhalkalaki", 1463212283),
        ("btk", "Kartsakhi–Çıldır border", 523465476),
        ("instc-west", "Astarachay border", 1463711169),
        ("instc-west", "Astara (IRN)", 1121722498),
    ],
)
def test_station_and_border_points_are_vertices_of_their_osm_ways(
    corridor: str, name: str, way: int
) -> None:
    import corridors

    (wp,) = [w for w in corridors.load(corridor).waypoints if w.name == name]
    layer = gpd.read_parquet(geodata_dir() / "osm_rail.parquet")
    (geom,) = layer.loc[layer["way_id"] == way, "geometry"]
    coords = shapely.get_coordinates(geom)
    assert np.abs(coords - [wp.lon, wp.lat]).max(axis=1).min() < 1e-5


def test_water_gaps_by_boundary_segments_match_the_nearest_polygon(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the fast fill (nearest boundary segment, for many points) names the same country as
    # the nearest whole polygon, on points along the Aras and the Kura and off the coasts
    rng = np.random.default_rng(3)
    xs = np.concatenate([rng.uniform(44.0, 49.5, 4000), rng.uniform(39.0, 42.0, 2000)])
    ys = np.concatenate([rng.uniform(38.5, 41.0, 4000), rng.uniform(40.8, 41.8, 2000)])
    held = np.zeros(len(xs), bool)
    for geom in boundaries.osm_countries().geometry.values:
        held |= shapely.intersects_xy(geom, xs, ys)
    x, y = xs[~held], ys[~held]
    assert len(x) > 20
    boundaries._boundary_segments.cache_clear()
    monkeypatch.setattr(boundaries, "_SEGMENT_TREE_MIN_POINTS", 10**9)
    slow = np.full(len(x), "", dtype="<U3")
    boundaries._fill_water_gaps(x, y, slow)
    monkeypatch.setattr(boundaries, "_SEGMENT_TREE_MIN_POINTS", 0)
    fast = np.full(len(x), "", dtype="<U3")
    boundaries._fill_water_gaps(x, y, fast)
    assert boundaries._boundary_segments.cache_info().currsize == 1
    assert (fast != "").sum() > 10  # some points do lie in gaps
    assert fast.tolist() == slow.tolist()


def test_boundary_lines_hold_every_ring_segment_once() -> None:
    boundaries._boundary_segments.cache_clear()
    tree, owner = boundaries._boundary_segments("osm")
    lines = tree.geometries
    table = boundaries.country_table("osm")
    rings = shapely.get_rings(shapely.get_parts(table.geometry.values))
    n_ring_segments = int((shapely.get_num_coordinates(rings) - 1).sum())
    n = shapely.get_num_coordinates(lines)
    assert len(lines) == len(owner) == 21_124
    assert int((n - 1).sum()) == n_ring_segments == 597_579
    assert n.max() == boundaries._BOUNDARY_CHUNK + 1 and n.min() >= 2
    # each line lies on the boundary of the country it names
    i = np.arange(0, len(lines), 997)
    on = shapely.distance(lines[i], shapely.boundary(table.geometry.values[owner[i]]))
    assert float(np.max(on)) < 1e-9


def test_sphere_chords_are_great_circle_metres_the_same_at_every_latitude() -> None:
    # 0.001° of latitude is R·π/180·0.001 m on the sphere, north–south at any longitude
    step = boundaries.EARTH_RADIUS_M * np.pi / 180 * 0.001
    for lon, lat in ((50.0, 46.0), (0.0, 0.0), (70.0, 60.0)):
        a, b = boundaries.sphere_xyz([lon, lon], [lat, lat + 0.001])
        assert float(np.linalg.norm(a - b)) == pytest.approx(step, abs=1e-6)
    assert round(step, 3) == 111.195
    # east–west the chord shrinks by cos(latitude) alone, not by the longitude's size
    a, b = boundaries.sphere_xyz([50.0, 50.001], [46.0, 46.0])
    c, d = boundaries.sphere_xyz([0.0, 0.001], [46.0, 46.0])
    assert float(np.linalg.norm(a - b)) == pytest.approx(float(np.linalg.norm(c - d)), abs=1e-6)
    assert float(np.linalg.norm(a - b)) == pytest.approx(step * np.cos(np.radians(46.0)), abs=1e-4)
    # 1,000 km: the chord is 0.1 % short of the arc (θ²/24)
    x, y = boundaries.sphere_xyz([40.0, 40.0], [40.0, 40.0 + 1_000_000 / step / 1000])
    assert float(np.linalg.norm(x - y)) == pytest.approx(1_000_000 * (1 - 0.00103), rel=1e-4)
    assert boundaries.sphere_xyz(np.zeros((2, 3)), np.zeros((2, 3))).shape == (2, 3, 3)
