"""Studies on Dask (issue 11): a real ``LocalCluster`` of two worker processes, and a cluster of
``dask scheduler`` and ``dask worker`` started as other programs, give exactly the rows the
study gives in process.  Each test is at its smallest useful size: a cluster's start costs
seconds, the samples milliseconds."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest

import sim
from sim.studies.bases import open_base, prepared_bases
from sim.studies.compiling import compile_study
from sim.studies.execute import Runner
from sim.studies.model import StudySpec, Within
from sim.studies.tasks import NecessityJob, SampleJob, Work

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
STUDIES = ROOT / "scenarios" / "studies"
BIN = Path(sys.executable).parent
DASK = shutil.which("dask", path=str(BIN)) or shutil.which("dask")


@contextmanager
def held(port: int) -> Iterator[None]:
    """``port`` taken for the block: by this test, or already by another program."""
    with socket.socket() as taken:
        try:
            taken.bind(("0.0.0.0", port))  # noqa: S104 (where a scheduler would listen)
            taken.listen()
        except OSError:
            pass  # held already
        yield


def test_a_local_cluster_of_two_workers_gives_exactly_the_in_process_rows() -> None:
    """One ``LocalCluster`` of two worker processes runs an uncertainty study and a necessity
    study (each in several chunks) as the commands do: every row is the one computed here.
    Another cluster's scheduler holds Dask's usual port 8787 meanwhile, as it may on a shared
    machine: this one starts all the same, without a warning."""
    base = open_base(BASELINE)
    spec = StudySpec(
        name="u", base="baseline", samples=24, seed=11, vary=(Within(target=None),),
        measures=("concluded", "concluded_at", "milestone:talks_resumed", "voided"),
    )  # fmt: skip
    study = compile_study(spec, base.ready)
    ids = tuple(e.id for e in base.ready.log.events)
    works = [
        (Work(job=SampleJob(study=study), bases=prepared_bases(base, study)), 5),
        (Work(job=NecessityJob(ids=ids), bases={(): base.ready}), 8),
    ]
    with held(8787), Runner() as here, Runner(workers=2) as there:
        for work, chunk in works:
            mine, theirs = here.run(work, chunk=chunk), there.run(work, chunk=chunk)
            assert list(mine) == list(theirs)
            for name in mine:
                assert mine[name].tolist() == theirs[name].tolist(), name
    assert len(mine["id"]) == 48


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def cluster(folder: Path, workers: int = 1) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A ``dask scheduler`` and ``workers`` ``dask worker`` processes on 127.0.0.1 (free
    ports), stopped after: the scheduler's address and the workers' processes."""
    if DASK is None:
        pytest.skip("the dask command is not installed (pip install 'sim[study]')")
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": folder}
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        **quiet,  # type: ignore[call-overload]
    )
    started: list[subprocess.Popen[bytes]] = []
    try:
        import distributed

        connect: Any = distributed.Client  # untyped

        deadline = time.monotonic() + 30
        client = None
        while client is None:
            try:
                client = connect(address, timeout=2)
            except OSError:
                if time.monotonic() > deadline:
                    raise
        worker = [DASK, "worker", address, "--host", "127.0.0.1", "--nthreads", "1"]
        started.extend(
            subprocess.Popen(
                [*worker, "--no-nanny", "--no-dashboard"],
                **quiet,  # type: ignore[call-overload]
            )
            for _ in range(workers)
        )
        client.wait_for_workers(workers, timeout=60)
        client.close()
        yield address, started
    finally:
        for process in [*started, scheduler]:
            _stop(process)


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    """A ``dask scheduler`` and one ``dask worker``, stopped after."""
    with cluster(tmp_path) as (address, _):
        yield address


def test_a_study_runs_on_a_cluster_of_dask_scheduler_and_dask_worker(scheduler: str) -> None:
    study = STUDIES / "final-offer-decisions.toml"
    there = subprocess.run(
        [
            str(BIN / "sim"),
            "study",
            str(study),
            "--samples",
            "40",
            "--sensitivity",
            "0",
            "--chunk",
            "10",
            "--json",
            "--scheduler",
            scheduler,
            "--connect-timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert there.returncode == 0, there.stderr
    here = sim.study(study, samples=40, sensitivity=None, chunk=10).data
    assert json.loads(there.stdout) == json.loads(orjson.dumps(here))
    assert json.loads(there.stdout)["samples"] == 40


@pytest.mark.slow
def test_a_worker_killed_mid_study_has_its_chunks_run_again_with_the_same_rows(
    tmp_path: Path,
) -> None:
    """``make slow``: one of two workers is killed (SIGKILL) while a study runs; the scheduler
    runs its chunks on the other, and the rows are those computed here."""
    options = ["--samples", "3000", "--sensitivity", "0", "--chunk", "50", "--json"]
    with cluster(tmp_path, workers=2) as (address, workers):
        with subprocess.Popen(
            [str(BIN / "sim"), "uncertainty", str(BASELINE), *options, "--scheduler", address],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as study:
            time.sleep(4)  # the cluster is at work: 3,000 samples take about ten seconds
            assert study.poll() is None, "the study ended before a worker could be killed"
            workers[0].kill()
            out, err = study.communicate(timeout=300)
        assert workers[0].wait() != 0
        assert study.returncode == 0, err.decode()
    here = sim.uncertainty(BASELINE, samples=3000, sensitivity=None).data
    assert json.loads(out) == json.loads(orjson.dumps(here))
