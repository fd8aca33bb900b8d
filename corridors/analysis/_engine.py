"""The sweep engine: batches of evaluations on Dask distributed, or in this process.

Every sweep (criticality, uncertainty) is a list of *batches*; a batch is evaluated by a
module-level function ``func(network, batch) -> list[row]``. The engine

- connects to a scheduler (``"local"``: a :class:`distributed.LocalCluster` of worker
  processes on this machine; ``"tcp://HOST:PORT"``: any running Dask cluster; ``"none"``:
  no Dask, this process), taken from the argument, else the ``CORRIDORS_DASK_SCHEDULER``
  environment variable, else ``"local"``;
- sends the network to every worker once (``Client.scatter(..., broadcast=True)``): tasks
  carry only a reference to it, so a task's payload is its batch (a few hundred bytes);
- streams the rows of finished batches, in batch order, to a Parquet file that is written
  under a temporary name and renamed when the sweep is complete (a failed sweep leaves
  nothing behind);
- shows progress on a terminal (tqdm on stderr).

Rows are returned in batch order whatever the order in which the workers finish, and each
batch is a pure function of the network and the batch, so a sweep on any number of workers
gives exactly the rows of a single-process run. A worker that dies mid-sweep loses only its
running tasks: the scheduler runs them again elsewhere (``distributed.scheduler.allowed-
failures``), on the copy of the network the other workers hold.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridors._errors import ClusterError, OptionalDependencyError

__all__ = [
    "SCHEDULER_ENV",
    "SweepRun",
    "batched",
    "connect",
    "local_cluster",
    "resolve_scheduler",
    "run_batches",
]

#: Environment variable naming the default scheduler (``local``, ``none`` or an address).
SCHEDULER_ENV = "CORRIDORS_DASK_SCHEDULER"

#: Seconds to wait for a remote scheduler before giving up.
CONNECT_TIMEOUT_S = 5

#: Variables of Dask's ``distributed.nanny.pre-spawn-environ`` that a local cluster's
#: workers are started without. glibc turns off its dynamic mmap threshold once
#: ``MALLOC_TRIM_THRESHOLD_`` is set, so every array over 128 kB is mapped afresh and its
#: pages faulted in again; the sweeps allocate such arrays for each closure, and a worker
#: ran the criticality of BTK at half this process's speed (40 batches: 14.3 s against
#: 7.4 s; 8.6 s without the variable).
WORKER_ENV_DROPPED = ("MALLOC_TRIM_THRESHOLD_",)

BatchFunc = Callable[[Any, Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class SweepRun:
    """What a sweep ran on and how long it took.

    Parameters
    ----------
    scheduler
        ``"none"``, ``"local"`` or the scheduler's address.
    workers
        Number of worker processes (1 for ``"none"``).
    batches, evaluations
        Number of tasks and of route evaluations.
    wall_s
        Wall time of the evaluations in seconds (the cluster's start-up not included).
    """

    scheduler: str
    workers: int
    batches: int
    evaluations: int
    wall_s: float

    @property
    def evaluations_per_s(self) -> float:
        """Evaluations per second over all workers."""
        return self.evaluations / self.wall_s if self.wall_s > 0 else float("nan")


def resolve_scheduler(scheduler: str | None) -> str:
    """The scheduler to use: the argument, else ``$CORRIDORS_DASK_SCHEDULER``, else ``local``.

    Raises
    ------
    ClusterError
        For a value that is neither ``local``, ``none`` nor a ``tcp://``/``tls://`` address.
    """
    value = (scheduler or os.environ.get(SCHEDULER_ENV) or "local").strip()
    if value.lower() in ("local", "none"):
        return value.lower()
    if "://" not in value:
        value = f"tcp://{value}"
    proto = value.split("://", 1)[0]
    if proto not in ("tcp", "tls", "inproc", "ucx", "ws", "wss"):
        raise ClusterError(
            f"--scheduler {value!r}: expected 'local', 'none' or an address such as tcp://HOST:8786"
        )
    return value


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise OptionalDependencyError(
            "sweeps need dask.distributed: pip install 'dask[distributed]'"
        ) from exc
    return distributed


@contextmanager
def local_cluster(n_workers: int | None = None) -> Iterator[Any]:
    """A :class:`distributed.LocalCluster` of worker processes, one thread each.

    ``n_workers`` defaults to the CPUs, at most 4. Workers start without the variables of
    :data:`WORKER_ENV_DROPPED` (read when each nanny is made, so a worker that is
    restarted keeps that environment); a dashboard on a free port.
    """
    import dask

    distributed = _distributed()
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    # None unsets a variable (distributed.nanny._get_env_variables), whatever the config merges
    environ |= dict.fromkeys(WORKER_ENV_DROPPED)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = distributed.LocalCluster(
            n_workers=n_workers or min(os.cpu_count() or 1, 4),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never clash with another cluster
            silence_logs=50,
        )
    with cluster:
        yield cluster


@contextmanager
def connect(scheduler: str | None, n_workers: int | None = None) -> Iterator[Any]:
    """A connected :class:`distributed.Client` (``None`` for ``"none"``), before any work.

    A local cluster lives as long as the context.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached.
    """
    with _client(resolve_scheduler(scheduler), n_workers, None) as c:
        yield c


@contextmanager
def _client(scheduler: str, n_workers: int | None, client: Any) -> Iterator[Any]:
    """A connected client (``None`` for ``"none"``); a local cluster lives as long as it."""
    if client is not None or scheduler == "none":
        yield client
        return
    distributed = _distributed()
    if scheduler == "local":
        with local_cluster(n_workers) as cluster, distributed.Client(cluster) as c:
            yield c
        return
    try:
        c = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(
            f"cannot reach the Dask scheduler at {scheduler} ({detail[:160]}); check "
            f"--scheduler or {SCHEDULER_ENV}, or use --scheduler local"
        ) from None
    try:
        yield c
    finally:
        c.close()


def _writer(path: Path | None, schema: Any) -> tuple[Any, Path | None]:
    if path is None:
        return None, None
    import tempfile

    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return pq.ParquetWriter(name, schema), Path(name)


def run_batches(
    func: BatchFunc,
    network: Any,
    batches: Sequence[Any],
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    client: Any = None,
    parquet: Path | None = None,
    schema: Any = None,
    to_table: Callable[[list[dict[str, Any]]], Any] | None = None,
    progress: bool = False,
    on_batch: Callable[[int], None] | None = None,
    what: str = "evaluations",
    evaluations: int | None = None,
    keep: bool = True,
) -> tuple[list[dict[str, Any]], SweepRun]:
    """Evaluate ``func(network, batch)`` for every batch; rows in batch order.

    Parameters
    ----------
    func
        A module-level function (workers import it by name).
    network
        Sent to each worker once.
    batches
        The work; each batch is small (ids and parameters), the network is not in it.
    scheduler
        ``"local"``, ``"none"`` or an address (see :func:`resolve_scheduler`).
    n_workers
        Worker processes of a local cluster (default: the CPUs, at most 4).
    client
        An existing :class:`distributed.Client` to use instead (tests).
    parquet, schema, to_table
        Stream each batch's rows (``to_table(rows)``, a :class:`pyarrow.Table` of
        ``schema``) to this file, renamed into place once every batch is in.
    progress
        Show a progress bar on stderr.
    on_batch
        Called with the number of batches done after each one arrives.
    what, evaluations
        Label and count of evaluations for the progress bar and :class:`SweepRun`.
    keep
        Return the rows. With ``False`` they are only streamed to ``parquet`` (which is then
        required) and the list returned is empty: memory no longer grows with the sweep.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached (before anything is written).
    """
    import time

    from tqdm import tqdm

    if not keep and (parquet is None or to_table is None):
        raise ValueError("keep=False needs a parquet file and to_table: the rows go there")
    sched = "client" if client is not None else resolve_scheduler(scheduler)
    label = resolve_scheduler(scheduler) if scheduler else sched
    total = evaluations if evaluations is not None else len(batches)
    bar = tqdm(
        total=len(batches),
        desc=f"sweep ({what})",
        unit="batch",
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
    )
    results: dict[int, list[dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    with _client(sched, n_workers, client) as c:
        writer, tmp = _writer(parquet, schema)
        next_index = 0

        def flush() -> None:
            nonlocal next_index
            while next_index in results:
                rows = results.pop(next_index)
                if keep:
                    out.extend(rows)
                if writer is not None and rows and to_table is not None:
                    writer.write_table(to_table(rows))
                next_index += 1

        start = time.perf_counter()
        try:
            if c is None:
                workers = 1
                for i, batch in enumerate(batches):
                    results[i] = func(network, batch)
                    flush()
                    bar.update()
                    if on_batch is not None:
                        on_batch(i + 1)
            else:
                distributed = _distributed()
                workers = len(c.scheduler_info().get("workers", {})) or 1
                [net_future] = c.scatter([network], broadcast=True, hash=False)
                futures = [
                    c.submit(func, net_future, batch, key=f"sweep-{i}-{id(batches)}", pure=False)
                    for i, batch in enumerate(batches)
                ]
                index = {f.key: i for i, f in enumerate(futures)}
                for done, fut in enumerate(distributed.as_completed(futures), start=1):
                    try:
                        results[index[fut.key]] = fut.result()
                    except distributed.KilledWorker as exc:
                        raise ClusterError(
                            f"batch {index[fut.key]} was lost: the workers running it died "
                            f"too often ({exc}); check the workers' memory and logs"
                        ) from None
                    fut.release()
                    flush()
                    bar.update()
                    if on_batch is not None:
                        on_batch(done)
            wall = time.perf_counter() - start
            if writer is not None:
                writer.close()
                writer = None
                assert tmp is not None and parquet is not None
                mask = os.umask(0)
                os.umask(mask)
                tmp.chmod(0o666 & ~mask)  # mkstemp makes 0600; give the file the usual mode
                tmp.replace(parquet)
        finally:
            bar.close()
            if writer is not None:
                writer.close()
            if tmp is not None and tmp.exists():
                tmp.unlink()
    return out, SweepRun(label, workers, len(batches), total, wall)


def batched(items: Sequence[Any], size: int) -> list[list[Any]]:
    """``items`` cut into lists of at most ``size``, in order."""
    size = max(1, int(size))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
