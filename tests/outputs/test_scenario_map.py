"""The scenario map: baseline and scenario as pairs, its chart, hostile scenario text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridors.analysis.scenarios import load_scenario, run_scenario, scenario_from_mapping
from corridors.network.core import Network
from corridors.outputs.maps import BASELINE_DASH, save_map
from corridors.outputs.scenario_map import scenario_map
from tests.browser import (
    PAYLOAD,
    SIZES,
    check_inert,
    check_layout,
    check_popups,
    check_symbols,
    open_page,
    screenshot,
)

_LINES = """() => [...document.querySelectorAll('path.corridor-line')].map(e =>
  [e.getAttribute('class'), e.getAttribute('stroke'), e.getAttribute('stroke-dasharray')])"""


@pytest.fixture(scope="module")
def rasht_astara(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = run_scenario(load_scenario("instc-rasht-astara-built"), network)
    out = tmp_path_factory.mktemp("scenario") / "rasht-astara.html"
    return save_map(scenario_map(result), out)


def test_baseline_and_scenario_share_a_colour(rasht_astara: Path) -> None:
    page = rasht_astara.read_text(encoding="utf-8")
    assert page.count('id="corridors-chart"') == 1
    assert "data:image/png;base64," in page
    assert f'"dashArray": "{BASELINE_DASH}"' in page


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_scenario_map_in_a_browser(browser: Any, rasht_astara: Path, size: tuple[int, int]) -> None:
    opened = open_page(browser, rasht_astara, size)
    where = f"scenario map {size}"
    assert opened.errors == [] and opened.requests == [], (opened.errors, opened.requests)
    check_layout(opened, where)
    check_symbols(opened, where)
    lines = opened.page.evaluate(_LINES)
    colours: dict[str, set[str]] = {}
    for cls, stroke, dash in lines:
        item = cls.split("corridor-")[-1].split("__")[0]
        colours.setdefault(item, set()).add(stroke)
        if "baseline" in cls and dash not in ("2 7",):  # missing links stay dotted
            assert dash == BASELINE_DASH, (cls, dash)
    # instc-west (baseline) and instc-west (scenario): one colour for the pair
    west = {s for k, v in colours.items() if k.startswith("instc-west") for s in v}
    assert len(west) == 1, colours
    assert opened.page.locator("#corridors-chart img").count() == 1
    screenshot(opened, f"scenario-rasht-astara-{size[0]}x{size[1]}")
    check_popups(opened, where)
    opened.page.close()


@pytest.mark.browser
def test_payloads_in_a_scenario_run_no_script(
    browser: Any, network: Network, tmp_path: Path
) -> None:
    scenario = scenario_from_mapping(
        {
            "id": "evil",
            "name": f"S {PAYLOAD}",
            "summary": PAYLOAD,
            "corridors": ["instc-west"],
            "open": ["rasht-astara"],
        }
    )
    result = run_scenario(scenario, network)
    path = save_map(scenario_map(result), tmp_path / "evil-scenario.html")
    opened = open_page(browser, path)
    check_inert(opened, "scenario map", [f"S {PAYLOAD}"])
    opened.page.close()
