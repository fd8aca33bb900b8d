"""OpenStreetMap sources: Overpass through osmnx against a local replay server, and files.

The replay server answers every Overpass query with a real Overpass JSON answer from
../shared/osm (OSM data, ODbL), so osmnx's real download code runs with no internet.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
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
    drip_s: float = 0.0  # > 0: send the body one byte at a time, this far apart
    headers_out: dict[str, str] = {}  # noqa: RUF012
    requests: list[str] = []  # noqa: RUF012
    stop: threading.Event = threading.Event()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.requests.append(self.rfile.read(length).decode("utf-8", "replace"))
        if self.stop.wait(self.delay_s):
            return
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        body = self.body if self.status == 200 else b'{"remark": "server says no"}'
        for key, value in self.headers_out.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if self.drip_s <= 0:
                self.wfile.write(body)
                return
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                if self.stop.wait(self.drip_s):
                    return
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: as it should
            pass

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def log_message(self, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler: no socket outlives a test
    block_on_close = True


@pytest.fixture
def overpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Replay]]:
    handler = type(
        "Handler", (_Replay,), {"requests": [], "headers_out": {}, "stop": threading.Event()}
    )
    server = _Server(("127.0.0.1", 0), handler)
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
        handler.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


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


# --- faults: nothing bad is cached, each gives one clear line -----------------------------


def _osmnx_cache() -> list[str]:
    folder = corridors.settings.cache_dir / "osmnx"  # type: ignore[operator]
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _fault(overpass: type[_Replay]) -> str:
    corridor = _small_corridor(43.0, 41.2, 45.0, 41.7)
    with pytest.raises(DataSourceError) as info:
        network_from_overpass([corridor], modes=["rail"])
    assert overpass.requests
    assert _osmnx_cache() == []
    msg = str(info.value)
    assert "\n" not in msg and corridors.settings.overpass_url in msg
    return msg


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, compresslevel=9)


def test_fault_429_with_retry_after(overpass: type[_Replay]) -> None:
    overpass.status = 429
    overpass.headers_out = {"Retry-After": "120"}
    msg = _fault(overpass)
    assert "answered 429 Too Many Requests (it asks to wait 120 s); nothing was cached" in msg
    assert len(overpass.requests) == 1  # no silent retry loop


def test_fault_504(overpass: type[_Replay]) -> None:
    overpass.status = 504
    assert "answered 504 Gateway Timeout; nothing was cached" in _fault(overpass)


def test_fault_truncated_json(overpass: type[_Replay]) -> None:
    whole = shared_path("osm", "georgia_rail.overpass.json").read_bytes()
    overpass.body = whole[: len(whole) // 2]
    assert "sent truncated or malformed JSON, not an Overpass JSON answer" in _fault(overpass)


def test_fault_html_body(overpass: type[_Replay]) -> None:
    overpass.body = b"<html><body><h1>Gateway Timeout</h1></body></html>"
    assert "sent an HTML page, not an Overpass JSON answer" in _fault(overpass)


def test_fault_empty_answers(overpass: type[_Replay]) -> None:
    overpass.body = b""
    assert "sent an empty answer" in _fault(overpass)
    overpass.body = b'{"version": 0.6}'
    assert "sent JSON without an 'elements' list" in _fault(overpass)
    overpass.body = b'{"elements": [], "remark": "runtime error: Query timed out in query"}'
    assert "reported an incomplete answer ('runtime error: Query timed out" in _fault(overpass)
    overpass.body = b'{"version": 0.6, "elements": []}'  # well formed, but nothing in it
    assert "no rail, road or ferry ways found" in _fault(overpass)


def test_fault_slow_drip_meets_the_deadline(
    overpass: type[_Replay], monkeypatch: pytest.MonkeyPatch
) -> None:
    overpass.body = shared_path("osm", "georgia_rail.overpass.json").read_bytes()
    overpass.drip_s = 0.05  # one byte every 50 ms, always within the 2 s read time-out
    monkeypatch.setattr(corridors.settings, "overpass_deadline_s", 0.5)
    msg = _fault(overpass)
    assert "did not finish its answer within 0.5 s (settings.overpass_deadline_s)" in msg


def test_fault_gzip_bomb_is_cut_at_the_limit(
    overpass: type[_Replay], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corridors.settings, "overpass_max_bytes", 4 * 2**20)
    overpass.body = _gzip(b'{"elements": [' + b" " * (64 * 2**20) + b"]}")
    overpass.headers_out = {"Content-Encoding": "gzip"}
    assert len(overpass.body) < 100_000  # 64 MiB of answer in under 100 kB
    msg = _fault(overpass)
    assert "sent more than 4,194,304 bytes once decompressed (settings.overpass_max_bytes" in msg


def test_gzip_answer_within_the_limit_is_read(overpass: type[_Replay]) -> None:
    overpass.body = _gzip(shared_path("osm", "georgia_rail.overpass.json").read_bytes())
    overpass.headers_out = {"Content-Encoding": "gzip"}
    corridor = _small_corridor(43.0, 41.2, 45.0, 41.7)
    net = network_from_overpass([corridor], modes=["rail"], buffer_km=25)
    assert (net.edges["gauge_mm"] == 1435).any()
    assert len(_osmnx_cache()) == 1  # a good answer is cached


def test_corrupt_cached_answers_are_moved_aside(tmp_path: Path) -> None:
    from corridors.network.sources.osm import _clean_osmnx_cache

    folder = tmp_path / "osmnx"
    folder.mkdir()
    (folder / "good.json").write_text('{"elements": [{"type": "node"}]}', encoding="utf-8")
    (folder / "cut.json").write_text('{"elements": [{"type": "no', encoding="utf-8")
    (folder / "empty.json").write_bytes(b"")
    (folder / "dir.json").mkdir()
    _clean_osmnx_cache(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "cut.json.corrupt",
        "dir.json.corrupt",
        "empty.json.corrupt",
        "good.json",
    ]


def test_overpass_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors.network.sources.osm import overpass_url

    monkeypatch.setattr(corridors.settings, "overpass_url", None)
    monkeypatch.delenv("CORRIDORS_OVERPASS_URL", raising=False)
    assert overpass_url() == "https://overpass-api.de/api"
    monkeypatch.setenv("CORRIDORS_OVERPASS_URL", "http://127.0.0.1:9/api/")
    assert overpass_url() == "http://127.0.0.1:9/api"
    monkeypatch.setattr(corridors.settings, "overpass_url", "file:///etc/passwd")
    with pytest.raises(DataSourceError, match="is not http:// or https://"):
        overpass_url()


def test_cli_overpass_url_flag(overpass: type[_Replay], capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli._main import main

    url = corridors.settings.overpass_url
    corridors.settings.overpass_url = None
    overpass.status = 504
    assert main(["route", "btk", "--source", "overpass", "--overpass-url", str(url)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"corridors: Overpass at {url}/interpreter answered 504")
    assert err.count("\n") == 1
    assert corridors.settings.overpass_url is None  # restored after the command


# --- coordinates ----------------------------------------------------------------------------


def _osm_xml(lat: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '  <node id="1" lat="41.70" lon="44.80"/>\n'
        f'  <node id="2" lat="{lat}" lon="44.90"/>\n'
        '  <node id="3" lat="41.72" lon="45.00"/>\n'
        '  <way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="railway" v="rail"/></way>\n</osm>\n'
    )


@pytest.mark.parametrize("lat", ["999", "nan", "inf", "-91", "north"])
def test_bad_coordinates_are_refused_before_building(tmp_path: Path, lat: str) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text(_osm_xml(lat), encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"bad\.osm: 1 node with coordinates") as info:
        network_from_file(bad)
    assert f"(first: node 2 at lat={lat!r} lon='44.90'); fix" in str(info.value)


def test_bad_coordinates_in_segments() -> None:
    import pandas as pd

    from corridors.network.sources.osm import check_coordinates

    seg = pd.DataFrame(
        {"x0": [44.8, 44.9], "y0": [41.7, 41.7], "x1": [44.9, float("inf")], "y1": [41.7, 41.8]}
    )
    with pytest.raises(DataSourceError, match=r"^here: 1 segment with .* \(first: segment 1 from"):
        check_coordinates(seg, where="here")
    check_coordinates(seg.iloc[:1], where="here")


def test_good_coordinates_build(tmp_path: Path) -> None:
    good = tmp_path / "good.osm"
    good.write_text(_osm_xml("41.71"), encoding="utf-8")
    net = network_from_file(good)
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    expected = geod.line_length([44.8, 44.9, 45.0], [41.70, 41.71, 41.72])
    assert net.n_edges == 2 and net.edges["length_m"].sum() == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(16_792.7, abs=0.1)


def test_bad_coordinates_in_geojson(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    feature = {
        "type": "Feature",
        "properties": {"railway": "rail", "id": "way/5"},
        "geometry": {"type": "LineString", "coordinates": [[44.8, 41.7], [244.9, 41.7]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    with pytest.raises(DataSourceError, match=r"1 segment with coordinates .* way 5 from"):
        network_from_file(path)
