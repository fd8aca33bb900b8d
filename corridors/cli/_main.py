"""The ``corridors`` command line.

Every error the package raises on purpose becomes one line on stderr and exit status 2
(invalid input) or 1 (a failing data source or cache); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corridors import definitions
from corridors._errors import (
    CacheError,
    CorridorsError,
    DataSourceError,
    DefinitionError,
    InfeasibleRouteError,
)
from corridors.definitions._serialize import corridor_to_dict
from corridors.model import Corridor
from corridors.outputs._format import render_rows, to_json

__all__ = ["main"]

_LOG = logging.getLogger("corridors")

Handler = Callable[[argparse.Namespace], int]


class UsageError(CorridorsError, ValueError):
    """Arguments that do not go together."""


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(f"corridors: {text}\n")


# --- list / show / validate --------------------------------------------------------------


def _cmd_list(args: argparse.Namespace) -> int:
    rows = []
    for c in definitions.load_all(variants=True):
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "kind": c.kind if not c.parent else f"variant of {c.parent}",
                "modes": ",".join(m.value for m in c.modes),
                "waypoints": len(c.waypoints),
                "legs": len(c.legs),
                "avoids": ",".join(c.avoided_countries),
            }
        )
    _out(render_rows(rows, args.format))
    return 0


def _show_table(c: Corridor) -> str:
    lines = [f"{c.name} ({c.id})"]
    if c.aliases:
        lines.append("Also: " + "; ".join(c.aliases))
    lines.append("")
    lines.extend(textwrap.wrap(c.summary, width=88))
    if c.avoids:
        lines.append("")
        lines.extend(f"Avoids {a.country}: {a.reason}" for a in c.avoids)
    lines.append("")
    wp_rows = [
        {
            "#": i,
            "waypoint": w.name,
            "country": w.country,
            "role": w.role.value,
            "lon": f"{w.lon:.4f}",
            "lat": f"{w.lat:.4f}",
        }
        for i, w in enumerate(c.waypoints)
    ]
    lines.append(render_rows(wp_rows, "table"))
    lines.append("")
    leg_rows = [
        {
            "leg": leg.name,
            "mode": leg.mode.value,
            "status": leg.status.value,
            "link": leg.link or "",
            "expected": leg.expected_year or "",
            "published_km": leg.published_length.value_km if leg.published_length else None,
        }
        for leg in c.legs
    ]
    lines.append(render_rows(leg_rows, "table"))
    if c.variants:
        lines.append("")
        lines.append("Variants: " + ", ".join(v.id for v in c.variants))
    lines.append(f"\nDefinition digest: {c.digest[:16]}")
    return "\n".join(lines)


def _sources_rows(c: Corridor) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "title": s.title,
            "publisher": s.publisher,
            "date": s.date,
            "document": s.document or "",
            "url": s.url or "",
        }
        for s in c.sources
    ]


def _cmd_show(args: argparse.Namespace) -> int:
    c = definitions.load(args.id)
    if args.sources:
        _out(render_rows(_sources_rows(c), args.format))
    elif args.format == "json":
        _out(to_json(corridor_to_dict(c)))
    else:
        _out(_show_table(c))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        found = definitions.validate_files(args.paths or None)
    except DefinitionError as exc:
        for problem in exc.problems:
            sys.stderr.write(problem + "\n")
        n = len(exc.problems)
        _err(f"{n} problem{'s' if n != 1 else ''} found")
        return 2
    total = sum(1 + len(c.variants) for c in found)
    _out(f"ok: {len(found)} file{'s' if len(found) != 1 else ''}, {total} corridors valid")
    return 0


# --- network ------------------------------------------------------------------------------


def _network(args: argparse.Namespace, corridors: Sequence[Corridor] = ()) -> Any:
    from corridors.network.build import load_network

    return load_network(
        args.source,
        corridors=list(corridors) or None,
        refresh=getattr(args, "refresh", False),
        progress=not args.quiet and sys.stderr.isatty(),
    )


def _cmd_network(args: argparse.Namespace) -> int:
    from corridors.network.build import clear_cache
    from corridors.network.core import network_info

    if args.action == "clear":
        n = clear_cache()
        _out(f"removed {n} cached file{'s' if n != 1 else ''}")
        return 0
    corridors = [definitions.load(i) for i in args.ids] if args.ids else []
    if args.source == "overpass" and not corridors:
        corridors = list(definitions.load_all())
    net = _network(args, corridors)
    info = network_info(net)
    if args.format == "json":
        _out(to_json(info))
        return 0
    lines = [
        f"source: {net.meta.get('source')}  bbox: {info['bbox']}",
        f"nodes: {info['nodes']:,}  edges: {info['edges']:,}",
        "",
        render_rows(info["km_by_mode_status"], "table"),
        "",
        "components by mode: "
        + ", ".join(f"{k} {v}" for k, v in info["components_by_mode"].items()),
        f"bridged: {info['bridged_edges']} edges, {info['bridged_km']} km",
    ]
    repair = info["repair"]
    if repair:
        lines.append(
            f"repair: merged {repair['merged_nodes']} nodes within "
            f"{repair['merge_tolerance_m']:g} m; components before "
            f"{repair['components_before']} after {repair['components_after']}"
        )
    for name, src in (info.get("sources") or {}).items():
        lines.append(
            f"data: {name}: {src.get('name')} ({src.get('attribution')}, {src.get('licence')})"
        )
    _out("\n".join(lines))
    return 0


# --- route / compare -----------------------------------------------------------------------


def _options(args: argparse.Namespace) -> Any:
    from corridors.routing import RoutingOptions

    avoid = tuple(c.strip().upper() for c in (args.avoid or "").split(",") if c.strip())
    return RoutingOptions(
        avoid=avoid,
        avoid_mode=args.avoid_mode,
        open_links=tuple(args.open or ()),
        close_links=tuple(args.close or ()),
        as_of=args.as_of,
    )


def _route_table(m: dict[str, Any]) -> str:
    lines = [
        f"{m['name']}: {m['length_km']:,.1f} km, {m['border_crossings_count']} border "
        f"crossings, {m['missing_km']:,.1f} km missing, time {m['time_h']} h",
        "countries: " + " → ".join(m["countries"]),
    ]
    if m["avoids"]:
        lines.append(
            "avoids: "
            + ", ".join(
                f"{a['country']} ({'ok' if a['verified'] else 'VIOLATED'})" for a in m["avoids"]
            )
        )
    lines.append("")
    legs = [
        {
            "from": leg["from"],
            "to": leg["to"],
            "mode": leg["mode"],
            "status": leg["status"],
            "length_km": leg["length_km"],
            "missing": "yes" if leg["missing"] else "",
            "published_km": leg.get("published_km"),
        }
        for leg in m["legs"]
    ]
    lines.append(render_rows(legs, "table"))
    if m["border_crossings"]:
        lines.append("")
        lines.append(
            render_rows(
                [
                    {
                        "crossing": f"{c['from']} → {c['to']}",
                        "name": c["name"] or "",
                        "mode": c["mode"],
                        "lon": c["lon"],
                        "lat": c["lat"],
                    }
                    for c in m["border_crossings"]
                ],
                "table",
            )
        )
    if m["gauge_breaks"]:
        lines.append("")
        lines.append(
            "gauge breaks: "
            + "; ".join(
                f"{g['from_mm']}→{g['to_mm']} mm at {g['name'] or (g['lon'], g['lat'])}"
                for g in m["gauge_breaks"]
            )
        )
    for w in m["warnings"]:
        lines.append(f"WARNING: {w}")
    return "\n".join(lines)


def _cmd_route(args: argparse.Namespace) -> int:
    from corridors.analysis.metrics import route_metrics
    from corridors.outputs.export import route_to_geojson
    from corridors.routing import route, route_corridor

    opts = _options(args)
    if args.id:
        if args.origin or args.destination:
            raise UsageError("give a corridor ID or --from/--to, not both")
        corridor = definitions.load(args.id)
        net = _network(args, [corridor])
        r = route_corridor(corridor, net, options=opts)
    else:
        if not (args.origin and args.destination):
            raise UsageError("give a corridor ID, or both --from and --to")
        net = _network(args)
        r = route(args.origin, args.destination, net, modes=args.mode, options=opts)
    m = route_metrics(r)
    if args.format == "json":
        _out(to_json(m))
    elif args.format == "geojson":
        _out(to_json(route_to_geojson(r, metrics=m)))
    else:
        _out(_route_table(m))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from corridors.analysis.metrics import compare_rows, route_metrics
    from corridors.routing import route_corridors

    if args.all and args.ids:
        raise UsageError("give corridor ids or --all, not both")
    if args.all:
        items = list(definitions.load_all(variants=True))
    elif args.ids:
        items = [definitions.load(i) for i in args.ids]
    else:
        raise UsageError("give corridor ids or --all")
    net = _network(args, items)
    routes, errors = route_corridors(items, net, options=_options(args))
    rows = compare_rows([route_metrics(r) for r in routes], errors=errors)
    if args.format == "json":
        _out(to_json(rows))
        return 0
    from corridors.analysis.metrics import _row

    table = [_row(m) for m in rows if "error" not in m]
    if args.format == "table":
        for t in table:
            t.pop("name")
    _out(render_rows(table, args.format))
    for cid, err in errors.items():
        sys.stderr.write(f"corridors: {cid}: {err}\n")
    return 0


# --- maps -----------------------------------------------------------------------------------


def _cmd_map(args: argparse.Namespace) -> int:
    from corridors.analysis.metrics import route_metrics
    from corridors.outputs.maps import map_routes, save_map, save_png
    from corridors.routing import route_corridors

    if args.all and args.ids:
        raise UsageError("give corridor ids or --all, not both")
    items = (
        list(definitions.load_all(variants=True))
        if args.all
        else [definitions.load(i) for i in args.ids]
    )
    if not items:
        raise UsageError("give corridor ids or --all")
    net = _network(args, items)
    routes, errors = route_corridors(items, net, options=_options(args))
    for cid, err in errors.items():
        sys.stderr.write(f"corridors: {cid}: {err}\n")
    if not routes:
        raise UsageError("none of the corridors could be routed")
    title = args.title or ", ".join(r.name for r in routes)
    m = map_routes(
        routes, metrics=[route_metrics(r) for r in routes], online=args.online, title=title
    )
    path = save_map(m, args.out, online=args.online)
    _out(f"wrote {path}")
    if args.png:
        png = save_png(routes, Path(args.out).with_suffix(".png"), title=title)
        _out(f"wrote {png}")
    return 0


def _cmd_maps(args: argparse.Namespace) -> int:
    from corridors.outputs.maps import build_map_set

    net = _network(args)
    paths = build_map_set(args.out_dir, net, online=args.online, png=args.png)
    for p in paths:
        _out(f"wrote {p}")
    return 0


# --- scenarios ------------------------------------------------------------------------------


def _cmd_scenario(args: argparse.Namespace) -> int:
    from corridors.analysis import scenarios as sc

    if args.action == "list":
        rows = []
        for sid in sc.scenario_ids():
            s = sc.load_scenario(sid)
            rows.append(
                {
                    "id": s.id,
                    "name": s.name,
                    "open": ",".join(s.options.open_links),
                    "close": ",".join(s.options.close_links),
                    "avoid": ",".join(s.options.avoid),
                    "as_of": s.options.as_of or "",
                }
            )
        _out(render_rows(rows, args.format if args.format != "markdown" else "markdown"))
        return 0
    if args.name:
        scenario = sc.load_scenario(args.name)
    else:
        raw: dict[str, Any] = {
            "id": "command-line",
            "name": "Command-line scenario",
            "summary": "Options given on the command line.",
        }
        if args.open:
            raw["open"] = list(args.open)
        if args.close:
            raw["close"] = list(args.close)
        if args.avoid:
            raw["avoid"] = [c.strip() for c in args.avoid.split(",") if c.strip()]
        raw["avoid_mode"] = args.avoid_mode
        if args.as_of is not None:
            raw["as_of"] = args.as_of
        if args.corridor:
            raw["corridors"] = list(args.corridor)
        if args.set:
            raw["time_model"] = dict(_parse_set(v) for v in args.set)
        if args.route:
            raw["routes"] = [_parse_route(v) for v in args.route]
        scenario = sc.scenario_from_mapping(raw)
    net = _network(args)
    result = sc.run_scenario(scenario, net)
    if args.format == "json":
        _out(to_json({"scenario": scenario.id, "name": scenario.name, "rows": list(result.rows)}))
    else:
        rows = sc.rows_for_table(result.rows)
        if args.format == "table":
            _out(f"{scenario.name}: {scenario.summary}\n")
        _out(render_rows(rows, args.format))
    if args.map:
        from corridors.outputs.maps import save_map
        from corridors.outputs.scenario_map import scenario_map

        m = scenario_map(result, online=args.online)
        _out(f"wrote {save_map(m, args.map, online=args.online)}")
    if args.chart:
        from corridors.analysis.timemodel import time_distance
        from corridors.outputs.charts import time_distance_chart

        series = {}
        for rid in result.changed() or [r["id"] for r in result.rows]:
            base, scen = result.metrics[rid]
            if base is not None and rid in result.baseline:
                series[f"{rid} baseline"] = time_distance(result.baseline[rid].pieces, base)
            if scen is not None and rid in result.routes:
                series[f"{rid} scenario"] = time_distance(
                    result.routes[rid].pieces, scen, scenario.time_model
                )
        _out(f"wrote {time_distance_chart(series, args.chart, title=scenario.name)}")
    return 0


def _parse_set(text: str) -> tuple[str, float]:
    key, _, value = text.partition("=")
    try:
        return key.strip(), float(value)
    except ValueError:
        raise UsageError(
            f"--set {text!r}: expected NAME=NUMBER, e.g. border_dwell_h.rail=20"
        ) from None


def _parse_route(text: str) -> dict[str, str]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise UsageError(f"--route {text!r}: expected FROM:TO or FROM:TO:MODE")
    return {"from": parts[0], "to": parts[1], "mode": parts[2] if len(parts) == 3 else "rail"}


# --- parser --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridors",
        description="Model transit corridors over real OpenStreetMap-derived networks.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each build step")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("list", help="list the shipped corridors")
    p.add_argument("--format", choices=("table", "json", "csv", "markdown"), default="table")
    p.set_defaults(handler=_cmd_list)

    p = sub.add_parser("show", help="show one corridor definition")
    p.add_argument("id", help="corridor id (see 'corridors list')")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--sources", action="store_true", help="list the sources behind it")
    p.set_defaults(handler=_cmd_show)

    p = sub.add_parser("validate", help="validate definition files (default: the shipped ones)")
    p.add_argument("paths", nargs="*", help="YAML files or folders")
    p.set_defaults(handler=_cmd_validate)

    _add_routing_commands(sub)
    for register in _EXTENSIONS:
        register(sub)
    return parser


def _add_source(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--source",
        default="bundled",
        help="bundled (offline default), overpass (online), or a .osm/.osm.pbf/.graphml/"
        ".geojson file",
    )


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--avoid", help="countries to avoid, ISO3, comma-separated (e.g. ARM,IRN)")
    p.add_argument(
        "--avoid-mode",
        choices=("hard", "soft"),
        default="hard",
        help="hard: never enter; soft: allowed at a cost",
    )
    p.add_argument("--open", action="append", metavar="LINK", help="treat a named link as built")
    p.add_argument("--close", action="append", metavar="LINK", help="treat a named link as cut")
    p.add_argument(
        "--as-of", type=int, metavar="YEAR", help="links expected by YEAR count as built"
    )


def _add_routing_commands(sub: Any) -> None:
    p = sub.add_parser("network", help="build, describe or clear the cached network")
    p.add_argument("action", choices=("build", "info", "clear"))
    p.add_argument("ids", nargs="*", help="corridors to download around (--source overpass)")
    _add_source(p)
    p.add_argument("--refresh", action="store_true", help="rebuild even if cached")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_cmd_network)

    p = sub.add_parser("route", help="route a corridor, or between two places")
    p.add_argument("id", nargs="?", help="corridor id")
    p.add_argument("--from", dest="origin", metavar="PLACE", help="place name or lon,lat")
    p.add_argument("--to", dest="destination", metavar="PLACE", help="place name or lon,lat")
    p.add_argument("--mode", choices=("rail", "road", "sea", "ferry", "any"), default="rail")
    p.add_argument("--format", choices=("table", "json", "geojson"), default="table")
    _add_source(p)
    _add_options(p)
    p.set_defaults(handler=_cmd_route)

    p = sub.add_parser("map", help="draw corridors on one HTML map")
    p.add_argument("ids", nargs="*", help="corridor ids")
    p.add_argument("--all", action="store_true", help="every shipped corridor and variant")
    p.add_argument("--out", required=True, help="output .html file")
    p.add_argument("--title", help="page title")
    p.add_argument("--online", action="store_true", help="add OpenStreetMap tiles (online)")
    p.add_argument("--png", action="store_true", help="also write a static PNG next to it")
    _add_source(p)
    _add_options(p)
    p.set_defaults(handler=_cmd_map)

    p = sub.add_parser("maps", help="build the standard map set: index, per corridor, comparisons")
    p.add_argument("--out-dir", default="maps", help="output folder (default: maps)")
    p.add_argument("--online", action="store_true", help="add OpenStreetMap tiles (online)")
    p.add_argument("--png", action="store_true", help="also write PNGs")
    _add_source(p)
    p.set_defaults(handler=_cmd_maps)

    p = sub.add_parser("scenario", help="run a what-if scenario against the baseline")
    p.add_argument("action", choices=("run", "list"))
    p.add_argument("name", nargs="?", help="a shipped scenario id or a scenario .yaml file")
    p.add_argument("--corridor", action="append", metavar="ID", help="corridor to compare")
    p.add_argument(
        "--route", action="append", metavar="FROM:TO[:MODE]", help="an ad-hoc route to compare"
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="time-model override, e.g. border_dwell_h.rail=20",
    )
    p.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    p.add_argument("--map", metavar="OUT.html", help="map of baseline and scenario routes")
    p.add_argument("--chart", metavar="OUT.png", help="time–distance chart")
    p.add_argument("--online", action="store_true", help="map with OpenStreetMap tiles")
    _add_source(p)
    _add_options(p)
    p.set_defaults(handler=_cmd_scenario)

    p = sub.add_parser("compare", help="compare corridors in one table")
    p.add_argument("ids", nargs="*", help="corridor ids")
    p.add_argument("--all", action="store_true", help="every shipped corridor and variant")
    p.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    _add_source(p)
    _add_options(p)
    p.set_defaults(handler=_cmd_compare)


#: Functions that add more sub-commands (routing, maps, ...): ``register(subparsers)``.
_EXTENSIONS: list[Callable[[Any], None]] = []


def _register_scan(sub: Any) -> None:
    from corridors.cli._scan import register

    register(sub)


_EXTENSIONS.append(_register_scan)


def _register_sweep(sub: Any) -> None:
    from corridors.cli._sweep import register

    register(sub)


_EXTENSIONS.append(_register_sweep)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG
        if args.debug
        else logging.INFO
        if args.verbose
        else logging.ERROR
        if args.quiet
        else logging.WARNING,
        format="%(message)s",
    )
    handler: Handler = args.handler
    try:
        return handler(args)
    except (DataSourceError, CacheError) as exc:
        if args.debug:
            raise
        _err(str(exc))
        return 1
    except (DefinitionError, InfeasibleRouteError, CorridorsError) as exc:
        if args.debug:
            raise
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if args.debug:
            raise
        _err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
