"""Logging: the core never logs; each command logs one canonical line with its figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs
from typer.testing import CliRunner

from sim import logs as logs_module
from sim.cli import app
from sim.fold import replay
from sim.store import load_log, write_log
from tests.builders import make


def test_the_core_never_logs(tmp_path: Path) -> None:
    write_log(tmp_path, [make("contact", "c", 0), make("announcement", "a", 1)])
    with capture_logs() as logs:
        replay(load_log(tmp_path))
    assert logs == []


def test_a_command_logs_one_line_with_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(tmp_path, [make("contact", "c", 0), make("announcement", "a", 1)])
    # the CLI configures logging at start-up; keep capture_logs' processors in place instead
    monkeypatch.setattr(logs_module, "configure", lambda **_: None)
    with capture_logs() as logs:
        result = CliRunner().invoke(app, ["replay", str(tmp_path), "--json"])
    assert result.exit_code == 0
    replays = [entry for entry in logs if entry["event"] == "replay"]
    assert len(replays) == 1
    assert replays[0]["events"] == 2
    assert replays[0]["voided"] == 1
    assert replays[0]["concluded"] is False
