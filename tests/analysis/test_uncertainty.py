"""Monte Carlo sweep: reproducible draws, ranges respected, summaries exact."""

from __future__ import annotations

from corridors.analysis.uncertainty import TIME_RANGES, draw, summarise, sweep_uncertainty
from corridors.routing import _all_links


def test_draws_are_reproducible_per_sample_and_inside_their_ranges() -> None:
    links = _all_links()
    a = draw(3, 11, links, 2030)
    b = draw(3, 11, links, 2030)
    assert a[0].as_dict() == b[0].as_dict() and a[1].as_dict() == b[1].as_dict()
    assert a[2] == b[2]
    assert draw(3, 12, links, 2030)[0].as_dict() != a[0].as_dict()
    for s in range(20):
        tm, cm, _ = draw(0, s, links, 2030)
        assert TIME_RANGES["border_dwell_h.rail"][0] <= tm.border_dwell_h["rail"] <= 60.6
        low, high = cm.ranges["border_usd.road"]
        assert low <= cm.border_usd["road"] <= high


def test_links_open_only_when_their_year_plus_delay_is_reached() -> None:
    links = _all_links()
    assert all(not draw(0, s, links, 2020)[2] for s in range(10))
    opened = [set(draw(0, s, links, 2040)[2]) for s in range(10)]
    dated = {n for n, lk in links.items() if lk.expected_year and lk.expected_year <= 2035}
    dated = {n for n in dated if links[n].status.value in ("under_construction", "planned")}
    assert all(o == dated for o in opened)


def test_summary_percentiles_and_probability_of_beating() -> None:
    rows = [
        {"sample": s, "corridor": c, "time_h": t, "cost_usd": 10.0 * t}
        for s, (ta, tb) in enumerate([(10, 20), (30, 20), (15, 25), (12, 11)])
        for c, t in (("btk", ta), ("zangezur", tb))
    ]
    summary, pairs = summarise(rows, ["btk", "zangezur"])
    assert summary[0] == {
        "corridor": "btk",
        "samples": 4,
        "p10_h": 10.6,
        "p50_h": 13.5,
        "p90_h": 25.5,
        "p10_usd": 106,
        "p50_usd": 135,
        "p90_usd": 255,
    }
    # Baku–Kars both: btk is faster in samples 0 and 2
    assert pairs == [{"a": "btk", "b": "zangezur", "samples": 4, "p_a_faster": 0.5}]


def test_single_process_sweep_values(network) -> None:  # type: ignore[no-untyped-def]
    rows, run = sweep_uncertainty(["btk"], network, samples=3, seed=1, scheduler="none")
    assert run.evaluations == 3
    assert [(r["time_h"], r["cost_usd"], r["length_km"], r["open_links"]) for r in rows] == [
        (105.6, 2057.0, 832.9, "aghband-kalaleh,horadiz-aghband,rasht-astara"),
        (96.5, 2156.0, 832.9, "aghband-kalaleh"),
        (105.1, 2050.0, 832.9, "aghband-kalaleh,kars-dilucu"),
    ]
    again, _ = sweep_uncertainty(["btk"], network, samples=3, seed=1, scheduler="none")
    assert again == rows
    assert len({r["time_h"] for r in rows}) == 3


def test_the_readme_quotes_these_ranges() -> None:
    from corridors.analysis.uncertainty import MAX_DELAY_YEARS
    from tests.helpers import readme_prose

    rail, road, speed = (
        TIME_RANGES["border_dwell_h.rail"],
        TIME_RANGES["border_dwell_h.road"],
        TIME_RANGES["speed_kmh.rail"],
    )
    text = readme_prose()
    assert f"a delay drawn on 0–{MAX_DELAY_YEARS:.0f} years is reached" in text
    assert (
        f"Rail border dwell ranges from {rail[0]} h (CAREC CPMM 2019 rail average, the lowest "
        f"annual average we have) over {rail[1]} h (2022, the default) to {rail[2]} h"
    ) in text
    assert (
        f"road dwell {road[1]} h (2022) to {road[2]} h (2020); rail speed {speed[0]} km/h (2020 "
        f"speed without delay) to {speed[2]} km/h (2022)."
    ) in text
