"""Reading order for regions without a model that predicts it: recursive XY-cut.

At each level we first look for a vertical gap that splits the regions into columns (left column
read before the right one), and only then for horizontal gaps (bands read top to bottom). A full-
width title above two columns therefore blocks the column split until it has been cut off as its
own band, which is how people read such a page.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import BBox
from .panels import panel_of


def _split(indices: list[int], boxes: Sequence[BBox], axis: int, min_gap: float) -> list[list[int]]:
    """Groups of boxes separated by gaps of at least min_gap along axis (0: x, 1: y)."""
    spans = sorted(indices, key=lambda i: boxes[i][axis])
    groups: list[list[int]] = []
    reach = float("-inf")
    for i in spans:
        start, end = boxes[i][axis], boxes[i][axis + 2]
        if groups and start < reach + min_gap:
            groups[-1].append(i)
        else:
            groups.append([i])
        reach = max(reach, end) if len(groups[-1]) > 1 else end
    return groups


def _gutters(indices: list[int], boxes: Sequence[BBox], gap_x: float) -> list[tuple[float, float]]:
    """The empty vertical strips between the columns of a band."""
    columns = _split(indices, boxes, 0, gap_x)
    return [
        (max(boxes[i][2] for i in left), min(boxes[i][0] for i in right)) for left, right in zip(columns, columns[1:])
    ]


def _merge_column_bands(bands: list[list[int]], boxes: Sequence[BBox], gap_x: float) -> list[list[int]]:
    """Join neighbouring bands that share a column gutter, so that a column is read to its end
    before the next column starts, rather than band by band across the page."""
    merged: list[list[int]] = []
    previous: list[tuple[float, float]] = []
    for band in bands:
        gutters = _gutters(band, boxes, gap_x)
        shared = [
            (max(a0, b0), min(a1, b1)) for a0, a1 in previous for b0, b1 in gutters if min(a1, b1) - max(a0, b0) > 0
        ]
        if merged and shared:
            merged[-1].extend(band)
            previous = shared
        else:
            merged.append(list(band))
            previous = gutters
    return merged


def _xy_cut(indices: list[int], boxes: Sequence[BBox], gap_x: float, gap_y: float) -> list[int]:
    if len(indices) <= 1:
        return list(indices)
    columns = _split(indices, boxes, 0, gap_x)
    if len(columns) > 1:
        return [i for col in columns for i in _xy_cut(col, boxes, gap_x, gap_y)]
    bands = _merge_column_bands(_split(indices, boxes, 1, gap_y), boxes, gap_x)
    if len(bands) > 1:
        return [i for band in bands for i in _xy_cut(band, boxes, gap_x, gap_y)]
    # Overlapping boxes with no clean cut: top-to-bottom, then left-to-right.
    return sorted(indices, key=lambda i: (boxes[i][1], boxes[i][0]))


def text_extent(line_boxes: Sequence[BBox], gutter: float) -> BBox:
    """Where a text region's lines stand, for ordering: their union, less a few lines standing
    apart across a gutter (a stray word of the next column joined to the region) - the x-range its
    lines cover is cut at gaps of `gutter` or more and the stretch holding most lines kept."""
    stretches: list[list[BBox]] = []
    reach = float("-inf")
    for box in sorted(line_boxes, key=lambda b: b[0]):
        if stretches and box[0] < reach + gutter:
            stretches[-1].append(box)
            reach = max(reach, box[2])
        else:
            stretches.append([box])
            reach = box[2]
    main = max(stretches, key=len)
    return (min(b[0] for b in main), min(b[1] for b in main), max(b[2] for b in main), max(b[3] for b in main))


def reading_order(
    boxes: Sequence[BBox], page_width: float, page_height: float, panels: Sequence[BBox] = ()
) -> list[int]:
    """Indices of boxes in reading order. Boxes inside one panel (a card of a grid, a sidebar) are
    read together, the panel standing as one box among the others (layout/panels.py)."""
    # Small tolerances: columns need a real gutter, bands only need not to overlap much.
    gap_x = max(2.0, page_width * 0.004)
    gap_y = -max(2.0, page_height * 0.004)  # negative: boxes touching or barely overlapping still split
    if not panels:
        return _xy_cut(list(range(len(boxes))), boxes, gap_x, gap_y)
    members: dict[int, list[int]] = {}
    units: list[BBox] = []
    unit_of: list[int | None] = []  # the panel each unit stands for (None: a box outside panels)
    for i, box in enumerate(boxes):
        panel = panel_of(box, panels)
        if panel < 0:
            units.append(box)
            unit_of.append(None)
            members[len(units) - 1] = [i]
        elif panel not in unit_of:
            units.append(panels[panel])
            unit_of.append(panel)
            members[len(units) - 1] = [i]
        else:
            members[unit_of.index(panel)].append(i)
    order = []
    for u in _xy_cut(list(range(len(units))), units, gap_x, gap_y):
        inside = members[u]
        order += [inside[k] for k in _xy_cut(list(range(len(inside))), [boxes[i] for i in inside], gap_x, gap_y)]
    return order
