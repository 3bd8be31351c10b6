"""refine/continuations.py and refine/lists.py's region-level decisions (a paragraph cut inside a
hyphenated word, a list item whose bullet was not read, lists in text without word boxes), and the
Markdown and HTML writers showing them alike."""

from __future__ import annotations

import json
from pathlib import Path

from glmocr_cli.assemble.html import render_html
from glmocr_cli.assemble.json_doc import load_document, render_json
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import DocResult, PageResult, Region, Task
from glmocr_cli.labels import Join, Kind, PageSource
from glmocr_cli.refine import refine_document
from glmocr_cli.refine.lists import items_between_items, lists_from_text
from helpers.refine_pages import doc_from_pdf, write_pdf

BODY = "The body text runs on in a plain face, as ordinary paragraphs do on a page of a report."


def _paragraph(y: float, lines: list[str]) -> list[tuple]:
    return [(72, y + 14 * k, text, "helv", 11) for k, text in enumerate(lines)]


def test_a_paragraph_cut_at_the_page_end_inside_a_word_is_one_paragraph_again(tmp_path):
    pdf = write_pdf(
        tmp_path / "cut.pdf",
        [
            _paragraph(100, [BODY, "and the last line of the page ends in the middle of a long exam-"]),
            _paragraph(100, ["ination of the samples, which goes on here.", BODY]),
        ],
    )
    doc = refine_document(doc_from_pdf(pdf))
    second = doc.pages[1].ordered_regions()[0]
    assert second.joins == Join.WORD
    markdown, page = render_markdown(doc), render_html(doc)
    assert "a long examination of the samples" in markdown and "<!-- page 2 -->" not in markdown.split("examination")[0]
    assert "a long examination of the samples" in page and "exam-" not in page
    assert doc.pages[0].ordered_regions()[0].content.endswith("exam-")  # the regions keep their own text


def test_a_compound_cut_at_its_hyphen_keeps_it_and_a_capital_is_no_second_half(tmp_path):
    pdf = write_pdf(
        tmp_path / "compound.pdf",
        [
            _paragraph(100, ["Every self-locking nut was tested, each in turn. One was self-"]),
            _paragraph(100, ["locking at first, then loose; the next was a well made part and"]),
            _paragraph(100, ["The next paragraph opens with a capital after a page's end, re-"]),
            _paragraph(100, ["Lewis wrote, so nothing is joined here."]),
        ],
    )
    doc = refine_document(doc_from_pdf(pdf))
    joins = [page.regions[0].joins for page in doc.pages]
    assert joins == [None, Join.COMPOUND, None, None]
    markdown = render_markdown(doc)
    assert "One was self-locking at first" in markdown and "re-\n\n<!-- page 4 -->\n\nLewis" in markdown


def test_nothing_is_joined_across_a_table_or_into_a_list_item(tmp_path):
    pdf = write_pdf(
        tmp_path / "blocked.pdf",
        [
            _paragraph(100, ["A sentence that breaks before the table in a hyphen-"]),
            _paragraph(100, ["ated word, which is not this table's text."]),
            _paragraph(100, ["A sentence that breaks before a list in a hyphen-"]),
            _paragraph(100, ["\u2022 ated item of the list", "\u2022 and its second item"]),
        ],
    )
    doc = doc_from_pdf(pdf, labels={(1, 0): ("table", Task.TABLE)})
    doc.pages[1].regions[0].content = "<table><tr><td>ated word</td></tr></table>"
    refine_document(doc)
    assert doc.pages[3].regions[0].kind == Kind.LIST
    assert [page.regions[0].joins for page in doc.pages] == [None, None, None, None]


def test_a_join_is_kept_in_the_json_and_read_back(tmp_path):
    pdf = write_pdf(
        tmp_path / "cut.pdf",
        [_paragraph(100, [BODY, "which ends in a exam-"]), _paragraph(100, ["ination of it.", BODY])],
    )
    doc = refine_document(doc_from_pdf(pdf))
    data = json.loads(render_json(doc))
    assert data["pages"][1]["regions"][0]["joins"] == "word"
    again = load_document(data)
    assert again.pages[1].regions[0].joins == Join.WORD
    assert render_markdown(again) == render_markdown(doc)


def _text_region(order: int, content: str, left: float = 50.0) -> Region:
    return Region(order, order, "text", "text", Task.TEXT, (left, 40.0 * order, 500.0, 40.0 * order + 30), 0.9, content)


def _document(*regions: Region) -> DocResult:
    page = PageResult(0, 1000, 1400, PageSource.IMAGE, 200, None, 0, regions=list(regions))
    return DocResult(Path("p.png"), Path("p.png"), "0" * 64, [page], {}, {})


def test_a_plain_region_between_two_bulleted_ones_and_in_line_with_them_is_their_item():
    doc = _document(
        _text_region(0, "• first item"),
        _text_region(1, "second item, its bullet not read"),
        _text_region(2, "• third item"),
        _text_region(3, "a paragraph further right", left=200.0),
        _text_region(4, "• fourth item"),
    )
    lists_from_text(doc)
    items_between_items(doc)
    kinds = [region.kind for region in doc.pages[0].ordered_regions()]
    assert kinds == [Kind.LIST, Kind.LIST, Kind.LIST, None, Kind.LIST]  # 10 of 1000 wide: out of line
    markdown = render_markdown(doc)
    assert "- first item\n\n- second item, its bullet not read\n\n- third item" in markdown
    assert "<ul><li>second item, its bullet not read</li></ul>" in render_html(doc)


def test_lists_in_text_without_word_boxes_from_the_lines_openings():
    doc = _document(
        _text_region(0, "Fruits we sell:\n• apples\n• pears, when\nin season"),
        _text_region(1, "1) one\n2) two"),
        _text_region(2, "**Note** the price.\n*Fresh* daily."),
        _text_region(3, "A paragraph that says\n- once, then goes on."),
    )
    lists_from_text(doc)
    fruits, numbered, emphasis, paragraph = doc.pages[0].ordered_regions()
    assert (fruits.kind, numbered.kind, emphasis.kind, paragraph.kind) == (Kind.LIST, Kind.LIST, None, None)
    markdown = render_markdown(doc)
    assert "Fruits we sell:\n\n- apples\n- pears, when\nin season" in markdown
    assert "1. one\n2. two" in markdown and "**Note** the price." in markdown
    assert "<ol><li>one</li><li>two</li></ol>" in render_html(doc)
