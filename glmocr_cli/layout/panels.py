"""Panels: cards, boxes and sidebars a born-digital page draws as frames (stroked or filled
rectangles) set apart from each other, each holding its own text.

A grid of such cards is read card by card (heading, formula, paragraph), never row by row across
the cards, and it is not a table: a table's cells share their rules, cards stand apart with a gap,
and each holds prose rather than a cell's few words. Layout boxes that reach over two cards (a
table box over the grid, one formula box over two formulas on one row) are cut back to the cards.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import BBox, LayoutRegion, PageImage, TextLine
from ..geometry import area, intersection
from ..labels import Label

MIN_WIDTH = 0.15  # of the page's width
MIN_HEIGHT = 0.05  # of the page's height
MIN_GAP_PT = 2.0  # cards stand apart; a table's cell rectangles touch
MIN_WORDS = 8  # a card holds prose, not a cell's few words


def _frames(page: PageImage) -> list[BBox]:
    """Closed rectangular paths of card size, in page pixels (born-digital pages only)."""
    import pymupdf

    pdf_page, scale = page.pdf_page, page.px_per_pt
    if pdf_page is None or not scale:
        return []
    try:
        paths = pdf_page.get_cdrawings()
    except Exception:  # a damaged content stream: no panels
        return []
    width, height = pdf_page.rect.width, pdf_page.rect.height
    frames = []
    for path in paths[:5000]:
        x0, y0, x1, y1 = path.get("rect") or (0, 0, 0, 0)
        w, h = abs(x1 - x0), abs(y1 - y0)
        kinds = {item[0] for item in path.get("items", ())}
        closed = "re" in kinds or "qu" in kinds or path.get("closePath")
        if not closed or w < MIN_WIDTH * width or h < MIN_HEIGHT * height or (w > 0.95 * width and h > 0.95 * height):
            continue
        rect = pymupdf.Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)) * pdf_page.rotation_matrix
        frames.append((rect.x0 * scale, rect.y0 * scale, rect.x1 * scale, rect.y1 * scale))
    return frames


def _apart(a: BBox, b: BBox, gap: float) -> bool:
    return a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]


def find_panels(page: PageImage, lines: Sequence[TextLine]) -> list[BBox]:
    """The page's panels (page pixels): two or more frames, none inside another, each apart from
    the others and holding prose; [] when the page has no such set."""
    frames = list(dict.fromkeys(_frames(page)))
    # A frame around other frames (a page border, a box around a grid of cards) is not a card.
    inner = [f for f in frames if not any(g != f and intersection(g, f) >= 0.95 * area(g) for g in frames)]
    gap = MIN_GAP_PT * (page.px_per_pt or 1.0)
    panels = []
    for frame in inner:
        words = sum(len(ln.text.split()) for ln in lines if intersection(ln.bbox, frame) > 0.5 * (area(ln.bbox) or 1.0))
        if words >= MIN_WORDS and all(_apart(frame, other, gap) for other in inner if other != frame):
            panels.append(frame)
    return panels if len(panels) >= 2 else []


def fit_to_panels(found: list[LayoutRegion], panels: Sequence[BBox]) -> list[LayoutRegion]:
    """A table box over two or more panels goes (the panels' own boxes read them); any other box
    over two or more panels is cut into its part inside each panel."""
    if not panels:
        return found
    kept = []
    for region in found:
        inside = [
            p
            for p in panels
            if intersection(region.bbox, p) > 0.1 * (area(p) or 1.0)
            or intersection(region.bbox, p) > 0.3 * (area(region.bbox) or 1.0)
        ]
        if len(inside) < 2:
            kept.append(region)
            continue
        if region.label == Label.TABLE:
            continue
        for panel in inside:
            part = (
                max(region.bbox[0], panel[0]),
                max(region.bbox[1], panel[1]),
                min(region.bbox[2], panel[2]),
                min(region.bbox[3], panel[3]),
            )
            kept.append(LayoutRegion(part, region.label, region.native_label, region.score))
    return kept


def panel_of(box: BBox, panels: Sequence[BBox]) -> int:
    """The index of the panel holding the box's centre; -1 outside every panel."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return next((k for k, p in enumerate(panels) if p[0] <= cx <= p[2] and p[1] <= cy <= p[3]), -1)


def split_by_panels(blocks: list[list[TextLine]], panels: Sequence[BBox]) -> list[list[TextLine]]:
    """Blocks of loose lines never reach across panels: a block's lines are parted by the panel
    holding each (a row of card headings read by OCR becomes one block per card)."""
    if not panels:
        return blocks

    parted: list[list[TextLine]] = []
    for block in blocks:
        groups: dict[int, list[TextLine]] = {}
        for line in block:
            groups.setdefault(panel_of(line.bbox, panels), []).append(line)
        parted.extend(groups.values())
    return parted
