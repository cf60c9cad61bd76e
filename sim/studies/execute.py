"""Running a study's tasks: in this process, or on a Dask cluster (an edge: it runs the core,
never changes it).

:func:`execute` cuts a :class:`~sim.studies.tasks.Work` into chunks of rows and gathers their
columns in row order.  In process (the default) the chunks run one after the other.  With
``workers`` it starts a ``distributed.LocalCluster`` of that many worker processes; with
``scheduler`` it joins a running cluster.  Either way the work (the job and its prepared bases)
is scattered to the workers once, each task is a range of rows and returns only those rows,
and a chunk whose worker dies is run again by the scheduler (``retries`` as well), with the
same result since a chunk is a pure function of its range.  Ctrl-C cancels what is left and
closes the cluster before :class:`KeyboardInterrupt` goes on.
"""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Final

import numpy as np
from attrs import frozen

from sim.errors import SimError
from sim.studies.design import Columns
from sim.studies.tasks import Work

__all__ = ["CHUNK", "CONNECT_TIMEOUT", "Runner", "execute"]

CHUNK: Final = 1000
"""Samples per task, unless the caller says otherwise."""
CONNECT_TIMEOUT: Final = 10.0
"""Seconds to wait for a Dask scheduler to answer."""
RETRIES: Final = 2
"""How often a task that failed (not a worker that died: the scheduler reruns those) is tried
again."""

Progress = Callable[[int], None]


STEP: Final = 50
"""Rows run between two looks at Ctrl-C, in process."""


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """Note every SIGINT while the block runs, as well as raising :class:`KeyboardInterrupt`
    where it lands: Python cannot raise it through C code that swallows exceptions (a dict
    lookup calling ``__eq__``), so the in-process loop also looks at the note every
    :data:`STEP` rows.  Outside the main thread, nothing changes."""
    noted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    before = signal.getsignal(signal.SIGINT)

    def note(signum: int, frame: FrameType | None) -> None:
        noted.set()
        if callable(before):
            before(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, before)


def ranges(size: int, chunk: int) -> list[tuple[int, int]]:
    """The chunks of ``size`` rows, ``chunk`` at a time."""
    return [(start, min(start + chunk, size)) for start in range(0, size, max(1, chunk))]


class _Rows:
    """A study's rows, each chunk copied into its place as it arrives and then let go: memory
    holds the rows once (and a chunk), not every chunk and then their concatenation."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.columns: Columns = {}

    def put(self, start: int, part: Columns) -> None:
        if not self.columns:
            self.columns = {
                name: np.empty(self.size, dtype=values.dtype) for name, values in part.items()
            }
        for name, values in part.items():
            self.columns[name][start : start + len(values)] = values


@frozen
class _Failed:
    """A task's :class:`SimError`, returned as a value: bad input is not a failure of the
    worker, to be retried or logged with a traceback there."""

    error: SimError


def _run(work: Work, start: int, stop: int) -> Columns | _Failed:
    try:
        return work.run(start, stop)
    except SimError as exc:
        return _Failed(exc)


class Runner:
    """Where a study's tasks run, for as long as the ``with`` block lasts: in this process
    (neither ``workers`` nor ``scheduler``), on a ``distributed.LocalCluster`` of ``workers``
    processes, or on the Dask cluster whose scheduler is at ``scheduler``."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        if workers is not None and scheduler is not None:
            raise SimError(
                what="--workers and --scheduler cannot be used together",
                hint="--workers starts a cluster here; --scheduler uses one that runs already",
                code="bad-option",
            )
        if workers is not None and workers < 1:
            raise SimError(
                what="--workers must be at least 1", found=str(workers), code="bad-option"
            )
        self.workers = workers
        self.scheduler = scheduler
        self.connect_timeout = connect_timeout
        self.cluster: Any = None
        self.client: Any = None

    @property
    def local(self) -> bool:
        """Whether the tasks run in this process."""
        return self.workers is None and self.scheduler is None

    def __enter__(self) -> Runner:
        if self.local:
            return self
        from distributed import Client, LocalCluster

        try:
            if self.scheduler is not None:
                self.client = _connect(Client, self.scheduler, self.connect_timeout)
                _workers(self.client, self.scheduler, self.connect_timeout)
            else:
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # no dashboard, but the scheduler serves /health and /metrics all the same:
                    # on a free port, not on 8787, which another cluster may hold (a warning)
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the client and the cluster this runner started."""
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def run(self, work: Work, *, chunk: int = CHUNK, progress: Progress | None = None) -> Columns:
        """Every row of ``work``, in order.  ``progress`` is told how many rows each finished
        chunk held."""
        chunks = ranges(work.job.size, chunk)
        if self.local:
            rows = _Rows(work.job.size)
            with _interruptible() as interrupted:
                for start, stop in chunks:
                    for first, last in ranges(stop - start, STEP):
                        rows.put(start + first, work.run(start + first, start + last))
                        if interrupted.is_set():
                            raise KeyboardInterrupt
                    if progress is not None:
                        progress(stop - start)
            return rows.columns
        return self._on_dask(work, chunks, progress)

    def _on_dask(
        self, work: Work, chunks: list[tuple[int, int]], progress: Progress | None
    ) -> Columns:
        from distributed import as_completed

        client = self.client
        futures: list[Any] = []
        try:
            remote = client.scatter(work, broadcast=True)
            token = uuid.uuid4().hex[:12]
            keys = {f"sim-study-{token}-{k}": k for k in range(len(chunks))}
            futures = [
                client.submit(_run, remote, start, stop, key=key, retries=RETRIES, pure=False)
                for key, (start, stop) in zip(keys, chunks, strict=True)
            ]
            rows = _Rows(work.job.size)
            for future in as_completed(futures):
                k = keys[future.key]
                found = future.result()
                future.release()
                if isinstance(found, _Failed):
                    raise found.error
                start, stop = chunks[k]
                rows.put(start, found)
                del found
                if progress is not None:
                    progress(stop - start)
            return rows.columns
        finally:
            client.cancel(futures)


def execute(
    work: Work,
    *,
    chunk: int = CHUNK,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    progress: Progress | None = None,
) -> Columns:
    """Every row of ``work``, in order, run by a :class:`Runner` made for it."""
    with Runner(workers=workers, scheduler=scheduler, connect_timeout=connect_timeout) as runner:
        return runner.run(work, chunk=chunk, progress=progress)


def _workers(client: Any, address: str, timeout: float) -> None:
    """Wait up to ``timeout`` seconds for the cluster to have a worker (a study on a scheduler
    without any would wait for ever)."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise SimError(
            what=f"the Dask scheduler at {address} has no workers (waited {timeout:g} s)",
            hint=f"start one with `dask worker {address}`",
            code="no-scheduler",
        ) from None


def _connect(client_type: Any, address: str, timeout: float) -> Any:
    try:
        return client_type(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise SimError(
            what=f"cannot reach the Dask scheduler at {address} (waited {timeout:g} s)",
            expected="a running `dask scheduler` at that address (tcp://HOST:8786)",
            found=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            hint="start one with `dask scheduler`, and workers with `dask worker ADDRESS`; "
            "or run in process (no --scheduler) or on local workers (--workers N)",
            code="no-scheduler",
        ) from None
    except ValueError as exc:
        raise SimError(
            what=f"not a Dask scheduler address: {address!r}",
            expected="tcp://HOST:PORT",
            found=str(exc),
            code="no-scheduler",
        ) from None
