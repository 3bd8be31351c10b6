"""Columns of text found from the lines alone, for pages where the layout model gives no regions.

A newspaper page must not be read row by row across its columns. Columns show as x-ranges that the
page's lines fill, apart from each other by an empty gutter, each holding lines of running text
(several words each: a receipt's price column or a form's labels are not text columns). Lines that
run across the gutters (a headline over the columns) are kept apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import TextLine
from ..geometry import centre_y


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _split_at_gutters(lines: Sequence[TextLine], gutter: float) -> list[list[TextLine]]:
    """Lines sorted by their left edge, grouped where an x-range at least `gutter` wide is crossed
    by none of them."""
    columns: list[list[TextLine]] = []
    reach = float("-inf")
    for line in lines:
        if columns and line.bbox[0] < reach + gutter:
            columns[-1].append(line)
            reach = max(reach, line.bbox[2])
        else:
            columns.append([line])
            reach = line.bbox[2]
    return columns


def text_columns(
    lines: Sequence[TextLine], min_lines: int = 3, min_words: float = 3.0, spanning: float = 0.6
) -> list[list[TextLine]] | None:
    """The lines split into groups: those running across columns first (if any), then each column
    left to right; None when the lines do not stand in two or more text columns."""
    if len(lines) < 2 * min_lines:
        return None
    left, right = min(ln.bbox[0] for ln in lines), max(ln.bbox[2] for ln in lines)
    width = right - left or 1.0
    gutter = 0.5 * _median([ln.bbox[3] - ln.bbox[1] for ln in lines])
    across = [ln for ln in lines if ln.bbox[2] - ln.bbox[0] > spanning * width]
    inside = sorted((ln for ln in lines if ln.bbox[2] - ln.bbox[0] <= spanning * width), key=lambda ln: ln.bbox[0])
    columns = _split_at_gutters(inside, gutter)
    # A column that is only a few lines wide of something else (a stray number) does not count.
    real = [col for col in columns if len(col) >= min_lines]
    if len(real) < 2:
        return None
    for col in real:
        col_width = max(ln.bbox[2] for ln in col) - min(ln.bbox[0] for ln in col)
        if col_width < 0.15 * width or _median([len(ln.text.split()) for ln in col]) < min_words:
            return None
    # Lines across a gutter (a headline) must not cross the body of the columns: they sit above or
    # below, so they are their own group.
    small = [ln for col in columns if len(col) < min_lines for ln in col]
    groups = [across] if across else []
    groups += [col + [ln for ln in small if _nearest(ln, real) is col] for col in real]
    return groups


def _nearest(line: TextLine, columns: list[list[TextLine]]) -> list[TextLine]:
    centre = (line.bbox[0] + line.bbox[2]) / 2

    def distance(col: list[TextLine]) -> float:
        x0, x1 = min(ln.bbox[0] for ln in col), max(ln.bbox[2] for ln in col)
        return 0.0 if x0 <= centre <= x1 else min(abs(centre - x0), abs(centre - x1))

    return min(columns, key=distance)


def side_by_side(
    lines: Sequence[TextLine], min_lines: int = 2, aligned_share: float = 0.8
) -> list[list[TextLine]] | None:
    """Columns inside one layout box (a payment slip's receipt part beside its payment part), left to
    right; None when the lines are not side by side. A gutter is an x-range no line crosses, at least
    a line height wide. Two or more columns must hold several lines; columns whose lines mostly share
    rows are the rows of a table or form ("Item ... 2.75"), read row by row instead."""
    if len(lines) < 2 * min_lines:
        return None
    height = _median([ln.bbox[3] - ln.bbox[1] for ln in lines])
    columns = _split_at_gutters(sorted(lines, key=lambda ln: ln.bbox[0]), height)
    real = [col for col in columns if len(col) >= min_lines]
    if len(real) < 2:
        return None
    for left, right in zip(real, real[1:]):
        small, other = (left, right) if len(left) <= len(right) else (right, left)
        if _level_share(small, other, 0.3 * height) < aligned_share:
            continue  # rows do not line up: separate columns
        # Rows that line up by chance (two blocks of similar line pitch) are still two blocks when
        # they are set in different sizes and line up only roughly; a table's rows share a size.
        sizes = sorted(_median([ln.bbox[3] - ln.bbox[1] for ln in col]) for col in (left, right))
        if sizes[1] <= 1.12 * sizes[0] or _level_share(small, other, 0.1 * height) >= 0.5:
            return None
    return columns


def _level_share(lines: Sequence[TextLine], others: Sequence[TextLine], tolerance: float) -> float:
    """Share of lines with a line of the other column on their row (centres within tolerance)."""
    return sum(any(abs(centre_y(a) - centre_y(b)) < tolerance for b in others) for a in lines) / len(lines)
