"""The readers of the embedded data: scgraph's along-track lengths."""

from __future__ import annotations

import pytest

from corridors.geo.boundaries import geodesic_lengths_m
from corridors.network.sources.bundled import scgraph_segments

#: Georgia and its neighbours' border belts.
GEORGIA = (40.0, 41.0, 46.8, 43.6)


def test_scgraph_weights_are_along_track_km() -> None:
    seg = scgraph_segments("rail", GEORGIA)
    chord = geodesic_lengths_m(seg["x0"], seg["y0"], seg["x1"], seg["y1"])
    assert len(seg) == 689
    # scgraph's weights are km along the track, rounded to 1 m, on a sphere (haversine)
    assert seg["length_m"].sum() / 1000 == pytest.approx(1728.916, abs=1e-3)
    assert chord.sum() / 1000 == pytest.approx(1639.675, abs=1e-3)
    ratio = seg["length_m"].to_numpy() / chord
    assert ratio.min() > 0.99  # the sphere is up to 0.5 % short of WGS 84, never more
    assert ratio.max() == pytest.approx(2.214, abs=1e-3)  # a winding mountain line


def test_the_world_graph_is_released_after_extraction_and_read_again_the_same() -> None:
    import sys

    first = scgraph_segments("rail", GEORGIA)
    assert "scgraph_data.world_railways" not in sys.modules  # its ~150 MB are let go
    again = scgraph_segments("rail", GEORGIA)
    assert again.equals(first) and len(again) == 689
