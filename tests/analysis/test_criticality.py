"""Criticality direction checks on the embedded network: exact values, single process."""

from __future__ import annotations

import pytest

from corridors.analysis.criticality import (
    Item,
    baseline,
    elements_of,
    evaluate,
    rank_overall,
    rank_rows,
    release_waypoints,
)
from corridors.definitions._load import load
from tests.helpers import readme_prose

CASPIAN = "Kuryk port – Alat (Port of Baku)"


@pytest.fixture(scope="module")
def elements(network):  # type: ignore[no-untyped-def]
    out = {}
    for cid in ("zangezur", "middle-corridor", "btk"):
        base, m, _ = baseline(Item("corridor", cid), network)
        out[cid] = {e.id: e for e in elements_of(base, network, m)}
    return out


def _close(network, elements, cid, element):  # type: ignore[no-untyped-def]
    return evaluate(Item("corridor", cid), elements[cid][element], network)


def test_elements_cover_segments_crossings_ferries_and_named_links(elements) -> None:  # type: ignore[no-untyped-def]
    kinds = {e.kind for e in elements["middle-corridor"].values()}
    assert kinds == {"segment", "border", "ferry", "water", "link"}
    assert set(elements["zangezur"]) >= {
        "link:horadiz-aghband",
        "link:meghri",
        "link:ordubad-julfa",
        "link:nakhchivan-dilucu",
        "link:kars-dilucu",
    }
    bkg = elements["btk"]["border:Böyük Kəsik–Gardabani"]
    assert bkg.release == ("Böyük Kəsik–Gardabani border",)
    assert bkg.countries == ("AZE", "GEO")


def test_closing_meghri_cuts_zangezur(network, elements) -> None:  # type: ignore[no-untyped-def]
    row = _close(network, elements, "zangezur", "link:meghri")
    assert row["cut"] is True and row["detour"] is False
    assert "the link 'meghri' is closed" in row["reason"]
    assert row["baseline_km"] == 852.7
    assert row["delta_length_km"] is None and row["delta_time_h"] is None


def test_closing_the_caspian_ferry_line_reroutes_by_sea_and_closing_the_sea_cuts(
    network, elements
) -> None:  # type: ignore[no-untyped-def]
    line = _close(network, elements, "middle-corridor", f"ferry:{CASPIAN}")
    assert (line["cut"], line["delta_length_km"], line["delta_time_h"]) == (False, 282.6, 12.9)
    assert line["delta_cost_usd"] == 848
    assert (
        "Kuryk–Alat) sends the Middle Corridor over other Caspian sea lanes, "
        + (
            f"+{line['delta_length_km']} km, +{line['delta_time_h']} h and "
            f"+{line['delta_cost_usd']:,} USD"
        )
        in readme_prose()
    )
    sea = _close(network, elements, "middle-corridor", f"water:{CASPIAN}")
    assert sea["cut"] is True
    assert sea["reason"] == f"no alternative path ({CASPIAN}: no ferry path on the network)"


def test_closing_boyuk_kesik_gardabani_cuts_btk(network, elements) -> None:  # type: ignore[no-untyped-def]
    # the crossing's pin is released, so the route may look for another crossing: there is
    # no other AZE-GEO rail link (AZE-ARM is closed), and the way round the Black Sea by
    # Russia and Ukraine is closed too (geodata/closed_crossings.yaml), as is the Psou
    row = _close(network, elements, "btk", "border:Böyük Kəsik–Gardabani")
    assert row["cut"] is True
    assert row["reason"] == (
        "no alternative path (Böyük Kəsik – Tbilisi: no rail path on the network)"
    )
    assert (row["baseline_km"], row["length_km"], row["countries_added"]) == (832.9, None, "")


def test_closing_kartsakhi_closes_its_track_and_cuts_btk(network, elements) -> None:  # type: ignore[no-untyped-def]
    # Kartsakhi is the one rail crossing from Georgia to Türkiye (the backbone's straight
    # edges Akhalkalaki - Kars that crossed 20 km west of it give way to the real line), so
    # closing it leaves Kars - Akhalkalaki no way round
    kar = elements["btk"]["border:Kartsakhi"]
    assert kar.edges == (53488,)
    assert (kar.km, kar.lon, kar.lat, kar.countries) == (0.7, 43.29624, 41.19283, ("GEO", "TUR"))
    assert kar.release == ("Kartsakhi–Çıldır border",)
    row = _close(network, elements, "btk", "border:Kartsakhi")
    assert (row["cut"], row["detour"], row["length_km"]) == (True, False, None)
    assert row["reason"] == "no alternative path (Akhalkalaki – Kars: no rail path on the network)"


def test_every_rail_crossing_of_the_network_is_named_once(network) -> None:  # type: ignore[no-untyped-def]
    from corridors.analysis.criticality import _named_crossings
    from corridors.network._graph import MODES, routing_graph

    named = _named_crossings(routing_graph(network))
    rail = MODES.index("rail")
    assert named[(rail, "Kartsakhi")] == (53488,)
    assert named[(rail, "Böyük Kəsik–Gardabani")] == (53323,)
    edges = [e for v in named.values() for e in v]
    assert len(edges) == len(set(edges))


def test_closing_a_crossing_with_an_alternative_reroutes_with_its_numbers(
    network, elements
) -> None:  # type: ignore[no-untyped-def]
    row = _close(network, elements, "middle-corridor", "border:Sholdala–Zhoon-Döbö")
    assert row["cut"] is False
    assert (row["baseline_km"], row["length_km"], row["delta_length_km"]) == (
        6080.3,
        7285.6,
        1205.3,
    )
    assert (row["delta_time_h"], row["delta_border_crossings"]) == (22.4, -2)
    assert (row["countries_added"], row["countries_removed"]) == ("", "KGZ")
    assert (
        f"round Kyrgyzstan, {row['baseline_km']:,} → {row['length_km']:,} km, "
        f"+{row['delta_length_km']:,} km and +{row['delta_time_h']} h"
    ) in readme_prose()


def test_rows_read_back_from_parquet_are_ranked_as_rank_rows_ranks_them(network, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    from corridors.analysis.criticality import RankedRows, sweep_criticality

    items = [Item("corridor", c) for c in ("zangezur", "btk")]
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    kept, *_ = sweep_criticality(items[:1], network, scheduler="none", parquet=paths[0])
    more, *_ = sweep_criticality(items[1:], network, scheduler="none", parquet=paths[1])
    rows = RankedRows(paths, chunk=7)
    assert len(rows) == len(kept) + len(more) == 398 + 701
    assert list(rows) == list(rows) == kept + more == rank_rows(kept + more)
    assert next(iter(rows)) == kept[0]
    # costs stay whole dollars in the file, as in the rows
    assert pq.read_schema(paths[0]).field("baseline_cost_usd").type == "int64"
    assert rank_overall(rows) == rank_overall(kept + more)
    assert list(RankedRows([])) == []


def test_release_waypoints_joins_the_legs_around_a_border_pin() -> None:
    btk = load("btk")
    released = release_waypoints(btk, ["Böyük Kəsik–Gardabani border"])
    assert len(released.legs) == len(btk.legs) - 1
    joined = released.legs[2]
    assert (joined.start.name, joined.end.name) == ("Böyük Kəsik", "Tbilisi")
    assert "Böyük Kəsik–Gardabani border" not in {w.name for w in released.waypoints}


def test_ranking_puts_cuts_first_then_hours() -> None:
    rows = [
        {
            "item": "a",
            "element": "x",
            "kind": "segment",
            "name": "",
            "lon": 0.0,
            "lat": 0.0,
            "cut": False,
            "delta_time_h": 5.0,
            "delta_length_km": 10.0,
        },
        {
            "item": "a",
            "element": "y",
            "kind": "segment",
            "name": "",
            "lon": 0.0,
            "lat": 0.0,
            "cut": True,
            "delta_time_h": None,
            "delta_length_km": None,
        },
        {
            "item": "b",
            "element": "x",
            "kind": "segment",
            "name": "",
            "lon": 0.0,
            "lat": 0.0,
            "cut": False,
            "delta_time_h": 1.0,
            "delta_length_km": 1.0,
        },
    ]
    ranked = rank_rows(rows)
    assert [(r["item"], r["element"], r["rank"]) for r in ranked] == [
        ("a", "y", 1),
        ("a", "x", 2),
        ("b", "x", 1),
    ]
    overall = rank_overall(rows)
    assert [(a["element"], a["items"], a["items_cut"], a["sum_delta_time_h"]) for a in overall] == [
        ("y", 1, 1, 0.0),
        ("x", 2, 0, 6.0),
    ]


def test_an_od_pair_is_swept_like_a_corridor(network, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from corridors._errors import DefinitionError
    from corridors.analysis.criticality import items_from_od_file

    od = tmp_path / "od.csv"
    od.write_text("from,to,mode\nBaku,Tbilisi,rail\n", encoding="utf-8")
    [item] = items_from_od_file(od)
    assert item == Item("od", "Baku → Tbilisi (rail)", "Baku", "Tbilisi", "rail")
    base, m, _ = baseline(item, network)
    els = {e.id: e for e in elements_of(base, network, m)}
    row = evaluate(item, els["border:Böyük Kəsik–Gardabani"], network)
    assert (row["baseline_km"], row["cut"]) == (550.0, True)
    assert (row["length_km"], row["countries_added"]) == (None, "")
    od.write_text("origin,to\nBaku,Tbilisi\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="needs the columns 'from' and 'to'"):
        items_from_od_file(od)
