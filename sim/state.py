"""The negotiation state: an immutable value, built only by the fold.

Collections are persistent maps (``immutables.Map``, a hash array mapped trie: setting a key
makes a new map in O(log n) and shares the rest) and tuples, so a reducer never copies a whole
collection and a long log folds in linear time.  Two states compare equal when every field does,
which is what the property tests rely on (replaying ``a + b`` equals continuing ``a`` with ``b``).
A record's changed copy (``replace``) is :class:`sim._fast.Replaceable`'s: ``attrs.evolve``
without running ``__init__`` again, which the records, having no validators, do not need.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal, TypeAlias, TypeVar

import immutables
from attrs import frozen

from sim._fast import Replaceable
from sim.events import ConditionStatus, Decision, OperationPhase, Terms

__all__ = [
    "EMPTY",
    "NO_CAPTIVES",
    "ApprovalState",
    "CaptiveState",
    "ConditionState",
    "DealStatus",
    "NegotiationState",
    "OfferState",
    "PostureState",
    "Refusal",
    "ResponseState",
    "TalksStatus",
    "frozen_map",
]

TalksStatus: TypeAlias = Literal["not_started", "active", "suspended", "ended", "concluded"]
DealStatus: TypeAlias = Literal["in_force", "completed", "collapsed"]
"""A concluded deal's life: ``in_force`` from its conclusion, ``completed`` once every condition
it rests on is met or waived, ``collapsed`` once one is breached."""
OfferStatus: TypeAlias = Literal["current", "superseded", "lapsed"]
ApprovalStatus: TypeAlias = Literal["bound", "superseded"]


@frozen(kw_only=True)
class Refusal:
    """Why an event cannot take effect: the rule that refused it, the event that put the barrier
    there (if one did), and the reason in words.

    A *temporary* refusal names the ``barrier`` it waits on (``talks``, ``condition:NAME``,
    ``text:NAME``, ``deal``): the scheduler holds the event until the barrier
    lifts, up to its patience, instead of voiding it; ``never`` says what it would take, in
    words, for the reason given when the patience runs out (``talks never resumed``).  A
    refusal without a barrier is permanent.  ``waited`` is set on the refusal that voids an event
    whose patience ran out.  Explanations and renderers read these fields, never ``text``.
    """

    rule: str
    culprit: str | None = None
    text: str
    subject: str | None = None
    """What the rule is about: a condition's name, a text, an offer, a link."""
    barrier: str | None = None
    never: str = ""
    waited: timedelta | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def temporary(self) -> bool:
        """Whether the barrier can lift (the event may wait for it)."""
        return self.barrier is not None


K = TypeVar("K")
V = TypeVar("V")


NO_ITEMS: Final[immutables.Map[Any, Any]] = immutables.Map()
"""The empty persistent map: the default of every collection in a fresh state."""


def frozen_map(items: Mapping[K, V] | None = None) -> immutables.Map[K, V]:
    """A persistent map of ``items``."""
    return immutables.Map(items or {})


# The state's records below are field lists alike in shape only: each holds its own facts.


@frozen(kw_only=True, slots=False)
class OfferState(Replaceable):
    """A text version on the table."""

    event: str
    text: str
    by: tuple[str, ...]
    terms: Terms
    conditions: tuple[str, ...]
    approvers: tuple[str, ...]
    final: bool
    status: OfferStatus
    at: datetime


@frozen(kw_only=True, slots=False)
class ConditionState(Replaceable):
    """A condition with its holder (the party that must meet it) and its status."""

    name: str
    holder: str
    set_by: tuple[str, ...]
    demand: str
    prohibits: str | None
    status: ConditionStatus
    since: datetime
    settled_by: str | None = None
    event: str | None = None
    """The event that set it (or last changed it)."""


@frozen(kw_only=True, slots=False)
class ResponseState(Replaceable):
    """An answer to an offer, bound to the text version it answered."""

    event: str
    by: tuple[str, ...]
    to: str
    text: str
    decision: Decision
    at: datetime


@frozen(kw_only=True, slots=False)
class ApprovalState(Replaceable):
    """An approval, bound to a text version; superseded when the text changes."""

    event: str
    body: str
    text: str
    status: ApprovalStatus
    at: datetime


@frozen(kw_only=True, slots=False)
class CaptiveState(Replaceable):
    """What is known of the captives one captor holds."""

    held: int | None = None
    released: int = 0
    names: tuple[str, ...] = ()


NO_CAPTIVES: Final = CaptiveState()
"""What is known of a captor no event has told of yet."""


@frozen(kw_only=True, slots=False)
class PostureState(Replaceable):
    """A military operation and its phase."""

    operation: str
    area: str
    phase: OperationPhase
    since: datetime
    event: str | None = None
    """The event that put the operation in this phase."""
    started_by: str | None = None
    """The event that started it, once it has started (kept through later phases)."""

    @property
    def underway(self) -> bool:
        """Whether it has started and not ended."""
        return self.started_by is not None and self.phase != "ended"


@frozen(kw_only=True, slots=False)
class NegotiationState(Replaceable):
    """Everything the fold knows after some prefix of the log.

    The fold makes a new state for every event that changes something, with :meth:`replace`.
    """

    talks: TalksStatus = "not_started"
    talks_by: str | None = None
    """The event that last changed the talks' status."""
    suspended_until: tuple[str, ...] = ()
    channels: immutables.Map[str, tuple[str, ...]] = NO_ITEMS
    blackouts: immutables.Map[str, tuple[str, ...]] = NO_ITEMS
    """Area to the ids of the blackouts in force there (an area is dark while any is)."""
    in_transit: immutables.Map[str, str] = NO_ITEMS
    """Messages sent into a dark area, by event id, to the area holding them up."""
    offers: immutables.Map[str, OfferState] = NO_ITEMS
    current_offer_id: str | None = None
    """The offer whose text is on the table."""
    current_text: str | None = None
    conditions: immutables.Map[str, ConditionState] = NO_ITEMS
    assurances: immutables.Map[str, str] = NO_ITEMS
    """Assurance event id to what it is about."""
    responses: immutables.Map[str, ResponseState] = NO_ITEMS
    approvals: immutables.Map[str, ApprovalState] = NO_ITEMS
    bound: tuple[str, ...] = ()
    """The approvals bound to the text on the table."""
    captives: immutables.Map[str, CaptiveState] = NO_ITEMS
    posture: immutables.Map[str, PostureState] = NO_ITEMS
    milestones: immutables.Map[str, datetime] = NO_ITEMS
    voided: immutables.Map[str, Refusal] = NO_ITEMS
    """Voided event id to why it could not take effect."""
    concluded_at: datetime | None = None
    concluded_text: str | None = None
    deal: DealStatus | None = None
    """What became of the deal once concluded (``None`` before): see :data:`DealStatus`."""
    deal_by: tuple[str, ...] = ()
    """The events that led the deal to its status: the one that concluded it (``in_force``),
    the ones that settled its last open conditions (``completed``), the breach
    (``collapsed``)."""

    @property
    def current_offer(self) -> OfferState | None:
        """The offer that carries the current text version, if any."""
        if self.current_offer_id is None:
            return None
        return self.offers[self.current_offer_id]

    @property
    def deal_conditions(self) -> tuple[str, ...]:
        """The conditions the concluded deal rests on (its offer's; none before conclusion)."""
        if self.talks != "concluded" or self.current_offer is None:
            return ()
        return self.current_offer.conditions

    def dark(self, area: str) -> bool:
        """Whether communications in ``area`` are cut."""
        return bool(self.blackouts.get(area))


EMPTY: Final = NegotiationState()
