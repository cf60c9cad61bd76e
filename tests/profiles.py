"""Hypothesis profiles, and the smaller budgets the costliest properties get under ``ci``.

- ``dev`` (the default): 40 examples a property, as ``ci`` draws (fewer for the costliest, see
  :func:`budget`), no deadline, random as Hypothesis is.
- ``ci`` (when ``CI`` is set, as ``.ci/run`` sets it): reproducible.  ``derandomize=True`` draws
  the same examples on every run (seeded from each test), no example database is read or
  written, and a deadline of 5 s an example catches a runaway case without failing on a slow,
  shared machine.  The costliest properties get fewer examples here (see :func:`budget`), so that
  ``make test`` stays under 90 s on two cores.
- ``fuzz`` (``make fuzz``, ``make explore``): 10,000 examples a property, random, every
  property at its full budget; a failure found there is pinned with ``@example`` in its test.

``HYPOTHESIS_PROFILE`` picks one by name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Final, TypeVar

from hypothesis import HealthCheck, settings

__all__ = ["PROFILE", "budget", "load"]

T = TypeVar("T")

# dev draws as many examples as ci (random, though): `make test` stays under 90 s on two cores;
# drawing at length is `make explore`'s job
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=timedelta(seconds=5),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

PROFILE: Final = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
"""The profile this run uses."""


def load() -> None:
    """Load :data:`PROFILE` (the test suite's ``conftest`` does, before any test is collected)."""
    settings.load_profile(PROFILE)


def budget(ci: int) -> Callable[[T], T]:
    """``ci`` examples for this property, except under ``fuzz`` (its full 10,000).

    For the properties whose examples cost most (a what-if, a chart, a replay of every prefix):
    the budget is the smallest that still reaches the cases the property is about.  It holds
    under ``dev`` too (random there, so each local run still draws new examples).
    """
    if PROFILE == "fuzz":
        return lambda test: test
    return settings(max_examples=ci)
