"""The envelope every event shares (:class:`EventBase`), with its typed links to earlier
events: ``requires`` (:class:`Requirement`, with the decision it asks of a response),
``answers`` and ``after``.

What each link means for the fold is :mod:`sim.rules.links`; for the scheduler,
:mod:`sim.schedule`.  The kinds of event (:mod:`sim.events.kinds`) add their own fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final, Literal, TypeAlias

import attrs
from attrs import field, frozen

from sim.events.fields import Alternative, Channel, Precision, Source, aware, slug

__all__ = [
    "ACCEPTANCES",
    "LINK_TYPES",
    "EventBase",
    "RequiredDecision",
    "Requirement",
]

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

ACCEPTANCES: Final[frozenset[str]] = frozenset({"accepted", "accepted_with_changes"})
"""The decisions that count as an acceptance."""
LINK_TYPES: Final[tuple[str, ...]] = ("requires", "answers", "after")
"""The three kinds of link from an event to earlier events (see :class:`EventBase`)."""


@frozen(kw_only=True)
class Requirement:
    """A ``requires`` link: the event cannot happen without event ``id``.

    If ``id`` is removed or voided, the event is voided.  If ``id`` is a response, it must carry
    ``decision`` (by default an acceptance: ``accepted`` or ``accepted_with_changes``), so an
    event resting on a party's agreement falls when that party rejects.
    """

    id: str = field(validator=slug)
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


def positive(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value <= timedelta(0):
        msg = f"{attribute.name} must be a positive duration, got {value}"
        raise ValueError(msg)


@frozen(kw_only=True)
class EventBase:
    """The envelope every event shares.

    Its links to earlier events come in three types, which say what kind of dependence it is:
    ``requires`` (it cannot happen without the other, and, for a response, without the
    decision it names), ``answers`` (a reply, sent only once the message has arrived) and
    ``after`` (order and timing only).  ``causes`` lists them all.
    """

    id: str = field(validator=slug)
    at: datetime = field(validator=aware)
    precision: Precision = "exact"
    earliest: datetime | None = field(default=None, validator=aware)
    latest: datetime | None = field(default=None, validator=aware)
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
    patience: timedelta | None = field(default=None, validator=positive)
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
