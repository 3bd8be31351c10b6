"""A formula or picture box that also covers lines of prose (a card's heading above its formula, its
paragraph below) gives those lines back as text regions of their own, so no word is lost in a crop.

Rows are peeled from the box's top and from its bottom while they read as prose (words of letters, no
mathematical symbol); the box shrinks to the rows it keeps. A prose row between two rows of the
formula stays in it (it belongs to the display, as "and" or "for all x" do)."""

from __future__ import annotations

from collections.abc import Sequence

from ..document import BBox, LayoutRegion, TextLine
from ..geometry import bbox_union, group_into_rows
from ..labels import Label

FORMULA_PROSE_WORDS = 2  # words of 3+ letters that make a row prose beside a formula
PICTURE_PROSE_WORDS = 5  # a picture's labels are short: only a full line of prose is given back


def visual_rows(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """Rows top to bottom: the text layer's own lines where it says them, else OCR lines by height."""
    if lines and all(ln.style is not None and ln.style.line >= 0 for ln in lines):
        rows: dict[int, list[TextLine]] = {}
        for line in lines:
            assert line.style is not None  # checked for every line just above
            rows.setdefault(line.style.line, []).append(line)
        return sorted(rows.values(), key=lambda row: min(ln.bbox[1] for ln in row))
    return group_into_rows(lines)


def peel_prose(
    region: LayoutRegion, members: list[TextLine], is_prose, min_words: int
) -> tuple[LayoutRegion | None, list[TextLine], list[list[TextLine]]]:
    """(the box shrunk to what it keeps, or None when nothing is left; its lines; the rows given back,
    as groups of adjacent rows: the top run and the bottom run)."""
    rows = visual_rows(members)
    top = 0
    while top < len(rows) and is_prose(rows[top], min_words):
        top += 1
    bottom = len(rows)
    while bottom > top and is_prose(rows[bottom - 1], min_words):
        bottom -= 1
    if top == 0 and bottom == len(rows):
        return region, members, []
    kept = [ln for row in rows[top:bottom] for ln in row]
    given = [[ln for row in run for ln in row] for run in (rows[:top], rows[bottom:]) if run]
    if not kept:
        return None, [], given
    x0, y0, x1, y1 = region.bbox
    inner = bbox_union([ln.bbox for ln in kept])
    pad = 0.25 * max(ln.bbox[3] - ln.bbox[1] for ln in kept)  # the formula's rules and roots reach past its glyphs
    box: BBox = (x0, max(y0, inner[1] - pad) if top else y0, x1, min(y1, inner[3] + pad) if bottom < len(rows) else y1)
    return LayoutRegion(box, region.label, region.native_label, region.score, region.polygon), kept, given


def text_region(lines: list[TextLine], native: str) -> LayoutRegion:
    return LayoutRegion(bbox_union([ln.bbox for ln in lines]), Label.TEXT, native, 0.0)
