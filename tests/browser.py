"""Headless Chromium for the page tests: every network request blocked, every error kept.

``browser`` (in ``conftest.py``) starts Debian's Chromium once per session; :func:`open_page`
loads a file at a viewport size and records console errors, page errors, dialogs and the
requests it refused. :data:`PAYLOADS` is the corpus of hostile strings the escaping tests
put in every user-supplied field.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Screenshots the browser tests save (``build/`` is ignored by git).
SCREENSHOTS = ROOT / "build" / "screenshots"
SIZES = ((1024, 768), (1400, 900))

#: Strings that run script if a page puts them in the wrong context unescaped.
PAYLOADS = (
    "${alert(1)}",
    "`-alert(2)-`",
    "</script><script>alert(3)</script>",
    '"><img src=x onerror=alert(4)>',
    "'-alert(5)-'",
    "\u2028alert(6)\u2029",
    "\\`${alert(7)}",
)
#: One string holding every payload, for fields that take a single line of text.
PAYLOAD = " ".join(PAYLOADS)
JS_URL = "javascript:alert(8)"


@dataclass
class Opened:
    """A loaded page and what happened while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def launch() -> Iterator[Any]:
    """Chromium through Playwright, or skip when it is not installed."""
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


def open_page(
    browser: Any, path: Path, size: tuple[int, int] = (1400, 900), wait_ms: int = 600
) -> Opened:
    """Load ``path`` with the network blocked; dialogs are dismissed and recorded."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    out = Opened(page)
    page.on("console", lambda m: out.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: out.errors.append(str(e)))

    def dialog(d: Any) -> None:
        out.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)

    def block(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or url == path.as_uri():
            route.continue_()
        else:
            out.requests.append(url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri())
    page.wait_for_timeout(wait_ms)
    return out


# --- colour vision --------------------------------------------------------------------------

#: Machado, Oliveira & Fernandes (2009), deuteranopia at severity 1, on linear RGB.
_DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)


def _linear(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x = (xyz @ np.clip(linear, 0, 1)) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(x > 0.008856, np.cbrt(x), 7.787 * x + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def parse_colour(css: str) -> np.ndarray:
    """``#rrggbb`` or ``rgb(r, g, b)`` as three floats 0–255."""
    css = css.strip()
    if css.startswith("#"):
        return np.array([int(css[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    inner = css[css.index("(") + 1 : css.index(")")]
    return np.array([float(v) for v in inner.split(",")[:3]])


def deuteranopia_distance(a: str, b: str) -> float:
    """CIELAB distance of two colours as a deuteranope sees them."""
    la = _lab(_DEUTERANOPIA @ _linear(parse_colour(a)))
    lb = _lab(_DEUTERANOPIA @ _linear(parse_colour(b)))
    return float(np.linalg.norm(la - lb))


# --- what every map page must show -------------------------------------------------------------

_LAYOUT = """() => {
  const box = e => { const b = e.getBoundingClientRect();
    return {l: b.left, t: b.top, r: b.right, b: b.bottom, w: b.width, h: b.height}; };
  const controls = [...document.querySelectorAll('.leaflet-control')]
    .filter(c => !c.classList.contains('leaflet-control-scale'))
    .map(c => ({name: c.id || c.className.split(' ')[0], ...box(c)}));
  const scale = document.querySelector('.leaflet-control-scale');
  const ends = [...document.querySelectorAll('.route-end')]
    .map(e => ({name: e.className.replace(/.*route-end-(\\S+).*/, '$1'), ...box(e)}));
  const labels = [...document.querySelectorAll('.corridors-label')]
    .filter(e => e.dataset.shown === '1')
    .map(e => ({name: e.textContent, ...box(e)}));
  return {controls, scale: scale ? box(scale) : null, ends, labels,
          size: [window.innerWidth, window.innerHeight]};
}"""


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def check_layout(opened: Opened, where: str) -> dict[str, Any]:
    """No box covers the scale bar or a route's ends; shown labels overlap nothing."""
    lay: dict[str, Any] = opened.page.evaluate(_LAYOUT)
    assert lay["scale"] is not None, where
    width, height = lay["size"]
    for c in lay["controls"]:
        assert not _overlap(c, lay["scale"]), (where, c["name"], "covers the scale bar")
    for e in lay["ends"]:
        x, y = e["l"] + e["w"] / 2, e["t"] + e["h"] / 2
        assert 0 <= x <= width and 0 <= y <= height, (where, e["name"], "end outside the view")
        for c in lay["controls"]:
            inside = c["l"] <= x <= c["r"] and c["t"] <= y <= c["b"]
            assert not inside, (where, e["name"], "end under", c["name"])
    labels = lay["labels"]
    for i, a in enumerate(labels):
        for c in lay["controls"]:
            assert not _overlap(a, c), (where, a["name"], "label under", c["name"])
        for b in labels[i + 1 :]:
            assert not _overlap(a, b), (where, a["name"], b["name"], "labels overlap")
    return lay


_SYMBOLS = """() => {
  const style = e => { const s = getComputedStyle(e);
    return [e.tagName, s.fill, s.stroke, s.strokeWidth].join(' '); };
  const out = {};
  for (const kind of ['crossing', 'gauge']) {
    const legend = document.querySelector('#corridors-legend svg.symbol-' + kind);
    const marker = document.querySelector('.marker-' + kind + ' svg');
    out[kind] = {legend: legend && legend.outerHTML, marker: marker && marker.outerHTML,
                 legendStyle: legend && style(legend.firstElementChild),
                 markerStyle: marker && style(marker.firstElementChild)};
  }
  const uniq = a => [...new Set(a)].sort();
  out.waypoint = {
    legend: uniq([...document.querySelectorAll('.leaflet-control-layers svg.symbol-waypoint')]
      .map(e => style(e.firstElementChild))),
    marker: uniq([...document.querySelectorAll('.route-end svg.symbol-waypoint')]
      .map(e => style(e.firstElementChild))),
  };
  out.lines = uniq([...document.querySelectorAll('path.corridor-line')]
    .map(e => e.getAttribute('stroke')));
  return out;
}"""


def check_symbols(opened: Opened, where: str) -> dict[str, Any]:
    """Legend symbols are the markers' SVG with the same computed styles."""
    sym: dict[str, Any] = opened.page.evaluate(_SYMBOLS)
    for kind in ("crossing", "gauge"):
        s = sym[kind]
        assert s["legend"] is not None, (where, kind, "not in the legend")
        if s["marker"] is not None:
            assert s["legend"] == s["marker"], (where, kind)
            assert s["legendStyle"] == s["markerStyle"], (where, kind)
    # every waypoint symbol on the map is one in the layer list (ad-hoc routes have none)
    missing = set(sym["waypoint"]["marker"]) - set(sym["waypoint"]["legend"])
    assert not missing, (where, missing)
    return sym


def check_popups(opened: Opened, where: str) -> None:
    """A click on a waypoint and on a leg opens a popup with the tooltip's text."""
    page = opened.page
    for selector, expect in ((".marker-waypoint", "("), ("path.corridor-line", "km modelled")):
        target = page.locator(selector)
        if target.count() == 0:
            continue
        target.first.dispatch_event("click")
        page.wait_for_timeout(100)
        popups = page.locator(".leaflet-popup-content")
        assert popups.count() >= 1, (where, selector, "no popup")
        text = popups.last.text_content() or ""
        assert expect in text, (where, selector, text)
        page.locator(".leaflet-popup-close-button").last.dispatch_event("click")
        # Leaflet fades a popup out for 200 ms; a loaded machine may take longer
        closed = "() => !document.querySelector('.leaflet-popup-content')"
        with contextlib.suppress(Exception):  # Playwright's TimeoutError; the assert says why
            page.wait_for_function(closed, timeout=3000)
        assert popups.count() == 0, (where, selector, "popup did not close")


def check_palette(lines: list[str], where: str) -> float:
    """Minimum pairwise deuteranopia distance of the line colours (none under 15)."""
    if len(lines) < 2:
        return float("inf")
    d = min(deuteranopia_distance(a, b) for i, a in enumerate(lines) for b in lines[i + 1 :])
    assert d >= (40.0 if len(lines) <= 4 else 15.0), (where, lines, d)
    return d


def screenshot(opened: Opened, name: str) -> Path:
    """Save a screenshot to ``build/screenshots`` (an artefact of the test run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / f"{name}.png"
    opened.page.screenshot(path=str(out))
    return out


# --- hostile text --------------------------------------------------------------------------

_INERT = """() => ({
  jsLinks: [...document.querySelectorAll('a[href]')]
    .filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
  handlers: [...document.querySelectorAll('*')]
    .filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length,
  foreignImages: [...document.querySelectorAll('img')]
    .filter(i => !i.getAttribute('src').startsWith('data:')).length,
  text: document.body.textContent + ' ' + document.title,
})"""


def check_inert(opened: Opened, where: str, literal: list[str]) -> str:
    """No dialog, error, request, handler attribute, ``javascript:`` link or foreign image;
    each ``literal`` string is in the page's text as written.  Returns the page text."""
    assert opened.dialogs == [], (where, opened.dialogs)
    assert opened.errors == [], (where, opened.errors)
    assert opened.requests == [], (where, opened.requests)
    got: dict[str, Any] = opened.page.evaluate(_INERT)
    assert got["jsLinks"] == 0, where
    assert got["handlers"] == 0, where
    assert got["foreignImages"] == 0, where
    for text in literal:
        assert text in got["text"], (where, text)
    return str(got["text"])


def popup_texts(opened: Opened, selector: str) -> list[str]:
    """Click every element matching ``selector`` and collect the popups' text."""
    page = opened.page
    out = []
    for i in range(page.locator(selector).count()):
        page.locator(selector).nth(i).dispatch_event("click")
        page.wait_for_timeout(30)
        content = page.locator(".leaflet-popup-content")
        if content.count():
            out.append(content.last.text_content() or "")
    if page.locator(".leaflet-popup-close-button").count():
        page.locator(".leaflet-popup-close-button").last.dispatch_event("click")
    page.wait_for_timeout(350)  # Leaflet fades a closed popup out for 200 ms
    return out


def evil_definition() -> Any:
    """``tests/data/mini.yaml`` with the payloads in every free-text field."""
    from corridors._yaml import read_yaml
    from corridors.definitions._validate import corridor_from_mapping

    raw = read_yaml(ROOT / "tests" / "data" / "mini.yaml")
    raw.pop("variants")
    raw["name"] = f"Evil {PAYLOAD}"
    raw["aliases"] = list(PAYLOADS)
    raw["summary"] = PAYLOAD
    raw["sources"][0].update(title=f"T {PAYLOAD}", publisher=PAYLOAD, url=JS_URL, note=PAYLOAD)
    raw["sources"].append(
        {
            "id": "s2",
            "title": "Second",
            "publisher": "P",
            "date": "2026",
            "url": 'https://example.org/"><svg/onload=alert(9)>',
        }
    )
    raw["avoids"][0]["reason"] = PAYLOAD
    names = {w["name"]: f"{w['name']} {PAYLOAD}" for w in raw["waypoints"]}
    for w in raw["waypoints"]:
        w["name"] = names[w["name"]]
    for leg in raw["legs"]:
        leg["from"], leg["to"] = names[leg["from"]], names[leg["to"]]
        leg["note"] = PAYLOAD
    return corridor_from_mapping(raw, path=ROOT / "tests" / "data" / "mini.yaml")
