"""Text that is safe to show: control characters made visible, look-alike letters told apart.

Logs, scenario files and paths are the user's (or anyone's) text.  A terminal obeys the control
characters in what it prints (ESC starts a command that can recolour, move the cursor, retitle
the window or hide the rest of a line; bidirectional overrides reorder what is shown), so every
string that reaches a terminal passes :func:`printable` first.  Two ids may also differ only in
script (a Cyrillic ``\u0435`` for a Latin ``e``) and look identical: :func:`lookalike_note`
names the code points where they differ.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Final

__all__ = ["UNSAFE", "lookalike_note", "printable", "unsafe_char"]

UNSAFE: Final = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # Cc: C0 and C1 controls, DEL
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"  # Cf
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"  # Cf, Zl, Zp: zero width, bidi
    "\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "]"
)
"""The characters a terminal may obey or hide rather than show: Unicode's control (Cc) and
format (Cf) characters and the line and paragraph separators (Zl, Zp)."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str, *, keep: str = "\n\t") -> str:
    """``text`` with each character of :data:`UNSAFE` (but those in ``keep``) written as an
    escape such as ``\\x1b`` or ``\\u202e``, so that it is shown rather than obeyed."""
    if not UNSAFE.search(text):
        return text
    if not keep:
        return UNSAFE.sub(_escape, text)
    return UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


def unsafe_char(text: str) -> str | None:
    """The first character of :data:`UNSAFE` in ``text``, escaped, or ``None``."""
    found = UNSAFE.search(text)
    return None if found is None else _escape(found)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def lookalike_note(typed: str, suggested: str) -> str:
    """Where ``suggested`` differs from ``typed`` by letters outside ASCII, their code points
    (``""`` when no such letter differs): a Cyrillic ``\u0435`` and a Latin ``e`` look the same."""
    notes: list[str] = []
    matcher = difflib.SequenceMatcher(a=typed, b=suggested, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "replace" or a1 - a0 != b1 - b0:
            continue
        for mine, theirs in zip(typed[a0:a1], suggested[b0:b1], strict=True):
            if mine.isascii() and theirs.isascii():
                continue
            notes.append(f"{_describe(theirs)} where yours has {_describe(mine)}")
    return ("; ".join(notes[:3])) if notes else ""
