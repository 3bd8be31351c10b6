"""Right-to-left text: lines of a row read right to left, table cells in logical order.

Recognisers return each line's characters in logical (reading) order already; what remains is the
order of boxes: pieces of one row read from the right, and a table's first column is its rightmost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ...document import TextLine
from ...scripts import dominant_script
from ...geometry import group_into_rows
from ..text_lines import join_rows

RTL_SCRIPTS = frozenset({"arabic", "hebrew"})


def is_rtl(text: str) -> bool:
    return dominant_script(text) in RTL_SCRIPTS


def rtl_paragraph(lines: Sequence[TextLine]) -> str:
    """Rows top to bottom, the pieces of each row from right to left."""
    rows = group_into_rows(lines)
    return join_rows([[ln.text for ln in sorted(row, key=lambda ln: -ln.bbox[2])] for row in rows])


def read_lines(lines: Sequence[TextLine], ltr_reader: Callable[[Sequence[TextLine]], str]) -> str:
    if lines and is_rtl(" ".join(ln.text for ln in lines)):
        return rtl_paragraph(lines)
    return ltr_reader(lines)


_ROW = re.compile(r"(<tr[^>]*>)(.*?)(</tr>)", re.S)
_CELL = re.compile(r"<t[dh][^>]*>.*?</t[dh]>", re.S)


def rtl_table(table_html: str, lines: Sequence[TextLine]) -> str:
    """A table whose text is right-to-left: each row's cells reversed (the rightmost is the first,
    which also holds with row spans: a row lists only the cells that start in it) and dir="rtl",
    so HTML shows the page's layout and Markdown readers get the cells in reading order."""
    if not table_html or not is_rtl(re.sub(r"<[^>]+>", " ", table_html)):
        return table_html

    def reverse(row: re.Match) -> str:
        cells = _CELL.findall(row.group(2))
        return row.group(1) + "".join(reversed(cells)) + row.group(3) if cells else row.group(0)

    flipped = _ROW.sub(reverse, table_html)
    return re.sub(r"<table(?![^>]*\bdir=)", '<table dir="rtl"', flipped, count=1)
