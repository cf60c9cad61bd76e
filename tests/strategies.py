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
    Alternative,
    Announcement,
    Approval,
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    Call,
    Channel,
    ChannelOpened,
    Condition,
    Contact,
    Event,
    Information,
    Meeting,
    MilitaryOperation,
    Offer,
    Release,
    Response,
    Source,
    TalksResumed,
    TalksSuspended,
    Terms,
)

__all__ = ["START", "events", "histories", "sources"]

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


@st.composite
def _envelope(draw: st.DrawFn, ident: str, at: datetime, earlier: list[Event]) -> dict[str, Any]:
    causes: tuple[str, ...] = ()
    if earlier and draw(st.booleans()):
        causes = tuple(
            draw(st.lists(st.sampled_from([e.id for e in earlier]), max_size=2, unique=True))
        )
    precision = draw(st.sampled_from(("exact", "day", "approx")))
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
        "actors": tuple(
            draw(st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2, unique=True))
        ),
        "recipients": tuple(draw(st.lists(st.sampled_from(ACTORS), max_size=2, unique=True))),
        "channel": draw(channels()),
        "causes": causes,
        "source": draw(sources()),
        "summary": draw(texts),
        "milestone": draw(st.none() | st.none() | st.sampled_from(MILESTONES)),
        "alternatives": alternatives,
        **bounds,
    }


def _kind_fields(kind: str, earlier: list[Event]) -> st.SearchStrategy[dict[str, Any]]:
    offers = [e.id for e in earlier if isinstance(e, Offer)] or ["no_such_offer"]
    blackouts = [e.id for e in earlier if isinstance(e, BlackoutStarted)]
    fields: dict[str, st.SearchStrategy[Any]] = {}
    if kind == "contact":
        fields = {"about": texts}
    elif kind == "channel_opened":
        fields = {"name": st.sampled_from(("cell", "back_channel")), "members": st.just(ACTORS[:2])}
    elif kind == "release":
        fields = {
            "captor": st.just("hamas"),
            "count": st.integers(1, 4),
            "names": st.lists(st.sampled_from(("a", "b", "c", "d")), max_size=2, unique=True).map(
                tuple
            ),
        }
    elif kind == "offer":
        fields = {
            "text": st.sampled_from(TEXTS),
            "terms": st.builds(Terms, pause_days=st.none() | st.integers(1, 7)),
            "conditions": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple),
            "requires": st.sampled_from(((), BODIES)),
            "final": st.booleans(),
        }
    elif kind == "response":
        fields = {
            "to": st.sampled_from(offers),
            "decision": st.sampled_from(DECISIONS),
            "body": st.none() | st.sampled_from(BODIES),
        }
    elif kind == "condition":
        fields = {
            "name": st.sampled_from(CONDITIONS),
            "holder": st.sampled_from(ACTORS),
            "prohibits": st.none() | st.sampled_from(OPERATIONS),
            "status": st.sampled_from(("open", "open", "waived")),
        }
    elif kind == "assurance":
        fields = {
            "about": texts,
            "meets": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple),
        }
    elif kind == "military_operation":
        fields = {
            "operation": st.sampled_from(OPERATIONS),
            "area": st.just("gaza"),
            "phase": st.sampled_from(("started", "adapted", "ended")),
        }
    elif kind in ("blackout_started", "blackout_ended"):
        fields = {"area": st.just("gaza")}
    elif kind == "talks_suspended":
        fields = {"until": st.lists(st.sampled_from(CONDITIONS), max_size=1).map(tuple)}
    elif kind == "information":
        fields = {
            "about": texts,
            "count": st.none() | st.integers(0, 60),
            "captor": st.none() | st.just("hamas"),
        }
    elif kind == "approval":
        fields = {"body": st.sampled_from(BODIES), "text": st.sampled_from(TEXTS)}
    elif kind == "announcement":
        fields = {"of_deal": st.booleans()}
    elif kind == "call":
        fields = {"medium": st.just("phone")}
    elif kind == "meeting":
        fields = {"place": st.just("Doha")}
    if kind == "blackout_ended" and blackouts:
        return st.fixed_dictionaries(fields).map(lambda f: f | {"_ends": blackouts})
    return st.fixed_dictionaries(fields)


_CLASSES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        Contact,
        ChannelOpened,
        Call,
        Meeting,
        Release,
        Offer,
        Response,
        Condition,
        Assurance,
        MilitaryOperation,
        BlackoutStarted,
        BlackoutEnded,
        TalksSuspended,
        TalksResumed,
        Information,
        Approval,
        Announcement,
    )
}
_BY_KIND = {cls.__attrs_attrs__.kind.default: cls for cls in _CLASSES.values()}  # type: ignore[attr-defined]


@st.composite
def events(
    draw: st.DrawFn, ident: str = "e0", at: datetime = START, earlier: tuple[Event, ...] = ()
) -> Event:
    """One event of any kind, valid against ``earlier`` (its causes name earlier events)."""
    before = list(earlier)
    kind = draw(st.sampled_from(sorted(_BY_KIND)))
    envelope = draw(_envelope(ident, at, before))
    own = dict(draw(_kind_fields(kind, before)))
    ends = own.pop("_ends", None)
    if ends:
        envelope["causes"] = (draw(st.sampled_from(ends)),)
    event: Event = _BY_KIND[kind](**envelope, **own)
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
