"""Crash injection: writers killed with SIGKILL at random moments lose no acknowledged event.

After every kill the log verifies, or has exactly one fault, a torn tail, which ``repair`` cuts
off (the harness checks both after each kill); then every event a writer acknowledged is in the
log.  CI runs six kills (the smallest run in which kills land both before and after a
writer's first acknowledgement); ``make slow`` runs the full 200 (figures in the README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.store import load_log, verify
from tests.reliability import CrashRun, crash


def check(log: Path, run: CrashRun, kills: int) -> None:
    assert run.kills == kills
    assert run.lost == []
    assert run.acked > 0  # the writers got through appends before being killed
    assert verify(log).ok
    assert len(load_log(log).events) == run.events >= run.acked


def test_killed_writers_lose_no_acknowledged_event(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    run = crash(log, kills=6, seed=12)
    check(log, run, 6)


@pytest.mark.slow
def test_killed_writers_lose_no_acknowledged_event_full_run(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    run = crash(log, kills=200, seed=200)
    check(log, run, 200)
    figures = {
        "kills": run.kills,
        "acked": run.acked,
        "lost": len(run.lost),
        "unacked_kept": run.unacked_kept,
        "torn": dict(run.torn),
        "events": run.events,
        "seconds": round(run.seconds, 1),
    }
    print(f"\ncrash injection: {json.dumps(figures)}")
