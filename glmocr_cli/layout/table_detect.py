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
from .table_words import page_words, side_by_side, stacked, table_boxes
from ..geometry import area, group_into_rows, intersection


@dataclass
class TableShape:
    rows: int  # rows of text
    multi_piece_rows: int  # rows holding pieces in two or more columns
    columns: int  # column ranges shared by the pieces of different rows


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


def looks_like_table(
    lines: Sequence[TextLine], min_rows: int = 3, min_share: float = 0.6, max_words: float = 4.0
) -> bool:
    """Lines standing in a grid: at least three rows, most of them spread over two or more shared
    columns, and short pieces (cells), unlike the long lines of text columns."""
    if len(lines) < 2 * min_rows:
        return False
    words = sorted(len(ln.text.split()) for ln in lines)
    if words[len(words) // 2] > max_words:
        return False
    shape = table_shape(lines)
    return (
        shape.columns >= 2 and shape.multi_piece_rows >= min_rows and shape.multi_piece_rows >= min_share * shape.rows
    )


def _ruled_areas(
    pdf_page, min_rules: int = 3, min_length: float = 0.15, max_gap: float = 150.0
) -> list[tuple[float, float, float, float]]:
    """Areas (PDF points) fenced by three or more long horizontal rules of the same extent, as tables
    are (booktabs: top, middle, bottom). Cheap: the page's vector paths only, no text."""
    width = pdf_page.rect.width
    rules = []
    for path in pdf_page.get_cdrawings():
        for item in path.get("items", ()):
            if item[0] == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                edges = [(x0, y0, x1, y1)]
            elif item[0] == "re":  # a rectangle's top and bottom edges (a thin one is a rule)
                x0, y0, x1, y1 = item[1]
                edges = [(x0, y0, x1, y0), (x0, y1, x1, y1)]
            else:
                continue
            for x0, y0, x1, y1 in edges:
                if abs(y1 - y0) < 1 and abs(x1 - x0) >= min_length * width:
                    rules.append((min(x0, x1), (y0 + y1) / 2, max(x0, x1)))
    # Cells drawn one by one: their edges on one line join into one rule.
    joined: list[list[float]] = []
    for x0, y, x1 in sorted(rules, key=lambda r: (round(r[1]), r[0])):
        last = joined[-1] if joined else None
        if last and abs(last[1] - y) < 1 and x0 <= last[2] + 3:
            last[2] = max(last[2], x1)
        else:
            joined.append([x0, y, x1])
    groups: list[list[list[float]]] = []
    for rule in sorted(joined, key=lambda r: (round(r[0] / 5), round(r[2] / 5), r[1])):
        group = groups[-1] if groups else None
        # Same extent and not far below the last rule of the group (a table's rows are close).
        if (
            group
            and abs(group[0][0] - rule[0]) < 5
            and abs(group[0][2] - rule[2]) < 5
            and 1 < rule[1] - group[-1][1] < max_gap
        ):
            group.append(rule)
        elif not (
            group
            and abs(group[0][0] - rule[0]) < 5
            and abs(group[0][2] - rule[2]) < 5
            and abs(rule[1] - group[-1][1]) <= 1
        ):
            groups.append([rule])
    return [
        (min(r[0] for r in g), min(r[1] for r in g), max(r[2] for r in g), max(r[1] for r in g))
        for g in groups
        if len(g) >= min_rules
    ]


def pdf_tables(
    page: PageImage, known: Sequence[BBox] = (), min_rows: int = 2, min_cols: int = 2, from_words: bool = True
) -> list[BBox]:
    """Boxes (page pixels) of tables that no known table box covers: ruled ones with some text, and
    ones without rulings that the words' alignment shows.

    PyMuPDF's finder reads every character of what it searches (seconds on a busy page, more with
    its layout model), so it runs only, clipped, where rules fence an area no known table covers."""
    import pymupdf

    pdf_page, scale = page.pdf_page, page.px_per_pt
    if pdf_page is None or not scale:
        return []
    to_pixels = pdf_page.rotation_matrix * pymupdf.Matrix(scale, scale)
    areas = []
    for area_pt in _ruled_areas(pdf_page):
        rect = pymupdf.Rect(area_pt) + (-2, -2, 2, 2)
        in_pixels = rect * to_pixels
        areas.append((rect, (in_pixels.x0, in_pixels.y0, in_pixels.x1, in_pixels.y1)))

    def covers(known_box: BBox, box: BBox) -> bool:
        return intersection(box, known_box) > 0.5 * (area(box) or 1.0)

    boxes = []
    for rect, box in areas:
        # A known table over this ruled area alone has it; one over several ruled areas merged them.
        if any(covers(k, box) and sum(covers(k, other) for _, other in areas) == 1 for k in known):
            continue
        try:
            tables = pdf_page.find_tables(clip=rect, use_layout=False).tables
        except Exception:  # the finder can trip on unusual drawings; the layout model's tables remain
            continue
        for table in tables:
            if table.row_count < min_rows or table.col_count < min_cols:
                continue
            filled = sum(1 for row in table.extract() for cell in row if cell and cell.strip())
            if filled < min_rows * min_cols:
                continue
            found = pymupdf.Rect(table.bbox) * to_pixels
            boxes.append((found.x0, found.y0, found.x1, found.y1))
    # Tables without rulings: runs of rows that the words set in columns (a label and numbers); only
    # where the page is read from its text layer (OCR may have turned the image).
    words = page_words(pdf_page, pdf_page.rect * pdf_page.derotation_matrix) if from_words else []
    for upright in table_boxes(words):
        box = (upright[0] * scale, upright[1] * scale, upright[2] * scale, upright[3] * scale)
        if not any(intersection(box, other) > 0.3 * (area(box) or 1.0) for other in [*known, *boxes]):
            boxes.extend(_copies(words, box, scale) or [box])
    # A known table box over copies of one table set side by side: the copies replace it.
    for box in known if words else ():
        boxes.extend(_copies(words, box, scale))
    return boxes


def _copies(words, box: BBox, scale: float) -> list[BBox]:
    """Boxes (page pixels) of the copies of one table inside box, side by side or one under the
    other, or []."""
    x0, y0, x1, y1 = (v / scale for v in box)
    inside = [w for w in words if x0 <= (w.bbox[0] + w.bbox[2]) / 2 <= x1 and y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= y1]
    copies = side_by_side(inside) or stacked(inside)
    return [(a * scale, b * scale, c * scale, d * scale) for a, b, c, d in copies]


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
