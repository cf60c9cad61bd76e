"""The negotiation state: an immutable value, built only by the fold.

Collections are read-only mappings (``MappingProxyType``) and tuples; a reducer that changes one
copies it.  Two states compare equal when every field does, which is what the property tests
rely on (replaying ``a + b`` equals continuing ``a`` with ``b``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final, Literal, TypeAlias, TypeVar

from attrs import frozen

from sim.events import ConditionStatus, Decision, OperationPhase, Terms

__all__ = [
    "EMPTY",
    "ApprovalState",
    "CaptiveState",
    "ConditionState",
    "NegotiationState",
    "OfferState",
    "PostureState",
    "ResponseState",
    "TalksStatus",
    "frozen_map",
]

TalksStatus: TypeAlias = Literal["not_started", "active", "suspended", "ended", "concluded"]
OfferStatus: TypeAlias = Literal["current", "superseded", "lapsed"]
ApprovalStatus: TypeAlias = Literal["bound", "superseded"]

K = TypeVar("K")
V = TypeVar("V")


def frozen_map(items: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """A read-only copy of ``items``."""
    return MappingProxyType(dict(items or {}))


def with_item(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """A read-only copy of ``mapping`` with ``key`` set to ``value``."""
    new = dict(mapping)
    new[key] = value
    return MappingProxyType(new)


@frozen(kw_only=True)
class OfferState:
    """A text version on the table."""

    event: str
    text: str
    by: tuple[str, ...]
    terms: Terms
    conditions: tuple[str, ...]
    requires: tuple[str, ...]
    final: bool
    status: OfferStatus
    at: datetime


@frozen(kw_only=True)
class ConditionState:
    """A condition with its holder (the party that must meet it) and its status."""

    name: str
    holder: str
    set_by: tuple[str, ...]
    demand: str
    prohibits: str | None
    status: ConditionStatus
    since: datetime
    settled_by: str | None = None


@frozen(kw_only=True)
class ResponseState:
    """An answer to an offer, bound to the text version it answered."""

    event: str
    by: tuple[str, ...]
    to: str
    text: str
    decision: Decision
    at: datetime


@frozen(kw_only=True)
class ApprovalState:
    """An approval, bound to a text version; superseded when the text changes."""

    event: str
    body: str
    text: str
    status: ApprovalStatus
    at: datetime


@frozen(kw_only=True)
class CaptiveState:
    """What is known of the captives one captor holds."""

    held: int | None = None
    released: int = 0
    names: tuple[str, ...] = ()


@frozen(kw_only=True)
class PostureState:
    """A military operation and its phase."""

    operation: str
    area: str
    phase: OperationPhase
    since: datetime


@frozen(kw_only=True)
class NegotiationState:
    """Everything the fold knows after some prefix of the log."""

    talks: TalksStatus = "not_started"
    suspended_until: tuple[str, ...] = ()
    channels: Mapping[str, tuple[str, ...]] = frozen_map()
    blackouts: Mapping[str, tuple[str, ...]] = frozen_map()
    """Area to the ids of the blackouts in force there (an area is dark while any is)."""
    in_transit: Mapping[str, str] = frozen_map()
    """Messages sent into a dark area, by event id, to the area holding them up."""
    offers: Mapping[str, OfferState] = frozen_map()
    current_text: str | None = None
    texts: tuple[str, ...] = ()
    conditions: Mapping[str, ConditionState] = frozen_map()
    assurances: Mapping[str, str] = frozen_map()
    """Assurance event id to what it is about."""
    responses: Mapping[str, ResponseState] = frozen_map()
    approvals: Mapping[str, ApprovalState] = frozen_map()
    captives: Mapping[str, CaptiveState] = frozen_map()
    posture: Mapping[str, PostureState] = frozen_map()
    milestones: Mapping[str, datetime] = frozen_map()
    voided: Mapping[str, str] = frozen_map()
    """Voided event id to the reason it could not take effect."""
    concluded_at: datetime | None = None
    concluded_text: str | None = None

    @property
    def current_offer(self) -> OfferState | None:
        """The offer that carries the current text version, if any."""
        for offer in self.offers.values():
            if offer.status == "current":
                return offer
        return None

    def dark(self, area: str) -> bool:
        """Whether communications in ``area`` are cut."""
        return bool(self.blackouts.get(area))


EMPTY: Final = NegotiationState()
