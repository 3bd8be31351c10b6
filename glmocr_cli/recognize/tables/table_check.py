"""Is a predicted table structure consistent with the text it holds?

SLANet can misread a photographed or skewed table: it then puts the lines of several printed rows
into one cell, so that its rows interleave on the page (a line of row 1 lies between two lines that
it assigns to row 3). Such a structure is worse than a plain grid from the text lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...document import TextLine
from .table_slanet import _best_cells


def _cell_rows(tokens: Sequence[str]) -> list[tuple[int, bool]]:
    """Per cell (in token order): its row and whether it spans rows."""
    cells, row, spanning = [], -1, False
    for token in tokens:
        if token == "<tr>":
            row += 1
        if token.startswith("<td"):
            spanning = False
        if "rowspan" in token:
            spanning = True
        if "</td>" in token:
            cells.append((row, spanning))
    return cells


def rows_interleave(
    tokens: Sequence[str],
    cells: np.ndarray,
    lines: Sequence[TextLine],
    origin: tuple[float, float],
    max_share: float = 0.1,
) -> bool:
    """True when more than max_share of the lines sit inside the vertical extent of another row."""
    layout = _cell_rows(tokens)
    if len(lines) < 4 or not len(cells) or len(layout) != len(cells):
        return False
    boxes = np.array(
        [
            [ln.bbox[0] - origin[0], ln.bbox[1] - origin[1], ln.bbox[2] - origin[0], ln.bbox[3] - origin[1]]
            for ln in lines
        ],
        dtype=np.float64,
    )
    rows: dict[int, list[np.ndarray]] = {}
    for box, cell in zip(boxes, _best_cells(boxes, cells.astype(np.float64))):
        row, spanning = layout[cell]
        if not spanning:
            rows.setdefault(row, []).append(box)
    extents = {r: (min(b[1] for b in bs), max(b[3] for b in bs)) for r, bs in rows.items()}
    inside = 0
    for r, bs in rows.items():
        for b in bs:
            centre, half = (b[1] + b[3]) / 2, (b[3] - b[1]) / 2
            if any(o != r and top + half < centre < bottom - half for o, (top, bottom) in extents.items()):
                inside += 1
    return inside > max_share * len(lines)
