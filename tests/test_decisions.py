"""Each decision in one place (issue 20): the document's title and page numbers in refine/ (for
regions as an OCR engine reports them, no text-layer styles; page numbers once cut lines are
mended), and the styled spans refine/ sets a list out in, which Markdown, HTML and NAME.json each
render."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf

from glmocr_cli.assemble.html import render_html
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import DocResult, InlineSpan, PageResult, Region, Task, TextLine
from glmocr_cli.labels import PageSource
from glmocr_cli.refine import refine_document
from helpers.refine_pages import doc_from_pdf, write_pdf
from helpers.refine_pages import region as layout_box


def _region(order: int, label: str, text: str, top: float, letter: float, task: Task = Task.TEXT) -> Region:
    """One OCR'd line of `letter` px high letters at `top`, 600 px wide."""
    box = (100.0, top, 700.0, top + letter)
    return Region(order, order, label, label, task, box, 0.9, text, lines=[TextLine(box, text, 0.9)])


def _doc(regions: list[Region], pages: int = 1) -> DocResult:
    page = PageResult(0, 800, 1100, PageSource.IMAGE, None, None, 0, regions)
    more = [PageResult(k, 800, 1100, PageSource.IMAGE, None, None, 0, []) for k in range(1, pages)]
    return DocResult(Path("a.png"), Path("a.png"), "0" * 64, [page, *more], {"name": "lite"}, {})


def _body(order: int, top: float) -> list[Region]:
    return [_region(order + k, "text", f"Body text line {k} of the page reads on", top + 30 * k, 20) for k in range(4)]


def test_the_title_is_the_tallest_heading_near_the_top_when_the_layout_has_one_title_class():
    regions = [
        _region(0, "paragraph_title", "Preface", 80, 22),  # first, but set like the body
        *_body(1, 130),
        _region(5, "paragraph_title", "The Annual Report", 300, 40),
    ]
    doc = refine_document(_doc(regions))
    labels = {r.content: (r.label, r.level) for r in doc.pages[0].regions}
    assert labels["The Annual Report"] == ("doc_title", 1) and labels["Preface"] == ("paragraph_title", 2)


def test_without_a_tall_heading_the_first_heading_above_the_body_is_the_title():
    regions = [_region(0, "paragraph_title", "Preface", 80, 22), *_body(1, 130)]
    doc = refine_document(_doc(regions))
    assert doc.pages[0].regions[0].label == "doc_title" and doc.pages[0].regions[0].level == 1


def test_a_title_the_layout_model_found_stands():
    regions = [
        _region(0, "doc_title", "Preface", 80, 22),
        *_body(1, 130),
        _region(5, "paragraph_title", "Results", 300, 40),
    ]
    doc = refine_document(_doc(regions))
    labels = {r.content: r.label for r in doc.pages[0].regions}
    assert labels == {**labels, "Preface": "doc_title", "Results": "paragraph_title"}


def test_a_lone_number_at_the_page_edge_is_a_page_number_and_one_under_text_is_not():
    regions = [*_body(0, 300), _region(4, "text", "17", 1040, 20)]
    doc = refine_document(_doc(regions))
    number = doc.pages[0].regions[-1]
    assert number.label == "number" and number.task is Task.ABANDON and "furniture" in number.flags
    regions = [*_body(0, 300), _region(4, "text", "17", 950, 20), _region(5, "text", "Signed below", 1040, 20)]
    doc = refine_document(_doc(regions))
    assert doc.pages[0].regions[4].label == "text"  # text between it and the edge: not a page number
    for share in ("65%", "(12 %)"):  # a chart's label at the foot is a share, never a page number
        doc = refine_document(_doc([*_body(0, 300), _region(4, "text", share, 1040, 20)]))
        assert doc.pages[0].regions[-1].label == "text", share


def test_a_number_cut_from_its_line_at_the_foot_joins_the_line_before_page_numbers_are_decided(tmp_path):
    """Page numbers are decided once, in refine/, after whole_lines: a '65%' that a layout box cut from
    the end of its line at the foot of the page is part of that line, not a page number to drop."""
    body = [
        (72, 150 + 16 * k, f"Body line {k} of the article carries its ordinary prose.", "helv", 11) for k in range(12)
    ]
    foot = [(72, 760, "Share of the total for the region 65%", "helv", 11), (290, 820, "7", "helv", 8)]
    doc = doc_from_pdf(write_pdf(tmp_path / "foot.pdf", [[*body, *foot]]))
    total = next(r for r in doc.pages[0].regions if r.content.startswith("Share"))
    total.lines, cut = total.lines[:-1], total.lines[-1:]  # the layout box ended before '65%'
    total.content = " ".join(ln.text for ln in total.lines)
    doc.pages[0].regions.append(layout_box(cut, index=len(doc.pages[0].regions)))
    assert cut[0].text == "65%"
    labels = {r.content: r.label for r in refine_document(doc).pages[0].regions}
    assert labels["Share of the total for the region 65%"] == "text" and "65%" not in labels
    assert labels["7"] == "number"
    markdown = render_markdown(doc)
    assert "Share of the total for the region 65%" in markdown
    assert not any(line.strip() == "7" for line in markdown.splitlines())


def test_refine_sets_list_items_out_as_styled_spans_that_markdown_html_and_json_render(tmp_path):
    row = [("Install the ", "helv"), ("tool", "hebo"), (" first and read its ", "helv"), ("notes", "heit")]
    items, x = [(90, 118, "-", "helv", 11)], 108.0
    for text, font in row:
        items.append((x, 118, text, font, 11))
        x += pymupdf.get_text_length(text, fontname=font, fontsize=11)
    items += [(90, 132, "-", "helv", 11), (108, 132, "Then run it on a page of plain text", "helv", 11)]
    doc = refine_document(doc_from_pdf(write_pdf(tmp_path / "l.pdf", [items])))
    region = next(r for r in doc.pages[0].regions if r.kind == "list")
    first = region.blocks[0]
    assert first.marker == "-" and InlineSpan("tool", bold=True) in first.spans
    assert InlineSpan("notes", italic=True) in first.spans
    assert "- Install the **tool** first and read its *notes*\n- Then run it" in render_markdown(doc)
    assert "<ul><li>Install the <strong>tool</strong> first and read its <em>notes</em></li>" in render_html(doc)
    stored = json.loads(json.dumps(doc.to_json()))["pages"][0]["regions"]
    assert any(r["rich"] and r["rich"].startswith("- Install the **tool**") for r in stored)


def test_list_item_spans_render_as_nested_tags_and_escaped_text():
    from glmocr_cli.assemble.rich_text import spans_html

    spans = [
        InlineSpan("Total *** <net> "),
        InlineSpan("x", bold=True, italic=True),
        InlineSpan("2", bold=True, italic=True, script="sup"),
        InlineSpan(" done", italic=True),
    ]
    assert spans_html(spans) == "Total *** &lt;net&gt; <strong><em>x<sup>2</sup></em></strong><em> done</em>"
