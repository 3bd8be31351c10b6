"""refine/ on small generated born-digital pages: each mechanism on a page built for it."""

from __future__ import annotations

import json

import pymupdf
import pytest

from glmocr_cli.assemble.html import render_html
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import Task
from glmocr_cli.refine import refine_document
from glmocr_cli.refine.words import rows_of
from helpers.refine_pages import dejavu, doc_from_pdf, one_box, write_pdf
from helpers.refine_pages import region as layout_box

BODY = [
    (72, 300 + 14 * k, text, "helv", 11)
    for k, text in enumerate(
        [
            "The body of this page is set in a plain eleven point face, and it runs on",
            "for several lines so that the refinement sees what ordinary text looks like",
            "when it measures the sizes and weights of the other lines on the page.",
        ]
    )
]


def _width(text: str, font: str, size: float) -> float:
    return pymupdf.get_text_length(text, fontname=font, fontsize=size)


def test_line_end_hyphen_joined_and_a_compound_keeps_its_hyphen(tmp_path):
    pdf = write_pdf(
        tmp_path / "h.pdf",
        [
            [
                (72, 100, "We measured the ef-", "helv", 11),
                (72, 114, "fects of the change on the self-", "helv", 11),
                (72, 128, "locking nuts, as each self-locking nut was tested. It was self-", "helv", 11),
                (72, 142, "evident that the ex-", "helv", 11),
                (72, 156, "ample held.", "helv", 11),
            ]
        ],
    )
    doc = refine_document(doc_from_pdf(pdf))
    text = doc.pages[0].regions[0].content
    assert "effects of the change" in text and "ef- fects" not in text
    assert "the self-locking nuts" in text and "self-evident" in text and "example held" in text


def test_ligature_glyphs_become_plain_letters(tmp_path):
    font = dejavu()
    pdf = write_pdf(tmp_path / "l.pdf", [[(72, 100, "The \ufb01nal \ufb02ow of o\ufb03ce work.", "dv", 11, font)]])
    doc = refine_document(doc_from_pdf(pdf))
    markdown = render_markdown(doc)
    assert "final flow of office work." in markdown
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in markdown)


def test_heading_levels_from_size_and_weight_and_the_title_of_page_one(tmp_path):
    pdf = write_pdf(
        tmp_path / "t.pdf",
        [
            [
                (72, 80, "A Study of Things", "hebo", 12),
                (72, 140, "Introduction", "hebo", 16),
                (72, 200, "Background", "hebo", 13),
                *[(x, y + 20, t, f, s) for x, y, t, f, s in BODY],
                (72, 500, "Method", "hebo", 16),
                *[(x, y + 240, t, f, s) for x, y, t, f, s in BODY],
            ]
        ],
    )
    # the layout model called the title a running header; the text layer says otherwise
    doc = refine_document(doc_from_pdf(pdf, {(0, 0): ("header", Task.ABANDON)}))
    markdown = render_markdown(doc)
    lines = markdown.splitlines()
    assert "# A Study of Things" in lines
    assert "## Introduction" in lines and "## Method" in lines
    assert "### Background" in lines
    assert not any(line.startswith("#") and "plain eleven point" in line for line in lines)


def test_an_italic_line_heads_the_paragraph_below_it_but_an_italic_byline_is_no_heading(tmp_path):
    pdf = write_pdf(
        tmp_path / "i.pdf",
        [
            [
                (72, 80, "A Study of Things", "hebo", 18),
                (72, 110, "Prepared by the Office of Measurements", "heit", 11),
                (72, 160, "Introduction", "hebo", 14),
                (72, 280, "Spring Lock Washer", "heit", 11),
                *BODY,
            ]
        ],
    )
    lines = render_markdown(refine_document(doc_from_pdf(pdf))).splitlines()
    assert "## Introduction" in lines and "### Spring Lock Washer" in lines
    assert "Prepared by the Office of Measurements" in lines  # a plain line, no heading


def test_bulleted_items_one_per_line_with_nesting_from_indent(tmp_path):
    font = dejavu()
    pdf = write_pdf(
        tmp_path / "b.pdf",
        [
            [
                (72, 100, "Tools we used:", "dv", 11, font),
                (90, 118, "\u2022", "dv", 11, font),
                (108, 118, "Typewriters, which were the first machines", "dv", 11, font),
                (108, 132, "to print legible letters", "dv", 11, font),
                (90, 146, "\u2022", "dv", 11, font),
                (108, 146, "Word processors", "dv", 11, font),
                (126, 160, "\u25e6", "dv", 11, font),
                (144, 160, "Dedicated machines", "dv", 11, font),
                (90, 174, "\u2022", "dv", 11, font),
                (108, 174, "Personal computers", "dv", 11, font),
            ]
        ],
    )
    doc = refine_document(doc_from_pdf(pdf))
    markdown = render_markdown(doc)
    assert (
        "- Typewriters, which were the first machines to print legible letters\n- Word processors\n"
        "  - Dedicated machines\n- Personal computers" in markdown
    )
    assert "Tools we used:" in markdown and "\u2022" not in markdown


def test_a_paragraph_back_at_the_bullets_edge_after_a_list_is_not_part_of_its_last_item(tmp_path):
    font = dejavu()
    pdf = write_pdf(
        tmp_path / "t.pdf",
        [
            [
                (90, 100, "\u2022", "dv", 11, font),
                (108, 100, "The index file (maps names to types and weights", "dv", 11, font),
                (108, 114, "for every pattern)", "dv", 11, font),
                (90, 128, "\u2022", "dv", 11, font),
                (108, 128, "The cache file (the same data in one binary file)", "dv", 11, font),
                (90, 142, "Both are rebuilt by the update tool whenever a package changes.", "dv", 11, font),
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    one_box(doc.pages[0])
    markdown = render_markdown(refine_document(doc))
    assert (
        "- The index file (maps names to types and weights for every pattern)\n"
        "- The cache file (the same data in one binary file)\n\n"
        "Both are rebuilt by the update tool whenever a package changes."
    ) in markdown


def test_one_bulleted_item_after_a_lead_in_is_a_list_but_a_lone_dash_is_not(tmp_path):
    font = dejavu()
    lines = [
        (90, 100, "Each node may hold any of these elements:", "dv", 11, font),
        (90, 114, "\u2022", "dv", 11, font),
        (108, 114, "glob elements, with a pattern", "dv", 11, font),
    ]
    doc = doc_from_pdf(write_pdf(tmp_path / "one.pdf", [lines]))
    one_box(doc.pages[0])
    assert "Each node may hold any of these elements:\n\n- glob elements, with a pattern" in render_markdown(
        refine_document(doc)
    )
    dash = [(90, 100, "The range runs from", "dv", 11, font), (90, 114, "- 5 to 10 degrees.", "dv", 11, font)]
    doc = doc_from_pdf(write_pdf(tmp_path / "dash.pdf", [dash]))
    one_box(doc.pages[0])
    assert "The range runs from - 5 to 10 degrees." in render_markdown(refine_document(doc))


def test_numbered_items_keep_their_numbers(tmp_path):
    pdf = write_pdf(
        tmp_path / "n.pdf",
        [
            [
                (90, 100, "1.", "helv", 11),
                (108, 100, "Open the file", "helv", 11),
                (90, 114, "2.", "helv", 11),
                (108, 114, "Read every page", "helv", 11),
            ]
        ],
    )
    markdown = render_markdown(refine_document(doc_from_pdf(pdf)))
    assert "1. Open the file\n2. Read every page" in markdown


def test_monospaced_lines_become_a_fenced_code_block_with_their_indent(tmp_path):
    char = _width("x", "cour", 10)
    pdf = write_pdf(
        tmp_path / "c.pdf",
        [
            [
                (72, 100, "function add(a, b) {", "cour", 10),
                (72 + 4 * char, 112, "return a + b;", "cour", 10),
                (72, 124, "}", "cour", 10),
            ]
        ],
    )
    markdown = render_markdown(refine_document(doc_from_pdf(pdf)))
    assert "```\nfunction add(a, b) {\n    return a + b;\n}\n```" in markdown


def test_code_rows_inside_a_prose_box_become_their_own_block(tmp_path):
    char = _width("x", "cour", 10)
    pdf = write_pdf(
        tmp_path / "mix.pdf",
        [
            [
                (72, 100, "The schema must follow this form:", "helv", 10),
                (72, 114, "Name ::= SEQUENCE {", "cour", 10),
                (72 + 4 * char, 126, "id", "cour", 10),
                (72 + 12 * char, 126, "INTEGER", "cour", 10),  # two PDF lines
                (72, 138, "}", "cour", 10),
                (72, 152, "Every field needs a type.", "helv", 10),
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    one_box(doc.pages[0])
    markdown = render_markdown(refine_document(doc))
    assert (
        "The schema must follow this form:\n\n```\nName ::= SEQUENCE {\n    id      INTEGER\n}\n```\n\n"
        "Every field needs a type."
    ) in markdown


def test_bulleted_rows_in_a_monospaced_font_are_a_list_not_code(tmp_path):
    font = dejavu()
    pdf = write_pdf(
        tmp_path / "ml.pdf",
        [
            [
                (90, 100, "\u2022", "dv", 10, font),
                (108, 100, "UTF8String;", "cour", 10),
                (90, 114, "\u2022", "dv", 10, font),
                (108, 114, "VisibleString;", "cour", 10),
                (90, 128, "\u2022", "dv", 10, font),
                (108, 128, "SEQUENCE OF;", "cour", 10),
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    one_box(doc.pages[0], "algorithm")
    markdown = render_markdown(refine_document(doc))
    assert "- UTF8String;\n- VisibleString;\n- SEQUENCE OF;" in markdown and "```" not in markdown


def test_a_table_of_contents_is_one_nested_list_of_entries_not_headings(tmp_path):
    dots = " ." * 30
    pdf = write_pdf(
        tmp_path / "toc.pdf",
        [
            [
                (72, 80, "Contents", "hebo", 16),
                (72, 110, f"1 Getting started{dots} 1", "hebo", 12),
                (90, 126, f"1.1 Installing{dots} 2", "helv", 10),
                (90, 140, f"1.2 A first run{dots} 3", "helv", 10),
                (72, 160, f"2 Reference{dots} 5", "hebo", 12),
            ]
        ],
    )
    doc = doc_from_pdf(
        pdf,
        {
            (0, 0): ("paragraph_title", Task.TEXT),
            (0, 1): ("paragraph_title", Task.TEXT),
            (0, 4): ("paragraph_title", Task.TEXT),
        },
    )
    doc = refine_document(doc)
    markdown = render_markdown(doc)
    assert "- 1 Getting started … 1\n  - 1.1 Installing … 2\n  - 1.2 A first run … 3\n- 2 Reference … 5" in markdown
    assert "# Contents" in markdown and not any(ln.startswith("#") and "…" in ln for ln in markdown.splitlines())
    page = render_html(doc)
    assert (
        "<ul><li>1 Getting started … 1<ul><li>1.1 Installing … 2</li><li>1.2 A first run … 3</li></ul></li>"
        "<li>2 Reference … 5</li></ul>" in page
    )


def test_a_bulleted_list_right_under_a_table_of_contents_is_not_merged_into_it(tmp_path):
    font = dejavu()
    dots = " ." * 30
    pdf = write_pdf(
        tmp_path / "tl.pdf",
        [
            [
                (72, 110, f"1 Getting started{dots} 1", "dv", 11, font),
                (72, 124, f"2 Reference{dots} 5", "dv", 11, font),
                (90, 138, "\u2022", "dv", 11, font),
                (108, 138, "First note", "dv", 11, font),
                (90, 152, "\u2022", "dv", 11, font),
                (108, 152, "Second note", "dv", 11, font),
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    page = doc.pages[0]
    rows = rows_of(page.regions[0])  # the contents in one box, each bullet row in a box of its own
    page.regions = [layout_box(rows[0] + rows[1], index=0), layout_box(rows[2], index=1), layout_box(rows[3], index=2)]
    markdown = render_markdown(refine_document(doc))
    assert "- 1 Getting started … 1\n- 2 Reference … 5" in markdown
    assert "- First note\n- Second note" in markdown


def test_running_header_footer_and_page_numbers_found_by_repetition(tmp_path):
    pages = [
        [
            (72, 40, "ACME Quarterly Report", "helv", 11),
            *[(x, y + 40 * n, f"Page {n + 1}: {t}", f, s) for x, y, t, f, s in BODY],
            (280, 810, f"{n + 1}", "helv", 11),
        ]
        for n in range(3)
    ]
    doc = refine_document(doc_from_pdf(write_pdf(tmp_path / "f.pdf", pages)))
    markdown = render_markdown(doc)
    assert "ACME Quarterly Report" not in markdown
    assert not any(line.strip() in {"1", "2", "3"} for line in markdown.splitlines())
    assert "Page 2: The body of this page" in markdown
    kept = json.dumps(doc.to_json())  # furniture stays in the JSON, labelled
    assert kept.count("ACME Quarterly Report") >= 3
    labels = {r.content: r.label for p in doc.pages for r in p.regions}
    assert labels["ACME Quarterly Report"] == "header" and labels["3"] == "number"
    assert render_markdown(doc, keep_furniture=True).count("ACME Quarterly Report") == 3


def test_formula_written_as_latex_from_its_glyphs(tmp_path):
    font = dejavu()
    a, plus = _width("a", "heit", 11), " + \u03b2 = 12"
    pdf = write_pdf(
        tmp_path / "m.pdf",
        [
            [
                (200, 100, "a", "heit", 11),
                (200 + a, 95, "2", "helv", 7),
                (200 + a + _width("2", "helv", 7), 100, plus, "dv", 11, font),
            ]
        ],
    )
    doc = doc_from_pdf(pdf, {(0, 0): ("display_formula", Task.FORMULA)})
    doc.pages[0].regions[0].content = ""  # as the lite engine leaves a formula: a crop, unread
    region = refine_document(doc).pages[0].regions[0]
    assert region.content == r"a^{2} + \beta = 12"
    markdown = render_markdown(doc)
    assert "$$\na^{2} + \\beta = 12\n$$" in markdown and "LaTeX written from the PDF's glyphs" in markdown


def test_an_equation_read_as_text_is_a_formula_not_a_heading(tmp_path):
    a = _width("a", "heit", 11)
    pdf = write_pdf(
        tmp_path / "e.pdf",
        [
            [
                *BODY,
                (200, 400, "a", "heit", 11),
                (200 + a, 395, "2", "helv", 7),
                (200 + a + _width("2", "helv", 7), 400, " + 8 = 12", "helv", 11),
            ]
        ],
    )
    doc = doc_from_pdf(pdf, {(0, 1): ("paragraph_title", Task.TEXT)})
    markdown = render_markdown(refine_document(doc))
    assert "$$\na^{2} + 8 = 12\n$$" in markdown
    assert not any(line.startswith("#") for line in markdown.splitlines())


def test_a_caption_is_never_taken_for_a_formula(tmp_path):
    pdf = write_pdf(tmp_path / "cap.pdf", [[(200, 100, "Listing 1: Simple JavaScript Program", "helv", 10)]])
    doc = doc_from_pdf(pdf, {(0, 0): ("display_formula", Task.FORMULA)})
    doc.pages[0].regions[0].content, doc.pages[0].regions[0].image_name = "", "crop.png"
    region = refine_document(doc).pages[0].regions[0]
    assert region.task is Task.TEXT and region.label == "figure_title" and region.image_name is None
    assert "Listing 1: Simple JavaScript Program" in render_markdown(doc)


def test_bold_and_italic_words_are_kept_inline(tmp_path):
    parts = [
        ("This is ", "helv"),
        ("very important", "hebo"),
        (" and ", "helv"),
        ("subtle", "heit"),
        (" text for the reader.", "helv"),
    ]
    items, x = [], 72.0
    for text, font in parts:
        items.append((x, 100, text, font, 11))
        x += _width(text, font, 11)
    markdown = render_markdown(refine_document(doc_from_pdf(write_pdf(tmp_path / "s.pdf", [items]))))
    assert "This is **very important** and *subtle* text for the reader." in markdown


def test_a_line_cut_by_a_layout_box_goes_wholly_to_one_region(tmp_path):
    pdf = write_pdf(tmp_path / "cut.pdf", [[(72, 100, "The Birth of Word Processing", "hebo", 14), *BODY]])
    doc = doc_from_pdf(pdf)
    heading = doc.pages[0].regions[0]
    first, rest = heading.lines[:1], heading.lines[1:]  # the layout box began right of 'The'
    heading.lines, heading.content = rest, " ".join(ln.text for ln in rest)
    cut = type(heading)(
        index=9,
        order=0,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=first[0].bbox,
        score=1.0,
        content="The",
        lines=first,
        text_source="text-layer",
    )
    for region in doc.pages[0].regions:
        region.order += 1
    doc.pages[0].regions.append(cut)
    markdown = render_markdown(refine_document(doc))
    assert "The Birth of Word Processing" in markdown.splitlines()[0]
    assert not any(line.strip() == "The" for line in markdown.splitlines())


def test_a_cut_line_written_as_two_pdf_blocks_is_still_one_line(tmp_path):
    # Some PDFs write a line's first word as a block of its own: the text layer numbers it apart,
    # and the word that joined its region late sits at the end of the region's lines.
    pdf = write_pdf(
        tmp_path / "cut.pdf", [[(72, 100, "There are two important requirements here:", "helv", 11), *BODY]]
    )
    doc = doc_from_pdf(pdf)
    para = doc.pages[0].regions[0]
    first, rest = para.lines[:1], para.lines[1:]
    first[0].style.line = 999  # another block's line number
    late = rest[0]
    para.lines, para.content = rest[1:] + [late], " ".join(ln.text for ln in rest)
    cut = type(para)(
        index=9,
        order=0,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=first[0].bbox,
        score=1.0,
        content="There",
        lines=first,
        text_source="text-layer",
    )
    for region in doc.pages[0].regions:
        region.order += 1
    doc.pages[0].regions.append(cut)
    markdown = render_markdown(refine_document(doc))
    assert "There are two important requirements here:" in markdown
    assert not any(line.strip() == "There" for line in markdown.splitlines())


def test_the_first_line_of_a_document_not_repeated_is_its_title_even_unstyled(tmp_path):
    pages = [[(72, 60, "Plain Looking Title", "helv", 11), *BODY], [*BODY], [*BODY]]
    doc = doc_from_pdf(write_pdf(tmp_path / "u.pdf", pages), {(0, 0): ("header", Task.ABANDON)})
    for page in doc.pages:  # as OCR leaves them: no fonts known
        for region in page.regions:
            for line in region.lines:
                line.style = None
    markdown = render_markdown(refine_document(doc))
    assert markdown.startswith("# Plain Looking Title")


def test_ocr_lines_whose_bullets_were_not_read_still_make_items(tmp_path):
    pdf = write_pdf(
        tmp_path / "o.pdf",
        [
            [
                (108, 100, "Typewriters: the first machines that printed", "helv", 11),
                (108, 114, "legible letters.", "helv", 11),
                (108, 128, "Word processors: dedicated machines with screens", "helv", 11),
                (108, 142, "and floppy disks.", "helv", 11),
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    region = doc.pages[0].regions[0]
    for line in region.lines:  # as OCR leaves them: no fonts, the bullets unread
        line.style = None
    region.bbox = (90.0, *region.bbox[1:])  # the layout box still covers the bullets' column
    markdown = render_markdown(refine_document(doc))
    assert (
        "- Typewriters: the first machines that printed legible letters.\n"
        "- Word processors: dedicated machines with screens and floppy disks." in markdown
    )
    region.bbox = (107.0, *region.bbox[1:])  # no room for markers: a plain paragraph
    for line in region.lines:
        line.style = None
    region.kind, region.blocks = None, []
    assert "- " not in render_markdown(refine_document(doc))


def test_html_carries_heading_levels_and_code(tmp_path):

    pdf = write_pdf(
        tmp_path / "hc.pdf",
        [
            [
                (72, 80, "Setup Guide", "hebo", 18),
                (72, 140, "Install", "hebo", 14),
                *BODY,
                (72, 500, "pip install x", "cour", 10),
            ]
        ],
    )
    page = render_html(refine_document(doc_from_pdf(pdf)))
    assert "<h1>Setup Guide</h1>" in page and "<h2>Install</h2>" in page
    assert "<pre><code>pip install x</code></pre>" in page


def test_captions_level_with_each_other_in_two_columns_stay_apart(tmp_path):
    pdf = write_pdf(
        tmp_path / "cols.pdf",
        [[(72, 100, "Figure 1. Left nut.", "helv", 9), (330, 100, "Figure 2. Right bolt.", "helv", 9)]],
    )
    doc = doc_from_pdf(pdf)
    words = doc.pages[0].regions[0].lines + (doc.pages[0].regions[1].lines if len(doc.pages[0].regions) > 1 else [])
    left = [w for w in words if w.bbox[0] < 300]
    right = [w for w in words if w.bbox[0] >= 300]
    assert {w.style.line for w in left}.isdisjoint({w.style.line for w in right})


def test_a_body_paragraph_the_layout_called_a_title_is_a_paragraph(tmp_path):
    pdf = write_pdf(tmp_path / "p.pdf", [[(72, 80, "Results", "hebo", 14), *BODY]])
    doc = doc_from_pdf(pdf, {(0, 1): ("paragraph_title", Task.TEXT)})
    markdown = render_markdown(refine_document(doc))
    assert "# Results" in markdown
    assert not any(line.startswith("#") and "eleven point" in line for line in markdown.splitlines())


def test_a_plain_line_leading_into_a_list_is_no_heading_even_when_the_layout_says_title(tmp_path):
    pdf = write_pdf(tmp_path / "p.pdf", [[(72, 80, "The files the tool creates are:", "helv", 11), *BODY]])
    doc = doc_from_pdf(pdf, {(0, 0): ("paragraph_title", Task.TEXT)})
    markdown = render_markdown(refine_document(doc))
    assert "The files the tool creates are:" in markdown
    assert not any(line.startswith("#") for line in markdown.splitlines())


def test_a_title_box_holding_a_heading_and_its_first_paragraph_gives_one_heading(tmp_path):
    pdf = write_pdf(
        tmp_path / "hp.pdf",
        [
            [
                (72, 80, "3.3 Running the decoder", "hebo", 14),
                (72, 100, "The decoder reads a schema and a binary file and prints the structure.", "helv", 11),
                *BODY,
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    one_box(doc.pages[0], "paragraph_title", count=2)
    markdown = render_markdown(refine_document(doc))
    assert "3.3 Running the decoder\n\nThe decoder reads a schema" in markdown
    assert not any(ln.startswith("#") and "decoder reads" in ln for ln in markdown.splitlines())


def test_ocr_side_headings_by_shape(tmp_path):
    pdf = write_pdf(
        tmp_path / "side.pdf",
        [
            [
                (72, 100, "Quarter Turn Fastener", "helv", 11),
                *[(x, y - 186, t, f, s) for x, y, t, f, s in BODY],
                (72, 300, "Split Ring Washer", "helv", 11),
                *[(x, y + 14, t, f, s) for x, y, t, f, s in BODY],
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    page = doc.pages[0]
    first, second = page.regions[0], page.regions[-1]
    if len(page.regions) == 3:  # the side heading and its paragraph in one region, as OCR gives it
        second.lines = page.regions[1].lines + second.lines
        second.content = " ".join(ln.text for ln in second.lines)
        page.regions.remove(page.regions[1])
    for region in page.regions:
        for line in region.lines:
            line.style = None
    markdown = render_markdown(refine_document(doc)).splitlines()
    assert "# Quarter Turn Fastener" in markdown and "## Split Ring Washer" in markdown  # the first is the title
    assert not any(line.startswith("#") and "eleven point" in line for line in markdown)


@pytest.mark.parametrize(
    "text, caption",
    [
        ("Listing 1: a loop", True),
        ("Listing 1:Loop", True),
        ("Table 3 Results", True),
        ("TABLE IV. Data", True),
        ("Fig. 2.4.", True),
        ("Figure 3a: detail", True),
        ("Table in the appendix", False),
        ("Example ix", False),
        ("Tables 3 and 4 show", False),
    ],
)
def test_a_caption_opens_with_a_caption_word_and_a_number(text, caption):
    """One pattern for furniture, formulas and figures: a caption word alone ("Table in ...") is prose."""
    from glmocr_cli.text_patterns import CAPTION

    assert bool(CAPTION.match(text)) is caption


def test_a_title_box_holding_a_title_and_a_subtitle_in_another_print_gives_two_headings(tmp_path):
    # a layout model (DocLayNet) boxes a title and the subtitle under it together: each print size
    # is a heading of its own level, the larger first
    pdf = write_pdf(
        tmp_path / "ts.pdf",
        [
            [
                (72, 80, "Harbour Survey Office", "hebo", 24),
                (72, 104, "Yearly Review 2031", "helv", 16),
                *[(x, y + 60, t, f, s) for x, y, t, f, s in BODY],
            ]
        ],
    )
    doc = doc_from_pdf(pdf)
    one_box(doc.pages[0], "doc_title", count=1)  # the text layer's first block: title and subtitle
    assert len(rows_of(doc.pages[0].ordered_regions()[0])) == 2
    lines = render_markdown(refine_document(doc)).splitlines()
    assert "# Harbour Survey Office" in lines and "## Yearly Review 2031" in lines
