"""Furniture on one page (nothing repeats) against a page's only text, both ways, on generated pages:
a short line in the margin band, set smaller than the body and apart from it by a gap, is furniture
(kept in the JSON with its text, out of the Markdown); a short line that is the page's only text, or a
header the layout found mid-page, is text."""

from __future__ import annotations

import json

from PIL import Image, ImageDraw, ImageFont

from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import DocResult, PageResult, Region, Task, TextLine
from glmocr_cli.labels import PageSource
from glmocr_cli.refine import refine_document
from helpers.refine_pages import dejavu, doc_from_pdf, region, write_pdf

BODY_TEXT = [f"Body line {n} of the article carries its ordinary running prose here." for n in range(12)]


def body(top: float = 150, size: float = 11) -> list[tuple]:
    return [(72, top + 16 * n, text, "helv", size) for n, text in enumerate(BODY_TEXT)]


def test_small_lines_in_the_margins_of_one_page_are_furniture(tmp_path):
    pdf = write_pdf(
        tmp_path / "excerpt.pdf",
        [
            [
                (72, 40, "Journal of Applied Things 12 (2021) 345-360", "helv", 8),
                *body(),
                (72, 800, "Preprint submitted to the Editors, March 2021", "helv", 8),
                (290, 820, "345", "helv", 8),
            ]
        ],
    )
    doc = refine_document(doc_from_pdf(pdf))
    labels = {r.content: (r.label, r.task) for r in doc.pages[0].regions}
    assert labels["Journal of Applied Things 12 (2021) 345-360"] == ("header", Task.ABANDON)
    assert labels["Preprint submitted to the Editors, March 2021"] == ("footer", Task.ABANDON)
    markdown = render_markdown(doc)
    assert "Journal of Applied" not in markdown and "Preprint submitted" not in markdown
    assert "Body line 0 of the article" in markdown
    kept = json.dumps(doc.to_json())
    assert "Journal of Applied Things" in kept and "Preprint submitted to the Editors" in kept
    assert "Journal of Applied Things" in render_markdown(doc, keep_furniture=True)


def test_a_small_line_close_to_the_body_or_on_a_page_without_body_is_text(tmp_path):
    pdf = write_pdf(
        tmp_path / "two.pdf",
        [
            [(72, 146, "Small note set right above the body text", "helv", 8), *body(158)],  # no gap
            [(72, 40, "Meeting notes for Tuesday", "helv", 8)],  # the page's only text
        ],
    )
    doc = refine_document(doc_from_pdf(pdf))
    markdown = render_markdown(doc)
    assert "Small note set right above the body text" in markdown
    assert "Meeting notes for Tuesday" in markdown
    assert all(r.label not in ("header", "footer") for p in doc.pages for r in p.regions)


def test_a_layout_header_that_is_a_page_s_only_text_or_mid_page_is_text(tmp_path):
    pdf = write_pdf(
        tmp_path / "frames.pdf",
        [
            [(72, 40, "Meeting notes for Tuesday", "helv", 12)],
            [(200, 420, "Second frame says this", "helv", 12)],
            [(200, 430, "Third one closes it", "helv", 12)],
        ],
    )
    header = ("header", Task.ABANDON)
    doc = refine_document(doc_from_pdf(pdf, {(0, 0): header, (1, 0): header, (2, 0): ("footer", Task.ABANDON)}))
    regions = [r for p in doc.pages for r in p.regions]
    assert len(regions) == 3 and all(r.task is Task.TEXT and r.label not in ("header", "footer") for r in regions)
    markdown = render_markdown(doc)
    for text in ("Meeting notes for Tuesday", "Second frame says this", "Third one closes it"):
        assert text in markdown


def ocr_page(lines: list[tuple[int, int, int, str]], width: int = 1240, height: int = 1754) -> DocResult:
    """A scanned page as OCR leaves it: one region per line (x, y, letter height, text), no font styles."""
    regions = [
        Region(
            index=i,
            order=i,
            label="text",
            native_label="text",
            task=Task.TEXT,
            bbox=(x, y, x + 18 * len(text) * h // 30, y + h),
            score=1.0,
            content=text,
            text_source="ocr",
            lines=[TextLine((x, y, x + 18 * len(text) * h // 30, y + h), text, 0.9)],
        )
        for i, (x, y, h, text) in enumerate(lines)
    ]
    page = PageResult(
        index=0, width=width, height=height, source=PageSource.IMAGE, dpi=150, size_pt=None, rotation=0, regions=regions
    )
    return DocResult(
        source=None, relative_path=None, sha256="0" * 64, pages=[page], engine={"name": "test"}, options={}
    )


def scan_body(top: int = 300) -> list[tuple[int, int, int, str]]:
    return [(150, top + 45 * n, 30, text) for n, text in enumerate(BODY_TEXT)]


def test_scanned_page_furniture_by_letter_height_and_gap():
    doc = refine_document(
        ocr_page(
            [
                (150, 80, 20, "Annals of Scanned Things, vol. 4"),
                *scan_body(),
                (150, 1650, 20, "Printed in the Republic of Letters"),
            ]
        )
    )
    labels = {r.content: r.label for r in doc.pages[0].regions}
    assert labels["Annals of Scanned Things, vol. 4"] == "header"
    assert labels["Printed in the Republic of Letters"] == "footer"
    # the same line in body-sized letters, or with no body under it, is text
    same_size = refine_document(ocr_page([(150, 80, 30, "Annals of Scanned Things, vol. 4"), *scan_body()]))
    alone = refine_document(ocr_page([(150, 80, 20, "Annals of Scanned Things, vol. 4")]))
    for result in (same_size, alone):
        assert result.pages[0].regions[0].label == "text"


def test_a_scan_whose_only_text_is_a_short_top_line_keeps_it(tmp_path):
    """Issue 19 item 5 end to end: the lite layout calls the line a header; it is the page's text."""
    from glmocr_cli.api import convert_document

    image = Image.new("RGB", (620, 877), "white")
    ImageDraw.Draw(image).text(
        (60, 45), "Meeting notes for Tuesday", fill="black", font=ImageFont.truetype(str(dejavu()), 16)
    )
    image.save(tmp_path / "top.png")
    doc = convert_document(tmp_path / "top.png")
    regions = doc.pages[0].regions
    assert [r.content for r in regions] == ["Meeting notes for Tuesday"] and regions[0].task is Task.TEXT
    assert "Meeting notes for Tuesday" in render_markdown(doc)


def test_an_equations_number_at_the_foot_of_the_page_is_no_page_number(tmp_path):
    pdf = write_pdf(
        tmp_path / "equation.pdf",
        [[*body(), (120, 790, "E = m c 2", "helv", 11), (500, 790, "(7)", "helv", 11), (290, 825, "12", "helv", 8)]],
    )
    doc = doc_from_pdf(pdf)
    page = doc.pages[0]
    body_region, row, number = page.ordered_regions()
    formula = region([ln for ln in row.lines if ln.text != "(7)"], "display_formula", Task.FORMULA, 1)
    equation_number = region([ln for ln in row.lines if ln.text == "(7)"], "formula_number", Task.TEXT, 2)
    number.index = number.order = 3
    page.regions = [body_region, formula, equation_number, number]
    refine_document(doc)
    assert equation_number.label == "formula_number" and number.label == "number"
    assert "\\tag{7}" in render_markdown(doc)
