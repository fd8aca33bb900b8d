"""Repair on tiny hand-made networks: merging, bridging, diagnostics."""

from __future__ import annotations

import itertools

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
