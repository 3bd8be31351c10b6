"""A table's HTML from its words (born-digital pages): the word grid (layout/table_words.py), wrapped
rows and header tiers joined (table_word_rows.py), the rulings drawn across it, then the cells."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ...layout.table_words import WordCell, grid_rows, page_words
from .table_word_rows import fold_lone_columns, header_tiers, join_wrapped


def cells_html(rows: Sequence[dict[int, WordCell]]) -> str:
    """Rows of cells as an HTML table with spans; grid positions no cell covers are empty cells."""
    if not rows or not any(rows):
        return "<table></table>"
    n_cols = max(c.col + c.colspan for row in rows for c in row.values())
    covered: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        tds = []
        for k in range(n_cols):
            if (r, k) in covered:
                continue
            cell = row.get(k)
            if cell is None:
                tds.append("<td></td>")
                continue
            span = min(cell.colspan, n_cols - k)
            covered.update((r + i, k + j) for i in range(cell.rowspan) for j in range(span))
            attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{span}"' if span > 1 else ""
            )
            tds.append(f"<td{attrs}>{html.escape(cell.text)}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>" + "".join(out) + "</table>"


def horizontal_rules(pdf_page, clip, min_share: float = 0.5) -> list[float]:
    """y of horizontal rulings inside clip (PDF points, unrotated) across at least min_share of its
    width: drawn lines, and thin rectangles (rules drawn as bars); in the upright page's frame."""
    import pymupdf

    turn = pdf_page.rotation_matrix
    frame = clip * turn
    ys = []
    for path in pdf_page.get_cdrawings():
        for item in path.get("items", ()):
            if item[0] == "l":
                box = pymupdf.Rect(pymupdf.Point(item[1]) * turn, pymupdf.Point(item[2]) * turn).normalize()
            elif item[0] == "re":
                box = pymupdf.Rect(item[1]) * turn
            else:
                continue
            y = (box.y0 + box.y1) / 2
            if box.height >= 2 or not frame.y0 <= y <= frame.y1:
                continue
            if min(box.x1, frame.x1) - max(box.x0, frame.x0) >= min_share * frame.width:
                ys.append(y)
    return sorted(ys)


def words_table_html(pdf_page, clip) -> str | None:
    """The table inside clip (PDF points) from its words, wrapped lines and header tiers joined."""
    rows = fold_lone_columns(grid_rows(page_words(pdf_page, clip)))
    if not rows:
        return None
    return cells_html(header_tiers(join_wrapped(rows, horizontal_rules(pdf_page, clip))))
