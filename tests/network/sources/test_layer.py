"""The regional OSM rail layer as a network source: its segments, and the backbone it replaces."""

from __future__ import annotations

import pytest

from corridors.geo.boundaries import geodesic_lengths_m
from corridors.network.sources.bundled import scgraph_segments
from corridors.network.sources.layer import layer_meta, layer_segments, replace_covered

GEORGIA = (40.0, 41.0, 46.8, 43.6)


def test_layer_segments_follow_the_ways_with_their_tags() -> None:
    seg = layer_segments(GEORGIA)
    assert len(seg) == 23110
    km = geodesic_lengths_m(seg["x0"], seg["y0"], seg["x1"], seg["y1"]).sum() / 1000
    assert km == pytest.approx(2299.2, abs=0.1)
    assert seg["status"].value_counts().to_dict() == {
        "operational": 22742,
        "under_construction": 368,
    }
    assert set(seg["source"]) >= {"osm-layer:georgia_rail", "osm-layer:caucasus_rail"}
    assert {1520, 1435} <= set(seg["gauge_mm"])
    assert layer_meta()["attribution"] == "© OpenStreetMap contributors"


def test_the_layer_replaces_the_backbone_it_covers_and_joins_it_at_the_edge() -> None:
    backbone = scgraph_segments("rail", GEORGIA)
    merged = replace_covered(backbone, layer_segments(GEORGIA))
    source = merged["source"].astype(str)
    assert len(backbone) == 689
    assert source.str.startswith("scgraph").sum() == 95  # lines the layer does not cover
    assert (source == "osm-layer:join").sum() == 4
    assert source.str.startswith("osm-layer:").sum() == 23110 + 4
