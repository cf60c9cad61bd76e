"""Hypothesis profiles: ``dev`` by default, ``ci`` (reproducible, bounded) when ``CI`` is set,
``fuzz`` by hand (``make fuzz``, ``make explore``); see :mod:`tests.profiles`.

The suite runs on two processes (pytest-xdist, ``make test``), whose workers are given
``COLUMNS=80``: the commands' output is read as piped output is, at the width sim picks for a
pipe, unless a test asks for a width."""

from __future__ import annotations

import os

from tests import profiles

profiles.load()
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)
