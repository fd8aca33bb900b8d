"""Maps: folium structure and escaping (unit), and every page in a real browser (offline)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import corridors
from corridors.analysis.metrics import route_metrics
from corridors.network.core import Network
from corridors.outputs.maps import (
    PALETTE,
    build_map_set,
    colours_for,
    map_routes,
    save_map,
    save_png,
)
from corridors.routing import route_corridor
from tests.browser import (
    PAYLOAD,
    SIZES,
    check_inert,
    check_layout,
    check_palette,
    check_popups,
    check_symbols,
    deuteranopia_distance,
    evil_definition,
    open_page,
    popup_texts,
    screenshot,
)


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


def test_png_shares_the_web_maps_styling(network: Network, tmp_path: Path) -> None:
    """Sea in the sea colour (the Caspian is water), the route's colour, the crossings' red."""
    import matplotlib.image as mpimg

    from corridors.outputs.maps import SEA

    routes = [route_corridor(corridors.load(i), network) for i in ("zangezur", "aras")]
    rgb = (mpimg.imread(save_png(routes, tmp_path / "z.png"))[..., :3] * 255).round()

    def share(hex_colour: str) -> float:
        want = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
        return float(np.mean(np.all(np.abs(rgb - want) <= 2, axis=-1)))

    assert share(SEA) > 0.05  # the Caspian east of Baku
    pal = colours_for(["zangezur", "aras"])
    assert share(pal["zangezur"]) > 0.0005 and share(pal["aras"]) > 0.0005  # 0.28%, 0.09%
    assert share("#cc0000") > 0.0002  # border-crossing diamonds


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


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_map_is_readable_at_both_sizes(
    browser: Any, map_set: list[Path], size: tuple[int, int]
) -> None:
    """Every map: offline, no error, scale bar and route ends clear, labels apart,
    legend symbols equal to the markers, popups on click, colour-blind-safe lines."""
    for path in map_set[1:]:
        where = f"{path.name} at {size[0]}x{size[1]}"
        opened = open_page(browser, path, size)
        assert opened.errors == [], (where, opened.errors)
        assert opened.requests == [], (where, opened.requests)
        assert opened.page.locator("path.corridor-line").count() > 0, where
        lay = check_layout(opened, where)
        assert lay["ends"], where
        assert len(lay["labels"]) >= 5, (where, lay["labels"])  # countries, cities, ports
        sym = check_symbols(opened, where)
        check_palette(sym["lines"], where)
        screenshot(opened, f"{path.stem}-{size[0]}x{size[1]}")
        check_popups(opened, where)
        assert opened.errors == [], (where, opened.errors)
        opened.page.close()


def test_palette_is_far_apart_for_a_deuteranope() -> None:
    """The first four colours (a comparison map) >= 40, all twelve >= 15 (CIELAB)."""
    first4 = [deuteranopia_distance(a, b) for a, b in itertools.combinations(PALETTE[:4], 2)]
    every = [deuteranopia_distance(a, b) for a, b in itertools.combinations(PALETTE, 2)]
    assert min(first4) >= 40.0
    assert min(every) >= 15.0
    # the pair the issue names: Zangezur and Aras on the comparison map
    pal = colours_for(["zangezur", "zangezur-road", "aras", "aras-rail"])
    assert deuteranopia_distance(pal["zangezur"], pal["aras"]) >= 40.0


def test_world_basemap_is_not_a_box(network: Network) -> None:
    """The basemap holds the land of the world, not the countries near the route."""
    r = route_corridor(corridors.load("aras"), network)
    page = _render(map_routes([r]))
    for name in ("Brazil", "Australia", "Canada", "Kazakhstan", "Egypt"):
        assert f'"name": "{name}"' in page, name


@pytest.mark.browser
def test_toggling_a_layer_hides_its_lines(browser: Any, map_set: list[Path]) -> None:
    opened = open_page(browser, map_set[0].parent / "zangezur-vs-aras.html")
    page, errors = opened.page, opened.errors
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

    page = open_page(browser, map_set[0].parent / "all.html").page
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


def test_escape_covers_template_literals() -> None:
    from corridors.outputs.maps import _esc, safe_url

    assert _esc("${alert(1)}") == "&#36;{alert(1)}"
    assert _esc("a`b\\c\u2028") == "a&#96;b&#92;c&#8232;"
    assert _esc('"><img>') == "&quot;&gt;&lt;img&gt;"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JAVASCRIPT:alert(1)") is None
    assert safe_url("https://example.org/x") == "https://example.org/x"


@pytest.mark.browser
def test_payloads_run_no_script_on_a_map_or_the_index(
    browser: Any, network: Network, tmp_path: Path
) -> None:
    """Every free-text field of a definition holds the payloads: the map and the index
    show them literally, and nothing runs (no dialog, no error, no request)."""
    from corridors.analysis.metrics import compare_rows
    from corridors.outputs.maps import _index_page

    evil = evil_definition()
    route = route_corridor(evil, network)
    met = route_metrics(route)
    path = save_map(map_routes([route], metrics=[met], title=evil.name), tmp_path / "evil.html")
    for size in SIZES:
        opened = open_page(browser, path, size)
        text = check_inert(opened, f"map {size}", [evil.name, f"T {PAYLOAD}"])
        assert "T " + PAYLOAD in text
        popups = popup_texts(opened, ".marker-waypoint")
        assert any(f"Baku {PAYLOAD}" in t for t in popups), popups
        legs = popup_texts(opened, "path.corridor-line")
        assert any(f"Ganja {PAYLOAD}" in t for t in legs), legs
        check_inert(opened, f"map {size} after clicks", [])
        # the unsafe source has no link; the https one keeps its link, escaped
        hrefs = opened.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        assert not [h for h in hrefs if h.lower().startswith("javascript")]
        assert any(h.startswith("https://example.org/") for h in hrefs), hrefs
        opened.page.close()
    rows = compare_rows([met], errors={"evil-2": PAYLOAD})
    index = tmp_path / "index.html"
    index.write_text(_index_page([("evil", evil.name, path)], rows, "data:,"), encoding="utf-8")
    opened = open_page(browser, index)
    check_inert(opened, "index", [evil.name, PAYLOAD])
    opened.page.close()


# --- rivers and lakes ------------------------------------------------------------------------


def test_water_file_names_the_aras_and_the_kura_in_the_region() -> None:
    """geodata/water.parquet: the Aras in three stretches (gaps in the OSM data below
    Horadiz), the Kura in two (Borjomi – Shamkir reservoir from WDBII, Mingachevir – Salyan
    from OSM), the lakes by name, with provenance (tests/geo/test_water.py: the centrelines)."""
    import shapely

    from corridors.geo.water import REGION, water, water_source

    gdf = water()
    assert shapely.box(*REGION).covers(shapely.union_all(gdf.geometry.values))
    rivers = gdf[gdf["kind"] == "river"]
    aras, kura = rivers[rivers["name"] == "Aras"], rivers[rivers["name"] == "Kura"]
    assert sorted(aras["length_km"].tolist()) == [10.1, 83.5, 363.8]
    assert sorted(kura["length_km"].tolist()) == [276.3, 292.8]
    assert set(aras["label"]) == {"Aras / Araks"}
    # the Aras runs along the Nakhchivan–Iran border past Julfa (45.63 E, 38.95 N)
    julfa = shapely.Point(45.6296, 38.954)
    assert min(shapely.distance(aras.geometry.values, julfa)) < 0.02
    assert sorted(set(rivers["name"]) - {""}) == [
        "Amu Darya",
        "Aras",
        "Kura",
        "Syr Darya",
        "Tigris",
        "Ural",
        "Volga",
    ]
    lakes = gdf[gdf["kind"] == "lake"].set_index("name")
    assert (len(gdf), len(rivers), len(lakes)) == (8979, 7527, 1007)  # 445 riverbanks
    assert lakes.loc["Lake Sevan", "area_km2"] == 1259.9
    assert lakes.loc["Caspian Sea", "area_km2"] == 401154.3
    assert lakes.loc["Lake Sevan"].geometry.contains(shapely.Point(45.35, 40.3167))
    src = water_source()
    assert src["package"] == (
        "@geo-maps/earth-rivers-10m 0.6.0, @geo-maps/earth-lakes-10m 0.6.0 (npm)"
    )
    assert src["date"] == "2017-11-30" and src["licence"].startswith("ODbL 1.0")
    assert src["region"] == list(REGION)
    assert set(gdf.attrs["source"]) >= {"package", "date", "licence", "attribution"}


def test_map_html_has_the_water_layer_under_the_routes(network: Network) -> None:
    from corridors.outputs.maps import _water

    r = route_corridor(corridors.load("aras"), network)
    page = _render(map_routes([r]))
    assert 'createPane(\n                "corridors-water");' in page
    assert '"pane": "corridors-water"' in page and '"pane": "corridors-land"' in page
    assert ".style.zIndex = 350;" in page and ".style.zIndex = 360;" in page  # routes: 400
    assert '"className": "corridors-water"' in page
    features = _water()["features"]
    assert len(features) == 967  # 961 before the six WDBII centrelines
    kinds = [f["properties"]["kind"] for f in features]
    assert (kinds.count("river"), kinds.count("lake"), kinds.count("riverbank")) == (776, 171, 20)
    labels = {f["properties"]["name"] for f in features} - {""}
    assert {"Aras / Araks", "Kura", "Lake Sevan", "Lake Urmia", "Caspian Sea"} <= labels
    assert {"Amu Darya", "Syr Darya", "Ural"} <= labels
    data = json.loads(re.findall(r"\}, (\{\"bounds\".*?\})\);\n", page)[0])
    water_labels = {lab["text"] for lab in data["labels"] if lab["kind"] in ("river", "lake")}
    assert {"Aras / Araks", "Kura", "Lake Sevan", "Caspian Sea"} <= water_labels
    assert "geo-maps" in page and "GSHHG" in page  # provenance in the footer


def test_png_draws_rivers_and_lakes(network: Network, tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    from corridors.outputs.maps import RIVER

    r = route_corridor(corridors.load("aras"), network)
    rgb = (mpimg.imread(save_png([r], tmp_path / "a.png"))[..., :3] * 255).round()
    want = np.array([int(RIVER[i : i + 2], 16) for i in (1, 3, 5)])
    assert float(np.mean(np.all(np.abs(rgb - want) <= 2, axis=-1))) > 0.0005


def _open_corridor_map(
    browser: Any, network: Network, tmp_path: Path, cid: str, size: tuple[int, int]
) -> Any:
    """Route one corridor, save its map and open it at ``size`` once the tiles have settled."""
    r = route_corridor(corridors.load(cid), network)
    path = save_map(map_routes([r]), tmp_path / f"{cid}.html")
    return open_page(browser, path, size, wait_ms=1000)


@pytest.mark.browser
def test_river_layer_renders_offline_at_1024(
    browser: Any, network: Network, tmp_path: Path
) -> None:
    """The water pane holds every river and lake as an SVG path, between land and routes."""
    from corridors.outputs.maps import RIVER, _water

    opened = _open_corridor_map(browser, network, tmp_path, "aras", (1024, 768))
    got = opened.page.evaluate(
        """() => {
      const pane = n => document.querySelector('.leaflet-' + n + '-pane');
      const water = pane('corridors-water');
      return {paths: water.querySelectorAll('path.corridors-water').length,
              strokes: [...new Set([...water.querySelectorAll('path')]
                .map(p => p.getAttribute('stroke')))],
              z: ['corridors-land', 'corridors-water', 'overlay']
                .map(n => Number(getComputedStyle(pane(n)).zIndex)),
              routes: pane('overlay').querySelectorAll('path.corridor-line').length,
              shown: [...document.querySelectorAll('.corridors-label.kind-river')]
                .filter(e => e.dataset.shown === '1').map(e => e.textContent)};
    }"""
    )
    assert opened.errors == [] and opened.requests == [], (opened.errors, opened.requests)
    assert got["paths"] == len(_water()["features"]) == 967
    assert RIVER in got["strokes"]
    assert got["z"] == [350, 360, 400]
    assert got["routes"] > 0
    assert "Aras / Araks" in got["shown"]
    screenshot(opened, "aras-water-1024x768")
    opened.page.close()


@pytest.mark.browser
def test_btk_map_shows_the_kura_through_tbilisi_at_1400(
    browser: Any, network: Network, tmp_path: Path
) -> None:
    """The Kura (WDBII centreline) is drawn and labelled in Georgia, clear of the city labels."""
    opened = _open_corridor_map(browser, network, tmp_path, "btk", (1400, 900))
    got = opened.page.evaluate(
        """() => {
      const box = e => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; };
      const shown = [...document.querySelectorAll('.corridors-label')]
        .filter(e => e.dataset.shown === '1');
      return shown.map(e => [e.textContent, e.className, ...box(e)]);
    }"""
    )
    assert opened.errors == [] and opened.requests == [], (opened.errors, opened.requests)
    kura = [g for g in got if g[0] == "Kura" and "kind-river" in g[1]]
    towns = {g[0]: g[2:] for g in got if g[0] in ("Tbilisi", "Rustavi", "Gori")}
    assert kura and {"Tbilisi", "Rustavi"} <= set(towns)

    def apart(a: list[float], b: list[float]) -> bool:
        return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]

    assert all(apart(k[2:], t) for k in kura for t in towns.values())
    screenshot(opened, "btk-kura-1400x900")
    opened.page.close()
