"""The chart's pure parts: label placement, the spans read from a trajectory, the lanes and the
x axis' numbers, all of which run without matplotlib."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.events import (
    BlackoutEnded,
    BlackoutStarted,
    Condition,
    Contact,
    Event,
    MilitaryOperation,
    Source,
    TalksResumed,
    TalksSuspended,
)
from sim.fold import Log, Trajectory, replay
from sim.render.chart import KIND_STYLE, Placed, lanes_of, place_labels, spans
from sim.render.chart.layout import days
from sim.state import NegotiationState
from sim.store import load_log, read_manifest
from tests.profiles import budget
from tests.strategies import histories

ROOT = Path(__file__).resolve().parent.parent

SRC = Source(document="test")
T0 = datetime(2023, 11, 1, tzinfo=UTC)


def _t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _offset(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


labels = st.lists(
    st.tuples(st.floats(0, 1000, allow_nan=False), st.floats(1, 150, allow_nan=False)),
    min_size=1,
    max_size=25,
)


def _crosses(box: Placed, others: list[Placed], pad: float) -> bool:
    """Whether ``box``'s leader runs through a label in a row below it."""
    return any(
        o.row < box.row
        and abs(o.anchor - box.anchor) > pad
        and o.left - pad < box.anchor < o.right + pad
        for o in others
    )


@given(labels)
def test_placed_labels_never_overlap_within_a_row(items: list[tuple[float, float]]) -> None:
    anchors, widths = [a for a, _ in items], [w for _, w in items]
    placed = place_labels(anchors, widths, lo=-1e9, pad=2.0)
    for i, a in enumerate(placed):
        assert a.left <= a.anchor <= a.right
        assert a.right - a.left == pytest.approx(widths[i])
        for b in placed[i + 1 :]:
            if a.row == b.row:
                assert a.right + 2.0 <= b.left or b.right + 2.0 <= a.left


@given(labels)
def test_no_leader_runs_through_a_label_below(items: list[tuple[float, float]]) -> None:
    anchors, widths = [a for a, _ in items], [w for _, w in items]
    placed = place_labels(anchors, widths, lo=-1e9, pad=2.0)
    for box in placed:
        assert not _crosses(box, placed, 2.0)


def test_a_cluster_of_labels_climbs_a_staircase() -> None:
    """Labels close in time each go one row up; a later, distant label comes back down."""
    placed = place_labels([100, 110, 120, 500], [60, 60, 60, 60], lo=0, pad=2)
    assert [p.row for p in placed] == [0, 1, 2, 0]


def test_a_label_near_the_left_edge_shifts_right_to_stay_in_bounds() -> None:
    (placed,) = place_labels([10], [60], lo=0, pad=2)
    assert placed.left == 0
    assert placed.right == 60


def _history() -> tuple[Event, ...]:
    return (
        Contact(id="c", at=_t(0), actors=("qatar",), source=SRC),
        BlackoutStarted(id="b1", at=_t(10), actors=("israel_army",), area="gaza", source=SRC),
        BlackoutStarted(id="b2", at=_t(12), actors=("israel_army",), area="gaza", source=SRC),
        BlackoutEnded(
            id="b1-end",
            at=_t(20),
            actors=("israel_army",),
            area="gaza",
            answers=("b1",),
            source=SRC,
        ),
        BlackoutEnded(
            id="b2-end",
            at=_t(30),
            actors=("israel_army",),
            area="gaza",
            answers=("b2",),
            source=SRC,
        ),
        MilitaryOperation(
            id="op",
            at=_t(40),
            actors=("israel_army",),
            operation="ground_invasion",
            area="gaza",
            source=SRC,
        ),
        Condition(
            id="cond",
            at=_t(45),
            actors=("hamas_gaza",),
            name="hospital",
            holder="israel",
            source=SRC,
        ),
        TalksSuspended(
            id="sus", at=_t(50), actors=("hamas_gaza",), until=("hospital",), source=SRC
        ),
        Condition(
            id="waive",
            at=_t(60),
            actors=("hamas_gaza",),
            name="hospital",
            holder="israel",
            status="waived",
            source=SRC,
        ),
        TalksResumed(id="res", at=_t(70), actors=("hamas_gaza",), source=SRC),
    )


def test_overlapping_blackouts_make_one_span_until_the_last_ends() -> None:
    found = [s for s in spans(replay(_history())) if s.kind == "blackout"]
    assert [(s.row, s.start, s.end) for s in found] == [("blackout-gaza", _t(10), _t(30))]


def test_a_suspension_spans_from_suspended_to_resumed() -> None:
    (found,) = [s for s in spans(replay(_history())) if s.kind == "suspended"]
    assert (found.start, found.end) == (_t(50), _t(70))


def test_an_operation_still_in_force_at_the_end_is_open_ended() -> None:
    (found,) = [s for s in spans(replay(_history())) if s.kind == "operation"]
    assert found.start == _t(40)
    assert found.end is None
    assert found.label == "Ground invasion"


def test_lanes_are_the_manifests_parties_plus_other_only_when_needed() -> None:
    """With the baseline's manifest: the parties that act, in its order; a party it does not
    list gets a lane of its own after them; "other" only for an event with no actor.  Without a
    manifest: the parties in order of first appearance."""
    manifest = read_manifest(ROOT / "scenarios" / "baseline")
    acting = ("qatar", "israel", "hamas")
    assert lanes_of(replay(Log(events=_history(), manifest=manifest))) == acting
    stranger = Contact(id="x", at=_t(1), actors=("un_envoy",), source=SRC)
    with_stranger = Log(events=(*_history(), stranger), manifest=manifest)
    assert lanes_of(replay(with_stranger)) == (*acting, "un")
    nobody = attrs.evolve(stranger, actors=())
    assert lanes_of(replay(Log(events=(*_history(), nobody), manifest=manifest))) == (
        *acting,
        "other",
    )
    recorded = load_log(ROOT / "scenarios" / "baseline")
    assert recorded.manifest is not None
    assert any(not e.actors for e in recorded.events)  # its blackouts' ends have no actor
    assert lanes_of(replay(recorded)) == (*recorded.manifest.party_ids, "other")
    assert lanes_of(replay(_history())) == ("qatar", "israel", "hamas")


def test_every_kind_has_its_own_marker_and_colour() -> None:
    pairs = [(s.marker, s.colour) for s in KIND_STYLE.values()]
    assert len(set(pairs)) == len(pairs)


def _holding(state: NegotiationState) -> set[str]:
    """The status rows whose condition holds in ``state``."""
    rows = {f"blackout-{area}" for area, ids in state.blackouts.items() if ids}
    rows |= {state.talks} & {"suspended", "ended"}
    return rows | {f"operation-{op}" for op, p in state.posture.items() if p.phase != "ended"}


def _runs(trajectory: Trajectory) -> Counter[tuple[str, datetime, datetime | None]]:
    """Each status row's runs of consecutive states in which it holds: ``(row, time of the
    event after which the run begins, time of the one after which it is over or None)``."""
    holding = [_holding(state) for state in trajectory.states]
    at = [event.at for event in trajectory.events]
    runs: Counter[tuple[str, datetime, datetime | None]] = Counter()
    for row in set().union(*holding):
        for holds, group in groupby(range(len(at)), key=lambda i: row in holding[i]):
            if holds:
                first, *rest = group
                after = (rest[-1] if rest else first) + 1
                runs[(row, at[first], at[after] if after < len(at) else None)] += 1
    return runs


def _shuffled_times(log: tuple[Event, ...], order: list[int]) -> tuple[Event, ...]:
    """``log`` in its order, each event moved (with its bounds) to the time of ``log[order[i]]``:
    times that go back and forth."""
    out = []
    for event, other in zip(log, (log[i] for i in order), strict=True):
        by = other.at - event.at
        out.append(
            attrs.evolve(
                event,
                at=other.at,
                earliest=event.earliest and event.earliest + by,
                latest=event.latest and event.latest + by,
            )
        )
    return tuple(out)


@budget(25)
@given(histories(min_size=1), st.data())
def test_spans_are_the_runs_of_states_in_which_their_condition_holds(
    log: tuple[Event, ...], data: st.DataObject
) -> None:
    """A span opens at the event after which its condition holds and closes at the event after
    which it no longer does, whatever the times.  The log's times are shuffled (the events keep
    their order), so that spans read by time rather than by the order of the states, or closed
    at the wrong event, do not match."""
    order = data.draw(st.permutations(range(len(log))), label="whose time each event takes")
    trajectory = replay(_shuffled_times(log, order))
    found = spans(trajectory)
    assert Counter((s.row, s.start, s.end) for s in found) == _runs(trajectory)
    assert [(s.start, s.row) for s in found] == sorted((s.start, s.row) for s in found)


def test_a_span_closed_by_an_event_recorded_before_it_opened_ends_before_it_starts() -> None:
    """Out of time order, spans still follow the states: a blackout's end recorded at an
    earlier time than its start closes the span there, and the chart draws it as given."""
    log = (
        Contact(id="c", at=_t(0), actors=("qatar",), source=SRC),
        BlackoutStarted(id="b", at=_t(50), actors=("israel_army",), area="gaza", source=SRC),
        BlackoutEnded(
            id="b-end", at=_t(40), actors=("israel_army",), area="gaza", answers=("b",), source=SRC
        ),
    )
    (found,) = spans(replay(log))
    assert (found.row, found.start, found.end) == ("blackout-gaza", _t(50), _t(40))


@budget(4)
@given(histories(min_size=1, max_size=12))
def test_any_history_charts_over_a_prefix_of_itself_as_base(log: tuple[Event, ...]) -> None:
    """Generated histories (clustered times, actorless events, voided ones) still draw."""
    from sim.render.chart import chart_bytes, chart_figure

    figure = chart_figure(replay(log), base=replay(log[: len(log) // 2 or 1]))
    assert chart_bytes(figure, "svg").startswith(b"<?xml")


@given(
    st.datetimes(
        min_value=datetime(1, 1, 3),  # noqa: DTZ001 (local bounds; zones are drawn below)
        max_value=datetime(9999, 12, 29),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, *(_offset(h) for h in (-14, -5, 3, 14))]),
    )
)
def test_the_axis_numbers_are_matplotlibs_date_numbers(when: datetime) -> None:
    """The layout's :func:`days`, which runs without matplotlib, gives the very float
    ``matplotlib.dates.date2num`` does (the axis' dates name the place an event is drawn), for
    any time within the axis' range (0001-01-02 to 9999-12-30 in UTC, where it clamps)."""
    dates = pytest.importorskip("matplotlib.dates")
    assert days(when) == float(dates.date2num(when))


def test_a_time_past_the_calendars_end_in_utc_is_drawn_at_the_axis_end() -> None:
    """``9999-12-31T23:59:59-14:00`` has no UTC datetime; it is drawn where the axis ends."""
    end = datetime(9999, 12, 31, 23, 59, 59, tzinfo=_offset(-14))
    assert days(end) == days(datetime(9999, 12, 30, tzinfo=UTC))


def test_the_layout_imports_and_places_without_matplotlib() -> None:
    """The layout, the spans and the titles run with matplotlib made unimportable."""
    code = """
import sys
sys.modules["matplotlib"] = None  # any import of matplotlib now fails
from sim.fold import replay
from sim.render.chart.layout import lanes_of, place_labels, stack, window
from sim.render.chart.spans import spans
from sim.render.chart.titles import titles
from sim.store import load_log
trajectory = replay(load_log("scenarios/baseline"))
lanes = lanes_of(trajectory)
lo, hi, seen = window([trajectory], None, None)
assert stack(trajectory.events, lanes, 0.1)
assert spans(trajectory) and titles(trajectory, None, None)
assert place_labels([1.0, 2.0], [3.0, 3.0], lo=0.0)
loaded = sorted(m for m in sys.modules if m.startswith("matplotlib") and sys.modules[m])
print(loaded or "clean")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"
