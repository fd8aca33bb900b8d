"""A transparent travel-time model, with documented and overridable defaults.

``time_h = Σ length / speed(mode)  +  border dwell × land crossings (by mode)
          + port dwell × port calls  +  transshipment hours × (gauge breaks + mode changes)``

Defaults and their sources (override any with ``TimeModel(...)`` or ``replace``):

- speeds: rail 53.9 km/h and road 42.0 km/h are the CAREC "speed without delay" of 2022;
  ferry 22 km/h (12 knots, a typical Caspian ro-ro/ro-pax service speed) and sea 28 km/h
  (15 knots, container feeder) are the project's assumptions;
- border dwell per land crossing: rail 40.6 h, road 9.9 h (CAREC Corridor Performance
  Measurement and Monitoring Annual Report 2022, ADB, 2023: average time to clear a
  border-crossing point);
- port dwell per port call (loading or unloading a ferry or ship): 24 h, an assumption;
- transshipment at a gauge break or a change of mode on land: 6 h, an assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

__all__ = ["CAREC_2022", "DEFAULT_TIME_MODEL", "TimeModel"]

CAREC_2022 = (
    "CAREC Corridor Performance Measurement and Monitoring Annual Report 2022, "
    "Asian Development Bank, 2023 (cpmm.carecprogram.org)"
)


_V = TypeVar("_V")


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
        """
        speed = dict(self.speed_kmh)
        dwell = dict(self.border_dwell_h)
        port, trans = self.port_dwell_h, self.transshipment_h
        for key, value in overrides.items():
            group, _, mode = key.partition(".")
            if group == "speed_kmh" and mode in speed:
                speed[mode] = float(value)
            elif group == "border_dwell_h" and mode in dwell:
                dwell[mode] = float(value)
            elif key == "port_dwell_h":
                port = float(value)
            elif key == "transshipment_h":
                trans = float(value)
            else:
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
