"""Cells on a grid -> HTML with rowspan/colspan, and a grid from text boxes when nothing better exists."""

from __future__ import annotations

import html
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from ...document import BBox, TextLine
from ...geometry import group_into_rows


@dataclass
class Cell:
    bbox: BBox
    text: str


def _snap(values: list[float], tolerance: float) -> list[float]:
    """Distinct boundaries: values closer than tolerance collapse into one."""
    snapped: list[float] = []
    for value in sorted(values):
        if not snapped or value - snapped[-1] > tolerance:
            snapped.append(value)
    return snapped


def _index(bounds: list[float], value: float) -> int:
    i = bisect_left(bounds, value)
    if i == len(bounds) or (i > 0 and value - bounds[i - 1] < bounds[i] - value):
        i -= 1
    return i


def cells_to_html(cells: Sequence[Cell], tolerance: float = 3.0) -> str:
    """Place cells on the grid their edges define; a cell over several grid steps gets spans."""
    if not cells:
        return "<table></table>"
    xs = _snap([v for c in cells for v in (c.bbox[0], c.bbox[2])], tolerance)
    ys = _snap([v for c in cells for v in (c.bbox[1], c.bbox[3])], tolerance)
    placed: dict[tuple[int, int], tuple[Cell, int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for cell in sorted(cells, key=lambda c: (c.bbox[1], c.bbox[0])):
        r0, r1 = _index(ys, cell.bbox[1]), _index(ys, cell.bbox[3])
        c0, c1 = _index(xs, cell.bbox[0]), _index(xs, cell.bbox[2])
        if (r0, c0) in covered or r1 <= r0 or c1 <= c0:
            continue
        placed[(r0, c0)] = (cell, r1 - r0, c1 - c0)
        covered.update((r, c) for r in range(r0, r1) for c in range(c0, c1))
    rows = []
    for r in range(len(ys) - 1):
        tds = []
        for c in range(len(xs) - 1):
            if (r, c) in placed:
                cell, rowspan, colspan = placed[(r, c)]
                spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                    f' colspan="{colspan}"' if colspan > 1 else ""
                )
                tds.append(f"<td{spans}>{html.escape(cell.text)}</td>")
            elif (r, c) not in covered:
                tds.append("<td></td>")
        if tds:
            rows.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def grid_from_lines(lines: Sequence[TextLine]) -> str:
    """A table from text boxes alone: rows are lines of text, columns are the x-ranges that the
    boxes of all rows occupy; a box over several column ranges spans them."""
    if not lines:
        return "<table></table>"
    rows = group_into_rows(lines)
    # Column ranges: union of overlapping x-intervals of single boxes, from rows with the most boxes
    # (spanning header cells would otherwise glue columns together).
    widest = max(len(row) for row in rows)
    intervals = sorted(
        (ln.bbox[0], ln.bbox[2]) for row in rows if len(row) >= max(2, widest - 1) for ln in row
    ) or sorted((ln.bbox[0], ln.bbox[2]) for ln in lines)
    columns: list[list[float]] = []
    for x0, x1 in intervals:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    body = []
    for row in rows:
        cells: dict[int, list[str]] = {}
        spans: dict[int, int] = {}
        for line in row:
            hit = [k for k, (a, b) in enumerate(columns) if min(b, line.bbox[2]) - max(a, line.bbox[0]) > 0]
            if not hit:  # between columns: nearest one
                centre = (line.bbox[0] + line.bbox[2]) / 2
                hit = [min(range(len(columns)), key=lambda k: abs((columns[k][0] + columns[k][1]) / 2 - centre))]
            start = hit[0]
            cells.setdefault(start, []).append(line.text)
            spans[start] = max(spans.get(start, 1), hit[-1] - start + 1)
        tds, k = [], 0
        while k < len(columns):
            if k in cells:
                span = spans[k]
                tds.append(
                    f"<td{f' colspan={chr(34)}{span}{chr(34)}' if span > 1 else ''}>{html.escape(' '.join(cells[k]))}</td>"
                )
                k += span
            else:
                tds.append("<td></td>")
                k += 1
        body.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>" + "".join(body) + "</table>"
