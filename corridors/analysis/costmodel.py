"""A transparent freight cost model beside the time model, in USD per 20-tonne unit.

``cost_usd = Σ km(mode) × usd_per_km(mode)  +  border_usd(mode) × land crossings
            + port_call_usd × port calls  +  transshipment_usd × (gauge breaks + mode changes)``

The unit is the CAREC CPMM normalisation: one 20-tonne load (a truck, or a wagon's worth).
Every default has a source and a range ``(low, high)``; the uncertainty sweep
(:mod:`corridors.analysis.uncertainty`) draws each parameter from a triangular distribution
over its range with the default as the mode.

Defaults, their ranges and how the ranges are derived:

- ``usd_per_km.rail`` 1.67 (836 USD per 500 km, CAREC CPMM 2020 rail "total cost"); range
  ±25 % (1.25–2.09): the two years reported (820 and 836 USD) differ by 2 %, far less than
  the spread between corridors, so the range is a project assumption;
- ``usd_per_km.road`` 1.00, range 0.75–1.25: the World Bank note "Measuring Road Transport
  Performance" gives 0.75–1.25 USD per truck-trailer km for a 20-tonne load;
- ``usd_per_km.ferry`` 3.0 (2.0–5.0) and ``usd_per_km.sea`` 0.5 (0.3–0.8): project
  assumptions (no published per-km tariff for Caspian ro-ro was found);
- ``border_usd.rail`` 193, range 193–198, and ``border_usd.road`` 199, range 162–199: CAREC
  CPMM 2020, average cost incurred at border-crossing clearance, 2020 and 2019 values;
- ``port_call_usd`` 300 (150–600): a project assumption;
- ``transshipment_usd`` 329, range 120–329: CAREC CPMM 2020, gauge-change operation at
  Dostyk (329 USD) and Erenhot (120 USD).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["CAREC_2020", "DEFAULT_COST_MODEL", "WB_ROAD", "CostModel", "route_cost"]

CAREC_2020 = (
    "CAREC Corridor Performance Measurement and Monitoring Annual Report 2020, "
    "Asian Development Bank (cpmm.carecprogram.org/2020-report)"
)
WB_ROAD = "World Bank, Measuring Road Transport Performance (transport note)"

_WATER = ("ferry", "sea")


def _frozen(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class CostModel:
    """Parameters of the cost model, in USD per 20-tonne unit; ranges are ``(low, high)``."""

    usd_per_km: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"rail": 1.67, "road": 1.0, "ferry": 3.0, "sea": 0.5})
    )
    border_usd: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"rail": 193.0, "road": 199.0})
    )
    port_call_usd: float = 300.0
    transshipment_usd: float = 329.0
    ranges: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: _frozen(
            {
                "usd_per_km.rail": (1.25, 2.09),
                "usd_per_km.road": (0.75, 1.25),
                "usd_per_km.ferry": (2.0, 5.0),
                "usd_per_km.sea": (0.3, 0.8),
                "border_usd.rail": (193.0, 198.0),
                "border_usd.road": (162.0, 199.0),
                "port_call_usd": (150.0, 600.0),
                "transshipment_usd": (120.0, 329.0),
            }
        )
    )
    sources: Mapping[str, str] = field(
        default_factory=lambda: _frozen(
            {
                "usd_per_km.rail": f"{CAREC_2020}: rail total cost, 836 USD per 500 km",
                "usd_per_km.road": f"{WB_ROAD}: 0.75-1.25 USD per truck-trailer km",
                "usd_per_km.ferry": "project assumption",
                "usd_per_km.sea": "project assumption",
                "border_usd.rail": f"{CAREC_2020}: rail border-crossing cost",
                "border_usd.road": f"{CAREC_2020}: road border-crossing cost",
                "port_call_usd": "project assumption",
                "transshipment_usd": f"{CAREC_2020}: gauge change at Dostyk and Erenhot",
            }
        )
    )

    def params(self) -> dict[str, float]:
        """Every parameter by its dotted name."""
        out = {f"usd_per_km.{m}": v for m, v in self.usd_per_km.items()}
        out.update({f"border_usd.{m}": v for m, v in self.border_usd.items()})
        out["port_call_usd"] = self.port_call_usd
        out["transshipment_usd"] = self.transshipment_usd
        return out

    def with_overrides(self, overrides: Mapping[str, float]) -> CostModel:
        """A copy with dotted overrides, e.g. ``{"border_usd.rail": 250}``.

        Raises
        ------
        KeyError
            For an unknown parameter name.
        """
        per_km, border = dict(self.usd_per_km), dict(self.border_usd)
        port, trans = self.port_call_usd, self.transshipment_usd
        for key, value in overrides.items():
            group, _, mode = key.partition(".")
            if group == "usd_per_km" and mode in per_km:
                per_km[mode] = float(value)
            elif group == "border_usd" and mode in border:
                border[mode] = float(value)
            elif key == "port_call_usd":
                port = float(value)
            elif key == "transshipment_usd":
                trans = float(value)
            else:
                known = ", ".join(self.params())
                raise KeyError(f"unknown cost-model parameter {key!r}; known: {known}")
        sources = {**self.sources, **dict.fromkeys(overrides, "override")}
        return CostModel(
            _frozen(per_km), _frozen(border), port, trans, self.ranges, _frozen(sources)
        )

    def as_dict(self) -> dict[str, object]:
        """Plain mapping, for JSON and the README."""
        return {
            "usd_per_km": dict(self.usd_per_km),
            "border_usd": dict(self.border_usd),
            "port_call_usd": self.port_call_usd,
            "transshipment_usd": self.transshipment_usd,
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "sources": dict(self.sources),
        }


DEFAULT_COST_MODEL = CostModel()


def route_cost(metrics: Mapping[str, Any], model: CostModel | None = None) -> dict[str, float]:
    """The cost of a route from its :func:`corridors.analysis.metrics.route_metrics`.

    Returns
    -------
    dict
        ``haul_usd``, ``border_usd``, ``port_usd``, ``transshipment_usd`` and ``total_usd``,
        each rounded to 1 USD (per 20-tonne unit). Pipeline and missing km cost nothing here:
        a missing link has no service to price.
    """
    m = model or DEFAULT_COST_MODEL
    legs = metrics.get("legs", [])
    haul = sum(
        float(leg["length_km"]) * m.usd_per_km.get(str(leg["mode"]), 0.0)
        for leg in legs
        if not leg.get("missing")
    )
    border = sum(m.border_usd.get(c["mode"], 0.0) for c in metrics.get("border_crossings", []))
    changes = metrics.get("transshipments", [])
    port_calls = sum(1 for t in changes if t["from"] in _WATER or t["to"] in _WATER)
    if legs and legs[0]["mode"] in _WATER:
        port_calls += 1
    if legs and legs[-1]["mode"] in _WATER:
        port_calls += 1
    land = [t for t in changes if t["from"] not in _WATER and t["to"] not in _WATER]
    trans = (len(metrics.get("gauge_breaks", [])) + len(land)) * m.transshipment_usd
    port = port_calls * m.port_call_usd
    return {
        "haul_usd": round(haul),
        "border_usd": round(border),
        "port_usd": round(port),
        "transshipment_usd": round(trans),
        "total_usd": round(haul + border + port + trans),
    }
