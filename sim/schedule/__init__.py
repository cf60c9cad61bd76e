"""The scheduler: when each event happens, folded as it goes.  There is one; replays and
what-ifs both run it.

How it works
------------
The recorded log says when each event happened.  The scheduler releases events in order of
time (ties in log order) and folds each one as it is released (:func:`sim.rules.attempt`).
With no edit, and a record consistent with the rules, that is the plain fold of the log in its
order, and nothing moves.  Three things move events:

- **Links** (:class:`~sim.events.EventBase`).  An event happens only once each event it
  ``requires`` or follows (``after``) has happened, and each message it ``answers`` has reached
  it; then at its *reaction lag* behind the latest of them, the lag measured on the record
  (its recorded time minus the latest recorded happening or arrival of its links, never
  negative).  So a reply that came two hours after the offer reached its addressee still comes
  two hours after it, wherever the offer now lands.  A link to an event that is not in the log
  (removed), or a message that never arrives (voided), does not time the event: it keeps its
  lag behind the links that remain, or its recorded time if none do.
- **Blackouts.**  A message whose channel runs ``via`` an area arrives when it is sent, unless
  the area is dark: then it is held there and arrives when the area is lit again (the fold's
  ``in_transit``).  What answers it waits for that.
- **Barriers** (temporary refusals of the guards: talks suspended or not yet started, a
  condition not yet met or set, an offer or a text not yet tabled, no deal yet).  An event
  that meets one *waits*: it is tried again whenever the part of the state its barrier watches
  changes, and happens at the first moment it passes, up to its ``patience`` (the event's own,
  else the scenario's, default 14 days).  If the patience runs out it is voided, the refusal
  saying how long it waited and what never happened ("waited 14d: talks never resumed").
  Everything linked to a waiting event waits with it.  A permanent refusal voids the event at
  once.  An event that passes before its patience runs out leaves nothing behind: the moment
  its patience would have run out does not advance the run's clock.
- **The end of the log.**  What still waits then for a message that never arrives is released
  at the last moment the run reached, and voided: the message never reached it.

An intervention (see :mod:`sim.whatif`) removes, inserts, re-times (``by`` a duration, added to
the lag, or ``to`` a time, never before the links arrive) or amends events; the scheduler then
derives the rest.  A moved event keeps its own UTC offset (a Washington call stays in
Washington time).

What is simulated
-----------------
Events are taken, in recorded order, from a *stream* (the base log) at their recorded times, and
most never leave it: an event whose links all happened and arrived when the record says (or are
gone) happens at its recorded time, so it needs no timing.  An event is taken out of the stream
and timed, on a heap, only when it is edited or inserted, when one of its links is late (waiting,
held up, moved) or not yet there, or, in a what-if, when one of its links comes *earlier* than
recorded (the base's :class:`Plan` says which events link to which).  The stream's events are
released in one tight loop (``Engine._stream``), the heap's taking their turn where they come
first: when the heap is empty and nothing waits, that loop is the plain fold.

A what-if restarts from the last *anchor* of its base's run before the earliest time its edit
touches, reusing the base's states before it, and rejoins the base at a later anchor where
nothing it changed can reach any further, its state equals the base's and it remembers the
same of the events still linked to: from there the base's states are reused too.  An anchor
(:class:`Anchors`) is a point where the base's run is quiet and has released exactly the log's
first events, in whatever order (a reply waits for a blackout to end while later events go
on), with what the run remembers there of events that happened late or arrived otherwise than
recorded.  So an edit costs about what it changes, wherever it falls in a long log.

Pure: no I/O, no clock.  ``tests/oracle.py`` holds a naive simulation of the same rules, without
the stream or the rejoin, that the property tests compare this one with.

Modules
-------
- :mod:`~sim.schedule.records`: the edit, waits, holds, timings and the run; the clock stamps;
- :mod:`~sim.schedule.plan`: the base measured once, and its anchors;
- :mod:`~sim.schedule.waiting`: the waiting events, and which a change can let through;
- :mod:`~sim.schedule.stream` and :mod:`~sim.schedule.engine`: one run (timing; releasing,
  waiting and the loop);
- :mod:`~sim.schedule.rerun`: replays, a base's run with its anchors, and what-ifs.
"""

from sim.schedule.plan import Anchors, Plan, plan
from sim.schedule.records import DEFAULT_PATIENCE, Edit, Hold, Run, Timing, Wait, moved_to
from sim.schedule.rerun import based, rerun, run

__all__ = [
    "DEFAULT_PATIENCE",
    "Anchors",
    "Edit",
    "Hold",
    "Plan",
    "Run",
    "Timing",
    "Wait",
    "based",
    "moved_to",
    "plan",
    "rerun",
    "run",
]
