"""Benchmark studies (issue 11): what a sample costs beyond its what-if, how a study scales
with Dask workers, and a 100,000-sample uncertainty study of the baseline.

- ``sample_overhead_ratio`` (target <= 1.3): the CPU time of one in-process sample of the
  baseline's uncertainty study (its draw from its own stream, the map to times, the
  interventions, the what-if, the measures, the row) against one bare ``whatif`` of the same
  edits, made beforehand.  Each is the best of ``--rounds`` rounds over ``--samples`` samples,
  the two taking turns in one process.
- ``scaling_2_workers`` (target >= 1.6 on two cores): samples per second with a
  ``LocalCluster`` of two worker processes over samples per second with one, the same
  ``--scaling-samples`` samples each, the cluster started before the clock (best of two runs
  each, taking turns).  Wall time: throughput on several processes has no other clock.  With
  it, the workers' CPU time per sample (``worker_cpu_ms_per_sample_1``, ``_2``: the same when
  distributing costs nothing) and the share of the wall time each worker had a core
  (``worker_busy_share_1``, ``_2``: below 1 when other work holds the cores).
- ``uncertainty_100k_s`` (reported): the wall time of ``sim uncertainty scenarios/baseline
  --samples 100000 --workers 2 --json`` (Morris sensitivity included, as by default).
- ``peak_rss_mb_100k`` (target <= 400): the peak of that run's memory, as the sum of the
  resident sets of every process of the study (the command, the cluster's nannies and
  workers), sampled every 0.1 s; ``peak_rss_mb_100k_command`` is the command's own peak (it
  keeps the rows), ``peak_rss_mb_100k_worker`` the largest worker's.  The same command with
  ``--floor`` samples (1,000) gives ``peak_rss_mb_floor*``: what the processes hold before any
  rows (Python, numpy, scipy, pandas, dask), so that the difference is what 99,000 more rows
  cost.

The figures come with the machine's load average before and after, since the machine may be
shared.

    python bench/study.py          # a table
    python bench/study.py --json   # {"sample_overhead_ratio": ..., ...}
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from sim.studies.bases import open_base as _load
from sim.studies.bases import prepared_bases as _bases
from sim.studies.compiling import compile_study
from sim.studies.execute import Runner
from sim.studies.model import StudySpec, Within
from sim.studies.sampling import unit_rows
from sim.studies.tasks import SampleJob, Work
from sim.whatif import Intervention, whatif

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
SIM = Path(sys.executable).parent / "sim"


def _study(samples: int, seed: int = 1) -> tuple[Any, Any]:
    """The baseline's uncertainty study (every uncertain event drawn), compiled, and its base."""
    base = _load(BASELINE)
    spec = StudySpec(
        name="bench",
        base="baseline",
        samples=samples,
        seed=seed,
        measures=("concluded", "concluded_at", "voided"),
        vary=(Within(target=None),),
    )
    return compile_study(spec, base.ready), base


def _edits(study: Any, samples: int) -> list[list[Intervention]]:
    """Each sample's interventions, made as a sample makes them (outside the clock)."""
    u = unit_rows(study, 0, samples)
    plans: list[list[Intervention]] = [[] for _ in range(samples)]
    offset = 0
    for factor in study.factors:
        columns = factor.values(u[:, offset : offset + factor.width])
        for r in range(samples):
            plans[r].extend(factor.interventions([c[r] for c in columns]))
        offset += factor.width
    return plans


def sample_overhead(samples: int, rounds: int) -> dict[str, Any]:
    """One in-process sample against one bare what-if of the same edits (CPU time)."""
    study, base = _study(samples)
    bases = _bases(base, study)
    plans = _edits(study, samples)
    job = SampleJob(study=study)

    def sampled() -> None:
        job.run(bases, 0, samples)

    def bare() -> None:
        for interventions in plans:
            whatif(base.ready, interventions)

    runs: dict[str, list[float]] = {"sample": [], "whatif": []}
    for _ in range(rounds):
        for name, fn in (("sample", sampled), ("whatif", bare)):
            gc.collect()
            started = time.process_time()
            fn()
            runs[name].append(time.process_time() - started)
    one_sample, one_whatif = min(runs["sample"]) / samples, min(runs["whatif"]) / samples
    return {
        "events_drawn": study.width,
        "sample_ms": round(one_sample * 1000, 3),
        "bare_whatif_ms": round(one_whatif * 1000, 3),
        "sample_overhead_ratio": round(one_sample / one_whatif, 3),
    }


def scaling(samples: int, chunk: int) -> dict[str, Any]:
    """Samples per second on two Dask workers over one (wall time, clusters started first)."""
    study, base = _study(samples, seed=2)
    work = Work(job=SampleJob(study=study), bases=_bases(base, study))
    runners = {n: Runner(workers=n) for n in (1, 2)}
    seconds: dict[int, list[tuple[float, float]]] = {1: [], 2: []}

    def busy(runner: Runner) -> float:
        """The CPU seconds the cluster's workers have used."""
        return float(sum(runner.client.run(time.process_time).values()))

    try:
        for runner in runners.values():
            runner.__enter__()
            runner.run(work, chunk=chunk)  # warm: the work scattered, the modules imported
        for _ in range(2):
            for n, runner in runners.items():
                cpu = busy(runner)
                started = time.perf_counter()
                runner.run(work, chunk=chunk)
                seconds[n].append((time.perf_counter() - started, busy(runner) - cpu))
    finally:
        for runner in runners.values():
            runner.close()
    (wall_1, cpu_1), (wall_2, cpu_2) = min(seconds[1]), min(seconds[2])
    one, two = samples / wall_1, samples / wall_2
    return {
        "scaling_samples": samples,
        "samples_per_s_1_worker": round(one, 1),
        "samples_per_s_2_workers": round(two, 1),
        "scaling_2_workers": round(two / one, 3),
        # why, if it falls short: the workers' CPU time per sample (the same with one or two:
        # no cost of distributing) and the share of the wall time they had a core for
        "worker_cpu_ms_per_sample_1": round(cpu_1 / samples * 1000, 3),
        "worker_cpu_ms_per_sample_2": round(cpu_2 / samples * 1000, 3),
        "worker_busy_share_1": round(cpu_1 / wall_1, 3),
        "worker_busy_share_2": round(cpu_2 / (2 * wall_2), 3),
    }


def _tree_rss(process: psutil.Process) -> tuple[int, int, int]:
    """The resident set of ``process`` and its descendants: the sum, its own, the largest
    other's (bytes)."""
    own = process.memory_info().rss
    others = []
    for child in process.children(recursive=True):
        try:
            others.append(child.memory_info().rss)
        except psutil.Error:
            continue
    return own + sum(others), own, max(others, default=0)


def uncertainty_run(samples: int) -> dict[str, Any]:
    """``sim uncertainty`` of the baseline, ``samples`` samples on two workers: wall time and
    the peak memory of its processes."""
    command = [
        str(SIM), "uncertainty", str(BASELINE), "--samples", str(samples), "--workers", "2",
        "--json",
    ]  # fmt: skip
    peak = [0, 0, 0]
    with tempfile.TemporaryFile() as out:  # a file, not a pipe: the JSON outgrows a pipe's buffer
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        watched = psutil.Process(child.pid)
        while child.poll() is None:
            try:
                found = _tree_rss(watched)
            except psutil.Error:
                break
            peak = [max(p, f) for p, f in zip(peak, found, strict=True)]
            time.sleep(0.1)
        child.wait()
        elapsed = time.perf_counter() - started
        if child.returncode != 0:
            msg = f"sim uncertainty failed with exit {child.returncode}"
            raise SystemExit(msg)
        out.seek(0)
        data = json.loads(out.read())
    mb = 1024 * 1024
    return {
        "samples": data["samples"],
        "p_concluded": data["p_concluded"],
        "s": round(elapsed, 1),
        "rss_mb": round(peak[0] / mb, 1),
        "rss_mb_command": round(peak[1] / mb, 1),
        "rss_mb_worker": round(peak[2] / mb, 1),
    }


def hundred_thousand(samples: int, floor: int) -> dict[str, Any]:
    """The big run, and the same command with ``floor`` samples: what the processes hold
    before the rows (imports, the cluster) against what the rows add."""
    small = uncertainty_run(floor)
    big = uncertainty_run(samples)
    return {
        "uncertainty_samples": big["samples"],
        "uncertainty_p_concluded": big["p_concluded"],
        "uncertainty_100k_s": big["s"],
        "peak_rss_mb_100k": big["rss_mb"],
        "peak_rss_mb_100k_command": big["rss_mb_command"],
        "peak_rss_mb_100k_worker": big["rss_mb_worker"],
        "floor_samples": small["samples"],
        "floor_s": small["s"],
        "peak_rss_mb_floor": small["rss_mb"],
        "peak_rss_mb_floor_command": small["rss_mb_command"],
        "peak_rss_mb_floor_worker": small["rss_mb_worker"],
    }


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--samples", type=int, default=300, help="samples for the overhead ratio")
    parser.add_argument("--rounds", type=int, default=5, help="rounds for the overhead ratio")
    parser.add_argument(
        "--scaling-samples", type=int, default=4000, help="samples for the scaling ratio"
    )
    parser.add_argument("--chunk", type=int, default=250, help="samples per task when scaling")
    parser.add_argument(
        "--big", type=int, default=100_000, help="samples of the uncertainty study timed"
    )
    parser.add_argument(
        "--floor", type=int, default=1000, help="samples of the same study, for memory's floor"
    )
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    load_before = os.getloadavg()
    figures: dict[str, Any] = {
        **sample_overhead(args.samples, args.rounds),
        **scaling(args.scaling_samples, args.chunk),
        **hundred_thousand(args.big, args.floor),
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>28}  {value}")


if __name__ == "__main__":
    main()
