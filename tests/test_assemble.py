"""Markdown, HTML, JSON and layout pictures from hand-made documents (every kind of region)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from glmocr_cli.assemble.html import render_html, sanitize_table
from glmocr_cli.assemble.json_doc import render_json, validate_document
from glmocr_cli.assemble.layout_vis import render_layout_vis
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import DocResult, PageResult, Region, Task, TextLine, TextStyle
from glmocr_cli.labels import PageSource
from glmocr_cli.refine.continuations import join_cut_words
from glmocr_cli.refine.equation_numbers import number_equations
from glmocr_cli.refine.lists import lists_from_text

PNG = (lambda: (lambda b: (Image.new("RGB", (4, 4), "red").save(b, format="PNG"), b.getvalue())[1])(io.BytesIO()))()


def region(order: int, label: str, task: Task, content: str = "", **extra) -> Region:
    return Region(
        index=order,
        order=order,
        label=label,
        native_label=label,
        task=task,
        bbox=(10.0, 10.0 + 50 * order, 300.0, 50.0 + 50 * order),
        score=0.9,
        content=content,
        **extra,
    )


def document() -> DocResult:
    page1 = PageResult(
        0,
        400,
        800,
        PageSource.PDF,
        200,
        (144.0, 288.0),
        0,
        regions=[
            region(1, "paragraph_title", Task.TEXT, "1. Methods"),
            region(0, "doc_title", Task.TEXT, "A <Study>"),
            region(2, "text", Task.TEXT, "• first point"),
            region(3, "display_formula", Task.FORMULA, "E = mc^2"),
            region(4, "formula_number", Task.TEXT, "(3)"),
            region(
                5,
                "table",
                Task.TABLE,
                '<table><tr><td colspan="2" onclick="x()">a<script>bad()</script></td></tr></table>',
            ),
            region(6, "image", Task.SKIP, image_name="fig.png", image_png=PNG),
            region(7, "text", Task.TEXT, "The results were exam-"),
            region(8, "footer", Task.ABANDON, "Journal footer 2024"),
        ],
    )
    page2 = PageResult(
        1,
        400,
        800,
        PageSource.PDF,
        200,
        (144.0, 288.0),
        0,
        regions=[
            region(0, "text", Task.TEXT, "ined twice <b>carefully</b>.", flags=["low-confidence"], confidence=0.4),
            region(1, "display_formula", Task.FORMULA, "", image_name="formula.png", image_png=PNG),
        ],
    )
    return DocResult(Path("in/study.pdf"), Path("study.pdf"), "0" * 64, [page1, page2], {"name": "lite"}, {"dpi": 200})


def refined(doc: DocResult) -> DocResult:
    """The hand-made document with refine/'s list, join and equation-number decisions (its other
    steps would judge the lone footer body text)."""
    lists_from_text(doc)
    join_cut_words(doc)
    number_equations(doc)
    return doc


def test_markdown_structure_and_what_refine_decided():
    assert "• first point" in render_markdown(document())  # the writer decides nothing: refine/ does
    md = render_markdown(refined(document()))
    lines = md.split("\n\n")
    assert lines[0] == "# A &lt;Study>"  # raw HTML in text is shown, not run (issue 19)
    assert lines[1] == "## 1. Methods"
    assert "- first point" in md
    assert "$$\nE = mc^2 \\tag{3}\n$$" in md and "(3)" not in md.replace("\\tag{3}", "")
    assert '<table><tr><td colspan="2"' in md
    assert "![image](images/fig.png)" in md and "![display_formula](images/formula.png)" in md
    assert "The results were examined twice" in md  # hyphen joined across the page break
    kept = render_markdown(refined(document()), keep_furniture=True)
    assert "Journal footer" not in md and "The results were examined twice" in kept
    assert kept.index("Journal footer") > kept.index("examined twice")  # kept furniture after the joined paragraph
    assert md.index("<!-- page 2 -->") > md.index("![image]")
    assert "<!-- low-confidence -->" in md


def test_html_is_self_contained_and_escaped():
    page = render_html(document())
    assert page.startswith("<!DOCTYPE html>") and "<h1>A &lt;Study&gt;</h1>" in page
    assert "<script>" not in page and "onclick" not in page and "bad()" in page  # text kept, code not
    assert "data:image/png;base64," in page and "http://" not in page and "https://" not in page
    assert "&lt;b&gt;carefully&lt;/b&gt;" in page and 'title="low-confidence"' in page
    decided = render_html(refined(document()))
    assert "<ul><li>first point</li></ul>" in decided  # refine/'s list and join, as in the Markdown
    assert "The results were examined twice &lt;b&gt;carefully" in decided and "ined twice" not in decided.replace(
        "examined", ""
    )
    assert (
        sanitize_table('<table><tr><td rowspan="2" style="x">1</td></tr></table>')
        == '<table><tr><td rowspan="2">1</td></tr></table>'
    )


def test_json_validates_and_a_broken_document_does_not():
    data = json.loads(render_json(document()))
    validate_document(data)
    assert data["pages"][0]["regions"][0]["label"] == "doc_title"  # in reading order
    assert "image_png" not in data["pages"][0]["regions"][6]
    data["pages"][0]["regions"][0]["label"] = "not-a-label"
    with pytest.raises(jsonschema.ValidationError):
        validate_document(data)
    del data["pages"][0]["regions"][0]["label"]
    with pytest.raises(jsonschema.ValidationError):
        validate_document(data)


def test_json_keeps_every_word_with_its_style_one_word_per_row():
    doc = document()
    words = [
        TextLine((10.0, 10.0, 40.0, 22.0), 'say "hi"', 1.0, TextStyle(size=9.5, font="Mono", mono=True, line=0)),
        TextLine(
            (44.0, 10.0, 60.0, 22.0), "E=mc2", 0.98, TextStyle(size=10.0, line=0, pieces=[("E=mc", ""), ("2", "sup")])
        ),
        TextLine((64.0, 10.0, 90.0, 22.0), "ال", 0.9),
    ]
    doc.pages[0].regions[2].lines = words
    text = render_json(doc)
    data = json.loads(text)
    validate_document(data)
    assert data == json.loads(json.dumps(doc.to_json()))  # the same document as the plain encoder gives
    lines = next(r["lines"] for r in data["pages"][0]["regions"] if r["lines"])
    assert [ln["text"] for ln in lines] == ['say "hi"', "E=mc2", "ال"]
    assert lines[1]["style"]["pieces"] == [["E=mc", ""], ["2", "sup"]] and lines[2]["style"] is None
    rows = [row.strip() for row in text.splitlines() if '"text": ' in row and '"bbox"' in row]
    assert len(rows) == 3 and all(row.startswith("{") for row in rows)  # one compact row per word


def test_layout_picture_has_the_page_size_and_coloured_boxes():
    page = Image.new("RGB", (400, 800), "white")
    png = render_layout_vis(page, document().pages[0].ordered_regions())
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    assert picture.size == (400, 800)
    assert picture.getpixel((150, 30)) != (255, 255, 255)  # inside the first box: tinted
    assert picture.getpixel((390, 790)) == (255, 255, 255)  # outside every box: untouched


def test_a_heading_ending_in_a_hyphen_is_not_joined_to_the_next_paragraph():
    page = PageResult(
        0,
        400,
        800,
        PageSource.IMAGE,
        None,
        None,
        0,
        regions=[region(0, "paragraph_title", Task.TEXT, "Pre-"), region(1, "text", Task.TEXT, "overall the data")],
    )
    md = render_markdown(DocResult(Path("a.png"), Path("a.png"), "0" * 64, [page], {"name": "lite"}, {}))
    assert "## Pre-\n\noverall the data" in md


def test_formulas_become_sanitised_mathml_with_their_number_at_the_right():
    from glmocr_cli.assemble.mathml import formula_html

    block = formula_html(r"\frac{a^{2}}{b_{1}} = \sqrt{c} \tag{2}")
    assert block.startswith('<div class="formula"><math') and '<span class="eqno">(2)</span>' in block
    assert all(f"<{tag}" in block for tag in ("mfrac", "msup", "msub", "msqrt"))
    assert "\\tag" not in block
    hostile = formula_html(r"x + \text{<script>alert(1)</script>}")
    assert "<script" not in hostile and "<mtext>alert(1)</mtext>" in hostile  # markup dropped, text kept


def test_lines_that_markdown_would_take_for_structure_are_escaped_in_plain_text():
    page = PageResult(
        0,
        400,
        800,
        PageSource.IMAGE,
        200,
        None,
        0,
        regions=[
            region(0, "text", Task.TEXT, "Booth form\n# of booths: 3\n- 5 dB at most\n31812012.\n> 2 hours"),
            region(1, "text", Task.TEXT, "• apples\n• pears"),
        ],
    )
    doc = refined(DocResult(Path("f.png"), Path("f.png"), "0" * 64, [page], {}, {}))
    markdown = render_markdown(doc)
    assert "Booth form\n\\# of booths: 3\n\\- 5 dB at most\n31812012\\.\n\\> 2 hours" in markdown
    assert "- apples\n- pears" in markdown  # refine/ made this one a list: its marks stay
