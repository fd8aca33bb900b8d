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
from typing import Any

from corridors import definitions
from corridors._errors import (
    CacheError,
    CorridorsError,
    DataSourceError,
    DefinitionError,
    InfeasibleRouteError,
)
from corridors._format import render_rows, to_json
from corridors._serialize import corridor_to_dict
from corridors.model import Corridor

__all__ = ["main"]

_LOG = logging.getLogger("corridors")

Handler = Callable[[argparse.Namespace], int]


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


# --- parser --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridors",
        description="Model transit corridors over real OpenStreetMap-derived networks.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
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

    for register in _EXTENSIONS:
        register(sub)
    return parser


#: Functions that add more sub-commands (routing, maps, ...): ``register(subparsers)``.
_EXTENSIONS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING if args.quiet else logging.INFO,
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
