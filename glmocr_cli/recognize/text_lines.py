"""Rows of recognised lines -> text: how a region's lines read as one paragraph."""

from __future__ import annotations

from collections.abc import Sequence

from ..document import TextLine
from ..geometry import group_into_rows


def join_rows(rows: Sequence[Sequence[str]]) -> str:
    """Join rows of words into one paragraph, undoing end-of-line hyphenation."""
    text = ""
    for row in rows:
        piece = " ".join(w.strip() for w in row if w.strip())
        if not piece:
            continue
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and piece[:1].islower():
            text = text[:-1] + piece
        else:
            text = f"{text} {piece}" if text else piece
    return text


def lines_to_paragraph(lines: Sequence[TextLine]) -> str:
    return join_rows([[ln.text for ln in row] for row in group_into_rows(lines)])


def rows_text(lines: Sequence[TextLine]) -> str:
    return "\n".join(" ".join(ln.text for ln in row) for row in group_into_rows(lines))
