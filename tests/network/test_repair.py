"""Repair on tiny hand-made networks: merging, bridging, diagnostics."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from corridors.network.core import network_from_segments
from corridors.network.repair import components, repair_network


def _line(points: list[tuple[float, float]], mode: str = "rail") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"x0": a[0], "y0": a[1], "x1": b[0], "y1": b[1], "mode": mode, "source": "test"}
            for a, b in itertools.pairwise(points)
        ]
    )


def _two_lines(gap_deg: float) -> pd.DataFrame:
    # two 11 km lines along the equator-ish latitude 40, end to end with a gap
    a = _line([(45.0, 40.0), (45.05, 40.0), (45.1, 40.0)])
    b = _line([(45.1 + gap_deg, 40.0), (45.15 + gap_deg, 40.0), (45.2 + gap_deg, 40.0)])
    return pd.concat([a, b], ignore_index=True)


def test_gap_within_limit_is_bridged_and_marked() -> None:
    net = network_from_segments(_two_lines(0.03))  # about 2.6 km
    assert components(net, "rail")[1] == 2
    fixed, report = repair_network(net, bridge_max_km=5, min_component_km=1)
    assert components(fixed, "rail")[1] == 1
    bridged = fixed.edges[fixed.edges["bridged"]]
    assert len(bridged) == 1
    assert bridged["source"].iloc[0] == "repair"
    assert bridged["length_m"].iloc[0] == pytest.approx(2557, rel=0.01)
    assert report.components_before == {"rail": 2}
    assert report.components_after == {"rail": 1}
    assert report.bridged_km["rail"] == pytest.approx(2.56, abs=0.01)
    assert fixed.meta["repair"]["bridged_edges"] == {"rail": 1}


def test_gap_beyond_limit_is_left_open() -> None:
    net = network_from_segments(_two_lines(0.1))  # about 8.5 km
    fixed, report = repair_network(net, bridge_max_km=5, min_component_km=1)
    assert components(fixed, "rail")[1] == 2
    assert report.bridged_edges["rail"] == 0
    assert not fixed.edges["bridged"].any()


def test_short_fragments_are_not_bridged() -> None:
    net = network_from_segments(_two_lines(0.03))
    _, report = repair_network(net, bridge_max_km=5, min_component_km=50)
    assert report.bridged_edges["rail"] == 0


def test_nodes_within_tolerance_merge() -> None:
    a = _line([(45.0, 40.0), (45.1, 40.0)])
    b = _line([(45.10002, 40.00001), (45.2, 40.0)])  # about 2 m apart
    net = network_from_segments(pd.concat([a, b], ignore_index=True))
    assert net.n_nodes == 4
    fixed, report = repair_network(net, merge_tolerance_m=10, bridge_max_km=0)
    assert report.merged_nodes == 1
    assert fixed.n_nodes == 3
    assert components(fixed, "rail")[1] == 1


def test_rail_gap_is_never_bridged_by_road() -> None:
    rail = _two_lines(0.03)
    road = _line([(45.1, 40.0), (45.13, 40.0)], mode="road")
    net = network_from_segments(pd.concat([rail, road], ignore_index=True))
    fixed, _ = repair_network(net, modes=["rail"], bridge_max_km=0)
    assert components(fixed, "rail")[1] == 2


def test_input_is_not_modified() -> None:
    net = network_from_segments(_two_lines(0.03))
    before = net.edges.copy()
    repair_network(net, bridge_max_km=5, min_component_km=1)
    pd.testing.assert_frame_equal(net.edges, before)


def _bridges(segments: pd.DataFrame) -> set[tuple[tuple[float, float], tuple[float, float]]]:
    """The bridged edges of the repaired network, as pairs of end coordinates."""
    fixed, _ = repair_network(network_from_segments(segments), bridge_max_km=5, min_component_km=1)
    x, y = fixed.nodes["x"].to_numpy(), fixed.nodes["y"].to_numpy()
    b = fixed.edges[fixed.edges["bridged"]]
    return {
        ((float(x[u]), float(y[u])), (float(x[v]), float(y[v])))
        for u, v in zip(b["u"], b["v"], strict=True)
    }


_GAP = ((45.1, 40.0), (45.13, 40.0))  # the 2.6 km gap of _two_lines(0.03)


def _path(points: list[tuple[float, float]], step_deg: float = 0.25) -> pd.DataFrame:
    """A line through ``points`` with a vertex every ``step_deg`` degrees at most."""
    fine: list[tuple[float, float]] = [points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        n = max(1, round(max(abs(x1 - x0), abs(y1 - y0)) / step_deg))
        fine += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    return _line(fine)


def test_unrelated_far_segments_leave_the_bridges_as_they_are() -> None:
    near = _two_lines(0.03)
    assert _bridges(near) == {_GAP}
    # a network 1,500 km away with a gap of its own, 3 km wide
    far = pd.concat(
        [_line([(60.0, 50.0), (60.1, 50.0)]), _line([(60.142, 50.0), (60.3, 50.0)])],
        ignore_index=True,
    )
    far_bridges = _bridges(far)
    assert far_bridges == {((60.1, 50.0), (60.142, 50.0))}
    assert _bridges(pd.concat([near, far], ignore_index=True)) == {_GAP} | far_bridges


def test_a_far_detour_between_the_two_sides_does_not_close_the_gap() -> None:
    # The two sides joined 560 km north, beyond the 3 x 3 degree window around the gap:
    # a whole-network component would now hold both sides and leave the gap open (a larger
    # extent made Svilengrad - Sadakhlo run via Poland and Russia).
    detour = _path([(45.0, 40.0), (45.0, 45.0), (45.23, 45.0), (45.23, 40.0)])
    both = pd.concat([_two_lines(0.03), detour], ignore_index=True)
    net = network_from_segments(both)
    assert components(net, "rail")[1] == 1
    assert _bridges(both) == {_GAP}


def test_a_near_loop_between_the_two_sides_leaves_the_gap_open() -> None:
    # joined 33 km north, inside the window: the sides are one local component
    loop = _path([(45.0, 40.0), (45.0, 40.3), (45.23, 40.3), (45.23, 40.0)], step_deg=0.05)
    assert _bridges(pd.concat([_two_lines(0.03), loop], ignore_index=True)) == set()


def test_one_bridge_per_pair_of_local_components() -> None:
    # two parallel 8.5 km lines 2.2 km apart: four dangling ends, one bridge
    a = _line([(45.0, 40.0), (45.05, 40.0), (45.1, 40.0)])
    b = _line([(45.0, 40.02), (45.05, 40.02), (45.1, 40.02)])
    assert len(_bridges(pd.concat([a, b], ignore_index=True))) == 1


def test_bridges_do_not_depend_on_the_order_of_the_segments() -> None:
    detour = _path([(45.0, 40.0), (45.0, 45.0), (45.23, 45.0), (45.23, 40.0)])
    far = _line([(60.0, 50.0), (60.1, 50.0)])
    segments = pd.concat([_two_lines(0.03), detour, far], ignore_index=True)
    shuffled = segments.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert _bridges(shuffled) == _bridges(segments) == {_GAP}


def test_tiles_grow_with_the_largest_bridge() -> None:
    from corridors.network.repair import _tile_deg

    assert _tile_deg(5_000.0) == 1.0  # the default 5 km: 1 degree tiles
    assert _tile_deg(50_000.0) == 9.0  # ten bridges wide at 60 degrees latitude


# 1 m east and 1 m north at latitude 40°, in degrees (the local plane of the neighbour search)
_EAST = 1 / (111_320.0 * np.cos(np.radians(40.0)))
_NORTH = 1 / 110_574.0


def test_merge_tolerance_is_in_metres_east_and_north() -> None:
    segments = pd.concat(
        [
            # 8 m apart east-west: merged at 10 m
            _line([(45.0, 40.0), (45.05, 40.0)]),
            _line([(45.05 + 8 * _EAST, 40.0), (45.1, 40.0)]),
            # 12 m apart east-west, and 12 m apart north-south: kept apart
            _line([(46.0, 40.0), (46.05, 40.0)]),
            _line([(46.05 + 12 * _EAST, 40.0), (46.1, 40.0)]),
            _line([(47.0, 40.0), (47.0, 40.05)]),
            _line([(47.0, 40.05 + 12 * _NORTH), (47.0, 40.1)]),
        ],
        ignore_index=True,
    )
    net = network_from_segments(segments)
    fixed, report = repair_network(net, merge_tolerance_m=10, bridge_max_km=0)
    assert (report.merged_nodes, net.n_nodes, fixed.n_nodes) == (1, 12, 11)
    assert report.components_before == {"rail": 6}
    assert report.components_after == {"rail": 5}
    assert (report.bridged_edges, report.bridged_km) == ({}, {})
    # the node with the lower id stays; the edge that lost its end is re-measured from it
    assert fixed.nodes[["x", "y"]].values.tolist()[:3] == [
        [45.0, 40.0],
        [45.05, 40.0],
        [45.1, 40.0],
    ]
    assert fixed.edges["u"].tolist()[:2] == [0, 1]
    assert fixed.edges["v"].tolist()[:2] == [1, 2]
    assert fixed.edges["length_m"].round(2).tolist()[:2] == [4269.69, 4269.69]


def test_an_along_track_length_survives_a_merge() -> None:
    a = _line([(45.0, 40.0), (45.05, 40.0)]).assign(length_m=5000.0)
    b = _line([(45.05 + 8 * _EAST, 40.0), (45.1, 40.0)]).assign(length_m=5000.0)
    c = _line([(45.1, 40.0), (45.15, 40.0)])
    net = network_from_segments(pd.concat([a, b, c], ignore_index=True))
    fixed, _ = repair_network(net, merge_tolerance_m=10, bridge_max_km=0)
    assert fixed.edges["length_m"].round(2).tolist() == [5000.0, 5000.0, 4269.69]
    assert fixed.edges["length_source"].astype(str).tolist() == ["track", "track", "geodesic"]


def test_a_dangling_end_is_bridged_past_its_own_dense_line() -> None:
    # 31 nodes 50 m apart (1.5 km): the 24 nearest nodes of its east end are its own, so the
    # search goes on to the whole 5 km radius and finds the middle (not an end) of a north-south
    # line 2 km east; the ends of that line are 3 km away
    dense = [(45.5 + 50 * i * _EAST, 40.0) for i in range(31)]
    x = 45.5 + 3500 * _EAST
    segments = pd.concat(
        [
            _line(dense).assign(name="Dense", osmid=7, railway="rail", status="planned"),
            _line([(x, 39.98), (x, 40.0), (x, 40.02)]),
        ],
        ignore_index=True,
    )
    net = network_from_segments(segments)
    fixed, report = repair_network(net, bridge_max_km=5, min_component_km=1, merge_tolerance_m=0)
    # the dense line's east end reaches the north-south line's middle (2.0 km); one of that line's
    # ends, dangling too, bridges back to the dense line in its own window (3.0 km)
    assert (report.bridged_edges, report.bridged_km) == ({"rail": 2}, {"rail": 4.99})
    bridges = fixed.edges[fixed.edges["bridged"]]
    bridge = bridges[bridges["length_m"] < 2100]
    assert len(bridges) == 2 and len(bridge) == 1
    ends = fixed.nodes.loc[[bridge["u"].iloc[0], bridge["v"].iloc[0]], ["x", "y"]]
    assert ends.values.tolist() == [[45.5175899, 40.0], [45.5410432, 40.0]]
    row = bridge.iloc[0]
    assert round(float(row["length_m"]), 2) == 2002.77
    assert (str(row["length_source"]), str(row["status"]), str(row["source"])) == (
        "geodesic",
        "operational",
        "repair",
    )
    assert (str(row["name"]), str(row["railway"]), int(row["osmid"])) == ("", "", -1)
    assert str(row["mode"]) == "rail"


def test_gaps_are_bridged_shortest_first_once_per_pair_of_components() -> None:
    # three 4.3 km lines in a row, 1 km then 2 km apart: A–B and B–C, never A–C (3+ km)
    b0 = 45.05 + 1000 * _EAST
    c0 = b0 + 0.05 + 2000 * _EAST
    segments = pd.concat(
        [
            _line([(45.0, 40.0), (45.05, 40.0)]),
            _line([(b0, 40.0), (b0 + 0.05, 40.0)]),
            _line([(c0, 40.0), (c0 + 0.05, 40.0)]),
        ],
        ignore_index=True,
    )
    net = network_from_segments(segments, meta={"sources": ["t"]})
    fixed, report = repair_network(net, bridge_max_km=5, min_component_km=1, merge_tolerance_m=0)
    bridged = fixed.edges[fixed.edges["bridged"]]
    assert bridged[["u", "v"]].values.tolist() == [[1, 2], [3, 4]]
    assert bridged["length_m"].round(2).tolist() == [1001.38, 2002.77]
    assert report.bridged_km == {"rail": 3.0}
    assert report.components_after == {"rail": 1}
    assert fixed.meta == {"sources": ["t"], "repair": report.as_dict()}
    assert report.as_dict() == {
        "merge_tolerance_m": 0,
        "bridge_max_km": 5,
        "merged_nodes": 0,
        "components_before": {"rail": 3},
        "components_after": {"rail": 1},
        "bridged_edges": {"rail": 2},
        "bridged_km": {"rail": 3.0},
    }


def test_defaults_come_from_the_settings_and_modes_without_edges_are_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corridors import settings

    monkeypatch.setattr(settings, "merge_tolerance_m", 10.0)
    monkeypatch.setattr(settings, "bridge_max_km", 2.0)
    monkeypatch.setattr(settings, "bridge_min_component_km", 1.0)
    net = network_from_segments(_two_lines(0.03))  # a 2.6 km gap: more than 2 km
    _, report = repair_network(net)
    assert (report.merge_tolerance_m, report.bridge_max_km) == (10.0, 2.0)
    assert report.components_before == {"rail": 2}  # no road edges: no road entry
    assert (report.bridged_edges, report.bridged_km) == ({"rail": 0}, {"rail": 0.0})
    monkeypatch.setattr(settings, "bridge_max_km", 3.0)
    _, report = repair_network(net)
    assert report.bridged_edges == {"rail": 1}
    monkeypatch.setattr(settings, "bridge_min_component_km", 20.0)
    _, report = repair_network(net)
    assert report.bridged_edges == {"rail": 0}


def test_component_labels() -> None:
    rail = _two_lines(0.03)
    road = _line([(46.0, 40.0), (46.1, 40.0)], mode="road")
    net = network_from_segments(pd.concat([rail, road], ignore_index=True))
    labels, n = components(net, "rail")
    assert n == 2
    assert labels.dtype == np.int64
    x = net.nodes["x"].round(2).tolist()
    by_x = dict(zip(x, labels.tolist(), strict=True))
    assert by_x == {45.0: 0, 45.05: 0, 45.1: 0, 45.13: 1, 45.18: 1, 45.23: 1, 46.0: -1, 46.1: -1}
    sea, n_sea = components(net, "sea")
    assert (sea.tolist(), n_sea) == ([-1] * 8, 0)


def test_only_components_of_at_least_min_component_km_are_bridged() -> None:
    # west: two 2.1 km pieces given as 3 km of track each (6 km); east: an 8.5 km line, 1 km on
    west = _line([(45.0, 40.0), (45.025, 40.0), (45.05, 40.0)]).assign(length_m=3000.0)
    x = 45.05 + 1000 * _EAST
    east = _line([(x, 40.0), (x + 0.05, 40.0), (x + 0.1, 40.0)])
    net = network_from_segments(pd.concat([west, east], ignore_index=True))
    assert components(net, "rail")[0].tolist() == [0, 0, 0, 1, 1, 1]
    # exactly 6 km is enough
    _, report = repair_network(net, bridge_max_km=5, min_component_km=6.0, merge_tolerance_m=0)
    assert report.bridged_edges == {"rail": 1}
    # at 6.5 km the west component (label 0) is too short, only the east one (label 1) is long
    # enough, and a gap needs both
    _, report = repair_network(net, bridge_max_km=5, min_component_km=6.5, merge_tolerance_m=0)
    assert report.bridged_edges == {"rail": 0}


def test_each_mode_merges_on_its_own_even_below_a_metre() -> None:
    rail = _line([(45.0, 40.0), (45.05, 40.0), (45.1, 40.0)])  # no two nodes close
    # a 2-node road whose ends are 0.3 m apart: merged at 0.5 m, and the edge collapses
    road = _line([(46.0, 40.0), (46.0 + 0.3 * _EAST, 40.0)], mode="road")
    road2 = _line([(47.0, 40.0), (47.1, 40.0)], mode="road")
    net = network_from_segments(pd.concat([rail, road, road2], ignore_index=True))
    fixed, report = repair_network(net, merge_tolerance_m=0.5, bridge_max_km=0)
    assert report.merged_nodes == 1
    assert (net.n_nodes, fixed.n_nodes, fixed.n_edges) == (7, 5, 3)
    assert fixed.edges["mode"].astype(str).tolist() == ["rail", "rail", "road"]
