"""Track gauge on rail edges: the OSM tag, then exception lines, then the country rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridors.network.core import network_from_segments
from corridors.network.gauge import add_gauge, gauge_from_tag
from tests.helpers import segments_along


def _net(segments: list[tuple[tuple[float, float], tuple[float, float], int]]) -> object:
    rows = [row for a, b, g in segments for row in segments_along([a, b], "rail", gauge_mm=g)]
    return network_from_segments(pd.DataFrame(rows))


def test_exception_lines_override_the_country_rule_only_near_them() -> None:
    net = _net(
        [
            # on the 1435 mm Akhalkalaki–Kartsakhi section, in Georgia (GEO rule: 1520)
            ((43.40, 41.31), (43.31, 41.22), 0),
            # Marabda–Akhalkalaki, Georgia, 20 km off the exception line: the rule
            ((43.70, 41.45), (43.60, 41.43), 0),
            # Astara (AZE) to the border bridge: 1520, also on the Iranian side within 2 km
            ((48.8735, 38.46), (48.8710, 38.44), 0),
            # Tabriz, Iran, far from every exception: IRN rule
            ((46.25, 38.05), (46.30, 38.08), 0),
            # a tagged edge keeps its tag, even on an exception line
            ((43.305, 41.10), (43.303, 41.05), 1520),
        ]
    )
    gauged = add_gauge(net)  # type: ignore[arg-type]
    assert list(gauged.edges["gauge_mm"]) == [1435, 1520, 1520, 1435, 1520]
    # the input network is not changed
    assert list(net.edges["gauge_mm"]) == [0, 0, 0, 0, 1520]  # type: ignore[attr-defined]


def test_exception_buffer_is_measured_in_metres_east_and_north() -> None:
    # Akhalkalaki, the north end of the 1435 mm BTK line (buffer 3000 m), lies in Georgia (1520).
    # 1 m east is 1 / (111 320 m * cos 41.0854°) degrees at the line's mean latitude; the line runs
    # south-west from here, so the end point is the nearest point of the line.
    east = 1 / (111_320.0 * np.cos(np.radians(41.085405)))
    north = 1 / 111_320.0
    x0, y0 = 43.48629, 41.40514
    net = _net(
        [
            # midpoint 2900 m east of Akhalkalaki: inside the buffer
            ((x0 + 2900 * east, y0 - 100 * north), (x0 + 2900 * east, y0 + 100 * north), 0),
            # midpoint 3100 m east: outside
            ((x0 + 3100 * east, y0 - 100 * north), (x0 + 3100 * east, y0 + 100 * north), 0),
            # midpoint 3100 m north: outside
            ((x0 - 100 * east, y0 + 3100 * north), (x0 + 100 * east, y0 + 3100 * north), 0),
        ]
    )
    gauged = add_gauge(net)  # type: ignore[arg-type]
    assert list(gauged.edges["gauge_mm"]) == [1435, 1520, 1520]


def test_country_of_an_edge_is_its_first_end_else_its_second() -> None:
    net = _net(
        [
            # Meghri crossing, Iran (38.85°N) to Armenia (38.95°N): the first end (Iran) decides
            ((46.35, 38.85), (46.35, 38.95), 0),
            # from the Black Sea (no country) to Batumi, Georgia: the second end decides
            ((41.50, 41.64), (41.64, 41.64), 0),
            # at sea at both ends: no rule, gauge stays unknown (0)
            ((41.30, 41.70), (41.40, 41.70), 0),
        ]
    )
    countries = net.nodes["country"].astype(str)  # type: ignore[attr-defined]
    edges = net.edges  # type: ignore[attr-defined]
    assert [(countries[u], countries[v]) for u, v in zip(edges["u"], edges["v"], strict=True)] == [
        ("IRN", "ARM"),
        ("", "GEO"),
        ("", ""),
    ]
    gauged = add_gauge(net)  # type: ignore[arg-type]
    assert list(gauged.edges["gauge_mm"]) == [1435, 1520, 0]


def test_filled_gauges_keep_the_schema_and_the_provenance() -> None:
    rows = segments_along([(43.40, 41.31), (43.31, 41.22)], "rail", gauge_mm=0)
    net = network_from_segments(pd.DataFrame(rows), meta={"sources": ["t"]})
    gauged = add_gauge(net)
    assert gauged.edges["gauge_mm"].dtype == np.int16
    assert gauged.meta == {"sources": ["t"]}
    assert gauged.meta is not net.meta


def test_nothing_to_fill_returns_the_same_network() -> None:
    net = _net([((43.40, 41.31), (43.31, 41.22), 1520)])
    assert add_gauge(net) is net  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tag", "mm"),
    [("1520", 1520), ("1435;1520", 1435), ("1,520 mm", 0), (None, 0), ("", 0), (1676, 1676)],
)
def test_gauge_from_tag(tag: object, mm: int) -> None:
    assert gauge_from_tag(tag) == mm
