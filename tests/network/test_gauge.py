"""Track gauge on rail edges: the OSM tag, then exception lines, then the country rule."""

from __future__ import annotations

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


def test_nothing_to_fill_returns_the_same_network() -> None:
    net = _net([((43.40, 41.31), (43.31, 41.22), 1520)])
    assert add_gauge(net) is net  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tag", "mm"),
    [("1520", 1520), ("1435;1520", 1435), ("1,520 mm", 0), (None, 0), ("", 0), (1676, 1676)],
)
def test_gauge_from_tag(tag: object, mm: int) -> None:
    assert gauge_from_tag(tag) == mm
