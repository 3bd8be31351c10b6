"""Boxes, rows and blocks of lines: the plane geometry every stage measures pages with."""

from __future__ import annotations

from collections.abc import Sequence

from .document import BBox, TextLine


def area(box: BBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def intersection(a: BBox, b: BBox) -> float:
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def bbox_union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def centre_y(line: TextLine) -> float:
    return (line.bbox[1] + line.bbox[3]) / 2


def group_into_rows(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """Lines whose vertical centres sit within half a line height of each other form one row."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        centre = (line.bbox[1] + line.bbox[3]) / 2
        height = line.bbox[3] - line.bbox[1]
        if rows:
            last = rows[-1][-1]
            last_centre = (last.bbox[1] + last.bbox[3]) / 2
            if abs(centre - last_centre) < 0.5 * max(height, last.bbox[3] - last.bbox[1]):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.bbox[0]) for row in rows]


def split_into_blocks(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """Cluster stray lines (outside every layout region) into paragraph-like blocks."""
    blocks: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        height = line.bbox[3] - line.bbox[1]
        for block in blocks:
            bx0 = min(ln.bbox[0] for ln in block)
            bx1 = max(ln.bbox[2] for ln in block)
            by1 = max(ln.bbox[3] for ln in block)
            overlaps_x = min(bx1, line.bbox[2]) - max(bx0, line.bbox[0]) > 0
            if overlaps_x and -height < line.bbox[1] - by1 < 1.2 * height:
                block.append(line)
                break
        else:
            blocks.append([line])
    return blocks


def rows_to_blocks(lines: Sequence[TextLine], max_gap: float = 1.5) -> list[list[TextLine]]:
    """Rows first, for pages with no layout to speak of (a receipt, a form): a row's pieces belong
    together ('Croissant ... 2.75'); rows closer than max_gap line heights form one block."""
    blocks: list[list[TextLine]] = []
    last_bottom = None
    for row in group_into_rows(lines):
        top = min(ln.bbox[1] for ln in row)
        height = max(ln.bbox[3] - ln.bbox[1] for ln in row)
        if blocks and last_bottom is not None and top - last_bottom < max_gap * height:
            blocks[-1].extend(row)
        else:
            blocks.append(list(row))
        last_bottom = max(ln.bbox[3] for ln in row)
    return blocks
