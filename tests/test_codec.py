"""The codec round-trips every kind exactly and explains a bad record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from sim.codec import (
    GENESIS,
    SCHEMA,
    decode_event,
    encode_event,
    line_hash,
    record_bytes,
    refused_field,
    split_line,
    stored_line,
)
from sim.errors import SimError
from sim.events import KINDS, Event, Requirement, Term
from sim.fold import replay
from sim.store import load_log
from tests.builders import make
from tests.strategies import events


@given(events())
def test_codec_round_trips_every_kind(event: Event) -> None:
    assert decode_event(encode_event(event)) == event


@given(events())
def test_a_stored_line_splits_back_into_its_record_and_hash(event: Event) -> None:
    content = record_bytes(event)
    digest = line_hash(GENESIS, content)
    assert split_line(stored_line(content, digest)) == (content, digest)


def test_every_contract_kind_is_known() -> None:
    contract = {
        "contact", "channel_opened", "call", "release", "offer", "response", "condition",
        "assurance", "military_operation", "blackout_started", "blackout_ended",
        "talks_suspended", "talks_resumed", "information", "approval", "announcement",
    }  # fmt: skip
    assert contract <= set(KINDS)


def test_records_carry_the_schema_version_and_leave_defaults_out() -> None:
    record = encode_event(make("call", "c1", 1))
    assert record["schema"] == SCHEMA
    assert record["kind"] == "call"
    assert "recipients" not in record  # empty by default, so left out


def test_typed_links_round_trip_as_ids_or_objects() -> None:
    event = make(
        "call",
        "c1",
        1,
        requires=("a", Requirement(id="b", decision="rejected")),
        answers=("m",),
        after=("p",),
        patience=timedelta(days=1, hours=6),
    )
    record = encode_event(event)
    assert record["requires"] == ["a", {"id": "b", "decision": "rejected"}]
    assert record["patience"] == "1d6h"
    assert decode_event(record) == event
    assert event.causes == ("a", "b", "m", "p")
    assert decode_event({**record, "patience": "P1DT6H"}) == event


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"requires": [{"id": "a", "decision": "maybe"}]}, "decision among"),
        ({"requires": [{"id": "a", "why": "x"}]}, "id and decision only"),
        ({"requires": [3]}, "expected an id"),
        ({"patience": "soon"}, "positive duration"),
        ({"patience": "0d"}, "positive duration"),
        ({"causes": ["a"], "schema": SCHEMA}, "requires, answers or after"),
    ],
)
def test_bad_links_are_explained(change: dict[str, Any], words: str) -> None:
    record = {**encode_event(make("call", "c1", 1)), **change}
    with pytest.raises(SimError, match="invalid call") as caught:
        decode_event(record)
    assert words in str(caught.value)


def test_version_2_causes_become_answers_and_offer_requires_becomes_approvers() -> None:
    record = encode_event(make("offer", "o", 1, text="t", approvers=("hamas",), answers=("x",)))
    old = dict(record, schema=2, causes=record.pop("answers"), requires=record.pop("approvers"))
    assert decode_event(old) == make(
        "offer", "o", 1, text="t", approvers=("hamas",), answers=("x",)
    )


def test_a_log_written_in_version_2_keeps_its_meaning() -> None:
    """The baseline as it was stored before typed links (49 events, every cause untyped)
    replays as it did then: no event voided or moved, every milestone reached when it was, the
    deal concluded at the cabinet's approval."""
    older = load_log(Path(__file__).parent / "data" / "baseline-schema2.jsonl")
    assert len(older.events) == 49
    assert all(not e.requires and not e.after for e in older.events)
    trajectory = replay(older)
    assert trajectory.voided == ()
    assert not trajectory.waits
    assert trajectory.events == older.events
    reached = {e.milestone: e.at for e in older.events if e.milestone}
    assert dict(trajectory.milestones) == reached
    assert trajectory.outcome.concluded_at == reached["cabinet_approval"]


def test_a_log_written_in_version_3_keeps_its_terms_in_the_words_sim_showed() -> None:
    """The baseline as stored before named terms: each field of the old term sheet becomes the
    term of that name, shown as before (``a 4-day pause``, ``50 hostages``), each note a term
    ``note``; the replay is the one of the current baseline, event for event."""
    older = load_log(Path(__file__).parent / "data" / "baseline-schema3.jsonl")
    trajectory = replay(older)
    assert trajectory.voided == ()
    assert trajectory.outcome.terms is not None
    said = [(t.name, t.value, t.said()) for t in trajectory.outcome.terms]
    assert said[:5] == [
        ("pause_days", 4, "a 4-day pause"),
        ("extendable", True, "extendable"),
        ("first_phase", "women and children", "first phase: women and children"),
        ("hostages", 50, "50 hostages"),
        ("further_releases", True, "further releases expected"),
    ]
    assert said[5][0] == "note"
    current = replay(load_log(Path(__file__).parents[1] / "scenarios" / "baseline"))
    assert [(e.id, e.at) for e in trajectory.events] == [(e.id, e.at) for e in current.events]
    assert dict(trajectory.milestones) == dict(current.milestones)


def test_version_3_term_sheet_fields_become_named_terms() -> None:
    record = encode_event(make("offer", "o", 1, text="t"))
    old = dict(record, schema=3, terms={"pause_days": 4, "notes": ["two phases"]})
    assert decode_event(old).terms == (  # type: ignore[union-attr]
        Term(name="pause_days", value=4, text="a 4-day pause"),
        Term(name="note", value="two phases", text="two phases"),
    )


def test_version_1_records_are_upcast() -> None:
    record = encode_event(make("call", "c1", 1))
    old: dict[str, Any] = dict(record, schema=1, time=record.pop("at"))
    old["cite"] = old.pop("source")
    assert decode_event(old) == make("call", "c1", 1)


def _bad(record: dict[str, Any]) -> str:
    with pytest.raises(SimError) as caught:
        decode_event(record)
    return str(caught.value)


def test_unknown_kind_lists_the_known_ones() -> None:
    message = _bad(encode_event(make("call", "c1", 1)) | {"kind": "truce"})
    assert "unknown event kind" in message
    assert "found 'truce'" in message
    assert "announcement" in message


def test_missing_field_is_named() -> None:
    record = encode_event(make("response", "r", 1, to="o", decision="accepted"))
    del record["to"]
    assert "missing required field to" in _bad(record)


def test_extra_field_is_named() -> None:
    message = _bad(encode_event(make("call", "c1", 1)) | {"colour": "red"})
    assert "unknown field(s) colour" in message


def test_mistyped_field_says_what_was_expected_and_found() -> None:
    message = _bad(encode_event(make("release", "r", 1, captor="hamas", count=2)) | {"count": "2"})
    assert "count" in message
    assert "expected int, found str '2'" in message


def test_naive_time_is_refused() -> None:
    message = _bad(encode_event(make("call", "c1", 1)) | {"at": "2023-10-07T12:00:00"})
    assert "timezone-aware" in message


def test_invalid_decision_is_refused() -> None:
    record = encode_event(make("response", "r", 1, to="o", decision="accepted"))
    assert "decision" in _bad(record | {"decision": "maybe"})


def test_unknown_record_version_is_refused() -> None:
    assert "unknown record version" in _bad(encode_event(make("call", "c", 1)) | {"schema": 9})


# ------------------------------------------------------------------------------------ blame


@given(events())
def test_no_field_of_a_sound_record_is_refused(event: Event) -> None:
    assert refused_field(encode_event(event)) == ()


_RELEASE = encode_event(make("release", "r", 1, captor="hamas", count=2))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"count": 0}, ("count",)),  # a validator
        ({"count": "2"}, ("count",)),  # a type
        ({"id": "a b"}, ("id",)),
        ({"at": "2023-10-07T12:00:00"}, ("at",)),  # naive
        ({"source": {"document": "d", "paragraph": 0}}, ("source", "paragraph")),
        ({"source": {"document": "d", "page": 3}}, ("source", "page")),
        ({"source": "seed"}, ("source",)),
        ({"alternatives": [{"at": "x", "source": {"document": "d"}}]}, ("alternatives",)),
        ({"requires": [{"id": "a", "decision": "maybe"}]}, ("requires",)),
        ({"patience": "-1d"}, ("patience",)),
        ({"colour": "red"}, ("colour",)),  # an unknown key
        ({"kind": "truce"}, ("kind",)),
        ({"schema": 9}, ()),  # a version this code cannot read: no field to blame
        ({"schema": 2, "causes": "o"}, ("answers",)),  # named as the current version names it
    ],
)
def test_the_refused_field_is_the_one_the_codec_refuses(
    change: dict[str, Any], path: tuple[str, ...]
) -> None:
    record = _RELEASE | change
    with pytest.raises(SimError):
        decode_event(record)
    assert refused_field(record) == path


def test_the_first_refused_field_in_field_order_is_blamed() -> None:
    record = {k: v for k, v in _RELEASE.items() if k != "captor"} | {"at": "x", "count": 0}
    assert refused_field(record) == ("at",)
    del record["at"]
    assert refused_field(record) == ("at",)  # missing
    assert refused_field(record | {"at": _RELEASE["at"]}) == ("captor",)
