"""Hypothesis profiles: ``dev`` by default, ``ci`` (reproducible, bounded) when ``CI`` is set,
``fuzz`` by hand (``make fuzz``, ``make explore``); see :mod:`tests.profiles`."""

from __future__ import annotations

from tests import profiles

profiles.load()
