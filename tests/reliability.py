"""Harnesses for the crash-injection and concurrency tests, shared with ``bench/append.py``.

Both run real writer processes (:mod:`tests.appender`) against one log on disk and return what
happened, for the tests to check and the benchmark to report.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from attrs import define, field

from sim.append import append_event
from sim.recovery import repair
from sim.store import load_log, verify
from tests.appender import note

__all__ = ["CrashRun", "WriterRun", "crash", "write_concurrently"]

ROOT = Path(__file__).resolve().parent.parent


def _writer(log: Path, prefix: str, *options: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.appender", str(log), prefix, *options],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    return child


def _acks(output: str) -> list[tuple[str, int]]:
    """The complete ``<id> <line>`` acknowledgements in ``output`` (a cut last one is not)."""
    acks = []
    for text in output.splitlines(keepends=True):
        if text.endswith("\n"):
            ident, number = text.split()
            acks.append((ident, int(number)))
    return acks


@define
class CrashRun:
    """What a crash-injection run saw."""

    kills: int = 0
    acked: int = 0
    """Events acknowledged by writers before they were killed."""
    unacked_kept: int = 0
    """Events on disk whose writer was killed before acknowledging them (allowed)."""
    torn: Counter[str] = field(factory=Counter)
    """Torn tails found after a kill, by kind: ``cut short`` or ``unpinned``."""
    lost: list[str] = field(factory=list)
    """Acknowledged events missing afterwards (must stay empty)."""
    events: int = 0
    seconds: float = 0.0


def crash(log: Path, *, kills: int, seed: int, max_delay: float = 0.03) -> CrashRun:
    """Start a writer, SIGKILL it at a random moment, check and repair the log; ``kills`` times.

    The moment is a random delay after the writer is ready (so within its first, cold append
    or the ones after it) or, in half the rounds, after its first acknowledgement.

    After every kill the log must verify, or have exactly one fault, a torn tail, which
    ``repair`` cuts off; then every event ever acknowledged must be in it.
    """
    rng = random.Random(seed)
    run = CrashRun()
    started = time.perf_counter()
    append_event(log, note("origin", 0), expect=0)
    acked: set[str] = set()
    for round_ in range(kills):
        child = _writer(log, f"r{round_}", "--seed", str(round_), "--max-size", "6000")
        first = ""
        if rng.random() < 0.5:  # half the kills land after a first append, in the warm loop
            assert child.stdout is not None
            first = child.stdout.readline()
        time.sleep(rng.uniform(0, max_delay))
        os.kill(child.pid, signal.SIGKILL)
        output, _ = child.communicate()
        output = first + output
        run.kills += 1
        acks = {ident for ident, _ in _acks(output)}
        acked |= acks
        report = verify(log)
        if not report.ok:
            assert report.only_torn, report.faults
            assert report.torn is not None
            run.torn["unpinned" if "does not cover" in report.torn.found else "cut short"] += 1
            fixed = repair(log)
            assert fixed.repaired
            assert fixed.after.ok, fixed.after.faults
        ids = [event.id for event in load_log(log).events]
        present = set(ids)
        run.lost.extend(sorted(acked - present))
        run.unacked_kept += len({i for i in present if i.startswith(f"r{round_}-")} - acks)
    run.acked = len(acked)
    run.events = len(load_log(log).events)
    run.seconds = time.perf_counter() - started
    return run


@define
class WriterRun:
    """What concurrent writers did: their acknowledgements, in order, and the time taken."""

    acks: dict[str, list[tuple[str, int]]]
    seconds: float


def write_concurrently(log: Path, *, writers: int, each: int) -> WriterRun:
    """``writers`` processes append ``each`` events to ``log``, all released at once."""
    append_event(log, note("origin", 0), expect=0)
    children = {
        f"w{k}": _writer(log, f"w{k}", "--count", str(each), "--wait", "--seed", str(k))
        for k in range(writers)
    }
    started = time.perf_counter()
    for child in children.values():
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = {name: child.communicate()[0] for name, child in children.items()}
    seconds = time.perf_counter() - started
    for name, child in children.items():
        assert child.returncode == 0, (name, child.returncode)
    return WriterRun(acks={name: _acks(out) for name, out in outputs.items()}, seconds=seconds)
