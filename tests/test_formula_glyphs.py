"""Formulas from glyphs, judged the way the field judges LaTeX: the source and what refine/ wrote from
the PDF's glyphs are both rendered with KaTeX in a real browser and must look the same. Test PDFs are
typeset by matplotlib's mathtext (TeX's layout rules: real glyph placement, rules for fractions and
roots, limits over and under sums) with its glyphs kept as text."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from helpers.browser import KatexRenderer, renders_alike
from helpers.refine_pages import doc_from_pdf, region

from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import Task
from glmocr_cli.refine import refine_document
from glmocr_cli.refine.formula_glyphs import (
    Glyph,
    formula_extent,
    formula_parts,
    read_page_math,
)
from glmocr_cli.refine.formula_latex import formula_latex

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FORMULAS = [
    r"L(t + n) = L(t)(1 + r)^{n}",
    r"x=\frac{-b\pm\sqrt{b^{2}-4ac}}{2a}",
    r"\sum_{i=1}^{n} i^{2}=\frac{n(n+1)(2n+1)}{6}",
    r"\int_{0}^{\infty} e^{-x^{2}}dx=\frac{\sqrt{\pi}}{2}",
    r"\mathbf{F}=m\mathbf{a}",
    r"\left(\frac{a}{b}\right)^{2}=\frac{a^{2}}{b^{2}}",
    r"\sqrt[3]{x}+\alpha\leq\beta_{1}",
    r"\sin^{2}x+\cos^{2}x=1",
    r"\prod_{k=1}^{n}\frac{1}{1+x_{k}}\neq\infty",
]


def mathtext_pdf(
    path: Path, latex: str, fontset: str = "stix", second: str | None = None, number: str | None = None
) -> Path:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("pdf")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42, "mathtext.fontset": fontset, "svg.hashsalt": "0"}):
        figure = plt.figure(figsize=(6, 1.4))
        text = f"${latex}$" + (f"\n${second}$" if second else "")
        figure.text(0.5, 0.5, text, fontsize=20, ha="center", va="center")
        if number:
            figure.text(0.97, 0.5, number, fontsize=20, ha="right", va="center")
        figure.savefig(path)
        plt.close(figure)
    return path


def latex_of(pdf: Path):
    page = pymupdf.open(pdf)[0]
    math = read_page_math(page)
    return formula_latex(*formula_parts(math, formula_extent(math, page.rect)))


@pytest.fixture(scope="module")
def katex(browser, tmp_path_factory):
    renderer = KatexRenderer(browser, tmp_path_factory.mktemp("katex"))
    yield renderer
    renderer.page.close()


def test_formulas_from_glyphs_render_like_their_source(tmp_path, katex):
    for k, source in enumerate(FORMULAS):
        found = latex_of(mathtext_pdf(tmp_path / f"f{k}.pdf", source))
        assert found is not None, source
        assert renders_alike(katex.ink(source), katex.ink(found.latex)), (source, found.latex)


def test_the_comparison_tells_a_wrong_formula_apart(katex):
    """The judge itself: a lost superscript or a fraction written flat does not pass."""
    assert renders_alike(katex.ink(r"L(t+n) = L(t) (1 + r)^{n}"), katex.ink(r"L(t+n)=L(t)(1+r)^n"))
    assert not renders_alike(katex.ink(r"(1+r)^{n}"), katex.ink(r"(1+r)n"))
    assert not renders_alike(katex.ink(r"\frac{a}{b}"), katex.ink(r"a/b"))


def test_the_equation_number_becomes_a_tag(tmp_path):
    found = latex_of(mathtext_pdf(tmp_path / "n.pdf", r"E=mc^{2}", number="(2)"))
    assert found.latex == "E = mc^{2}" and found.tag == "2"


def test_a_fraction_cut_at_its_rule_is_one_formula(tmp_path):
    """A layout box round the numerator only: the formula grows over the rule to its denominator."""
    page = pymupdf.open(mathtext_pdf(tmp_path / "cut.pdf", r"\frac{a+b}{c+d}"))[0]
    math = read_page_math(page)
    rule = max(math.rules, key=lambda r: r.width)
    numerator = pymupdf.Rect(page.rect.x0, page.rect.y0, page.rect.x1, rule.y - 1)
    found = formula_latex(*formula_parts(math, formula_extent(math, tuple(numerator))))
    assert found.latex == r"\frac{a + b}{c + d}"


def test_unnamed_glyphs_keep_the_crop(tmp_path):
    """Private-use glyphs (STIX's calligraphic letters) and TeX fonts' slot codes (Computer Modern
    without a Unicode map: the minus sign comes out as '¡') give no LaTeX."""
    assert latex_of(mathtext_pdf(tmp_path / "cal.pdf", r"\mathcal{L}(\theta)=0")) is None
    assert latex_of(mathtext_pdf(tmp_path / "cm.pdf", r"x=-b\pm c", fontset="cm")) is None


def test_two_stacked_equations_in_one_box_keep_the_crop(tmp_path):
    """Rows of equations (aligned, cases) are not read as one row with scripts."""
    assert latex_of(mathtext_pdf(tmp_path / "rows.pdf", "a+b=c", second="x-y=z")) is None


def _glyph(char: str, x: float, font: str, size: float = 12.0, raise_by: float = 0.0) -> Glyph:
    base = 100.0 - raise_by
    return Glyph(char, (x, base - 0.9 * size, x + 0.6 * size, base + 0.25 * size), (x, base), size, font)


def test_letter_styles_come_from_fonts():
    glyphs = [
        _glyph("L", 0, "CMSY10"),
        _glyph("=", 10, "CMR10"),
        _glyph("F", 20, "CMBX10"),
        _glyph("+", 30, "CMR10"),
        _glyph("R", 40, "MSBM10"),
        _glyph("x", 50, "CMMI10"),
        _glyph("2", 57, "CMR7", size=8, raise_by=5),
    ]
    assert formula_latex(glyphs, []).latex == r"\mathcal{L} = \mathbf{F} + \mathbb{R}x^{2}"


def _cut_formula():
    """samples/report.pdf's formula row given as two layout boxes (its start taken for a title, as the
    lite layout model does), its number beside it."""
    doc = doc_from_pdf(SAMPLES / "report.pdf")
    page = doc.pages[1]
    row = next(r for r in page.regions if r.content.startswith("L(t"))
    words = sorted(row.lines, key=lambda ln: ln.bbox[0])
    number = [ln for ln in words if ln.text == "(1)"]
    body = [ln for ln in words if ln.text != "(1)"]
    title = region(body[:1], "paragraph_title", Task.TEXT, index=row.index)
    formula = region(body[1:], "display_formula", Task.FORMULA, index=row.index)
    formula.content, formula.lines = "", []
    page.regions = [r for r in page.regions if r is not row] + [title, formula]
    page.regions.append(region(number, "formula_number", Task.TEXT, index=len(page.regions)))
    for rank, r in enumerate(sorted(page.regions, key=lambda r: (r.bbox[1], r.bbox[0]))):
        r.order = rank
    return doc, page


def test_a_formula_cut_into_a_heading_and_a_formula_box_is_one_formula():
    """One formula, its number a \\tag, no heading made of its start."""
    doc, page = _cut_formula()
    refine_document(doc)
    formulas = [r for r in page.regions if r.task is Task.FORMULA]
    assert len(formulas) == 1 and formulas[0].content == "L(t + n) = L(t)(1 + r)^{n}"
    assert formulas[0].reading.formula == "latex-from-glyphs"
    assert not any(r.content.startswith("L(t") for r in page.regions if r.task is not Task.FORMULA)
    markdown = render_markdown(doc)
    assert "$$\nL(t + n) = L(t)(1 + r)^{n} \\tag{1}\n$$" in markdown and "L(t\n" not in markdown


def test_text_layer_off_never_reads_the_glyphs():
    doc, page = _cut_formula()
    doc.options["text_layer"] = "off"
    refine_document(doc)
    formula = next(r for r in page.regions if r.label == "display_formula")
    assert formula.content == "" and formula.reading.formula == "image-crop"
