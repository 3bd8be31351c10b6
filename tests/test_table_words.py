"""Tables without rulings on born-digital pages, read from the words' geometry: PDFs drawn with
PyMuPDF (no rulings unless a test draws them), read by the real table reader and detector."""

from __future__ import annotations

from pathlib import Path

import pymupdf
from PIL import Image

from glmocr_cli.document import PageImage
from glmocr_cli.labels import PageSource
from glmocr_cli.recognize.tables.lite_table import LiteTableRecognizer
from glmocr_cli.layout.table_detect import pdf_tables
from helpers.html_grid import parse_grid


def _right(page, x_right: float, y: float, text: str, size: float = 9) -> None:
    """Text set flush right at x_right (numbers in a column are aligned on their last digit)."""
    width = pymupdf.get_text_length(text, fontsize=size)
    page.insert_text((x_right - width, y), text, fontsize=size)


def _financial_pdf(path: Path) -> pymupdf.Page:
    """A statement: a paragraph, then a label column, '$' signs standing apart from right-aligned
    amounts, two years spanning their 'Amount' and '%' sub-columns, a wrapped label, a total."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 90), "The statement below sums the revenue of the two years.", fontsize=10)
    y = 140
    page.insert_text((290, y), "2009", fontsize=9)
    page.insert_text((440, y), "2010", fontsize=9)
    y += 14
    page.insert_text((72, y), "Item", fontsize=9)
    for x, head in ((300, "Amount"), (362, "%"), (450, "Amount"), (512, "%")):
        _right(page, x + 20, y, head)
    rows = [
        ("Sales of goods", "1,204", "61.2", "1,310", "60.8"),
        ("Services to public", None, None, None, None),
        ("bodies and agencies", "512", "26.0", "590", "27.4"),
        ("Interest received", "251", "12.8", "254", "11.8"),
        ("Total", "1,967", "100.0", "2,154", "100.0"),
    ]
    for label, *values in rows:
        y += 14
        page.insert_text((72, y), label, fontsize=9)
        if values[0] is None:
            continue
        for (x, dollar), value in zip(((320, True), (382, False), (470, True), (532, False)), values):
            if dollar:
                page.insert_text((x - 62, y), "$", fontsize=9)
            _right(page, x, y, value)
    page.insert_text((72, y + 40), "Amounts in thousands of dollars, as reported at the end of each year.", fontsize=10)
    doc.save(path)
    return pymupdf.open(path)[0]


def _page_image(pdf_page, path: Path) -> PageImage:
    pix = pdf_page.get_pixmap(dpi=72)
    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    return PageImage(
        path, 0, image, PageSource.PDF, dpi=72, size_pt=(pdf_page.rect.width, pdf_page.rect.height), pdf_page=pdf_page
    )


def _financial_grid(tmp_path) -> list[list[list]]:
    pdf_page = _financial_pdf(tmp_path / "statement.pdf")
    page = _page_image(pdf_page, tmp_path / "statement.pdf")
    result = LiteTableRecognizer(use_model=False).recognize(page, (60, 125, 560, 230), [])
    assert result.method == "pdf-words"
    return parse_grid(result.html)


def test_dollar_signs_join_their_amounts_and_numbers_keep_their_columns(tmp_path):
    rows = _financial_grid(tmp_path)
    body = {row[0][0]: [cell[0] for cell in row[1:]] for row in rows if row and row[0][0]}
    assert body["Sales of goods"] == ["$ 1,204", "61.2", "$ 1,310", "60.8"]
    assert body["Total"] == ["$ 1,967", "100.0", "$ 2,154", "100.0"]


def test_year_header_spans_its_sub_columns_and_the_label_header_spans_the_tiers(tmp_path):
    rows = _financial_grid(tmp_path)
    top = rows[0]
    assert ["Item", 2, 1] in top  # 'Item' beside the years reaches down through both tiers
    assert ["2009", 1, 2] in top and ["2010", 1, 2] in top
    assert [cell[0] for cell in rows[1]] == ["Amount", "%", "Amount", "%"]


def test_a_wrapped_label_is_one_cell_with_its_numbers(tmp_path):
    rows = _financial_grid(tmp_path)
    labels = [row[0][0] for row in rows[2:]]
    assert labels == ["Sales of goods", "Services to public bodies and agencies", "Interest received", "Total"]
    assert all(len(row) == 5 for row in rows[2:])


def test_wrapped_descriptions_of_a_text_table_join_their_row(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    rows = [
        ("Type", ["Description"]),
        ("Visual scale", ["A line of fixed length with words", "that anchor the scale at its ends."]),
        ("Rating scale", ["A set of numbered categories", "to choose from."]),
        ("Checklist", ["A simple choice between options."]),
    ]
    y = 100
    for label, lines in rows:
        for k, line in enumerate(lines):
            if k == 0:
                page.insert_text((72, y), label, fontsize=9)
            page.insert_text((200, y), line, fontsize=9)
            y += 11
        y += 6
    grid = parse_grid(
        LiteTableRecognizer(use_model=False).recognize(_page_image(page, tmp_path / "t.pdf"), (60, 85, 420, y), []).html
    )
    assert [[cell[0] for cell in row] for row in grid] == [
        ["Type", "Description"],
        ["Visual scale", "A line of fixed length with words that anchor the scale at its ends."],
        ["Rating scale", "A set of numbered categories to choose from."],
        ["Checklist", "A simple choice between options."],
    ]


def test_ruled_rows_bound_the_cells_of_a_text_table(tmp_path):
    """Rules under every row: lines between two rules are one row, even where the label wraps too."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    rows = [
        ("Item", ["Cost"]),
        ("Books and", ["Books can be expensive.", "Supplies add to it."]),
        ("Fees", ["Fees depend on the school.", "Ask the school for a list."]),
        ("Travel", ["Trips home in the breaks."]),
    ]
    y = 100
    page.draw_line((70, y - 10), (420, y - 10))
    for label, lines in rows:
        for k, line in enumerate(lines):
            page.insert_text(
                (72, y), label if k == 0 else ("school supplies" if label == "Books and" else ""), fontsize=9
            )
            page.insert_text((200, y), line, fontsize=9)
            y += 11
        page.draw_line((70, y - 8), (420, y - 8))
        y += 4
    grid = parse_grid(
        LiteTableRecognizer(use_model=False).recognize(_page_image(page, tmp_path / "t.pdf"), (60, 85, 430, y), []).html
    )
    texts = [[cell[0] for cell in row] for row in grid]
    assert texts[1] == ["Books and school supplies", "Books can be expensive. Supplies add to it."]
    assert texts[2] == ["Fees", "Fees depend on the school. Ask the school for a list."]
    assert len(texts) == 4


def test_a_table_without_rulings_or_layout_box_is_found_between_paragraphs(tmp_path):
    pdf_page = _financial_pdf(tmp_path / "statement.pdf")
    page = _page_image(pdf_page, tmp_path / "statement.pdf")
    boxes = pdf_tables(page)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    # From the year header (y 140) to the total (y 224), not the paragraphs above and below.
    assert 125 <= y0 <= 135 and 220 <= y1 <= 230 and x0 < 80 and x1 > 525


def test_a_page_of_prose_holds_no_table(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    text = (
        "Tables are found from the alignment of their words, and a paragraph of running text "
        "has no such alignment: its words follow each other at one space. "
    ) * 6
    page.insert_textbox(pymupdf.Rect(72, 72, 300, 700), text, fontsize=10)
    page.insert_textbox(pymupdf.Rect(320, 72, 540, 700), text, fontsize=10)
    assert pdf_tables(_page_image(page, tmp_path / "p.pdf")) == []


def test_copies_of_one_table_side_by_side_become_one_table_each(tmp_path):
    """A long list cut into three blocks under one layout box: the header repeats every two columns."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for block, x in enumerate((72, 252, 432)):
        page.insert_text((x, 100), "Age", fontsize=9)
        _right(page, x + 130, 100, "Population")
        for r in range(6):
            page.insert_text((x, 114 + 12 * r), f"{block * 6 + r} years", fontsize=9)
            _right(page, x + 130, 114 + 12 * r, f"{(block * 6 + r + 3) * 1234:,}")
    page_image = _page_image(page, tmp_path / "t.pdf")
    boxes = pdf_tables(page_image, known=[(60, 88, 580, 190)])
    assert len(boxes) == 3
    lefts = sorted(b[0] for b in boxes)
    assert abs(lefts[0] - 72) < 3 and abs(lefts[1] - 252) < 3 and abs(lefts[2] - 432) < 3
    assert all(b[2] - b[0] < 150 for b in boxes)


def test_leader_dots_and_a_typed_dash_rule_are_no_cells(tmp_path):
    """A contents-style table: dot leaders run from each label to its first number and a row of
    dashes is typed under the header; '...' standing for a missing value stays a cell."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = 100
    page.insert_text((72, y), "Share", fontsize=9)
    for x, head in ((250, "2001"), (320, "2002"), (390, "2003")):
        _right(page, x, y, head)
    y += 12
    page.insert_text((72, y), "-" * 60, fontsize=9)
    for label, values in (
        ("0.99", ("800", "880", "960")),
        ("0.95", ("160", "...", "192")),
        ("0.90", ("80", "88", "96")),
    ):
        y += 12
        page.insert_text((72, y), label + " " + "." * 30, fontsize=9)
        for x, value in zip((250, 320, 390), values):
            _right(page, x, y, value)
    grid = parse_grid(
        LiteTableRecognizer(use_model=False)
        .recognize(_page_image(page, tmp_path / "t.pdf"), (60, 85, 420, y + 5), [])
        .html
    )
    assert [[cell[0] for cell in row] for row in grid] == [
        ["Share", "2001", "2002", "2003"],
        ["0.99", "800", "880", "960"],
        ["0.95", "160", "...", "192"],
        ["0.90", "80", "88", "96"],
    ]


def test_copies_of_one_table_one_under_the_other_become_one_table_each(tmp_path):
    """Two tables of one form stacked under one layout box: the spanning header line comes again at
    the same left edge (the sub-headers differ), and each copy's columns stand apart from the other's."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = 100
    for block, x_first in enumerate((200, 230)):
        page.insert_text((250, y), "Group size", fontsize=9)
        y += 12
        page.insert_text((72, y), "Share", fontsize=9)
        for k in range(3):
            _right(page, x_first + 60 * k, y, f"{block + 1}.{k}")
        for r in range(4):
            y += 12
            page.insert_text((72, y), f"0.{9 - r}", fontsize=9)
            for k in range(3):
                _right(page, x_first + 60 * k, y, f"{(block * 3 + k + 1) * (r + 2) * 111:,}")
        y += 20
    boxes = sorted(pdf_tables(_page_image(page, tmp_path / "t.pdf"), known=[(60, 88, 420, y)]), key=lambda b: b[1])
    assert len(boxes) == 2
    assert boxes[0][3] < 166 < boxes[1][1]


def test_numbers_set_between_the_two_lines_of_their_label_join_it(tmp_path):
    """A label wrapped onto two lines with its numbers level with the middle of the two is one row."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 100), "Totals", fontsize=9)
    for k, head in enumerate(("FY 2010", "FY 2011")):
        _right(page, 300 + 60 * k, 100, head)
    page.insert_text((72, 118), "Matters received", fontsize=9)
    page.insert_text((72, 132), "By the office", fontsize=9)
    for k, value in enumerate(("426", "365")):
        _right(page, 300 + 60 * k, 125, value)
    page.insert_text((72, 148), "Cases charged", fontsize=9)
    for k, value in enumerate(("217", "197")):
        _right(page, 300 + 60 * k, 148, value)
    grid = parse_grid(
        LiteTableRecognizer(use_model=False)
        .recognize(_page_image(page, tmp_path / "t.pdf"), (60, 85, 420, 155), [])
        .html
    )
    assert [[cell[0] for cell in row] for row in grid] == [
        ["Totals", "FY 2010", "FY 2011"],
        ["Matters received By the office", "426", "365"],
        ["Cases charged", "217", "197"],
    ]


def test_stray_rows_under_a_table_keeping_to_its_columns_join_it(tmp_path):
    """The layout box cut a table short: the words of its last rows, under it and set in its columns,
    join it; a paragraph line under the table stays out."""
    from glmocr_cli.document import TextLine
    from glmocr_cli.layout.line_regions import attach_word_rows_to_tables
    from glmocr_cli.layout.table_words import page_words

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 100), "Place", fontsize=9)
    _right(page, 300, 100, "n")
    _right(page, 360, 100, "%")
    y = 100
    rows = [("Residence", "60", "27.7"), ("Grounds", "58", "26.7"), ("Offices", "56", "25.8")]
    for label, n, share in [*rows, ("Other", "15", "6.9"), ("Total", "217", "100.0")]:
        y += 12
        page.insert_text((72, y), label, fontsize=9)
        _right(page, 300, y, n)
        _right(page, 360, y, share)
    page.insert_text((72, y + 14), "The places of 217 incidents, by share.", fontsize=9)
    words = [TextLine(w.bbox, w.text, 1.0) for w in page_words(page, page.rect)]
    members = [[w for w in words if w.bbox[3] < 140]]
    strays = [w for w in words if w.bbox[3] >= 140]
    boxes = [bbox_of(members[0])]
    left = attach_word_rows_to_tables(strays, boxes, members, [True])
    assert sorted(w.text for w in left) == sorted("The places of 217 incidents, by share.".split())
    assert 160 < boxes[0][3] < 170


def bbox_of(lines) -> tuple[float, float, float, float]:
    return (
        min(ln.bbox[0] for ln in lines),
        min(ln.bbox[1] for ln in lines),
        max(ln.bbox[2] for ln in lines),
        max(ln.bbox[3] for ln in lines),
    )


def test_a_total_set_flush_right_in_the_label_column_stays_in_it(tmp_path):
    """'Total' set flush right at the end of the label column, out where no other label reaches,
    makes no column of its own."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = 100
    rows = [("Category", "n", "%"), ("Related to a long relationship", "77", "33.9"), ("Retaliation", "31", "13.7")]
    rows += [("Refused advances", "23", "10.1"), ("Academic stress", "22", "9.7")]
    for label, n, share in rows:
        page.insert_text((72, y), label, fontsize=9)
        _right(page, 300, y, n)
        _right(page, 360, y, share)
        y += 12
    _right(page, 230, y, "Total")
    _right(page, 300, y, "175")
    _right(page, 360, y, "100")
    grid = parse_grid(
        LiteTableRecognizer(use_model=False)
        .recognize(_page_image(page, tmp_path / "t.pdf"), (60, 88, 420, y + 5), [])
        .html
    )
    assert [[cell[0] for cell in row] for row in grid][-1] == ["Total", "175", "100"]
    assert all(len(row) == 3 for row in grid)
