"""Item 3: sea legs against ``searoute`` on the same ports."""

from __future__ import annotations

import math
from typing import Any

from benchmarks._harness import Context, Pair, Row, fmt_time, log, time_each
from benchmarks._inputs import agreement, found, ours_router


def bench_sea(ctx: Context) -> None:
    """Item 3: sea and ferry legs of the definitions, ours vs searoute."""
    import searoute

    report = ctx.report
    seen: dict[tuple[float, ...], Pair] = {}
    for c in ctx.corridors:
        for leg in c.legs:
            if leg.mode.value in ("sea", "ferry"):
                key = (leg.start.lon, leg.start.lat, leg.end.lon, leg.end.lat)
                seen.setdefault(key, (leg.start, leg.end))
    pairs = list(seen.values())[: 1 if ctx.quick else None]
    repeats = 3 if ctx.quick else 20
    log(f"3 sea legs: {len(pairs)} port pairs")
    ours = ours_router(ctx.net, "sea")

    def peer(a: Any, b: Any) -> float | None:
        feature = searoute.searoute([a.lon, a.lat], [b.lon, b.lat], units="km")
        length = feature["properties"]["length"]
        return float(length) if math.isfinite(length) and length > 0 else None

    for a, b in pairs:
        ours(a, b)
        peer(a, b)
    ours_s, ours_km = time_each(ours, pairs, repeats=repeats)
    peer_s, peer_km = time_each(peer, pairs, repeats=repeats)
    # searoute measures from the MARNET vertices nearest the ports; ours includes the approach
    with_ends = [
        searoute.searoute([a.lon, a.lat], [b.lon, b.lat], units="km", append_orig_dest=True)[
            "properties"
        ]["length"]
        for a, b in pairs
    ]
    report.rows.append(
        Row(
            "3",
            f"sea/ferry legs, {len(pairs)} port pairs: median per query",
            ours_s.median,
            "searoute",
            peer_s.median,
            note=f"paths: ours {found(ours_km)}, peer {found(peer_km)}; "
            f"{agreement(ours_km, peer_km)}",
        )
    )
    report.details.append(
        (
            "Sea legs: each port pair, ours (`route(a, b, net, modes='sea')`) vs searoute",
            [
                "from",
                "to",
                "ours km",
                "searoute km",
                "searoute km, port to port",
                "ours",
                "searoute",
                "peer/ours",
            ],
            [
                [
                    a.name,
                    b.name,
                    _km(ko),
                    _km(kp),
                    _km(ke),
                    fmt_time(to),
                    fmt_time(tp),
                    f"{tp / to:.2f}×",
                ]
                for (a, b), ko, kp, ke, to, tp in zip(
                    pairs, ours_km, peer_km, with_ends, ours_s.samples, peer_s.samples, strict=True
                )
            ],
        )
    )
    report.notes.append(
        "3: distinct port pairs of the definitions' sea and ferry legs; ours is "
        "`route(a, b, net, modes='sea')` on the MARNET-derived sea edges of our network "
        "(Volga–Don excluded), searoute is `searoute.searoute([lon, lat], [lon, lat])` "
        "(length in km, its default restrictions); one untimed call each first (searoute "
        f"loads its graph on the first call); per pair the median of {repeats}. searoute's "
        "length runs between the MARNET vertices nearest the ports; the 'port to port' column "
        "(`append_orig_dest=True`, untimed) adds the approaches, as our length does."
    )


def _km(v: float | None) -> str:
    return "no path" if v is None else f"{v:,.0f}"
