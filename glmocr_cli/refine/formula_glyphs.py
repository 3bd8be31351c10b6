"""The glyphs and vector rules a PDF page draws inside a formula's box, read from PyMuPDF's rawdict and
drawings: what refine/formula_latex.py builds LaTeX from. Points, page unrotated.

A formula split across layout boxes (the detector cut `L(t + n) = ...` into a "title" and a formula) is
one formula: its extent grows along its own row to the glyphs set close beside it, and over and under
a fraction rule to the numerator and denominator, so later steps see it whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf

Box = tuple[float, float, float, float]


class Centred:
    """The centre of a `box` (glyphs and the items built from them are placed by it)."""

    box: Box

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True)
class Glyph(Centred):
    char: str
    box: Box  # the glyph's cell (font ascender to descender)
    origin: tuple[float, float]  # pen position: x, baseline y
    size: float  # font size in points
    font: str


@dataclass(frozen=True)
class Rule:
    """A horizontal stroke: a fraction bar, a root's overbar or an overline."""

    x0: float
    x1: float
    y: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class PageMath:
    """All glyphs and horizontal rules of one page (read once, asked per formula)."""

    glyphs: list[Glyph]
    rules: list[Rule]


def read_page_math(page: pymupdf.Page) -> PageMath:
    glyphs: list[Glyph] = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)
    for block in raw["blocks"]:
        for line in block.get("lines", []):
            if abs(line.get("dir", (1, 0))[1]) > 0.1:
                continue  # rotated text is never part of a display formula here
            for span in line["spans"]:
                for char in span["chars"]:
                    if char["c"].strip():
                        glyphs.append(
                            Glyph(char["c"], tuple(char["bbox"]), tuple(char["origin"]), span["size"], span["font"])
                        )
    rules: list[Rule] = []
    try:
        paths = page.get_cdrawings()
    except Exception:  # noqa: BLE001 - a damaged content stream: the glyphs alone still say a one-line formula
        paths = []
    for path in paths[:5000]:
        x0, y0, x1, y1 = path.get("rect") or (0, 0, 0, 0)
        if abs(y1 - y0) <= 1.6 and abs(x1 - x0) >= 2.5:
            rules.append(Rule(min(x0, x1), max(x0, x1), (y0 + y1) / 2))
    return PageMath(glyphs, rules)


def _overlaps_rows(glyph: Glyph, y0: float, y1: float) -> bool:
    return min(glyph.box[3], y1) - max(glyph.box[1], y0) > 0.5 * (glyph.box[3] - glyph.box[1])


def formula_extent(math: PageMath, box: Box, gap_em: float = 1.2) -> Box | None:
    """The formula whose box is `box`, grown to the glyphs set within `gap_em` font sizes beside it on
    its rows and to the numerators/denominators of the fraction rules inside it; None when no glyph."""
    x0, y0, x1, y1 = box
    inside = [g for g in math.glyphs if x0 <= g.cx <= x1 and y0 <= g.cy <= y1]
    if not inside:
        return None
    x0, y0 = min(g.box[0] for g in inside), min(g.box[1] for g in inside)
    x1, y1 = max(g.box[2] for g in inside), max(g.box[3] for g in inside)
    for _ in range(8):
        grown = False
        for rule in math.rules:
            if x0 - 1 <= rule.x0 and rule.x1 <= x1 + 1 and y0 - 2 <= rule.y <= y1 + 2:
                for g in math.glyphs:  # a fraction's parts stand within its rule's width, one line away
                    if (
                        rule.x0 - 1 <= g.cx <= rule.x1 + 1
                        and abs(g.cy - rule.y) < 1.6 * g.size
                        and not (x0 <= g.cx <= x1 and y0 <= g.cy <= y1)
                    ):
                        x0, y0, x1, y1 = min(x0, g.box[0]), min(y0, g.box[1]), max(x1, g.box[2]), max(y1, g.box[3])
                        grown = True
        for g in math.glyphs:
            if x0 <= g.cx <= x1 and y0 <= g.cy <= y1 or not _overlaps_rows(g, y0, y1):
                continue
            if max(g.box[0] - x1, x0 - g.box[2]) < gap_em * g.size:
                x0, y0, x1, y1 = min(x0, g.box[0]), min(y0, g.box[1]), max(x1, g.box[2]), max(y1, g.box[3])
                grown = True
        if not grown:
            break
    return x0, y0, x1, y1


def formula_parts(math: PageMath, extent: Box) -> tuple[list[Glyph], list[Rule]]:
    x0, y0, x1, y1 = extent
    glyphs = [g for g in math.glyphs if x0 - 0.5 <= g.cx <= x1 + 0.5 and y0 - 0.5 <= g.cy <= y1 + 0.5]
    rules = [r for r in math.rules if x0 - 2 <= r.x0 and r.x1 <= x1 + 2 and y0 - 2 <= r.y <= y1 + 2]
    return glyphs, rules
