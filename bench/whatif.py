"""Benchmark what-ifs: the cost of an edit late in a long log against one at its start, and
what-ifs per second on the baseline.

A what-if re-simulates and re-folds only from the earliest point it touches, reusing the base's
trajectory before it.  On a generated 100,000-event log this script times a retime at 90% of
the log and one at its start (each the best of five runs in CPU time, the two taking turns, in
one process) and reports their ratio; then it runs many small what-ifs (remove or retime one
event, cycling through the log) on the baseline and reports how many it completes per second
of CPU time.

``suffix_cost_ratio`` compares the two edits; since what-ifs rejoin their base, an edit at the
start is no longer the dearest (it moves a few events and rejoins), so ``edit_at_90_replay_ratio``
also compares the late edit with one plain replay of the whole generated log
(``replay_100k_ms``): what re-simulating everything would cost.

It also reports ``whatif_replay_ratio`` (issue 13; target at most 1.5): the CPU time of one
what-if on the baseline (the same edits as the throughput run, each event removed or retimed
in turn, over the prepared base) against one plain replay of the baseline's log.  A round runs
every edit once and as many plain replays; each is the best of ``--rounds`` rounds, the
measures taking turns.  A what-if compares itself with its base only when its ``diff`` is first
read (a study reads only the final state); ``whatif_diff_ms`` and ``whatif_diff_replay_ratio``
time the same what-ifs with their diff read, in the same rounds.

    python bench/whatif.py          # a table
    python bench/whatif.py --json   # {"suffix_cost_ratio": ..., "whatifs_per_s": ...}
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sim.events import (
    Approval,
    BlackoutEnded,
    BlackoutStarted,
    Call,
    Channel,
    Condition,
    Contact,
    Event,
    Information,
    Offer,
    Response,
    Source,
)
from sim.fold import Log, replay
from sim.store import load_log
from sim.whatif import Baseline, Intervention, prepare, remove, retime, whatif

START = datetime(2023, 10, 7, tzinfo=UTC)
SOURCE = Source(document="generated")
GAZA = Channel(name="hamas-gaza>qatar", via=("gaza",))
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"


def generate(size: int, seed: int = 7) -> Log:
    """A valid log of ``size`` events: messages through Gaza, blackouts, a few offers.

    Most events are calls and messages (each folds in constant time); offers, responses and
    approvals are rare, since the state keeps every one of them and copies its map on each.
    """
    rng = random.Random(seed)
    events: list[Event] = [Contact(id="e0", at=START, actors=("qatar",), source=SOURCE)]
    events.append(
        Condition(
            id="e1",
            at=START,
            name="no_ground_invasion",
            holder="israel",
            actors=("hamas",),
            source=SOURCE,
        )
    )
    at = START
    offer: str | None = None
    blackout: str | None = None
    recent: list[str] = []
    while len(events) < size:
        at += timedelta(minutes=rng.randint(1, 30))
        ident = f"e{len(events)}"
        roll = rng.random()
        causes = (rng.choice(recent),) if recent and rng.random() < 0.6 else ()
        event: Event
        if roll < 0.004 and blackout is None:
            event = BlackoutStarted(id=ident, at=at, area="gaza", actors=("israel",), source=SOURCE)
            blackout = ident
        elif roll < 0.012 and blackout is not None:
            event = BlackoutEnded(
                id=ident, at=at, area="gaza", answers=(blackout,), actors=("israel",), source=SOURCE
            )
            blackout = None
        elif roll < 0.0125:
            event = Offer(
                id=ident,
                at=at,
                text=f"t{len(events)}",
                approvers=("hamas", "israel_cabinet"),
                actors=("qatar",),
                answers=causes,
                source=SOURCE,
            )
            offer = ident
        elif roll < 0.014 and offer is not None:
            event = Response(
                id=ident,
                at=at,
                to=offer,
                decision=rng.choice(("commented", "countered", "accepted_with_changes")),
                actors=("hamas_gaza",),
                channel=GAZA,
                answers=(offer,),
                source=SOURCE,
            )
        elif roll < 0.0145 and offer is not None:
            event = Approval(
                id=ident,
                at=at,
                body="israel_cabinet",
                text=f"t{offer[1:]}",
                actors=("israel_cabinet",),
                answers=causes,
                source=SOURCE,
            )
        elif roll < 0.6:
            event = Information(
                id=ident, at=at, actors=("hamas_gaza",), channel=GAZA, answers=causes, source=SOURCE
            )
        else:
            event = Call(
                id=ident, at=at, actors=("qatar", "us_mcgurk"), answers=causes, source=SOURCE
            )
        events.append(event)
        recent = [*recent[-20:], ident]
    return Log(events=tuple(events), name=f"generated-{size}")


def timed(base: Baseline, interventions: list[Intervention]) -> float:
    """One what-if in CPU seconds.

    CPU time of this process, not wall time (as ``bench/replay.py`` measures): the two edits
    take a few milliseconds each, so a burst of other work on the shared machine would
    otherwise decide their ratio.  The clock stops before the result is freed (freeing a
    100,000-event what-if is not making it).
    """
    started = time.process_time()
    result = whatif(base, interventions)
    elapsed = time.process_time() - started
    del result
    return elapsed


def suffix_cost(size: int, repeat: int = 5) -> dict[str, Any]:
    """Time a one-hour retime at the start of a generated log and at 90% of it.

    Each is the best of ``repeat`` runs; the two take turns, so that other work on the machine
    slows both alike.
    """
    base = prepare(generate(size))
    events = base.log.events
    edits: dict[str, list[Intervention]] = {
        "start": [retime(id=events[2].id, by="+1h")],
        "late": [retime(id=events[int(size * 0.9)].id, by="+1h")],
    }
    runs: dict[str, list[float]] = {name: [] for name in edits}
    for _ in range(repeat):
        for name, interventions in edits.items():
            runs[name].append(timed(base, interventions))
    start, late = min(runs["start"]), min(runs["late"])
    gc.collect()
    began = time.process_time()
    replayed = replay(base.log)
    whole = time.process_time() - began
    del replayed
    return {
        "events": size,
        "start_edit_ms": round(start * 1000, 2),
        "edit_at_90_ms": round(late * 1000, 2),
        "suffix_cost_ratio": round(late / start, 4),
        "replay_100k_ms": round(whole * 1000, 1),
        "edit_at_90_replay_ratio": round(late / whole, 4),
    }


def baseline_plans() -> tuple[Log, list[list[Intervention]]]:
    """The baseline (or a generated stand-in) and its edits: each event removed or retimed."""
    log = load_log(BASELINE) if (BASELINE / "events.jsonl").is_file() else generate(80, seed=3)
    plans: list[list[Intervention]] = []
    for i, event in enumerate(log.events):
        plans.append([retime(id=event.id, by="+1d")] if i % 2 else [remove(id=event.id)])
    return log, plans


def against_replay(rounds: int) -> dict[str, Any]:
    """A what-if on the baseline against a plain replay of it (see the module's docstring)."""
    log, plans = baseline_plans()
    base = prepare(log)

    def whatifs() -> None:
        for interventions in plans:
            whatif(base, interventions)

    def explained() -> None:
        for interventions in plans:
            whatif(base, interventions).diff  # noqa: B018 (the comparison, made on first use)

    def replays() -> None:
        for _ in plans:
            replay(log)

    measures = (("whatif", whatifs), ("explained", explained), ("replay", replays))
    runs: dict[str, list[float]] = {name: [] for name, _ in measures}
    for _ in range(rounds):
        for name, fn in measures:
            gc.collect()
            started = time.process_time()
            fn()
            runs[name].append(time.process_time() - started)
    one = {name: min(times) / len(plans) for name, times in runs.items()}
    return {
        "whatif_ms": round(one["whatif"] * 1000, 3),
        "replay_ms": round(one["replay"] * 1000, 3),
        "whatif_replay_ratio": round(one["whatif"] / one["replay"], 3),
        "whatif_diff_ms": round(one["explained"] * 1000, 3),
        "whatif_diff_replay_ratio": round(one["explained"] / one["replay"], 3),
    }


def throughput(seconds: float) -> dict[str, Any]:
    """What-ifs per second on the baseline: remove or retime one event, cycling through the log.

    Per second of this process's CPU time, like the other measures here: on the shared
    two-core machine, wall time counts whatever else runs.
    """
    log, plans = baseline_plans()
    base = prepare(log)
    done = 0
    started = time.process_time()  # CPU time of this process, as everywhere in bench/
    deadline = started + seconds
    while time.process_time() < deadline:
        for interventions in plans:
            whatif(base, interventions)
        done += len(plans)
    elapsed = time.process_time() - started
    return {
        "baseline": log.name,
        "baseline_events": len(log.events),
        "whatifs_per_s": round(done / elapsed),
    }


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--events", type=int, default=100_000, help="size of the generated log")
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="CPU time for the throughput run"
    )
    parser.add_argument(
        "--rounds", type=int, default=20, help="rounds for the what-if against replay ratio"
    )
    args = parser.parse_args()
    figures = {
        **throughput(args.seconds),
        **suffix_cost(args.events),
        **against_replay(args.rounds),
    }
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>20}  {value}")


if __name__ == "__main__":
    main()
