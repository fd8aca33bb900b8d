"""Scenarios: what-ifs compared with the baseline.

A scenario opens or closes links, avoids countries, looks ahead to a year and changes the
time model; each affected corridor (and ad-hoc route) is compared with its baseline.
Scenarios never rebuild the network: they change which edges are usable (masks over the
cached graph, with not-yet-built links as switchable overlays) and the time model.
A scenario file (``seeds/scenarios/*.yaml`` or a user's path) has the keys ``id``,
``name``, ``summary`` and any of ``corridors`` (ids; default: every shipped one),
``open``, ``close`` (link names), ``avoid`` (ISO3), ``avoid_mode`` (hard|soft),
``as_of`` (year), ``time_model`` (overrides such as ``border_dwell_h.rail: 20``),
``routes`` (ad-hoc ``{from, to, mode}`` questions) and ``sources``.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corridors._data import seeds_dir
from corridors._errors import (
    CorridorsError,
    InfeasibleRouteError,
    ScenarioError,
    SnapError,
    UnknownNameError,
    suggest,
)
from corridors._yaml import read_yaml
from corridors.analysis.metrics import route_metrics
from corridors.analysis.timemodel import DEFAULT_TIME_MODEL, TimeModel
from corridors.definitions._validate import _Checker
from corridors.geo.geodata import iso3_problem
from corridors.network.core import Network
from corridors.routing import Route, RoutingOptions, route, route_corridor

__all__ = [
    "Scenario",
    "ScenarioResult",
    "load_scenario",
    "run_scenario",
    "scenario_from_file",
    "scenario_ids",
    "scenario_to_mapping",
    "scenario_with",
]

_KEYS_REQUIRED = ("id", "name", "summary")
_KEYS_OPTIONAL = (
    "corridors",
    "open",
    "close",
    "avoid",
    "avoid_mode",
    "as_of",
    "time_model",
    "routes",
    "sources",
)


@dataclass(frozen=True)
class Scenario:
    """A what-if: routing options and time-model overrides, and what to compare."""

    id: str
    name: str
    summary: str
    options: RoutingOptions = field(default_factory=RoutingOptions)
    corridors: tuple[str, ...] | None = None
    time_overrides: Mapping[str, float] = field(default_factory=dict)
    routes: tuple[tuple[str, str, str], ...] = ()
    path: Path | None = None

    @property
    def time_model(self) -> TimeModel:
        """The default time model with this scenario's overrides."""
        return DEFAULT_TIME_MODEL.with_overrides(self.time_overrides)


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Baseline and scenario, side by side, for each corridor and ad-hoc route."""

    scenario: Scenario
    rows: tuple[dict[str, Any], ...]
    baseline: Mapping[str, Route]
    routes: Mapping[str, Route]
    metrics: Mapping[str, tuple[dict[str, Any] | None, dict[str, Any] | None]]

    def changed(self) -> list[str]:
        """Ids whose result differs from the baseline."""
        return [r["id"] for r in self.rows if r["changed"]]


def _strings(chk: _Checker, raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        chk.add(key, f"must be a list of names, got {value!r:.60}")
        return ()
    return tuple(value)


def scenario_from_mapping(raw: Any, *, path: Path | None = None) -> Scenario:
    """Validate a parsed scenario and build it.

    Raises
    ------
    ScenarioError
        Naming the file, the item and the value, with close matches for unknown names.
    """
    from corridors.definitions._load import corridor_ids, load_all
    from corridors.definitions.links import links_from_corridors

    chk = _Checker(path)
    m = chk.keys("", raw, _KEYS_REQUIRED, _KEYS_OPTIONAL)
    if m is None:
        raise ScenarioError("; ".join(chk.problems))
    known_links = sorted(links_from_corridors(load_all()))
    known_ids = corridor_ids()
    opened, closed = _strings(chk, m, "open"), _strings(chk, m, "close")
    for key, names in (("open", opened), ("close", closed)):
        for i, name in enumerate(names):
            if name not in known_links:
                hint = suggest(name, known_links) or f"; known links: {', '.join(known_links)}"
                chk.add(f"{key}[{i}]", f"unknown link {name!r}{hint}")
    avoid = tuple(c.upper() for c in _strings(chk, m, "avoid"))
    for i, code in enumerate(avoid):
        if problem := iso3_problem(code):
            chk.add(f"avoid[{i}]", problem)
    corridors = _strings(chk, m, "corridors") if "corridors" in m else None
    for i, cid in enumerate(corridors or ()):
        if _is_definition_path(cid):
            try:
                _corridor_by_id_or_path(cid)
            except CorridorsError as exc:
                chk.add(f"corridors[{i}]", str(exc))
            continue
        if cid not in known_ids:
            hint = suggest(cid, known_ids) or " (see 'corridors list')"
            chk.add(f"corridors[{i}]", f"unknown corridor {cid!r}{hint}")
    avoid_mode = m.get("avoid_mode", "hard")
    if avoid_mode not in ("hard", "soft"):
        chk.add("avoid_mode", f"{avoid_mode!r} must be 'hard' or 'soft'")
    as_of = m.get("as_of")
    if as_of is not None and (isinstance(as_of, bool) or not isinstance(as_of, int)):
        chk.add("as_of", f"{as_of!r} is not a year")
    overrides = m.get("time_model") or {}
    if not isinstance(overrides, Mapping):
        chk.add("time_model", "must be a mapping such as {border_dwell_h.rail: 20}")
        overrides = {}
    try:
        DEFAULT_TIME_MODEL.with_overrides(overrides)
    except (KeyError, TypeError, ValueError) as exc:
        chk.add("time_model", str(exc).strip("'\""))
    routes = []
    raw_routes = m.get("routes") or []
    if not isinstance(raw_routes, list):
        chk.add("routes", "must be a list of {from, to, mode}")
        raw_routes = []
    for i, item in enumerate(raw_routes):
        r = chk.keys(f"routes[{i}]", item, ("from", "to"), ("mode",))
        if r is not None and "from" in r and "to" in r:
            routes.append((str(r["from"]), str(r["to"]), str(r.get("mode", "rail"))))
    if chk.problems:
        raise ScenarioError("; ".join(chk.problems))
    options = RoutingOptions(
        avoid=avoid,
        avoid_mode=str(avoid_mode),
        open_links=opened,
        close_links=closed,
        as_of=as_of,
    )
    return Scenario(
        id=str(m["id"]),
        name=str(m["name"]),
        summary=str(m["summary"]),
        options=options,
        corridors=corridors,
        time_overrides={str(k): float(v) for k, v in overrides.items()},
        routes=tuple(routes),
        path=path,
    )


def _is_definition_path(text: str) -> bool:
    return text.endswith((".yaml", ".yml")) or Path(text).is_file()


def _corridor_by_id_or_path(text: str) -> Any:
    """A shipped corridor by id, or a user's definition file by path."""
    from corridors.definitions._load import corridor_from_file, load

    return corridor_from_file(text) if _is_definition_path(text) else load(text)


def scenario_from_file(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    p = Path(path)
    try:
        return scenario_from_mapping(read_yaml(p), path=p)
    except CorridorsError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(str(exc)) from None


def scenario_to_mapping(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the mapping a scenario file holds (sources left out)."""
    o = scenario.options
    raw: dict[str, Any] = {"id": scenario.id, "name": scenario.name, "summary": scenario.summary}
    if o.open_links:
        raw["open"] = list(o.open_links)
    if o.close_links:
        raw["close"] = list(o.close_links)
    if o.avoid:
        raw["avoid"] = list(o.avoid)
    raw["avoid_mode"] = o.avoid_mode
    if o.as_of is not None:
        raw["as_of"] = o.as_of
    if scenario.corridors is not None:
        raw["corridors"] = list(scenario.corridors)
    if scenario.time_overrides:
        raw["time_model"] = dict(scenario.time_overrides)
    if scenario.routes:
        raw["routes"] = [{"from": a, "to": b, "mode": m} for a, b, m in scenario.routes]
    return raw


def scenario_with(
    scenario: Scenario,
    *,
    open_links: Sequence[str] = (),
    close_links: Sequence[str] = (),
    avoid: Sequence[str] = (),
    avoid_mode: str | None = None,
    as_of: int | None = None,
    corridors: Sequence[str] | None = None,
    time_overrides: Mapping[str, float] | None = None,
    routes: Sequence[Mapping[str, str]] = (),
) -> Scenario:
    """The scenario with more what-ifs merged over it (the command line's flags).

    Links to open or close, countries to avoid and ad-hoc routes are added to the
    scenario's own; ``avoid_mode``, ``as_of`` and ``corridors`` replace its values when
    given; time-model overrides are merged key by key, the new value winning. The result
    is validated as a scenario file is, so a bad value is refused with the same message.
    The summary says what was merged.

    Raises
    ------
    ScenarioError
        For an unknown link, country, corridor or time-model parameter.
    """
    raw = scenario_to_mapping(scenario)
    said: list[str] = []

    def add(key: str, values: Sequence[Any], flag: str) -> None:
        if values:
            raw[key] = list(dict.fromkeys([*raw.get(key, []), *values]))
            said.append(f"{flag} {','.join(str(v) for v in values)}")

    add("open", list(open_links), "--open")
    add("close", list(close_links), "--close")
    add("avoid", [c.upper() for c in avoid], "--avoid")
    if routes:
        raw["routes"] = [*raw.get("routes", []), *[dict(r) for r in routes]]
        said.append("--route " + ", ".join(f"{r['from']}:{r['to']}" for r in routes))
    if avoid_mode is not None:
        raw["avoid_mode"] = avoid_mode
        said.append(f"--avoid-mode {avoid_mode}")
    if as_of is not None:
        raw["as_of"] = as_of
        said.append(f"--as-of {as_of}")
    if corridors is not None:
        raw["corridors"] = list(corridors)
        said.append(f"--corridor {','.join(corridors)}")
    if time_overrides:
        raw["time_model"] = {**raw.get("time_model", {}), **dict(time_overrides)}
        said.append("--set " + ",".join(f"{k}={v:g}" for k, v in time_overrides.items()))
    if not said:
        return scenario
    raw["summary"] = f"{scenario.summary} With {'; '.join(said)} from the command line."
    try:
        merged = scenario_from_mapping(raw)
    except ScenarioError as exc:
        detail = str(exc).removeprefix("<definition>: ")
        msg = f"scenario {scenario.id!r} with {'; '.join(said)}: {detail}"
        raise ScenarioError(msg) from None
    return replace(merged, path=scenario.path)


def _scenario_files() -> list[Path]:
    return sorted((seeds_dir() / "scenarios").glob("*.yaml"))


def scenario_ids() -> tuple[str, ...]:
    """Ids of the shipped scenarios."""
    return tuple(p.stem for p in _scenario_files())


def load_scenario(name: str) -> Scenario:
    """A shipped scenario by id, or a scenario file by path."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return scenario_from_file(p)
    for f in _scenario_files():
        if f.stem == name:
            return scenario_from_file(f)
    ids = scenario_ids()
    hint = suggest(name, ids) or f"; shipped scenarios: {', '.join(ids)}"
    raise UnknownNameError(f"no scenario {name!r}{hint}")


def _summary(m: Mapping[str, Any] | None) -> dict[str, Any]:
    if m is None:
        return {
            "length_km": None,
            "border_crossings": None,
            "countries": [],
            "missing_km": None,
            "time_h": None,
        }
    return {
        "length_km": m["length_km"],
        "border_crossings": m["border_crossings_count"],
        "countries": list(m["countries"]),
        "missing_km": m["missing_km"],
        "time_h": m["time_h"],
    }


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(b - a, 1)


def _row(
    item_id: str,
    kind: str,
    base: Mapping[str, Any] | None,
    scen: Mapping[str, Any] | None,
    note: str,
) -> dict[str, Any]:
    b, s = _summary(base), _summary(scen)
    added = [c for c in dict.fromkeys(s["countries"]) if c not in b["countries"]]
    removed = [c for c in dict.fromkeys(b["countries"]) if c not in s["countries"]]
    changed = (
        base is None
        or scen is None
        or any(b[k] != s[k] for k in ("length_km", "border_crossings", "missing_km", "time_h"))
        or b["countries"] != s["countries"]
    )
    return {
        "id": item_id,
        "kind": kind,
        "baseline_km": b["length_km"],
        "scenario_km": s["length_km"],
        "delta_length_km": _delta(b["length_km"], s["length_km"]),
        "delta_border_crossings": _delta(b["border_crossings"], s["border_crossings"]),
        "countries_added": added,
        "countries_removed": removed,
        "delta_missing_km": _delta(b["missing_km"], s["missing_km"]),
        "baseline_time_h": b["time_h"],
        "scenario_time_h": s["time_h"],
        "delta_time_h": _delta(b["time_h"], s["time_h"]),
        "changed": changed,
        "note": note,
    }


#: Baseline routes and metrics per network and corridor: they do not depend on the scenario.
_BASELINES: weakref.WeakKeyDictionary[Network, dict[Any, Any]] = weakref.WeakKeyDictionary()


def run_scenario(scenario: Scenario, network: Network) -> ScenarioResult:
    """Route every corridor (and ad-hoc route) of the scenario, baseline and what-if.

    A corridor the scenario makes impossible gets a row whose ``note`` says which leg is
    cut and why; the others still get results.
    """
    from corridors.definitions._load import load_all

    items = (
        [_corridor_by_id_or_path(cid) for cid in scenario.corridors]
        if scenario.corridors is not None
        else list(load_all(variants=True))
    )
    model = scenario.time_model
    rows: list[dict[str, Any]] = []
    baseline: dict[str, Route] = {}
    routes: dict[str, Route] = {}
    mets: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}

    def attempt(fn: Any) -> tuple[Route | None, str]:
        try:
            return fn(), ""
        except (InfeasibleRouteError, SnapError) as exc:
            return None, str(exc)

    baselines = _BASELINES.setdefault(network, {})
    for c in items:
        if c not in baselines:
            routed, error = attempt(lambda c=c: route_corridor(c, network))
            baselines[c] = (routed, error, route_metrics(routed) if routed else None)
        base, base_err, mb = baselines[c]
        scen, scen_err = attempt(lambda c=c: route_corridor(c, network, options=scenario.options))
        ms = route_metrics(scen, time_model=model) if scen else None
        note = (
            f"cut: {scen_err}" if scen_err else (f"baseline failed: {base_err}" if base_err else "")
        )
        rows.append(_row(c.id, "corridor", mb, ms, note))
        if base:
            baseline[c.id] = base
        if scen:
            routes[c.id] = scen
        mets[c.id] = (mb, ms)
    for origin, destination, mode in scenario.routes:
        rid = f"{origin} → {destination} ({mode})"
        base, base_err = attempt(
            lambda o=origin, d=destination, md=mode: route(o, d, network, modes=md)
        )
        scen, scen_err = attempt(
            lambda o=origin, d=destination, md=mode: route(
                o, d, network, modes=md, options=scenario.options
            )
        )
        mb = route_metrics(base) if base else None
        ms = route_metrics(scen, time_model=model) if scen else None
        note = (
            f"cut: {scen_err}" if scen_err else (f"baseline failed: {base_err}" if base_err else "")
        )
        rows.append(_row(rid, "route", mb, ms, note))
        if base:
            baseline[rid] = replace(base, id=rid, name=rid)
        if scen:
            routes[rid] = replace(scen, id=rid, name=rid)
        mets[rid] = (mb, ms)
    return ScenarioResult(scenario, tuple(rows), baseline, routes, mets)


def rows_for_table(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with list columns joined, for table, CSV and Markdown output."""
    out = []
    for r in rows:
        out.append(
            {
                **{k: v for k, v in r.items() if k not in ("countries_added", "countries_removed")},
                "countries_added": ", ".join(r["countries_added"]),
                "countries_removed": ", ".join(r["countries_removed"]),
            }
        )
    return out
