"""A one-file brief of a comparison, as HTML or PDF, for policy writers to hand round.

The brief holds the comparison table (the rows of ``corridors compare``, every column they
have), a static map, the time–distance chart, one table of legs per corridor, notes on the
missing links and the model's caveats, and the sources and provenance. Images are embedded
as ``data:`` URIs, so the HTML file stands alone; the PDF is Chromium's print of that page
(headless, through Playwright).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from corridors._errors import CorridorsError
from corridors._io import atomic_write, atomic_write_text
from corridors.analysis.scenarios import ScenarioResult
from corridors.analysis.timemodel import time_distance
from corridors.outputs.charts import png_data_uri, time_distance_png
from corridors.outputs.maps import _esc, colours_for, png_bytes, source_link
from corridors.provenance import DATA_SOURCES, tool_version
from corridors.routing import Route

__all__ = ["brief_html", "write_brief"]

#: What every reader of a brief should know about the figures (written for this tool).
CAVEATS = (
    "Lengths are geodesic, measured along the modelled network (OpenStreetMap rail and "
    "roads as packaged in scgraph-data, sea lanes from searoute); they are not surveyed "
    "track or road lengths and can differ from published figures, shown where known.",
    "A missing link is a leg the network cannot route today (a line not built, a border "
    "closed, a gap in the data); it is drawn and counted as a straight line, so its "
    "kilometres are a lower bound.",
    "Hours come from the default time model (speeds per mode, dwell at borders, ports and "
    "gauge breaks); they show relative differences, not timetables.",
    "Country borders are Natural Earth 1:10m; a crossing is where a route leaves one "
    "country polygon for another.",
)

_SKIP = {"legs", "border_crossings", "missing_links", "avoids", "gauge_breaks", "transshipments"}


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every column of the rows that has one value per corridor (scalars, lists of them).

    Read from the rows, so columns added to ``compare`` appear without a change here.
    """

    def flat(v: Any) -> bool:
        if isinstance(v, list):
            return all(_scalar(x) for x in v)
        if isinstance(v, Mapping):
            return all(_scalar(x) for x in v.values())
        return _scalar(v)

    keys = list(dict.fromkeys(k for r in rows for k in r))
    return [
        k
        for k in keys
        if k not in _SKIP and k not in ("id", "name", "error") and all(flat(r.get(k)) for r in rows)
    ]


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, list):
        return (" → " if key == "countries" else ", ").join(str(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_shown(k, v)}" for k, v in value.items())
    return str(value)


def _table(rows: Sequence[Mapping[str, Any]], css: str = "compare") -> str:
    """One row per column of ``rows``, one column per corridor (reads well on paper)."""
    ok = [r for r in rows if "error" not in r]
    head = "".join(
        f'<th data-id="{_esc(r["id"])}">{_esc(r.get("name") or r["id"])}</th>' for r in ok
    )
    body = []
    for col in _columns(ok):
        cells = "".join(
            f'<td data-id="{_esc(r["id"])}" data-col="{_esc(col)}" '
            f'data-value="{_esc(json.dumps(r.get(col), ensure_ascii=False))}">'
            f"{_esc(_shown(col, r.get(col)))}</td>"
            for r in ok
        )
        body.append(f"<tr><th>{_esc(col)}</th>{cells}</tr>")
    failed = "".join(
        f"<li><b>{_esc(r['id'])}</b>: {_esc(r['error'])}</li>" for r in rows if "error" in r
    )
    return (
        f'<table class="{css}"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        + (f"<p>Not routed:</p><ul>{failed}</ul>" if failed else "")
    )


def _legs(met: Mapping[str, Any]) -> str:
    legs = list(met["legs"])
    cols = [k for k in (legs[0] if legs else {}) if all(_scalar(leg.get(k)) for leg in legs)]
    head = "".join(f"<th>{_esc(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(_shown(c, leg.get(c)))}</td>" for c in cols) + "</tr>"
        for leg in legs
    )
    return f'<table class="legs"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _missing(met: Mapping[str, Any]) -> str:
    items = [
        f"<li>{_esc(m.get('leg', ''))}: {_esc(_shown('km', m.get('km')))} km, "
        f"{_esc(str(m.get('status', '')).replace('_', ' '))}. {_esc(m.get('reason', ''))}</li>"
        for m in met.get("missing_links", [])
    ]
    return f"<ul>{''.join(items)}</ul>" if items else "<p>No missing link.</p>"


_CSS = """
body { font: 10.5pt/1.4 sans-serif; margin: 1.5em auto; max-width: 60em; color: #111; }
h1 { font-size: 18pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.4em; }
h3 { font-size: 11pt; }
table { border-collapse: collapse; margin: 0.4em 0; font-size: 9pt; }
th, td { border-bottom: 1px solid #ccc; padding: 2px 6px; text-align: right; vertical-align: top; }
table.compare th:first-child, table.scenario th:first-child,
table.legs td:nth-child(-n+2) { text-align: left; }
table.compare thead th, table.scenario thead th { text-align: right; }
img { max-width: 100%; } .meta { color: #555; font-size: 9pt; }
section { break-inside: auto; } figure { margin: 0.6em 0; break-inside: avoid; }
@page { size: A4; margin: 14mm; }
"""


def brief_html(
    routes: Sequence[Route],
    metrics: Sequence[Mapping[str, Any]],
    *,
    rows: Sequence[Mapping[str, Any]],
    title: str | None = None,
    scenario: ScenarioResult | None = None,
) -> str:
    """The brief as one self-contained HTML page.

    Parameters
    ----------
    routes, metrics
        The routed corridors and their :func:`~corridors.analysis.metrics.route_metrics`.
    rows
        The rows of ``corridors compare`` for them (:func:`compare_rows`), shown as they are.
    title
        Heading (default: the corridor names).
    scenario
        A scenario run over the same corridors: its table of changes and chart are added.
    """
    if not routes:
        raise CorridorsError("nothing to report: no routed corridors")
    title = title or " vs ".join(r.name for r in routes)
    colours = colours_for([r.id for r in routes])
    map_uri = png_data_uri(png_bytes(routes, title=title, dpi=110, colours=colours))
    series = {r.name: time_distance(r.pieces, m) for r, m in zip(routes, metrics, strict=True)}
    chart = time_distance_png(
        {k: v for k, v in series.items() if len(v)},
        title="Time–distance (default time model)",
        colours={r.name: colours[r.id] for r in routes},
    )
    parts = [
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">corridors {_esc(tool_version())} &middot; '
        f"{_esc(dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC'))}</p>",
        "<h2>Comparison</h2>",
        "<p>The figures of <code>corridors compare</code>; lengths in km, time in hours.</p>",
        _table(rows),
        "<h2>Map</h2>",
        f'<figure><img class="map" alt="map of the routes" src="{map_uri}"></figure>',
        "<h2>Time and distance</h2>",
        "<p>Cumulative hours against cumulative km; vertical steps are borders, ports, "
        "gauge breaks and changes of mode.</p>",
        f'<figure><img class="chart" alt="time-distance chart" src="{png_data_uri(chart)}">'
        "</figure>",
    ]
    if scenario is not None:
        parts += _scenario_section(scenario)
    parts.append("<h2>Legs</h2>")
    for r, m in zip(routes, metrics, strict=True):
        parts += [f"<h3>{_esc(r.name)}</h3>", _legs(m), "<p><b>Missing links</b></p>", _missing(m)]
    parts.append("<h2>Caveats</h2><ul>" + "".join(f"<li>{_esc(c)}</li>" for c in CAVEATS))
    parts.append("</ul><h2>Sources and provenance</h2><ul>")
    for r in routes:
        if r.corridor is None:
            continue
        refs = "".join(
            f"<li>{source_link(f'{s.title} ({s.publisher}, {s.date})', s.url)}</li>"
            for s in r.corridor.sources
        )
        parts.append(
            f"<li><b>{_esc(r.name)}</b>: definition {_esc(r.corridor.id)}, sha-256 "
            f"<code>{_esc(r.corridor.digest[:16])}</code><ul>{refs}</ul></li>"
        )
    parts += [
        f"<li>{_esc(s['name'])}: {_esc(s['attribution'])} ({_esc(s['licence'])}, "
        f"{_esc(s['package'])}, {_esc(s['date'])})</li>"
        for s in DATA_SOURCES.values()
    ]
    parts.append("</ul>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def _scenario_section(result: ScenarioResult) -> list[str]:
    series: dict[str, Any] = {}
    styles: dict[str, str] = {}
    colours: dict[str, str] = {}
    palette = colours_for(result.changed())
    for item in result.changed():
        base, scen = result.metrics[item]
        if base is not None and item in result.baseline:
            series[f"{item} baseline"] = time_distance(result.baseline[item].pieces, base)
            styles[f"{item} baseline"] = "--"
            colours[f"{item} baseline"] = palette[item]
        if scen is not None and item in result.routes:
            tm = result.scenario.time_model
            series[f"{item} scenario"] = time_distance(result.routes[item].pieces, scen, tm)
            colours[f"{item} scenario"] = palette[item]
    out = [
        f"<h2>Scenario: {_esc(result.scenario.name)}</h2>",
        f"<p>{_esc(result.scenario.summary)}</p>",
        _table([dict(r) for r in result.rows], css="scenario"),
    ]
    if series:
        png = time_distance_png(series, title=result.scenario.name, styles=styles, colours=colours)
        out.append(
            f'<figure><img class="chart" alt="scenario time-distance chart" '
            f'src="{png_data_uri(png)}"></figure>'
        )
    return out


def _chromium() -> str:
    path = os.environ.get("CORRIDORS_CHROMIUM") or shutil.which("chromium") or ""
    if not path or not Path(path).exists():
        raise CorridorsError(
            "a PDF brief needs Chromium (apt-get install chromium, or set CORRIDORS_CHROMIUM); "
            "write .html instead"
        )
    return path


def write_brief(page: str, path: str | Path) -> Path:
    """Write the brief as HTML, or as PDF when ``path`` ends in ``.pdf`` (headless Chromium).

    Raises
    ------
    CorridorsError
        If the suffix is neither ``.html`` nor ``.pdf``, or a PDF is asked for and
        Playwright or Chromium is missing.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        atomic_write_text(out, page)
        return out
    if suffix != ".pdf":
        raise CorridorsError(f"{out}: a brief is .html or .pdf, not {suffix or 'no suffix'!r}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise CorridorsError(
            "a PDF brief needs Playwright: pip install playwright; or write .html"
        ) from exc
    executable = _chromium()

    def render(tmp: Path) -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                tab = browser.new_page()
                # the page is self-contained: refuse every request it might still make
                tab.route("**/*", lambda r: r.abort())
                tab.set_content(page, wait_until="load")
                tab.pdf(path=str(tmp), format="A4", print_background=True)
            finally:
                browser.close()

    atomic_write(out, render)
    return out
