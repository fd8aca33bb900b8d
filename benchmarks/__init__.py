"""Benchmarks against the peers, on the same work, in one run (``make bench``).

A plain timing harness (``time.perf_counter``; warm-up runs, then repeats; medians and
p95). Every row times our code and a peer on the same work in the same run and gives the
ratio peer/ours ("x times faster"). The report is written atomically to
``benchmarks/RESULTS.md`` (or ``--out``) and printed.

Work items (issue 8), one module each:

1. :mod:`~benchmarks.od`: ad-hoc rail routing between corridor waypoints (scgraph, networkx);
2. :mod:`~benchmarks.all_corridors`: all corridors end to end, warm and in a fresh process,
   and the cold CLI ``compare``;
3. :mod:`~benchmarks.sea`: sea legs (searoute);
4. :mod:`~benchmarks.network`: network build from the registry data, warm load from the
   cache, peak RSS (importing scgraph-data's graphs);
5. :mod:`~benchmarks.maps`: maps (folium with plain GeoJSON lines and CDN links);
6. :mod:`~benchmarks.scenarios`: scenario evaluations (a fresh routing graph for each).

Shared pieces: :mod:`~benchmarks._harness` (stats, measure, child processes, ``Report``,
``Row``, ``Target``, ``Context``), :mod:`~benchmarks._inputs` (routers on the same graph,
OD pairs, agreement), :mod:`~benchmarks.results` (the RESULTS writer) and
:mod:`~benchmarks.run` (the runner: ``python benchmarks/run.py [--quick] [--out PATH]``).

A new benchmark (e.g. sweeps) is a module with one ``bench_<name>(ctx: Context) -> None``
that appends its rows, targets and notes to ``ctx.report``, listed in
:data:`benchmarks.run.BENCHMARKS`.

``--quick`` runs every measure it can on tiny inputs (for the smoke test): the numbers
then say nothing about speed.
"""
