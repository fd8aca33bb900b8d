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
from typing import Any, NoReturn

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


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, with a suggestion where one fits."""

    def error(self, message: str) -> NoReturn:
        import re

        from corridors._errors import suggest

        hint = ""
        bad = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if bad:
            import difflib

            choices = [c.strip().strip("'") for c in bad.group(2).split(",")]
            close = difflib.get_close_matches(bad.group(1), choices, n=1, cutoff=0.5)
            hint = suggest(bad.group(1), choices) or (
                f"; did you mean {close[0]!r}?" if close else ""
            )
        sys.stderr.write(f"corridors: {self.prog.removeprefix('corridors ')}: {message}{hint}\n")
        sys.exit(2)


#: Years ``--as-of`` accepts.
YEARS = (1900, 2200)


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year, e.g. 2030") from None
    if not YEARS[0] <= year <= YEARS[1]:
        msg = f"{year} is not a year between {YEARS[0]} and {YEARS[1]}, e.g. 2030"
        raise argparse.ArgumentTypeError(msg)
    return year


def _avoid_codes(text: str | None) -> tuple[str, ...]:
    """ISO3 codes from ``--avoid``; a country name or a lower-case code gets a suggestion."""
    import pycountry

    from corridors.geo.geodata import iso3_problem

    out = []
    for item in (c.strip() for c in (text or "").split(",")):
        if not item:
            continue
        if not iso3_problem(item.upper()):
            out.append(item.upper())
            continue
        hit: Any = None
        try:
            hit = pycountry.countries.lookup(item)
        except LookupError:
            import difflib

            names = {c.name.casefold(): c for c in pycountry.countries}
            close = difflib.get_close_matches(item.casefold(), list(names), n=1, cutoff=0.75)
            hit = names[close[0]] if close else None
        hint = f"; did you mean {hit.alpha_3} ({hit.name})?" if hit is not None else ""
        raise UsageError(f"--avoid {item!r}: not an ISO 3166-1 alpha-3 code such as ARM{hint}")
    return tuple(out)


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(f"corridors: {text}\n")


def _is_path(arg: str) -> bool:
    if arg.endswith((".yaml", ".yml")):
        return True
    try:
        return Path(arg).is_file()
    except (OSError, ValueError):  # a name too long for the file system is no file
        return False


def _corridor(arg: str) -> Corridor:
    """A shipped corridor by id, or a user's definition file by path (validated)."""
    if _is_path(arg):
        return definitions.corridor_from_file(arg)
    return definitions.load(arg)


def _check_outputs(*paths: str | Path | None) -> None:
    """Refuse a device, FIFO, socket, link or folder as an output file before any work."""
    from corridors._io import check_output_path

    for p in paths:
        if p is not None:
            check_output_path(Path(p))


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
    c = _corridor(args.id)
    if args.sources:
        _out(render_rows(_sources_rows(c), args.format))
    elif args.format == "json":
        _out(to_json(corridor_to_dict(c)))
    else:
        _out(_show_table(c))
    return 0


def _cmd_places(args: argparse.Namespace) -> int:
    from corridors.routing import known_places

    rows = [
        {
            "name": wp.name,
            "country": wp.country,
            "lon": f"{wp.lon:.4f}",
            "lat": f"{wp.lat:.4f}",
            "also": ", ".join(names),
        }
        for wp, names in known_places()
        if not args.country or wp.country == args.country.upper()
    ]
    _out(render_rows(rows, args.format))
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


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal (never when stderr is piped or with ``-q``)."""
    return not args.quiet and sys.stderr.isatty()


def _network(args: argparse.Namespace, corridors: Sequence[Corridor] = ()) -> Any:
    from corridors import settings
    from corridors.network.build import load_network

    saved = settings.overpass_url
    if getattr(args, "overpass_url", None):
        settings.overpass_url = args.overpass_url
    try:
        return load_network(
            args.source,
            corridors=list(corridors) or None,
            refresh=getattr(args, "refresh", False),
            progress=_progress(args),
        )
    finally:
        settings.overpass_url = saved


def _cmd_network(args: argparse.Namespace) -> int:
    from corridors.network.build import clear_cache
    from corridors.network.core import network_info

    if args.action == "clear":
        n = clear_cache()
        _out(f"removed {n} cached file{'s' if n != 1 else ''}")
        return 0
    corridors = [_corridor(i) for i in args.ids] if args.ids else []
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

    avoid = _avoid_codes(args.avoid)
    return RoutingOptions(
        avoid=avoid,
        avoid_mode=args.avoid_mode or "hard",
        open_links=tuple(args.open or ()),
        close_links=tuple(args.close or ()),
        as_of=args.as_of,
    )


def _route_table(m: dict[str, Any]) -> str:
    n = m["border_crossings_count"]
    time = "no travel time (a reference line)" if m["time_h"] is None else f"time {m['time_h']} h"
    lines = [
        f"{m['name']}: {m['length_km']:,.1f} km, {n} border crossing{'' if n == 1 else 's'}, "
        f"{m['missing_km']:,.1f} km missing, {time}",
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
        corridor = _corridor(args.id)
        net = _network(args, [corridor])
        r = route_corridor(corridor, net, options=opts)
    else:
        if not (args.origin and args.destination):
            raise UsageError("give a corridor ID, or both --from and --to")
        net = _network(args)
        if args.mode == "any":
            from corridors.analysis.metrics import fastest_route

            r = fastest_route(args.origin, args.destination, net, options=opts)
        else:
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
        items = [_corridor(i) for i in args.ids]
    else:
        raise UsageError("give corridor ids or --all")
    notes: list[str] = []
    if args.origin or args.destination:
        if not (args.origin and args.destination):
            raise UsageError("give both --from and --to, or neither")
        from corridors.routing import corridor_between

        cut: list[Corridor] = []
        errors_cut: dict[str, str] = {}
        for c in items:
            try:
                piece, said = corridor_between(c, args.origin, args.destination)
            except InfeasibleRouteError as exc:
                errors_cut[c.id] = str(exc)
                continue
            cut.append(piece)
            notes.extend(said)
        items = cut
    else:
        errors_cut = {}
    net = _network(args, items)
    routes, errors = route_corridors(items, net, options=_options(args))
    errors = {**errors_cut, **errors}
    rows = compare_rows([route_metrics(r) for r in routes], errors=errors)
    if args.format == "json":
        _out(to_json(rows))
        return 0
    from corridors.analysis.metrics import compare_row

    table = [compare_row(m) for m in rows if "error" not in m]
    if args.format == "table":
        for t in table:
            t.pop("name")
    _out(render_rows(table, args.format))
    for note in notes:
        sys.stderr.write(f"corridors: note: {note}\n")
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
    _check_outputs(args.out, Path(args.out).with_suffix(".png") if args.png else None)
    items = (
        list(definitions.load_all(variants=True)) if args.all else [_corridor(i) for i in args.ids]
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
    from corridors._errors import OutputPathError
    from corridors.outputs.maps import build_map_set

    out_dir = Path(args.out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        msg = f"--out-dir {out_dir} is not a folder; give a folder or a new path"
        raise OutputPathError(msg)
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
    _check_outputs(args.map, args.chart)
    if args.name:
        # the flags are merged over the scenario file, never ignored
        scenario = sc.scenario_with(
            sc.load_scenario(args.name),
            open_links=list(args.open or ()),
            close_links=list(args.close or ()),
            avoid=list(_avoid_codes(args.avoid)),
            avoid_mode=args.avoid_mode,
            as_of=args.as_of,
            corridors=list(args.corridor) if args.corridor else None,
            time_overrides=dict(_parse_set(v) for v in args.set) if args.set else None,
            routes=[_parse_route(v) for v in args.route or ()],
        )
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
            raw["avoid"] = list(_avoid_codes(args.avoid))
        raw["avoid_mode"] = args.avoid_mode or "hard"
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
    parser = _Parser(
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
    p.add_argument("id", help="corridor id (see 'corridors list') or definition .yaml file")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--sources", action="store_true", help="list the sources behind it")
    p.set_defaults(handler=_cmd_show)

    p = sub.add_parser("places", help="list the place names --from/--to accept")
    p.add_argument("--country", metavar="ISO3", help="only places in this country")
    p.add_argument("--format", choices=("table", "json", "csv", "markdown"), default="table")
    p.set_defaults(handler=_cmd_places)

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
        default="bundled+osm",
        help="bundled+osm (offline default: the embedded backbone with the regional OSM rail "
        "layer), bundled (the schematic backbone alone), overpass (online), "
        "or a .osm/.osm.pbf/.graphml/.geojson file",
    )
    p.add_argument(
        "--overpass-url",
        metavar="URL",
        help="--source overpass: the Overpass API endpoint (default: $CORRIDORS_OVERPASS_URL, "
        "else https://overpass-api.de/api)",
    )


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--avoid", help="countries to avoid, ISO3, comma-separated (e.g. ARM,IRN)")
    p.add_argument(
        "--avoid-mode",
        choices=("hard", "soft"),
        default=None,
        help="hard (default): never enter; soft: allowed at a cost",
    )
    p.add_argument("--open", action="append", metavar="LINK", help="treat a named link as built")
    p.add_argument("--close", action="append", metavar="LINK", help="treat a named link as cut")
    p.add_argument(
        "--as-of", type=_year, metavar="YEAR", help="links expected by YEAR count as built"
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
    p.add_argument("id", nargs="?", help="corridor id or definition .yaml file")
    p.add_argument("--from", dest="origin", metavar="PLACE", help="place name or lon,lat")
    p.add_argument("--to", dest="destination", metavar="PLACE", help="place name or lon,lat")
    p.add_argument("--mode", choices=("rail", "road", "sea", "ferry", "any"), default="rail")
    p.add_argument("--format", choices=("table", "json", "geojson"), default="table")
    _add_source(p)
    _add_options(p)
    p.set_defaults(handler=_cmd_route)

    p = sub.add_parser("map", help="draw corridors on one HTML map")
    p.add_argument("ids", nargs="*", help="corridor ids or definition .yaml files")
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
    p.add_argument(
        "--corridor", action="append", metavar="ID|FILE", help="corridor (id or .yaml) to compare"
    )
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
    p.add_argument("ids", nargs="*", help="corridor ids or definition .yaml files")
    p.add_argument(
        "--from",
        dest="origin",
        metavar="PLACE",
        help="compare each corridor's own path from PLACE (with --to)",
    )
    p.add_argument("--to", dest="destination", metavar="PLACE", help="... to PLACE")
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


def _register_fidelity(sub: Any) -> None:
    from corridors.cli._fidelity import register

    register(sub)


_EXTENSIONS.append(_register_fidelity)


# --- report -----------------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from corridors.analysis import scenarios as sc
    from corridors.analysis.metrics import compare_rows, route_metrics
    from corridors.outputs.brief import brief_html, write_brief
    from corridors.routing import route_corridors

    suffix = Path(args.out).suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise UsageError(f"--out {args.out}: a brief is .html or .pdf, not {suffix or 'bare'!r}")
    items = [definitions.load(i) for i in args.ids]
    net = _network(args, items)
    routes, errors = route_corridors(items, net, options=_options(args))
    for cid, err in errors.items():
        sys.stderr.write(f"corridors: {cid}: {err}\n")
    if not routes:
        raise UsageError("none of the corridors could be routed")
    mets = [route_metrics(r) for r in routes]
    result = None
    if args.scenario:
        scenario = replace(sc.load_scenario(args.scenario), corridors=tuple(args.ids))
        result = sc.run_scenario(scenario, net)
    page = brief_html(
        routes, mets, rows=compare_rows(mets, errors=errors), title=args.title, scenario=result
    )
    _out(f"wrote {write_brief(page, args.out)}")
    return 0


def _register_report(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="write a one-file brief (HTML or PDF) comparing corridors",
        description="A self-contained brief: the table of `compare`, a static map, the "
        "time–distance chart, per-leg tables, missing links, caveats and sources. The type "
        "follows --out: .html, or .pdf (printed by headless Chromium).",
    )
    p.add_argument("ids", nargs="+", help="corridor ids")
    p.add_argument("--scenario", metavar="NAME", help="add a scenario run over these corridors")
    p.add_argument("--out", required=True, metavar="brief.html|brief.pdf", help="output file")
    p.add_argument("--title", help="heading (default: the corridor names)")
    _add_source(p)
    _add_options(p)
    p.set_defaults(handler=_cmd_report)


_EXTENSIONS.append(_register_report)


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
