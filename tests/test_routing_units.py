"""Routing's small parts on hand-made inputs: snapping to a node, km counted per country,
the access stretches dropped at a waypoint a route passes through, the edges a closed link
closes with it, a route's HTML table.

The snap tests hold for any nearest-neighbour metric of the snap index: distances are either
far from every threshold, or the threshold is set from the index's own distance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from corridors import SnapError, settings
from corridors.geo.runs import country_runs
from corridors.model import Leg, Mode, Status, Waypoint
from corridors.network._graph import MODES, STATUSES, RoutingGraph, routing_graph
from corridors.routing import (
    PIECE_COLUMNS,
    Route,
    RoutedLeg,
    _corridor_table,
    _drop_passing_access,
    _edge_mask,
    _empty_columns,
    _LegPieces,
    _near_link,
    _path_columns,
    _pieces_from_line,
    _snap_node,
    _table,
    km_in_countries,
)
from tests.helpers import pieces_along


def _pieces_from_path(
    graph: RoutingGraph,
    nodes: Sequence[int],
    edges: Sequence[int],
    leg_index: int,
    mode: Mode | None,
    *,
    drop_transfers: bool = False,
) -> pd.DataFrame:
    """The pieces table of a path, as a route's lazy pieces build it."""
    cols = _path_columns(graph, nodes, edges, leg_index, mode, drop_transfers=drop_transfers)
    return _table(graph, [cols], ())


# --- _snap_node ------------------------------------------------------------------------------

#: A 29.85 km rail line east of 70° E at 48° N (nodes at 70.0, 70.2 and 70.4° E) and a
#: 0.52 km fragment about 29.3 km west of it: the fragment is under SNAP_MIN_COMPONENT_KM.
_LINE = [(70.0, 48.0), (70.2, 48.0), (70.4, 48.0)]
_FRAGMENT = [(69.6, 48.0), (69.607, 48.0)]


@pytest.fixture(scope="module")
def graph() -> RoutingGraph:
    import pandas as pd

    from corridors.network.core import network_from_segments
    from tests.helpers import segments_along

    rows = segments_along(_LINE, "rail") + segments_along(_FRAGMENT, "rail")
    return routing_graph(network_from_segments(pd.DataFrame(rows)))


def _node(graph: RoutingGraph, lon: float, lat: float) -> int:
    (hit,) = np.flatnonzero((graph.x == lon) & (graph.y == lat))
    return int(hit)


def _on_line(graph: RoutingGraph) -> npt.NDArray[np.bool_]:
    return np.asarray(graph.x[graph.u] >= 70.0)


def test_a_node_of_the_line_is_preferred_to_a_nearer_fragment(graph: RoutingGraph) -> None:
    # 0.75 km from the fragment's west node, 30.6 km from the line's: the line wins within
    # a 50 km limit, also when the caller passes its (empty) blocked nodes
    wp = Waypoint("w", 69.59, 48.0, "KAZ")
    mask = np.ones(len(graph.u), dtype=bool)
    for blocked in (None, np.zeros(graph.n_nodes, dtype=bool)):
        snap = _snap_node(graph, "all", mask, wp, limit_km=50.0, what="t", blocked=blocked)
        assert snap.node == _node(graph, 70.0, 48.0)
        assert (snap.x, snap.y, snap.edge) == (70.0, 48.0, -1)
        assert round(snap.dist_km, 3) == 30.596
        assert tuple(round(m) for m in snap.access_m) == (30596, 30596)


def test_a_blocked_node_is_passed_over_for_the_next_of_the_line(graph: RoutingGraph) -> None:
    # the line's west node blocked: the next one, 0.2° further east (45.5 km in all)
    wp = Waypoint("w", 69.59, 48.0, "KAZ")
    mask = np.ones(len(graph.u), dtype=bool)
    blocked = np.zeros(graph.n_nodes, dtype=bool)
    blocked[_node(graph, 70.0, 48.0)] = True
    snap = _snap_node(graph, "all", mask, wp, limit_km=50.0, what="t", blocked=blocked)
    assert snap.node == _node(graph, 70.2, 48.0)
    assert round(snap.dist_km, 3) == 45.521


def test_each_mask_snaps_on_its_own_index(graph: RoutingGraph) -> None:
    # one graph, two masks under two keys: the fragment's mask finds the fragment, after the
    # line's mask found the line (the second is not served the first one's index)
    wp = Waypoint("w", 69.59, 48.0, "KAZ")
    line = _on_line(graph)
    first = _snap_node(graph, "line", line, wp, limit_km=50.0, what="t")
    second = _snap_node(graph, "fragment", ~line, wp, limit_km=50.0, what="t")
    assert first.node == _node(graph, 70.0, 48.0)
    assert second.node == _node(graph, 69.6, 48.0)
    assert round(second.dist_km, 3) == 0.746
    # the line's mask alone, again: the line
    assert _snap_node(graph, "line", line, wp, limit_km=50.0, what="t").node == first.node


def test_the_line_is_preferred_only_within_the_limit(graph: RoutingGraph) -> None:
    # from the fragment's east node, the line's west node is d metres away in the index's
    # metric (about 29.3 km). With the limit 0.05 % under d (about 15 m) the line is out of reach
    # and the waypoint stays on the fragment, 0 km away; 1 % over d it snaps to the line
    east = _node(graph, 69.607, 48.0)
    west_of_line = _node(graph, 70.0, 48.0)
    wp = Waypoint("w", float(graph.x[east]), float(graph.y[east]), "KAZ")
    mask = np.ones(len(graph.u), dtype=bool)
    tree, ids, comp_km = graph.snap_index("all", mask)
    pos = np.searchsorted(ids, [east, west_of_line])
    assert [round(float(c), 3) for c in comp_km[pos]] == [0.522, 29.85]
    d = float(np.linalg.norm(tree.data[pos[0]] - tree.data[pos[1]]))
    assert 29_000 < d < 30_000

    snap = _snap_node(graph, "all", mask, wp, limit_km=d / 1000.5, what="t")
    assert (snap.node, snap.dist_km) == (east, 0.0)
    snap = _snap_node(graph, "all", mask, wp, limit_km=d / 990.0, what="t")
    assert snap.node == west_of_line
    assert round(snap.dist_km, 3) == 29.328
    # beyond every node's reach the nearest one is measured, and refused
    wp = Waypoint("w", 69.0, 48.0, "KAZ")
    with pytest.raises(SnapError, match=r"'w' \(69\.0, 48\.0\) is 44\.8 km from the nearest"):
        _snap_node(graph, "all", mask, wp, limit_km=40.0, what="t")


# --- _drop_passing_access -------------------------------------------------------------------

#: A rail leg that ends 0.5 km off its line at the port W (node S, then access S -> W), and
#: the next leg: a ferry leaving W, which lies on the ferry line, along a ferry edge W -> S.
_S, _W, _N = (50.0, 40.0), (50.0059, 40.0), (49.9, 40.0)


def _coded(graph: RoutingGraph, table: pd.DataFrame) -> _LegPieces:
    """A pieces table of text values as the coded columns the router memoises a leg in."""
    cols = {c: table[c].to_numpy() for c in PIECE_COLUMNS}
    cols["mode"] = np.array([MODES.index(v) for v in cols["mode"]], dtype=np.int64)
    cols["status"] = np.array([STATUSES.index(v) for v in cols["status"]], dtype=np.int64)
    cols["link"] = np.zeros(len(table), dtype=np.int64)  # "": no link
    own = list(graph.country_index()[0].categories)
    added = tuple(c for c in dict.fromkeys([*cols["country0"], *cols["country1"]]) if c not in own)
    names = [*own, *added]
    for c in ("country0", "country1"):
        cols[c] = np.array([names.index(v) for v in cols[c]], dtype=np.int64)
    return _LegPieces(cols, added)


def _passing_legs(
    graph: RoutingGraph, *, ferry_access: bool
) -> tuple[list[RoutedLeg], list[_LegPieces]]:
    rail = pd.concat(
        [pieces_along([_N, _S], edge=0, access=False), pieces_along([_S, _W], access=True)],
        ignore_index=True,
    )
    if ferry_access:  # the ferry leg snapped to S too: access W -> S, then its line
        ferry = pd.concat(
            [
                pieces_along([_W, _S], "ferry", access=True),
                pieces_along([_S, _N], "ferry", edge=1, access=False),
            ],
            ignore_index=True,
        )
    else:
        ferry = pieces_along([_W, _S, _N], "ferry", edge=1, access=False)
    ferry["leg"] = 1
    a, b, c = Waypoint("n", *_N, "AZE"), Waypoint("w", *_W, "AZE"), Waypoint("m", *_N, "AZE")
    legs = [
        RoutedLeg(0, Leg(a, b, Mode.RAIL, Status.OPERATIONAL), Status.OPERATIONAL, False, 0.0),
        RoutedLeg(1, Leg(b, c, Mode.FERRY, Status.OPERATIONAL), Status.OPERATIONAL, False, 0.0),
    ]
    for i, p in enumerate((rail, ferry)):
        access_km = float(p.loc[p["access"], "length_m"].sum()) / 1000.0
        legs[i] = RoutedLeg(
            i,
            legs[i].leg,
            Status.OPERATIONAL,
            False,
            p["length_m"].sum() / 1000.0,
            access_km=round(access_km, 3),
        )
    return legs, [_coded(graph, rail), _coded(graph, ferry)]


def test_access_is_dropped_only_where_both_legs_have_it(graph: RoutingGraph) -> None:
    # the ferry leg starts on its line (no access stretch) by an edge back to S: the rail
    # leg's access and the ferry's first edge are both travelled, nothing is dropped
    legs, pieces = _passing_legs(graph, ferry_access=False)
    before = list(pieces)
    _drop_passing_access(graph, legs, pieces)
    assert [len(p) for p in pieces] == [2, 2]
    assert pieces[0] is before[0] and pieces[1] is before[1]
    assert [(round(x.length_km, 3), x.access_km) for x in legs] == [(9.043, 0.504), (9.043, 0.0)]
    # both legs snapped W to S: the two access stretches, out and back, go
    legs, pieces = _passing_legs(graph, ferry_access=True)
    _drop_passing_access(graph, legs, pieces)
    assert [p.cols["access"].tolist() for p in pieces] == [[False], [False]]
    assert [p.cols["edge"].tolist() for p in pieces] == [[0], [1]]
    assert [(round(x.length_km, 3), x.access_km) for x in legs] == [(8.539, 0.0), (8.539, 0.0)]


def test_a_leg_keeps_its_last_piece_where_the_route_turns_back(graph: RoutingGraph) -> None:
    # W lies 1.1 km off the line at P, 3.7 km east of its station S (70.2° E): the first leg
    # runs 70.0 -> S -> P (part of edge 1) -> W, the second W -> P -> S, back along the same
    # part of edge 1. The access stretches go; the second leg's part of edge 1 is all it has
    # left, so it stays, and so does the first leg's (a part is dropped only with its pair)
    s, p, w = (70.2, 48.0), (70.25, 48.0), (70.25, 48.01)
    first = pd.concat(
        [
            pieces_along([_LINE[0], s], edge=0, access=False),
            pieces_along([s, p], edge=1, access=False),
            pieces_along([p, w], access=True),
        ],
        ignore_index=True,
    )
    second = pd.concat(
        [pieces_along([w, p], access=True), pieces_along([p, s], edge=1, access=False)],
        ignore_index=True,
    )
    second["leg"] = 1
    a, b = Waypoint("a", *_LINE[0], "KAZ"), Waypoint("w", *w, "KAZ")
    c = Waypoint("s", *s, "KAZ")
    legs = [
        RoutedLeg(
            i,
            Leg(*ends, Mode.RAIL),
            Status.OPERATIONAL,
            False,
            float(t["length_m"].sum()) / 1000.0,
            access_km=round(float(t.loc[t["access"], "length_m"].sum()) / 1000.0, 3),
        )
        for i, (ends, t) in enumerate((((a, b), first), ((b, c), second)))
    ]
    pieces = [_coded(graph, first), _coded(graph, second)]
    assert [(round(x.length_km, 3), x.access_km) for x in legs] == [(19.768, 1.112), (4.843, 1.112)]
    _drop_passing_access(graph, legs, pieces)
    assert [p.cols["edge"].tolist() for p in pieces] == [[0, 1], [1]]
    assert [p.cols["access"].tolist() for p in pieces] == [[False, False], [False]]
    assert [(round(x.length_km, 3), x.access_km) for x in legs] == [(18.656, 0.0), (3.731, 0.0)]


# --- _corridor_table ------------------------------------------------------------------------

#: Tbilisi, Gyumri and Kars: two drawn rail legs, Georgia -> Armenia -> Türkiye.
_TBILISI, _GYUMRI, _KARS = (44.79, 41.72), (43.85, 40.79), (43.10, 40.60)


def test_a_corridor_table_merges_the_countries_and_links_its_legs_add(graph: RoutingGraph) -> None:
    # neither the three countries nor the two links are the test graph's own: each drawn leg
    # adds its own codes, and the corridor's one table takes the union, ARM once
    own = list(graph.country_index()[0].categories)
    assert not {"GEO", "ARM", "TUR"} & set(own)
    one = _pieces_from_line(
        graph, [_TBILISI, _GYUMRI], 0, Mode.RAIL, Status.PLANNED, missing=True, link="a"
    )
    two = _pieces_from_line(
        graph, [_GYUMRI, _KARS], 1, Mode.RAIL, Status.PLANNED, missing=True, link="b"
    )
    assert (one.countries, one.links, two.countries, two.links) == (
        ("GEO", "ARM"),
        ("a",),
        ("ARM", "TUR"),
        ("b",),
    )
    table = _corridor_table(graph, [one, _LegPieces(_empty_columns()), two])
    assert list(table.columns) == list(PIECE_COLUMNS)
    assert list(table["country0"].cat.categories) == [*own, "GEO", "ARM", "TUR"]
    assert list(table["link"].cat.categories) == ["", "a", "b"]
    assert table["country0"].astype(str).tolist() == ["GEO", "ARM"]
    assert table["country1"].astype(str).tolist() == ["ARM", "TUR"]
    assert table["link"].astype(str).tolist() == ["a", "b"]
    assert table["mode"].astype(str).tolist() == ["rail", "rail"]
    assert table["status"].astype(str).tolist() == ["planned", "planned"]
    assert table["leg"].tolist() == [0, 1]
    assert table["missing"].tolist() == [True, True]
    assert table["edge"].tolist() == [-1, -1]
    assert table["length_m"].round(3).tolist() == [129898.978, 66810.198]  # pyproj Geod.inv
    assert _corridor_table(graph, [_LegPieces(_empty_columns())]).empty


def test_a_drawn_leg_takes_the_graph_s_code_of_a_link_it_has(linked: RoutingGraph) -> None:
    line = [(50.0, 40.005), (50.1, 40.005)]
    on = _pieces_from_line(linked, line, 0, Mode.RAIL, Status.PLANNED, missing=False, link="new")
    off = _pieces_from_line(linked, line, 0, Mode.RAIL, Status.PLANNED, missing=False, link=None)
    assert (on.links, off.links) == ((), ())
    assert (on.cols["link"].tolist(), off.cols["link"].tolist()) == ([1], [0])
    assert on.cols["missing"].tolist() == [False]
    # the leg as leg 3, and its rows: copies, the memoised columns unchanged
    moved = on.with_leg(3)
    assert (moved.cols["leg"].tolist(), on.cols["leg"].tolist()) == ([3], [0])
    assert len(on.rows(1, 1)) == 0 and len(on.rows(0, 1)) == 1


# --- _near_link -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linked() -> RoutingGraph:
    """A planned rail link along 40.005° N (nodes 0.01° apart), a rail line 0.56 km south of
    it (two edges), another 10.5 km north, and a road 0.78 km south."""
    from corridors.definitions.links import Link
    from corridors.network._graph import MODES
    from corridors.network.core import network_from_segments
    from tests.helpers import segments_along

    rows = (
        segments_along([(50.0, 40.0), (50.05, 40.0), (50.1, 40.0)], "rail")
        + segments_along([(50.0, 40.1), (50.1, 40.1)], "rail")
        + segments_along([(50.0, 39.998), (50.1, 39.998)], "road")
    )
    coords = tuple((round(50 + 0.01 * i, 2), 40.005) for i in range(11))
    link = Link("new", Mode.RAIL, Status.PLANNED, None, coords, (), True)
    g = routing_graph(network_from_segments(pd.DataFrame(rows)), {"new": link})
    net = [(MODES[g.mode[e]], float(g.y[g.u[e]])) for e in range(g.n_network_edges)]
    assert net == [("rail", 40.0), ("rail", 40.0), ("rail", 40.1), ("road", 39.998)]
    assert g.link_names == ("new",)  # link code 0
    # the link's ten edges east, then its two tie-ins
    assert [float(g.x[g.u[e]]) for e in range(4, 14)] == [
        round(50 + 0.01 * i, 2) for i in range(10)
    ]
    return g


def test_closing_a_link_closes_the_lines_of_its_mode_along_it(linked: RoutingGraph) -> None:
    near = _near_link(linked, 0)
    # the link's own 12 edges, and the rail line along it; not the far line nor the road
    assert near.tolist() == [True, True, False, False] + [True] * 12
    mask = _edge_mask(linked, ("rail", "road"), ("operational",), set(), {"new"}, True)
    assert mask.tolist() == [False, False, True, True] + [False] * 12


def test_pieces_name_the_link_they_run_on(linked: RoutingGraph) -> None:
    g = linked
    edges = list(range(4, 14))
    nodes = [int(g.u[4]), *(int(g.v[e]) for e in edges)]
    on_link = _pieces_from_path(g, nodes, edges, 2, Mode.RAIL)
    assert on_link["link"].tolist() == ["new"] * 10
    assert on_link["edge"].tolist() == [-1] * 10  # overlay edges are not the network's
    assert on_link["leg"].tolist() == [2] * 10
    line = _pieces_from_path(g, [int(g.u[0]), int(g.v[0]), int(g.v[1])], [0, 1], 2, Mode.RAIL)
    assert line["link"].tolist() == ["", ""]
    assert line["edge"].tolist() == [0, 1]


# --- Route._repr_html_ ----------------------------------------------------------------------


def test_a_route_shows_its_legs_as_an_html_table() -> None:
    a, b, c = (
        Waypoint("A & B", 50.0, 40.0, "AZE"),
        Waypoint("C", 50.1, 40.0, "AZE"),
        Waypoint("D", 50.2, 40.0, "AZE"),
    )
    legs = (
        RoutedLeg(0, Leg(a, b, Mode.RAIL, Status.OPERATIONAL), Status.OPERATIONAL, False, 8.5),
        RoutedLeg(1, Leg(b, c, Mode.RAIL, Status.PLANNED), Status.PLANNED, True, 1234.56),
    )
    pieces = pieces_along([(50.0, 40.0), (50.1, 40.0), (50.2, 40.0)])
    r = Route("r", "R <1>", legs, pieces)
    assert r._repr_html_() == (
        "<div><strong>R &lt;1&gt;</strong>: 17.1 km<table><thead><tr>"
        "<th>from</th><th>to</th><th>mode</th><th>status</th><th>length_km</th><th>missing</th>"
        "</tr></thead><tbody>"
        "<tr><td>A &amp; B</td><td>C</td><td>rail</td><td>operational</td><td>8.5</td>"
        "<td></td></tr>"
        "<tr><td>C</td><td>D</td><td>rail</td><td>planned</td><td>1,234.6</td>"
        "<td>yes</td></tr>"
        "</tbody></table></div>"
    )


# --- km_in_countries -------------------------------------------------------------------------

# south from Nakhchivan (AZE) across the Aras into Iran near Julfa, and back north into AZE
_NAKHCHIVAN_IRN_NAKHCHIVAN = [(45.40, 39.20), (45.45, 39.10), (45.55, 38.88), (45.75, 39.05)]


def test_a_country_entered_twice_counts_both_runs() -> None:
    p = pieces_along([*_NAKHCHIVAN_IRN_NAKHCHIVAN, (45.80, 39.15)], mode="road")
    # AZE 26.0 km, IRN 21.4 km, AZE 28.0 km: 75.4 km of line in all
    assert round(float(p["length_m"].sum()) / 1000.0, 1) == 75.4
    assert km_in_countries(p, ["AZE", "IRN"]) == {"AZE": 54.0, "IRN": 21.4}
    assert km_in_countries(p, ["AZE"]) == {"AZE": 54.0}
    assert km_in_countries(p, ["IRN", "ARM"]) == {"IRN": 21.4}


def test_under_a_km_in_a_country_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    # a line ending 0.6 km past the Aras: with a 0.3 km border tolerance it is in Iran
    monkeypatch.setattr(settings, "border_tolerance_km", 0.3)
    p = pieces_along([(45.40, 39.20), (45.45, 39.10), (45.50665, 38.97538)], mode="road")
    assert km_in_countries(p, ["AZE", "IRN"]) == {"AZE": 26.0, "IRN": 0.6}
    assert km_in_countries(p, ["IRN"]) == {"IRN": 0.6}


def test_a_sliver_met_before_its_own_countrys_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # from south of the Aras in Iran to Kapan on 1:10m borders: one IRN run of 41.8 km that
    # holds a 9.1 km corner of AZE (merged: the named IRN–ARM crossing Agarak–Norduz is near
    # its start), then ARM; AZE is met only in the IRN run's note, before any run of its own
    from tests.geo.test_runs import _AGHBAND_KAPAN

    monkeypatch.setattr(settings, "borders", "natural-earth")
    p = pieces_along([(46.38, 38.86), *_AGHBAND_KAPAN[3:]], mode="road")
    runs = country_runs(p)
    assert [(r.country, round(r.length_m)) for r in runs] == [("IRN", 41843), ("ARM", 35768)]
    assert runs[0].note.startswith("9.1 km in AZE between IRN and ARM")
    assert km_in_countries(p, ["AZE", "ARM"]) == {"AZE": 9.1, "ARM": 35.8}
    assert km_in_countries(p, ["AZE"]) == {"AZE": 9.1}
    assert km_in_countries(p, ["IRN", "AZE"]) == {"IRN": 32.7, "AZE": 9.1}


def test_the_readme_quotes_the_schematic_deviation() -> None:
    from corridors.routing import SCHEMATIC_DEVIATION
    from tests.helpers import readme_prose

    assert (
        f"hard avoid allows the middle of a schematic chord {SCHEMATIC_DEVIATION * 100:.1f} % "
        "of its length off the border"
    ) in readme_prose()


# --- _weights --------------------------------------------------------------------------------


def test_by_time_a_mode_without_a_speed_costs_a_thousand_hours_a_km() -> None:
    # a pipeline has no speed for mode="any": 1e-3 km/h, so 1000 h per km, never taken
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, _weights
    from tests.helpers import segments_along

    rows = segments_along([(70.0, 48.0), (70.2, 48.0)], "pipeline")
    rows += segments_along([(70.2, 48.0), (70.4, 48.0)], "rail")
    g = routing_graph(network_from_segments(pd.DataFrame(rows)))
    w = _weights(g, RoutingOptions(), by_time=True, border_h={})
    km = g.length_m / 1000.0
    pipe = g.mode == 5  # MODES.index("pipeline")
    assert pipe.sum() == 1 and (~pipe).sum() == 1
    assert w[pipe].tolist() == (km[pipe] / 1e-3).tolist()
    assert w[~pipe].tolist() == (km[~pipe] / 53.9).tolist()


def test_by_length_the_costs_are_one_array_whatever_the_transfer() -> None:
    # the transfer hours are no part of a length cost: one cached array for any of them (a
    # soft avoid, so that the costs are a new array, not the graph's lengths themselves)
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, _weights
    from tests.helpers import segments_along

    rows = segments_along([(70.0, 48.0), (70.2, 48.0)], "rail")  # in Kazakhstan
    g = routing_graph(network_from_segments(pd.DataFrame(rows)))
    opts = RoutingOptions(avoid=("KAZ",), avoid_mode="soft")
    first = _weights(g, opts, by_time=False, transfer_h=1.0)
    assert first is not g.length_m
    assert _weights(g, opts, by_time=False, transfer_h=2.0) is first
    assert _weights(g, opts, by_time=False) is first
    assert first.tolist() == (g.length_m * 10.0).tolist()


def test_by_length_the_costs_are_one_array_whatever_the_border_dwell() -> None:
    # border dwell hours are no part of a length cost either: the same cached array
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, _weights
    from tests.helpers import segments_along

    rows = segments_along([(70.0, 48.0), (70.2, 48.0)], "rail")  # in Kazakhstan
    g = routing_graph(network_from_segments(pd.DataFrame(rows)))
    opts = RoutingOptions(avoid=("KAZ",), avoid_mode="soft")
    first = _weights(g, opts, by_time=False)
    assert first is not g.length_m
    assert _weights(g, opts, by_time=False, border_h={"rail": 1.0}) is first


# --- parse_place -----------------------------------------------------------------------------


def test_a_place_on_the_antimeridian_is_a_point() -> None:
    from corridors.model import Role
    from corridors.routing import parse_place

    assert parse_place("180,10") == Waypoint("180.0000,10.0000", 180.0, 10.0, "XXX", Role.VIA)


def test_a_place_at_a_pole_is_a_point() -> None:
    from corridors import UnknownNameError
    from corridors.model import Role
    from corridors.routing import parse_place

    assert parse_place("10,90") == Waypoint("10.0000,90.0000", 10.0, 90.0, "XXX", Role.VIA)
    assert parse_place("10,-90") == Waypoint("10.0000,-90.0000", 10.0, -90.0, "XXX", Role.VIA)
    with pytest.raises(UnknownNameError, match=r"^'10,90\.5': expected 'lon,lat' with lon in"):
        parse_place("10,90.5")


# --- _effective_status -----------------------------------------------------------------------


def test_a_leg_expected_in_the_as_of_year_counts_as_open() -> None:
    from corridors.routing import RoutingOptions, _effective_status

    a, b = Waypoint("a", 44.0, 41.6, "GEO"), Waypoint("b", 44.9, 41.6, "GEO")
    leg = Leg(a, b, Mode.RAIL, Status.UNDER_CONSTRUCTION, expected_year=2030)
    got = [_effective_status(leg, RoutingOptions(as_of=year)) for year in (2029, 2030, 2031)]
    assert got == [
        (Status.UNDER_CONSTRUCTION, False),
        (Status.OPERATIONAL, True),
        (Status.OPERATIONAL, True),
    ]


# --- route_corridor and route_corridors on a hand-made line ---------------------------------


def _pipeline_then_rail() -> tuple[object, object]:
    import corridors
    from corridors.network.core import network_from_segments
    from tests.helpers import segments_along

    net = network_from_segments(pd.DataFrame(segments_along(_LINE, "rail")))
    a, b = Waypoint("A", 69.0, 48.0, "KAZ"), Waypoint("B", 70.0, 48.0, "KAZ")
    c = Waypoint("C", 70.4, 48.0, "KAZ")
    cor = corridors.Corridor(
        id="pl",
        name="PL",
        summary="t",
        waypoints=(a, b, c),
        legs=(Leg(a, b, Mode.PIPELINE), Leg(b, c, Mode.RAIL)),
        modes=(Mode.PIPELINE, Mode.RAIL),
    )
    return cor, net


def test_a_pipeline_leg_is_drawn_not_missing() -> None:
    from corridors.routing import route_corridor

    cor, net = _pipeline_then_rail()
    r = route_corridor(cor, net, links={})  # type: ignore[arg-type]
    pipe, rail = r.legs
    assert (pipe.missing, pipe.opened, pipe.status) == (False, False, Status.OPERATIONAL)
    assert (pipe.snap_start_km, pipe.snap_end_km, pipe.access_km) == (None, None, 0.0)
    assert (round(pipe.length_km, 3), round(rail.length_km, 3)) == (74.625, 29.85)
    # one table of both legs' pieces, indexed 0, 1, ... throughout
    assert r.pieces.index.tolist() == list(range(len(r.pieces)))
    assert r.pieces["leg"].tolist()[0] == 0 and r.pieces["leg"].tolist()[-1] == 1
    assert r.pieces["missing"].tolist() == [False] * len(r.pieces)


def test_a_network_without_a_cache_key_is_recorded_as_an_empty_one() -> None:
    from corridors.routing import route_corridor

    cor, net = _pipeline_then_rail()
    r = route_corridor(cor, net, links={})  # type: ignore[arg-type]
    assert r.meta["network"] == ""


def test_the_links_given_are_the_only_ones_known() -> None:
    from corridors import CorridorsError
    from corridors.routing import RoutingOptions, route_corridor

    cor, net = _pipeline_then_rail()
    opts = RoutingOptions(open_links=("akhalkalaki-kars",))  # a shipped link
    route_corridor(cor, net, options=opts)  # type: ignore[arg-type]
    with pytest.raises(CorridorsError, match="akhalkalaki-kars"):
        route_corridor(cor, net, options=opts, links={})  # type: ignore[arg-type]


def test_each_corridor_is_routed_with_the_options_given(caplog: pytest.LogCaptureFixture) -> None:
    from corridors.routing import RoutingOptions, route_corridors

    cor, net = _pipeline_then_rail()
    opts = RoutingOptions(avoid=("KAZ",), avoid_mode="soft", soft_penalty=3.0)
    with caplog.at_level("WARNING", logger="corridors"):
        (r,), errors = route_corridors([cor], net, options=opts)  # type: ignore[list-item, arg-type]
    assert errors == {}
    assert r.options == opts
    warning = "soft avoid: the route still enters KAZ for 104.5 km (no path found that avoids it)"
    assert r.warnings == (warning,)
    assert [m for m in caplog.messages if "soft avoid" in m] == [warning]


def test_an_adhoc_route_is_by_rail_one_leg_with_the_networks_sources() -> None:
    import dataclasses

    from corridors.network.core import network_from_segments
    from corridors.routing import route
    from tests.helpers import segments_along

    sources = {"t": {"name": "a test line", "licence": "none"}}
    line = network_from_segments(pd.DataFrame(segments_along(_LINE, "rail")))
    net = dataclasses.replace(line, meta={"sources": sources})
    r = route((70.0, 48.0), (70.4, 48.0), net)  # no modes: by rail
    (leg,) = r.legs
    assert (leg.index, leg.mode, leg.missing) == (0, Mode.RAIL, False)
    assert round(leg.length_km, 3) == 29.85
    assert r.meta["data_sources"] == sources
    assert repr(r) == (
        "<Route '70.0000,48.0000 – 70.4000,48.0000': 29.9 km, 1 leg, 0.0 km missing, 2 segments>"
    )


# --- _refine_hard_avoid ----------------------------------------------------------------------


def test_a_path_into_an_avoided_country_is_searched_again_without_its_edges() -> None:
    # A and B in Georgia, X in Armenia, west of both: both edges of A–X–B start at X (the
    # lower node); the path by X counts 133.4 km in Armenia, the refined one goes by N
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, _refine_hard_avoid
    from tests.helpers import segments_along

    a, b, x, n = (44.0, 41.6), (44.9, 41.6), (43.8, 40.9), (44.4, 41.7)
    rows = segments_along([x, a], "rail") + segments_along([x, b], "rail")
    rows += segments_along([a, n, b], "rail")
    g = routing_graph(network_from_segments(pd.DataFrame(rows)))
    na, nb, nx, nn = (_node(g, *p) for p in (a, b, x, n))
    via_x = [int(np.flatnonzero((g.u == nx) & (g.v == end))[0]) for end in (na, nb)]
    via_n = [int(np.flatnonzero((g.u == s) & (g.v == t))[0]) for s, t in ((na, nn), (nn, nb))]
    assert g.country[nx] == "ARM"
    pieces = _pieces_from_path(g, [na, nx, nb], via_x, 0, None)
    assert km_in_countries(pieces, ("ARM",)) == {"ARM": 133.4}
    mask = np.ones(len(g.u), dtype=bool)
    found = _refine_hard_avoid(
        g, ("t",), mask, g.length_m, ([na, nx, nb], via_x), na, nb, RoutingOptions(avoid=("ARM",))
    )
    assert found == ([na, nn, nb], via_n)


def test_a_part_of_an_edge_has_the_countries_of_its_own_ends() -> None:
    # the 80 km edge X - A runs from Armenia (X) into Georgia (A); a route from a point on
    # it starts with the part of that edge from the point, whose countries are those of
    # the point and of A, not of the edge's nodes
    from corridors.network.core import network_from_segments
    from corridors.routing import route
    from tests.helpers import segments_along

    a, b, x = (44.0, 41.6), (44.9, 41.6), (43.8, 40.9)
    rows = segments_along([x, a], "rail") + segments_along([a, b], "rail")
    net = network_from_segments(pd.DataFrame(rows))
    got = {}
    for start in ((43.85, 41.075), (43.88, 41.18)):  # south and north of the border
        p = route(start, b, net).pieces
        first = p.iloc[0]
        got[start] = (
            int(first["edge"]),
            round(float(first["length_m"]) / 1000, 1),
            str(first["country0"]),
            str(first["country1"]),
            [run.country for run in country_runs(p)],
        )
    assert got == {
        (43.85, 41.075): (0, 59.6, "ARM", "GEO", ["GEO"]),  # a piece takes its end's label
        (43.88, 41.18): (0, 47.7, "GEO", "GEO", ["GEO"]),
    }


def test_a_users_corridor_adds_its_own_links_to_the_shipped_ones(tmp_path: object) -> None:
    from pathlib import Path

    import corridors
    from corridors.routing import _all_links

    text = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("id: mini\n", "id: mini-link\n").replace(
        "  - {from: Baku, to: Ganja, mode: rail, status: operational}",
        "  - {from: Baku, to: Ganja, mode: rail, status: planned, link: baku-ganja-test}",
    )
    path = Path(str(tmp_path)) / "mini-link.yaml"
    path.write_text(text, encoding="utf-8")
    user = corridors.corridor_from_file(path)
    shipped = _all_links()
    with_user = _all_links([user])
    assert set(with_user) - set(shipped) == {"baku-ganja-test"}
    link = with_user["baku-ganja-test"]
    assert (link.status, link.corridors) == (Status.PLANNED, ("mini-link",))
    # a shipped corridor adds nothing
    assert _all_links([corridors.load("btk")]) == shipped


def test_under_a_hard_avoid_a_place_does_not_snap_to_an_edge_into_the_avoided_country() -> None:
    # W lies in Georgia on the edge X - A, which runs on into Armenia (X): avoiding Armenia,
    # W snaps 14.6 km away to the line from C instead, though the edge is nearer
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, route
    from tests.helpers import segments_along

    a, b, x, c, d = (44.0, 41.6), (44.9, 41.6), (43.8, 40.9), (43.95, 41.3), (44.3, 41.5)
    rows = segments_along([x, a], "rail") + segments_along([a, b], "rail")
    rows += segments_along([c, d], "rail") + segments_along([d, b], "rail")
    net = network_from_segments(pd.DataFrame(rows))
    w = (43.88, 41.18)
    free = route(w, b, net)
    avoiding = route(w, b, net, options=RoutingOptions(avoid=("ARM",)))
    assert (round(free.length_km, 2), free.legs[0].snap_start_km) == (122.75, 0.0)
    assert (round(avoiding.length_km, 2), avoiding.legs[0].snap_start_km) == (102.58, 14.562)
    first = avoiding.pieces.iloc[1]
    assert (float(first["x0"]), float(first["y0"])) == c


def test_two_points_on_one_edge_take_the_network_where_it_is_cheaper() -> None:
    # points at 10 % and 90 % of a dear edge A - B (cost 100) and a cheap way round by C
    # (1 + 1): along the edge costs 80, out by A and in by B 10 + 2 + 10 = 22
    from corridors.network._graph import cheapest_pair
    from corridors.network.core import network_from_segments
    from corridors.routing import _join, _Snap
    from tests.helpers import segments_along

    a, b, c = (70.0, 48.0), (70.4, 48.0), (70.2, 48.1)
    rows = segments_along([a, b], "rail") + segments_along([a, c, b], "rail")
    g = routing_graph(network_from_segments(pd.DataFrame(rows)))
    na, nb, nc = (_node(g, *p) for p in (a, b, c))
    (edge,) = np.flatnonzero(((g.u == na) & (g.v == nb)) | ((g.u == nb) & (g.v == na)))
    weight = np.where(np.arange(len(g.u)) == edge, 100.0, 1.0)
    mask = np.ones(len(g.u), dtype=bool)
    t = (0.1, 0.9) if g.u[edge] == na else (0.9, 0.1)
    sa = _Snap(node=na, dist_km=0.0, x=70.04, y=48.0, edge=int(edge), t=t[0])
    sb = _Snap(node=nb, dist_km=0.0, x=70.36, y=48.0, edge=int(edge), t=t[1])

    def find(starts, goals):  # type: ignore[no-untyped-def]
        return cheapest_pair(
            lambda s, e: g.shortest_path(("t",), mask, weight, s, e), weight, starts, goals
        )

    joined = _join(g, sa, sb, weight, find)
    assert (joined.direct, joined.source, joined.target) == (False, na, nb)
    assert joined.found is not None and joined.found[0] == [na, nc, nb]
    # made dear (cost 30 each), the way round costs 10 + 60 + 10: along the edge wins
    weight = np.where(np.arange(len(g.u)) == edge, 100.0, 30.0)
    assert _join(g, sa, sb, weight, find).direct is True


def test_two_points_on_one_edge_with_no_way_round_are_joined_along_it() -> None:
    # when the search finds nothing (a stub here), two points on one edge are still joined
    # along it; a point and a node snap (edge -1) are joined only by a search, so not at all
    from corridors.network.core import network_from_segments
    from corridors.routing import _join, _Joined, _Snap
    from tests.helpers import segments_along

    a, b = (70.0, 48.0), (70.4, 48.0)
    g = routing_graph(network_from_segments(pd.DataFrame(segments_along([a, b], "rail"))))
    na, nb = _node(g, *a), _node(g, *b)
    weight = np.ones(len(g.u))
    t = (0.1, 0.9) if g.u[0] == na else (0.9, 0.1)
    sa = _Snap(node=na, dist_km=0.0, x=70.04, y=48.0, edge=0, t=t[0])
    sb = _Snap(node=nb, dist_km=0.0, x=70.36, y=48.0, edge=0, t=t[1])

    def nothing(starts: object, goals: object) -> None:
        return None

    assert _join(g, sa, sb, weight, nothing) == _Joined(([na], []), na, na, direct=True)
    at_b = _Snap(node=nb, dist_km=0.0, x=70.4, y=48.0)
    assert _join(g, sa, at_b, weight, nothing) == _Joined(None, na, nb)


# --- _path_columns ----------------------------------------------------------------------------


def test_pieces_of_a_path_can_leave_its_transfers_out() -> None:
    # rail to a port, the transfer there (0 m, between the rail and the water node), then sea
    from corridors.network.core import network_from_segments
    from tests.helpers import segments_along

    port = (50.1, 40.0)
    rows = segments_along([(50.0, 40.0), port], "rail")
    rows += segments_along([port, port], "transfer", g0="rail", g1="water")
    rows += segments_along([port, (50.3, 40.0)], "sea")
    g = routing_graph(network_from_segments(pd.DataFrame(rows)))
    assert [MODES[m] for m in g.mode] == ["rail", "transfer", "sea"]
    nodes, edges = [0, 1, 2, 3], [0, 1, 2]
    every = _pieces_from_path(g, nodes, edges, 0, None)
    assert every["mode"].tolist() == ["rail", "transfer", "sea"]
    drawn = _pieces_from_path(g, nodes, edges, 0, None, drop_transfers=True)
    assert drawn["mode"].tolist() == ["rail", "sea"]
    assert drawn["edge"].tolist() == [0, 2]
    assert (drawn["x0"].tolist(), drawn["x1"].tolist()) == ([50.0, 50.1], [50.1, 50.3])


# --- _straight_m -----------------------------------------------------------------------------


def test_the_straight_line_bound_is_the_haversine_distance() -> None:
    # 10° E 60° N to 30° E 70° N on the sphere of 6 371 008.8 m: 1 442 005.209 m (the law of
    # cosines gives the same to the mm; WGS 84's geodesic is 1 446 543.938 m)
    from corridors.routing import _Snap, _straight_m

    sa, sb = _Snap(0, 0.0, 10.0, 60.0), _Snap(1, 0.0, 30.0, 70.0)
    assert round(_straight_m(sa, sb), 3) == 1442005.209
    assert round(_straight_m(sb, sa), 3) == 1442005.209


# --- _adhoc ----------------------------------------------------------------------------------


def test_an_adhoc_setup_is_kept_only_for_options_that_can_key_it() -> None:
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, _adhoc
    from tests.helpers import segments_along

    net = network_from_segments(pd.DataFrame(segments_along(_LINE, "rail")))
    first = _adhoc(net, "rail", RoutingOptions(avoid=("ARM",)), None, None)
    assert _adhoc(net, "rail", RoutingOptions(avoid=("ARM",)), None, None) is first
    # lists where tuples are expected cannot key a kept setup: each is set up afresh
    listed = _adhoc(net, "rail", RoutingOptions(avoid=["ARM"]), None, None)  # type: ignore[arg-type]
    other = _adhoc(net, "rail", RoutingOptions(avoid=[]), None, None)  # type: ignore[arg-type]
    assert listed is not first
    assert (listed.key[-2:], other.key[-2:]) == ((("ARM",), "hard"), ((), "hard"))
    assert listed.blocked is not None and other.blocked is None


# --- route: closures and the hard-avoid check ------------------------------------------------


def test_an_adhoc_closure_is_searched_on_a_matrix_kept_apart() -> None:
    # closing the direct edge A - B reroutes by C; the closure's matrix is kept among the
    # one-off ones (a criticality sweep's thousands), not with routing's own masks
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, _adhoc, route
    from tests.helpers import segments_along

    a, b, c = (70.0, 48.0), (70.4, 48.0), (70.2, 48.1)
    rows = segments_along([a, b], "rail") + segments_along([a, c, b], "rail")
    net = network_from_segments(pd.DataFrame(rows))
    g = _adhoc(net, "rail", None, None, None).graph
    na, nb = _node(g, *a), _node(g, *b)
    (direct,) = np.flatnonzero(((g.u == na) & (g.v == nb)) | ((g.u == nb) & (g.v == na)))
    opts = RoutingOptions(close_edges=(int(direct),))
    r = route(a, b, net, options=opts)
    q = _adhoc(net, "rail", opts, None, None)
    assert q.graph is g
    assert round(r.length_km, 3) == 37.2  # by C, not the 29.85 km edge
    assert list(g._csr_once) == [("path", q.key, False, id(q.weights), (int(direct),))]
    assert g._csr == {}


def test_a_route_that_still_enters_an_avoided_country_is_refused_by_name() -> None:
    # P's own country is Georgia, but the borders put it 5.2 km inside Armenia: the access
    # stretch to it from the line in Georgia ends in Armenia, so the route does not avoid it
    from corridors import InfeasibleRouteError
    from corridors.network.core import network_from_segments
    from corridors.routing import RoutingOptions, route
    from tests.helpers import segments_along

    a, b = (43.9, 41.3), (44.9, 41.6)
    net = network_from_segments(pd.DataFrame(segments_along([a, b], "rail")))
    place = Waypoint("P", 43.9, 41.12, "GEO")
    assert route(b, place, net).legs[0].access_km == 19.99
    with pytest.raises(InfeasibleRouteError) as err:
        route(b, place, net, options=RoutingOptions(avoid=("ARM",)))
    assert str(err.value) == (
        "route '44.9000,41.6000' – 'P' (rail): no path found that stays out of ARM (5.2 km); "
        "use --avoid-mode soft to allow it at a cost, or drop it from --avoid"
    )


# --- _avoid_masks ----------------------------------------------------------------------------


def test_avoided_areas_follow_the_borders_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # Q (44.97° E 41.05° N) is 8.0 km inside Armenia on OSM borders and 0.4 km inside
    # Azerbaijan's exclave of Yukhari Askipara on Natural Earth's: switching the setting
    # must switch the avoided area and the masks, not reuse those of the first setting
    from corridors.network.core import network_from_segments
    from corridors.routing import _avoid_depth_km, _avoid_masks
    from tests.helpers import segments_along

    box = (43.0, 39.0, 47.0, 43.0)

    def depths() -> list[float]:
        return [
            round(float(_avoid_depth_km((c,), [44.97], [41.05], box)[0]), 3) for c in ("AZE", "ARM")
        ]

    monkeypatch.setattr(settings, "borders", "osm")
    net = network_from_segments(
        pd.DataFrame(segments_along([(44.75, 40.95), (44.97, 41.05), (44.97, 41.35)], "rail"))
    )
    graph = routing_graph(net)
    monkeypatch.setattr(settings, "border_tolerance_km", 0.1)
    seen = []
    for borders in ("osm", "natural-earth", "osm"):
        monkeypatch.setattr(settings, "borders", borders)
        nodes, edges = _avoid_masks(graph, ("AZE",))
        seen.append((borders, depths(), nodes.tolist(), edges.tolist()))
    assert seen == [
        ("osm", [0.0, 8.024], [False] * 3, [False, True]),
        ("natural-earth", [0.403, 0.0], [False] * 3, [True, True]),
        ("osm", [0.0, 8.024], [False] * 3, [False, True]),
    ]
