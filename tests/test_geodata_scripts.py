"""The committed scripts that build ``geodata/``: the regional OSM rail layer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT, shared_path


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "geodata" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _km(layer: gpd.GeoDataFrame) -> float:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    return sum(geod.geometry_length(g) for g in layer.geometry) / 1000


def _pbf_from(xml: Path, pbf: Path) -> Path:
    import osmium

    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return pbf


def test_the_same_layer_from_pbf_xml_and_overpass_json(tmp_path: Path) -> None:
    build = _script("build_osm_rail")
    xml = shared_path("osm", "georgia_rail.osm")
    pbf = _pbf_from(xml, tmp_path / "georgia_rail.osm.pbf")
    layers = [
        build.build_layer([p]) for p in (xml, pbf, shared_path("osm", "georgia_rail.overpass.json"))
    ]
    for layer in layers:
        assert len(layer) == 1798
        assert sorted(layer["way_id"]) == sorted(layers[0]["way_id"])
        assert _km(layer) == pytest.approx(1640.6, abs=0.1)
        assert set(layer["extract"]) == {"georgia_rail"}
    assert layers[0].attrs["corridors"]["extracts"]["georgia_rail"]["date"] == (
        "2026-01-27T11:23:15Z"
    )
    by_gauge = layers[1].groupby("gauge_mm").size().to_dict()
    assert by_gauge[1520] > 1000 and by_gauge[1435] > 0  # Akhalkalaki-Kartsakhi is 1435 mm
    out = build.write_layer(layers[1], tmp_path / "layer.parquet")
    meta = json.loads(pq.read_schema(out).metadata[b"corridors"])
    assert meta["attribution"] == "© OpenStreetMap contributors" and meta["licence"] == "ODbL 1.0"
    assert len(gpd.read_parquet(out)) == 1798


def test_the_committed_layer_is_small_attributed_and_dated() -> None:
    path = ROOT / "geodata" / "osm_rail.parquet"
    assert path.stat().st_size < 3_000_000
    meta = json.loads(pq.read_schema(path).metadata[b"corridors"])
    assert meta["licence"] == "ODbL 1.0"
    assert {k: v["date"] for k, v in meta["extracts"].items()} == {
        "georgia_rail": "2026-01-27T11:23:15Z",
        "caucasus_rail": "2026-04-01T00:00:00Z",
        "turkmenistan_rail": "2026-04-01T00:00:00Z",
    }
    layer = gpd.read_parquet(path)
    assert len(layer) == 15054 and layer["way_id"].is_unique
    assert set(layer["railway"]) == {"rail", "construction", "narrow_gauge", "proposed"}
    cols = {"way_id", "railway", "gauge", "gauge_mm", "usage", "electrified", "name"}
    assert cols <= set(layer.columns)
    assert {"extract", "extract_date", "construction"} <= set(layer.columns)
    # lines under construction: Horadiz-Aghband, Kars-Dilucu, Turkmenistan
    building = layer[layer["railway"] == "construction"]
    assert _km(building) == pytest.approx(1067.1, abs=0.1)
