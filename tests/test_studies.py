"""Studies (issue 11): uncertainty, necessity, slack and study files, in process.

Properties over generated deals (``tests/strategies.py``): a study's rows depend on its seed
alone, never on how they are cut into chunks; a log with nothing left open has one outcome;
what ``necessity`` calls unnecessary can be removed without changing the outcome; ``slack``'s
delays hold where they say and fail one step beyond.  Then the commands as a user meets them:
their JSON keys, ``--out``, the study files, and Ctrl-C.  Dask runs are in
``test_studies_dask.py``.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.errors import SimError
from sim.events import Event
from sim.fold import Log, replay
from sim.studies import read_study
from sim.studies.model import Dist
from sim.studies.results import iso_duration
from sim.whatif import Remove, Retime, Selector, whatif
from tests.profiles import budget
from tests.strategies import deals, exact_deals, study_seeds, uncertain_deals

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
STUDIES = ROOT / "scenarios" / "studies"


def _outcome(history: tuple[Event, ...], removed: str | None = None) -> tuple[bool, str | None]:
    interventions = [] if removed is None else [Remove(target=Selector(id=removed))]
    final = whatif(Log(events=history), interventions).trajectory.final
    return final.concluded_at is not None, final.concluded_text


# ------------------------------------------------------------------------------------ properties


@budget(15)
@given(uncertain_deals(), study_seeds(), st.integers(1, 7))
def test_a_study_depends_on_its_seed_alone_not_on_its_chunks(
    history: tuple[Event, ...], seed: int, chunk: int
) -> None:
    log = Log(events=history)
    first = sim.uncertainty(log, samples=12, seed=seed, sensitivity=None)
    again = sim.uncertainty(log, samples=12, seed=seed, sensitivity=None, chunk=chunk)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert first.data == again.data
    assert len(first.frame) == 12
    assert first.data["events_sampled"]  # the strategy leaves at least one event open


@budget(10)
@given(uncertain_deals(), study_seeds())
def test_sample_i_is_the_same_however_many_samples_are_drawn(
    history: tuple[Event, ...], seed: int
) -> None:
    log = Log(events=history)
    few = sim.uncertainty(log, samples=4, seed=seed, sensitivity=None).frame
    more = sim.uncertainty(log, samples=9, seed=seed, sensitivity=None).frame
    pd.testing.assert_frame_equal(few, more.iloc[:4])


@budget(15)
@given(exact_deals(), study_seeds())
def test_a_log_with_every_time_exact_has_one_outcome(history: tuple[Event, ...], seed: int) -> None:
    result = sim.uncertainty(Log(events=history), samples=5, seed=seed, sensitivity=None)
    data = result.data
    recorded = replay(history).final.concluded_at
    assert data["events_sampled"] == []
    assert data["p_concluded"] in {0.0, 1.0}
    assert data["p_concluded"] == (1.0 if recorded is not None else 0.0)
    times = set(data["concluded_at"].values())
    assert len(times) == 1
    assert times == {None if recorded is None else recorded.isoformat()}


@budget(15)
@given(deals())
def test_an_event_necessity_calls_unnecessary_can_be_removed_without_changing_the_outcome(
    history: tuple[Event, ...],
) -> None:
    data = sim.necessity(Log(events=history)).data
    base = _outcome(history)
    assert sorted(e["id"] for e in data["events"]) == sorted(e.id for e in history)
    for event in data["events"]:
        changed = _outcome(history, removed=event["id"]) != base
        assert changed == event["necessary_for_outcome"], event
    assert data["outcome_necessary"] == [
        e["id"] for e in data["events"] if e["necessary_for_outcome"]
    ]


def _concluded_at(history: tuple[Event, ...], ident: str, by: timedelta) -> Any:
    retime = Retime(target=Selector(id=ident), by=by)
    return whatif(Log(events=history), [retime]).trajectory.final.concluded_at


@budget(10)
@given(deals(max_extra=6))
def test_slack_to_shift_is_at_most_slack_to_failure_and_holds_exactly(
    history: tuple[Event, ...],
) -> None:
    step, limit = timedelta(hours=1), timedelta(days=2)
    result = sim.slack(Log(events=history), max=limit, resolution=step)
    recorded = replay(history).final.concluded_at
    frame = result.frame.set_index("id")
    for ident, row in frame.iterrows():
        shift, failure = row["slack_to_shift"], row["slack_to_failure"]
        if pd.isna(shift):  # no delay up to the limit moves the deal: nor can one fail it
            assert pd.isna(failure)
            assert _concluded_at(history, str(ident), limit) == recorded
            continue
        assert pd.isna(failure) or shift <= failure
        assert _concluded_at(history, str(ident), shift.to_pytimedelta()) == recorded
        assert _concluded_at(history, str(ident), shift.to_pytimedelta() + step) != recorded
        if not pd.isna(failure):
            assert _concluded_at(history, str(ident), failure.to_pytimedelta()) is not None
            assert _concluded_at(history, str(ident), failure.to_pytimedelta() + step) is None


def test_a_sim_error_survives_pickling_as_a_dask_task_returns_it() -> None:
    error = SimError(what="x", path="s.toml", line=3, hint="h", code="bad-study")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert attrs.asdict(again, recurse=False) == attrs.asdict(error, recurse=False)
    assert str(again) == str(error)


def test_a_distribution_describes_itself_in_durations_and_sigma_as_a_number() -> None:
    uniform = Dist(kind="uniform", params={"low": 0.0, "high": 5 * 86400.0})
    normal = Dist(kind="normal", params={"mean": -3600.0, "sd": 90061.4})
    lognormal = Dist(kind="lognormal", params={"median": 86400.0, "sigma": 0.5})
    assert uniform.describe() == "uniform(low=0s, high=5d)"
    assert normal.describe() == "normal(mean=-1h, sd=1d1h1m1s)"
    assert lognormal.describe() == "lognormal(median=1d, sigma=0.5)"


# ------------------------------------------------------------------------------------ study files


def test_every_study_file_in_scenarios_reads_and_states_its_question_and_answer() -> None:
    files = sorted(STUDIES.glob("*.toml"))
    assert len(files) >= 3
    for file in files:
        spec = read_study(file)
        assert spec.question, file
        assert "# Answer (sim study" in file.read_text(), f"{file.name} states no answer"


def test_every_draw_of_the_record_keeps_the_talks_suspended_before_they_resume() -> None:
    """The recorded-uncertainty study's answer, as its file reads it: the log links the talks'
    resumption to the al-Shifa suspension it ends, so no draw resumes them first, and every
    draw concludes (before that link, 14.5% of draws resumed first and never concluded)."""
    frame = sim.study(STUDIES / "recorded-uncertainty.toml", samples=120, sensitivity=None).frame
    assert (frame["at:talks-resume"] >= frame["at:talks-suspended-over-shifa"]).all()
    assert frame["concluded"].all()


def test_a_grid_of_longer_blackouts_moves_the_deal_a_day_per_day() -> None:
    result = sim.study(STUDIES / "fuel-blackout-grid.toml", sensitivity=None)
    frame = result.frame
    assert list(frame["by:blackout-fuel-ended"]) == [pd.Timedelta(days=d) for d in range(6)]
    gaps = frame["concluded_at"].diff().dropna()
    assert (gaps >= pd.Timedelta(0)).all()  # a longer blackout never makes the deal earlier
    assert len(result.data["cells"]) == 6


def test_a_drawn_rejection_never_concludes_the_deal() -> None:
    result = sim.study(STUDIES / "final-offer-decisions.toml", samples=60, sensitivity=None)
    frame = result.frame
    rejected = frame["decide:hamas-green-light"] == "rejected"
    assert rejected.any()
    assert (~rejected).any()
    assert not frame.loc[rejected, "concluded"].any()
    dropped = frame["drop:israel-cabinet-vote-fails"]
    assert not frame.loc[dropped, "concluded"].any()


# ------------------------------------------------------------------------------------ the commands


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_uncertainty_json_has_the_contract_keys() -> None:
    data = _json(
        [
            "uncertainty",
            str(BASELINE),
            "--samples",
            "20",
            "--seed",
            "3",
            "--sensitivity",
            "0",
            "--json",
        ]
    )
    assert set(data) >= {
        "scenario",
        "samples",
        "seed",
        "p_concluded",
        "p_concluded_ci",
        "concluded_at",
        "milestones",
        "p_recorded_order",
    }
    assert (data["scenario"], data["samples"], data["seed"]) == ("baseline", 20, 3)
    low, high = data["p_concluded_ci"]
    assert 0 <= low <= data["p_concluded"] <= high <= 1
    assert set(data["concluded_at"]) == {"p05", "p50", "p95"}
    assert set(data["milestones"]["cabinet_approval"]) == {"p_reached", "p05", "p50", "p95"}


def test_necessity_json_has_the_contract_keys() -> None:
    data = _json(["necessity", str(BASELINE), "--json"])
    assert set(data) >= {"scenario", "events", "outcome_necessary", "milestones"}
    assert set(data["events"][0]) == {"id", "necessary_for_outcome", "milestones_lost"}
    assert "hamas-green-light" in data["outcome_necessary"]
    assert "minor-exchanges" not in data["outcome_necessary"]
    assert "hamas-green-light" in data["milestones"]["hamas_green_light"]


def test_slack_json_gives_iso_durations_or_null() -> None:
    data = _json(["slack", str(BASELINE), "--max", "2d", "--resolution", "1h", "--json"])
    events = {e["id"]: e for e in data["events"]}
    assert set(events["cabinet-approves"]) == {"id", "slack_to_shift", "slack_to_failure"}
    assert events["cabinet-approves"]["slack_to_shift"] == "PT0S"
    assert events["minor-exchanges"]["slack_to_shift"] is None
    assert iso_duration(3_600_000_000 * 26) == "P1DT2H"


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_out_writes_one_row_per_sample(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"rows.{suffix}"
    study = STUDIES / "fuel-blackout-longer.toml"
    args = ["study", str(study), "--samples", "7", "--sensitivity", "0", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out) if suffix == "parquet" else pd.read_csv(out)
    assert len(frame) == 7
    assert list(frame.columns) == [
        "sample",
        "by:blackout-fuel-ended",
        "concluded",
        "concluded_at",
        "milestone:final_text_review",
        "voided",
    ]


INTERRUPTIBLE = """
import sys
from sim.studies import tasks
real = tasks.SampleJob.run
def announce(self, *args):
    print("sampling", file=sys.stderr, flush=True)
    return real(self, *args)
tasks.SampleJob.run = announce
from sim.cli import main
sys.argv[0] = "sim"
main()
"""


def test_ctrl_c_cancels_a_study_and_exits_130(tmp_path: Path) -> None:
    out = tmp_path / "rows.parquet"
    args = ["uncertainty", str(BASELINE), "--samples", "100000", "--sensitivity", "0"]
    with subprocess.Popen(
        [sys.executable, "-c", INTERRUPTIBLE, *args, "--out", str(out)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    ) as child:
        try:
            assert child.stderr is not None
            assert child.stderr.readline().strip() == "sampling"
            child.send_signal(signal.SIGINT)
            _, err = child.communicate(timeout=60)
        finally:
            child.kill()
    assert child.returncode == 130, err
    assert "interrupted: sim uncertainty was cancelled; nothing was written" in err
    assert "Traceback" not in err
    assert not out.exists()
