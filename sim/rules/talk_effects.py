"""What the events of the talks change: talks opened, suspended and resumed, texts tabled,
answered and approved, and the deal concluded and carried out.

Each effect takes a state and an event of its kind that passed its guards, and returns the new
state (the same object where nothing changes).  :func:`sim.rules.effect_of` pairs kinds with
effects; the events around the table are :mod:`sim.rules.ground_effects`.
"""

from __future__ import annotations

from sim.events import Approval, Contact, Event, Offer, Response, TalksResumed, TalksSuspended
from sim.state import ApprovalState, NegotiationState, OfferState, ResponseState

# The effects build state records field by field from their events' fields: the calls alike in
# shape (here, in ground_effects.py, in analysis/knowledge.py, in keyword calls elsewhere) fill
# different records.

__all__ = [
    "approve",
    "bind",
    "carry_out",
    "open_talks",
    "respond",
    "resume",
    "suspend",
    "table_text",
]


def open_talks(state: NegotiationState, event: Contact) -> NegotiationState:
    if state.talks == "not_started":
        return state.replace(talks="active", talks_by=event.id)
    return state


def table_text(state: NegotiationState, event: Offer) -> NegotiationState:
    offers = state.offers
    previous = state.current_offer
    if previous is not None:
        offers = offers.set(previous.event, previous.replace(status="superseded"))
    offers = offers.set(
        event.id,
        OfferState(
            event=event.id,
            text=event.text,
            by=event.actors,
            terms=event.terms,
            conditions=event.conditions,
            approvers=event.approvers,
            final=event.final,
            status="current",
            at=event.at,
        ),
    )
    approvals = state.approvals
    kept: tuple[str, ...] = ()
    for key in state.bound:
        if approvals[key].text == event.text:
            kept += (key,)
        else:
            approvals = approvals.set(key, approvals[key].replace(status="superseded"))
    return state.replace(
        offers=offers,
        current_offer_id=event.id,
        approvals=approvals,
        bound=kept,
        current_text=event.text,
    )


def respond(state: NegotiationState, event: Response) -> NegotiationState:
    offer = state.offers[event.to]
    response = ResponseState(
        event=event.id,
        by=event.actors,
        to=event.to,
        text=offer.text,
        decision=event.decision,
        at=event.at,
    )
    new = state.replace(responses=state.responses.set(event.id, response))
    if event.decision == "accepted" and event.body is not None:
        return bind(new, event.id, event.body, offer.text, event)
    if event.decision == "rejected" and offer.final:
        return new.replace(talks="ended", talks_by=event.id)
    return new


def suspend(state: NegotiationState, event: TalksSuspended) -> NegotiationState:
    return state.replace(talks="suspended", talks_by=event.id, suspended_until=event.until)


def resume(state: NegotiationState, event: TalksResumed) -> NegotiationState:
    return state.replace(talks="active", talks_by=event.id, suspended_until=())


def approve(state: NegotiationState, event: Approval) -> NegotiationState:
    return bind(state, event.id, event.body, event.text, event)


def bind(state: NegotiationState, key: str, body: str, text: str, event: Event) -> NegotiationState:
    approval = ApprovalState(event=key, body=body, text=text, status="bound", at=event.at)
    new = state.replace(approvals=state.approvals.set(key, approval), bound=(*state.bound, key))
    offer = new.current_offer
    if offer is None or not offer.approvers or new.talks != "active":
        return new
    bodies = {new.approvals[k].body for k in new.bound}
    if all(body in bodies for body in offer.approvers):
        return new.replace(
            talks="concluded",
            talks_by=event.id,
            concluded_at=event.at,
            concluded_text=offer.text,
            deal="in_force",
            deal_by=(event.id,),
        )
    return new


def carry_out(state: NegotiationState) -> NegotiationState:
    """The concluded deal's status, read from the conditions it rests on: ``collapsed`` once
    one is breached (for good), ``completed`` while every one is met or waived, else
    ``in_force`` (named by the event that concluded it)."""
    if state.deal == "collapsed":
        return state
    conditions = state.conditions
    names = state.deal_conditions
    for name in names:
        if conditions[name].status == "breached":
            return state.replace(deal="collapsed", deal_by=(conditions[name].settled_by or name,))
    if names and all(conditions[name].status in ("met", "waived") for name in names):
        by = tuple(dict.fromkeys(conditions[name].settled_by or name for name in names))
        return (
            state
            if state.deal == "completed" and state.deal_by == by
            else state.replace(deal="completed", deal_by=by)
        )
    if state.deal == "in_force":
        return state
    return state.replace(deal="in_force", deal_by=(state.talks_by or "",))
