"""What ``sim verify`` found and repaired, and what ``sim check`` found: as one JSON object,
or as lines for the terminal.

The keys of :func:`verify_data` are a public contract (analysts' scripts read them).  The lines
are :class:`rich.text.Text`, so a path or a fault's words are shown, never obeyed as markup or
as control characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from sim.text import printable

if TYPE_CHECKING:
    from sim.history import Fault
    from sim.recovery import Repair
    from sim.store import VerifyReport

__all__ = ["check_data", "check_lines", "report_data", "verify_data", "verify_lines"]


def report_data(report: VerifyReport) -> dict[str, Any]:
    """One verify report as JSON data."""
    torn = report.torn
    return {
        "path": report.path,
        "ok": report.ok,
        "lines": report.lines,
        "head": report.head,
        "pinned": report.pinned,
        "faults": [{"line": n, "fault": f} for n, f in report.faults],
        "torn": None
        if torn is None
        else {"line": torn.line, "offset": torn.offset, "bytes": torn.size, "found": torn.found},
        "tail_unchecked": report.unchecked,
    }


def verify_data(report: VerifyReport, fixed: Repair | None) -> dict[str, Any]:
    """``sim verify --json``: the report, and with ``--repair`` what the repair did."""
    data = report_data(report)
    if fixed is not None:
        data["repair"] = {
            "repaired": fixed.repaired,
            "backup": fixed.backup,
            "cut_bytes": fixed.cut,
            "after": report_data(fixed.after),
            "removed_backups": list(fixed.removed),
            "refused": fixed.refused,
        }
    return data


def _shown(text: object) -> str:
    return printable(str(text), keep="")


def _report_lines(report: VerifyReport) -> list[Text]:
    status = ("ok", "green") if report.ok else ("DAMAGED", "red")
    if report.ok and report.unchecked is not None:
        status = ("ok as far as it can be checked", "yellow")
    lines = [
        Text.assemble(f"{_shown(report.path)}: {report.lines} lines, ", status),
        Text.assemble(f"head {report.head}"),
    ]
    lines += [Text.assemble(f"  line {number}: {_shown(fault)}") for number, fault in report.faults]
    if report.unchecked is not None:
        lines.append(
            Text.assemble(
                "  ",
                ("end unchecked", "yellow"),
                f": {_shown(report.unchecked)}; pass --head HASH (a head you kept) to check it, "
                "or `sim seal` the log to pin its head as it is now",
            )
        )
    if report.torn is not None and report.only_torn:
        hint = f"  hint: `sim verify --repair {_shown(report.path)}` cuts off the torn line"
        lines.append(Text.assemble(hint))
    return lines


def _repair_lines(fixed: Repair, keep: int) -> list[Text]:
    if fixed.repaired:
        lines = [
            Text.assemble(
                f"repaired: cut {fixed.cut} bytes off the end; the original is kept at "
                f"{_shown(fixed.backup or '')}"
            )
        ]
        if fixed.removed:
            lines.append(
                Text.assemble(
                    f"removed {len(fixed.removed)} older backup(s), keeping the last {keep}: "
                    + ", ".join(_shown(r) for r in fixed.removed)
                )
            )
        return lines + _report_lines(fixed.after)
    if fixed.refused is not None:
        return [
            Text.assemble(
                ("not repaired", "red"), f": {_shown(fixed.refused)}; nothing was changed"
            )
        ]
    if not fixed.before.ok:
        return [
            Text.assemble(
                ("not repaired", "red"),
                ": only a torn last line, as the only fault, is repaired; this log has other "
                "damage, so nothing was changed",
            )
        ]
    return [Text.assemble("nothing to repair")]


def verify_lines(report: VerifyReport, fixed: Repair | None, *, keep: int) -> list[Text]:
    """``sim verify``'s lines: the report, and with ``--repair`` what was done (``keep``: how
    many backups ``--keep-backups`` keeps)."""
    return _report_lines(report) + ([] if fixed is None else _repair_lines(fixed, keep))


def check_data(file: str, events: int, quotes: int, faults: Sequence[Fault]) -> dict[str, Any]:
    """``sim check --json``: the log checked, its quotes, and each fault."""
    return {
        "path": file,
        "events": events,
        "quotes": quotes,
        "ok": not faults,
        "faults": [{"rule": f.rule, "event": f.event, "text": f.text} for f in faults],
    }


def check_lines(file: str, events: int, quotes: int, faults: Sequence[Fault]) -> list[str]:
    """``sim check``'s lines (plain text, not markup): each fault, then the count."""
    lines = [
        f"{file}: {fault.event}: {fault.text} [{fault.rule}]"
        if fault.event
        else f"{file}: {fault.text} [{fault.rule}]"
        for fault in faults
    ]
    if faults:
        return [*lines, f"{len(faults)} fault(s) in {events} events"]
    return [f"ok: {events} events, {quotes} quotes checked against their sources"]
