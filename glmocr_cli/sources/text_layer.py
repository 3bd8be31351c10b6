"""A PDF page's own text layer, read once next to the render: words with their font, size, weight,
visual line and raised/lowered pieces, plus the page's vector rulings.

Words are built from glyphs rather than taken from PyMuPDF's word list so that (a) a missing space
is restored where two glyphs stand apart, (b) ligature glyphs ("ﬁ") become plain letters, and
(c) each word knows how it is set, which refine/ reads for headings, lists, code and formulas.
"""

from __future__ import annotations

import re
import unicodedata

import pymupdf as fitz

from ..document import BBox, TextSpan, TextStyle
from .lam_alef import repair_visual_lam_alef

# PyMuPDF span flags.
_SUPERSCRIPT, _ITALIC, _MONO, _BOLD = 1, 2, 8, 16
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd?\b|cmbx|cmb\d|bx\d", re.I)
_ITALIC_NAME = re.compile(r"italic|oblique|cmti|cmsl|-it\b|-ital", re.I)
_MONO_NAME = re.compile(r"mono|courier|consol|cmtt|menlo|inconsolata|code|typewriter|lucidaconsole|sfmt|tt\d", re.I)
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# A gap wider than this share of the font size between two glyphs is a word break the PDF left out.
SPACE_GAP = 0.25


_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}


def plain_ligatures(text: str) -> str:
    """`text` with Latin ligature glyphs (U+FB00-FB06) as their letters ("Outﬂow" -> "Outflow")."""
    return text.translate(_LIGATURES)


def _span_style(span: dict) -> tuple[bool, bool, bool]:
    font, flags = span.get("font", ""), span.get("flags", 0)
    bold = bool(flags & _BOLD) or bool(_BOLD_NAME.search(font))
    italic = bool(flags & _ITALIC) or bool(_ITALIC_NAME.search(font))
    mono = bool(flags & _MONO) or bool(_MONO_NAME.search(font))
    return bold, italic, mono


def _visual_lines(block: dict) -> list[list[dict]]:
    """PDF lines of one block that share a row and stand close (e.g. '5.1' and 'Hyper Parameter
    ...') form one line; lines level with each other but far apart (two columns' captions) do not."""
    rows: list[list[dict]] = []
    for line in sorted(block["lines"], key=lambda ln: (ln["bbox"][1] + ln["bbox"][3]) / 2):
        if abs(line.get("dir", (1, 0))[1]) > 0.1:
            rows.append([line])  # rotated or vertical text: its own line
            continue
        x0, y0, x1, y1 = line["bbox"]
        for row in reversed(rows[-4:]):
            ry0, ry1 = min(ln["bbox"][1] for ln in row), max(ln["bbox"][3] for ln in row)
            rx0, rx1 = min(ln["bbox"][0] for ln in row), max(ln["bbox"][2] for ln in row)
            overlap = min(y1, ry1) - max(y0, ry0)
            gap = max(x0 - rx1, rx0 - x1, 0.0)
            if overlap > 0.5 * min(y1 - y0, ry1 - ry0) and gap < 3 * max(y1 - y0, ry1 - ry0):
                row.append(line)
                break
        else:
            rows.append([line])
    return rows


def _glyphs(row: list[dict]) -> list[tuple[str, tuple[float, float, float, float], dict, float]]:
    """The row's glyphs in reading order: (char, bbox, span, baseline y)."""
    text = "".join(c["c"] for ln in row for s in ln["spans"] for c in s["chars"])
    lines = row if _RTL.search(text) else sorted(row, key=lambda ln: ln["bbox"][0])
    return [(c["c"], c["bbox"], s, c["origin"][1]) for ln in lines for s in ln["spans"] for c in s["chars"]]


def _word(glyphs: list, main_size: float, baseline: float, line_no: int, block: int, scale) -> TextSpan:
    """glyphs: (char, bbox, span, baseline y); span carries its cached '_style' and 'size'."""
    first = glyphs[0][2]
    box = scale(
        min(g[1][0] for g in glyphs),
        min(g[1][1] for g in glyphs),
        max(g[1][2] for g in glyphs),
        max(g[1][3] for g in glyphs),
    )
    if all(g[2] is first for g in glyphs):  # the common case: one span, one style
        text = plain_ligatures("".join(g[0] for g in glyphs))
        place = ""
        if first["size"] < 0.85 * main_size:
            origin_y = glyphs[0][3]
            if first["flags"] & _SUPERSCRIPT or origin_y < baseline - 0.15 * main_size:
                place = "sup"
            elif origin_y > baseline + 0.1 * main_size:
                place = "sub"
        bold, italic, mono = first["_style"]
        return TextSpan(
            box,
            text,
            block,
            TextStyle(
                size=round(first["size"], 2),
                font=first["font"],
                bold=bold,
                italic=italic,
                mono=mono,
                line=line_no,
                script=place,
            ),
        )
    base = [g for g in glyphs if g[2]["size"] >= 0.85 * main_size] or glyphs
    span = max(base, key=lambda g: g[2]["size"])[2]
    votes = [g[2]["_style"] for g in base]
    half = len(votes) / 2
    bold, italic, mono = (sum(v[k] for v in votes) > half for k in range(3))
    pieces: list[tuple[str, str]] = []
    for ch, _, gspan, origin_y in glyphs:
        place = ""
        if gspan["size"] < 0.85 * main_size:
            if gspan["flags"] & _SUPERSCRIPT or origin_y < baseline - 0.15 * main_size:
                place = "sup"
            elif origin_y > baseline + 0.1 * main_size:
                place = "sub"
        text = plain_ligatures(ch)
        if pieces and pieces[-1][1] == place:
            pieces[-1] = (pieces[-1][0] + text, place)
        else:
            pieces.append((text, place))
    script = pieces[0][1] if len(pieces) == 1 else ""
    style = TextStyle(
        size=round(span["size"], 2),
        font=span["font"],
        bold=bold,
        italic=italic,
        mono=mono,
        line=line_no,
        pieces=pieces if len(pieces) > 1 and len({p for _, p in pieces}) > 1 else [],
        script=script,
    )
    return TextSpan(box, "".join(t for t, _ in pieces), block, style)


def _scaler(page: fitz.Page, scale: float):
    """Points -> rendered-image pixels (page rotation applied)."""
    if page.rotation == 0:
        return lambda x0, y0, x1, y1: (x0 * scale, y0 * scale, x1 * scale, y1 * scale)
    matrix = page.rotation_matrix * fitz.Matrix(scale, scale)

    def rotated(x0, y0, x1, y1):
        rect = fitz.Rect(x0, y0, x1, y1) * matrix
        return rect.x0, rect.y0, rect.x1, rect.y1

    return rotated


def _stray_space(space: tuple, before: tuple, after: tuple, size: float) -> bool:
    """True when a space glyph lies far outside the gap between the glyphs it separates in the
    stream (some PDFs write spaces at a wrong position) while those glyphs touch each other. Only
    asked for neighbours of one direction: a bidi run boundary legitimately jumps."""
    lo, hi = min(before[2], after[2]), max(before[0], after[0])  # the gap, either direction
    lo, hi = min(lo, hi), max(lo, hi)
    touching = hi - lo < SPACE_GAP * size
    centre = (space[0] + space[2]) / 2
    return touching and not (lo - 0.2 * size <= centre <= hi + 0.2 * size)


def read_words(page: fitz.Page, scale: float) -> list[TextSpan]:
    """The page's words in the text layer's natural order, in rendered-image pixels."""
    to_pixels = _scaler(page, 1.0)  # points first: the lam-alef repair below reads point boxes
    words: list[TextSpan] = []
    line_no = 0
    raw = page.get_text("rawdict", flags=fitz.TEXT_PRESERVE_WHITESPACE | fitz.TEXT_MEDIABOX_CLIP)
    for block_no, block in enumerate(raw["blocks"]):
        if block.get("type", 0) != 0:
            continue
        for line in block["lines"]:
            for span in line["spans"]:
                span["_style"] = _span_style(span)
        for row in _visual_lines(block):
            glyphs = _glyphs(row)
            if not glyphs:
                continue
            main_size = max((g[2]["size"] for g in glyphs if not g[0].isspace()), default=0.0)
            base = [g[3] for g in glyphs if g[2]["size"] >= 0.85 * main_size] or [g[3] for g in glyphs]
            baseline = sorted(base)[len(base) // 2]
            current: list = []
            for k, glyph in enumerate(glyphs):
                ch, box = glyph[0], glyph[1]
                if ch.isspace() or ch == "\u00a0":
                    if (
                        current
                        and k + 1 < len(glyphs)
                        and bool(_RTL.match(current[-1][0])) == bool(_RTL.match(glyphs[k + 1][0]))
                        and _stray_space(box, current[-1][1], glyphs[k + 1][1], glyph[2]["size"])
                    ):
                        continue  # a space placed far from the letters it sits between: not a break
                    if current:
                        words.append(_word(current, main_size, baseline, line_no, block_no, to_pixels))
                    current = []
                    continue
                if current:
                    prev = current[-1][1]
                    gap = box[0] - prev[2] if box[0] >= prev[0] else prev[0] - box[2]
                    if gap > SPACE_GAP * max(glyph[2]["size"], current[-1][2]["size"]):
                        words.append(_word(current, main_size, baseline, line_no, block_no, to_pixels))
                        current = []
                current.append(glyph)
            if current:
                words.append(_word(current, main_size, baseline, line_no, block_no, to_pixels))
            line_no += 1
    repaired = repair_visual_lam_alef(page, [(*w.bbox, w.text, w.block) for w in words])
    for word, fixed in zip(words, repaired):  # the boxes are turned with the page already: points -> pixels
        x0, y0, x1, y1 = word.bbox
        word.text, word.bbox = fixed[4], (x0 * scale, y0 * scale, x1 * scale, y1 * scale)
    return words


def read_rulings(page: fitz.Page, scale: float, max_paths: int = 5000) -> list[BBox]:
    """Horizontal and vertical strokes and thin filled rectangles (table rules, underlines)."""
    to_pixels = _scaler(page, scale)
    rulings: list[BBox] = []
    try:
        paths = page.get_cdrawings()  # plain tuples: several times cheaper than get_drawings()
    except Exception:  # a damaged content stream: the words are still good
        return rulings
    for path in paths[:max_paths]:
        x0, y0, x1, y1 = path.get("rect") or (0, 0, 0, 0)
        width, height = abs(x1 - x0), abs(y1 - y0)
        if min(width, height) <= 2.0 and max(width, height) >= 5.0:
            rulings.append(to_pixels(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return rulings
