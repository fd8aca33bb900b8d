"""Criticality over origin–destination pairs: the grouped sweep, exact values, single process."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.analysis.criticality import (
    Item,
    baseline,
    elements_of,
    evaluate,
    items_from_od_file,
    rank_overall,
    rank_rows,
)
from corridors.analysis.odmatrix import Group, matrix_items, pack, plan_groups, sweep_od
from corridors.geo.geodata import main_places
from corridors.network.core import Network
from tests.helpers import readme_prose

PAIRS = "from,to\nArarat,Yerevan\nYerevan,Gyumri\nKars,Akhalkalaki\nTehran,Qazvin\n"
NO_PATH = "route {!r} – {!r} (rail): no path on the rail network between these places"


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list[Item]:
    path = tmp_path_factory.mktemp("od") / "pairs.csv"
    path.write_text(PAIRS, encoding="utf-8")
    return items_from_od_file(path)


@pytest.fixture(scope="module")
def swept(network, items):  # type: ignore[no-untyped-def]
    return sweep_od(items, network, scheduler="none", batch_size=20)


def test_the_main_places_and_their_1225_pairs() -> None:
    names = [p.name for p in main_places()]
    assert len(names) == len(set(names)) == 50
    assert (names[0], names[13], names[39], names[-1]) == ("Baku", "Tbilisi", "Mumbai", "Batumi")
    pairs = matrix_items()
    assert len(pairs) == 1225
    assert pairs[0] == Item("od", "Baku → Alat (rail)", "Baku", "Alat", "rail")
    assert pairs[-1].id == "Poti → Batumi (rail)"
    text = readme_prose()
    assert (
        f"every unordered pair of the gazetteer's {len(names)} main places, {len(pairs):,} pairs"
    ) in text
    capitals, ports = names[40:46], names[46:]
    assert (
        "the 40 cities that two or more shipped corridors pass within 25 km of, the capitals "
        f"of the corridor countries left out ({', '.join(capitals)})"
    ) in text
    assert f"Corridor's ferries left out ({', '.join(ports)})" in text


def test_each_pairs_critical_link_and_best_detour(swept) -> None:  # type: ignore[no-untyped-def]
    rows, run, failed, _ = swept
    assert failed == []
    assert run.evaluations == len(rows) == 39
    by_item: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_item.setdefault(str(r["item"]), []).append(r)
    assert {k: len(v) for k, v in by_item.items()} == {
        "Ararat → Yerevan (rail)": 4,
        "Yerevan → Gyumri (rail)": 7,
        # Akhalkalaki is entered where it lies, inside the gauge-change yard: its tracks count
        "Kars → Akhalkalaki (rail)": 12,
        "Tehran → Qazvin (rail)": 16,
    }
    first = {k: next(r for r in v if r["rank"] == 1) for k, v in by_item.items()}
    assert {k: (r["element"], r["cut"], r["baseline_km"]) for k, r in first.items()} == {
        "Ararat → Yerevan (rail)": ("segment:27336", True, 46.4),
        "Yerevan → Gyumri (rail)": ("segment:27336", True, 152.5),
        # cut: Kartsakhi is the only rail crossing from Türkiye to Georgia, and the way round
        # the Black Sea by Russia and Ukraine is closed
        "Kars → Akhalkalaki (rail)": ("border:Kartsakhi", True, 99.8),
        "Tehran → Qazvin (rail)": ("segment:23617", True, 144.0),
    }
    assert first["Kars → Akhalkalaki (rail)"]["reason"] == NO_PATH.format("Kars", "Akhalkalaki")
    # the costliest closure that leaves a way round: its rank, Δ km, Δ h and Δ USD
    detour = {
        k: min((r for r in v if not r["cut"]), key=lambda r: int(r["rank"]))  # type: ignore[call-overload]
        for k, v in by_item.items()
    }
    assert {
        k: (r["rank"], r["element"], r["delta_length_km"], r["delta_time_h"], r["delta_cost_usd"])
        for k, r in detour.items()
    } == {
        "Ararat → Yerevan (rail)": (3, "segment:27337", 1.0, 0.0, 2),
        "Yerevan → Gyumri (rail)": (3, "segment:27344", 0.4, 0.0, 0),
        # with no parallel line left (the backbone's chord past Kartsakhi and its straight
        # edge past Kars station give way to the real line), the first five are all cut
        "Kars → Akhalkalaki (rail)": (6, "segment:57243", 0.1, 0.0, 0),
        "Tehran → Qazvin (rail)": (5, "segment:23614", 13.2, 0.2, 23),
    }


def test_the_sweeps_rows_stream_to_the_same_json(swept) -> None:  # type: ignore[no-untyped-def]
    from corridors.outputs._format import iter_json, to_json

    assert "".join(iter_json(swept[0])) == to_json(swept[0])


def test_the_grouped_sweep_equals_the_pair_by_pair_evaluator(network, items, swept) -> None:  # type: ignore[no-untyped-def]
    work = []
    for item in items:
        base, m, _ = baseline(item, network)
        work += [(item, el) for el in elements_of(base, network, m)]
    assert rank_rows([evaluate(item, el, network) for item, el in work]) == swept[0]


def test_a_sweep_keeping_one_pair_equals_one_keeping_all(  # type: ignore[no-untyped-def]
    network, items, swept, monkeypatch
) -> None:
    from corridors.analysis import odmatrix as om

    monkeypatch.setattr(om, "PAIRS_KEPT", 1)
    om._PAIRS.pop(network, None)
    om.COUNTS.clear()
    rows, run, failed, _ = sweep_od(items, network, scheduler="none", batch_size=20)
    assert len(om._PAIRS[network]) == 1
    # the closures Ararat - Yerevan and Yerevan - Gyumri share alternate between the two, so
    # each is dropped and made again: 5 drops in all
    assert om.COUNTS["pair dropped"] == 5
    assert (rows, run.evaluations, failed) == (swept[0], swept[1].evaluations, swept[2])
    om._PAIRS.pop(network, None)


def test_shared_links_are_closed_once_for_every_pair(network, items, swept) -> None:  # type: ignore[no-untyped-def]
    groups, failed, _ = plan_groups(items, network)
    assert failed == [] and len(groups) == 37 < sum(len(g.work) for g in groups) == 39
    shared = max(groups, key=lambda g: len(g.work))
    assert [i.id for i, _ in shared.work] == ["Ararat → Yerevan (rail)", "Yerevan → Gyumri (rail)"]
    overall = rank_overall(swept[0])
    assert (overall[0]["element"], overall[0]["items"], overall[0]["items_cut"]) == (
        "segment:27336",
        2,
        2,
    )
    batches = pack(groups, 5)
    assert all(isinstance(g, Group) for b in batches for g in b)
    assert [g for b in batches for g in b] == groups
    assert max(sum(len(g.work) for g in b) for b in batches) <= 5


def test_a_pair_off_the_network_is_reported_and_skipped(network) -> None:  # type: ignore[no-untyped-def]
    items = matrix_items("rail", ["Baku", "Beijing"])
    rows, run, failed, _ = sweep_od(items, network, scheduler="none")
    assert rows == [] and run.evaluations == 0
    assert len(failed) == 1 and failed[0].startswith("Baku → Beijing (rail): route 'Baku'")


def test_the_places_without_a_rail_baseline_are_those_the_readme_names(network) -> None:  # type: ignore[no-untyped-def]
    from corridors import InfeasibleRouteError, SnapError

    off = []
    for place in [p.name for p in main_places()]:
        if place == "Baku":
            continue
        try:
            baseline(Item("od", f"Baku → {place} (rail)", "Baku", place, "rail"), network)
        except (InfeasibleRouteError, SnapError):
            off.append(place)
    # Baku reaches the 44 others, so every pair among the 45 has a baseline: 1,225 - 990
    assert off == ["Minjivan", "Zangilan", "Aghband", "Mumbai", "Beijing"]
    assert 5 * 49 - 10 == 1225 - 990
    text = readme_prose()
    assert (
        "Places off the rail network (Minjivan, Zangilan and Aghband on the Horadiz–Aghband "
        "line being built, Beijing beyond the network's east edge, Mumbai on an Indian rail "
        "network that no line joins to the rest) have no baseline"
    ) in text
    assert "990 pairs with a rail baseline (235 without)" in text


def test_od_file_path(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("from,to,mode\nBaku,Ganja,road\n", encoding="utf-8")
    assert items_from_od_file(p) == [Item("od", "Baku → Ganja (road)", "Baku", "Ganja", "road")]


@pytest.mark.slow
def test_a_5_place_matrix_equals_the_pair_by_pair_evaluator(network) -> None:  # type: ignore[no-untyped-def]
    """The hierarchy-based sweep of 10 pairs (3,486 closures) against ``evaluate``.

    ``evaluate`` reroutes each closure from scratch (``route`` with ``close_edges``: a float
    Dijkstra and a rebuilt route); it takes about 0.15 s a closure, so every 40th row of
    the plan is checked, every row of two pairs whose ends both snap inside edges (Ganja –
    Horadiz, whose closures take long detours across borders: the detour references of
    ``_row``; Alat – Horadiz, whose Alat end enters at another node than for Ganja), and
    every closure of an edge an end snapped inside (evaluated in full for that closure).
    Nine of the ten pairs have an end inside an edge; the shortcut serves all ten.
    """
    from corridors.analysis import odmatrix as om

    names = [p.name for p in main_places()]
    items = matrix_items("rail", [names[i] for i in (0, 1, 2, 3, 13)])
    om._PAIRS.pop(network, None)  # the pairs' detour references start empty
    om.COUNTS.clear()
    rows, run, failed, _ = sweep_od(items, network, scheduler="none")
    assert run.evaluations == len(rows) == 3476
    assert failed == []
    pairs = {item.id: om._pair(item, network) for item in items}
    served = {k: pr.snapped for k, pr in pairs.items() if pr is not None}
    assert len(served) == 10
    assert sum(max(s) >= 0 for s in served.values()) == 9
    assert served["Ganja → Horadiz (rail)"] == (66322, 63814)
    assert served["Baku → Tbilisi (rail)"] == (-1, -1)
    # closures are searched at the unclosed metric's integer scale, so a tie between
    # paths of equal length is broken as on the baseline's: most detours differ from the
    # baseline only around the closed link, and the shortcut serves them
    assert om.COUNTS == {
        "shortcut": 2647,
        "shortcut from a detour": 1,
        "cut": 764,
        "full: countries": 4,
        "full: labels": 4,
        "full: again": 40,
        "full: snapped edge closed": 12,
        "full: ends": 4,
    }
    groups, _, _ = plan_groups(items, network)
    work = [w for g in groups for w in g.work]
    by_key = {(r["item"], r["element"]): r for r in rows}
    both = ("Ganja → Horadiz (rail)", "Alat → Horadiz (rail)")
    snapped_closed = [w for w in work if set(served[w[0].id]) & set(w[1].edges)]
    assert len(snapped_closed) == 12
    sample = work[::40] + [w for w in work if w[0].id in both] + snapped_closed
    assert len(sample) == 87 + 266 + 114 + 12
    for item, el in sample:
        want = evaluate(item, el, network)
        got = {k: v for k, v in by_key[(item.id, el.id)].items() if k != "rank"}
        assert got == want, (item.id, el.id)


def test_a_cut_the_headroom_metric_does_not_confirm_falls_back_to_full(network: Network) -> None:
    """A cut at the unclosed metric's scale may be a detour beyond that scale: it is checked.

    This thread's closable metric is swapped for one that reports every pair cut (as a
    detour too long for its scale would be); the metric with headroom finds the way, and the
    closure is customised in full: its path is that of ``customize`` with the closure.
    """
    import contextlib
    from collections.abc import Iterator

    import numpy as np

    from corridors.analysis import odmatrix as om

    item = Item("od", "Baku → Tbilisi (rail)", "Baku", "Tbilisi", "rail")
    pr = om._pair(item, network)
    assert pr is not None
    groups, _, _ = plan_groups([item], network)
    closed = next(g.key[0] for g in groups if g.key[0] and not (set(g.key[0]) & set(pr.snapped)))
    topo = pr.graph.topology(("rail",))
    mask = pr.mask.copy()
    mask[np.asarray(closed, dtype=np.int64)] = False
    want = om._joined(pr, topo.customize(mask, pr.weights))
    assert want is not None
    om.COUNTS.clear()
    assert om._closed_joined([pr], closed)[0] is not None
    assert om.COUNTS == {}  # found at the unclosed scale: nothing checked, nothing redone

    nothing, weights = np.zeros_like(pr.mask), pr.weights

    class AllCut:
        certain = False

        @contextlib.contextmanager
        def closed(self, edges: tuple[int, ...]) -> Iterator[object]:
            yield topo.customize(nothing, weights)

    mine = om._LOCAL.closable[pr.graph]
    real = mine[(pr.key, False)]
    mine[(pr.key, False)] = AllCut()
    try:
        got = om._closed_joined([pr], closed)[0]
    finally:
        mine[(pr.key, False)] = real
    assert om.COUNTS == {"full customisation: a detour beyond the scale": 1}
    assert got is not None
    assert got[0] == want[0] and got[1].tolist() == want[1].tolist()


@pytest.mark.slow
def test_the_readme_quotes_the_full_matrixs_plan(network: Network) -> None:
    # planning only (baselines and shared closures; about 45 s), not the sweep
    groups, failed, _ = plan_groups(matrix_items(), network)
    rows = sum(len(g.work) for g in groups)
    assert (len(failed), len(groups), rows) == (235, 4134, 644137)
    assert (
        f"matrix {rows:,} (pair, closure) evaluations, but only {len(groups):,} distinct closures"
    ) in readme_prose()
