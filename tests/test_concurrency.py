"""Concurrency: four writer processes append at once; the log ends whole, nothing lost.

CI runs four writers of 50 events each; ``make slow`` runs the full 4 x 1,000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.store import load_log, verify
from tests.reliability import WriterRun, write_concurrently


def check(log: Path, run: WriterRun, writers: int, each: int) -> None:
    loaded = load_log(log)  # every line decoded, ids unique, chain whole
    ids = [event.id for event in loaded.events]
    assert len(ids) == 1 + writers * each
    assert set(ids) == {"origin"} | {f"w{k}-{n}" for k in range(writers) for n in range(each)}
    assert verify(log).ok
    lines = [number for acks in run.acks.values() for _, number in acks]
    assert len(set(lines)) == len(lines) == writers * each
    for name, acks in run.acks.items():
        assert [ident for ident, _ in acks] == [f"{name}-{n}" for n in range(each)]
        assert all(ids[number - 1] == ident for ident, number in acks)  # acked where it is
        numbers = [number for _, number in acks]
        assert numbers == sorted(numbers)  # each writer's events keep its order


def test_four_writers_at_once(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    run = write_concurrently(log, writers=4, each=50)
    check(log, run, 4, 50)


@pytest.mark.slow
def test_four_writers_of_a_thousand_events_at_once(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    run = write_concurrently(log, writers=4, each=1000)
    check(log, run, 4, 1000)
    figures = {"writers": 4, "events": 4000, "seconds": round(run.seconds, 1)}
    print(f"\nconcurrency: {json.dumps(figures)}")
