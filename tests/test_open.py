"""``sim.open``: the one way in of the analyst commands, for a log, a what-if, a re-dated log."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.errors import SimError
from sim.fold import replay
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_opening_a_log_gives_its_replay_and_no_what_if() -> None:
    opened = sim.open(ROOT / "scenarios" / "baseline")
    assert opened.whatif is None
    assert opened.context == "historical"
    assert (opened.base, opened.question, opened.diff, dict(opened.notes)) == (None, None, None, {})
    assert opened.trajectory.events == replay(opened.log).events


def test_opening_a_scenario_gives_the_what_if_over_its_base() -> None:
    path = ROOT / "scenarios" / "whatif" / "no-shifa-assurance.toml"
    opened = sim.open(path)
    result = load_scenario(path)
    assert opened.whatif is not None
    assert opened.context == "hypothetical"
    assert opened.trajectory.events == result.trajectory.events
    assert opened.base is not None
    assert opened.base.events == result.base_trajectory.events
    assert opened.question == result.question
    assert opened.diff == result.diff
    assert opened.notes["israel-assures-shifa"].startswith("removed by")


def test_replaying_a_what_if_shows_its_trajectory_not_a_second_replay_of_it() -> None:
    """Without the cell, Hamas's comments wait 14 days for talks that never resume and are
    voided on 1 Dec: ``replay`` and ``timeline`` of the what-if say so, as ``whatif`` does.
    Replaying the what-if's re-timed log again moved them a second time, to 15 Dec."""
    path = str(ROOT / "scenarios" / "whatif" / "no-cell.toml")
    voided = {v.id: v for v in sim.open(path).trajectory.voided}
    assert voided["hamas-comments"].reason.startswith("waited 14d")
    out = CliRunner().invoke(app, ["replay", path]).stdout
    assert "~2023-12-01     Shortly before McGurk arrives" in out
    assert "2023-12-15" not in out


def test_opening_with_a_preferred_source_re_dates_the_log() -> None:
    path = ROOT / "scenarios" / "baseline"
    plain, npr = sim.open(path), sim.open(path, prefer="NPR")
    assert npr.whatif is None
    moved = {e.id for e in npr.log.events} & {e.id for e in plain.log.events}
    assert any(npr.log.events[npr.log.index(i)].at != plain.log.events[plain.log.index(i)].at
               for i in moved)  # fmt: skip
    with pytest.raises(SimError) as caught:
        sim.open(path, prefer="no such source")
    assert caught.value.code == "unknown-source"
