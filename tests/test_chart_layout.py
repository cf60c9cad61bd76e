"""The chart's pure parts: label placement and the spans read from a trajectory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
from sim.fold import Log, replay
from sim.render.chart import KIND_STYLE, Placed, lanes_of, place_labels, spans
from sim.store import load_log, read_manifest
from tests.profiles import budget
from tests.strategies import histories

ROOT = Path(__file__).resolve().parent.parent
PARTIES = ("qatar", "us", "israel", "hamas", "egypt")

SRC = Source(document="test")
T0 = datetime(2023, 11, 1, tzinfo=UTC)


def _t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


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
    baseline = replay(load_log(ROOT / "scenarios" / "baseline"))
    assert lanes_of(baseline) == (*PARTIES, "other")  # its blackouts' ends have no actor
    assert lanes_of(replay(_history())) == ("qatar", "israel", "hamas")


def test_every_kind_has_its_own_marker_and_colour() -> None:
    pairs = [(s.marker, s.colour) for s in KIND_STYLE.values()]
    assert len(set(pairs)) == len(pairs)


@budget(25)
@given(histories(min_size=1))
def test_spans_never_end_before_they_start_in_a_time_ordered_log(log: tuple[Event, ...]) -> None:
    for span in spans(replay(log)):
        assert span.end is None or span.end >= span.start


@budget(4)
@given(histories(min_size=1, max_size=12))
def test_any_history_charts_over_a_prefix_of_itself_as_base(log: tuple[Event, ...]) -> None:
    """Generated histories (clustered times, actorless events, voided ones) still draw."""
    from sim.render.chart import chart_bytes, chart_figure

    figure = chart_figure(replay(log), base=replay(log[: len(log) // 2 or 1]))
    assert chart_bytes(figure, "svg").startswith(b"<?xml")
