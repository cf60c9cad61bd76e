"""The dispatch table and one step of the fold: each kind's guards and effect, and
:func:`attempt`, which runs them (links, then guards, then the effect) on one event.

The rule book :data:`GUARDS` lists, for each kind, the guards an event must pass, in order
(:mod:`sim.rules.guards`); :func:`effect_of` names its effect (:mod:`sim.rules.talk_effects`,
:mod:`sim.rules.ground_effects`).  Both are read once into a table looked up per event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, assert_never, get_args

from sim.events import Event, Kind, Response
from sim.rules.ground_effects import (
    assure,
    end_blackout,
    inform,
    no_change,
    open_channel,
    operate,
    release,
    set_condition,
    start_blackout,
)
from sim.rules.guards import (
    approves_current_text,
    assured_conditions_known,
    blackout_in_force,
    captives_to_release,
    channel_not_open,
    condition_not_breached,
    conditions_known,
    conditions_not_breached,
    deal_concluded,
    deal_lets_release,
    offer_current,
    resume_conditions_settled,
    suspension_conditions_known,
    talks_active,
    talks_active_or_deal_approval,
    talks_open_or_deal_assurance,
    talks_open_or_deal_condition,
    talks_suspended_now,
)
from sim.rules.links import link_refusal
from sim.rules.talk_effects import (
    approve,
    carry_out,
    open_talks,
    respond,
    resume,
    suspend,
    table_text,
)
from sim.state import NegotiationState, Refusal

__all__ = [
    "GUARDS",
    "REDUCER_VERSION",
    "Effect",
    "Guard",
    "apply",
    "attempt",
    "effect_of",
    "enact",
    "refused",
    "void",
]


REDUCER_VERSION: Final = "3"
"""Bump whenever a guard or an effect changes: snapshots taken under another version are stale."""


Guard = Callable[[NegotiationState, Any], "Refusal | None"]


GUARDS: Final[Mapping[str, tuple[Guard, ...]]] = {
    "contact": (),
    "channel_opened": (channel_not_open,),
    "call": (),
    "meeting": (),
    "information": (),
    "release": (deal_lets_release, captives_to_release),
    "offer": (talks_active, conditions_known, conditions_not_breached),
    "response": (talks_active, offer_current),
    "condition": (talks_open_or_deal_condition, condition_not_breached),
    "assurance": (talks_open_or_deal_assurance, assured_conditions_known),
    "military_operation": (),
    "blackout_started": (),
    "blackout_ended": (blackout_in_force,),
    "talks_suspended": (talks_active, suspension_conditions_known),
    "talks_resumed": (talks_suspended_now, resume_conditions_settled),
    "approval": (talks_active_or_deal_approval, approves_current_text),
    "announcement": (deal_concluded,),
}
"""The rule book: for each kind, the guards an event must pass, in order.

A guard reads the state and the event's own fields, never the event's time (the scheduler
tries a waiting event as recorded and moves it only once it passes), and the guards of a kind
that can wait read no more of the state than :data:`sim.schedule.waiting._READS_CONDITIONS`
lists for it: a guard that reads more must be listed there.  The waiting index relies on one
more: a kind whose first guard is :func:`talks_active` is refused by it alone while the talks
are not active."""


Effect = Callable[[NegotiationState, Any], NegotiationState]


def effect_of(kind: Kind) -> Effect:
    """What an event of ``kind`` that passed its guards changes: one case per kind.

    ``kind`` is the closed :data:`~sim.events.Kind` literal, so mypy reports a kind left
    without a case.  Each effect takes the event class of its kind (a test checks the pairing).
    """
    match kind:
        case "contact":
            return open_talks
        case "channel_opened":
            return open_channel
        case "call" | "meeting" | "announcement":
            return no_change
        case "information":
            return inform
        case "release":
            return release
        case "offer":
            return table_text
        case "response":
            return respond
        case "condition":
            return set_condition
        case "assurance":
            return assure
        case "military_operation":
            return operate
        case "blackout_started":
            return start_blackout
        case "blackout_ended":
            return end_blackout
        case "talks_suspended":
            return suspend
        case "talks_resumed":
            return resume
        case "approval":
            return approve
        case _:
            assert_never(kind)


_UNHELD: Final = frozenset({"blackout_started", "blackout_ended"})
"""Kinds that are not messages: a blackout's own start or end is never held up by it."""


_STEPS: Final[Mapping[str, tuple[tuple[Guard, ...], Effect]]] = {
    kind: (GUARDS[kind], effect_of(kind)) for kind in get_args(Kind)
}
"""Each kind's guards and effect, looked up once per event (one dict lookup, no type tests)."""


def void(state: NegotiationState, event: Event, refusal: Refusal) -> NegotiationState:
    """``state`` with ``event`` recorded as voided, for ``refusal``."""
    return state.replace(voided=state.voided.set(event.id, refusal))


def attempt(
    state: NegotiationState, event: Event, present: Callable[[str], bool] | None = None
) -> NegotiationState | Refusal:
    """The state after ``event`` takes effect, or the :class:`Refusal` that stops it now.

    This is one step of the fold, at the event's own time.  A temporary refusal may lift later:
    :mod:`sim.schedule` then tries the event again; :func:`apply` voids it.
    """
    guards, effect = _STEPS[event.kind]
    refusal = refused(state, event, present, guards)
    return refusal if refusal is not None else _enact(state, event, effect)


def refused(
    state: NegotiationState,
    event: Event,
    present: Callable[[str], bool] | None = None,
    guards: tuple[Guard, ...] | None = None,
) -> Refusal | None:
    """The :class:`Refusal` :func:`attempt` would meet, without computing the state after
    (``guards``: the kind's, where the caller has them at hand)."""
    if event.causes:
        refusal = link_refusal(state, event, present)
        if refusal is not None:
            return refusal
    for guard in guards if guards is not None else _STEPS[event.kind][0]:
        refusal = guard(state, event)
        if refusal is not None:
            return refusal
    return None


def enact(state: NegotiationState, event: Event) -> NegotiationState:
    """What ``event`` changes, its guards and links not asked: for a party's view of events it
    saw take effect (:mod:`sim.analysis.knowledge`), not for the fold."""
    return _enact(state, event, _STEPS[event.kind][1])


def _enact(state: NegotiationState, event: Event, effect: Effect) -> NegotiationState:
    new = effect(state, event)
    if new.talks == "concluded" and (
        new.conditions is not state.conditions or state.talks != "concluded"
    ):
        new = carry_out(new)
    channel = event.channel
    if channel is not None and channel.via and new.blackouts and event.kind not in _UNHELD:
        for area in channel.via:
            if new.dark(area):
                new = new.replace(in_transit=new.in_transit.set(event.id, area))
                break
    milestone = event.milestone
    if milestone is not None and milestone not in new.milestones and _counts(event):
        new = new.replace(milestones=new.milestones.set(milestone, event.at))
    return new


def apply(
    state: NegotiationState, event: Event, present: Callable[[str], bool] | None = None
) -> NegotiationState:
    """Fold one event into ``state`` at its own time: pure and total.

    An event that cannot take effect now is voided with its :class:`Refusal`, never raised.
    This single step cannot wait: a replay (:func:`sim.fold.replay`) holds an event that meets
    a temporary barrier until the barrier lifts, which ``apply`` alone cannot know.
    """
    result = attempt(state, event, present)
    if isinstance(result, Refusal):
        return void(state, event, result)
    return result


def _counts(event: Event) -> bool:
    """Whether the event reaches the milestone it names (a rejection is no green light)."""
    return not isinstance(event, Response) or event.decision in (
        "accepted",
        "accepted_with_changes",
    )
