"""`sim append` and `sim verify --repair` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from typer.testing import CliRunner

from sim.cli import app
from sim.codec import encode_event
from sim.store import head_path, load_log
from tests.builders import make

runner = CliRunner()


def event_json(ident: str, day: int, **fields: object) -> bytes:
    return orjson.dumps(encode_event(make("call", ident, day, **fields)))


def test_append_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    (tmp_path / "e0.json").write_bytes(event_json("c0", 0))
    first = runner.invoke(
        app, ["append", str(tmp_path), str(tmp_path / "e0.json"), "--expect", "0"]
    )
    assert first.exit_code == 0, first.output
    assert "appended c0" in first.stdout
    second = runner.invoke(
        app, ["append", str(tmp_path), "-", "--json"], input=event_json("c1", 1, answers=("c0",))
    )
    assert second.exit_code == 0, second.output
    data = json.loads(second.stdout)
    assert {k: data[k] for k in ("id", "line", "events", "written")} == {
        "id": "c1",
        "line": 2,
        "events": 2,
        "written": True,
    }
    assert data["head"] == head_path(tmp_path / "events.jsonl").read_text().strip()
    assert [e.id for e in load_log(tmp_path).events] == ["c0", "c1"]


def test_append_again_says_nothing_was_written(tmp_path: Path) -> None:
    (tmp_path / "e.json").write_bytes(event_json("c0", 0))
    args = ["append", str(tmp_path), str(tmp_path / "e.json"), "--expect", "0"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert "identical: nothing written" in again.stdout
    assert len(load_log(tmp_path).events) == 1


def test_verify_repair_cuts_a_torn_tail_and_keeps_a_backup(tmp_path: Path) -> None:
    for day in range(3):
        (tmp_path / "e.json").write_bytes(event_json(f"c{day}", day))
        runner.invoke(
            app, ["append", str(tmp_path), str(tmp_path / "e.json"), "--expect", str(day)]
        )
    log = tmp_path / "events.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:2]) + lines[2][:50])
    head_path(log).write_text(json.loads(lines[1])["hash"] + "\n")

    damaged = runner.invoke(app, ["verify", str(tmp_path), "--json"])
    assert damaged.exit_code == 1
    torn = json.loads(damaged.stdout)["torn"]
    assert (torn["line"], torn["offset"], torn["bytes"]) == (3, len(lines[0] + lines[1]), 50)

    fixed = runner.invoke(app, ["verify", str(tmp_path), "--repair"])
    assert fixed.exit_code == 0, fixed.output
    assert "repaired: cut 50 bytes" in fixed.stdout
    assert (tmp_path / "events.jsonl.bak-1").read_bytes() == b"".join(lines[:2]) + lines[2][:50]
    assert log.read_bytes() == b"".join(lines[:2])
    assert runner.invoke(app, ["verify", str(tmp_path)]).exit_code == 0
    again = runner.invoke(app, ["verify", str(tmp_path), "--repair", "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["repair"]["repaired"] is False
