"""Hypothesis profiles: ``dev`` by default, ``ci`` (reproducible, bounded) when ``CI`` is set,
``fuzz`` by hand (``make fuzz``, ``make explore``); see :mod:`tests.profiles`.

The suite runs on two processes (pytest-xdist, ``make test``), whose workers are given
``COLUMNS=80``: the commands' output is read as piped output is, at the width sim picks for a
pipe, unless a test asks for a width."""

from __future__ import annotations

import functools
import os

import typer.testing
from typer.main import get_command

from tests import profiles

profiles.load()

# typer's CliRunner.invoke builds the click command from the app again on every call: each
# command's signature read anew, about 8 ms, some 550 times a run.  The commands register when
# sim.cli is imported, before any test invokes it, so one build per app serves every invoke.
# (Where a typer release reads the command otherwise, this changes nothing.)
if getattr(typer.testing, "_get_command", None) is get_command:
    typer.testing._get_command = functools.cache(get_command)  # type: ignore[attr-defined]

for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)
