"""The rules of the negotiation: which events can take effect, and what they change.

How it works
------------
Folding an event into a state takes three steps, all pure:

1. **Links.**  An event cannot happen without each event it ``requires`` (and, where that event
   is a response, without the decision the link names: by default an acceptance), nor without
   each message it ``answers`` having reached it.  A link to an event that is not in the log,
   or that was voided, or a required response with another decision, is a *permanent* refusal.
   ``after`` links only order and time events (the scheduler's business): they never refuse.

2. **Guards.**  :data:`GUARDS` is the rule book, one row per kind, read top to bottom.  Each
   guard looks at the state and the event and returns ``None`` when the event may take effect,
   or a :class:`~sim.state.Refusal` saying why it cannot.  A refusal is *temporary* when the
   barrier can lift (talks suspended or not yet started, a condition not yet met, a channel
   not yet open, a text not yet on the table, a deal not yet concluded): it names the barrier,
   and the scheduler holds the event until the barrier lifts, up to its patience.  Otherwise it
   is *permanent* (talks ended, a condition breached, an offer superseded): the event is
   voided at once, with the refusal recorded in ``state.voided``.  Guards never raise.

3. **Effects.**  An event that passes changes the state through its kind's effect, chosen by
   ``effect_of``: one ``case`` per kind of the closed ``Kind`` literal (mypy checks that every
   kind has one).  A milestone named on the event is reached at the event's time, except on a
   response that does not accept (a rejection is not a green light).

The rules in words
------------------
- A ``contact`` opens the talks.  Offers, responses, conditions, suspensions and approvals need
  talks that are ``active``; an ``assurance`` may also be given while talks are suspended (that
  is how suspended talks are won back).  Before a contact they wait for talks to start; while
  talks are suspended they wait for them to resume; once talks ended or concluded they cannot
  happen.
- An ``offer`` puts a new text version on the table and supersedes the current one: approvals of
  older versions stop counting.  It waits for the conditions it rests on to be set; one whose
  condition is already breached lapses at once.
- A ``response`` waits for the offer it answers to be on the table.
- A ``military_operation`` that starts breaches every open condition that prohibits it; an offer
  that rests on a breached condition lapses.  A condition set while what it prohibits is already
  under way is breached from the start.  A ``response`` to a lapsed or superseded offer
  cannot take effect.
- An ``assurance`` meets the conditions it names (not those already breached).
- ``talks_suspended`` names the conditions for resuming; ``talks_resumed`` takes effect only once
  each of them is met or waived (it waits for that).
- An acceptance (``response`` with decision ``accepted`` and a ``body``) or an ``approval``
  binds that body's approval to the current text version (an approval waits for its text to be
  tabled).  When every body among the current offer's ``approvers`` has approved it, the deal
  is concluded.  Rejecting a final offer ends the talks.
- A ``release`` cannot free more captives than the captor is known to hold, nor anyone twice.
- A ``blackout_ended`` must end a blackout in force in its area (named in its links).  A
  message whose channel runs through a dark area is held up there until the area is lit again.
- Announcing the deal needs a concluded deal (it waits for one while talks go on).

After conclusion: carrying out the deal
---------------------------------------
A concluded deal is ``in_force``.  The talks are over (no offer, response, suspension or
resumption can happen any more), but what carries the deal out still takes effect:

- information, calls, meetings and announcements, as before;
- the deal's own conditions (those its offer rests on): a ``condition`` event may change one
  (extend a truce, mark a step done), and an ``assurance`` may meet them; a condition the deal
  does not rest on cannot be set any more;
- further approvals of the concluded text (a court upholding it): bound to it, as before;
- releases: a captor's release waits while a condition of the deal held by another party is
  still open (funds moved, lists exchanged: each side waits for the other's part); a condition
  that prohibits an operation (a truce) holds while it is kept, and holds nothing up.

When every condition of the deal is met or waived the deal is ``completed``; when one is
breached (an operation it prohibits starts, or a condition event says so) it has
``collapsed``, and nothing can carry it out any more.  ``state.deal_by`` names the events that
led there.

Where each part lives
---------------------
This package keeps every name importable from ``sim.rules``; the parts are
:mod:`~sim.rules.links` (step 1), :mod:`~sim.rules.guards` (step 2),
:mod:`~sim.rules.talk_effects` and :mod:`~sim.rules.ground_effects` (step 3, by family of
events) and :mod:`~sim.rules.dispatch` (the table of each kind's guards and effect, and the
step itself: :func:`attempt`, :func:`refused`, :func:`apply`, :func:`enact`).
"""

from __future__ import annotations

# The parts' names, re-exported: these lists repeat the parts' own imports and __all__.
from sim.rules.dispatch import (
    GUARDS,
    REDUCER_VERSION,
    Effect,
    Guard,
    apply,
    attempt,
    effect_of,
    enact,
    refused,
    void,
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
    talks_open_or_suspended,
    talks_suspended_now,
)
from sim.rules.links import link_refusal
from sim.state import NO_CAPTIVES

__all__ = [
    "GUARDS",
    "NO_CAPTIVES",
    "REDUCER_VERSION",
    "Effect",
    "Guard",
    "apply",
    "approves_current_text",
    "assured_conditions_known",
    "attempt",
    "blackout_in_force",
    "captives_to_release",
    "channel_not_open",
    "condition_not_breached",
    "conditions_known",
    "conditions_not_breached",
    "deal_concluded",
    "deal_lets_release",
    "effect_of",
    "enact",
    "link_refusal",
    "offer_current",
    "refused",
    "resume_conditions_settled",
    "suspension_conditions_known",
    "talks_active",
    "talks_active_or_deal_approval",
    "talks_open_or_deal_assurance",
    "talks_open_or_deal_condition",
    "talks_open_or_suspended",
    "talks_suspended_now",
    "void",
]
