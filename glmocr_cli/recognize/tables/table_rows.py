"""Rows that a table's rulings do not separate: a ruled row whose cells each stack the same number of
text lines, level with each other ('OTSL' over 'HTML', '0.965' over '0.969'), is that many rows.

PyMuPDF's finder sees cells between rulings only; booktabs-style tables rule groups of rows, not
rows. Cells holding one line (a label for the group) then span the new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...document import BBox
from .table_grid import Cell


@dataclass
class StackedCell:
    bbox: BBox
    lines: list[tuple[BBox, str]]  # the cell's text lines, top to bottom


def _level(a: Sequence[tuple[BBox, str]], b: Sequence[tuple[BBox, str]]) -> bool:
    """Two stacks of lines whose lines sit at the same heights."""
    for (box_a, _), (box_b, _) in zip(a, b):
        height = max(box_a[3] - box_a[1], box_b[3] - box_b[1])
        if abs((box_a[1] + box_a[3]) - (box_b[1] + box_b[3])) / 2 > 0.5 * height:
            return False
    return True


def split_stacked_rows(cells: Sequence[StackedCell]) -> list[Cell]:
    by_band: dict[tuple[int, int], list[StackedCell]] = {}
    for cell in cells:
        by_band.setdefault((round(cell.bbox[1]), round(cell.bbox[3])), []).append(cell)
    out: list[Cell] = []
    for (top, bottom), band in by_band.items():
        # A band that other cells cut (a header whose cells span the ruled sub-rows) is already rows.
        crossed = any(other != (top, bottom) and other[0] < bottom and other[1] > top for other in by_band)
        filled = [c for c in band if c.lines]
        counts = [len(c.lines) for c in filled]
        k = max(counts, default=1)
        stacked = [c for c in filled if len(c.lines) == k]
        single = all(len(c.lines) in (1, k) for c in filled)
        if (
            crossed
            or k < 2
            or len(stacked) < 2
            or 2 * len(stacked) < len(filled)
            or not single
            or not all(_level(stacked[0].lines, c.lines) for c in stacked[1:])
        ):
            out.extend(Cell(c.bbox, " ".join(text for _, text in c.lines)) for c in band)
            continue
        reference = stacked[0].lines
        # Cut between consecutive lines, at the same heights for every cell of the band.
        cuts = (
            [band[0].bbox[1]]
            + [(reference[i][0][3] + reference[i + 1][0][1]) / 2 for i in range(k - 1)]
            + [band[0].bbox[3]]
        )
        for cell in band:
            if len(cell.lines) != k:
                out.append(Cell(cell.bbox, " ".join(text for _, text in cell.lines)))
                continue
            for i, (_, text) in enumerate(cell.lines):
                out.append(Cell((cell.bbox[0], cuts[i], cell.bbox[2], cuts[i + 1]), text))
    return out
