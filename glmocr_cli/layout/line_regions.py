"""Text lines -> layout regions, so that nothing on the page is lost and no line is cut.

Layout boxes are coarse: CDLA's text boxes start ~20 px right of the text at 200 DPI, so a line's
first word (or a text-layer word) can fall outside its box. Here each line (an OCR line or a
text-layer line or word: any `TextLine`) goes wholly to one region, regions grow to the lines they
hold, and a line outside every box joins the region it plainly continues (same row, just beside it;
or the next line of a paragraph right under it). What fits nowhere is left for the caller to make
its own paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import BBox, TextLine
from ..geometry import area, bbox_union, group_into_rows, intersection
from .table_words import Word, continues_below


def _height(box: BBox) -> float:
    return box[3] - box[1]


def assign_lines(
    lines: Sequence[TextLine], boxes: Sequence[BBox], min_share: float = 0.5, min_touch: float = 0.1
) -> tuple[list[list[int]], list[int]]:
    """For each box, the indices of the lines it owns; and the lines no box owns.

    A line mostly inside some boxes goes to the smallest of them (a text box nested in a figure box
    takes its lines); a line that only touches boxes goes to the one it overlaps most. A line is
    never split between boxes."""
    owned: list[list[int]] = [[] for _ in boxes]
    leftovers: list[int] = []
    for i, line in enumerate(lines):
        line_area = area(line.bbox) or 1.0
        shares = [intersection(line.bbox, box) / line_area for box in boxes]
        inside = [j for j, share in enumerate(shares) if share >= min_share]
        if inside:
            owned[min(inside, key=lambda j: area(boxes[j]))].append(i)
        elif shares and max(shares) > min_touch:
            owned[max(range(len(boxes)), key=shares.__getitem__)].append(i)
        else:
            leftovers.append(i)
    return owned, leftovers


def _continues_row(line: BBox, member: BBox, max_gap: float) -> bool:
    """Same row (vertical centres within half a line height) and horizontally next to the member."""
    height = max(_height(line), _height(member))
    same_row = abs((line[1] + line[3]) - (member[1] + member[3])) / 2 < 0.5 * height
    gap = max(member[0] - line[2], line[0] - member[2])
    return same_row and gap < max_gap * height


def _continues_column(line: BBox, box: BBox, members: Sequence[BBox]) -> bool:
    """Right above or below the region, starting in its column, at the size of its lines."""
    height = _height(line)
    typical = sorted(_height(m) for m in members)[len(members) // 2]
    similar = 0.7 * typical < height < 1.4 * typical
    gap = max(box[1] - line[3], line[1] - box[3])
    starts_inside = box[0] - height <= line[0] <= box[2] and line[2] <= box[2] + 2 * height
    return similar and gap < 0.8 * typical and starts_inside


def nearest_fitting_region(
    line: TextLine,
    boxes: Sequence[BBox],
    members: Sequence[Sequence[TextLine]],
    accepts: Sequence[bool],
    max_gap: float = 1.5,
) -> int | None:
    """The region a stray line plainly belongs to, or None.

    First a region with a line on the same row right beside it (a first word cut off by the box);
    then a region it continues as the next or previous line of a paragraph."""
    candidates = [j for j, ok in enumerate(accepts) if ok and members[j]]

    def distance(j: int) -> float:
        box = boxes[j]
        dx = max(box[0] - line.bbox[2], line.bbox[0] - box[2], 0.0)
        dy = max(box[1] - line.bbox[3], line.bbox[1] - box[3], 0.0)
        return dx + dy

    on_row = [j for j in candidates if any(_continues_row(line.bbox, m.bbox, max_gap) for m in members[j])]
    if on_row:
        return min(on_row, key=distance)
    below_or_above = [j for j in candidates if _continues_column(line.bbox, boxes[j], [m.bbox for m in members[j]])]
    if below_or_above:
        return min(below_or_above, key=distance)
    return None


def attach_strays(
    strays: Sequence[TextLine], boxes: list[BBox], members: list[list[TextLine]], accepts: Sequence[bool]
) -> list[TextLine]:
    """Give each stray line to the region it fits (growing that region's box and lines); returns the
    lines that fit nowhere. Lines are taken top to bottom so that a run of stray lines under a
    paragraph joins it one after another."""
    left: list[TextLine] = []
    for line in sorted(strays, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        j = nearest_fitting_region(line, boxes, members, accepts)
        if j is None:
            left.append(line)
            continue
        members[j].append(line)
        boxes[j] = bbox_union([boxes[j], line.bbox])
    return left


def grow_to_lines(box: BBox, lines: Sequence[TextLine]) -> BBox:
    """A region's box grown to cover every line it holds, so no line sticks out of its region."""
    return bbox_union([box, *(ln.bbox for ln in lines)]) if lines else box


def attach_rows_to_tables(
    strays: Sequence[TextLine],
    boxes: list[BBox],
    members: list[list[TextLine]],
    is_table: Sequence[bool],
    max_gap: float = 1.5,
) -> list[TextLine]:
    """A table's box often misses its header (or last) row: a stray row of two or more pieces right
    above or below a table, within its width, is that table's row. Rows are taken outward from the
    table, so a header of two rows joins too. Returns the lines that joined no table."""
    left = list(strays)
    changed = True
    while changed and left:
        changed = False
        for row in group_into_rows(left):
            box = bbox_union([ln.bbox for ln in row])
            height = _height(box)
            for j, table in enumerate(is_table):
                target = boxes[j]
                gap = max(target[1] - box[3], box[1] - target[3])
                within = box[0] >= target[0] - 2 * height and box[2] <= target[2] + 2 * height
                if table and len(row) >= 2 and -height < gap < max_gap * height and within:
                    members[j].extend(row)
                    boxes[j] = bbox_union([target, box])
                    left = [ln for ln in left if not any(ln is r for r in row)]
                    changed = True
                    break
            if changed:
                break
    return left


def attach_word_rows_to_tables(
    strays: Sequence[TextLine],
    boxes: list[BBox],
    members: list[list[TextLine]],
    is_table: Sequence[bool],
    max_gap: float = 1.5,
) -> list[TextLine]:
    """attach_rows_to_tables for a text layer's words: a stray row right under a table joins it only
    when its pieces keep to the table's columns, with a number among them (a prose line under a
    table has many words too). Rows are taken downward, so the table's cut-off rows all join."""

    left = list(strays)
    for j, table in enumerate(is_table):
        if not table or not members[j]:
            continue
        cells = [Word(ln.bbox, ln.text) for ln in members[j]]
        for row in sorted(group_into_rows(left), key=lambda r: min(ln.bbox[1] for ln in r)):
            box, target = bbox_union([ln.bbox for ln in row]), boxes[j]
            height = _height(box)
            if not -height < box[1] - target[3] < max_gap * height:
                continue
            if box[0] < target[0] - 2 * height or box[2] > target[2] + 2 * height:
                continue
            if not continues_below(cells, [Word(ln.bbox, ln.text) for ln in row]):
                continue
            members[j].extend(row)
            boxes[j] = bbox_union([target, box])
            left = [ln for ln in left if not any(ln is r for r in row)]
    return left
