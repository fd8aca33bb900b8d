"""The ``corridors scan`` command: corridors, places and countries named in text files."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from corridors.outputs._format import render_rows, to_json

__all__ = ["register"]

#: Offsets listed per row of the places table before "…".
_MAX_OFFSETS = 6
#: Corridor mentions listed per document in the summary table.
_MAX_CORRIDOR_ROWS = 50


def register(sub: Any) -> None:
    """Add the ``scan`` sub-command to the ``corridors`` parser's sub-parsers."""
    p = sub.add_parser(
        "scan",
        help="find corridors, places and countries in text files",
        description="Report the corridors, gazetteer places, countries and organisations "
        "that plain-text documents name, with character offsets and context; optionally "
        "map them or draft a corridor definition from the places.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="plain-text documents (UTF-8)")
    p.add_argument("--format", choices=("table", "json", "geojson"), default="table")
    p.add_argument(
        "--mentions", action="store_true", help="table: list every mention with its context"
    )
    p.add_argument(
        "--context",
        type=int,
        default=None,
        metavar="N",
        help="characters of context either side of a mention (default 40)",
    )
    p.add_argument("--map", metavar="OUT.html", help="map the places over the corridors named")
    p.add_argument("--online", action="store_true", help="--map: add OpenStreetMap tiles")
    p.add_argument("--draft", metavar="NAME", help="write a draft definition from the places named")
    p.add_argument(
        "--draft-mode",
        choices=("rail", "road", "ferry", "sea"),
        default=None,
        help="--draft: mode of every leg (default rail)",
    )
    p.add_argument(
        "--out", metavar="PATH", help="--draft: output file (default NAME.yaml; '-': stdout)"
    )
    p.add_argument("--force", action="store_true", help="--draft: overwrite an existing file")
    p.set_defaults(handler=_cmd_scan)


def _say(text: str, *, to_stderr: bool) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")


def _check(args: argparse.Namespace) -> None:
    from corridors.text.scan import ScanError

    if not args.draft:
        for flag, value in (("--out", args.out), ("--draft-mode", args.draft_mode)):
            if value:
                raise ScanError(f"{flag} only goes with --draft NAME")
        if args.force:
            raise ScanError("--force only goes with --draft NAME")
    if args.online and not args.map:
        raise ScanError("--online only goes with --map OUT.html")
    if args.mentions and args.format != "table":
        raise ScanError("--mentions only goes with --format table (json lists every mention)")
    if args.context is not None and args.context < 0:
        raise ScanError(f"--context {args.context}: give 0 or more characters")
    from corridors._io import check_output_path

    for out in (args.map, None if args.out == "-" else args.out):
        if out:
            check_output_path(Path(out))  # before any work: a FIFO or device is refused


def _offsets(starts: Sequence[int]) -> str:
    shown = ", ".join(str(s) for s in starts[:_MAX_OFFSETS])
    return shown + (f", … (+{len(starts) - _MAX_OFFSETS})" if len(starts) > _MAX_OFFSETS else "")


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _document_table(document: str, chars: int, mentions: Sequence[Any], *, every: bool) -> str:
    from corridors.text.scan import country_counts, mention_summary

    by_kind = Counter(m.kind for m in mentions)
    parts = [
        f"{n} {kind} mention{'s' if n != 1 else ''}"
        for kind in ("corridor", "place", "country", "organisation")
        if (n := by_kind.get(kind, 0))
    ]
    lines = [f"{Path(document).name}: {chars:,} characters; {', '.join(parts) or 'no mentions'}"]
    if every:
        if mentions:
            rows = [
                {
                    "at": m.start,
                    "kind": m.kind,
                    "id": m.id if m.id is not None else "(no definition)",
                    "phrase": " ".join(m.text.split()),
                    "context": m.context,
                }
                for m in mentions
            ]
            lines += ["", render_rows(rows, "table")]
        return "\n".join(lines)
    corridors = [
        {
            "at": m.start,
            "corridor": m.id if m.id is not None else "(no definition)",
            "phrase": " ".join(m.text.split()),
            "how": m.detail,
            "context": m.context,
        }
        for m in mentions
        if m.kind == "corridor"
    ]
    if corridors:
        lines += ["", render_rows(corridors[:_MAX_CORRIDOR_ROWS], "table")]
        if len(corridors) > _MAX_CORRIDOR_ROWS:
            more = len(corridors) - _MAX_CORRIDOR_ROWS
            lines.append(f"… and {more:,} more corridor mentions (--mentions or --format json)")
    summary = mention_summary(mentions)
    places = [
        {
            "place": r["id"],
            "type": r["detail"],
            "country": r["country"],
            "count": r["count"],
            "lon": f"{r['lon']:.4f}",
            "lat": f"{r['lat']:.4f}",
            "phrases": ", ".join(p for p in r["phrases"] if p != r["id"]),
            "at": _offsets(r["starts"]),
        }
        for r in summary
        if r["kind"] == "place"
    ]
    if places:
        lines += ["", render_rows(places, "table")]
    orgs = {r["id"]: r["count"] for r in summary if r["kind"] == "organisation"}
    lines += ["", f"countries: {_counts(country_counts(mentions))}"]
    lines.append(f"organisations: {_counts(orgs)}")
    return "\n".join(lines)


def _totals(mentions: Sequence[Any], n_docs: int) -> str:
    from corridors.text.scan import country_counts

    corridors = Counter(
        m.id if m.id is not None else " ".join(m.text.split()) + " (no definition)"
        for m in mentions
        if m.kind == "corridor"
    )
    places = Counter(m.id for m in mentions if m.kind == "place")
    return "\n".join(
        [
            f"All {n_docs} documents",
            f"corridors: {_counts(dict(corridors.most_common()))}",
            f"places: {_counts(dict(places.most_common(15)))}"
            + (", …" if len(places) > 15 else ""),
            f"countries: {_counts(country_counts(mentions))}",
        ]
    )


def _json(docs: Sequence[tuple[str, int, Sequence[Any]]]) -> str:
    from corridors.provenance import tool_version
    from corridors.text.scan import country_counts, mention_summary

    out = []
    for document, chars, mentions in docs:
        summary = mention_summary(mentions)
        out.append(
            {
                "document": document,
                "characters": chars,
                "corridors": [r for r in summary if r["kind"] == "corridor"],
                "places": [r for r in summary if r["kind"] == "place"],
                "countries": country_counts(mentions),
                "organisations": {
                    r["id"]: r["count"] for r in summary if r["kind"] == "organisation"
                },
                "mentions": [asdict(m) for m in mentions],
            }
        )
    return to_json({"generator": f"corridors {tool_version()}", "documents": out})


def _cmd_scan(args: argparse.Namespace) -> int:
    from corridors.text import scan

    _check(args)
    draft_to_stdout = bool(args.draft) and args.out == "-"
    texts = [(f, scan.text_from_file(f)) for f in args.files]  # every file read before work
    docs = [
        (f, len(text), scan.scan_text(text, document=f, context_chars=args.context))
        for f, text in texts
    ]
    everything = [m for _, _, ms in docs for m in ms]
    if args.format == "json":
        _say(_json(docs), to_stderr=False)
    elif args.format == "geojson":
        _say(to_json(scan.mentions_to_geojson(everything)), to_stderr=False)
    else:
        blocks = [_document_table(f, n, ms, every=args.mentions) for f, n, ms in docs]
        if len(docs) > 1:
            blocks.append(_totals(everything, len(docs)))
        _say("\n\n".join(blocks), to_stderr=draft_to_stdout)
    quiet_stdout = args.format != "table" or draft_to_stdout
    if args.map:
        m = scan.map_mentions(everything, online=args.online)
        from corridors.outputs.maps import save_map

        path = save_map(m, args.map, online=args.online)
        _say(f"wrote {path}", to_stderr=quiet_stdout)
    if draft_to_stdout:
        _say(
            scan.draft_yaml(everything, args.draft, mode=args.draft_mode or "rail"), to_stderr=False
        )
    elif args.draft:
        path = scan.write_draft(
            everything,
            args.draft,
            mode=args.draft_mode or "rail",
            path=args.out,
            overwrite=args.force,
        )
        _say(
            f"wrote {path} (a draft: edit it, then run 'corridors validate')",
            to_stderr=quiet_stdout,
        )
    return 0
