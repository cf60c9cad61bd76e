"""Every example in the README runs: its python blocks and its sh blocks, in order.

A python example that shows a value (an expression) must show something: a frame with no rows
fails (the README once showed ``frame[frame.dark & (frame.party == "hamas")]``, always empty).

The examples run in a scratch folder that holds the repository's ``scenarios`` (the recorded
history and the what-ifs), so that what they write (charts, exports, ``scenarios/mine``) lands
there.  An example that needs something this test cannot have is skipped, each with its reason
in :data:`SKIPPED`; a test checks that every reason still matches a line of the README.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson
import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

SKIPPED: Final[dict[str, str]] = {
    "make demo": "runs make: `make demo` is `sim replay scenarios/baseline`, run below",
    "make test": "runs make: `make test` would run this test suite inside itself",
    "sim seal   path/to/log.jsonl": "path/to/log.jsonl stands for a log the reader edited",
    "--expect 12": "the log must hold exactly 12 events; scenarios/mine here holds 50",
    'append_event("scenarios/mine", event, expect=12)': (
        "`event` stands for an event of the reader's, and the log must hold exactly 12 events"
    ),
    "done.line, done.events, done.written": "reads `done`, from the line skipped above",
    "sim check scenarios/armistice": (
        "exits 1 until the reader has copied their record into sources/ and cited it"
    ),
}
"""A fragment of a README line, and why the line cannot run here."""

NEW_EVENT: Final = {
    "kind": "information",
    "id": "readme-example",
    "at": "2023-11-23T12:00:00+00:00",
    "actors": ["qatar"],
    "source": {"document": "README example"},
}


FIRST_CALL: Final = {
    "kind": "contact",
    "id": "first-call",
    "at": "2031-05-02T09:00:00+00:00",
    "actors": ["north_president"],
    "recipients": ["south"],
    "milestone": "first_contact",
    "source": {"document": "record", "quote": "The North's president calls the South."},
}
"""The first event of the README's new history (``sim append scenarios/armistice``)."""


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(rf"```{language}\n(.*?)```", text, re.DOTALL)]


def _skip_reason(source: str) -> str | None:
    return next((why for fragment, why in SKIPPED.items() if fragment in source), None)


def _commands() -> Iterator[str]:
    for block in _blocks("sh"):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                yield command


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder with the repository's scenarios in it (linked), and the event files the
    append examples name; the examples run with it as the working folder."""
    (tmp_path / "scenarios").mkdir()
    for name in ("baseline", "colombia-2016", "whatif", "studies"):
        (tmp_path / "scenarios" / name).symlink_to(ROOT / "scenarios" / name)
    (tmp_path / "new-event.json").write_bytes(orjson.dumps(NEW_EVENT))
    (tmp_path / "first-event.json").write_bytes(orjson.dumps(NEW_EVENT | {"id": "first"}))
    (tmp_path / "scenarios" / "new").mkdir()  # "start a new log (its folder exists)"
    (tmp_path / "first-call.json").write_bytes(orjson.dumps(FIRST_CALL))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_sh_example_runs(workspace: Path) -> None:
    runner = CliRunner()
    ran, skipped = [], []
    for command in _commands():
        if _skip_reason(command):
            skipped.append(command)
            continue
        stdin, run = None, command
        piped = re.fullmatch(r"cat (\S+) \| (sim .*)", command)
        if piped:
            stdin = (workspace / piped.group(1)).read_bytes()
            run = piped.group(2)
        words = shlex.split(run)
        assert words[0] == "sim", f"the README runs something other than sim: {command}"
        result = runner.invoke(app, words[1:], input=stdin)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        ran.append(command)
    assert len(ran) >= 30
    assert len(skipped) == 5, skipped
    for output in ("baseline.png", "what-if.svg", "nov.png", "report.html", "baseline.csv"):
        assert (workspace / output).stat().st_size > 0, output
    assert (workspace / "scenarios" / "mine" / "events.jsonl").is_file()
    assert (workspace / "scenarios" / "new" / "events.jsonl").is_file()
    assert (workspace / "armistice.png").stat().st_size > 0


def test_every_python_example_runs(workspace: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "readme"}
    ran, skipped = 0, 0
    for block in _blocks("python"):
        for statement in ast.parse(block).body:
            source = ast.get_source_segment(block, statement) or ""
            if _skip_reason(source):
                skipped += 1
                continue
            if isinstance(statement, ast.Expr):  # an example that shows a value
                shown = eval(compile(ast.Expression(statement.value), "README", "eval"), namespace)  # noqa: S307 (the README's own examples)
                assert not getattr(shown, "empty", False), f"the example shows nothing: {source}"
            else:
                code = compile(ast.Module(body=[statement], type_ignores=[]), "README", "exec")
                exec(code, namespace)  # noqa: S102 (the README's own examples)
            ran += 1
    assert ran >= 25
    assert skipped == 2
    assert namespace["trajectory"].outcome.concluded
    assert namespace["again"].diff is not None
    frame = namespace["frame"]  # every frame the examples show has rows (checked above)
    assert frame[frame.dark & (frame.party == "hamas")].empty  # the example the README dropped


def test_every_skip_reason_still_names_a_readme_line() -> None:
    text = README.read_text(encoding="utf-8")
    for fragment in SKIPPED:
        assert fragment in text, f"stale skip: {fragment!r} is no longer in the README"
