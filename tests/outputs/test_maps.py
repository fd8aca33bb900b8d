"""Maps: folium structure and escaping (unit), and every page in a real browser (offline)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import corridors
from corridors.analysis.metrics import route_metrics
from corridors.network.core import Network
from corridors.outputs.maps import build_map_set, map_routes, save_map, save_png
from corridors.routing import route_corridor

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _render(m: Any) -> str:
    return str(m.get_root().render())


def test_layers_styles_and_panel(network: Network) -> None:
    routes = [route_corridor(corridors.load(i), network) for i in ("aras", "zangezur")]
    page = _render(map_routes(routes))
    assert page.count("L.featureGroup(") >= 2
    assert "Aras corridor" in page and "Zangezur corridor" in page
    assert '"dashArray": "2 7"' in page  # missing link: dotted
    assert '"dashArray": "10 6"' not in page or "under_construction" not in page
    assert 'data-id="aras"' in page and 'data-id="zangezur"' in page
    assert "Made with Natural Earth" in page and "OpenStreetMap contributors" in page
    assert routes[0].corridor is not None
    assert routes[0].corridor.digest[:12] in page


def test_explore_and_adding_routes_to_an_existing_map(network: Network) -> None:
    from corridors.outputs.export import route_to_gdf

    aras, zangezur = (route_corridor(corridors.load(i), network) for i in ("aras", "zangezur"))
    base = route_to_gdf(aras).explore()  # needs mapclassify, a dependency
    same = map_routes([zangezur], m=base)
    assert same is base  # added to, as GeoDataFrame.explore(m=...) does
    page = _render(same)
    assert "Zangezur corridor" in page
    assert page.count("L.featureGroup(") == 1  # one more layer, no second page furniture
    assert 'id="corridors-panel"' not in page


def test_definition_text_is_escaped(network: Network, tmp_path: Path) -> None:
    base = corridors.load("aras")
    evil = corridors.Corridor(
        **{
            **base.__dict__,
            "id": "evil",
            "name": "<script>alert(1)</script> corridor",
            "variants": (),
        }
    )
    page = _render(map_routes([route_corridor(evil, network)]))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_offline_page_is_self_contained(network: Network, tmp_path: Path) -> None:
    r = route_corridor(corridors.load("btk"), network)
    path = save_map(map_routes([r]), tmp_path / "btk.html")
    page = path.read_text(encoding="utf-8")
    assert not re.search(r'<script src="http', page)
    assert not re.search(r'<link rel="stylesheet" href="http', page)
    assert "L.map(" in page and "Leaflet" in page
    assert not list(tmp_path.glob("*.tmp"))


def test_online_page_adds_osm_tiles(network: Network, tmp_path: Path) -> None:
    r = route_corridor(corridors.load("btk"), network)
    page = save_map(map_routes([r], online=True), tmp_path / "o.html", online=True).read_text()
    assert "tile.openstreetmap.org" in page


def test_png(network: Network, tmp_path: Path) -> None:
    r = route_corridor(corridors.load("aras"), network)
    path = save_png([r], tmp_path / "aras.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000


@pytest.fixture(scope="module")
def map_set(network: Network, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("maps")
    return build_map_set(out, network)


def test_map_set_files_and_sizes(map_set: list[Path]) -> None:
    names = {p.name for p in map_set}
    assert {
        "index.html",
        "all.html",
        "zangezur-vs-aras.html",
        "instc.html",
        "middle-btk-zangezur.html",
        "zangezur.html",
        "aras.html",
    } <= names
    assert (map_set[0].parent / "all.html").stat().st_size <= 5 * 1024 * 1024
    index = (map_set[0].parent / "index.html").read_text(encoding="utf-8")
    for p in map_set[1:]:
        assert f'href="{p.name}"' in index


@pytest.fixture(scope="module")
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def block(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri())
    page.wait_for_timeout(600)
    return page, errors, requests


@pytest.mark.browser
def test_every_map_opens_offline_and_draws(
    browser: Any, map_set: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("screens")
    for path in map_set[1:]:
        page, errors, requests = _open(browser, path)
        assert errors == [], (path.name, errors)
        assert requests == [], (path.name, requests)
        assert page.locator("path.corridor-line").count() > 0, path.name
        page.screenshot(path=str(shots / f"{path.stem}.png"))
        page.close()


@pytest.mark.browser
def test_toggling_a_layer_hides_its_lines(browser: Any, map_set: list[Path]) -> None:
    page, errors, _ = _open(browser, map_set[0].parent / "zangezur-vs-aras.html")
    aras = page.locator("path.corridor-aras")
    before = aras.count()
    assert before > 0
    page.get_by_label("Aras corridor", exact=True).uncheck()
    page.wait_for_timeout(200)
    assert aras.count() == 0
    assert page.locator("path.corridor-zangezur").count() > 0
    page.get_by_label("Aras corridor", exact=True).check()
    page.wait_for_timeout(200)
    assert aras.count() == before
    assert errors == []


@pytest.mark.browser
def test_panel_matches_compare_json(
    browser: Any, map_set: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from corridors.cli._main import main

    page, _, _ = _open(browser, map_set[0].parent / "all.html")
    cells = page.locator("#corridors-panel td").evaluate_all(
        "els => els.map(e => [e.parentElement.dataset.id, e.dataset.col, e.dataset.value])"
    )
    shown: dict[str, dict[str, str]] = {}
    for cid, col, value in cells:
        shown.setdefault(cid, {})[col] = value
    assert main(["-q", "compare", "--all", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    compared = [r for r in rows if "error" not in r]
    assert set(shown) == {r["id"] for r in compared}
    for r in compared:
        got = shown[r["id"]]
        assert float(got["length_km"]) == r["length_km"]
        assert float(got["missing_km"]) == r["missing_km"]
        assert int(got["border_crossings"]) == r["border_crossings_count"]
        assert got["countries"] == " → ".join(r["countries"])
        assert got["avoids"] == ", ".join(
            f"{a['country']} ({'ok' if a['verified'] else 'entered'})" for a in r["avoids"]
        )
        if r["time_h"] is not None:
            assert float(got["time_h"]) == r["time_h"]


def test_route_metrics_feed_the_map(network: Network) -> None:
    r = route_corridor(corridors.load("aras"), network)
    m = route_metrics(r)
    page = _render(map_routes([r], metrics=[m]))
    assert f'data-value="{m["length_km"]}"' in page
