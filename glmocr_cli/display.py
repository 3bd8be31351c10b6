"""How a file name (or any text from outside) is shown in a log line or on a terminal.

A name is whatever bytes the file system holds: it may carry escape sequences (clear the screen,
set the window title), a newline that would split one log line in two, or bytes that are not UTF-8
(old zip and Windows archives; Python hands them over as surrogates). `shown` makes every such
character visible as a backslash escape, so a log has one line per event and a terminal only
prints. The name itself is never changed: files are opened by the name the OS gave.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

# Characters that move the cursor, end a line or reorder the text around them (bidi controls).
_INVISIBLE_CATEGORIES = ("Cc", "Zl", "Zp")
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _needs_escape(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def undecodable_as_escapes(text: str) -> str:
    """Bytes that were not UTF-8 (surrogates from the OS) as `\\xff`; the rest unchanged. The
    result can always be encoded (a JSON summary, a UTF-8 terminal)."""
    if text.isascii() or not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte made
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shown(value: str | PurePath | object) -> str:
    """`value` as one printable line: undecodable bytes as `\\xff`, control and bidi characters
    (escape sequences, newlines, tabs) as backslash escapes."""
    text = undecodable_as_escapes(str(value))
    if text.isprintable():
        return text
    return "".join(_escape(char) if _needs_escape(char) else char for char in text)


def shown_lines(text: str) -> str:
    """Several lines (a traceback): each line shown, the line breaks kept."""
    return "\n".join(shown(line) for line in str(text).split("\n"))
