"""Country boundaries: OSM-derived borders in the South Caucasus, Natural Earth elsewhere."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely

from corridors._data import geodata_dir
from corridors.geo import boundaries
from tests.conftest import DATA


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
    assert set(codes) == {"AZE", ""}  # a few vertices on the river bank fall between polygons
    assert (codes == "AZE").sum() == 334
    frac = [
        shapely.intersection(shapely.LineString(coords), g).length
        / shapely.LineString(coords).length
        for g in boundaries.osm_countries().set_index("iso3").loc[["AZE", "IRN"], "geometry"]
    ]
    # 97.2 % inside Azerbaijan, the rest in gaps between the AZE and IRN polygons at the river
    assert frac == [pytest.approx(0.972, abs=0.001), 0.0]


def test_natural_earth_alone_would_put_most_of_that_track_in_iran() -> None:
    # why the OSM borders ship: Natural Earth 1:10m draws the Aras 2-4 km off
    iran = boundaries.geometries()["IRN"]
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
