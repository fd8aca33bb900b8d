"""``corridors sweep``: link criticality and uncertainty sweeps on Dask distributed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corridors._errors import ClusterError, CorridorsError
from corridors.outputs._format import iter_json, render_rows, to_json

__all__ = ["register"]


def _err(text: str) -> None:
    sys.stderr.write(f"corridors: {text}\n")


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _network(args: argparse.Namespace) -> Any:
    from corridors.network.build import load_network

    return load_network(args.source, progress=not args.quiet and sys.stderr.isatty())


def _ids(args: argparse.Namespace) -> list[str]:
    from corridors.definitions._load import corridor_ids, load

    if args.all:
        return list(corridor_ids())
    for cid in args.ids:
        load(cid)  # unknown ids fail here, before the cluster starts
    return list(args.ids)


def _write_tables(rows: Iterable[Mapping[str, Any]], out: Path, stem: str) -> list[Path]:
    """``stem``.csv and ``stem``.json of the rows (read twice, a row at a time); none if empty."""
    import csv

    from corridors._io import atomic_write

    first = next(iter(rows), None)
    if first is None:
        return []
    csv_path, json_path = out / f"{stem}.csv", out / f"{stem}.json"

    def write_csv(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(first))
            w.writeheader()
            w.writerows(rows)

    def write_json(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(iter_json(rows))

    atomic_write(csv_path, write_csv)
    atomic_write(json_path, write_json)
    return [csv_path, json_path]


def _checked_scheduler(args: argparse.Namespace) -> str:
    from corridors.analysis._engine import resolve_scheduler

    return resolve_scheduler(args.scheduler)


def _cmd_criticality(args: argparse.Namespace) -> int:
    from corridors.analysis import criticality as cr
    from corridors.analysis import odmatrix as om

    scheduler = _checked_scheduler(args)
    items = [cr.Item("corridor", cid) for cid in _ids(args)] if (args.ids or args.all) else []
    pairs = cr.items_from_od_file(args.od) if args.od else []
    if args.matrix is not None:
        if not 2 <= args.matrix <= 50:
            raise CorridorsError(f"--matrix {args.matrix}: give 2 to 50 main places")
        names = [p.name for p in _main_places()][: args.matrix]
        pairs += om.matrix_items("rail", names)
    if not items and not pairs:
        raise CorridorsError("nothing to sweep: give corridor ids, --all, --od FILE or --matrix")
    out = Path(args.out)
    from corridors.analysis._engine import connect

    with connect(scheduler, args.workers) as client:
        net = _network(args)
        common: dict[str, Any] = {
            "scheduler": scheduler,
            "client": client,
            "progress": not args.quiet,
            "keep": False,
        }
        failed: list[str] = []
        elements: dict[str, Any] = {}
        runs = []
        parquets: list[Path] = []
        if items:
            parquets.append(
                out / ("criticality_corridors.parquet" if pairs else "criticality.parquet")
            )
            _, run, f, e = cr.sweep_criticality(
                items, net, batch_size=args.batch_size, parquet=parquets[-1], **common
            )
            failed, elements = failed + f, {**elements, **e}
            runs.append(run)
        if pairs:
            parquets.append(out / ("criticality_od.parquet" if items else "criticality.parquet"))
            _, run, f, e = om.sweep_od(
                pairs, net, batch_size=args.batch_size * 25, parquet=parquets[-1], **common
            )
            failed, elements = failed + f, {**elements, **e}
            runs.append(run)
    # the rows were streamed to Parquet as they came; read back as Arrow columns, ranked,
    # and made a chunk at a time for each table, so no table holds every row as dicts
    rows = cr.RankedRows([p for p in parquets if p.exists()])
    overall = cr.rank_overall(rows)
    written = list(parquets)
    written += _write_tables(rows, out, "criticality")
    written += _write_tables(overall, out, "criticality_overall")
    if args.map:
        from corridors.outputs.criticality_map import criticality_map
        from corridors.outputs.maps import save_map

        m = criticality_map(rows, elements, net, online=args.online)
        written.append(save_map(m, args.map, online=args.online))
    for line in failed:
        _err(f"baseline failed, skipped: {line}")
    top = [r for r in rows if r["rank"] <= args.top]
    cols = ("item", "rank", "element", "name", "cut", "delta_length_km", "delta_time_h")
    evaluations = sum(r.evaluations for r in runs)
    wall = sum(r.wall_s for r in runs)
    summary = {
        "scheduler": runs[0].scheduler,
        "workers": runs[0].workers,
        "batches": sum(r.batches for r in runs),
        "evaluations": evaluations,
        "wall_s": wall,
        "failed": len(failed),
    }
    if args.format == "json":
        _out(to_json({"run": summary, "rows": top, "overall": overall[: args.top]}))
    else:
        _out(render_rows([{c: r[c] for c in cols} for r in top], args.format))
    if not args.quiet:
        rate = evaluations / wall if wall > 0 else float("nan")
        _err(
            f"{evaluations} closures in {wall:.1f} s on {summary['workers']} worker(s) "
            f"({rate:.1f}/s); wrote {', '.join(str(p) for p in written)}"
        )
    return 0


def _main_places() -> Any:
    from corridors.geo.geodata import main_places

    return main_places()


def _cmd_uncertainty(args: argparse.Namespace) -> int:
    from corridors.analysis import uncertainty as un

    scheduler = _checked_scheduler(args)
    if args.samples < 1:
        raise CorridorsError(f"--samples {args.samples}: must be at least 1")
    ids = _ids(args) if (args.ids or args.all) else ["btk", "zangezur", "middle-corridor"]
    out = Path(args.out)
    from corridors.analysis._engine import connect

    with connect(scheduler, args.workers) as client:
        net = _network(args)
        rows, run = un.sweep_uncertainty(
            ids,
            net,
            samples=args.samples,
            seed=args.seed,
            as_of=args.as_of,
            scheduler=scheduler,
            client=client,
            batch_size=args.batch_size,
            parquet=out / "uncertainty.parquet",
            progress=not args.quiet,
        )
    summary, pairs = un.summarise(rows, ids)
    written = [out / "uncertainty.parquet"]
    written += _write_tables(summary, out, "uncertainty_summary")
    written += _write_tables(pairs, out, "uncertainty_pairs")
    if args.format == "json":
        _out(to_json({"run": run.__dict__, "summary": summary, "pairs": pairs}))
    else:
        _out(render_rows(summary, args.format))
        if pairs:
            _out(render_rows(pairs, args.format))
    if not args.quiet:
        _err(
            f"{run.evaluations} evaluations in {run.wall_s:.1f} s on {run.workers} worker(s); "
            f"wrote {', '.join(str(p) for p in written)}"
        )
    return 0


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except ClusterError as exc:
            if args.debug:
                raise
            _err(str(exc))
            return 1

    return run


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", help="corridor ids")
    p.add_argument("--all", action="store_true", help="every shipped corridor and variant")
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="local (default: a LocalCluster of processes), none (this process) or "
        "tcp://HOST:PORT; default $CORRIDORS_DASK_SCHEDULER",
    )
    p.add_argument("--workers", type=int, metavar="N", help="processes of a local cluster")
    p.add_argument("--out", default="sweeps", help="output folder (default: sweeps)")
    p.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    p.add_argument(
        "--source",
        default="bundled+osm",
        help="bundled+osm (offline default), bundled (the backbone alone), "
        "or a .osm/.osm.pbf/.graphml/.geojson file",
    )


def register(sub: Any) -> None:
    """Add ``corridors sweep criticality|uncertainty``."""
    p = sub.add_parser("sweep", help="criticality and uncertainty sweeps on Dask")
    kinds = p.add_subparsers(dest="sweep", metavar="KIND", required=True)

    c = kinds.add_parser("criticality", help="close each link a baseline uses; reroute; rank")
    _common(c)
    c.add_argument("--od", metavar="FILE", help="CSV of from,to[,mode] place pairs to sweep too")
    c.add_argument(
        "--matrix",
        type=int,
        nargs="?",
        const=50,
        metavar="N",
        help="every pair of the first N (default all 50) main places of the gazetteer "
        "(geodata/main_places.yaml), by rail: 1,225 pairs",
    )
    c.add_argument(
        "--batch-size",
        type=int,
        default=8,
        help="closures per task (default 8; OD pairs: 25 times as many, whole closures)",
    )
    c.add_argument("--top", type=int, default=5, help="rows per corridor to print (default 5)")
    c.add_argument("--map", metavar="OUT.html", help="map of the links by criticality")
    c.add_argument("--online", action="store_true", help="map with OpenStreetMap tiles")
    c.set_defaults(handler=_guarded(_cmd_criticality))

    u = kinds.add_parser("uncertainty", help="Monte Carlo over time, cost and link openings")
    _common(u)
    u.add_argument("--samples", type=int, required=True, metavar="N", help="draws per corridor")
    u.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    u.add_argument("--as-of", type=int, default=2030, metavar="YEAR", help="links open by YEAR")
    u.add_argument("--batch-size", type=int, default=10, help="samples per task (default 10)")
    u.set_defaults(handler=_guarded(_cmd_uncertainty))
