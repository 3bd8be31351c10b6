"""Generated pages for the layout tests: a 2x2 grid of cards, a three-column newspaper page, a
report page with a title, paragraphs and a table. Drawn with PyMuPDF, so every word's place is known."""

from __future__ import annotations

from pathlib import Path

import pymupdf

CARD_TOPICS = ("Gravity", "Momentum", "Pressure", "Entropy")
CARD_FORMULAS = ("F = G m1 m2 / r^2", "p = m v", "P = F / A", "S = k ln W")
CARD_TEXT = (
    "The {0} card explains its law with a short worked example for students. Each quantity in the "
    "{0} formula is named and given its unit before the example begins."
)

NEWS_WORDS = (("alpha", "amber", "apple"), ("bravo", "birch", "basil"), ("charlie", "cedar", "cumin"))


def card_grid_pdf(path: Path, gutter: float = 6, pad: float = 12) -> Path:
    """An A4 page: a title, then four framed cards in two rows of two, a narrow gutter apart, each
    with a heading, a display formula and a paragraph. The frames' edges line up like a ruled grid."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 70), "Physics at a glance", fontsize=24, fontname="hebo")
    width = (495 - gutter) / 2
    for k, topic in enumerate(CARD_TOPICS):
        x0, y0 = 50 + (k % 2) * (width + gutter), 100 + (k // 2) * (300 + gutter)
        page.draw_rect(pymupdf.Rect(x0, y0, x0 + width, y0 + 300), color=(0.3, 0.3, 0.5), width=1.2)
        page.insert_text((x0 + pad, y0 + 30), f"{topic} card", fontsize=16, fontname="hebo")
        page.insert_text((x0 + pad + 30, y0 + 80), CARD_FORMULAS[k], fontsize=15, fontname="tiit")
        page.insert_textbox(
            pymupdf.Rect(x0 + pad, y0 + 110, x0 + width - pad, y0 + 290),
            CARD_TEXT.format(topic.lower()),
            fontsize=11,
            fontname="helv",
        )
    doc.save(path)
    return path


def newspaper_pdf(path: Path) -> Path:
    """A newspaper page: a headline across the top, then three columns of running text whose
    paragraphs carry each column's own words (column 1: alpha/amber/apple, 2: bravo..., 3: charlie...)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 70), "Town council opens the new library", fontsize=22, fontname="hebo")
    width, gap = 155, 20
    for c, (first, second, third) in enumerate(NEWS_WORDS):
        x0 = 50 + c * (width + gap)
        for p, word in enumerate((first, second, third)):
            text = (
                f"The {word} story begins here and runs on for a while about the {word} plans of the town, "
                f"with quotes from residents who followed the {word} debate closely all year long."
            )
            y0 = 110 + p * 230
            page.insert_textbox(pymupdf.Rect(x0, y0, x0 + width, y0 + 220), text, fontsize=10.5, fontname="tiro")
    doc.save(path)
    return path


REPORT_TABLE_PT = (80, 380, 515, 510)  # the ruled table's outer edges, in points
REPORT_HEADER, REPORT_FOOTER = "Northwind Trading Company", "Page 3 of 12"


def report_pdf(path: Path, furniture: bool = False) -> Path:
    """A report page: a title, two paragraphs and a ruled three-column table; with furniture, a
    running header in the top margin and a page footer in the bottom one."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    if furniture:
        page.insert_text((60, 40), REPORT_HEADER, fontsize=9, fontname="helv")
        page.insert_text((270, 810), REPORT_FOOTER, fontsize=9, fontname="helv")
    page.insert_text((60, 90), "Quarterly Sales Report", fontsize=26, fontname="hebo")
    body = (
        "Sales rose in every region this quarter, led by the northern stores, where new opening hours "
        "drew more visitors on weekday evenings. The figures below compare the three regions. "
    )
    page.insert_textbox(pymupdf.Rect(60, 130, 535, 230), body * 2, fontsize=11, fontname="helv")
    page.insert_textbox(pymupdf.Rect(60, 240, 535, 340), body[::1] * 2, fontsize=11, fontname="helv")
    rows = [
        ("Region", "Units", "Revenue"),
        ("North", "1,240", "18,600"),
        ("South", "980", "14,700"),
        ("West", "1,105", "16,575"),
        ("Total", "3,325", "49,875"),
    ]
    (x, y), cw, rh = REPORT_TABLE_PT[:2], 145, 26  # three columns, five rows: REPORT_TABLE_PT
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            rect = pymupdf.Rect(x + c * cw, y + r * rh, x + (c + 1) * cw, y + (r + 1) * rh)
            page.draw_rect(rect, color=(0, 0, 0), width=0.8)
            page.insert_text((rect.x0 + 8, rect.y1 - 8), cell, fontsize=11, fontname="hebo" if r == 0 else "helv")
    doc.save(path)
    return path


def turned_pdf(src: Path, dst: Path) -> Path:
    """src's first page stored turned: landscape media, its content drawn a quarter turn round and a
    /Rotate of 90, so that it displays (and renders) exactly as src does."""
    source, out = pymupdf.open(src), pymupdf.open()
    upright = source[0].rect
    page = out.new_page(width=upright.height, height=upright.width)
    page.show_pdf_page(page.rect, source, 0, rotate=90)
    page.set_rotation(90)
    out.save(dst)
    return dst


def words_in(page, box) -> str:
    """The text-layer words of a rendered page whose centres lie inside box (page pixels)."""
    return " ".join(
        s.text
        for s in page.text_spans
        if box[0] <= (s.bbox[0] + s.bbox[2]) / 2 <= box[2] and box[1] <= (s.bbox[1] + s.bbox[3]) / 2 <= box[3]
    )
