"""Scenarios: the shipped ones run, and change things in the right direction."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from corridors import ScenarioError, UnknownNameError
from corridors.analysis.scenarios import (
    load_scenario,
    run_scenario,
    scenario_from_file,
    scenario_ids,
)
from corridors.analysis.timemodel import time_distance
from corridors.network.core import Network
from corridors.outputs.scenario_map import scenario_map
from tests.helpers import readme_prose


def _row(result: object, rid: str) -> dict[str, object]:
    return next(r for r in result.rows if r["id"] == rid)  # type: ignore[attr-defined]


def test_shipped_scenarios_are_valid() -> None:
    assert set(scenario_ids()) >= {
        "tripp-open-2030",
        "aras-instead-of-armenia",
        "instc-rasht-astara-built",
        "avoid-russia-and-iran",
    }
    for sid in scenario_ids():
        assert load_scenario(sid).id == sid


def test_opening_meghri_shortens_baku_nakhchivan_and_adds_armenia(network: Network) -> None:
    result = run_scenario(load_scenario("tripp-open-2030"), network)
    trip = _row(result, "Baku → Nakhchivan (rail)")
    # today by rail only round through Russia, Kazakhstan, Turkmenistan and Iran
    assert (trip["baseline_km"], trip["scenario_km"]) == (4524.5, 511.2)
    assert (trip["delta_length_km"], trip["delta_time_h"]) == (-4013.3, -208.2)
    assert trip["countries_added"] == ["ARM"]
    assert trip["countries_removed"] == ["RUS", "KAZ", "TKM", "IRN"]
    zangezur = _row(result, "zangezur")
    # Meghri's 49.4 km drawn link becomes track; the rest of the line follows OSM's works (the
    # opened Kars–Dilucu link is drawn along its OSM ways now, no longer as a 191 km chord that
    # cut 45 km off the real 224 km: was 784.2 km)
    assert (zangezur["baseline_km"], zangezur["scenario_km"]) == (852.7, 829.5)
    assert zangezur["delta_missing_km"] == -49.4
    assert zangezur["note"] == ""
    # the README's prose on this scenario: the trip in whole km, Zangezur's missing km to zero
    from corridors.analysis.metrics import route_metrics
    from corridors.definitions._load import load
    from corridors.routing import route_corridor

    today = route_metrics(route_corridor(load("zangezur"), network))["missing_km"]
    assert zangezur["delta_missing_km"] == -today
    assert (
        f"turns a {trip['baseline_km']:,.0f} km rail trip from Baku to Nakhchivan — today round "
        "the Caspian through Russia, Kazakhstan, Turkmenistan and Iran — into "
        f"{trip['scenario_km']:,.0f} km through Armenia, and the Zangezur corridor's missing "
        "km drop to zero"
    ) in readme_prose()


def test_rasht_astara_built_joins_baku_and_tehran(network: Network) -> None:
    result = run_scenario(load_scenario("instc-rasht-astara-built"), network)
    trip = _row(result, "Baku → Tehran (rail)")
    # Baku – Astara 313, Astara – Rasht 162, Rasht – Qazvin 164, Qazvin – Tehran about 150
    assert (trip["baseline_km"], trip["scenario_km"]) == (3604.2, 817.9)
    assert trip["countries_removed"] == ["RUS", "KAZ", "TKM"]
    west = _row(result, "instc-west")
    assert west["delta_missing_km"] == -159.4
    east = _row(result, "instc-east")
    assert east["changed"] is False


def test_avoiding_russia_and_iran_cuts_some_and_keeps_others(network: Network) -> None:
    result = run_scenario(load_scenario("avoid-russia-and-iran"), network)
    west = _row(result, "instc-west")
    assert str(west["note"]).startswith("cut: corridor 'instc-west', leg 0")
    assert "RUS" in str(west["note"])
    middle = _row(result, "middle-corridor")
    assert middle["note"] == "" and middle["changed"] is False
    assert _row(result, "btk")["scenario_km"] == _row(result, "btk")["baseline_km"]


def test_aras_instead_of_armenia(network: Network) -> None:
    result = run_scenario(load_scenario("aras-instead-of-armenia"), network)
    assert "closed by the scenario" in str(_row(result, "zangezur")["note"])
    aras = _row(result, "aras")
    assert aras["note"] == ""
    assert "ARM" not in aras["countries_added"]  # type: ignore[operator]


def test_scenario_map_and_chart(network: Network, tmp_path: Path) -> None:
    from corridors.outputs.maps import save_map

    result = run_scenario(load_scenario("instc-rasht-astara-built"), network)
    page = save_map(scenario_map(result), tmp_path / "s.html").read_text(encoding="utf-8")
    assert "baseline" in page and "INSTC with Rasht–Astara built" in page
    assert "data:image/png;base64," in page
    rid = "Baku → Tehran (rail)"
    base_metrics, _ = result.metrics[rid]
    assert base_metrics is not None
    td = time_distance(result.baseline[rid].pieces, base_metrics)
    assert td["km"].is_monotonic_increasing and td["h"].is_monotonic_increasing
    steps = td[td["event"] != ""]
    assert any(e.startswith("border") for e in steps["event"])
    assert td["h"].iloc[-1] == pytest.approx(base_metrics["time_h"], abs=0.5)


def test_bad_scenario_names_close_matches(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "id": "x",
                "name": "x",
                "summary": "x",
                "open": ["megri"],
                "avoid": ["RUSS"],
                "corridors": ["zangzur"],
                "time_model": {"border_dwell_h.camel": 1},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        scenario_from_file(path)
    msg = str(info.value)
    assert "bad.yaml: open[0]: unknown link 'megri'; did you mean 'meghri'" in msg
    assert "avoid[0]" in msg and "did you mean 'zangezur'" in msg
    assert "unknown time-model parameter" in msg
    with pytest.raises(UnknownNameError, match="did you mean 'tripp-open-2030'"):
        load_scenario("tripp-open")


def test_kept_baselines_hold_no_routing_graph(network: Network) -> None:
    """A scenario's baselines are kept per network: a route holding the routing graph it
    was found on (lazy pieces, as ``route`` gives) would keep a cleared graph (~150 MB)."""
    import dataclasses
    import gc
    import weakref

    from corridors.analysis.scenarios import _BASELINES
    from corridors.network._graph import _CACHE

    sc = dataclasses.replace(load_scenario("tripp-open-2030"), corridors=("btk",), routes=())
    _BASELINES.pop(network, None)
    _CACHE.pop(network, None)
    first = run_scenario(sc, network)
    graphs = [weakref.ref(g) for g in _CACHE[network].values()]
    assert graphs
    ((base, error, metrics),) = _BASELINES[network].values()
    del first
    _CACHE.pop(network)
    gc.collect()
    assert [r() for r in graphs] == [None] * len(graphs)
    # the kept baseline still answers, and the next evaluation reuses it on a new graph
    assert (error, round(base.length_km, 1), metrics["length_km"]) == ("", 832.9, 832.9)
    again = run_scenario(sc, network)
    assert _row(again, "btk")["baseline_km"] == 832.9
