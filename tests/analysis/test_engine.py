"""The sweep engine on a real LocalCluster of two worker processes."""

from __future__ import annotations

import os
import signal

import pytest

from corridors._errors import ClusterError
from corridors.analysis._engine import batched, local_cluster, resolve_scheduler, run_batches
from corridors.analysis.criticality import Item, evaluate_batch, plan
from corridors.analysis.uncertainty import sweep_uncertainty


@pytest.fixture(scope="module")
def work(network):  # type: ignore[no-untyped-def]
    closures, failed = plan([Item("corridor", "btk")], network)
    assert not failed
    # a few closures of each kind keep the cluster tests short
    picked = [c for c in closures if c[1].kind != "segment"] + closures[:2]
    return batched(picked, 1)


@pytest.fixture(scope="module")
def single(network, work):  # type: ignore[no-untyped-def]
    rows, run = run_batches(evaluate_batch, network, work, scheduler="none")
    assert run.workers == 1
    return rows


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    with local_cluster(2) as cluster, distributed.Client(cluster) as c:
        yield c


def test_local_cluster_sweep_equals_single_process(network, work, single, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    from corridors.analysis.criticality import CRITICALITY_COLUMNS, _schema, _table

    out = tmp_path / "c.parquet"
    rows, run = run_batches(
        evaluate_batch,
        network,
        work,
        client=client,
        parquet=out,
        schema=_schema(),
        to_table=_table,
    )
    assert run.workers == 2
    assert rows == single
    table = pq.read_table(out)
    assert table.num_rows == len(single)
    assert table.column_names == list(CRITICALITY_COLUMNS)
    assert table.column("element").to_pylist() == [r["element"] for r in single]
    assert [p.name for p in tmp_path.iterdir()] == ["c.parquet"]


def test_a_sweep_not_keeping_its_rows_streams_every_row_to_parquet(
    network, work, single, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    from corridors.analysis.criticality import CRITICALITY_COLUMNS, _schema, _table

    out = tmp_path / "c.parquet"
    args = {"scheduler": "none", "schema": _schema(), "to_table": _table}
    rows, run = run_batches(evaluate_batch, network, work, parquet=out, keep=False, **args)
    assert rows == [] and run.evaluations == len(work)
    assert pq.read_table(out).to_pylist() == [
        {c: r[c] for c in CRITICALITY_COLUMNS} for r in single
    ]
    with pytest.raises(ValueError, match="keep=False needs a parquet file and to_table"):
        run_batches(evaluate_batch, network, work, keep=False, **args)


def test_a_worker_killed_mid_sweep_still_gives_the_same_rows(network, work, single, client) -> None:  # type: ignore[no-untyped-def]
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one(done: int) -> None:
        if not killed:
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    rows, _ = run_batches(evaluate_batch, network, work, client=client, on_batch=kill_one)
    assert killed
    assert rows == single


def test_uncertainty_on_the_cluster_equals_single_process(network, client) -> None:  # type: ignore[no-untyped-def]
    kw = {"samples": 4, "seed": 7, "batch_size": 1}
    a, _ = sweep_uncertainty(["btk"], network, scheduler="none", **kw)
    b, _ = sweep_uncertainty(["btk"], network, client=client, **kw)
    assert a == b
    assert [r["sample"] for r in a] == [0, 1, 2, 3]
    assert len({r["time_h"] for r in a}) == 4


def test_an_unreachable_scheduler_is_one_clear_error_and_writes_nothing(
    network, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("corridors.analysis._engine.CONNECT_TIMEOUT_S", 1)
    out = tmp_path / "sub" / "x.parquet"
    with pytest.raises(
        ClusterError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        run_batches(evaluate_batch, network, [[]], scheduler="tcp://127.0.0.1:9", parquet=out)
    assert not out.parent.exists()


def test_resolve_scheduler(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CORRIDORS_DASK_SCHEDULER", raising=False)
    assert resolve_scheduler(None) == "local"
    assert resolve_scheduler("NONE") == "none"
    assert resolve_scheduler("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    monkeypatch.setenv("CORRIDORS_DASK_SCHEDULER", "tcp://h:1")
    assert resolve_scheduler(None) == "tcp://h:1"
    with pytest.raises(ClusterError, match="expected 'local', 'none' or an address"):
        resolve_scheduler("ftp://h:1")


def test_batched() -> None:
    assert batched(list(range(5)), 2) == [[0, 1], [2, 3], [4]]


def test_an_od_sweep_on_the_cluster_equals_single_process(network, client) -> None:  # type: ignore[no-untyped-def]
    from corridors.analysis.odmatrix import matrix_items, sweep_od

    # three pairs, two from Ararat: closures shared by pairs, one search for both Ararat pairs
    items = matrix_items("rail", ["Ararat", "Yerevan", "Gyumri"])
    a, run_a, failed_a, _ = sweep_od(items, network, scheduler="none", batch_size=5)
    b, run_b, failed_b, _ = sweep_od(items, network, client=client, batch_size=5)
    assert (run_a.workers, run_b.workers) == (1, 2)
    assert run_a.batches == run_b.batches > 2
    assert failed_a == failed_b == []
    assert a == b
    assert len(a) == run_a.evaluations == 17
    assert sum(1 for r in a if r["cut"]) == 6


def test_workers_drop_the_routing_queries_on_the_thread_that_made_them(network, client) -> None:  # type: ignore[no-untyped-def]
    import gc
    import time

    from corridors.analysis.odmatrix import matrix_items, sweep_od

    def record(dask_worker):  # type: ignore[no-untyped-def]
        import sys

        seen: list[str] = []
        sys.unraisablehook = lambda u: seen.append(f"{u.exc_value}")
        dask_worker.corridors_unraisable = seen

    def held(dask_worker):  # type: ignore[no-untyped-def]
        return len(dask_worker.data)

    client.run(record)
    items = matrix_items("rail", ["Ararat", "Yerevan", "Gyumri"])
    rows, run, _, _ = sweep_od(items, network, client=client, batch_size=5)
    assert (run.workers, len(rows)) == (2, 17)
    # the workers made their queries on their executor threads; the network (and every
    # metric with it) is released on their event loop threads once the sweep is done
    deadline = time.monotonic() + 30
    while any(client.run(held).values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(client.run(held).values())
    client.run(gc.collect)
    seen = client.run(lambda dask_worker: list(dask_worker.corridors_unraisable))
    assert list(seen.values()) == [[], []]


def test_local_workers_keep_glibc_s_dynamic_mmap_threshold(client) -> None:  # type: ignore[no-untyped-def]
    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which turns the threshold off
    # and made every closure's arrays page-fault afresh (a worker at half this process's
    # speed); the other variables it sets stay
    import dask

    seen = client.run(
        lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS"))
    )
    assert sorted(seen.values()) == [(None, "1"), (None, "1")]
    assert dask.config.get("distributed.nanny.pre-spawn-environ")["MALLOC_TRIM_THRESHOLD_"]
