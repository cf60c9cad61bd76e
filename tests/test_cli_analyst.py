"""The analyst's commands as a user meets them: chart, report, export, import, and CLI polish."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.cli.app import console, err_console
from sim.cli.progress import progress
from sim.exchange import plover_problems, uncodable
from sim.fold import replay
from sim.store import load_log, verify, write_log
from tests.builders import make

runner = CliRunner()
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"


def sim(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------------------------ chart


@pytest.mark.parametrize(("name", "magic"), [("c.png", b"\x89PNG"), ("c.svg", b"<?xml")])
def test_chart_writes_png_or_svg_by_extension(tmp_path: Path, name: str, magic: bytes) -> None:
    """A small log (the README's examples chart the recorded history in both formats)."""
    log = tmp_path / "log"
    log.mkdir()
    write_log(log, [make("contact", "c", 0), make("call", "k", 1), make("meeting", "m", 2)])
    code, out, err = sim("chart", str(log), "-o", str(tmp_path / name), "--json")
    assert code == 0, err
    assert (tmp_path / name).read_bytes().startswith(magic)
    data = json.loads(out)
    assert data["path"] == str(tmp_path / name)
    assert data["format"] == name[-3:]
    assert data["events"] == 3
    assert data["bytes"] == (tmp_path / name).stat().st_size


def test_chart_refuses_an_unknown_extension_and_writes_nothing(tmp_path: Path) -> None:
    code, _, err = sim("chart", str(BASELINE), "-o", str(tmp_path / "c.gif"))
    assert code == 2
    assert "c.gif" in err
    assert ".png or .svg" in err
    assert _leftovers(tmp_path) == []


def test_chart_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    code, _, err = sim("chart", str(BASELINE), "-o", str(tmp_path / "nowhere" / "c.png"))
    assert code == 2
    assert "the folder for the output does not exist" in err
    assert "nowhere" in err
    assert "Traceback" not in err


def test_chart_of_a_missing_log_is_a_clean_error(tmp_path: Path) -> None:
    code, _, err = sim("chart", str(tmp_path / "absent"), "-o", str(tmp_path / "c.png"))
    assert code == 2
    assert "no such file or folder" in err
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--from", "2023-10-07T12:00:00", "--from time has no timezone"),
        ("--to", "nonsense", "--to is not a date, a time or an event id of this log"),
        ("--to", "cabinet_approval", "(use --to cabinet-approves)"),
        ("--from", "2023-02-30", "invalid date; expected YYYY-MM-DD"),
    ],
)
def test_chart_windows_are_read_as_at_is_and_name_their_flag(
    tmp_path: Path, flag: str, value: str, says: str
) -> None:
    """--from and --to are parsed by --at's parser: the same faults, named by their flag."""
    code, _, err = sim("chart", str(BASELINE), "-o", str(tmp_path / "c.png"), flag, value)
    assert code == 2
    assert says in err
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------------------------------ report


def test_report_writes_one_self_contained_page(tmp_path: Path) -> None:
    out_file = tmp_path / "report.html"
    code, out, err = sim("report", str(BASELINE), "-o", str(out_file), "--json")
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert 'dir="auto" lang="ar"' in html
    assert "http://" not in html
    assert json.loads(out)["scenario"] == "baseline"


def test_report_into_a_missing_folder_writes_nothing(tmp_path: Path) -> None:
    code, _, err = sim("report", str(BASELINE), "-o", str(tmp_path / "no" / "r.html"))
    assert code == 2
    assert "does not exist" in err
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------------------------------ export


def test_plover_export_of_the_baseline_follows_the_plover_rules() -> None:
    code, out, err = sim("export", str(BASELINE), "--format", "plover")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    trajectory = replay(load_log(BASELINE))
    manifest = trajectory.scenario
    assert [r["id"] for r in records] == [
        e.id for e in trajectory.events if not uncodable(e, manifest)
    ]
    assert len(records) >= 40
    for record in records:
        assert plover_problems(record) == [], record["id"]
        assert record["context"][-1] == "historical"
        assert record["cite_info"]["codebook"] == "plover-2.0-draft"
        assert record["event_text"]
    events = {e for r in records for e in r["event"]}
    assert events >= {"CONSULT", "AGREE", "RETREAT", "COERCE", "SUPPORT", "REQUEST"}


def test_cameo_export_keeps_codes_as_strings_with_their_zeros() -> None:
    code, out, _ = sim("export", str(BASELINE), "--format", "cameo")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert all(isinstance(r["cameo"], str) for r in records)
    assert any(r["cameo"].startswith("0") for r in records)


def test_csv_export_then_import_rebuilds_the_same_log(tmp_path: Path) -> None:
    table = tmp_path / "baseline.csv"
    code, out, err = sim("export", str(BASELINE), "--format", "csv", "-o", str(table), "--json")
    assert code == 0, err
    assert json.loads(out)["records"] == len(load_log(BASELINE).events)
    code, out, err = sim("import", str(table), "-o", str(tmp_path / "copy"), "--json")
    assert code == 0, err
    assert json.loads(out)["events"] == len(load_log(BASELINE).events)
    copy = load_log(tmp_path / "copy")
    assert copy.events == load_log(BASELINE).events
    assert verify(tmp_path / "copy").ok


def test_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    code, _, err = sim("export", str(BASELINE), "--format", "xml", "-o", str(tmp_path / "x"))
    assert code == 2
    assert "unknown export format 'xml'" in err
    assert "plover, cameo, csv" in err
    assert _leftovers(tmp_path) == []


def test_export_json_needs_an_output_file() -> None:
    code, out, err = sim("export", str(BASELINE), "--format", "csv", "--json")
    assert code == 2
    assert "-o FILE" in err
    assert out == ""


# ------------------------------------------------------------------------------------ import

HEADER = "kind,id,at,actors,source.document,source.paragraph,source.quote,summary\n"
GOOD = "contact,first,2023-10-08T12:00:00+03:00,qatar,seed,7,قطر اتصلت,Qatar calls\n"


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (HEADER + GOOD + "call,c2,the 9th,qatar,seed,9,,\n", ["events.csv:3", "row 3", "'at'"]),
        (
            HEADER + GOOD + "gossip,c2,2023-10-09T12:00:00+03:00,qatar,seed,9,,\n",
            ["row 3", "'kind'"],
        ),
        ("kind,id,source.document\ncontact,a,seed\n", ["events.csv:1", "missing column 'at'"]),
    ],
)
def test_import_names_the_file_row_and_column_and_writes_nothing(
    tmp_path: Path, text: str, said: list[str]
) -> None:
    source = _csv(tmp_path, text)
    code, _, err = sim("import", str(source), "-o", str(tmp_path / "log"))
    assert code == 2
    for words in said:
        assert words in err
    assert "Traceback" not in err
    assert _leftovers(tmp_path) == ["events.csv"]


def test_import_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    source = _csv(tmp_path, HEADER + GOOD)
    code, _, err = sim("import", str(source), "-o", str(tmp_path / "a" / "b" / "log"))
    assert code == 2
    assert "does not exist" in err
    assert _leftovers(tmp_path) == ["events.csv"]


def test_import_does_not_replace_a_log_unless_forced(tmp_path: Path) -> None:
    source = _csv(tmp_path, HEADER + GOOD)
    assert sim("import", str(source), "-o", str(tmp_path / "log.jsonl"))[0] == 0
    before = (tmp_path / "log.jsonl").read_bytes()
    code, _, err = sim("import", str(source), "-o", str(tmp_path / "log.jsonl"))
    assert code == 2
    assert "already exists" in err
    assert (tmp_path / "log.jsonl").read_bytes() == before
    assert sim("import", str(source), "-o", str(tmp_path / "log.jsonl"), "--force")[0] == 0
    assert load_log(tmp_path / "log.jsonl").events[0].source.quote == "قطر اتصلت"


# ------------------------------------------------------------------------------------ polish


def _commands() -> list[str]:
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)


def test_every_command_shows_an_example_and_offers_json() -> None:
    names = _commands()
    assert {"chart", "report", "export", "import", "replay", "state", "verify", "seal"} <= set(
        names
    )
    for name in names:
        result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, name
        assert "Example: sim " in result.stdout, name
        assert "--json" in result.stdout, name


def test_seal_reports_as_json(tmp_path: Path) -> None:
    source = _csv(tmp_path, HEADER + GOOD)
    sim("import", str(source), "-o", str(tmp_path / "log.jsonl"))
    code, out, _ = sim("seal", str(tmp_path / "log.jsonl"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["events"] == 1
    assert data["head"] == verify(tmp_path / "log.jsonl").head


def test_shell_completion_completes_commands_and_formats() -> None:
    executable = Path(sys.executable).with_name("sim")
    if not executable.exists():
        pytest.skip("the sim console script is not installed beside this Python")

    def complete(words: str, index: int) -> list[str]:
        env = {**os.environ, "_SIM_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(index)}  # fmt: skip
        done = subprocess.run(
            [str(executable)], env=env, capture_output=True, text=True, check=False
        )
        return done.stdout.split()

    assert "export" in complete("sim ex", 1)
    assert complete("sim export x --format p", 4) == ["plover"]


def test_colour_is_off_when_no_color_is_set_or_output_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not console().no_color
    assert not err_console().no_color
    monkeypatch.setenv("NO_COLOR", "1")
    assert console().no_color
    assert err_console().no_color
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert console().no_color


def test_progress_shows_only_on_a_terminal_and_only_after_the_delay() -> None:
    shown = io.StringIO()
    with progress(
        "drawing", total=2, delay=0, console=Console(file=shown, force_terminal=True)
    ) as steps:
        steps.step("writing")
    assert "writing" in shown.getvalue() or "drawing" in shown.getvalue()
    quiet = io.StringIO()
    with progress("drawing", delay=60, console=Console(file=quiet, force_terminal=True)) as steps:
        steps.step("writing")
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    with progress("drawing", delay=0, console=Console(file=piped, force_terminal=False)) as steps:
        steps.advance(1)
    assert piped.getvalue() == ""


# ------------------------------------------------------------------------------------ what-ifs

WHATIF = BASELINE.parent / "whatif"


def test_a_what_if_is_charted_over_its_base(tmp_path: Path) -> None:
    code, out, err = sim(
        "chart", str(WHATIF / "no-shifa-assurance.toml"), "-o", str(tmp_path / "w.png"), "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert (data["scenario"], data["base"]) == ("no-shifa-assurance", "baseline")


def test_a_what_if_report_asks_its_question_and_explains(tmp_path: Path) -> None:
    page = tmp_path / "w.html"
    code, _, err = sim("report", str(WHATIF / "hamas-rejects-final-offer.toml"), "-o", str(page))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "What if Hamas had turned down the final offer?" in html
    assert "<h3>Base</h3>" in html
    assert "cabinet_approval missed" in html


def test_a_what_if_exports_as_hypothetical_without_its_voided_events() -> None:
    code, out, _ = sim("export", str(WHATIF / "no-shifa-assurance.toml"), "--format", "plover")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert {r["context"][-1] for r in records} == {"hypothetical"}
    ids = {r["id"] for r in records}
    assert "israel-assures-shifa" not in ids  # removed
    assert "talks-resume" not in ids  # voided
    assert "hamas-shifa-demand" in ids  # the demand stands (the inferred suspension has no actor)
    assert all(plover_problems(r) == [] for r in records)


def test_a_broken_scenario_is_one_clean_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\nbase = "nowhere"\nquestion = "?"\n', encoding="utf-8")
    code, _, err = sim("chart", str(bad), "-o", str(tmp_path / "c.png"))
    assert code == 2
    assert "bad.toml" in err
    assert "Traceback" not in err
    assert not (tmp_path / "c.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["replay", str(BASELINE), "--json"],
        ["state", str(BASELINE), "--at", "2023-11-16", "--json"],
        ["verify", str(BASELINE), "--json"],
        ["timeline", str(BASELINE), "--json"],
        ["whatif", str(WHATIF / "no-blackouts.toml"), "--json"],
        ["explain", str(BASELINE), "--milestone", "cabinet_approval", "--json"],
        ["diff", str(BASELINE), str(WHATIF / "no-cell.toml"), "--json"],
        ["export", str(BASELINE), "--format", "cameo"],
    ],
)
def test_long_commands_show_a_progress_bar_on_a_terminal_stderr(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """With the bar's delay at zero and stderr a terminal, each command draws one; stdout
    still carries only its result."""
    import sim.cli.progress as bar

    drawn = io.StringIO()
    monkeypatch.setattr(bar, "DELAY", 0.0)
    monkeypatch.setattr(bar, "err_console", lambda: Console(file=drawn, force_terminal=True))
    code, out, err = sim(*args)
    assert code == 0, err
    assert "\x1b[" in drawn.getvalue()  # the bar was drawn (and cleared: it is transient)
    if "--json" in args:
        json.loads(out)
    else:
        assert all(json.loads(line) for line in out.splitlines())


def test_the_top_level_help_shows_an_example() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example: sim replay scenarios/baseline" in result.stdout


def test_chart_without_matplotlib_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    code, _, err = sim("chart", str(BASELINE), "-o", str(tmp_path / "c.png"))
    assert code == 2
    assert "needs matplotlib" in err
    assert "sim[charts]" in err
    assert _leftovers(tmp_path) == []
