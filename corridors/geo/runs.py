"""A route's line cut into runs of one country, with hysteresis at borders.

Countries come from the boundary polygons of :mod:`corridors.geo.boundaries`; water pieces
form ``"sea"`` runs, never a country. Routing (the avoid rules) and the metrics both read
routes through :func:`country_runs`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from corridors import settings
from corridors._frames import text_values
from corridors.geo import boundaries, geodata
from corridors.geo.boundaries import geodesic_lengths_m

__all__ = [
    "RUN_COLUMNS",
    "SEA",
    "WATER_MODES",
    "Pieces",
    "Run",
    "country_runs",
    "crossing_candidates",
    "nearest_candidate",
    "nearest_name",
    "place_candidates",
]

SEA = "sea"
WATER_MODES = ("ferry", "sea")
_NAME_RADIUS_KM = 30.0


@dataclass(frozen=True)
class Run:
    """A stretch of a route in one country (or at sea)."""

    country: str
    length_m: float
    start: tuple[float, float]
    end: tuple[float, float]
    mode_start: str
    mode_end: str
    #: Why a short stretch of another country was counted in this run (see ``country_runs``).
    note: str = ""

    @property
    def water(self) -> bool:
        """Whether the run is at sea."""
        return self.country == SEA


# --- runs ------------------------------------------------------------------------------------


def _distance_km(lon: float, lat: float, iso3: str) -> float:
    """Approximate distance, in km, from a point to a country's territory (0 inside)."""
    return _distance_km_on(float(lon), float(lat), iso3, settings.borders)


@functools.lru_cache(maxsize=65536)
def _distance_km_on(lon: float, lat: float, iso3: str, borders: str) -> float:
    geom = _polygon(iso3)
    if geom is None:
        return math.inf
    if geom.contains(shapely.Point(lon, lat)):
        return 0.0
    return float(boundaries.depth_km(iso3, [lon], [lat])[0])


@functools.cache
def _polygons(borders: str) -> dict[str, Any]:
    out = dict(boundaries.geometries())
    for geom in out.values():
        shapely.prepare(geom)
    return out


def _polygon(iso3: str) -> Any:
    return _polygons(settings.borders).get(iso3)


def _split_fraction(x0: float, y0: float, x1: float, y1: float, iso3: str) -> float:
    """Share of the segment's length that lies inside ``iso3`` (memoised)."""
    return _split_fraction_on(x0, y0, x1, y1, iso3, settings.borders)


@functools.lru_cache(maxsize=65536)
def _split_fraction_on(
    x0: float, y0: float, x1: float, y1: float, iso3: str, borders: str
) -> float:
    geom = _polygon(iso3)
    line = shapely.LineString([(x0, y0), (x1, y1)])
    if geom is None or line.length == 0:
        return 0.5
    return float(min(max(line.intersection(geom).length / line.length, 0.0), 1.0))


#: The columns of a pieces table that :func:`country_runs` reads.
RUN_COLUMNS = ("mode", "country0", "country1", "x0", "y0", "x1", "y1", "length_m")
_TEXT = ("mode", "country0", "country1")

#: Pieces as :func:`country_runs` takes them: a pieces table, or its :data:`RUN_COLUMNS` as
#: arrays (text columns of ``str``, the others of floats).
Pieces = pd.DataFrame | Mapping[str, Any]


def _run_columns(pieces: Pieces) -> dict[str, Any]:
    """The :data:`RUN_COLUMNS` as NumPy arrays: ``str`` objects, or floats."""
    if isinstance(pieces, pd.DataFrame):
        return {
            c: text_values(pieces[c]) if c in _TEXT else pieces[c].to_numpy(float)
            for c in RUN_COLUMNS
        }
    return {c: np.asarray(pieces[c], dtype=object if c in _TEXT else float) for c in RUN_COLUMNS}


def _labels(cols: Mapping[str, Any], tolerance_km: float) -> list[str]:
    """Country of each piece, with hysteresis.

    The route changes country only once it is more than ``tolerance_km`` outside the current
    one, so a line that follows a border (drawn at 1:10m) does not zig-zag across it. Water
    pieces are ``"sea"``.
    """
    modes, c0, c1 = cols["mode"], cols["country0"], cols["country1"]
    x1, y1 = cols["x1"], cols["y1"]
    n = len(modes)
    out = np.empty(n, dtype=object)
    water = np.isin(modes, WATER_MODES)
    # stretches of one end country (and water or not): inside one, once the label is that
    # country it stays so, and only the pieces before need the distance test
    cut = np.flatnonzero((c1[1:] != c1[:-1]) | (water[1:] != water[:-1])) + 1
    current = ""
    for lo, hi in zip([0, *cut.tolist()], [*cut.tolist(), n], strict=True):
        if water[lo]:
            out[lo:hi] = SEA
            current = ""
            continue
        for i in range(lo, hi):
            if not current:
                current = c0[i] or c1[i]
            raw = c1[i]
            if raw and raw != current and _distance_km(x1[i], y1[i], current) > tolerance_km:
                current = raw
            if current and (raw == current or not raw):
                out[i:hi] = current  # the rest of the stretch cannot change it
                break
            out[i] = current
    labels: list[str] = out.tolist()
    return labels


def country_runs(pieces: Pieces, *, tolerance_km: float | None = None) -> list[Run]:
    """Cut a route's pieces into runs of one country (``"sea"`` on water).

    Parameters
    ----------
    pieces
        ``Route.pieces``, or its :data:`RUN_COLUMNS` as arrays.
    tolerance_km
        How far outside its current country the route must go before it counts as having
        crossed (default :data:`corridors.settings.border_tolerance_km`). The crossing is
        placed where the line actually crosses the boundary.

    Notes
    -----
    A stretch of a third country B shorter than :data:`corridors.settings.sliver_max_km`
    between countries A and C, entered and left where no named A–B or B–C crossing is,
    while a named A–C crossing lies within 30 km of either end of the sliver or of the
    start of A's run, is counted as A: the route crossed A–C there, and B is an artefact
    of simplified lines or 1:10m boundaries (the road Norduz–Kapan clips a corner of
    Azerbaijan in the scgraph road graph). The merged run's ``note`` says so, and
    :func:`route_metrics` reports it among the warnings.
    """
    cols = _run_columns(pieces)
    n = len(cols["mode"])
    if not n:
        return []
    tol = settings.border_tolerance_km if tolerance_km is None else tolerance_km
    labels = _labels(cols, tol)
    modes, c0 = cols["mode"], cols["country0"]
    x0, y0, x1, y1 = cols["x0"], cols["y0"], cols["x1"], cols["y1"]
    length = cols["length_m"]
    lab = np.asarray(labels, dtype=object)
    starts = [0, *(np.flatnonzero(lab[1:] != lab[:-1]) + 1).tolist()]
    runs: list[Run] = []
    for i, j in zip(starts, [*(k - 1 for k in starts[1:]), n - 1], strict=True):
        runs.append(
            Run(
                labels[i],
                float(length[i : j + 1].sum()),
                (x0[i], y0[i]),
                (x1[j], y1[j]),
                str(modes[i]),
                str(modes[j]),
            )
        )
    return _merge_slivers(_place_crossings(runs, labels, c0, x0, y0, x1, y1, length))


def _merge_slivers(runs: list[Run]) -> list[Run]:
    """Count a short unexplained stretch of a third country as the country before it."""
    out = list(runs)
    k = 1
    while k < len(out) - 1:
        a, b, c = out[k - 1], out[k], out[k + 1]
        named = None
        if (
            not (a.water or b.water or c.water)
            and len({a.country, b.country, c.country}) == 3
            and b.length_m / 1000.0 < settings.sliver_max_km
            and nearest_name(*a.end, crossing_candidates(frozenset((a.country, b.country)))) is None
            and nearest_name(*b.end, crossing_candidates(frozenset((b.country, c.country)))) is None
        ):
            pair = crossing_candidates(frozenset((a.country, c.country)))
            named = next(
                (hit for pt in (a.end, a.start, b.end) if (hit := nearest_candidate(*pt, pair))),
                None,
            )
        if named is None:
            k += 1
            continue
        name, lon, lat = named
        note = (
            f"{b.length_m / 1000.0:.1f} km in {b.country} between {a.country} and "
            f"{c.country}, entered and left where no crossing is known, counted as "
            f"{a.country}: the named {a.country}–{c.country} crossing {name} is nearby "
            "(simplified network lines and 1:10m boundaries clip corners)"
        )
        merged = Run(
            a.country,
            a.length_m + b.length_m,
            a.start,
            (lon, lat),
            a.mode_start,
            b.mode_end,
            "; ".join(x for x in (a.note, note) if x),
        )
        out[k - 1 : k + 1] = [merged]
    return out


def _place_crossings(
    runs: list[Run],
    labels: list[str],
    c0: Any,
    x0: Any,
    y0: Any,
    x1: Any,
    y1: Any,
    length: Any,
) -> list[Run]:
    """Move each land-to-land boundary to where the line really leaves the old country."""
    lab = np.asarray(labels, dtype=object)
    starts = [0, *(np.flatnonzero(lab[1:] != lab[:-1]) + 1).tolist()]
    out = list(runs)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if a.water or b.water:
            continue
        sb = starts[k + 1]
        # the piece on which the line enters b for good
        e = sb
        while e > starts[k] and str(c0[e]) == b.country:
            e -= 1
        inside_b = _split_fraction(x0[e], y0[e], x1[e], y1[e], b.country)
        at = 1.0 - inside_b
        px = float(x0[e] + (x1[e] - x0[e]) * at)
        py = float(y0[e] + (y1[e] - y0[e]) * at)
        moved = float(length[e:sb].sum()) - float(length[e]) * at
        out[k] = Run(a.country, a.length_m - moved, a.start, (px, py), a.mode_start, a.mode_end)
        out[k + 1] = Run(b.country, b.length_m + moved, (px, py), b.end, b.mode_start, b.mode_end)
    return out


def nearest_candidate(
    lon: float, lat: float, candidates: Sequence[tuple[str, float, float]]
) -> tuple[str, float, float] | None:
    """The candidate nearest to the point within ``_NAME_RADIUS_KM``, or ``None``."""
    if not candidates:
        return None
    xs = np.fromiter((c[1] for c in candidates), float, len(candidates))
    ys = np.fromiter((c[2] for c in candidates), float, len(candidates))
    d = geodesic_lengths_m(np.full(len(xs), lon), np.full(len(xs), lat), xs, ys) / 1000.0
    i = int(np.argmin(d))
    return candidates[i] if d[i] <= _NAME_RADIUS_KM else None


def nearest_name(
    lon: float, lat: float, candidates: Sequence[tuple[str, float, float]]
) -> str | None:
    """The name of the candidate nearest to the point within ``_NAME_RADIUS_KM``."""
    hit = nearest_candidate(lon, lat, candidates)
    return hit[0] if hit is not None else None


@functools.cache
def crossing_candidates(pair: frozenset[str]) -> tuple[tuple[str, float, float], ...]:
    """Named crossings ``(name, lon, lat)`` between the two countries of ``pair``."""
    return tuple(
        (c.name, c.lon, c.lat) for c in geodata.crossings() if frozenset(c.countries) == pair
    )


@functools.cache
def place_candidates() -> tuple[tuple[str, float, float], ...]:
    """Named crossings and gazetteer places (regions left out) ``(name, lon, lat)``."""
    cands = [(c.name, c.lon, c.lat) for c in geodata.crossings()]
    cands += [(p.name, p.lon, p.lat) for p in geodata.places() if p.kind != "region"]
    return tuple(cands)
