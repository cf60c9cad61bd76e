"""The links: whether an event's ``requires`` and ``answers`` links let it happen.

An event cannot happen without each event it ``requires`` (and, where that event is a
response, without the decision the link names), nor without each message it ``answers`` having
reached it.  ``after`` links only order and time events (the scheduler's business): they never
refuse.  This check runs before the guards of the event's kind (:func:`sim.rules.attempt`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sim.events import Event
from sim.state import NegotiationState, Refusal

__all__ = ["link_refusal"]


def link_refusal(
    state: NegotiationState, event: Event, present: Callable[[str], bool] | None = None
) -> Refusal | None:
    """Why ``event``'s ``requires`` and ``answers`` links keep it from happening, if they do.

    ``present`` says whether an id is an event of the log that has happened (taken effect or
    been voided) before this one; without it only what the state records is checked.
    """
    voided = state.voided
    for link in event.requires:
        ident = link.id
        if ident in voided or (present is not None and not present(ident)):
            return _gone(ident, "requires", voided)
        response = state.responses.get(ident)
        decision = response.decision if response is not None else None
        if not link.met_by(decision):
            wanted = "an acceptance" if link.decision == "acceptance" else link.decision
            found = decision.replace("_", " ") if decision is not None else "no response"
            return Refusal(
                rule="requires",
                culprit=ident,
                text=f"it requires {ident} to be {wanted.replace('_', ' ')}, but it was {found}",
            )
    for ident in event.answers:
        if ident in voided or (present is not None and not present(ident)):
            return _gone(ident, "answers", voided)
        area = state.in_transit.get(ident)
        if area is not None:  # the scheduler sends a reply only once its message arrived
            return Refusal(
                rule="answers",
                culprit=ident,
                text=f"it answers {ident}, still held up by the blackout over {area}",
            )
    return None


def _gone(ident: str, link: str, voided: Mapping[str, Refusal]) -> Refusal:
    """The permanent refusal of a ``requires`` or ``answers`` link (``link``) to an event that
    was voided, or else is not in the log (before this event)."""
    why = "was voided" if ident in voided else "is not in the log"
    return Refusal(rule=link, culprit=ident, text=f"it {link} {ident}, which {why}")
