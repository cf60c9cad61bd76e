"""The codec round-trips every kind exactly and explains a bad record."""

from __future__ import annotations

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
    split_line,
    stored_line,
)
from sim.errors import SimError
from sim.events import KINDS, Event
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
