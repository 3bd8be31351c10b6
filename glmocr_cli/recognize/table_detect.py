"""Tables the layout model misses: from text alignment (any page) and from PDF rulings (born-digital).

A cropped table or a screenshot of one often gets no layout box at all, or a 'figure' box; a table
on a born-digital page can be missed too. Two kinds of evidence find them:
- OCR or text-layer lines that stand in aligned columns: most rows hold several short pieces, and
  the pieces of different rows share column ranges (a paragraph has one piece per row; a two-column
  page has long pieces);
- PyMuPDF's table finder on the page's vector rulings.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..document import BBox, PageImage, TextLine
from .text_lines import group_into_rows


@dataclass
class TableShape:
    rows: int               # rows of text
    multi_piece_rows: int   # rows holding pieces in two or more columns
    columns: int            # column ranges shared by the pieces of different rows


def _column_ranges(rows: Sequence[Sequence[TextLine]]) -> list[tuple[float, float]]:
    """Merge the x-ranges of all pieces: what stays apart are the table's columns (a cell spanning
    columns would merge them, so spanning pieces, wider than most, are left out)."""
    pieces = [ln.bbox for row in rows for ln in row]
    widths = sorted(b[2] - b[0] for b in pieces)
    wide = 3 * widths[len(widths) // 2]
    ranges: list[list[float]] = []
    for x0, _, x1, _ in sorted((b for b in pieces if b[2] - b[0] <= wide), key=lambda b: b[0]):
        if ranges and x0 <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], x1)
        else:
            ranges.append([x0, x1])
    return [(a, b) for a, b in ranges]


def table_shape(lines: Sequence[TextLine]) -> TableShape:
    rows = group_into_rows(lines)
    if not rows:
        return TableShape(0, 0, 0)
    columns = _column_ranges(rows)

    def columns_used(row: Sequence[TextLine]) -> int:
        return len({k for ln in row for k, (a, b) in enumerate(columns) if ln.bbox[0] < b and ln.bbox[2] > a})

    return TableShape(len(rows), sum(1 for row in rows if len(row) >= 2 and columns_used(row) >= 2), len(columns))


def looks_like_table(lines: Sequence[TextLine], min_rows: int = 3, min_share: float = 0.6,
                     max_words: float = 4.0) -> bool:
    """Lines standing in a grid: at least three rows, most of them spread over two or more shared
    columns, and short pieces (cells), unlike the long lines of text columns."""
    if len(lines) < 2 * min_rows:
        return False
    words = sorted(len(ln.text.split()) for ln in lines)
    if words[len(words) // 2] > max_words:
        return False
    shape = table_shape(lines)
    return (shape.columns >= 2 and shape.multi_piece_rows >= min_rows
            and shape.multi_piece_rows >= min_share * shape.rows)


def pdf_tables(page: PageImage, min_rows: int = 2, min_cols: int = 2) -> list[BBox]:
    """Boxes (page pixels) of the tables PyMuPDF finds from the page's rulings, each with some text."""
    import pymupdf

    pdf_page, scale = page.pdf_page, page.px_per_pt
    if pdf_page is None or not scale:
        return []
    try:
        tables = pdf_page.find_tables().tables
    except Exception:  # the finder can trip on unusual drawings; the layout model's tables remain
        return []
    to_pixels = pdf_page.rotation_matrix * pymupdf.Matrix(scale, scale)
    boxes = []
    for table in tables:
        if table.row_count < min_rows or table.col_count < min_cols:
            continue
        filled = sum(1 for row in table.extract() for cell in row if cell and cell.strip())
        if filled < min_rows * min_cols:
            continue
        rect = pymupdf.Rect(table.bbox) * to_pixels
        boxes.append((rect.x0, rect.y0, rect.x1, rect.y1))
    return boxes


def table_runs(lines: Sequence[TextLine], min_rows: int = 3, min_wide_rows: int = 2) -> list[list[TextLine]]:
    """Tables inside a page of loose lines (a bill between the letter and the payment slip): runs of
    consecutive rows that each hold two or more pieces, close together, standing in a grid, with at
    least two rows spread over three or more columns (two side-by-side address blocks are not a table)."""
    rows = group_into_rows(lines)
    runs: list[list[list[TextLine]]] = []
    for row in rows:
        top = min(ln.bbox[1] for ln in row)
        height = max(ln.bbox[3] - ln.bbox[1] for ln in row)
        previous = runs[-1][-1] if runs else None
        close = previous is not None and top - max(ln.bbox[3] for ln in previous) < 1.5 * height
        if len(row) >= 2 and close and len(previous) >= 2:
            runs[-1].append(row)
        else:
            runs.append([row])
    found = []
    for run in runs:
        members = [ln for row in run for ln in row]
        if len(run) < min_rows or not looks_like_table(members, min_rows=min_rows):
            continue
        columns = _column_ranges(run)

        def used(row: Sequence[TextLine]) -> int:
            return len({k for ln in row for k, (a, b) in enumerate(columns) if ln.bbox[0] < b and ln.bbox[2] > a})

        if sum(1 for row in run if used(row) >= 3) >= min_wide_rows:
            found.append(members)
    return found
