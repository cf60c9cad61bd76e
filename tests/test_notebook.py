"""The notebook API: a trajectory as a DataFrame, and HTML views of trajectories and outcomes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.events import Contact, Source
from sim.fold import Trajectory, replay
from sim.render.notebook import FRAME_COLUMNS, trajectory_html
from sim.store import load_log
from tests.builders import make

pd = pytest.importorskip("pandas")

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"


@pytest.fixture(scope="module")
def baseline() -> Trajectory:
    return replay(load_log(BASELINE))


def test_the_frame_has_one_row_per_event_in_log_order(baseline: Trajectory) -> None:
    frame = baseline.to_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert list(frame["id"]) == [e.id for e in baseline.events]
    assert str(frame["at"].dt.tz) == "UTC"
    assert not frame["voided"].any()


def test_analysts_can_filter_on_the_state_columns(baseline: Trajectory) -> None:
    frame = baseline.to_frame()
    suspended = frame[frame["talks"] == "suspended"]
    start, end = baseline.milestones["talks_suspended"], baseline.milestones["talks_resumed"]
    assert not suspended.empty
    assert (suspended["at"] >= pd.Timestamp(start)).all()
    assert (suspended["at"] < pd.Timestamp(end)).all()
    assert frame["dark"].any()
    assert frame[frame["kind"] == "blackout_started"]["dark"].all()
    reached = frame.dropna(subset=["milestone"])
    assert dict(zip(reached["milestone"], reached["at"], strict=True)) == {
        name: pd.Timestamp(at) for name, at in baseline.milestones.items()
    }
    assert frame.iloc[-1]["concluded"]
    assert frame[frame["party"] == "hamas"]["kind"].isin(["response", "release"]).any()


def test_voided_events_carry_their_reason() -> None:
    trajectory = replay(
        [
            make("contact", "c", 0),
            make("offer", "o", 0.5, text="other"),
            make("approval", "a", 1, body="x", text="other"),
            make("offer", "o2", 1.5, text="newer"),
            make("approval", "b", 2, body="x", text="other"),
        ]
    )
    frame = trajectory.to_frame()
    row = frame.set_index("id").loc["b"]
    assert row["voided"]
    assert row["reason"] == "it approves text other, but the text on the table is newer"


def test_to_frame_says_how_to_get_pandas_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch, baseline: Trajectory
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ModuleNotFoundError, match=r"sim\[frame\]"):
        baseline.to_frame()


def test_the_html_view_shows_outcome_milestones_and_events(baseline: Trajectory) -> None:
    html = baseline._repr_html_()
    assert "Concluded" in html
    assert "cabinet_approval" in html
    assert baseline.events[0].summary.split()[0] in html
    assert '<span dir="auto">' in html


def test_the_html_view_escapes_and_shortens_long_logs() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    events = [
        Contact(
            id=f"c{i}", at=make("contact", "x", i).at, actors=("qatar",),
            source=Source(document="t", quote=hostile), summary=hostile,
        )
        for i in range(200)
    ]  # fmt: skip
    html = trajectory_html(replay(events), limit=20)
    assert "<img" not in html
    assert "&lt;img src=x" in html
    assert "… 180 more events …" in html
    assert html.count("<tr>") == 2 + 20 + 1  # two header rows, 20 events, the ellipsis


def test_an_outcome_renders_for_jupyter(baseline: Trajectory) -> None:
    assert "Concluded" in baseline.outcome._repr_html_()
    assert "50 hostages" in baseline.outcome._repr_html_()
    assert "Not concluded" in replay([make("contact", "c", 0)]).outcome._repr_html_()


def test_a_diff_and_a_what_if_render_for_jupyter() -> None:
    from sim.scenario import load_scenario

    result = load_scenario(BASELINE.parent / "whatif" / "no-shifa-assurance.toml")
    diff_view = result.diff._repr_html_()
    assert "Not concluded" in diff_view
    assert "Concluded" in diff_view
    assert "Milestones moved" in diff_view
    assert "talks_resumed" in diff_view
    view = result._repr_html_()
    assert "What if Israel had not promised to keep al-Shifa running?" in view
    assert "removed by [[intervention]] #1" in view
    assert "voided: it answers israel-assures-shifa, which is not in the log" in view


def test_reprs_are_one_short_line_that_names_the_size(baseline: Trajectory) -> None:
    """repr() of the scenario was 667,711 characters and of the trajectory 243,523."""
    from sim.scenario import load_scenario

    result = load_scenario(BASELINE.parent / "whatif" / "no-shifa-assurance.toml")
    for shown, size in (
        (repr(baseline), "48 events"),
        (repr(result), "47 events"),
        (repr(result.trajectory), "47 events"),
        (repr(result.base), "48 events"),
        (repr(result.log), "47 events"),
    ):
        assert len(shown) < 250, shown
        assert "\n" not in shown
        assert size in shown, shown
    assert repr(baseline).startswith("<Trajectory 'baseline': 48 events, 0 voided")
    assert "1 intervention(s)" in repr(result)
    assert "not concluded" in repr(result)
    assert "<table" in result._repr_html_()  # the full view stays


def test_the_frame_has_each_responses_decision(baseline: Trajectory) -> None:
    frame = baseline.to_frame()
    responses = frame[frame["kind"] == "response"].set_index("id")
    assert responses.loc["war-cabinet-agrees", "decision"] == "accepted_with_changes"
    assert responses.loc["israel-judges-terms-not-firm", "decision"] == "rejected"
    assert frame[frame["kind"] != "response"]["decision"].isna().all()


def _loaded_by(module: str) -> set[str]:
    """The modules a fresh interpreter has loaded after importing ``module``."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_importing_the_fold_loads_no_renderer_and_no_pandas() -> None:
    """The core reaches the notebook edge only when a notebook view is asked for."""
    loaded = _loaded_by("sim.fold")
    assert "sim.fold" in loaded
    assert {m for m in loaded if m == "sim.render" or m.startswith("sim.render.")} == set()
    assert {m for m in loaded if m.split(".")[0] == "pandas"} == set()


def test_the_notebook_edge_loads_no_terminal_renderer() -> None:
    """What the core's lazy imports load: the notebook edge without rich and the terminal
    views (which import the core's analysis and fold in turn), and without pandas until a
    frame is made."""
    loaded = _loaded_by("sim.render.notebook")
    assert "sim.render.notebook" in loaded
    assert {"sim.render.terminal", "sim.render.whatif"} & loaded == set()
    assert {m for m in loaded if m.split(".")[0] in ("rich", "pandas")} == set()
