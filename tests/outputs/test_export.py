"""Routes as GeoDataFrames and GeoJSON: one row per leg, lengths that add up, provenance."""

from __future__ import annotations

import json

import pytest

import corridors
from corridors.analysis.metrics import route_metrics
from corridors.network.core import Network
from corridors.outputs.export import route_to_gdf, route_to_geojson
from corridors.routing import route_corridor


def test_route_to_gdf_has_one_row_per_leg_in_order(network: Network) -> None:
    btk = corridors.load("btk")
    r = route_corridor(btk, network)
    m = route_metrics(r)
    gdf = route_to_gdf(r, metrics=m)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["leg"]) == list(range(len(btk.legs)))
    assert list(gdf["from"]) == [leg.start.name for leg in btk.legs]
    assert list(gdf["to"]) == [leg.end.name for leg in btk.legs]
    assert list(gdf["length_km"]) == [leg["length_km"] for leg in m["legs"]]
    assert gdf["length_km"].sum() == pytest.approx(m["length_km"], abs=0.1 * len(gdf))
    assert set(gdf["route_id"]) == {"btk"}
    # each leg's line starts where the previous one ended
    for a, b in zip(gdf.geometry[:-1], gdf.geometry[1:], strict=True):
        assert a.coords[-1] == pytest.approx(b.coords[0], abs=1e-6)
    assert gdf.attrs["metrics"]["length_km"] == m["length_km"]
    assert "legs" not in gdf.attrs["metrics"]
    assert gdf.attrs["provenance"]["version"] == corridors.__version__
    assert gdf.attrs["provenance"]["network"] == r.meta["network"]


def test_route_to_geojson_matches_the_gdf(network: Network) -> None:
    r = route_corridor(corridors.load("aras"), network)
    gdf = route_to_gdf(r)
    fc = route_to_geojson(r)
    json.dumps(fc)  # serialisable as it is
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"]["leg"] for f in fc["features"]] == list(gdf["leg"])
    assert [f["properties"]["length_km"] for f in fc["features"]] == list(gdf["length_km"])
    assert fc["properties"]["length_km"] == gdf.attrs["metrics"]["length_km"]
    assert fc["provenance"] == gdf.attrs["provenance"]
    first = fc["features"][0]["geometry"]["coordinates"][0]
    assert first == [round(c, 6) for c in gdf.geometry.iloc[0].coords[0]]
