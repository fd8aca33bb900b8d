"""OpenStreetMap sources: Overpass through osmnx against a local replay server, and files.

The replay server answers every Overpass query with a real Overpass JSON answer from
../shared/osm (OSM data, ODbL), so osmnx's real download code runs with no internet.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely

import corridors
from corridors import DataSourceError
from corridors.network.sources.osm import network_from_file, network_from_overpass
from tests.conftest import shared_path


class _Replay(http.server.BaseHTTPRequestHandler):
    body: bytes = b""
    status: int = 200
    delay_s: float = 0.0
    requests: list[str] = []  # noqa: RUF012

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.requests.append(self.rfile.read(length).decode("utf-8", "replace"))
        time.sleep(self.delay_s)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        body = self.body if self.status == 200 else b'{"remark": "server says no"}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def overpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Replay]]:
    handler = type("Handler", (_Replay,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path / "cache")
    monkeypatch.setattr(
        corridors.settings, "overpass_url", f"http://127.0.0.1:{server.server_port}/api"
    )
    monkeypatch.setattr(corridors.settings, "requests_timeout_s", 2.0)
    import osmnx as ox

    monkeypatch.setattr(ox.settings, "max_query_area_size", 1e13)
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


def _small_corridor(lon0: float, lat0: float, lon1: float, lat1: float) -> corridors.Corridor:
    from corridors.model import Leg, Mode, Waypoint

    a = Waypoint("A", lon0, lat0, "GEO")
    b = Waypoint("B", lon1, lat1, "GEO")
    return corridors.Corridor(
        id="t",
        name="t",
        summary="t",
        waypoints=(a, b),
        legs=(Leg(a, b, Mode.RAIL),),
        modes=(Mode.RAIL,),
    )


def test_overpass_replay_keeps_tags(overpass: type[_Replay]) -> None:
    overpass.body = shared_path("osm", "georgia_rail.overpass.json").read_bytes()
    corridor = _small_corridor(43.0, 41.2, 45.0, 41.7)  # Akhalkalaki .. Tbilisi
    net = network_from_overpass([corridor], modes=["rail"], buffer_km=25)
    assert overpass.requests and "railway" in overpass.requests[0]
    e = net.edges
    assert net.meta["source"] == "overpass"
    assert (e["source"].astype(str) == "osm:overpass").any()
    # the standard-gauge BTK ways of Georgia keep their OSM gauge
    btk = e[(e["gauge_mm"] == 1435) & (e["osmid"] > 0)]
    assert len(btk) > 10
    x = net.nodes["x"].to_numpy()
    assert (x[btk["u"]] < 43.6).all()  # west of Akhalkalaki, towards Kartsakhi
    assert (e["gauge_mm"] == 1520).sum() > 1000
    assert set(e["usage"].astype(str)) >= {"main"}
    # the answer was cached under the project cache, by osmnx
    cached = list((corridors.settings.cache_dir / "osmnx").glob("*.json"))  # type: ignore[operator]
    assert cached


def test_overpass_construction_status(overpass: type[_Replay]) -> None:
    overpass.body = shared_path("osm", "caucasus_rail.overpass.json").read_bytes()
    corridor = _small_corridor(47.0, 39.4, 46.6, 38.9)  # Horadiz .. Aghband
    net = network_from_overpass([corridor], modes=["rail"], buffer_km=25)
    e = net.edges
    building = e[e["status"] == "under_construction"]
    assert building["length_m"].sum() / 1000 > 50  # Horadiz–Aghband line under construction
    assert set(building["railway"].astype(str)) == {"construction"}


@pytest.mark.parametrize("status", [429, 500])
def test_overpass_server_error_is_clear_and_not_cached(
    overpass: type[_Replay], status: int
) -> None:
    overpass.status = status
    corridor = _small_corridor(43.0, 41.2, 45.0, 41.7)
    with pytest.raises(DataSourceError) as info:
        network_from_overpass([corridor], modes=["rail"])
    msg = str(info.value)
    assert f"answered {status}" in msg
    assert corridors.settings.overpass_url in msg
    assert "--source bundled" in msg
    osmnx_cache = corridors.settings.cache_dir / "osmnx"  # type: ignore[operator]
    assert not list(osmnx_cache.glob("*.json")) if osmnx_cache.exists() else True


# requests leaves the timed-out socket to the garbage collector (not ours to close)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_overpass_timeout_is_clear(
    overpass: type[_Replay], monkeypatch: pytest.MonkeyPatch
) -> None:
    overpass.delay_s = 3.0
    monkeypatch.setattr(corridors.settings, "requests_timeout_s", 1.0)
    corridor = _small_corridor(43.0, 41.2, 45.0, 41.7)
    with pytest.raises(DataSourceError, match="did not answer within 1 s"):
        network_from_overpass([corridor], modes=["rail"])


def test_osm_xml_file() -> None:
    net = network_from_file(shared_path("osm", "georgia_rail.osm"))
    assert net.meta["source"] == "file"
    assert (net.edges["gauge_mm"] == 1435).any()
    assert net.edges["length_m"].sum() / 1000 > 1000


def test_pbf_made_from_the_osm_file(tmp_path: Path) -> None:
    import osmium

    src = shared_path("osm", "georgia_rail.osm")
    pbf = tmp_path / "georgia.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(src)):
            writer.add(obj)
    net = network_from_file(pbf)
    xml = network_from_file(src)
    assert net.edges["length_m"].sum() == pytest.approx(xml.edges["length_m"].sum(), rel=0.01)
    assert (net.edges["gauge_mm"] == 1435).any()


def test_geojson_line_file() -> None:
    net = network_from_file(shared_path("osm", "georgia_rail.geojson"))
    assert (net.edges["gauge_mm"] == 1435).any()
    assert net.edges["osmid"].max() > 0


def test_graphml_round_trip(tmp_path: Path) -> None:
    import osmnx as ox

    from corridors.network.core import network_to_networkx

    net = network_from_file(shared_path("osm", "georgia_rail.osm"))
    path = tmp_path / "g.graphml"
    ox.save_graphml(network_to_networkx(net), path)
    back = network_from_file(path)
    assert back.edges["length_m"].sum() == pytest.approx(net.edges["length_m"].sum(), rel=0.01)
    assert set(back.edges["mode"].astype(str)) == {"rail"}


def test_truncated_osm_file(tmp_path: Path) -> None:
    src = shared_path("osm", "georgia_rail.osm").read_bytes()
    bad = tmp_path / "cut.osm"
    bad.write_bytes(src[: len(src) // 2])
    with pytest.raises(DataSourceError, match=r"cut\.osm: truncated or malformed OSM XML"):
        network_from_file(bad)


def test_non_osm_files(tmp_path: Path) -> None:
    html = tmp_path / "page.osm"
    html.write_text("<html><body>not osm</body></html>", encoding="utf-8")
    with pytest.raises(DataSourceError, match="not OpenStreetMap XML"):
        network_from_file(html)
    other = tmp_path / "data.csv"
    other.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match="unknown file type"):
        network_from_file(other)
    empty = tmp_path / "empty.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    with pytest.raises(DataSourceError, match="no rail, road or ferry ways"):
        network_from_file(empty)
    with pytest.raises(DataSourceError, match="no such file"):
        network_from_file(tmp_path / "missing.osm")


def test_query_polygon_is_a_true_buffer() -> None:
    from corridors.network.sources.osm import overpass_polygon

    corridor = _small_corridor(44.0, 41.0, 44.5, 41.0)
    poly = overpass_polygon([corridor], buffer_km=25)
    assert poly.contains(shapely.Point(44.25, 41.2))  # 22 km north of the line
    assert not poly.contains(shapely.Point(44.25, 41.3))  # 33 km north
