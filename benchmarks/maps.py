"""Item 5: maps, against folium with plain GeoJSON lines and CDN links."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._harness import Context, Row, Target, fmt_size, log, measure, run_cli
from benchmarks._inputs import clear_leg_memo


def folium_peer(routes: Sequence[Any], out_dir: Path) -> list[Path]:
    """The same map set with folium: plain GeoJSON lines, default tiles, CDN links."""
    import folium

    from corridors.outputs.maps import COMPARISONS

    by_id = {r.id: r for r in routes}
    groups = [(r.id, [r.id]) for r in routes]
    groups += [(name, list(ids)) for name, (_title, ids) in COMPARISONS.items()]
    groups.append(("all", [r.id for r in routes]))
    written = []
    for name, ids in groups:
        rs = [by_id[i] for i in ids if i in by_id]
        if not rs:
            continue
        m = folium.Map(location=[41.0, 50.0], zoom_start=5)
        xs, ys = [], []
        for r in rs:
            coords = r.coords()
            xs += [c[0] for c in coords]
            ys += [c[1] for c in coords]
            feature = {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {"id": r.id, "length_km": round(r.length_km, 1)},
            }
            folium.GeoJson(feature, name=r.name, tooltip=r.name).add_to(m)
        folium.LayerControl().add_to(m)
        m.fit_bounds([[min(ys), min(xs)], [max(ys), max(xs)]])
        path = out_dir / f"{name}.html"
        m.save(str(path))
        written.append(path)
    return written


def bench_maps(ctx: Context) -> None:
    """Item 5: the whole map set and its file sizes, ours vs plain folium."""
    from corridors.outputs.maps import build_map_set
    from corridors.routing import route_corridors

    report = ctx.report
    if ctx.quick:
        report.targets.append(Target("all maps", None, 60.0, "s"))
        report.targets.append(Target("all-corridors map size", None, 5.0, "MB"))
        return
    log("5 maps")
    repeats = 2
    with tempfile.TemporaryDirectory(prefix="corridors-bench-maps-") as tmp:
        ours_dir, peer_dir, cli_dir = Path(tmp, "ours"), Path(tmp, "peer"), Path(tmp, "cli")
        for d in (ours_dir, peer_dir):
            d.mkdir()
        ours, paths = measure(
            lambda: build_map_set(ours_dir, ctx.net), repeats=repeats, setup=clear_leg_memo
        )
        routes, _errors = route_corridors(ctx.corridors, ctx.net)
        peer, peer_paths = measure(lambda: folium_peer(routes, peer_dir), repeats=repeats)
        cli_wall, _ = run_cli(["-q", "maps", "--out-dir", str(cli_dir)])
        sizes = {p.name: p.stat().st_size for p in paths}
        peer_sizes = {p.name: p.stat().st_size for p in peer_paths}
    n_maps = len(sizes)
    report.rows.append(
        Row(
            "5a",
            f"all maps ({n_maps} HTML files incl. index), in process",
            ours.median,
            "folium, GeoJSON lines, CDN links",
            peer.median,
            note="ours includes routing + metrics of every corridor (leg memo cleared); "
            "the peer gets the routes ready-made and draws only the lines",
        )
    )
    report.rows.append(
        Row(
            "5b",
            "all maps, cold CLI `corridors -q maps --out-dir DIR`",
            cli_wall,
            "folium, GeoJSON lines, CDN links",
            peer.median,
            note="1 run",
        )
    )
    report.rows.append(
        Row(
            "5c",
            "size of all.html",
            sizes.get("all.html", math.nan),
            "folium, GeoJSON lines, CDN links",
            peer_sizes.get("all.html"),
            kind="size",
            note="ours is self-contained (Leaflet inlined, Natural Earth basemap, panel, "
            "markers; lines simplified to ~50 m); the peer loads Leaflet and tiles "
            "from CDNs and keeps full geometry",
        )
    )
    report.rows.append(
        Row(
            "5d",
            "size of all map files",
            float(sum(sizes.values())),
            "folium, GeoJSON lines, CDN links",
            float(sum(peer_sizes.values())),
            kind="size",
        )
    )
    report.details.append(
        (
            "Map files: size, ours vs the folium peer",
            ["file", "ours", "peer"],
            [
                [name, fmt_size(size), fmt_size(peer_sizes.get(name))]
                for name, size in sizes.items()
            ],
        )
    )
    report.targets.append(Target("all maps (cold CLI)", cli_wall, 60.0, "s"))
    report.targets.append(
        Target("all-corridors map size", sizes.get("all.html", math.nan) / 1e6, 5.0, "MB")
    )
    report.notes.append(
        f"5: `corridors.outputs.maps.build_map_set(tmpdir, net)` in this process (1 warm-up, "
        f"median of {repeats}; leg memo cleared before each) and the `corridors -q maps` console "
        "script in a fresh process (1 run). Peer: for the same file names, `folium.Map` with "
        "its default OpenStreetMap tiles and CDN scripts, one `folium.GeoJson` LineString per "
        "route (full geometry), a layer control, `Map.save`."
    )
