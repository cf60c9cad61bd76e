"""The fast load path (parsed records, chain links, paused GC) agrees with the plain one."""

from __future__ import annotations

import gc
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.codec import (
    GENESIS,
    decode_event,
    decode_parsed,
    encode_event,
    line_hash,
    linked_hash,
    record_bytes,
    stored_line,
)
from sim.errors import SimError
from sim.events import Event
from sim.fold import replay
from tests.builders import make
from tests.profiles import budget
from tests.strategies import events, histories, json_values


def _parsed(record: dict[str, Any]) -> Any:
    """``record`` as a log line would give it back: through JSON text."""
    return orjson.loads(orjson.dumps(record))


def _outcome(decode: Any, record: Any) -> Event | str:
    try:
        event: Event = decode(record)
    except SimError as exc:
        return f"refused: {exc}"
    return event


@given(events())
def test_a_parsed_record_decodes_to_its_event(event: Event) -> None:
    assert decode_parsed(_parsed(encode_event(event))) == event


@budget(30)
@given(events(), st.data())
def test_parsed_and_plain_decoding_accept_and_refuse_alike(
    event: Event, data: st.DataObject
) -> None:
    record = encode_event(event)
    nested = data.draw(st.sampled_from(("", "source", "channel")))
    target = record.get(nested) if nested else record
    if not isinstance(target, dict):
        target = record
    key = data.draw(st.sampled_from([*sorted(target), "colour", "hash", "schema", "kind"]))
    target[key] = data.draw(json_values())
    plain = _outcome(decode_event, _parsed(record))
    assert _outcome(decode_parsed, _parsed(record)) == plain


def test_a_shared_source_does_not_stand_in_for_one_of_another_type() -> None:
    record = encode_event(make("call", "c", 0))
    assert record["source"]["paragraph"] == 1
    decode_parsed(_parsed(record))  # caches the source with paragraph 1
    for lookalike in (True, 1.0):
        record["source"]["paragraph"] = lookalike
        with pytest.raises(SimError, match="paragraph"):
            decode_parsed(_parsed(record))


def test_decoding_a_parsed_record_keeps_the_schema_upcasts() -> None:
    record = encode_event(make("call", "c1", 1))
    old: dict[str, Any] = dict(record, schema=1, time=record.pop("at"))
    old["cite"] = old.pop("source")
    assert decode_parsed(_parsed(old)) == make("call", "c1", 1)


@given(events(), st.data())
def test_a_chain_link_is_accepted_exactly_when_it_is_whole(
    event: Event, data: st.DataObject
) -> None:
    content = record_bytes(event)
    digest = line_hash(GENESIS, content)
    line = stored_line(content, digest)
    assert linked_hash(line, GENESIS) == digest
    assert linked_hash(line, digest) is None  # another predecessor
    at = data.draw(st.integers(0, len(line) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != line[at]))
    assert linked_hash(line[:at] + bytes([byte]) + line[at + 1 :], GENESIS) is None


@budget(25)
@given(histories(min_size=1))
def test_a_paused_replay_restores_the_collector(history: tuple[Event, ...]) -> None:
    gc.disable()
    try:
        replay(history)
        assert not gc.isenabled()
    finally:
        gc.enable()
    replay(history)
    assert gc.isenabled()


def test_a_large_replay_leaves_objects_a_caller_froze_frozen() -> None:
    history = [make("contact", "c", 0), *(make("call", f"k{i}", 1) for i in range(4000))]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        replay(history)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
