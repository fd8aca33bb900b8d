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
