"""Borderless tables that the layout model boxed as text.

A table without rulings looks like short text to a layout model: its body gets a 'text' box and its
bold header row often a box of its own. The evidence that it is a table is geometric: the region's
pieces of text (words joined across word gaps, or OCR lines) stand in a grid of three or more rows
over three or more shared columns. Such a region becomes a table region, and a one-row text region
right above it whose pieces fall in the same columns joins it as the header.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import LayoutRegion, Task, TextLine
from .table_detect import table_runs
from ..geometry import bbox_union, group_into_rows
from ..labels import Label


def pieces_of(lines: Sequence[TextLine]) -> list[TextLine]:
    """Words joined into the runs a reader sees as one cell: a gap under half the line height is a
    space between words, a wider one separates cells. OCR lines pass through as they are."""
    pieces: list[TextLine] = []
    for row in group_into_rows(lines):
        current = row[0]
        for word in row[1:]:
            height = max(current.bbox[3] - current.bbox[1], word.bbox[3] - word.bbox[1])
            if word.bbox[0] - current.bbox[2] < 0.5 * height:
                current = TextLine(
                    bbox_union([current.bbox, word.bbox]), f"{current.text} {word.text}", min(current.score, word.score)
                )
            else:
                pieces.append(current)
                current = word
        pieces.append(current)
    return pieces


def is_grid(lines: Sequence[TextLine]) -> bool:
    """One grid run holding every row of the region, but perhaps the first: a header that OCR read as
    one line across its cells ("Station Oxygen Nitrate") still heads the grid below it."""
    pieces = pieces_of(lines)
    runs = table_runs(pieces)
    if len(runs) != 1:
        return False
    rows, in_run = group_into_rows(pieces), {id(p) for p in runs[0]}
    outside = [k for k, row in enumerate(rows) if not any(id(p) in in_run for p in row)]
    return outside in ([], [0])


def _header_above(header: Sequence[TextLine], table: Sequence[TextLine]) -> bool:
    """One row of two or more pieces, just above the table, each piece over one of its columns."""
    rows = group_into_rows(pieces_of(header))
    if len(rows) != 1 or len(rows[0]) < 2:
        return False
    body = pieces_of(table)
    top = min(p.bbox[1] for p in body)
    height = max(p.bbox[3] - p.bbox[1] for p in rows[0])
    if not 0 <= top - max(p.bbox[3] for p in rows[0]) < 1.5 * height:
        return False
    # Each header piece over a body column (a header cell may be wider than the column's values).
    return all(any(p.bbox[0] < q.bbox[2] and p.bbox[2] > q.bbox[0] for q in body) for p in rows[0])


def promote_grid_text(found: list[LayoutRegion], tasks: list[Task], members: list[list[TextLine]]) -> None:
    """Turn text regions whose lines stand in a grid into table regions, in place; a header row
    boxed on its own just above joins its table (its region is emptied and dropped)."""
    drop: set[int] = set()
    for i, (region, task, lines) in enumerate(zip(found, tasks, members)):
        if task is not Task.TEXT or region.label not in (Label.TEXT, Label.PARAGRAPH_TITLE) or not is_grid(lines):
            continue
        above = [
            j
            for j, (r, t, m) in enumerate(zip(found, tasks, members))
            if j != i and j not in drop and t is Task.TEXT and m and _header_above(m, lines)
        ]
        if above:
            j = above[0]
            lines = members[j] + lines
            drop.add(j)
        box = bbox_union([region.bbox] + [found[j].bbox for j in above[:1]])
        found[i] = LayoutRegion(box, Label.TABLE, f"{region.native_label}+grid", region.score, None)
        tasks[i], members[i] = Task.TABLE, list(lines)
    for j in sorted(drop, reverse=True):
        del found[j], tasks[j], members[j]
