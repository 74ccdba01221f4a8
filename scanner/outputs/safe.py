"""Making values from the audited platforms inert wherever text leaves the tool.

Names, messages and errors come from repositories, rosters and cloud APIs that an attacker may
control. Each sink has its own dangerous characters:

- terminal / CI log (``one_line``): CR, LF and other line breaks start a new log line, where a
  GitHub runner reads ``::add-mask::`` or ``::error`` as a workflow command; ESC, BEL and the
  other C0/C1 controls drive the terminal (colours, cursor moves, OSC 8 hyperlinks, title).
  They are shown as visible escapes (``\\x1b``, ``\\n``), so the value stays readable and
  every data value stays on the line that a fixed label of ours begins. The runner trims
  leading blanks before it looks for ``::``, so a value that would itself begin a line with
  ``::`` (a table cell, an indented message) gets a backslash in front (``no_command``).
- rich (``markup``): square brackets are Rich markup (``[/x]`` raises, ``[link=...]`` makes a
  live link); ``rich.markup.escape`` on top of ``one_line``.
- spreadsheets (``defuse_formula``): a cell whose first non-blank character is ``= + - @`` (or
  that starts with tab/CR/LF) is run as a formula by Excel, LibreOffice and Sheets; a leading
  apostrophe makes it text. Both CSV outputs (findings and people) use this one helper.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from rich.markup import escape as _rich_escape

# C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides a
# terminal or log viewer may honour (U+2028/2029, U+202A-202E, U+2066-2069).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b"}

_FORMULA_START = ("=", "+", "-", "@")
_BLANK_START = ("\t", "\r", "\n", " ", "\u00a0", "\u3000")


def one_line(value: Any) -> str:
    """``value`` as text on one line with no control characters (visible escapes instead), and
    never starting a workflow command."""
    text = "" if value is None else str(value)
    if CONTROL.search(text):
        text = CONTROL.sub(lambda m: _NAMED.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text)
    return no_command(text)


def no_command(text: str) -> str:
    """``text`` with a backslash before a leading ``::`` (blanks before it count as nothing)."""
    stripped = text.lstrip()
    if stripped.startswith("::"):
        return text[: len(text) - len(stripped)] + "\\" + stripped
    return text


def markup(value: Any) -> str:
    """``value`` safe to embed in a Rich markup string: one line, brackets escaped."""
    return _rich_escape(one_line(value))


def defuse_formula(value: Any) -> str:
    """The cell text, prefixed with ``'`` when a spreadsheet would evaluate it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_BLANK_START) or text.lstrip(" \t\r\n\u00a0\u3000").startswith(_FORMULA_START):
        return "'" + text
    return text


def counted(messages: Iterable[str]) -> list[str]:
    """Messages in first-seen order, each once; a repeated one gets ``(N times)``.

    A source that fails the same way on 300 repositories prints one line, not 300 (every output
    that lists source errors uses this).
    """
    counts: Counter[str] = Counter()
    order: list[str] = []
    for message in messages:
        if message not in counts:
            order.append(message)
        counts[message] += 1
    return [m if counts[m] == 1 else f"{m} ({counts[m]} times)" for m in order]
