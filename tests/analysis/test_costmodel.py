"""The cost model: cited defaults, overrides, and exact costs of real routes."""

from __future__ import annotations

import pytest

from corridors.analysis.costmodel import DEFAULT_COST_MODEL, route_cost
from corridors.analysis.metrics import route_metrics
from corridors.definitions._load import load
from corridors.routing import route_corridor
from tests.helpers import readme_prose


def test_every_parameter_has_a_source_and_a_range_around_its_default() -> None:
    params = DEFAULT_COST_MODEL.params()
    assert set(params) == set(DEFAULT_COST_MODEL.sources) == set(DEFAULT_COST_MODEL.ranges)
    for key, value in params.items():
        low, high = DEFAULT_COST_MODEL.ranges[key]
        assert low <= value <= high, key
    assert "CAREC" in DEFAULT_COST_MODEL.sources["border_usd.rail"]


def test_btk_cost(network) -> None:  # type: ignore[no-untyped-def]
    m = route_metrics(route_corridor(load("btk"), network))
    # 832.9 km of rail at 1.67 USD, two rail crossings at 193 USD, one gauge break at 329 USD
    assert route_cost(m) == {
        "haul_usd": 1391,
        "border_usd": 386,
        "port_usd": 0,
        "transshipment_usd": 329,
        "total_usd": 2106,
    }
    dearer = DEFAULT_COST_MODEL.with_overrides({"border_usd.rail": 500, "usd_per_km.rail": 2})
    assert route_cost(m, dearer)["total_usd"] == 1666 + 1000 + 329


def test_middle_corridor_pays_two_port_calls(network) -> None:  # type: ignore[no-untyped-def]
    cost = route_cost(route_metrics(route_corridor(load("middle-corridor"), network)))
    assert cost["port_usd"] == 600
    assert cost["total_usd"] == 12465


def test_the_readme_quotes_these_costs(network) -> None:  # type: ignore[no-untyped-def]
    costs = [
        route_cost(route_metrics(route_corridor(load(c), network)))["total_usd"]
        for c in ("btk", "middle-corridor")
    ]
    line = f"BTK costs {costs[0]:,} USD, the Middle Corridor {costs[1]:,} USD."
    assert line == "BTK costs 2,106 USD, the Middle Corridor 12,465 USD."
    assert line in readme_prose()


def test_the_readme_quotes_the_defaults_and_the_road_range() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    p, low_high = DEFAULT_COST_MODEL.params(), DEFAULT_COST_MODEL.ranges["usd_per_km.road"]
    assert (
        f"rail {p['usd_per_km.rail']:.2f} USD/km (CPMM 2020, 836 USD per 500 km), road "
        f"{p['usd_per_km.road']:.2f} USD/km (World Bank transport note, "
        f"{low_high[0]:.2f}–{low_high[1]:.2f}), ferry {p['usd_per_km.ferry']:.1f} and sea "
        f"{p['usd_per_km.sea']:.1f} USD/km (assumptions), border crossing rail "
        f"{p['border_usd.rail']:.0f} and road {p['border_usd.road']:.0f} USD (CPMM 2020), port "
        f"call {p['port_call_usd']:.0f} USD (assumption), transshipment "
        f"{p['transshipment_usd']:.0f} USD (CPMM 2020, gauge change at Dostyk)"
    ) in " ".join(readme.split())
    assert round(836 / 500, 2) == p["usd_per_km.rail"]


def test_unknown_parameter() -> None:
    with pytest.raises(KeyError, match=r"unknown cost-model parameter 'usd_per_km\.air'"):
        DEFAULT_COST_MODEL.with_overrides({"usd_per_km.air": 1})
