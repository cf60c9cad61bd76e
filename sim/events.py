"""The events of a negotiation: frozen records, one class per kind, in a closed union.

Every event shares the envelope of :class:`EventBase` (an id, a time with its precision and
bounds, who acted, who was addressed, the route it travelled, the earlier events it answers,
and the source sentence it rests on) and adds the fields of its kind.  The union :data:`Event`
is closed: code that dispatches on it uses ``match`` with :func:`typing.assert_never`, so mypy
reports any kind left unhandled.

Nothing here decides the rules of the negotiation; that is :mod:`sim.rules`.  Validators only
check a value's own shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final, Literal, TypeAlias, get_args

import attrs
from attrs import field, frozen, validators

from sim.text import unsafe_char

__all__ = [
    "ACCEPTANCES",
    "DECISIONS",
    "EVENT_TYPES",
    "KINDS",
    "LINK_TYPES",
    "Alternative",
    "Announcement",
    "Approval",
    "Assurance",
    "BlackoutEnded",
    "BlackoutStarted",
    "Call",
    "Channel",
    "ChannelOpened",
    "Condition",
    "ConditionStatus",
    "Contact",
    "Decision",
    "Event",
    "EventBase",
    "Information",
    "Kind",
    "Meeting",
    "MilitaryOperation",
    "Offer",
    "OperationPhase",
    "Precision",
    "Release",
    "RequiredDecision",
    "Requirement",
    "Response",
    "Source",
    "TalksResumed",
    "TalksSuspended",
    "Term",
    "TermValue",
    "Terms",
]

Precision: TypeAlias = Literal["exact", "day", "approx"]
Decision: TypeAlias = Literal[
    "accepted", "accepted_with_changes", "rejected", "countered", "commented"
]
ConditionStatus: TypeAlias = Literal["open", "met", "waived", "breached"]
OperationPhase: TypeAlias = Literal["started", "adapted", "ended"]

RequiredDecision: TypeAlias = Literal[
    "acceptance",
    "accepted",
    "accepted_with_changes",
    "rejected",
    "countered",
    "commented",
    "any",
]
"""What a ``requires`` link asks of a response: ``acceptance`` (the default) is ``accepted`` or
``accepted_with_changes``; a decision asks for exactly that decision; ``any`` asks for none."""

DECISIONS: Final[tuple[str, ...]] = get_args(Decision)
ACCEPTANCES: Final[frozenset[str]] = frozenset({"accepted", "accepted_with_changes"})
"""The decisions that count as an acceptance."""
LINK_TYPES: Final[tuple[str, ...]] = ("requires", "answers", "after")
"""The three kinds of link from an event to earlier events (see :class:`EventBase`)."""
PRECISIONS: Final[tuple[str, ...]] = get_args(Precision)
CONDITION_STATUSES: Final[tuple[str, ...]] = get_args(ConditionStatus)


def _aware(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Reject naive datetimes: every time in a log is pinned to a zone."""
    if isinstance(value, datetime) and value.utcoffset() is None:
        msg = f"{attribute.name} must be timezone-aware, got naive {value.isoformat()}"
        raise ValueError(msg)


_SLUG: Final = re.compile(r"\S+")


def _slug(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or _SLUG.fullmatch(value) is None:
        msg = f"{attribute.name} must be a non-empty slug without spaces, got {value!r}"
        raise ValueError(msg)
    bad = None if value.isprintable() else unsafe_char(value)  # isprintable: fast, and stricter
    if bad is not None:  # ESC, NUL, a bidirectional override: a terminal obeys them
        msg = f"{attribute.name} must be a slug without control characters, got {bad} in {value!r}"
        raise ValueError(msg)


@frozen(kw_only=True)
class Source:
    """Where a fact comes from: a document, a paragraph, a verbatim quote, an optional note."""

    document: str
    paragraph: int | None = field(default=None, validator=validators.optional(validators.ge(1)))
    quote: str = ""
    note: str = ""


@frozen(kw_only=True)
class Channel:
    """The route a message travels.

    ``name`` says who relays to whom (``hamas-gaza>qatar``); ``via`` lists the areas whose
    communications it depends on: a route through an area under a blackout is held up there.
    """

    name: str
    via: tuple[str, ...] = ()
    note: str = ""


@frozen(kw_only=True)
class Alternative:
    """Another record's time for the same event, kept beside the one that drives the replay."""

    source: Source
    at: datetime = field(validator=_aware)
    precision: Precision = "day"
    earliest: datetime | None = field(default=None, validator=_aware)
    latest: datetime | None = field(default=None, validator=_aware)


@frozen(kw_only=True)
class Requirement:
    """A ``requires`` link: the event cannot happen without event ``id``.

    If ``id`` is removed or voided, the event is voided.  If ``id`` is a response, it must carry
    ``decision`` (by default an acceptance: ``accepted`` or ``accepted_with_changes``), so an
    event resting on a party's agreement falls when that party rejects.
    """

    id: str = field(validator=_slug)
    decision: RequiredDecision = "acceptance"

    def met_by(self, decision: str | None) -> bool:
        """Whether the linked event, which took effect with ``decision`` (``None`` when it is
        not a response), carries the decision this link asks for."""
        if self.decision == "any":
            return True
        if decision is None:  # not a response: only the default asks nothing of it
            return self.decision == "acceptance"
        if self.decision == "acceptance":
            return decision in ACCEPTANCES
        return decision == self.decision


def _requirements(value: Iterable[str | Requirement]) -> tuple[Requirement, ...]:
    """Links given as ids (the default decision) or as :class:`Requirement` records."""
    if not value:
        return ()
    return tuple(item if isinstance(item, Requirement) else Requirement(id=item) for item in value)


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value <= timedelta(0):
        msg = f"{attribute.name} must be a positive duration, got {value}"
        raise ValueError(msg)


TermValue: TypeAlias = bool | int | float | str
"""What a term says: a yes or no, a number, or words (a JSON scalar)."""


def _term_value(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) not in (bool, int, float, str):
        msg = f"{attribute.name} must be true, false, a number or text, got {value!r}"
        raise TypeError(msg)


@frozen(kw_only=True)
class Term:
    """One term of a text version, as far as the record states it: a ``name`` (a slug), its
    ``value``, optionally the words to show it in (``text``), and the record it rests on
    (``source``), where that is not the offer's own citation."""

    name: str = field(validator=_slug)
    value: TermValue = field(validator=_term_value)
    text: str = ""
    source: Source | None = None

    def said(self) -> str:
        """The term in words: its ``text``, else its name and value (``pause days: 4``)."""
        if self.text:
            return self.text
        words = self.name.replace("_", " ")
        if self.value is True:
            return words
        if self.value is False:
            return f"no {words}"
        return f"{words}: {self.value}"


Terms: TypeAlias = tuple[Term, ...]
"""The terms of a text version: named terms, in the order the record gives them."""


@frozen(kw_only=True)
class EventBase:
    """The envelope every event shares.

    Its links to earlier events come in three types, which say what kind of dependence it is:
    ``requires`` (it cannot happen without the other, and, for a response, without the
    decision it names), ``answers`` (a reply, sent only once the message has arrived) and
    ``after`` (order and timing only).  ``causes`` lists them all.
    """

    id: str = field(validator=_slug)
    at: datetime = field(validator=_aware)
    precision: Precision = "exact"
    earliest: datetime | None = field(default=None, validator=_aware)
    latest: datetime | None = field(default=None, validator=_aware)
    actors: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    channel: Channel | None = None
    requires: tuple[Requirement, ...] = field(default=(), converter=_requirements)
    """Events it cannot happen without (and, for responses, the decision each must carry)."""
    answers: tuple[str, ...] = ()
    """Messages it replies to: it is sent only once each has reached it (a blackout holds a
    message up), and voided if one never arrives."""
    after: tuple[str, ...] = ()
    """Events it follows or was prompted by: order and timing only.  If one moves, this event
    keeps its lag behind it; if one is removed or voided, this event still happens."""
    patience: timedelta | None = field(default=None, validator=_positive)
    """How long it may wait for a temporary barrier (talks suspended, a channel not yet open, a
    condition not yet met) before it is voided; ``None``: the scenario's default."""
    causes: tuple[str, ...] = field(init=False, eq=False, repr=False)
    """Every event it links to (``requires``, then ``answers``, then ``after``), once each."""
    source: Source
    also: tuple[Source, ...] = ()
    """Further citations of the same event: another paragraph that tells it, or the record
    (``facts.md``) that dates an event the main source leaves undated."""
    summary: str = ""
    milestone: str | None = None
    alternatives: tuple[Alternative, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.requires or self.answers or self.after:
            linked = tuple(
                dict.fromkeys([*(r.id for r in self.requires), *self.answers, *self.after])
            )
        else:
            linked = ()
        object.__setattr__(self, "causes", linked)

    def link_type(self, event_id: str) -> str | None:
        """How this event links to ``event_id``: ``requires``, ``answers``, ``after`` (the
        strongest, in that order, where it names it more than once) or ``None``."""
        if any(r.id == event_id for r in self.requires):
            return "requires"
        if event_id in self.answers:
            return "answers"
        if event_id in self.after:
            return "after"
        return None


@frozen(kw_only=True)
class Contact(EventBase):
    """A first approach between parties; it opens the talks."""

    kind: Literal["contact"] = "contact"
    about: str = ""


@frozen(kw_only=True)
class ChannelOpened(EventBase):
    """A standing channel (a cell, a back channel) is set up between members."""

    kind: Literal["channel_opened"] = "channel_opened"
    name: str = field(validator=_slug)
    members: tuple[str, ...] = ()


@frozen(kw_only=True)
class Call(EventBase):
    """A call between parties (phone, video)."""

    kind: Literal["call"] = "call"
    medium: str = "phone"


@frozen(kw_only=True)
class Meeting(EventBase):
    """A meeting in person or a briefing."""

    kind: Literal["meeting"] = "meeting"
    place: str = ""


@frozen(kw_only=True)
class Release(EventBase):
    """A captor releases captives."""

    kind: Literal["release"] = "release"
    captor: str
    count: int = field(validator=validators.ge(1))
    names: tuple[str, ...] = ()


@frozen(kw_only=True)
class Offer(EventBase):
    """A proposal: a new text version with its terms, conditions and required approvals.

    A new offer supersedes the current text: approvals of older versions no longer count.
    ``approvers`` are the bodies whose approval of this text concludes the deal (named
    ``requires`` before record version 3).
    """

    kind: Literal["offer"] = "offer"
    text: str = field(validator=_slug)
    terms: tuple[Term, ...] = ()
    """The text's terms (named terms since record version 4; see :class:`Term`)."""
    conditions: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    final: bool = False


@frozen(kw_only=True)
class Response(EventBase):
    """An answer to an earlier offer (``to``)."""

    kind: Literal["response"] = "response"
    to: str
    decision: Decision
    changes: str = ""
    body: str | None = None
    """The body whose approval an acceptance gives (binds it to the offer's text)."""


@frozen(kw_only=True)
class Condition(EventBase):
    """A condition set by one party on another (the ``holder`` must meet it).

    ``prohibits`` names a military operation whose start breaches it.  A later condition event
    with the same ``name`` changes its status (for example ``waived``).
    """

    kind: Literal["condition"] = "condition"
    name: str = field(validator=_slug)
    holder: str
    demand: str = ""
    prohibits: str | None = None
    status: ConditionStatus = "open"


@frozen(kw_only=True)
class Assurance(EventBase):
    """A promise; ``meets`` names the conditions it satisfies."""

    kind: Literal["assurance"] = "assurance"
    about: str
    meets: tuple[str, ...] = ()


@frozen(kw_only=True)
class MilitaryOperation(EventBase):
    """A military move; starting an operation breaches the conditions that prohibit it."""

    kind: Literal["military_operation"] = "military_operation"
    operation: str = field(validator=_slug)
    area: str
    phase: OperationPhase = "started"


@frozen(kw_only=True)
class BlackoutStarted(EventBase):
    """Communications are cut in an area."""

    kind: Literal["blackout_started"] = "blackout_started"
    area: str


@frozen(kw_only=True)
class BlackoutEnded(EventBase):
    """Communications return; its links name the ``blackout_started`` events this ends."""

    kind: Literal["blackout_ended"] = "blackout_ended"
    area: str


@frozen(kw_only=True)
class TalksSuspended(EventBase):
    """Talks are broken off until the named conditions are met."""

    kind: Literal["talks_suspended"] = "talks_suspended"
    until: tuple[str, ...] = ()


@frozen(kw_only=True)
class TalksResumed(EventBase):
    """Talks resume; it takes effect only once every condition of the suspension is settled."""

    kind: Literal["talks_resumed"] = "talks_resumed"


@frozen(kw_only=True)
class Information(EventBase):
    """Information passed between parties; ``count`` and ``captor`` for news of captives."""

    kind: Literal["information"] = "information"
    about: str = ""
    count: int | None = field(default=None, validator=validators.optional(validators.ge(0)))
    captor: str | None = None


@frozen(kw_only=True)
class Approval(EventBase):
    """A body approves a text version; the approval is bound to that version."""

    kind: Literal["approval"] = "approval"
    body: str
    text: str


@frozen(kw_only=True)
class Announcement(EventBase):
    """A public announcement; announcing the deal needs a concluded deal."""

    kind: Literal["announcement"] = "announcement"
    of_deal: bool = True


Event: TypeAlias = (
    Contact
    | ChannelOpened
    | Call
    | Meeting
    | Release
    | Offer
    | Response
    | Condition
    | Assurance
    | MilitaryOperation
    | BlackoutStarted
    | BlackoutEnded
    | TalksSuspended
    | TalksResumed
    | Information
    | Approval
    | Announcement
)

Kind: TypeAlias = Literal[
    "contact",
    "channel_opened",
    "call",
    "meeting",
    "release",
    "offer",
    "response",
    "condition",
    "assurance",
    "military_operation",
    "blackout_started",
    "blackout_ended",
    "talks_suspended",
    "talks_resumed",
    "information",
    "approval",
    "announcement",
]

EVENT_TYPES: Final[dict[str, type[Event]]] = {
    attrs.fields_dict(cls)["kind"].default: cls  # type: ignore[misc]
    for cls in get_args(Event)
}
KINDS: Final[tuple[str, ...]] = tuple(EVENT_TYPES)
