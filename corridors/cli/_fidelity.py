"""The ``corridors fidelity`` command: modelled lengths against published ones."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from corridors.outputs._format import render_rows, to_json

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``fidelity`` sub-command to the ``corridors`` parser's sub-parsers."""
    p = sub.add_parser(
        "fidelity",
        help="the validation table: modelled lengths against published ones",
        description="Route every official line between stations (geodata/"
        "published_lengths.yaml, or --lines) and every published_length_km of the "
        "definitions, and print modelled against published with the % error, the median "
        "|error| and the worst rows; then how far each corridor's routed rail line runs "
        "from the OSM track where the OSM layer covers it (median and p90, metres).",
    )
    p.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    p.add_argument(
        "--out",
        metavar="FILE.md",
        help="also write the Markdown report (e.g. benchmarks/FIDELITY.md)",
    )
    p.add_argument(
        "--lines", metavar="FILE.yaml", help="published lines to check (default: the shipped ones)"
    )
    p.add_argument(
        "--source",
        default="bundled+osm",
        help="network: bundled+osm (offline default), bundled (the backbone alone), "
        "or a .osm/.osm.pbf/.graphml/.geojson file",
    )
    p.set_defaults(handler=_cmd_fidelity)


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _cmd_fidelity(args: argparse.Namespace) -> int:
    from corridors.analysis.fidelity import (
        fidelity_rows,
        fidelity_summary,
        published_lines_from_file,
    )
    from corridors.analysis.trackoffset import track_offsets
    from corridors.definitions import load_all
    from corridors.network.build import load_network
    from corridors.outputs.fidelity import (
        fidelity_markdown,
        fidelity_table_rows,
        machine_info,
        write_fidelity_report,
    )
    from corridors.routing import route_corridors

    lines = published_lines_from_file(args.lines) if args.lines else None
    net = load_network(args.source, progress=not args.quiet and sys.stderr.isatty())
    rows = fidelity_rows(net, lines=lines)
    summary = fidelity_summary(rows)
    routes, _ = route_corridors(load_all(), net)
    offsets = track_offsets(routes)
    report = (
        fidelity_markdown(rows, machine=machine_info(network_meta=net.meta), offsets=offsets)
        if args.out or args.format == "markdown"
        else ""
    )
    if args.format == "json":
        _out(
            to_json(
                {
                    "summary": summary.as_dict(),
                    "rows": [r.as_dict() for r in rows],
                    "track_offsets": [o.as_dict() for o in offsets],
                }
            )
        )
    elif args.format == "markdown":
        _out(report)
    else:
        _out(render_rows(fidelity_table_rows(rows), args.format))
        if args.format == "table":
            _out(_summary_text(summary))
            every = offsets[-1] if offsets else None
            if every is not None and every.covered_km > 0:
                _out(
                    f"routed rail within the OSM layer's cover: {every.covered_km:,.1f} of "
                    f"{every.rail_km:,.1f} km, median {every.median_m:.1f} m and p90 "
                    f"{every.p90_m:.1f} m from the OSM track"
                )
    if args.out:
        path = write_fidelity_report(args.out, report)
        if args.format in ("json", "csv"):  # keep stdout parseable
            sys.stderr.write(f"wrote {path}\n")
        else:
            _out(f"wrote {path}")
    return 0


def _summary_text(summary: Any) -> str:
    worst = "; ".join(
        f"{w.id} {w.error_pct:+.1f} %" for w in summary.worst if w.error_pct is not None
    )
    return (
        f"\n{summary.n_rows} published lengths ({summary.n_routed} routed) in "
        f"{len(summary.countries)} countries: median |error| "
        f"{summary.median_abs_error_pct:.1f} %, p90 {summary.p90_abs_error_pct:.1f} %, "
        f"{summary.within_5_pct} within ±5 %\nworst: {worst}"
    )
