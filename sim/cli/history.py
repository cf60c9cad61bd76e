"""Tools to write a history: ``sim new``, ``sim check`` and ``sim table``."""

import stat
import time
from pathlib import Path
from typing import Annotated

import structlog
import typer

from sim import store
from sim.cli.app import app, command, console, elapsed_ms, print_json
from sim.cli.core import JsonOpt, PathArg
from sim.errors import DAMAGED, SimError
from sim.files import read_regular, stat_path
from sim.fold import Log, replay
from sim.history import README, SCENARIO_TOML, Fault, check_history
from sim.manifest import Manifest
from sim.render.verify import check_data, check_lines

__all__ = ["check_command", "new_command", "table_command"]

MAX_SOURCE = 64 << 20
"""The largest source file ``sim check`` reads (64 MiB)."""


@app.command("new")
@command("new")
def new_command(
    path: Annotated[
        Path, typer.Argument(help="The folder to create for the new history, e.g. scenarios/mine.")
    ],
    json: JsonOpt = False,
) -> None:
    """Start a history: a manifest (scenario.toml), an empty log, a sources folder and a README
    skeleton, in a new folder.

    Example: [bold]sim new scenarios/armistice[/]  (then edit scenario.toml, add events with
    sim append, and run sim check)
    """
    _scaffold(path)
    structlog.get_logger().info("new", path=str(path))
    if json:
        files = ["scenario.toml", "events.jsonl", "sources/README.md", "README.md"]
        print_json({"path": str(path), "files": [str(path / f) for f in files]})
        return
    out = console()
    out.print(f"created {path}: scenario.toml, events.jsonl (empty), sources/, README.md")
    out.print(
        f"next: edit scenario.toml; add events with sim append {path} EVENT.json --expect N; "
        f"then sim check {path}",
        soft_wrap=True,
    )


def _scaffold(path: Path) -> None:
    """Create the new history's folder and files; refuse a path that exists or whose folder
    does not.  (Its file writing belongs beside the templates, in sim.history: left there.)"""
    if stat_path(path, doing="create the history") is not None:
        raise SimError(
            what="something already exists there",
            path=str(path),
            expected="a path that does not exist yet",
            found="a folder" if path.is_dir() else "a file",
            hint="sim new never writes over a history: pick another name",
            code="output-exists",
        )
    parent = path.parent
    info = stat_path(parent, doing="create the history")
    if info is None or not stat.S_ISDIR(info.st_mode):
        raise SimError(
            what="the folder for the history does not exist",
            path=str(parent),
            hint="create the folder first",
            code="no-output-folder",
        )
    name = path.name
    title = name.replace("-", " ").replace("_", " ").capitalize()
    (path / "sources").mkdir(parents=True)
    store.write_file(path / "events.jsonl", b"")
    store.write_file(path / "scenario.toml", SCENARIO_TOML.format(title=title).encode())
    store.write_file(
        path / "README.md", README.format(title=title, path=path, name=name).encode("utf-8")
    )
    store.write_file(
        path / "sources" / "README.md",
        b"# Sources\n\nCopies of the records this history cites, each listed as a [[source]] "
        b"of scenario.toml. Quote them verbatim.\n",
    )


def _texts(folder: Path, manifest: Manifest) -> dict[str, str | None]:
    """Each listed source's file name to its text (``None`` where it is missing)."""
    texts: dict[str, str | None] = {}
    for source in manifest.sources:
        raw = read_regular(
            folder / "sources" / source.file,
            limit=MAX_SOURCE,
            what=f"the source {source.file}",
            missing_ok=True,
        )
        if raw is None:
            texts[source.file] = None
            continue
        try:
            texts[source.file] = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SimError(
                what="a source file that is not UTF-8 text",
                path=str(folder / "sources" / source.file),
                expected="UTF-8 text",
                found=f"byte {raw[exc.start]:#04x} at offset {exc.start}",
                code="invalid-utf8",
            ) from None
    return texts


@app.command("check")
@command("check")
def check_command(path: PathArg, json: JsonOpt = False) -> None:
    """Lint a history (exit 1 on faults): citations name listed sources, quotes are verbatim in
    them, bounds contain each time, links point backwards, actors belong to listed parties,
    every milestone is reached or listed as not reached.

    Example: [bold]sim check scenarios/colombia-2016[/]
    """
    started = time.perf_counter()
    file = store.log_path(path)
    log = _log_to_check(path, file)
    faults = _faults(log, file)
    quotes = sum(
        1
        for e in log.events
        for s in (e.source, *e.also, *(a.source for a in e.alternatives))
        if s.quote
    )
    if json:
        print_json(check_data(str(file), len(log.events), quotes, faults))
    else:
        out = console()
        *found, summary = check_lines(str(file), len(log.events), quotes, faults)
        for line in found:
            out.print(line, markup=False, soft_wrap=True)
        out.print(summary, markup=False)
    structlog.get_logger().info("check", path=str(file), faults=len(faults), ms=elapsed_ms(started))
    if faults:
        raise typer.Exit(DAMAGED)


def _log_to_check(path: Path, file: Path) -> Log:
    """The log to check; an empty one is said so, and exits 1."""
    try:
        return store.load_log(path)
    except SimError as exc:
        if exc.code != "empty-log":
            raise
        console().print(
            f"{file}: no events yet: add them with sim append {path} EVENT.json --expect N [log]",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(DAMAGED) from None


def _faults(log: Log, file: Path) -> list[Fault]:
    """What ``sim check`` finds in ``log`` (read from ``file``), against its manifest."""
    if log.manifest is None:
        text = f"no {store.MANIFEST_NAME} beside {file.name}: start one with sim new"
        return [Fault(rule="manifest", event=None, text=text)]
    texts = _texts(file.parent, log.manifest)
    return check_history(replay(log), log.manifest, texts, recorded=log.events)


@app.command("table")
@command("table")
def table_command(path: PathArg, json: JsonOpt = False) -> None:
    """Print a history's event table, as its README shows it (Markdown, generated from the log).

    Example: [bold]sim table scenarios/baseline[/]
    """
    from sim.manifest import derive
    from sim.render.table import event_table

    log = store.load_log(path)
    manifest = log.manifest or derive(log.events)
    primary = manifest.sources[0].document if manifest.sources else None
    table = event_table(log.events, primary)
    if json:
        lines = table.splitlines()
        print_json({"path": str(store.log_path(path)), "header": lines[:2], "rows": lines[2:]})
    else:
        typer.echo(table, nl=False)
