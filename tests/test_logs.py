"""Logging: the core never logs; each command logs one canonical line with its figures."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from structlog.testing import capture_logs
from typer.testing import CliRunner

import sim
from sim import logs as logs_module
from sim.cli import app
from sim.fold import replay
from sim.scenario import load_scenario
from sim.store import load_log, write_log
from tests.builders import make

SIM = Path(sim.__file__).parent
BASELINE = SIM.parent / "scenarios" / "baseline"
WHATIF = SIM.parent / "scenarios" / "whatif" / "hamas-rejects-final-offer.toml"


CORE = (
    *("events", "state", "rules", "fold", "schedule", "whatif", "analysis"),
    *("times", "parties", "errors", "text", "codes", "_fast"),
)
"""The core's modules (docs/architecture.md): pure, so they neither log nor print."""
LOGGERS = frozenset({"logging", "structlog", "sim.logs"})


def _core_files() -> list[Path]:
    files = []
    for name in CORE:
        module, package = SIM / f"{name}.py", SIM / name
        found = [module] if module.is_file() else sorted(package.rglob("*.py"))
        assert found, f"core module sim.{name} not found: keep CORE up to date"
        files += found
    return files


def _logging_in(tree: ast.AST) -> list[str]:
    """The loggers a module's syntax tree imports, and its calls of ``print``, with lines."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names = [node.func.id]
        else:
            continue
        found += [f"{name}, line {node.lineno}" for name in names if _logs(name)]
    return found


def _logs(name: str) -> bool:
    return name == "print" or any(name == n or name.startswith(f"{n}.") for n in LOGGERS)


def test_no_core_module_imports_a_logger_or_prints() -> None:
    found = {
        str(file.relative_to(SIM)): hits
        for file in _core_files()
        if (hits := _logging_in(ast.parse(file.read_text(), str(file))))
    }
    assert found == {}


def test_the_library_logs_and_prints_nothing(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replaying the recorded history and answering a what-if emit no log record, through
    structlog or the standard library, and write nothing to stdout or stderr."""
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        trajectory = replay(load_log(BASELINE))
        whatif = load_scenario(WHATIF)
    assert trajectory.outcome.concluded
    assert whatif.name
    assert (logs, caplog.records) == ([], [])
    assert capsys.readouterr() == ("", "")


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
