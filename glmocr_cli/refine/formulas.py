"""Formulas: captions and prose are never formulas; a formula is written as LaTeX from the PDF's own
glyphs when every glyph can be named (superscripts and subscripts from the baseline, Greek letters
and operators from their characters), else its image crop stays. `region.stats["formula"]` says
which ("latex-from-glyphs" or "image-crop"); the Markdown says it too.

A one-line text region that reads as an equation (a relation sign, raised or lowered pieces or math
italic, no prose words) is a display formula, never a heading.
"""
from __future__ import annotations

import re

from ..document import DocResult, Region, Task
from ..text_patterns import CAPTION
from .words import is_styled, row_text, rows_of

_PROSE_WORD = re.compile(r"^[A-Za-z][a-z]{3,}[.,;:]?$")
_RELATION = set("=<>≤≥≠≈≡∝∼→⇒⇔∈∉⊂⊆")

GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩϵϑϕϱς",
                 r"\alpha \beta \gamma \delta \epsilon \zeta \eta \theta \iota \kappa \lambda \mu \nu \xi \pi \rho "
                 r"\sigma \tau \upsilon \phi \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon "
                 r"\Phi \Psi \Omega \varepsilon \vartheta \varphi \varrho \varsigma".split()))
OPERATORS = {"×": r"\times", "·": r"\cdot", "÷": r"\div", "±": r"\pm", "∓": r"\mp", "≤": r"\leq", "≥": r"\geq",
             "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∝": r"\propto", "∼": r"\sim", "→": r"\rightarrow",
             "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "∈": r"\in", "∉": r"\notin", "⊂": r"\subset",
             "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap", "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla",
             "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "√": r"\sqrt", "−": "-", "′": "'", "…": r"\ldots",
             "⋅": r"\cdot", "∗": "*", "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee"}
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


def refine_formulas(doc: DocResult) -> DocResult:
    for page in doc.pages:
        for region in page.regions:
            text = " ".join(row_text(row) for row in rows_of(region)) if region.lines else ""
            if region.task is Task.FORMULA and text and _is_caption_or_prose(text):
                region.label, region.task, region.content = "figure_title" if CAPTION.match(text) else "text", \
                    Task.TEXT, text
                region.image_name, region.image_png = None, None
                region.flags.append("not-a-formula")
                continue
            if region.task is Task.TEXT and _reads_as_equation(region) and (latex := glyphs_to_latex(region)):
                region.label, region.task, region.kind, region.level = "display_formula", Task.FORMULA, None, None
                region.content, region.stats["formula"] = latex, "latex-from-glyphs"
                continue
            if region.task is not Task.FORMULA or region.content.strip():
                continue  # a model-read formula keeps its LaTeX
            latex = glyphs_to_latex(region) if is_styled(region) else None
            if latex:
                region.content, region.text_source = latex, "text-layer"
                region.stats["formula"] = "latex-from-glyphs"
            else:
                region.stats["formula"] = "image-crop"
    return doc
