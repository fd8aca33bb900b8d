"""Monte Carlo over the time and cost models and over which links are open by a year.

Each sample draws every parameter of :class:`~corridors.analysis.timemodel.TimeModel` and
:class:`~corridors.analysis.costmodel.CostModel` from a triangular distribution
``(low, mode, high)`` with the default as the mode, and, for every link not yet built that
has an expected year, a delay in years (uniform on ``[0, MAX_DELAY_YEARS]``): the link is open
in that sample when ``expected_year + delay <= as_of``. Sample ``i`` uses the random
generator ``numpy.random.default_rng([seed, i])``, so a sample is the same whichever batch
or worker evaluates it and a sweep on a cluster equals a single-process one.

How the time ranges are derived (CAREC CPMM annual averages, ADB):

- rail border dwell: low 20.6 h (CPMM 2019 rail average border-crossing time, the lowest
  annual average we have), mode 40.6 h (2022, the default), high 60.6 h (the default plus
  the same spread: an assumption);
- road border dwell: low and mode 9.9 h (2022), high 15.1 h (2020, the highest annual
  average we have);
- rail speed: low 42.2 km/h (CPMM 2020 rail speed without delay), mode and high 53.9 km/h
  (2022);
- road speed ±20 % around the 2022 value, ferry 10–14 knots, sea 12–18 knots, port dwell
  12–72 h and transshipment 2–12 h are project assumptions; so is the delay of up to
  ``MAX_DELAY_YEARS`` for links being built (megaprojects run late more often than early).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corridors._errors import InfeasibleRouteError, SnapError
from corridors.analysis.costmodel import DEFAULT_COST_MODEL, CostModel, route_cost
from corridors.analysis.metrics import route_metrics
from corridors.analysis.timemodel import DEFAULT_TIME_MODEL, TimeModel
from corridors.model import Status
from corridors.network.core import Network
from corridors.routing import RoutingOptions, route_corridor

__all__ = [
    "MAX_DELAY_YEARS",
    "TIME_RANGES",
    "UNCERTAINTY_COLUMNS",
    "evaluate_samples",
    "summarise",
    "sweep_uncertainty",
]

#: Largest delay, in years, drawn for a link being built or planned.
MAX_DELAY_YEARS = 5.0

#: ``(low, mode, high)`` of each time-model parameter (see the module docstring).
TIME_RANGES: Mapping[str, tuple[float, float, float]] = {
    "border_dwell_h.rail": (20.6, 40.6, 60.6),
    "border_dwell_h.road": (9.9, 9.9, 15.1),
    "speed_kmh.rail": (42.2, 53.9, 53.9),
    "speed_kmh.road": (33.6, 42.0, 50.4),
    "speed_kmh.ferry": (18.5, 22.0, 25.9),
    "speed_kmh.sea": (22.2, 28.0, 33.3),
    "port_dwell_h": (12.0, 24.0, 72.0),
    "transshipment_h": (2.0, 6.0, 12.0),
}

UNCERTAINTY_COLUMNS = (
    "sample",
    "corridor",
    "time_h",
    "cost_usd",
    "length_km",
    "missing_km",
    "open_links",
)


@dataclass(frozen=True)
class _Batch:
    corridors: tuple[str, ...]
    samples: tuple[int, ...]
    seed: int
    as_of: int


def _tri(rng: np.random.Generator, low: float, mode: float, high: float) -> float:
    if high <= low:
        return float(low)
    return float(rng.triangular(low, mode, high))


def draw(
    seed: int, sample: int, links: Mapping[str, Any], as_of: int
) -> tuple[TimeModel, CostModel, tuple[str, ...]]:
    """The time model, cost model and open links of one sample."""
    rng = np.random.default_rng([seed, sample])
    times = {k: round(_tri(rng, *r), 3) for k, r in TIME_RANGES.items()}
    costs = {}
    for key, value in DEFAULT_COST_MODEL.params().items():
        low, high = DEFAULT_COST_MODEL.ranges[key]
        costs[key] = round(_tri(rng, low, min(max(value, low), high), high), 3)
    opened = []
    for name in sorted(links):
        lk = links[name]
        if lk.status in (Status.UNDER_CONSTRUCTION, Status.PLANNED) and lk.expected_year:
            delay = float(rng.uniform(0.0, MAX_DELAY_YEARS))
            if lk.expected_year + delay <= as_of:
                opened.append(name)
    return (
        DEFAULT_TIME_MODEL.with_overrides(times),
        DEFAULT_COST_MODEL.with_overrides(costs),
        tuple(opened),
    )


def evaluate_samples(network: Network, batch: _Batch) -> list[dict[str, Any]]:
    """Every corridor of the batch under each of its samples (a Dask task)."""
    from corridors.definitions._load import load
    from corridors.routing import _all_links

    corridors = [load(cid) for cid in batch.corridors]
    links = _all_links(corridors)
    rows = []
    for s in batch.samples:
        tm, cm, opened = draw(batch.seed, s, links, batch.as_of)
        opts = RoutingOptions(open_links=opened)
        for c in corridors:
            row: dict[str, Any] = {
                "sample": s,
                "corridor": c.id,
                "time_h": None,
                "cost_usd": None,
                "length_km": None,
                "missing_km": None,
                "open_links": ",".join(opened),
            }
            try:
                r = route_corridor(c, network, options=opts, links=links)
            except (InfeasibleRouteError, SnapError):
                rows.append(row)
                continue
            m = route_metrics(r, time_model=tm)
            row.update(
                time_h=m["time_h"],
                cost_usd=float(route_cost(m, cm)["total_usd"]),
                length_km=m["length_km"],
                missing_km=m["missing_km"],
            )
            rows.append(row)
    return rows


def _same_od(a: Any, b: Any, tol_deg: float = 0.5) -> bool:
    (a0, a1), (b0, b1) = (a.legs[0].start, a.legs[-1].end), (b.legs[0].start, b.legs[-1].end)

    def near(p: Any, q: Any) -> bool:
        return bool(abs(p.lon - q.lon) <= tol_deg and abs(p.lat - q.lat) <= tol_deg)

    return (near(a0, b0) and near(a1, b1)) or (near(a0, b1) and near(a1, b0))


def summarise(
    rows: Sequence[Mapping[str, Any]], corridor_ids: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """p10/p50/p90 hours and USD per corridor, and P(A faster than B) on the same OD.

    Two corridors share an origin–destination when their ends are within 0.5°; the
    probability is over the samples both complete (common random numbers).
    """
    from corridors.definitions._load import load

    per: dict[str, dict[int, float]] = {cid: {} for cid in corridor_ids}
    cost: dict[str, list[float]] = {cid: [] for cid in corridor_ids}
    for r in rows:
        if r["time_h"] is not None:
            per[str(r["corridor"])][int(r["sample"])] = float(r["time_h"])
            cost[str(r["corridor"])].append(float(r["cost_usd"]))
    summary = []
    for cid in corridor_ids:
        h = np.array(list(per[cid].values()))
        usd = np.array(cost[cid])
        q = np.percentile(h, [10, 50, 90]) if len(h) else [np.nan] * 3
        qc = np.percentile(usd, [10, 50, 90]) if len(usd) else [np.nan] * 3
        summary.append(
            {
                "corridor": cid,
                "samples": len(h),
                "p10_h": round(float(q[0]), 1),
                "p50_h": round(float(q[1]), 1),
                "p90_h": round(float(q[2]), 1),
                "p10_usd": round(float(qc[0])),
                "p50_usd": round(float(qc[1])),
                "p90_usd": round(float(qc[2])),
            }
        )
    pairs = []
    defs = {cid: load(cid) for cid in corridor_ids}
    for i, a in enumerate(corridor_ids):
        for b in corridor_ids[i + 1 :]:
            if not _same_od(defs[a], defs[b]):
                continue
            common = sorted(set(per[a]) & set(per[b]))
            if not common:
                continue
            wins = sum(per[a][s] < per[b][s] for s in common)
            pairs.append(
                {
                    "a": a,
                    "b": b,
                    "samples": len(common),
                    "p_a_faster": round(wins / len(common), 3),
                }
            )
    return summary, pairs


def sweep_uncertainty(
    corridor_ids: Sequence[str],
    network: Network,
    *,
    samples: int,
    seed: int = 0,
    as_of: int = 2030,
    scheduler: str | None = None,
    n_workers: int | None = None,
    client: Any = None,
    batch_size: int = 10,
    parquet: Path | None = None,
    progress: bool = False,
    on_batch: Any = None,
) -> tuple[list[dict[str, Any]], Any]:
    """Evaluate ``samples`` draws for each corridor on Dask (see :mod:`._engine`)."""
    from corridors.analysis._engine import batched, run_batches

    ids = tuple(corridor_ids)
    batches = [
        _Batch(ids, tuple(chunk), seed, as_of)
        for chunk in batched(list(range(samples)), batch_size)
    ]
    return run_batches(
        evaluate_samples,
        network,
        batches,
        scheduler=scheduler,
        n_workers=n_workers,
        client=client,
        parquet=parquet,
        schema=_schema(),
        to_table=_table,
        progress=progress,
        on_batch=on_batch,
        what="samples",
        evaluations=samples * len(ids),
    )


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("sample", pa.int64()),
            ("corridor", pa.string()),
            ("time_h", pa.float64()),
            ("cost_usd", pa.float64()),
            ("length_km", pa.float64()),
            ("missing_km", pa.float64()),
            ("open_links", pa.string()),
        ]
    )


def _table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, _schema())
