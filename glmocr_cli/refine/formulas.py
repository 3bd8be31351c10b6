"""Formulas: captions and prose are never formulas; a formula is written as LaTeX from the PDF's own
glyphs and rules when every glyph can be named (refine/formula_glyphs.py reads them, formula_latex.py
builds fractions, roots, limits, scripts and tall brackets from their placement), else its image crop
stays. `region.reading.formula` says which ("latex-from-glyphs" or "image-crop"); the Markdown says it too.
A formula the layout cut into two boxes (part of it taken for a heading) is one formula again.

A one-line text region that reads as an equation (a relation sign, raised or lowered pieces or math
italic, no prose words) is a display formula, never a heading.
"""

from __future__ import annotations

import re

import pymupdf

from ..document import DocResult, PageResult, Region, Task
from ..labels import Flag, FormulaSource, Label, PageSource, TextSource
from ..text_patterns import CAPTION
from .formula_glyphs import PageMath, formula_extent, formula_parts, read_page_math
from .formula_latex import GREEK, OPERATORS, formula_latex
from .words import is_styled, row_text, rows_of

_PROSE_WORD = re.compile(r"^[A-Za-z][a-z]{3,}[.,;:]?$")
_PROSE_IN_LATEX = re.compile(r"\\mathrm\{[A-Za-z]?[a-z]{3,}\}")
_RELATION = set("=<>≤≥≠≈≡∝∼→⇒⇔∈∉⊂⊆")

_PLAIN = re.compile(r"^[A-Za-z0-9+\-=<>()\[\]{}|/.,:;!'*]$")


def _char_latex(ch: str) -> str | None:
    if _PLAIN.match(ch):
        return {"{": r"\{", "}": r"\}"}.get(ch, ch)
    if ch in GREEK:
        return GREEK[ch] + " "
    if ch in OPERATORS:
        return OPERATORS[ch] + " "
    return None


def glyphs_to_latex(region: Region) -> str | None:
    """LaTeX for a one-line formula whose every glyph has a name; None when not confident."""
    rows = rows_of(region)
    if len(rows) != 1:
        return None  # stacked lines (fractions, matrices, cases) are beyond what glyphs say safely
    parts: list[str] = []
    for word in rows[0]:
        pieces = word.style.pieces or [(word.text, word.style.script)]
        out = ""
        for text, place in pieces:
            latex = ""
            for ch in text:
                named = _char_latex(ch)
                if named is None:
                    return None
                latex += named
            latex = latex.strip()
            out += f"^{{{latex}}}" if place == "sup" else f"_{{{latex}}}" if place == "sub" else latex
        parts.append(out)
    return " ".join(parts).strip() or None


def _is_caption_or_prose(text: str) -> bool:
    words = text.split()
    prose = sum(bool(_PROSE_WORD.match(w)) for w in words)
    return bool(CAPTION.match(text)) or (prose >= 3 and prose >= 0.5 * len(words))


def _reads_as_equation(region: Region) -> bool:
    if not is_styled(region) or len(rows_of(region)) != 1:
        return False
    text = region.content
    words = text.split()
    raised = any(ln.style.pieces or ln.style.script for ln in region.lines)
    math_font = any(ln.style.italic and len(ln.text) <= 2 and ln.text.isalpha() for ln in region.lines)
    prose = any(_PROSE_WORD.match(w) for w in words)
    return any(ch in _RELATION for ch in text) and (raised or math_font) and not prose


class _PdfMath:
    """The document's PDF opened again, read-only, for the glyphs and rules of pages with formulas
    (refine runs after the pages' own PDF handles are closed); nothing when it is not a readable PDF."""

    def __init__(self, doc: DocResult):
        self.path = doc.source
        self.pdf: pymupdf.Document | None = None
        self.pages: dict[int, PageMath | None] = {}
        self.allowed = doc.options.get("text_layer", "auto") != "off"

    def page(self, page: PageResult) -> PageMath | None:
        if not self.allowed or page.source != PageSource.PDF or not page.size_pt or page.rotation:
            return None  # --text-layer off; turned pages (region boxes are not the PDF's coordinates)
        if not any(r.text_source == TextSource.TEXT_LAYER for r in page.regions):
            return None  # the page was read by OCR: its text layer was judged unusable, or it has none
        if page.index not in self.pages:
            self.pages[page.index] = None
            try:
                pdf = self.pdf = self.pdf or pymupdf.open(self.path)
                pdf_page = pdf[page.index]
                if not pdf_page.rotation and not pdf.needs_pass:
                    self.pages[page.index] = read_page_math(pdf_page)
            except Exception:  # noqa: BLE001, S110 - unreadable again: the crop stays, as without glyphs
                pass
        return self.pages[page.index]

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _box_pt(region: Region, page: PageResult) -> tuple[float, float, float, float]:
    if region.bbox_pt:
        x0, y0, x1, y1 = region.bbox_pt
        return x0, y0, x1, y1
    assert page.size_pt is not None  # only pages read from a PDF have formulas read from glyphs
    scale = page.width / page.size_pt[0]
    x0, y0, x1, y1 = region.bbox
    return x0 / scale, y0 / scale, x1 / scale, y1 / scale


def _inside(box: tuple, extent: tuple, share: float = 0.6) -> bool:
    width, height = min(box[2], extent[2]) - max(box[0], extent[0]), min(box[3], extent[3]) - max(box[1], extent[1])
    area = (box[2] - box[0]) * (box[3] - box[1])
    return width > 0 and height > 0 and width * height >= share * area


def _latex_from_glyphs(region: Region, page: PageResult, math: PageMath) -> bool:
    """Write `region` as LaTeX from the page's glyphs, grown over the boxes its formula was cut into;
    regions wholly inside the formula are dropped (their glyphs are in it). False when not named."""
    box = _box_pt(region, page)
    extent = formula_extent(math, box)
    if extent is None:
        return False
    found = formula_latex(*formula_parts(math, extent))
    if found is not None and _PROSE_IN_LATEX.search(found.latex):  # grown into a sentence beside it
        extent = formula_extent(math, box, gap_em=0.0)
        assert extent is not None  # the same glyphs lie inside the same box: only the growing differs
        found = formula_latex(*formula_parts(math, extent))
    if found is None or _PROSE_IN_LATEX.search(found.latex):
        return False
    swallowed = [
        r
        for r in page.regions
        if r is not region
        and r.task in (Task.TEXT, Task.FORMULA, Task.ABANDON)
        and (r.label != Label.FORMULA_NUMBER or found.tag)
        and _inside(_box_pt(r, page), extent)
    ]
    page.regions = [r for r in page.regions if all(r is not s for s in swallowed)]
    assert page.size_pt is not None  # math is only read from PDF pages
    scale = page.width / page.size_pt[0]
    x0, y0, x1, y1 = extent
    region.bbox_pt = (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2))
    region.bbox = (round(x0 * scale, 1), round(y0 * scale, 1), round(x1 * scale, 1), round(y1 * scale, 1))
    region.content = found.latex + (f" \\tag{{{found.tag}}}" if found.tag else "")
    region.label, region.task, region.kind, region.level = Label.DISPLAY_FORMULA, Task.FORMULA, None, None
    region.text_source, region.reading.formula = TextSource.TEXT_LAYER, FormulaSource.LATEX_FROM_GLYPHS
    region.lines = []
    if swallowed:
        region.flags.append(Flag.FORMULA_JOINED)
    return True


def refine_formulas(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    pdf = _PdfMath(doc)
    try:
        for page in doc.pages:
            _refine_page(page, pdf)
    finally:
        pdf.close()


def _refine_page(page: PageResult, pdf: _PdfMath) -> None:
    for region in list(page.ordered_regions()):
        if all(region is not r for r in page.regions):
            continue  # already joined into a formula beside it
        text = " ".join(row_text(row) for row in rows_of(region)) if region.lines else ""
        if region.task is Task.FORMULA and text and _is_caption_or_prose(text):
            region.label, region.task, region.content = (
                Label.FIGURE_TITLE if CAPTION.match(text) else Label.TEXT,
                Task.TEXT,
                text,
            )
            region.image_name, region.image_png = None, None
            region.flags.append(Flag.NOT_A_FORMULA)
            continue
        equation = region.task is Task.TEXT and _reads_as_equation(region)
        if (
            equation
            or region.task is Task.FORMULA
            and region.label != Label.INLINE_FORMULA
            and not region.content.strip()
        ):
            math = pdf.page(page)
            if math is not None and _latex_from_glyphs(region, page, math):
                continue
        if equation and (latex := glyphs_to_latex(region)):
            region.label, region.task, region.kind, region.level = Label.DISPLAY_FORMULA, Task.FORMULA, None, None
            region.content, region.reading.formula = latex, FormulaSource.LATEX_FROM_GLYPHS
            continue
        if region.task is not Task.FORMULA or region.content.strip():
            continue  # a model-read formula keeps its LaTeX
        latex = glyphs_to_latex(region) if is_styled(region) and pdf.page(page) is None else None
        if latex:
            region.content, region.text_source = latex, TextSource.TEXT_LAYER
            region.reading.formula = FormulaSource.LATEX_FROM_GLYPHS
        else:
            region.reading.formula = FormulaSource.IMAGE_CROP
