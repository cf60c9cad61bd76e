"""The import rule of ``docs/architecture.md``: the core imports no edge and no face; an edge
imports no face; nothing but a face imports the ``sim`` package itself (its ``__init__`` gathers
the library's front door, edges included).  Read from the source (``ast``), so an import inside
a function counts as much as one at the top, except the few listed in :data:`HOOKS`, each with
its reason: hooks that hand an object to its renderer when a notebook shows it (or a plot is
asked of it), loaded only then."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).parent.parent / "sim"

CORE = frozenset({
    "_fast", "errors", "text", "times", "events", "parties", "manifest", "codes", "log",
    "state", "rules", "schedule", "fold", "whatif", "sources", "analysis", "history", "graph",
})  # fmt: skip
"""Pure: no I/O, clock, randomness or logging."""
EDGE = frozenset({
    "codec", "files", "lock", "store", "append", "tail", "recovery", "scenario", "scenario_spec",
    "exchange", "logs", "studies",
})  # fmt: skip
"""Reading, writing and running: formats, files, processes."""
FACE = frozenset({"cli", "render"})
"""What people see: commands and renderings."""

_NOTEBOOK = "a notebook display hook (_repr_html_, to_frame): the renderer loads when shown"
HOOKS: dict[tuple[str, str], str] = {
    ("sim.fold", "sim.render.notebook"): _NOTEBOOK,
    ("sim.whatif.derive", "sim.render.notebook"): _NOTEBOOK,
    ("sim.analysis.diff", "sim.render.notebook"): _NOTEBOOK,
    ("sim.studies.results", "sim.render.study"): "a result's plot(): matplotlib loads when asked",
    (
        "sim.whatif",
        "sim.scenario_spec",
    ): "from sim.whatif import parse_scenario goes on working: the scenario-"
    "file names moved to their edge, sim.scenario_spec, loaded from there on first use",
    ("sim.whatif.records", "sim.codec"): "an amend or a record insert is checked by the codec's "
    "converter (dicts in, events out: no I/O) exactly as a log line, with its messages",
}
"""Imports inside a function that reach a layer their module's may not, and why each is one."""


def layer(module: str) -> str:
    """The layer of ``sim.X...`` (by its first component below ``sim``)."""
    top = module.split(".")[1]
    for name, members in (("core", CORE), ("edge", EDGE), ("face", FACE)):
        if top in members:
            return name
    message = f"sim.{top} is in no layer: add it to docs/architecture.md and here"
    raise AssertionError(message)


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SIM.rglob("*.py")):
        parts = path.relative_to(SIM.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != "sim":
            found.append((name, path))
    return found


def imports(path: Path, name: str, *, hooks: bool = True) -> set[str]:
    """The ``sim`` modules ``path`` imports when it runs, relative imports resolved (without
    ``hooks``, not those inside a function that :data:`HOOKS` lists)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # for the type checker alone: never imported when the code runs
        targets = _targets(node, package)
        if not hooks and id(node) in inside:
            targets = {t for t in targets if (name, t) not in HOOKS}
        found |= targets
    return found


def _targets(node: ast.AST, package: str) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name == "sim" or a.name.startswith("sim.")}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:
        base = package.rsplit(".", node.level - 1)[0]
        target = f"{base}.{node.module}" if node.module else base
    else:
        target = node.module or ""
    if target == "sim":  # from sim import x: x may be a module
        return {
            f"sim.{a.name}" if (SIM / a.name).exists() or (SIM / f"{a.name}.py").exists()
            else "sim"
            for a in node.names
        }  # fmt: skip
    return {target} if target.startswith("sim.") else set()


ALLOWED = {"core": {"core"}, "edge": {"core", "edge"}, "face": {"core", "edge", "face"}}


@pytest.mark.parametrize(("name", "path"), modules(), ids=[n for n, _ in modules()])
def test_a_module_imports_only_what_its_layer_may(name: str, path: Path) -> None:
    mine = layer(name)
    wrong = sorted(
        target
        for target in imports(path, name, hooks=False)
        if (target == "sim" and mine != "face")
        or (target != "sim" and layer(target) not in ALLOWED[mine])
    )
    assert not wrong, f"{name} ({mine}) imports {', '.join(wrong)}"


def test_every_module_is_in_a_layer() -> None:
    for name, _path in modules():
        layer(name)


def test_the_rule_catches_a_core_module_importing_a_face(tmp_path: Path) -> None:
    """The checker itself: a core module that imports the CLI is caught."""
    bad = tmp_path / "rules.py"
    bad.write_text("from sim.cli.app import app\nimport sim.render.chart\n", encoding="utf-8")
    found = imports(bad, "sim.rules")
    assert found == {"sim.cli.app", "sim.render.chart"}
    assert {layer(t) for t in found} == {"face"}


def test_each_hook_is_still_there() -> None:
    """A hook the code no longer has is dropped from the list, so the list stays the truth."""
    by_name = dict(modules())
    for module, target in HOOKS:
        assert target in imports(by_name[module], module), f"{module} no longer imports {target}"
