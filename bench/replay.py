"""Benchmark: replay of a generated 100,000-event log, against a bare loop, in one run.

Measures, on the same events, each as the best of ``--repeat`` runs (the measures take turns, a
full collection before each run, CPU time of this process, the clock stopped before the result
is freed):

- ``bare``: a loop over the same in-memory events that calls a function mutating one plain dict
  per event (no checks, no history: the floor any fold is measured against);
- ``fold``: :func:`sim.replay` of the in-memory events (guards, reducers, trajectory);
- ``end_to_end``: :func:`sim.load_log` of the file (read, JSON parse, hash chain check, decode
  and validate every event) followed by the fold;
- ``evolve`` (a reference point, not a target): the issue's "attrs ``evolve`` fold", one
  ``attrs.evolve`` of a small frozen state per event with every state kept.  The issue quotes
  0.34 million events/s for it against a bare loop of 4.5 million (0.075); its ratio here shows
  how this machine and Python weigh object creation against the bare loop;
- ``floor``: what any loader of this log must pay before it decodes a single event: read the
  file, split it into lines, ``orjson.loads`` each line (the records kept, as a load keeps
  what it reads, with the cyclic collector paused as ``load_log`` pauses it) and the SHA-256
  chain of each line.

and, as whole processes: ``sim replay scenarios/baseline --json`` against ``python -c "import
typer, structlog, attrs, cattrs"`` (the libraries any such command starts with), each the best
of ``--processes`` runs, taking turns, in the CPU time the process used (``os.wait4``).  One
untimed run of each comes first, with ``PYTHONDONTWRITEBYTECODE`` left out of their
environment, so that both start from cached bytecode, as installed packages do.

The ratios added by issue 13 (each measured in the same run as what it bounds):
``e2e_floor_ratio`` (end to end over the floor; target at most 3), ``fold_evolve_ratio`` (the
evolve fold over the fold: at least 1 when the fold is as fast) and ``cli_import_ratio`` (the
CLI replay over the import floor; target at most 1.5).  Beside them, ``calm_fold_evolve_ratio``
(with ``calm_fold_events_per_s``, ``calm_evolve_events_per_s``, ``calm_waits`` and
``calm_voided``): the same two folds on the calm log, :func:`generate`'s log with a call in
place of each suspension, resumption and blackout, measured after the generated log is freed.

Usage: ``python bench/replay.py [--events N] [--repeat K] [--processes P] [--json]``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import orjson

from sim import load_log, replay, write_log
from sim.events import (
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    Call,
    Channel,
    Condition,
    Contact,
    Event,
    Information,
    Meeting,
    Offer,
    Response,
    Source,
    TalksResumed,
    TalksSuspended,
)
from sim.fold import cyclic_gc_paused

GAZA = Channel(name="hamas_gaza_leaders>qatar", via=("gaza",))
CELL = Channel(name="qatar>hostage_cell")


def generate(n: int, seed: int = 7, *, calm: bool = False) -> list[Event]:
    """A log of ``n`` events shaped like a long negotiation: mostly calls, meetings and messages,
    with rounds of offers and responses, conditions, assurances, suspensions and blackouts.

    The talks are suspended only while active and resumed only while suspended, as a blackout
    starts only when none is on and ends only the one on.  (Until 1 Dec 2026 a suspension could
    come while the talks were suspended already: since issue 10 it waits for them to resume and
    suspends them again at once.  The talks then stood suspended after 92% of the events, 7,998
    offers waited for them, and 3,765 were voided when their 14 days ran out.  Nothing in a
    negotiation looks like that.)

    ``calm``: the same log with a call in place of each suspension, resumption and blackout
    (the same draws, the same times): no talks suspended and no message held up, so few events
    wait (an assurance of a condition not yet set still does)."""
    rng = random.Random(seed)
    at = datetime(2023, 10, 7, 12, tzinfo=UTC)
    src = Source(document="generated", paragraph=1, quote="نص")
    events: list[Event] = [Contact(id="e0", at=at, actors=("qatar_pm",), source=src)]
    offer = None
    blackout = None
    suspended = False
    while len(events) < n:
        at += timedelta(minutes=rng.randint(1, 30))
        i = len(events)
        ident = f"e{i}"
        roll = rng.random()
        common: dict[str, Any] = {
            "id": ident,
            "at": at,
            "source": src,
            "summary": "generated event",
        }
        event: Event
        if roll < 0.35:
            event = Call(actors=("us_mcgurk",), recipients=("qatar_pm",), channel=CELL, **common)
        elif roll < 0.55:
            event = Information(actors=("hamas_gaza_leaders",), recipients=("qatar_pm",),
                                channel=GAZA, about="message", **common)  # fmt: skip
        elif roll < 0.70:
            event = Meeting(actors=("us_mcgurk", "egypt_kamel"), place="Cairo", **common)
        elif roll < 0.78:
            offer = ident
            event = Offer(actors=("qatar_pm",), text=f"t{i}", approvers=("hamas",), **common)
        elif roll < 0.86 and offer is not None:
            event = Response(actors=("hamas_gaza_leaders",), to=offer, decision="commented",
                             answers=(offer,), **common)  # fmt: skip
        elif roll < 0.90:
            event = Condition(actors=("hamas_gaza_leaders",), name=f"k{i % 5}", holder="israel",
                              **common)  # fmt: skip
        elif roll < 0.93:
            event = Assurance(actors=("israel_war_cabinet",), about="hospital",
                              meets=(f"k{rng.randint(0, 4)}",), **common)  # fmt: skip
        elif calm:
            event = Call(actors=("us_mcgurk",), recipients=("qatar_pm",), channel=CELL, **common)
        elif roll < 0.95 and blackout is None:
            blackout = ident
            event = BlackoutStarted(actors=("israel_army",), area="gaza", **common)
        elif roll < 0.97 and blackout is not None:
            event = BlackoutEnded(actors=("israel_army",), area="gaza", answers=(blackout,),
                                  **common)  # fmt: skip
            blackout = None
        elif not suspended:
            event = TalksSuspended(actors=("hamas_gaza_leaders",), **common)
            suspended = True
        else:
            event = TalksResumed(actors=("hamas_gaza_leaders",), **common)
            suspended = False
        events.append(event)
    return events


def timed(fn: Callable[[], object]) -> float:
    """One run of ``fn`` in CPU seconds, after a full collection, with GC as the library leaves it.

    CPU time of this process (``time.process_time``), not wall time: on a shared machine other
    work preempts a two-second end-to-end run far more often than an 11 ms bare loop, which
    would skew the ratios.  The clock stops before ``fn``'s result is dropped: freeing a
    100,000-state trajectory is not part of replaying it (the bare loop's result, one small
    dict, costs nothing to free).
    """
    gc.collect()
    started = time.process_time()
    result = fn()
    elapsed = time.process_time() - started
    del result
    return elapsed


def best(measures: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs of each measure, in seconds.

    The measures take turns (one round runs each once), so that a burst of other work on the
    machine slows all of them alike instead of one.
    """
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(repeat):
        for name, fn in measures.items():
            times[name].append(timed(fn))
    return {name: min(runs) for name, runs in times.items()}


def bare_apply(state: dict[str, int], event: Event) -> None:
    """The floor of a reducer: mutate one plain dict, check nothing, keep no history."""
    state[event.kind] = state.get(event.kind, 0) + 1


def bare_loop(events: list[Event]) -> dict[str, int]:
    """The bare loop the targets are relative to: one ``bare_apply`` call per event."""
    state: dict[str, int] = {}
    for event in events:
        bare_apply(state, event)
    return state


@attrs.frozen
class Counted:
    """The state of the reference fold: how many events, and the last one's id."""

    n: int = 0
    last: str = ""


def evolve_fold(events: list[Event]) -> list[Counted]:
    """The reference fold: one ``attrs.evolve`` per event, every state kept."""
    state = Counted()
    states = []
    for event in events:
        state = attrs.evolve(state, n=state.n + 1, last=event.id)
        states.append(state)
    return states


def parse_floor(path: Path) -> list[Any]:
    """The floor of loading a log: read, split, ``orjson.loads`` each line (keeping the records,
    with the cyclic collector paused, as ``load_log`` does) and chain each line's SHA-256."""
    with cyclic_gc_paused():
        records = []
        previous = "0" * 64
        for line in path.read_bytes().split(b"\n"):
            if line:
                records.append(orjson.loads(line))
                previous = hashlib.sha256(previous.encode("ascii") + b"\n" + line).hexdigest()
        return records


ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
SIM = "import sys; from sim.cli import main; sys.argv[0] = 'sim'; main()"
"""What the ``sim`` console script runs."""
FLOOR = "import typer, structlog, attrs, cattrs"
"""The import floor: the libraries any such command starts with."""
CLI_REPLAY = ["replay", str(BASELINE), "--json"]
"""The command ``cli_import_ratio`` times against the floor."""


def cached_bytecode_env() -> dict[str, str]:
    """This environment without ``PYTHONDONTWRITEBYTECODE``: a child starts from cached
    bytecode, as installed packages do."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def process_cpu(
    command: list[str], env: dict[str, str], *, capture: bool = False
) -> tuple[float, str]:
    """The CPU time (user and system) one whole process of ``command`` used, in seconds, and
    what it printed on stdout if ``capture`` (else it goes to the null device)."""
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
        text=True,
    )
    output = ""
    if child.stdout is not None:
        output = child.stdout.read()
        child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)  # reaped here: Popen never waits for it
    child.returncode = os.waitstatus_to_exitcode(status)
    if status != 0:
        msg = f"{' '.join(command)} failed with status {status}"
        raise RuntimeError(msg)
    return usage.ru_utime + usage.ru_stime, output


def cli_startup(processes: int) -> dict[str, float]:
    """``sim replay`` of the baseline against importing the libraries it starts with.

    Each is the best of ``processes`` whole processes, the two taking turns; one untimed run
    of each first, so that both start from cached bytecode.
    """
    env = cached_bytecode_env()
    commands = {
        "import_floor": [sys.executable, "-c", FLOOR],
        "cli_replay": [sys.executable, "-c", SIM, *CLI_REPLAY],
    }
    runs: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        process_cpu(command, env)
    for _ in range(processes):
        for name, command in commands.items():
            runs[name].append(process_cpu(command, env)[0])
    return {name: min(times) for name, times in runs.items()}


def generated(n: int, repeat: int) -> tuple[dict[str, float], int, int, int]:
    """The in-process measures on the generated log: the fastest of each, the log's size in
    bytes, its events and how many the replay voids."""
    events = generate(n)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.jsonl"
        write_log(path, events)
        size = path.stat().st_size
        fastest = best(
            {
                "bare": lambda: bare_loop(events),
                "fold": lambda: replay(events),
                "end_to_end": lambda: replay(load_log(path)),
                "evolve": lambda: evolve_fold(events),
                "floor": lambda: parse_floor(path),
            },
            repeat,
        )
    return fastest, size, len(events), len(replay(events).voided)


def calm_fold(n: int, repeat: int) -> dict[str, float | int]:
    """The fold of the calm log (:func:`generate` with ``calm``: no suspension, no blackout, so
    nearly nothing waits or is held up) against the evolve fold of the same log, in one run:
    how much of ``fold_evolve_ratio``'s distance from 1 is the waiting the generated log makes,
    and how much the fold's own work per event."""
    events = generate(n, calm=True)
    fastest = best(
        {"calm_fold": lambda: replay(events), "calm_evolve": lambda: evolve_fold(events)}, repeat
    )
    trajectory = replay(events)
    return {
        "calm_fold_events_per_s": round(n / fastest["calm_fold"]),
        "calm_evolve_events_per_s": round(n / fastest["calm_evolve"]),
        "calm_fold_evolve_ratio": round(fastest["calm_evolve"] / fastest["calm_fold"], 3),
        "calm_waits": len(trajectory.waits),
        "calm_voided": len(trajectory.voided),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--processes", type=int, default=5, help="whole processes per measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    fastest, size, n, voided = generated(args.events, args.repeat)
    bare, fold, end_to_end = fastest["bare"], fastest["fold"], fastest["end_to_end"]
    calm = calm_fold(n, args.repeat)
    startup = cli_startup(args.processes)

    figures = {
        "events": n,
        "bare_events_per_s": round(n / bare),
        "fold_events_per_s": round(n / fold),
        "end_to_end_events_per_s": round(n / end_to_end),
        "fold_ratio": round(bare / fold, 4),
        "end_to_end_ratio": round(bare / end_to_end, 4),
        "evolve_events_per_s": round(n / fastest["evolve"]),
        "evolve_ratio": round(bare / fastest["evolve"], 4),
        "log_bytes": size,
        "voided": voided,
        "floor_events_per_s": round(n / fastest["floor"]),
        "e2e_floor_ratio": round(end_to_end / fastest["floor"], 3),
        "fold_evolve_ratio": round(fastest["evolve"] / fold, 3),
        "import_floor_ms": round(startup["import_floor"] * 1000, 1),
        "cli_replay_ms": round(startup["cli_replay"] * 1000, 1),
        "cli_import_ratio": round(startup["cli_replay"] / startup["import_floor"], 3),
        **calm,
    }
    if args.json:
        json.dump(figures, sys.stdout)
        sys.stdout.write("\n")
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value:,}" if isinstance(value, int) else f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
