"""The regional OSM rail layer as a network source: its segments, and the backbone it replaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridors.geo.boundaries import geodesic_lengths_m
from corridors.network.sources.bundled import scgraph_segments
from corridors.network.sources.layer import (
    drop_covered,
    layer_meta,
    layer_segments,
    replace_covered,
)

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
    assert source.str.startswith("scgraph").sum() == 94  # lines the layer does not cover
    assert (source == "osm-layer:join").sum() == 2
    assert source.str.startswith("osm-layer:").sum() == 23110 + 2
    # the 25.7 km chord west of Marabda towards Tetritskaro cuts the bends of the OSM track
    # (its middle is more than 2.5 km off) but the track joins its two ends: it is dropped
    chord = (44.583, 41.525, 44.369, 41.585)
    rows = merged[["x0", "y0", "x1", "y1"]].itertuples(index=False, name=None)
    assert chord not in set(rows)


def test_a_chord_beside_a_long_straight_way_or_across_a_bend_is_covered() -> None:
    """Coverage is measured to the layer's track, not to its vertices (a straight OSM way
    has few), and a chord whose ends the track joins by a path of about its length is a
    duplicate: in the Kashaf valley, Fariman – Sarakhs, both gave way to the OSM track."""
    box = (59.7, 35.9, 61.3, 36.6)
    backbone = scgraph_segments("rail", box)
    rows = set(
        replace_covered(backbone, layer_segments(box))[["x0", "y0", "x1", "y1"]].itertuples(
            index=False, name=None
        )
    )
    beside = (59.837, 36.028, 60.105, 36.027)  # 24.6 km, 1.4 km from a two-vertex way
    across = (60.254, 36.087, 60.889, 36.213)  # 72.6 km along the track, 3.3 km off it
    for chord in (beside, across):
        assert any(
            np.allclose(r, chord, atol=5e-4) for r in backbone[["x0", "y0", "x1", "y1"]].values
        )
        assert not any(np.allclose(r, chord, atol=5e-4) for r in rows)


def test_an_added_line_gives_way_to_the_layers_track_where_it_covers_it() -> None:
    from corridors.network.build import _addition_segments

    added = _addition_segments([scgraph_segments("rail", GEORGIA)], ["rail"])
    btk = added[added["name"].astype(str).str.startswith("Baku–Tbilisi–Kars")]
    layer = layer_segments(GEORGIA)
    kept = drop_covered(btk, layer[layer["status"] == "operational"])
    source = kept["source"].astype(str)
    # the Georgian part (Akhalkalaki – Kartsakhi – border) is on the OSM track and dropped;
    # the drawn Turkish part stays and joins the OSM track at the end of way 523465476
    assert (len(btk), len(kept)) == (45, 9)
    assert (source == "geodata:network_additions").sum() == 8
    (join,) = kept[source == "osm-layer:join"].itertuples()
    assert (join.x0, join.y0) == (43.29641, 41.16796)
    assert (join.x1, join.y1) == pytest.approx((43.296411, 41.1679616), abs=1e-7)

    def km(frame: pd.DataFrame) -> float:
        return float(geodesic_lengths_m(frame["x0"], frame["y0"], frame["x1"], frame["y1"]).sum())

    assert km(btk) / 1000 == pytest.approx(85.38, abs=0.01)
    assert km(kept[source == "geodata:network_additions"]) / 1000 == pytest.approx(58.69, abs=0.01)
    # a layer of another status covers nothing
    assert len(drop_covered(btk, layer[layer["status"] == "under_construction"])) == 45


def test_the_schematic_allowance_is_the_measured_offset_of_backbone_chords() -> None:
    """Re-measure ``routing.SCHEMATIC_DEVIATION``: how far backbone rail chords lie off the
    OSM track they simplify, as a share of their length, where the layer covers them."""
    import numpy as np
    from scipy.spatial import cKDTree

    from corridors.routing import SCHEMATIC_DEVIATION

    box = (38.0, 36.0, 52.0, 44.0)
    backbone = scgraph_segments("rail", box)
    track = layer_segments(box)
    lat0, k = 40.0, 111.32

    def xy(x: object, y: object) -> object:
        return np.column_stack([np.asarray(x) * k * np.cos(np.radians(lat0)), np.asarray(y) * k])

    pts = []  # the layer's track, a point every 50 m
    for r in track.itertuples():
        n = max(2, int(np.hypot(r.x1 - r.x0, r.y1 - r.y0) * 111 / 0.05))
        t = np.linspace(0, 1, n)
        pts.append(np.column_stack([r.x0 + (r.x1 - r.x0) * t, r.y0 + (r.y1 - r.y0) * t]))
    allp = np.concatenate(pts)
    tree = cKDTree(xy(allp[:, 0], allp[:, 1]))
    ratios = []
    t = np.linspace(0, 1, 41)
    for r in backbone.itertuples():
        chord = np.hypot((r.x1 - r.x0) * np.cos(np.radians(lat0)), r.y1 - r.y0) * k
        if chord < 3:
            continue
        d, _ = tree.query(xy(r.x0 + (r.x1 - r.x0) * t, r.y0 + (r.y1 - r.y0) * t))
        # both ends on the track and the chord along it: a chord of that stretch of track
        if d[0] < 0.3 and d[-1] < 0.3 and np.median(d) < 3:
            ratios.append(d.max() / chord)
    assert len(ratios) == 244
    assert round(float(np.quantile(ratios, 0.9)), 3) == SCHEMATIC_DEVIATION
    assert round(float(np.median(ratios)), 3) == 0.051
