"""Tools to write a history: ``sim new`` starts one, ``sim check`` lints it (exit 1 on faults),
``sim table`` prints the README's event table from the data."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.events import Alternative, Event, Source
from sim.fold import Log, replay
from sim.history import check_history, normalise
from sim.manifest import Manifest, Milestone
from sim.store import load_log, read_manifest
from tests.builders import make

ROOT = Path(__file__).resolve().parent.parent
HISTORIES = ("baseline", "colombia-2016")
runner = CliRunner()


def sim(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------------------------ sim new


def test_sim_new_writes_a_manifest_an_empty_log_a_sources_folder_and_a_readme(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "armistice"
    code, out, _ = sim("new", str(folder))
    assert code == 0, out
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "events.jsonl",
        "scenario.toml",
        "sources",
    ]
    assert (folder / "events.jsonl").read_bytes() == b""
    manifest = read_manifest(folder)
    assert manifest is not None
    assert manifest.title == "Armistice"
    assert "sim table" in (folder / "README.md").read_text()
    code, out, _ = sim("check", str(folder))
    assert code == 1
    assert "no events yet" in out


def test_sim_new_never_writes_over_a_history(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    code, _, err = sim("new", str(tmp_path / "mine"))
    assert code == 2
    assert "something already exists there" in err
    assert list((tmp_path / "mine").iterdir()) == []
    code, _, err = sim("new", str(tmp_path / "no" / "such"))
    assert code == 2
    assert "does not exist" in err


def test_a_new_history_checks_clean_once_it_has_an_event_that_reaches_its_milestone(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "armistice"
    sim("new", str(folder))
    (folder / "sources" / "record.md").write_text("The North calls the South.\n")
    event = tmp_path / "e.json"
    event.write_text(
        '{"kind": "contact", "id": "call", "at": "2030-01-01T09:00:00+00:00", '
        '"actors": ["north"], "recipients": ["south"], "milestone": "first_contact", '
        '"source": {"document": "record", "quote": "The North calls\\n the South."}}'
    )
    code, out, err = sim("append", str(folder), str(event), "--expect", "0")
    assert code == 0, err
    code, out, _ = sim("check", str(folder))
    assert code == 0, out
    assert out.startswith("ok: 1 events, 1 quotes checked")


# ------------------------------------------------------------------------------------ sim check


@pytest.mark.parametrize("name", HISTORIES)
def test_sim_check_passes_on_both_recorded_histories(name: str) -> None:
    code, out, _ = sim("check", str(ROOT / "scenarios" / name))
    assert code == 0, out
    assert out.startswith("ok: ")


def test_whitespace_is_normalised_no_break_spaces_included() -> None:
    assert normalise("a \u00a0 b\n\tc ") == "a b c"


def _colombia() -> tuple[Log, Manifest]:
    log = load_log(ROOT / "scenarios" / "colombia-2016")
    assert log.manifest is not None
    return log, log.manifest


def _texts() -> dict[str, str | None]:
    return {"facts.md": (ROOT / "scenarios" / "colombia-2016" / "sources" / "facts.md").read_text()}


def _faults(events: tuple[Event, ...], **manifest_changes: Any) -> list[tuple[str, str | None]]:
    manifest = attrs.evolve(_colombia()[1], **manifest_changes)
    found = check_history(replay(events), manifest, _texts(), recorded=events)
    return [(f.rule, f.event) for f in found]


def test_check_finds_each_kind_of_fault() -> None:
    log, manifest = _colombia()
    events = list(log.events)
    index = {e.id: i for i, e in enumerate(events)}
    assert _faults(tuple(events)) == []

    def changed(event_id: str, **fields: Any) -> tuple[Event, ...]:
        edited = list(events)
        edited[index[event_id]] = attrs.evolve(edited[index[event_id]], **fields)
        return tuple(edited)

    plebiscite = events[index["plebiscite"]]
    uncited = changed("plebiscite", source=attrs.evolve(plebiscite.source, document="Reuters"))
    assert _faults(uncited) == [("citation", "plebiscite")]
    misquoted = attrs.evolve(plebiscite.source, quote="voters approve the agreement")
    assert _faults(changed("plebiscite", source=misquoted)) == [("quote", "plebiscite")]
    also = Source(document="facts.md: x", quote="not in the record")
    assert _faults(changed("plebiscite", also=(also,))) == [("quote", "plebiscite")]
    late = Alternative(source=Source(document="Granma"), at=plebiscite.at)
    assert _faults(changed("plebiscite", alternatives=(late,))) == [("citation", "plebiscite")]
    out_of_bounds = changed("plebiscite", latest=plebiscite.at - timedelta(hours=1))
    assert _faults(out_of_bounds) == [("bounds", "plebiscite")]
    early = changed("plebiscite", earliest=plebiscite.at + timedelta(hours=1))
    assert _faults(early) == [("bounds", "plebiscite")]
    stranger = changed("plebiscite", recipients=("venezuela_envoy",))
    assert _faults(stranger) == [("party", "plebiscite")]
    channel = make(
        "channel_opened", "back-channel", 0, actors=("colombia",), name="oslo_line",
        source=Source(document="facts.md"),
    )  # fmt: skip
    via_channel = changed("plebiscite", recipients=("oslo_line",))
    assert _faults((channel, *via_channel)) == []  # a channel opened in the log is no party
    forward = changed("general-agreement", after=("court-upholds",))
    assert ("link", "general-agreement") in _faults(forward)
    extra = Milestone(name="disarmament")
    assert _faults(tuple(events), milestones=(*manifest.milestones, extra)) == [("milestone", None)]
    unreached = attrs.evolve(extra, reached=False)
    assert _faults(tuple(events), milestones=(*manifest.milestones, unreached)) == []
    marked = tuple(
        attrs.evolve(m, reached=False) if m.name == "new_text" else m for m in manifest.milestones
    )
    assert _faults(tuple(events), milestones=marked) == [("milestone", None)]


def test_sim_check_exits_1_naming_each_fault(tmp_path: Path) -> None:
    folder = tmp_path / "colombia"
    shutil.copytree(ROOT / "scenarios" / "colombia-2016", folder)
    log = folder / "events.jsonl"
    log.write_text(log.read_text().replace("voters reject the agreement: No", "voters said No"))
    assert sim("seal", str(folder))[0] == 0
    (folder / "sources" / "facts.md").unlink()
    code, out, _ = sim("check", str(folder))
    assert code == 1
    assert "source 'facts.md': no file sources/facts.md [source-file]" in out
    shutil.copy(ROOT / "scenarios" / "colombia-2016" / "sources" / "facts.md", folder / "sources")
    code, out, _ = sim("check", str(folder), "--json")
    assert code == 1
    assert '"rule": "quote"' in out
    assert '"event": "plebiscite"' in out
    assert '"ok": false' in out


def test_sim_check_of_a_log_without_a_manifest_says_so(tmp_path: Path) -> None:
    from sim.store import write_log

    write_log(tmp_path, [make("contact", "c", 0)])
    code, out, _ = sim("check", str(tmp_path))
    assert code == 1
    assert "no scenario.toml beside events.jsonl" in out


# ------------------------------------------------------------------------------------ sim table


@pytest.mark.parametrize("name", HISTORIES)
def test_the_readme_table_is_the_one_sim_table_prints(name: str) -> None:
    """Each history's README holds its event table exactly as ``sim table`` prints it now."""
    code, table, _ = sim("table", str(ROOT / "scenarios" / name))
    assert code == 0
    assert table.startswith("| # | date | precision | who → whom |")
    readme = (ROOT / "scenarios" / name / "README.md").read_text(encoding="utf-8")
    assert table in readme, f"regenerate the table: sim table scenarios/{name}"
    rows = table.splitlines()[2:]
    assert len(rows) == len(load_log(ROOT / "scenarios" / name).events)
