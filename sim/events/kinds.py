"""The kinds of event: one frozen record per kind, in the closed union :data:`Event`.

Each kind adds its own fields to the envelope (:class:`~sim.events.envelope.EventBase`) and
names itself in ``kind``; :data:`Kind` is the literal of those names, :data:`EVENT_TYPES` maps
each to its class.  Code that dispatches on :data:`Event` uses ``match`` with
:func:`typing.assert_never`, so mypy reports any kind left unhandled.
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias, get_args

import attrs
from attrs import field, frozen, validators

from sim.events.envelope import EventBase
from sim.events.fields import ConditionStatus, Decision, OperationPhase, Term, slug

__all__ = [
    "EVENT_TYPES",
    "KINDS",
    "Announcement",
    "Approval",
    "Assurance",
    "BlackoutEnded",
    "BlackoutStarted",
    "Call",
    "ChannelOpened",
    "Condition",
    "Contact",
    "Event",
    "Information",
    "Kind",
    "Meeting",
    "MilitaryOperation",
    "Offer",
    "Release",
    "Response",
    "TalksResumed",
    "TalksSuspended",
]


# Every kind has the same shape (its ``kind`` literal, then its own fields): alike, not repeated.


@frozen(kw_only=True)
class Contact(EventBase):
    """A first approach between parties; it opens the talks."""

    kind: Literal["contact"] = "contact"
    about: str = ""


@frozen(kw_only=True)
class ChannelOpened(EventBase):
    """A standing channel (a cell, a back channel) is set up between members."""

    kind: Literal["channel_opened"] = "channel_opened"
    name: str = field(validator=slug)
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
    text: str = field(validator=slug)
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
    name: str = field(validator=slug)
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
    operation: str = field(validator=slug)
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
