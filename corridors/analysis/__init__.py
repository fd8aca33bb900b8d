"""The analysis stage: metrics of routed corridors, the time model and scenarios.

Imports everything below it (core, geo, definitions, network, routing), never outputs.
"""

from corridors.analysis.metrics import compare, compare_rows, fastest_route, route_metrics
from corridors.analysis.scenarios import load_scenario, run_scenario
from corridors.analysis.timemodel import DEFAULT_TIME_MODEL, TimeModel

__all__ = [
    "DEFAULT_TIME_MODEL",
    "TimeModel",
    "compare",
    "compare_rows",
    "fastest_route",
    "load_scenario",
    "route_metrics",
    "run_scenario",
]
