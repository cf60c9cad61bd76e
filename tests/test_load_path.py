"""The fast load path (lines decoded in one pass, parsed records, chain links, paused GC) agrees
with the plain one."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.codec import (
    _WARM,
    GENESIS,
    _line_decoder,
    _Mirrors,
    decode_event,
    decode_line,
    decode_parsed,
    encode_event,
    line_hash,
    linked_hash,
    parse_json,
    record_bytes,
    stored_line,
)
from sim.errors import SimError
from sim.events import EVENT_TYPES, Event
from sim.fold import replay
from tests.builders import make
from tests.profiles import budget
from tests.strategies import events, full_events, histories, json_values


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
    if isinstance(target, list) and target:  # named terms: change one of them
        target = target[0]
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


def test_a_version_3_record_that_still_names_causes_is_refused_when_parsed_too() -> None:
    record = encode_event(make("call", "c1", 1))
    record["causes"] = ["c0"]
    with pytest.raises(SimError, match=r"unknown field.*causes") as plain:
        decode_event(_parsed(record))
    with pytest.raises(SimError) as parsed:
        decode_parsed(_parsed(record))
    assert str(parsed.value) == str(plain.value)


# ------------------------------------------------------------------------ lines in one pass


def _line(event: Event) -> bytes:
    content = record_bytes(event)
    return stored_line(content, line_hash(GENESIS, content))


def _plain(raw: bytes) -> Event:
    """What a log line decodes to the plain way: parsed by orjson, then decoded."""
    return decode_parsed(parse_json(raw, line=1))


def _one_pass(raw: bytes) -> Event:
    return decode_line(raw, line=1)


@given(full_events())
def test_a_stored_line_decodes_in_one_pass_to_its_event(event: Event) -> None:
    assert decode_line(_line(event)) == event


@given(full_events(), st.data())
def test_one_pass_and_plain_decoding_accept_and_refuse_alike(
    event: Event, data: st.DataObject
) -> None:
    record = encode_event(event)
    nested = data.draw(st.sampled_from(("", "source", "channel", "terms")))
    target = record.get(nested) if nested else record
    if isinstance(target, list) and target:  # named terms: change one of them
        target = target[0]
    if not isinstance(target, dict):
        target = record
    keys = [*sorted(target), "colour", "hash", "schema", "kind", "causes"]
    target[data.draw(st.sampled_from(keys))] = data.draw(json_values())
    raw = orjson.dumps(record)
    assert _outcome(_one_pass, raw) == _outcome(_plain, raw)


_CALL = orjson.dumps(
    {**encode_event(make("call", "c1", 1, earliest=None)), "hash": "0" * 64}
).decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"paragraph":1', '"paragraph":9223372036854775807'),  # the largest signed 64 bits
        ('"paragraph":1', '"paragraph":9223372036854775808'),  # orjson: an int; msgspec: no
        ('"paragraph":1', '"paragraph":18446744073709551616'),  # orjson: a float
        ('"paragraph":1', '"paragraph":-9223372036854775809'),
        ('"paragraph":1', '"paragraph":1.0'),
        ('"paragraph":1', '"paragraph":1e0'),
        ('"paragraph":1', '"paragraph":true'),
        ('"paragraph":1', '"paragraph":0'),
        ('"paragraph":1', '"paragraph":null'),
        ('+00:00"', 'Z"'),
        ('+00:00"', 'z"'),  # msgspec would read this time; fromisoformat does not
        ('00:00+00:00"', '00:00.1234567+00:00"'),  # msgspec rounds, fromisoformat truncates
        ('00:00+00:00"', '00+00:00"'),
        ('T00:00:00+00:00"', ' 00:00:00+00:00"'),
        ('+00:00"', '"'),  # naive
        ('"2023-10-08T00:00:00+00:00"', '""'),
        ('"2023-10-08T00:00:00+00:00"', "1696723200"),
        ('"id":"c1"', '"id":"c 1"'),
        ('"id":"c1"', '"id":"c1\\n"'),
        ('"id":"c1"', '"id":"c1\\u0000"'),
        ('"kind":"call"', '"kind":"call","kind":"call"'),
        ('"kind":"call"', '"kind":"call","kind":"meeting"'),
        ('"kind":"call"', '"kind":"meeting","kind":"call"'),
        ('"kind":"call"', '"kind":"Call"'),
        ('"kind":"call"', '"kind":null'),
        ('"kind":"call",', ""),
        ('"schema":4', '"schema":4,"schema":4'),
        ('"schema":4', '"schema":3,"schema":4'),
        ('"schema":4', '"schema":4.0'),
        ('"schema":4', '"schema":"4"'),
        ('"schema":4', '"schema":3'),
        ('"schema":4', '"schema":2'),
        ('"schema":4,', ""),
        ('"hash":"', '"hash":1,"x":"'),
        ('"hash":', '"causes":["c0"],"hash":'),
        ('"hash":', '"answers":["c0"],"after":["c0","c0"],"hash":'),
        ('"hash":', '"requires":["c0",{"id":"c2","decision":"any"}],"hash":'),
        ('"hash":', '"requires":[{"id":"c2"}],"hash":'),
        ('"hash":', '"requires":[{"id":"c2","decision":null}],"hash":'),
        ('"hash":', '"requires":[{"id":"c2","decision":"yes"}],"hash":'),
        ('"hash":', '"requires":[{"id":"c2","decision":"any","x":1}],"hash":'),
        ('"hash":', '"requires":[1],"hash":'),
        ('"hash":', '"requires":"c0","hash":'),
        ('"hash":', '"patience":"1d6h","hash":'),
        ('"hash":', '"patience":"P1DT6H","hash":'),
        ('"hash":', '"patience":"PT1.5S","hash":'),
        ('"hash":', '"patience":"0s","hash":'),
        ('"hash":', '"patience":"","hash":'),
        ('"hash":', '"patience":86400,"hash":'),
        ('"hash":', '"patience":null,"hash":'),
        ('"hash":', '"medium":"phone","summary":"","milestone":null,"hash":'),
        ('"hash":', '"precision":"approx","earliest":"2023-10-07T00:00:00+03:00","hash":'),
        ('"hash":', '"precision":"roughly","hash":'),
        ('"hash":', '"terms":{},"hash":'),
        ('"hash":', '"terms":[],"hash":'),
        ('"hash":', '"terms":[{"name":"days","value":4}],"hash":'),
        ('"hash":', '"terms":[{"name":"days","value":4.5,"text":"4.5 days"}],"hash":'),
        ('"hash":', '"terms":[{"name":"days","value":null}],"hash":'),
        ('"hash":', '"terms":[{"name":"days","value":[4]}],"hash":'),
        ('"hash":', '"terms":[{"name":"days"}],"hash":'),
        ('"hash":', '"terms":[{"name":"two words","value":true}],"hash":'),
        ('"hash":', '"channel":{"name":"a>b","via":["gaza"],"via":["x"]},"hash":'),
        ('"hash":', '"channel":null,"hash":'),
        (
            '"hash":',
            (
                '"alternatives":[{"source":{"document":"d"},"at":"2023-10-07T00:00:00+03:00",'
                '"earliest":"2023-10-07T00:00:00"}],"hash":'
            ),
        ),
        ('"hash":', '"also":[{"document":"d","paragraph":2},{"document":"d"}],"hash":'),
        ('"hash":', '"also":[{"document":"d","paragraph":true}],"hash":'),
        ('"actors":["qatar"]', '"actors":["qatar",1]'),
        ('"actors":["qatar"]', '"actors":"qatar"'),
        ('"actors":["qatar"]', '"actors":["qatar"],"actors":["egypt"]'),
        ('"document":"test"', '"document":"test\\ud800"'),
        ('"document":"test"', '"document":"t\\u00e9st \\ud83d\\udd4a"'),
        ('"document":"test"', '"document":"test","colour":"red"'),
        ("}", "} "),
        ("{", " {"),
        ("}", "}}"),
        ("}", ",}"),
    ],
)
def test_one_pass_decoding_takes_and_refuses_texts_as_the_plain_way(old: str, new: str) -> None:
    raw = _CALL.replace(old, new, 1).encode()
    assert raw != _CALL.encode()
    assert _outcome(_one_pass, raw) == _outcome(_plain, raw)


@given(full_events())
def test_both_forms_of_a_builder_make_the_event(event: Event) -> None:
    decoder, _ = _line_decoder()
    mirror = decoder.decode(_line(event))
    mirrors = _Mirrors()
    assert mirrors.builder(type(event))(mirror) == event
    assert mirrors.builder(type(event), whole=True)(mirror) == event


def test_a_long_run_of_one_kind_goes_on_with_the_faster_builder() -> None:
    events = [make("call", f"c{i}", 1, after=("c0",), medium="video") for i in range(_WARM + 9)]
    assert [decode_line(_line(event)) for event in events] == events
    decoder, builders = _line_decoder()
    assert "_warming" not in builders[type(decoder.decode(_line(events[0])))].__qualname__


def test_every_line_of_the_baseline_decodes_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-pass path is the one taken for sound lines: the plain one is never called."""
    raw = (Path(__file__).parent.parent / "scenarios" / "baseline" / "events.jsonl").read_bytes()
    lines = [line for line in raw.split(b"\n") if line]
    expected = [_plain(line) for line in lines]

    def refuse(record: object) -> Event:
        raise AssertionError(record)

    monkeypatch.setattr("sim.codec.decode_parsed", refuse)
    assert [decode_line(line) for line in lines] == expected
    assert {event.kind for event in expected} == set(EVENT_TYPES)


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
