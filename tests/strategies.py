"""Hypothesis strategies: events and histories, composed from small pieces.

``histories()`` draws whole logs that a store would accept (unique ids, causes naming earlier
events, times in order) and that exercise the rules: offers and responses to them, conditions
met or breached, suspensions and resumptions, blackouts that start and end (and overlap),
approvals, releases.  Many drawn events are voided by guards; that is part of what is tested.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_args

import attrs
import orjson
from hypothesis import strategies as st

from sim.codec import encode_event
from sim.events import (
    DECISIONS,
    EVENT_TYPES,
    Alternative,
    Approval,
    BlackoutEnded,
    BlackoutStarted,
    Channel,
    Contact,
    Event,
    Information,
    Offer,
    RequiredDecision,
    Requirement,
    Response,
    Source,
    Term,
)
from sim.whatif import Amend, Insert, Intervention, Remove, Retime, Selector

__all__ = [
    "START",
    "acceptance_deals",
    "blackout_lengthenings",
    "blackout_what_ifs",
    "carried_out_deals",
    "dark_histories",
    "deal_what_ifs",
    "deals",
    "durations",
    "events",
    "exact_deals",
    "full_events",
    "garbage",
    "histories",
    "hostile_events",
    "hostile_logs",
    "hostile_scenario_texts",
    "interventions",
    "json_values",
    "lengthens_a_blackout",
    "monotone_histories",
    "mutated_bytes",
    "mutated_record",
    "mutated_scenario",
    "rechained",
    "scenario_data",
    "scenario_texts",
    "sources",
    "stored_logs",
    "study_seeds",
    "terms",
    "toml_values",
    "uncertain_deals",
    "what_ifs",
    "zoned_histories",
    "zoned_what_ifs",
]

START = datetime(2023, 10, 7, 12, tzinfo=UTC)
ACTORS = ("qatar", "us_mcgurk", "israel_war_cabinet", "israel_cabinet", "hamas_gaza", "egypt")
BODIES = ("hamas", "israel_cabinet")
TEXTS = ("t1", "t2", "t3")
CONDITIONS = ("no_ground_invasion", "hospital_kept_running", "fuel_allowed")
OPERATIONS = ("ground_invasion", "hospital_entry")
MILESTONES = ("first_contact", "framework_agreed", "hamas_green_light", "cabinet_approval")

texts = st.sampled_from(("", "a call", "اتصلت قطر بالبيت الأبيض", 'quote "with" \\ escapes', "🕊"))
unicode = st.text(max_size=12)


def sources() -> st.SearchStrategy[Source]:
    """A citation: a document, maybe a paragraph, a quote (any Unicode) and a note."""
    return st.builds(
        Source,
        document=st.sampled_from(("seed", "facts.md", "generated")),
        paragraph=st.none() | st.integers(1, 30),
        quote=unicode,
        note=texts,
    )


def channels() -> st.SearchStrategy[Channel | None]:
    """No channel, a direct one, or one that runs through Gaza."""
    return st.none() | st.builds(
        Channel,
        name=st.sampled_from(("hamas-gaza>qatar", "qatar>cell", "cia>mossad")),
        via=st.sampled_from(((), ("gaza",))),
    )


def _pick(draw: st.DrawFn, options: tuple[str, ...] | list[str]) -> str:
    return options[draw(_index(len(options)))]


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    """An index into ``size`` options: one strategy per size, made once (the same draws as
    ``st.integers(0, size - 1)``, without looking it up in Hypothesis's cache at each draw)."""
    return st.integers(0, size - 1)


_PRECISIONS = ("exact", "day", "approx")
_PATIENCES = (timedelta(hours=6), timedelta(days=2))
_MAYBE_MILESTONE = st.none() | st.none() | st.none() | st.sampled_from(MILESTONES)
_ACTOR_SETS = st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2, unique=True).map(tuple)
_RECIPIENT_SETS = st.lists(st.sampled_from(ACTORS), max_size=2, unique=True).map(tuple)


_PATIENCE = st.none() | st.none() | st.sampled_from(_PATIENCES)
"""Made once: a strategy made for each event is validated again at each draw."""


_COIN = st.booleans()
_ONE_OR_TWO = st.integers(1, 2)
_ZERO_TO_THREE = st.integers(0, 3)
_ZERO_TO_NINE = st.integers(0, 9)


@st.composite
def _envelope(draw: st.DrawFn, ident: str, at: datetime, earlier: list[Event]) -> dict[str, Any]:
    links: dict[str, list[Any]] = {"requires": [], "answers": [], "after": []}
    linked = bool(earlier) and draw(_COIN)
    if linked:
        picked = {_pick(draw, [e.id for e in earlier[-6:]]) for _ in range(draw(_ONE_OR_TWO))}
        for cause in sorted(picked):
            kind = _pick(draw, ("requires", "answers", "answers", "after"))
            if kind == "requires" and draw(_ZERO_TO_THREE) == 0:
                decision = _pick(draw, ("any", "rejected", "accepted", "commented"))
                links[kind].append(Requirement(id=cause, decision=decision))  # type: ignore[arg-type]
            else:
                links[kind].append(cause)
    precision = _pick(draw, _PRECISIONS)
    bounds: dict[str, Any] = {}
    if precision == "approx" and draw(_COIN):
        bounds = {"earliest": at - timedelta(hours=12), "latest": at + timedelta(hours=12)}
    alternatives: tuple[Alternative, ...] = ()
    if draw(_ZERO_TO_NINE) == 0:
        alternatives = (
            Alternative(source=draw(_SOURCES), at=at - timedelta(days=draw(_ZERO_TO_THREE))),
        )
    return {
        "id": ident,
        "at": at,
        "precision": precision,
        "actors": draw(_ACTOR_SETS),
        "recipients": draw(_RECIPIENT_SETS),
        "channel": draw(_CHANNELS),
        "requires": tuple(links["requires"]),
        "answers": tuple(links["answers"]),
        "after": tuple(links["after"]),
        "patience": draw(_PATIENCE),
        "source": draw(_SOURCES),
        "summary": draw(texts),
        "milestone": draw(_MAYBE_MILESTONE),
        "alternatives": alternatives,
        **bounds,
    }


_STATIC_FIELDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "contact": st.fixed_dictionaries({"about": texts}),
    "channel_opened": st.fixed_dictionaries(
        {"name": st.sampled_from(("cell", "back_channel")), "members": st.just(ACTORS[:2])}
    ),
    "call": st.fixed_dictionaries({"medium": st.just("phone")}),
    "meeting": st.fixed_dictionaries({"place": st.just("Doha")}),
    "release": st.fixed_dictionaries(
        {
            "captor": st.just("hamas"),
            "count": st.integers(1, 4),
            "names": st.lists(st.sampled_from(("a", "b", "c", "d")), max_size=2, unique=True).map(
                tuple
            ),
        }
    ),
    "offer": st.fixed_dictionaries(
        {
            "text": st.sampled_from(TEXTS),
            "terms": st.lists(
                st.builds(Term, name=st.just("pause_days"), value=st.integers(1, 7)), max_size=1
            ).map(tuple),
            "conditions": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple),
            "approvers": st.sampled_from(((), BODIES)),
            "final": st.booleans(),
        }
    ),
    "condition": st.fixed_dictionaries(
        {
            "name": st.sampled_from(CONDITIONS),
            "holder": st.sampled_from(ACTORS),
            "prohibits": st.none() | st.sampled_from(OPERATIONS),
            "status": st.sampled_from(("open", "open", "waived")),
        }
    ),
    "assurance": st.fixed_dictionaries(
        {"about": texts, "meets": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple)}
    ),
    "military_operation": st.fixed_dictionaries(
        {
            "operation": st.sampled_from(OPERATIONS),
            "area": st.just("gaza"),
            "phase": st.sampled_from(("started", "adapted", "ended")),
        }
    ),
    "blackout_started": st.fixed_dictionaries({"area": st.just("gaza")}),
    "blackout_ended": st.fixed_dictionaries({"area": st.just("gaza")}),
    "talks_suspended": st.fixed_dictionaries(
        {"until": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple)}
    ),
    "talks_resumed": st.fixed_dictionaries({}),
    "information": st.fixed_dictionaries(
        {
            "about": texts,
            "count": st.none() | st.integers(0, 60),
            "captor": st.none() | st.just("hamas"),
        }
    ),
    "approval": st.fixed_dictionaries(
        {"body": st.sampled_from(BODIES), "text": st.sampled_from(TEXTS)}
    ),
    "announcement": st.fixed_dictionaries({"of_deal": st.booleans()}),
}
_RESPONSE_FIELDS = st.fixed_dictionaries(
    {"decision": st.sampled_from(DECISIONS), "body": st.none() | st.sampled_from(BODIES)}
)


def _kind_fields(draw: st.DrawFn, kind: str, earlier: list[Event]) -> dict[str, Any]:
    if kind == "response":
        offers = [e.id for e in earlier if isinstance(e, Offer)] or ["no_such_offer"]
        return {**draw(_RESPONSE_FIELDS), "to": _pick(draw, offers)}
    return dict(draw(_STATIC_FIELDS[kind]))


_KIND_NAMES = tuple(sorted(EVENT_TYPES))


@st.composite
def events(
    draw: st.DrawFn, ident: str = "e0", at: datetime = START, earlier: tuple[Event, ...] = ()
) -> Event:
    """One event of any kind, valid against ``earlier`` (its causes name earlier events)."""
    before = list(earlier)
    kind = _pick(draw, _KIND_NAMES)
    envelope = draw(_envelope(ident, at, before))
    own = _kind_fields(draw, kind, before)
    starts = [e.id for e in before if isinstance(e, BlackoutStarted)]
    if kind == "blackout_ended" and starts:
        envelope["answers"] = (_pick(draw, starts[-3:]),)
    event: Event = EVENT_TYPES[kind](**envelope, **own)
    return event


_LINKED = st.sampled_from(("e0", "e1", "offer-2"))
_REQUIREMENTS = st.builds(
    Requirement, id=_LINKED, decision=st.sampled_from(get_args(RequiredDecision))
)


def terms() -> st.SearchStrategy[Term]:
    """One named term of a text: a yes or no, a whole or decimal number, or words; with or
    without its own words and its own source."""
    values: st.SearchStrategy[bool | int | float | str] = st.one_of(
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False, width=64),
        texts,
    )
    return st.builds(
        Term,
        name=st.sampled_from(("pause_days", "hostages", "zones", "note")),
        value=values,
        text=texts,
        source=st.none() | sources(),
    )


@st.composite
def full_events(draw: st.DrawFn) -> Event:
    """One event of any kind with every field of the envelope drawn (typed links, patience,
    further citations, bounds, alternatives, terms): for properties of the codec, which reads
    one event at a time (its links need not name events that exist)."""
    event = draw(events())
    bounds: dict[str, Any] = {}
    if draw(st.booleans()):
        bounds = {"earliest": event.at - timedelta(days=1), "latest": event.at}
    named: dict[str, Any] = {}
    if isinstance(event, Offer):
        named = {"terms": draw(st.lists(terms(), max_size=3).map(tuple))}
    full: Event = attrs.evolve(
        event,
        requires=tuple(draw(st.lists(_REQUIREMENTS, max_size=2))),
        after=tuple(draw(st.lists(_LINKED, max_size=2))),
        patience=draw(st.none() | st.integers(1, 10**7).map(lambda s: timedelta(seconds=s))),
        also=tuple(draw(st.lists(sources(), max_size=2))),
        **bounds,
        **named,
    )
    return full


@st.composite
def histories(draw: st.DrawFn, min_size: int = 0, max_size: int = 25) -> tuple[Event, ...]:
    """A whole log: unique ids, causes naming earlier events, times in non-decreasing order.

    It opens with a contact more often than not, so that talks are active and the rules past
    the first guard are exercised.
    """
    size = draw(st.integers(min_size, max_size))
    at = START
    log: list[Event] = []
    if size and draw(st.integers(0, 3)):
        log.append(Contact(id="e0", at=at, actors=("qatar",), source=Source(document="generated")))
    while len(log) < size:
        at += timedelta(hours=draw(st.integers(0, 48)))
        log.append(draw(events(ident=f"e{len(log)}", at=at, earlier=tuple(log))))
    return tuple(log)


_SOURCES = sources()
_CHANNELS = channels()


# ------------------------------------------------------------------------------------ what-ifs


def durations(max_hours: int = 96) -> st.SearchStrategy[timedelta]:
    """A signed shift of whole hours (zero included)."""
    return st.integers(-max_hours, max_hours).map(lambda h: timedelta(hours=h))


@st.composite
def interventions(draw: st.DrawFn, history: tuple[Event, ...], *, inserts: bool = True) -> Any:
    """One intervention that applies cleanly to ``history``: by id, or by kind with ``all``.

    Removes, retimes (by a signed shift or to a time), amends of a response's decision or of
    the summary, and inserts of a fresh event (causes naming earlier events).
    """
    target = draw(st.sampled_from(history))
    by_kind = draw(st.integers(0, 4)) == 0
    selector = Selector(kind=target.kind, all=True) if by_kind else Selector(id=target.id)
    choice = draw(
        st.sampled_from(
            ("remove", "retime", "amend", "insert") if inserts else ("remove", "retime", "amend")
        )
    )
    if choice == "remove":
        return Remove(target=selector)
    if choice == "retime":
        if draw(st.booleans()):
            return Retime(target=selector, by=draw(durations()))
        return Retime(target=selector, to=target.at + draw(durations()))
    if choice == "amend":
        if target.kind == "response" and not by_kind:
            return Amend(target=selector, fields={"decision": draw(st.sampled_from(DECISIONS))})
        return Amend(target=selector, fields={"summary": "amended"})
    n = len(history)
    at = target.at + draw(durations(48).filter(lambda d: d >= timedelta(0)))
    event = draw(events(ident=f"x{n}-{draw(st.integers(0, 999))}", at=at, earlier=history))
    return Insert(event=event)


@st.composite
def what_ifs(
    draw: st.DrawFn, min_size: int = 1, max_size: int = 25
) -> tuple[tuple[Event, ...], list[Intervention]]:
    """A history and up to three interventions that apply to it one after the other."""
    history = draw(histories(min_size=min_size, max_size=max_size))
    count = draw(st.integers(0, 3))
    return history, [draw(interventions(history, inserts=True)) for _ in range(count)]


@st.composite
def deals(draw: st.DrawFn, max_extra: int = 12) -> tuple[Event, ...]:
    """A history that concludes a deal unless something in between gets in the way.

    Talks open, an offer that needs both bodies' approval is tabled, random events follow
    (other offers among them), then both bodies approve the first text.
    """
    source = Source(document="generated")
    at = START
    log: list[Event] = [
        Contact(id="e0", at=at, actors=("qatar",), source=source),
        Offer(id="e1", at=at, text="t1", approvers=BODIES, actors=("qatar",), source=source),
    ]
    for _ in range(draw(st.integers(0, max_extra))):
        at += timedelta(hours=draw(st.integers(0, 24)))
        log.append(draw(events(ident=f"e{len(log)}", at=at, earlier=tuple(log))))
    for body in BODIES:
        at += timedelta(hours=draw(st.integers(0, 24)))
        log.append(
            Approval(
                id=f"e{len(log)}",
                at=at,
                body=body,
                text="t1",
                actors=(body,),
                channel=draw(channels()),
                answers=("e1",),
                source=source,
            )
        )
    return tuple(log)


@st.composite
def deal_what_ifs(draw: st.DrawFn) -> tuple[tuple[Event, ...], list[Intervention]]:
    """A deal and up to three interventions on it."""
    history = draw(deals())
    count = draw(st.integers(0, 3))
    return history, [draw(interventions(history)) for _ in range(count)]


# ------------------------------------------------------------------------------------ fuzzing
#
# Bad input for the loaders: garbage, and valid logs and records broken in the ways files break
# (bytes flipped, cut, inserted; lines dropped, doubled, swapped; values of the wrong shape).

_TOKENS = (
    b"\xef\xbb\xbf", b"\r", b"\r\n", b"\n", b"\x00", b"\xff", b"\xc3", b'"', b"\\", b"{", b"}",
    b"[", b"]", b",", b":", b"null", b"true", b"1e999", b"-0", b"NaN", b'"\\ud800"',
    b"9" * 40, b'"hash":"', b"0" * 64, b'"kind":"call"', b'"at":"2023-10-07T12:00:00"',
    b'"causes":["e0"]', b'"answers":["e0"]', b'"requires":[{"id":"e0"}]', b'"schema":1',
    b'"time":"2023-10-07T12:00:00+00:00"',
)  # fmt: skip
_KEYS = (
    "id", "kind", "at", "precision", "earliest", "latest", "actors", "recipients", "channel",
    "causes", "requires", "answers", "after", "patience", "approvers", "source", "summary",
    "milestone", "alternatives", "schema", "hash", "to",
    "decision", "count", "text", "terms", "area", "body", "via", "document", "paragraph",
    "quote", "name", "time", "cite", "pause_days", "", "\u0000", "ключ",
)  # fmt: skip


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value: scalars of every type (times and ids among the strings), nested."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=8)
        | st.sampled_from(
            (*_KEYS, "2023-10-07T12:00:00+00:00", "2023-10-07T12:00:00", "2023-13-45", "e0")
        )
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=4), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def garbage() -> st.SearchStrategy[bytes]:
    """Bytes that are no log: random bytes, token soup, or lines of random JSON."""
    soup = st.lists(st.sampled_from(_TOKENS) | st.binary(max_size=6), max_size=30).map(b"".join)
    json_lines = st.lists(json_values(), max_size=6).map(
        lambda values: b"\n".join(orjson.dumps(v) for v in values)
    )
    return st.binary(max_size=600) | soup | json_lines


@st.composite
def mutated_record(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with one to three of its values (maybe nested) replaced, dropped or added."""
    result: dict[str, Any] = dict(record)
    for _ in range(draw(st.integers(1, 3))):
        target = result
        nested = [k for k, v in result.items() if isinstance(v, dict)]
        if len(nested) > 0 and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(nested)))
            target = result[key] = dict(result[key])
        action = draw(st.sampled_from(("replace", "drop", "add")))
        keys = sorted(target)
        if action == "drop" and keys:
            del target[draw(st.sampled_from(keys))]
        elif action == "replace" and keys:
            target[draw(st.sampled_from(keys))] = draw(json_values(max_leaves=4))
        else:
            target[draw(st.sampled_from(_KEYS))] = draw(json_values(max_leaves=4))
    return result


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` (a stored log) after one to four edits of the kinds that break files."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        lines = data.split(b"\n")
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        edit = draw(
            st.sampled_from(
                ("flip", "insert", "delete", "truncate", "token", "drop", "double", "swap")
            )
        )
        if edit == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif edit == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif edit == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif edit == "truncate":
            data = data[:at]
        elif edit == "token":
            data = data[:at] + draw(st.sampled_from(_TOKENS)) + data[at:]
        elif edit == "drop":
            data = b"\n".join(lines[:i] + lines[i + 1 :])
        elif edit == "double":
            data = b"\n".join([*lines[:i], lines[i], *lines[i:]])
        elif edit == "swap":
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
    return data


def rechained(records: list[dict[str, Any]]) -> bytes:
    """Records as a stored log with a whole chain, whatever they hold (as a tamperer would)."""
    from sim.codec import GENESIS, line_hash, stored_line

    previous, out = GENESIS, []
    for record in records:
        content = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        previous = line_hash(previous, content)
        out.append(stored_line(content, previous) + b"\n")
    return b"".join(out)


@st.composite
def stored_logs(draw: st.DrawFn, max_size: int = 6) -> bytes:
    """Broken logs: garbage; a stored log with bytes broken; one with a record's values broken
    and the chain made whole again (so that decoding and the log's own checks are reached)."""
    from sim.codec import encode_event

    how = draw(st.sampled_from(("garbage", "bytes", "record")))
    if how == "garbage":
        return draw(garbage())
    history = draw(histories(min_size=1, max_size=max_size))
    records = [encode_event(e) for e in history]
    if how == "bytes":
        return draw(mutated_bytes(rechained(records)))
    i = draw(st.integers(0, len(records) - 1))
    records[i] = draw(mutated_record(records[i]))
    return rechained(records)


_TOML_TOKENS = (
    b"[scenario]", b"[[intervention]]", b"[", b"]", b"{", b"}", b"=", b'"', b"'''", b"\n",
    b"#", b"\\", b"\xef\xbb\xbf", b"\xff", b"\r", b"base = ", b'"../baseline"', b"all = true",
    b"remove = ", b"retime = ", b"amend = ", b"insert = ", b"by = ", b'"+99999999999d"',
    b"to = 2023-11-20", b"set = ", b"id = ", b"kind = ", b"since = 2023-11-15T12:00:00",
    b"until = 12:00:00", b"inf", b"nan", b"1e400", b"0x7f", b"true", b'base = "fuzz.toml"',
)  # fmt: skip
_SCENARIO_KEYS = (
    "scenario", "intervention", "name", "base", "question", "remove", "insert", "retime", "amend",
    "set", "by", "to", "id", "kind", "actor", "since", "until", "all",
)  # fmt: skip


def toml_values(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Values TOML can hold: JSON's, plus times with and without offsets, dates, times of day."""
    times = (
        st.datetimes(timezones=st.none() | st.just(UTC))
        | st.dates()
        | st.times()
        | st.sampled_from(("+3d", "-12h", "+1d6h", "3 days", "+99999999999d", "-0s", ""))
    )
    return st.one_of(json_values(max_leaves=max_leaves), times)


def _thaw(value: Any) -> Any:
    """A deep copy of parsed TOML, so that mutations never reach the original."""
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    return value


@st.composite
def mutated_scenario(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """A parsed scenario file with one to three values anywhere in it replaced, dropped or added.

    The place is a random walk down the tables and arrays from the top, so the interventions'
    selectors, durations and inserted records are reached as often as the top keys.
    """
    result: dict[str, Any] = _thaw(data)
    for _ in range(draw(st.integers(1, 3))):
        node: Any = result
        while True:
            if isinstance(node, dict):
                inner: list[Any] = [k for k, v in node.items() if isinstance(v, dict | list)]
            else:
                inner = [i for i, v in enumerate(node) if isinstance(v, dict | list)]
            if len(inner) == 0 or not draw(st.booleans()):
                break
            node = node[draw(st.sampled_from(inner))]
        value = draw(toml_values())
        if isinstance(node, list):
            if len(node) > 0 and draw(st.booleans()):
                node[draw(st.integers(0, len(node) - 1))] = value
            else:
                node.append(value)
            continue
        keys = sorted(node)
        action = draw(st.sampled_from(("replace", "drop", "add")))
        if action == "drop" and keys:
            del node[draw(st.sampled_from(keys))]
        elif action == "replace" and keys:
            node[draw(st.sampled_from(keys))] = value
        else:
            node[draw(st.sampled_from((*_SCENARIO_KEYS, *_KEYS)) | st.text(max_size=4))] = value
    return result


@st.composite
def scenario_texts(draw: st.DrawFn, seeds: tuple[bytes, ...]) -> bytes:
    """Scenario files broken as text: garbage, token soup, or a seed file cut and spliced."""
    how = draw(st.sampled_from(("garbage", "soup", "seed")))
    if how == "garbage":
        return draw(st.binary(max_size=400))
    pieces = st.sampled_from(_TOML_TOKENS) | st.binary(max_size=4)
    if how == "soup":
        return b"".join(draw(st.lists(pieces, max_size=30)))
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(pieces) + text[at + draw(st.integers(0, 12)) :]
    return text


def _durations() -> st.SearchStrategy[str]:
    extremes = ("+99999999999d", "+2000000w", "-400000w", "-3650000d", "+0s", "-0s", "+1d6h")
    return st.sampled_from(extremes) | st.from_regex(r"[+-]?(\d{1,7}[wdhms]){1,3}", fullmatch=True)


def _instants() -> st.SearchStrategy[Any]:
    edges = st.sampled_from(
        (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC), "0001-01-01")
    )
    return edges | st.datetimes(timezones=st.just(UTC) | st.none()) | st.dates()


@st.composite
def scenario_data(draw: st.DrawFn, ids: tuple[str, ...]) -> dict[str, Any]:
    """Parsed scenario files built from parts: selectors over ``ids`` and kinds, durations and
    times up to the calendar's ends, amended fields and inserted events of any shape."""
    selector = st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from(ids) | st.text(max_size=4),
            "kind": st.sampled_from(sorted(EVENT_TYPES)) | st.text(max_size=4),
            "actor": st.sampled_from(ACTORS),
            "since": _instants(),
            "until": _instants(),
            "all": st.booleans(),
        },
    )
    inserted = st.builds(
        lambda event, broken: broken if broken is not None else encode_event(event),
        events(ident="fuzz_inserted", at=draw(st.datetimes(timezones=st.just(UTC)))),
        st.none() | toml_values(),
    )
    action = st.one_of(
        st.fixed_dictionaries({"remove": selector}),
        st.fixed_dictionaries(
            {"retime": selector}, optional={"by": _durations(), "to": _instants()}
        ),
        st.fixed_dictionaries(
            {
                "amend": selector,
                "set": st.dictionaries(st.sampled_from(_KEYS), toml_values(), max_size=3)
                | st.fixed_dictionaries({"at": _instants()}),
            }
        ),
        st.fixed_dictionaries({"insert": inserted}),
    )
    return {
        "scenario": {"name": "fuzz", "base": "../baseline"},
        "intervention": draw(st.lists(action, min_size=1, max_size=4)),
    }


# ------------------------------------------------------------------------------------ offsets

ZONES = tuple(timezone(timedelta(hours=h)) for h in (-5, -4, 0, 2, 3))
"""UTC offsets the baseline's sources use."""


def _in_zone(event: Event, zone: timezone) -> Event:
    def shift(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment is not None else None

    return attrs.evolve(
        event,
        at=event.at.astimezone(zone),
        earliest=shift(event.earliest),
        latest=shift(event.latest),
    )


@st.composite
def zoned_histories(draw: st.DrawFn, min_size: int = 0, max_size: int = 25) -> tuple[Event, ...]:
    """``histories()`` with each event's times told in one of several UTC offsets.

    The instants are the same; what differs is the offset a re-timed event is shown in, which
    the schedule takes from the arrival it was timed from.
    """
    history = draw(histories(min_size=min_size, max_size=max_size))
    return tuple(_in_zone(e, draw(st.sampled_from(ZONES))) for e in history)


@st.composite
def zoned_what_ifs(
    draw: st.DrawFn, min_size: int = 1, max_size: int = 25
) -> tuple[tuple[Event, ...], list[Intervention]]:
    """A zoned history (or a dark one, zoned, where times tie often) and up to three
    interventions that apply to it one after the other."""
    if draw(st.booleans()):
        history = draw(zoned_histories(min_size=min_size, max_size=max_size))
    else:
        history = tuple(_in_zone(e, draw(st.sampled_from(ZONES))) for e in draw(dark_histories()))
    count = draw(st.integers(0, 3))
    return history, [draw(interventions(history, inserts=True)) for _ in range(count)]


@functools.cache
def _some_of(ids: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Up to two of ``ids``: one strategy for each tuple of ids, made on first use."""
    return st.lists(st.sampled_from(ids), max_size=2)


@st.composite
def dark_histories(draw: st.DrawFn, max_size: int = 20) -> tuple[Event, ...]:
    """A history in which Gaza goes dark and is lit again, often, with blackouts that overlap,
    and most messages go through Gaza and answer recent ones: what the schedule holds up."""
    source = Source(document="generated")
    at = START
    log: list[Event] = [Contact(id="e0", at=at, actors=("qatar",), source=source)]
    dark: list[str] = []
    for n in range(1, draw(st.integers(3, max_size))):
        at += timedelta(hours=draw(st.sampled_from((0, 0, 1, 2, 6, 12))))  # ties are common
        recent = tuple(e.id for e in log[-5:])
        causes = tuple(sorted(set(draw(_some_of(recent)))))
        roll = draw(st.integers(0, 9))
        event: Event
        if roll < 2:
            event = BlackoutStarted(
                id=f"e{n}", at=at, area="gaza", actors=("israel",), answers=causes, source=source
            )
            dark.append(event.id)
        elif roll < 4 and dark:
            ended = draw(st.sampled_from(dark))
            event = BlackoutEnded(
                id=f"e{n}", at=at, area="gaza", actors=("israel",), answers=(ended,), source=source
            )
        else:
            event = Information(
                id=f"e{n}",
                at=at,
                actors=(_pick(draw, ACTORS),),
                channel=draw(_CHANNELS),
                answers=causes,
                source=source,
            )
        log.append(event)
    return tuple(log)


@st.composite
def blackout_what_ifs(
    draw: st.DrawFn, zoned: bool = False
) -> tuple[tuple[Event, ...], list[Intervention]]:
    """A dark history and interventions that start by moving or removing a blackout event.

    What changes then is when messages through the dark area get through, and so everything
    that waits on them: the case where re-timing reaches furthest.
    """
    history = draw(dark_histories())
    if zoned:
        history = tuple(_in_zone(e, draw(st.sampled_from(ZONES))) for e in history)
    dark = [e for e in history if isinstance(e, BlackoutStarted | BlackoutEnded)]
    first: list[Intervention] = []
    if dark:
        target = Selector(id=draw(st.sampled_from(dark)).id)
        if draw(st.booleans()):
            first = [Remove(target=target)]
        else:
            first = [Retime(target=target, by=timedelta(hours=draw(st.integers(-12, 36))))]
    count = draw(st.integers(0, 2))
    return history, first + [draw(interventions(history)) for _ in range(count)]


# ------------------------------------------------------------------------------------ causal model


_NEUTRAL_KINDS = ("call", "meeting", "information", "announcement", "assurance", "channel_opened")


@st.composite
def acceptance_deals(draw: st.DrawFn, max_extra: int = 10) -> tuple[Event, ...]:
    """A deal that can conclude only one way: Hamas accepts the offer (``yes``), and the cabinet's
    approval (``cabinet``) ``requires`` that acceptance.

    Talks open, a final offer needing both bodies is tabled, events of kinds that neither approve,
    answer an offer nor end the talks follow, then the acceptance and the approval.
    """
    source = Source(document="generated")
    at = START
    log: list[Event] = [
        Contact(id="e0", at=at, actors=("qatar",), source=source),
        Offer(id="offer", at=at, text="t1", approvers=BODIES, final=True, actors=("qatar",),
              source=source),
    ]  # fmt: skip
    for _ in range(draw(st.integers(0, max_extra))):
        at += timedelta(hours=draw(st.integers(0, 24)))
        kind = _pick(draw, _NEUTRAL_KINDS)
        event = draw(events(ident=f"e{len(log)}", at=at, earlier=tuple(log)))
        if event.kind != kind:
            event = EVENT_TYPES[kind](**_envelope_of(event), **_fields_for(kind))
        log.append(event)
    at += timedelta(hours=draw(st.integers(0, 24)))
    log.append(
        Response(id="yes", at=at, to="offer", decision="accepted", body="hamas",
                 actors=("hamas_gaza",), answers=("offer",), source=source)
    )  # fmt: skip
    at += timedelta(hours=draw(st.integers(0, 24)))
    log.append(
        Approval(id="cabinet", at=at, body="israel_cabinet", text="t1",
                 actors=("israel_cabinet",), requires=("yes",), source=source)
    )  # fmt: skip
    return tuple(log)


def _envelope_of(event: Event) -> dict[str, Any]:
    names = [f.name for f in attrs.fields(EVENT_TYPES["call"]) if f.init and f.name != "kind"]
    names = [n for n in names if n != "medium"]
    return {name: getattr(event, name) for name in names}


def _fields_for(kind: str) -> dict[str, Any]:
    """Kind fields that change nothing a deal rests on."""
    fields: dict[str, dict[str, Any]] = {
        "call": {},
        "meeting": {},
        "information": {},
        "announcement": {"of_deal": False},
        "assurance": {"about": "goodwill"},
        "channel_opened": {"name": "side_channel"},
    }
    return fields[kind]


@st.composite
def monotone_histories(draw: st.DrawFn, max_size: int = 14) -> tuple[Event, ...]:
    """Histories in which nothing holds anything back, so that delaying an event can only delay
    what follows: talks open and stay open (no suspension, no rejection, no final offer), one
    offer (nothing supersedes it), conditions that nothing breaches, blackouts that nothing links
    into (they start and end on their own), and links of every type between the rest."""
    source = Source(document="generated")
    at = START
    log: list[Event] = [Contact(id="e0", at=at, actors=("qatar",), source=source)]
    offered = False
    dark: list[str] = []
    for n in range(1, draw(st.integers(2, max_size))):
        at += timedelta(hours=draw(st.integers(0, 30)))
        ident = f"e{n}"
        plain = [e.id for e in log if "blackout" not in e.kind]
        picked = sorted({_pick(draw, plain[-5:]) for _ in range(draw(st.integers(0, 2)))})
        links: dict[str, Any] = {"requires": (), "answers": (), "after": ()}
        for cause in picked:
            kind_of_link = _pick(draw, ("requires", "answers", "after"))
            links[kind_of_link] = (*links[kind_of_link], cause)
        channel = draw(channels())
        common: dict[str, Any] = {
            "id": ident, "at": at, "actors": draw(_ACTOR_SETS), "channel": channel,
            "source": source, "milestone": draw(_MAYBE_MILESTONE), **links,
        }  # fmt: skip
        roll = draw(st.integers(0, 9))
        event: Event
        if roll == 0 and not dark:
            event = BlackoutStarted(id=ident, at=at, area="gaza", actors=("israel",), source=source)
            dark.append(ident)
        elif roll == 1 and dark:
            event = BlackoutEnded(id=ident, at=at, area="gaza", requires=(dark.pop(),),
                                  source=source)  # fmt: skip
        elif roll == 2 and not offered:
            event = Offer(text="t1", approvers=BODIES, **common)
            offered = True
        elif roll == 3 and offered:
            event = Response(to=next(e.id for e in log if e.kind == "offer"),
                             decision=draw(st.sampled_from(("accepted", "accepted_with_changes"))),
                             body=_pick(draw, BODIES), **common)  # fmt: skip
        elif roll == 4 and offered:
            event = Approval(body=_pick(draw, BODIES), text="t1", **common)
        else:
            kind = _pick(draw, ("call", "meeting", "information", "assurance"))
            event = EVENT_TYPES[kind](**common, **_fields_for(kind))
        log.append(event)
    return tuple(log)


# ------------------------------------------------------------------------------------ hostile input

HOSTILE_TEXT = (
    "\x1b[2J",
    "\x1b]0;x\x07",
    "\x00",
    "\u202e",
    "\x9b",
    "\ufeff",
    "[/x]",
    "\r",
    "\u0435",
)
"""Text a hostile hand puts in ids and summaries: escapes, NUL, bidi overrides, markup."""


def chained_raw(contents: list[bytes]) -> bytes:
    """Record texts (any bytes) chained as sim chains lines."""
    from sim.codec import GENESIS, line_hash, stored_line

    previous, out = GENESIS, []
    for content in contents:
        previous = line_hash(previous, content)
        out.append(stored_line(content, previous) + b"\n")
    return b"".join(out)


@st.composite
def hostile_logs(draw: st.DrawFn, max_size: int = 5) -> bytes:
    """Logs a hostile hand might hand over, chained so that the chain check passes: a control
    character in an id or a text, a key repeated in a line, a time out of order, a tail of NUL
    bytes or of text."""
    history = draw(histories(min_size=1, max_size=max_size))
    records = [encode_event(e) for e in history]
    i = draw(st.integers(0, len(records) - 1))
    how = draw(st.sampled_from(("control", "repeat", "order", "nul", "text")))
    if how == "control":
        field = draw(st.sampled_from(("id", "summary", "milestone", "actors")))
        bad = draw(st.sampled_from(HOSTILE_TEXT))
        records[i][field] = [bad] if field == "actors" else bad + str(records[i].get(field, "x"))
        return rechained(records)
    if how == "order":
        records[i]["at"] = draw(
            st.sampled_from(("2000-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00"))
        )
        return rechained(records)
    contents = [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in records]
    if how == "repeat":
        key = draw(st.sampled_from(sorted(records[i])))
        value = orjson.dumps(draw(json_values(max_leaves=3)))
        contents[i] = contents[i][:-1] + b"," + orjson.dumps(key) + b":" + value + b"}"
        return chained_raw(contents)
    tail = b"\0" * draw(st.integers(1, 600)) if how == "nul" else draw(st.text()).encode()
    return chained_raw(contents) + tail


@st.composite
def hostile_scenario_texts(draw: st.DrawFn, seeds: tuple[bytes, ...]) -> bytes:
    """Scenario files a hostile hand might write: nesting deep enough to break a recursive
    parser, keys repeated, control characters, a file over the size limit."""
    text = draw(st.sampled_from(seeds))
    how = draw(st.sampled_from(("arrays", "tables", "repeat", "control", "large")))
    if how in ("arrays", "tables"):
        n = draw(st.sampled_from((31, 32, 33, 200, 1000, 5000, 100_000)))
        opened, closed = (b"[", b"]") if how == "arrays" else (b"{a = ", b"}")
        value = opened * n + (b"1" if how == "tables" else b"") + closed * n
        where = draw(st.sampled_from((b"\nx = ", b"\n[[intervention]]\nremove = ")))
        return text + where + value + b"\n"
    if how == "repeat":
        line = draw(
            st.sampled_from([part for part in text.split(b"\n") if b"=" in part] or [b"x = 1"])
        )
        return text + b"\n" + line + b"\n"
    if how == "control":
        bad = draw(st.sampled_from(HOSTILE_TEXT)).encode()
        at = draw(st.integers(0, len(text)))
        return text[:at] + bad + text[at:]
    return text + b"\n# " + b"x" * (1 << 20) + b"\n"


@st.composite
def hostile_events(draw: st.DrawFn) -> bytes:
    """Event files a hostile hand might write: a key repeated, an id with a control character,
    JSON nested deeper than a parser's stack."""
    record = encode_event(draw(events()))
    how = draw(st.sampled_from(("repeat", "control", "deep")))
    if how == "repeat":
        key = draw(st.sampled_from(sorted(record)))
        text = orjson.dumps(record)
        return (
            text[:-1] + b"," + orjson.dumps(key) + b":" + orjson.dumps(draw(json_values(3))) + b"}"
        )
    if how == "control":
        record["id"] = str(record["id"]) + draw(st.sampled_from(HOSTILE_TEXT))
        return orjson.dumps(record)
    n = draw(st.sampled_from((100, 1023, 1024, 1025, 100_000)))
    return b"[" * n + b"]" * n


def lengthens_a_blackout(history: tuple[Event, ...], end: BlackoutEnded) -> bool:
    """Whether moving ``end`` later makes its blackout longer: ``end`` names the start of a
    blackout of its area in the log, and no other ``blackout_ended`` ends that blackout (had one,
    it would end the blackout when ``end`` no longer does, and the blackout would not be longer).

    Whether ``end`` takes effect at all is the fold's to say: the test checks that too.
    """
    starts = {e.id for e in history if isinstance(e, BlackoutStarted) and e.area == end.area}
    ended = set(end.causes) & starts
    others = (e for e in history if isinstance(e, BlackoutEnded) and e.id != end.id)
    return bool(ended) and not any(ended & set(e.causes) for e in others)


@st.composite
def blackout_lengthenings(draw: st.DrawFn) -> tuple[tuple[Event, ...], str, timedelta]:
    """A history, the id of a ``blackout_ended`` whose retime lengthens its blackout (see
    :func:`lengthens_a_blackout`), and a positive shift of whole hours.

    The end is one the history already has, or a blackout started and ended at drawn places in
    it (the history's own milestones, messages and other blackouts around it).
    """
    history = draw(histories(min_size=2))
    ends = [e for e in history if isinstance(e, BlackoutEnded) and lengthens_a_blackout(history, e)]
    end: BlackoutEnded
    use_own = draw(st.booleans())
    if ends and use_own:
        end = draw(st.sampled_from(ends))
    else:
        first = draw(st.integers(0, len(history)))
        last = draw(st.integers(first, len(history)))
        source = Source(document="generated")

        def when(index: int) -> datetime:
            return history[index - 1].at if index else START

        start = BlackoutStarted(
            id="lb-start", at=when(first), area="gaza", actors=("israel",), source=source
        )
        end = BlackoutEnded(
            id="lb-end",
            at=when(last),
            area="gaza",
            actors=("israel",),
            requires=(start.id,),
            source=source,
        )
        events = list(history)
        events.insert(last, end)
        events.insert(first, start)
        history = tuple(events)
    longer = draw(st.integers(1, 96).map(lambda h: timedelta(hours=h)))
    return history, end.id, longer


# ------------------------------------------------------------------------------------ studies


def _exact(event: Event) -> Event:
    return attrs.evolve(event, precision="exact", earliest=None, latest=None)


def exact_deals(max_extra: int = 10) -> st.SearchStrategy[tuple[Event, ...]]:
    """``deals()`` with every event's time ``exact``: nothing left for an uncertainty study to
    draw."""
    return deals(max_extra=max_extra).map(lambda history: tuple(_exact(e) for e in history))


@st.composite
def uncertain_deals(draw: st.DrawFn, max_extra: int = 8) -> tuple[Event, ...]:
    """``deals()`` in which some events are ``day`` or ``approx`` (with bounds around their
    time), so that an uncertainty study draws them; at least one always is."""
    history = list(draw(deals(max_extra=max_extra)))
    chosen = draw(st.sets(st.integers(0, len(history) - 1), min_size=1))
    for i in sorted(chosen):
        event = history[i]
        if draw(st.booleans()):
            history[i] = attrs.evolve(event, precision="day", earliest=None, latest=None)
        else:
            before = timedelta(hours=draw(st.integers(0, 30)))
            after = timedelta(hours=draw(st.integers(1, 30)))
            history[i] = attrs.evolve(
                event, precision="approx", earliest=event.at - before, latest=event.at + after
            )
    return tuple(history)


def study_seeds() -> st.SearchStrategy[int]:
    """A study's seed: any whole number a user may give (``--seed`` takes 0 and up)."""
    return st.integers(0, 2**63 - 1)


@st.composite
def carried_out_deals(draw: st.DrawFn) -> tuple[Event, ...]:
    """A deal concluded on day 3 that rests on two or three conditions (each held by one side:
    some steps to fulfil, some prohibitions of an operation), then, in any order over the
    following weeks, releases by either side, assurances that meet conditions and operations
    that may breach one.  Every release waits at most 30 days."""
    from sim.events import (
        Approval,
        Assurance,
        Condition,
        Contact,
        Information,
        MilitaryOperation,
        Offer,
        Release,
    )

    cite = Source(document="test")
    sides = ("hamas", "israel")
    count = draw(st.integers(2, 3))
    conditions = []
    for i in range(count):
        prohibits = draw(st.sampled_from((None, f"op{i}")))
        conditions.append(
            Condition(
                id=f"cond{i}", at=START + timedelta(hours=1 + i), actors=("qatar",),
                name=f"c{i}", holder=draw(st.sampled_from(sides)), prohibits=prohibits,
                source=cite,
            )
        )  # fmt: skip
    names = tuple(c.name for c in conditions)
    opening: list[Event] = [
        Contact(id="contact", at=START, actors=("qatar",), source=cite),
        *(
            Information(id=f"held-{side}", at=START + timedelta(minutes=30), actors=(side,),
                        captor=side, count=20, source=cite)
            for side in sides
        ),
        *conditions,
        Offer(id="offer", at=START + timedelta(days=1), actors=("qatar",), text="t",
              conditions=names, approvers=sides, source=cite),
        *(
            Approval(id=f"approve-{side}", at=START + timedelta(days=2 + i), actors=(side,),
                     body=side, text="t", source=cite)
            for i, side in enumerate(sides)
        ),
    ]  # fmt: skip
    later: list[Event] = []
    for i in range(draw(st.integers(1, 8))):
        at = START + timedelta(days=4 + draw(st.integers(0, 40)), hours=i)
        what = draw(st.sampled_from(("release", "assurance", "operation")))
        if what == "release":
            side = draw(st.sampled_from(sides))
            later.append(
                Release(id=f"e{i}", at=at, actors=(side,), captor=side, count=1,
                        patience=timedelta(days=30), source=cite)
            )  # fmt: skip
        elif what == "assurance":
            later.append(
                Assurance(id=f"e{i}", at=at, actors=("qatar",), about="a step done",
                          meets=(draw(st.sampled_from(names)),), source=cite)
            )  # fmt: skip
        else:
            later.append(
                MilitaryOperation(id=f"e{i}", at=at, actors=("israel",),
                                  operation=f"op{draw(st.integers(0, count - 1))}", area="x",
                                  source=cite)
            )  # fmt: skip
    later.sort(key=lambda e: e.at)
    return (*opening, *later)
