"""A transparent travel-time model, with documented and overridable defaults.

``time_h = Σ length / speed(mode)  +  border dwell × land crossings (by mode)
          + port dwell × port calls  +  transshipment hours × (gauge breaks + mode changes)``

Defaults and their sources (override any with ``TimeModel(...)`` or ``replace``):

- speeds: rail 53.9 km/h and road 42.0 km/h are the CAREC "speed without delay" of 2022;
  ferry 22 km/h (12 knots, a typical Caspian ro-ro/ro-pax service speed) and sea 28 km/h
  (15 knots, container feeder) are the project's assumptions;
- border dwell per land crossing: rail 40.6 h, road 9.9 h (CAREC Corridor Performance
  Measurement and Monitoring Annual Report 2022, ADB, 2023: average time to clear a
  border-crossing point), for crossings without their own ``dwell_h`` in
  ``geodata/crossings.yaml``;
- port dwell per port call (loading or unloading a ferry or ship): 24 h, an assumption;
- transshipment at a gauge break or a change of mode on land: 6 h, an assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from corridors._errors import ScenarioError

__all__ = ["CAREC_2022", "DEFAULT_TIME_MODEL", "TimeModel", "time_distance"]

CAREC_2022 = (
    "CAREC Corridor Performance Measurement and Monitoring Annual Report 2022, "
    "Asian Development Bank, 2023 (cpmm.carecprogram.org)"
)


_V = TypeVar("_V")

#: Accepted range of each kind of parameter: (lowest, highest, unit). Speeds must be above
#: the lowest (a zero speed would make a mode take no time); hours may equal it.
SPEED_RANGE_KMH = (0.0, 1000.0)
HOURS_RANGE = (0.0, 8760.0)  # up to a year per event


def _checked(key: str, value: Any) -> float:
    """A finite number in the range of its parameter, else :class:`ScenarioError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        msg = f"time-model parameter {key}: {str(value)[:40]!r} is not a number"
        raise ScenarioError(msg)
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = float("inf")
    speed = key.startswith("speed_kmh.")
    low, high = SPEED_RANGE_KMH if speed else HOURS_RANGE
    pipeline = key == "speed_kmh.pipeline"  # pipelines carry no freight time: 0 is allowed
    too_low = number < low or (speed and not pipeline and number <= low)
    if not np.isfinite(number) or too_low or number > high:
        unit = "km/h" if speed else "h"
        bound = f"more than {low:g}" if speed and not pipeline else f"at least {low:g}"
        msg = (
            f"time-model parameter {key}={number:g} is out of range: give a number "
            f"{bound} and at most {high:g} {unit}"
        )
        raise ScenarioError(msg)
    return number


def _frozen(d: Mapping[str, _V]) -> Mapping[str, _V]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class TimeModel:
    """Parameters of the time model; all times in hours, speeds in km/h."""

    speed_kmh: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {"rail": 53.9, "road": 42.0, "ferry": 22.0, "sea": 28.0, "pipeline": 0.0}
        )
    )
    border_dwell_h: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"rail": 40.6, "road": 9.9})
    )
    port_dwell_h: float = 24.0
    transshipment_h: float = 6.0
    sources: Mapping[str, str] = field(
        default_factory=lambda: _frozen(
            {
                "speed_kmh.rail": f"{CAREC_2022}: rail speed without delay",
                "speed_kmh.road": f"{CAREC_2022}: road speed without delay",
                "speed_kmh.ferry": "project assumption (12 knots)",
                "speed_kmh.sea": "project assumption (15 knots)",
                "border_dwell_h.rail": f"{CAREC_2022}: rail border-crossing time",
                "border_dwell_h.road": f"{CAREC_2022}: road border-crossing time",
                "port_dwell_h": "project assumption",
                "transshipment_h": "project assumption",
            }
        )
    )

    def with_overrides(self, overrides: Mapping[str, float]) -> TimeModel:
        """A copy with dotted overrides, e.g. ``{"border_dwell_h.rail": 20, "port_dwell_h": 12}``.

        Raises
        ------
        KeyError
            For an unknown parameter name.
        corridors.ScenarioError
            For a value that is not a finite number in range: speeds above 0 and at most
            1,000 km/h (a pipeline's may be 0), hours from 0 to 8,760.
        """
        speed = dict(self.speed_kmh)
        dwell = dict(self.border_dwell_h)
        port, trans = self.port_dwell_h, self.transshipment_h
        for key, value in overrides.items():
            group, _, mode = str(key).partition(".")
            if group == "speed_kmh" and mode in speed:
                speed[mode] = _checked(key, value)
            elif group == "border_dwell_h" and mode in dwell:
                dwell[mode] = _checked(key, value)
            elif key == "port_dwell_h":
                port = _checked(key, value)
            elif key == "transshipment_h":
                trans = _checked(key, value)
            else:
                key = str(key)[:80]
                known = [f"speed_kmh.{m}" for m in speed] + [f"border_dwell_h.{m}" for m in dwell]
                known += ["port_dwell_h", "transshipment_h"]
                raise KeyError(f"unknown time-model parameter {key!r}; known: {', '.join(known)}")
        sources = {**self.sources, **dict.fromkeys(overrides, "override")}
        return TimeModel(_frozen(speed), _frozen(dwell), port, trans, _frozen(sources))

    def as_dict(self) -> dict[str, object]:
        """Plain mapping, for JSON and the README."""
        return {
            "speed_kmh": dict(self.speed_kmh),
            "border_dwell_h": dict(self.border_dwell_h),
            "port_dwell_h": self.port_dwell_h,
            "transshipment_h": self.transshipment_h,
            "sources": dict(self.sources),
        }


DEFAULT_TIME_MODEL = TimeModel()


def time_distance(
    pieces: pd.DataFrame, metrics: Mapping[str, Any], model: TimeModel | None = None
) -> pd.DataFrame:
    """Cumulative hours against cumulative km (the UNESCAP time/cost–distance method).

    Parameters
    ----------
    pieces
        ``Route.pieces``.
    metrics
        The route's :func:`corridors.analysis.metrics.route_metrics` (for the positions of border
        crossings, gauge breaks and changes of mode).
    model
        The time model (default :data:`DEFAULT_TIME_MODEL`).

    Returns
    -------
    pandas.DataFrame
        Columns ``km``, ``h`` and ``event`` (``""`` on the line, else what the vertical
        step is: a border crossing, a port call, a gauge break or a change of mode).
    """
    m = model or DEFAULT_TIME_MODEL
    if pieces.empty:
        return pd.DataFrame({"km": [0.0], "h": [0.0], "event": [""]})
    km = pieces["length_m"].to_numpy(float) / 1000.0
    modes = pieces["mode"].astype(str).to_numpy()
    speed = np.array([m.speed_kmh.get(x, 0.0) for x in modes])
    hours = np.where(speed > 0, km / np.where(speed > 0, speed, 1.0), 0.0)
    cum_km = np.concatenate([[0.0], np.cumsum(km)])
    cum_h = np.concatenate([[0.0], np.cumsum(hours)])
    events: list[tuple[float, float, str]] = []
    for c in metrics.get("border_crossings", []):
        own = c.get("dwell_h")
        dwell = float(own) if own is not None else m.border_dwell_h.get(c["mode"], 0.0)
        events.append((c["km"], dwell, f"border {c['from']}→{c['to']}"))
    for g in metrics.get("gauge_breaks", []):
        events.append((g["km"], m.transshipment_h, f"gauge {g['from_mm']}→{g['to_mm']}"))
    water = ("ferry", "sea")
    for t in metrics.get("transshipments", []):
        if t["from"] in water or t["to"] in water:
            events.append((t["km"], m.port_dwell_h, f"port ({t['from']}→{t['to']})"))
        else:
            events.append((t["km"], m.transshipment_h, f"{t['from']}→{t['to']}"))
    if modes[0] in water:
        events.append((0.0, m.port_dwell_h, "port"))
    if modes[-1] in water:
        events.append((float(cum_km[-1]), m.port_dwell_h, "port"))
    events.sort()
    rows_km: list[float] = []
    rows_h: list[float] = []
    rows_ev: list[str] = []
    dwell = 0.0
    e = 0
    for i in range(len(cum_km)):
        while e < len(events) and events[e][0] <= cum_km[i]:
            at, add, label = events[e]
            base = float(np.interp(at, cum_km, cum_h))
            rows_km += [at, at]
            rows_h += [base + dwell, base + dwell + add]
            rows_ev += ["", label]
            dwell += add
            e += 1
        rows_km.append(float(cum_km[i]))
        rows_h.append(float(cum_h[i]) + dwell)
        rows_ev.append("")
    frame = pd.DataFrame({"km": rows_km, "h": rows_h, "event": rows_ev})
    return frame.round({"km": 2, "h": 3})
