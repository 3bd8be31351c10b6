"""Arabic lam-alef ligatures that a text layer gives in visual order.

Some PDF producers write the lam-alef ligature glyph (لا، لأ، لإ، لآ) as its two letters in visual
order, alef first: `اإلنتاجية` for `الإنتاجية`, `خالل` for `خلال`. The glyph boxes give it away: the
alef of such a pair has zero width (the ligature's whole advance sits on the lam that follows),
while a real alef before a lam (the article `ال`) has its own width. Those pairs are swapped back.
"""

from __future__ import annotations

import pymupdf

ALEFS = frozenset("اأإآ")
LAM = "ل"
ZERO_WIDTH = 0.05  # of the font size


def _has_arabic(words) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for w in words for ch in w[4])


def _fixed_lines(page: pymupdf.Page) -> list[tuple[tuple[float, float, float, float], list[tuple[str, float, float]]]]:
    """Each text line with a visual-order pair: its box, and its (char, centre x, centre y) in logical
    order after the swap."""
    fixed = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            chars = [(c["c"], c["bbox"], span["size"]) for span in line["spans"] for c in span["chars"]]
            swapped, i = False, 0
            while i < len(chars) - 1:
                char, bbox, size = chars[i]
                if char in ALEFS and chars[i + 1][0] == LAM and bbox[2] - bbox[0] < ZERO_WIDTH * size:
                    chars[i], chars[i + 1] = chars[i + 1], chars[i]
                    swapped, i = True, i + 2  # the alef now follows its lam: never swap it again
                else:
                    i += 1
            if swapped:
                fixed.append((tuple(line["bbox"]), [(c, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for c, b, _ in chars]))
    return fixed


def repair_visual_lam_alef(page: pymupdf.Page, words: list) -> list:
    """PyMuPDF `words` tuples with their text rebuilt where a line had visual-order lam-alef pairs."""
    if not _has_arabic(words):
        return words
    lines = _fixed_lines(page)
    if not lines:
        return words
    repaired = []
    for word in words:
        x0, y0, x1, y1 = word[0] - 0.5, word[1] - 0.5, word[2] + 0.5, word[3] + 0.5
        for box, chars in lines:
            if box[0] > x1 or box[2] < x0 or box[1] > y1 or box[3] < y0:
                continue  # plain comparisons: this runs for every word of an Arabic page
            inside = [c for c, cx, cy in chars if c.strip() and x0 <= cx <= x1 and y0 <= cy <= y1]
            if inside and "".join(sorted(inside)) == "".join(sorted(word[4])):
                word = (*word[:4], "".join(inside), *word[5:])
                break
        repaired.append(word)
    return repaired
