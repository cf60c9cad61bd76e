"""``explain`` and ``state`` read at 80 columns: no column squeezed to a letter, no id broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
runner = CliRunner()


def _lines(*args: str) -> list[str]:
    result = runner.invoke(app, [*args, "--width", "80"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    return lines


def _chain(milestone: str) -> list[str]:
    result = runner.invoke(app, ["explain", str(BASELINE), "--milestone", milestone, "--json"])
    return [link["id"] for link in json.loads(result.stdout)["chain"]]


@pytest.mark.parametrize("milestone", ["cabinet_approval", "talks_resumed"])
def test_explain_at_80_columns_shows_every_link_whole(milestone: str) -> None:
    lines = _lines("explain", str(BASELINE), "--milestone", milestone)
    chain = _chain(milestone)
    text = "\n".join(lines)
    for ident in chain:
        assert f"  {ident}  (" in text  # the id whole, on its date's line
    assert len(lines) <= 6 * len(chain) + 6  # a block of a few lines a link, not one a word


def test_state_at_80_columns_lists_offers_and_responses_one_block_each() -> None:
    lines = _lines("state", str(BASELINE), "--at", "2023-11-16")
    text = "\n".join(lines)
    for ident in ("oct24-offer", "biden-conveys-outline", "israel-judges-terms-not-firm"):
        assert f"  {ident} · " in text
    assert "text oct24_women_children · superseded" in text


def test_the_knowledge_view_stacks_its_two_states_at_80_columns() -> None:
    lines = _lines("state", str(BASELINE), "--at", "2023-11-16", "--as-known-by", "hamas")
    heads = ("as known by", "as it was")
    titles = [i for i, line in enumerate(lines) if any(t in line for t in heads)]
    assert len(titles) == 2
    assert titles[0] < titles[1]  # one above the other
    assert "as it was" not in lines[titles[0]]


def test_wide_explain_keeps_its_table() -> None:
    result = runner.invoke(
        app, ["explain", str(BASELINE), "--milestone", "cabinet_approval", "--width", "160"]
    )
    assert "┃ date" in result.stdout
