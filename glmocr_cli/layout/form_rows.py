"""Form rows: a label and the value written beside it are read together, even when the layout
model (or the clustering of stray lines) put the labels in one region and the values in another.

On a scanned form the layout boxes often run down the page: one box holds the labels ("DATE:",
"COUNTRY:"), the box to its right the values. Read box by box, every label comes before every
value and the pairs are lost. Two text regions side by side whose lines share rows, with short
lines on the left (labels, not running text: two columns of prose also share rows), are one
region read row by row ("DATE: March 27, 1984").

A scanned form is often boxed whole as a 'table' (its rulings and boxes look like a grid to the
layout model). When the lines inside show no column structure (at most one row spread over columns
shared with other rows: a label and its value are one OCR line, or a sentence, or a label over a
blank), the cells a table reader would make split labels from values; such a box is text, read row
by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ..document import BBox, LayoutRegion, Region, Task, TextLine
from ..geometry import bbox_union, centre_y
from ..labels import Label, TextSource
from .table_detect import table_shape
from .panels import panel_of

# A label is a few words; running text in a column has more on nearly every line.
MAX_LABEL_WORDS = 4
# A value is a name, a date, an amount; a line of a paragraph holds more words than this.
MAX_VALUE_WORDS = 6
# Captions name a picture, headers and footers run over the page: none of them is a label or a value
# (two captions side by side sit under two columns, which must stay apart).
NOT_FORM_TEXT = {Label.FIGURE_TITLE, Label.HEADER, Label.FOOTER}
# A table has rows spread over two or more of its columns; a form boxed as a table has at most one.
MIN_COLUMN_ROWS = 2


def _height(line: TextLine) -> float:
    return line.bbox[3] - line.bbox[1]


def _on_row(a: TextLine, b: TextLine) -> bool:
    return abs(centre_y(a) - centre_y(b)) < 0.35 * max(_height(a), _height(b))


def _form_texts(regions: Sequence[Region]) -> list[Region]:
    """The OCR-read text regions that may hold a form's labels and values."""
    return [
        r
        for r in regions
        if r.task is Task.TEXT and r.lines and r.text_source == TextSource.OCR and r.label not in NOT_FORM_TEXT
    ]


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _partners(left: Sequence[TextLine], right: Sequence[TextLine]) -> list[TextLine]:
    """The lines of `left` with a line of `right` on their row, starting to their right."""
    found = []
    for a in left:
        for b in right:
            if _on_row(a, b) and b.bbox[0] >= a.bbox[2] - 0.5 * _height(a):
                found.append(a)
                break
    return found


def _partners_right(labels: Sequence[TextLine], right: Sequence[TextLine]) -> list[TextLine]:
    """The lines of `right` on the row of one of the labels."""
    return [b for b in right if any(_on_row(a, b) for a in labels)]


def shares_rows(left: Region, right: Region, min_share: float = 0.5) -> bool:
    """`right` sits beside `left` and its lines continue `left`'s rows as a form's values do."""
    if not left.lines or not right.lines:
        return False
    overlap = min(left.bbox[3], right.bbox[3]) - max(left.bbox[1], right.bbox[1])
    if overlap <= 0 or right.bbox[0] < left.bbox[0]:
        return False
    labels = _partners(left.lines, right.lines)
    if not labels:
        return False
    # Rows must be common to both regions (not one line that happens to level with a paragraph); what
    # stands left of a value on its row is a label, and the values are short, not running text.
    values = _partners_right(labels, right.lines)
    if len({round(centre_y(a)) for a in labels}) < min_share * min(len(left.lines), len(right.lines)):
        return False
    if _median([len(b.text.split()) for b in values]) > MAX_VALUE_WORDS:
        return False  # a paragraph's lines beside a few short ones: a side note, not values
    if _median([len(a.text.split()) for a in labels]) > MAX_LABEL_WORDS:
        return False
    sizes = sorted((_median([_height(ln) for ln in left.lines]), _median([_height(ln) for ln in right.lines])))
    return sizes[1] <= 1.5 * sizes[0]


def join_form_rows(
    regions: list[Region], read_rows: Callable[[Sequence[TextLine]], str], panels: Sequence[BBox] = ()
) -> list[Region]:
    """Merge text regions whose lines stand in the same rows as label and value; the merged region
    is read row by row by `read_rows`. Other regions are returned untouched, in their order. Regions
    in different panels (framed cards side by side) are never label and value."""
    regions = list(regions)
    merged = True
    while merged:
        merged = False
        texts = _form_texts(regions)
        for left in sorted(texts, key=lambda r: r.bbox[0]):
            right = next(
                (
                    r
                    for r in texts
                    if r is not left
                    and shares_rows(left, r)
                    and panel_of(left.bbox, panels) == panel_of(r.bbox, panels)
                ),
                None,
            )
            if right is None:
                continue
            left.lines = left.lines + right.lines
            left.bbox = bbox_union([left.bbox, right.bbox])
            left.label, left.content = Label.TEXT, read_rows(left.lines)
            left.confidence = sum(ln.score for ln in left.lines) / len(left.lines)
            regions = [r for r in regions if r is not right]
            merged = True
            break
    return regions


def has_columns(lines: Sequence[TextLine], min_rows: int = MIN_COLUMN_ROWS) -> bool:
    """Whether the lines stand in columns as a table's do: `min_rows` or more rows hold pieces in two
    or more column ranges shared with other rows (a form's label and value are mostly one OCR line,
    and where they are two, their x-ranges overlap those of other rows' long lines)."""
    return table_shape(lines).multi_piece_rows >= min_rows


def tables_without_columns_as_text(found: list[LayoutRegion], tasks: list[Task], members: list[list[TextLine]]) -> None:
    """In place: a table region over OCR lines with no column structure (a form boxed whole as a
    table) becomes a text region, read row by row so that a label stays with the value beside it."""
    for i, (region, task, lines) in enumerate(zip(found, tasks, members)):
        if task is Task.TABLE and lines and not has_columns(lines):
            found[i] = replace(region, label=Label.TEXT, read_by_rows=True)
            tasks[i] = Task.TEXT


def _value_for(label: TextLine, line: TextLine, page: Sequence[TextLine]) -> bool:
    """`line` is the value written right of `label`: on its row, to its right, nothing between them,
    both short, at one size."""
    if not _on_row(label, line) or line.bbox[0] < label.bbox[2] - 0.5 * _height(label):
        return False
    if len(label.text.split()) > MAX_LABEL_WORDS or len(line.text.split()) > MAX_VALUE_WORDS:
        return False
    if not 0.67 < _height(line) / max(_height(label), 1.0) < 1.5:
        return False
    return not any(
        other is not label
        and other is not line
        and _on_row(label, other)
        and label.bbox[2] <= other.bbox[0] < line.bbox[0]
        for other in page
    )


def _continued(line: TextLine, region: Region, page: Sequence[TextLine]) -> bool:
    """A line of `region` right under or over `line`, overlapping it, with no line of another region
    left of it on its row: `line` is one line of a block (a value written over two lines), not one
    of a column of values each beside its own label."""
    elsewhere = [ln for ln in page if not any(ln is own for own in region.lines)]
    for other in region.lines:
        if other is line or min(other.bbox[2], line.bbox[2]) <= max(other.bbox[0], line.bbox[0]):
            continue
        gap = max(other.bbox[1] - line.bbox[3], line.bbox[1] - other.bbox[3])
        labelled = any(_on_row(a, other) and a.bbox[2] <= other.bbox[0] for a in elsewhere)
        if -_height(line) < gap < _height(line) and not labelled:
            return True
    return False


def _short_lines(region: Region) -> bool:
    """Labels and values, not a paragraph's lines (which a line beside them does not continue)."""
    return _median([len(ln.text.split()) for ln in region.lines]) <= MAX_VALUE_WORDS


def pull_row_values(
    regions: list[Region], read_rows: Callable[[Sequence[TextLine]], str], panels: Sequence[BBox] = ()
) -> list[Region]:
    """A value standing alone right of a label that another region holds (a loose line the layout
    model boxed with other text) joins the label's region, read row by row; a region left empty goes.
    Label and value are short lines at one size with nothing between them on their row, the label's
    region holds short lines (not a paragraph), and the value is not one line of a block (no line of
    its region right above or below it) nor preceded on its row by a line of its own region (its own
    label); a panel's line stays in its panel."""
    texts = _form_texts(regions)
    page = [ln for r in regions for ln in r.lines]
    changed: set[int] = set()
    for source in texts:
        for line in list(source.lines):
            if _continued(line, source, page) or any(
                own is not line and _on_row(own, line) and own.bbox[2] <= line.bbox[0] for own in source.lines
            ):
                continue  # one line of a block, or read after its own region's label
            target = next(
                (
                    r
                    for r in texts
                    if r is not source and r.lines and _short_lines(r)
                    for a in r.lines
                    if _value_for(a, line, page) and panel_of(a.bbox, panels) == panel_of(line.bbox, panels)
                ),
                None,
            )
            if target is None:
                continue
            source.lines = [ln for ln in source.lines if ln is not line]
            target.lines = target.lines + [line]
            changed |= {id(source), id(target)}
    kept = []
    for region in regions:
        if id(region) in changed:
            if not region.lines:
                continue
            region.bbox = bbox_union([ln.bbox for ln in region.lines])
            region.label, region.content = Label.TEXT, read_rows(region.lines)
            region.confidence = sum(ln.score for ln in region.lines) / len(region.lines)
        kept.append(region)
    return kept
