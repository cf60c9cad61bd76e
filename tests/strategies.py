"""Hypothesis strategies: events and histories, composed from small pieces.

``histories()`` draws whole logs that a store would accept (unique ids, causes naming earlier
events, times in order) and that exercise the rules: offers and responses to them, conditions
met or breached, suspensions and resumptions, blackouts that start and end (and overlap),
approvals, releases.  Many drawn events are voided by guards; that is part of what is tested.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from sim.events import (
    DECISIONS,
    EVENT_TYPES,
    Alternative,
    Approval,
    BlackoutStarted,
    Channel,
    Contact,
    Event,
    Offer,
    Source,
    Terms,
)
from sim.whatif import Amend, Insert, Intervention, Remove, Retime, Selector

__all__ = [
    "START",
    "deal_what_ifs",
    "deals",
    "durations",
    "events",
    "histories",
    "interventions",
    "json_values",
    "sources",
    "what_ifs",
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
    return options[draw(st.integers(0, len(options) - 1))]


_PRECISIONS = ("exact", "day", "approx")
_MAYBE_MILESTONE = st.none() | st.none() | st.none() | st.sampled_from(MILESTONES)
_ACTOR_SETS = st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2, unique=True).map(tuple)
_RECIPIENT_SETS = st.lists(st.sampled_from(ACTORS), max_size=2, unique=True).map(tuple)


@st.composite
def _envelope(draw: st.DrawFn, ident: str, at: datetime, earlier: list[Event]) -> dict[str, Any]:
    causes: tuple[str, ...] = ()
    answers = draw(st.booleans())
    if earlier and answers:
        picked = {_pick(draw, [e.id for e in earlier[-6:]]) for _ in range(draw(st.integers(1, 2)))}
        causes = tuple(sorted(picked))
    precision = _pick(draw, _PRECISIONS)
    bounds: dict[str, Any] = {}
    if precision == "approx" and draw(st.booleans()):
        bounds = {"earliest": at - timedelta(hours=12), "latest": at + timedelta(hours=12)}
    alternatives: tuple[Alternative, ...] = ()
    if draw(st.integers(0, 9)) == 0:
        alternatives = (
            Alternative(source=draw(sources()), at=at - timedelta(days=draw(st.integers(0, 3)))),
        )
    return {
        "id": ident,
        "at": at,
        "precision": precision,
        "actors": draw(_ACTOR_SETS),
        "recipients": draw(_RECIPIENT_SETS),
        "channel": draw(_CHANNELS),
        "causes": causes,
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
            "terms": st.builds(Terms, pause_days=st.none() | st.integers(1, 7)),
            "conditions": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple),
            "requires": st.sampled_from(((), BODIES)),
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
        envelope["causes"] = (_pick(draw, starts[-3:]),)
    event: Event = EVENT_TYPES[kind](**envelope, **own)
    return event


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
        Offer(id="e1", at=at, text="t1", requires=BODIES, actors=("qatar",), source=source),
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
                causes=("e1",),
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


def json_values() -> st.SearchStrategy[Any]:
    """Any small JSON value (what a hand-edited log line may hold where a field is expected)."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | texts
        | unicode
        | st.sampled_from(("2023-10-07T12:00:00", "2023-10-07T12:00:00+03:00", "gaza", "call"))
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(unicode, inner, max_size=3),
        max_leaves=6,
    )
