"""Tampering: changing, deleting, inserting or reordering any line is caught by ``verify``.

Over generated histories and edits.  A careless editor leaves the old hashes; a careful one
recomputes the edited line's hash, or re-chains the whole log with the library's own code: the
chain catches the first two, the pinned head the third, and a head kept elsewhere (``--head``)
catches it even when the pin beside the log was rewritten too.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.codec import GENESIS, encode_event, line_hash, split_line, stored_line
from sim.events import Event
from sim.store import head_path, verify, write_log
from tests.profiles import budget
from tests.strategies import events, histories, rechained

EDITS = ("change", "delete", "insert", "duplicate", "swap", "move")
CARE = ("keep hashes", "rehash the line", "rechain all")


def _records(lines: list[bytes]) -> list[dict[str, Any]]:
    records = []
    for raw in lines:
        record = orjson.loads(raw)
        del record["hash"]
        records.append(record)
    return records


def _rehash(lines: list[bytes], i: int) -> None:
    """Give line ``i`` the hash its content would have after the stored line before it."""
    previous = GENESIS if i == 0 else orjson.loads(lines[i - 1])["hash"]
    parts = split_line(lines[i])
    content = parts[0] if parts else lines[i]
    lines[i] = stored_line(content, line_hash(previous, content))


def edit(lines: list[bytes], how: str, data: st.DataObject, history: tuple[Event, ...]) -> int:
    """Apply one edit of kind ``how``; return the index of the line that changed."""
    n = len(lines)
    i = data.draw(st.integers(0, n - 1), label="line")
    if how == "change":
        record: dict[str, Any] = orjson.loads(lines[i])
        field = data.draw(st.sampled_from(("summary", "actors", "at", "id")), label="field")
        record[field] = {
            "summary": str(record.get("summary", "")) + "!",
            "actors": [*record.get("actors", []), "us_intruder"],
            "at": "1999-01-01T00:00:00+00:00",
            "id": str(record["id"]) + "_x",
        }[field]
        stored = str(record.pop("hash"))
        lines[i] = stored_line(orjson.dumps(record, option=orjson.OPT_SORT_KEYS), stored)
    elif how == "delete":
        del lines[i]
        return i
    elif how == "insert":
        extra = data.draw(events(ident="intruder", at=history[-1].at), label="event")
        content = orjson.dumps(encode_event(extra), option=orjson.OPT_SORT_KEYS)
        lines.insert(i, stored_line(content, "0" * 64))
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "swap":
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i), label="other")
        lines[i], lines[j] = lines[j], lines[i]
        i = min(i, j)
    else:
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i), label="to")
        lines.insert(j, lines.pop(i))
        i = min(i, j)
    return i


@budget(30)
@given(histories(min_size=2, max_size=12), st.sampled_from(EDITS), st.sampled_from(CARE), st.data())
def test_any_edit_of_a_stored_log_is_caught(
    tmp_path_factory: pytest.TempPathFactory,
    history: tuple[Event, ...],
    how: str,
    care: str,
    data: st.DataObject,
) -> None:
    folder = tmp_path_factory.mktemp("tamper")
    head = write_log(folder, history)
    path = folder / "events.jsonl"
    original = path.read_bytes()
    lines = original.splitlines()
    changed = edit(lines, how, data, history)
    if care == "rehash the line" and changed < len(lines):
        _rehash(lines, changed)
    elif care == "rechain all":
        lines = rechained(_records(lines)).splitlines()
    tampered = b"".join(line + b"\n" for line in lines)
    assert tampered != original
    path.write_bytes(tampered)
    assert not verify(folder).ok
    if care == "rechain all":  # the tamperer rewrites the pin too: only a head kept elsewhere helps
        head_path(path).write_text((orjson.loads(lines[-1])["hash"] if lines else GENESIS) + "\n")
        assert not verify(folder, head=head).ok
