"""The events of a negotiation: frozen records, one class per kind, in a closed union.

Every event shares the envelope of :class:`EventBase` (an id, a time with its precision and
bounds, who acted, who was addressed, the route it travelled, the earlier events it answers,
and the source sentence it rests on) and adds the fields of its kind.  The union :data:`Event`
is closed: code that dispatches on it uses ``match`` with :func:`typing.assert_never`, so mypy
reports any kind left unhandled.

Nothing here decides the rules of the negotiation; that is :mod:`sim.rules`.  Validators only
check a value's own shape.

The package keeps every name importable from ``sim.events``; its parts are the shared field
types and validators (:mod:`~sim.events.fields`), the envelope with its typed links
(:mod:`~sim.events.envelope`) and the kinds (:mod:`~sim.events.kinds`).
"""

from __future__ import annotations

# The parts' names, re-exported: these lists repeat the parts' own imports and __all__.
from sim.events.envelope import (
    ACCEPTANCES,
    LINK_TYPES,
    EventBase,
    RequiredDecision,
    Requirement,
)
from sim.events.fields import (
    CONDITION_STATUSES,
    DECISIONS,
    PRECISIONS,
    Alternative,
    Channel,
    ConditionStatus,
    Decision,
    OperationPhase,
    Precision,
    Source,
    Term,
    Terms,
    TermValue,
)
from sim.events.kinds import (
    EVENT_TYPES,
    KINDS,
    Announcement,
    Approval,
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    Call,
    ChannelOpened,
    Condition,
    Contact,
    Event,
    Information,
    Kind,
    Meeting,
    MilitaryOperation,
    Offer,
    Release,
    Response,
    TalksResumed,
    TalksSuspended,
)

__all__ = [
    "ACCEPTANCES",
    "CONDITION_STATUSES",
    "DECISIONS",
    "EVENT_TYPES",
    "KINDS",
    "LINK_TYPES",
    "PRECISIONS",
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
