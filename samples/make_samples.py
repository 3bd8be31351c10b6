"""Make the bundled sample documents: `python samples/make_samples.py`.

Deterministic (fixed seeds, fixed PDF metadata), PyMuPDF + Pillow + numpy only, so the committed files
can be rebuilt byte for byte and the demo (`make demo`) covers every input kind: a born-digital PDF, an
image-only scan, a multi-frame TIFF and a phone-photo-like JPEG.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
LETTER = (612, 792)
MARGIN = 72
METADATA = {
    "title": "Community Library Annual Report",
    "author": "glmocr-cli samples",
    "subject": "",
    "keywords": "",
    "creator": "samples/make_samples.py",
    "producer": "PyMuPDF",
    "creationDate": "D:20250101000000Z",
    "modDate": "D:20250101000000Z",
    "trapped": "",
    "format": "",
}

PAGE1_INTRO = (
    "The Riverside Community Library completed its fortieth year of service in 2024. This report "
    "summarises how the library was used, what it spent, and what the board plans for the coming "
    "year. Figures are drawn from the circulation system, the visitor counters at both entrances and "
    "the audited accounts prepared by the county finance office."
)
PAGE1_USE = (
    "Visits rose for the third year in a row, driven mostly by the extended evening hours introduced "
    "in March. Families with young children remain the largest group of regular visitors, but the "
    "number of students using the quiet study rooms grew faster than any other group. Loans of "
    "printed books were stable, while loans of electronic books and audiobooks increased by almost a "
    "third. The table below compares the two most recent years for the main services."
)
PAGE1_AFTER = (
    "The reading room was closed for two weeks in August while the roof was repaired, which explains "
    "the small dip in study room bookings during the summer. Volunteers ran forty-two homework clubs "
    "and twelve digital skills workshops, most of them fully booked within a day of being announced."
)
PAGE2_COSTS = (
    "Spending stayed within the approved budget. Staff costs account for a little over half of the "
    "total, followed by the purchase of new books and digital licences. Energy costs fell after the "
    "heating system was replaced, and the savings were used to extend the opening hours without "
    "asking the county for additional funds."
)
PAGE2_MODEL = (
    "To plan the size of the collection, the board uses a simple growth model. If the number of "
    "loans in year t is L(t), the expected number of loans after n years at a constant growth rate r "
    "is given by the formula below. With the growth observed over the last three years, the model "
    "predicts that loans will pass ninety thousand within five years."
)
PAGE2_PLANS = (
    "Next year the library will open a small makerspace with two 3D printers and a sewing machine, "
    "renew the children's corner, and start a weekly reading hour in the nursing home across the "
    "river. The board thanks every volunteer, donor and visitor who made this year a success. Comments "
    "on this report are welcome at the front desk or by letter to the board secretary."
)

TABLE_ROWS = [
    ("Service", "2023", "2024"),
    ("Visits", "61,250", "68,930"),
    ("Book loans", "48,112", "48,540"),
    ("E-book loans", "9,874", "13,021"),
    ("Study room bookings", "3,406", "3,988"),
]


def _paragraph(page: pymupdf.Page, y: float, text: str, height: float) -> float:
    """Justified Times paragraph starting at y; returns the y below it."""
    rect = pymupdf.Rect(MARGIN, y, LETTER[0] - MARGIN, y + height)
    spare = page.insert_textbox(
        rect, text, fontsize=11, fontname="tiro", align=pymupdf.TEXT_ALIGN_JUSTIFY, lineheight=1.3
    )
    if spare < 0:
        raise ValueError(f"paragraph does not fit: {text[:40]}...")
    return y + height - spare + 10


def _heading(page: pymupdf.Page, y: float, text: str, size: float = 14) -> float:
    page.insert_text((MARGIN, y + size), text, fontsize=size, fontname="hebo")
    return y + size + 12


def _ruled_table(page: pymupdf.Page, y: float) -> float:
    """A ruled table whose first header cell spans two rows ("Service") and whose "Year" cell spans two columns."""
    x = [MARGIN + 40, MARGIN + 240, MARGIN + 345, MARGIN + 450]
    row_h = 20
    rows = 2 + len(TABLE_ROWS) - 1
    y_lines = [y + i * row_h for i in range(rows + 1)]
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(x[0], y_lines[0], x[-1], y_lines[-1]))
    for i, yy in enumerate(y_lines[1:-1], start=1):
        start = x[1] if i == 1 else x[0]  # row line 1 only under the merged "Year" cell
        shape.draw_line((start, yy), (x[-1], yy))
    shape.draw_line((x[1], y_lines[0]), (x[1], y_lines[-1]))
    shape.draw_line((x[2], y_lines[1]), (x[2], y_lines[-1]))
    shape.finish(color=(0, 0, 0), width=0.8)
    shape.commit()

    def cell(text: str, col: int, row: int, *, bold=False, span_cols=1, span_rows=1, right=False):
        font, size = ("hebo" if bold else "helv"), 10.5
        width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
        x0, x1 = x[col] + 6, x[col + span_cols] - 6
        left = (x0 + x1 - width) / 2 if span_cols > 1 else (x1 - width if right else x0)
        baseline = (y_lines[row] + y_lines[row + span_rows]) / 2 + size * 0.35
        page.insert_text((left, baseline), text, fontsize=size, fontname=font)

    cell("Service", 0, 0, bold=True, span_rows=2)
    cell("Year", 1, 0, bold=True, span_cols=2)
    cell("2023", 1, 1, bold=True, right=True)
    cell("2024", 2, 1, bold=True, right=True)
    for r, (name, a, b) in enumerate(TABLE_ROWS[1:], start=2):
        cell(name, 0, r)
        cell(a, 1, r, right=True)
        cell(b, 2, r, right=True)
    caption_y = y_lines[-1] + 14
    page.insert_text(
        (x[0], caption_y), "Table 1. Use of the main services, 2023 and 2024.", fontsize=9.5, fontname="heit"
    )
    return caption_y + 16


def _display_formula(page: pymupdf.Page, y: float) -> float:
    """L(t + n) = L(t) (1 + r)^n, centred, with an equation number, drawn as styled text."""
    size, cx = 14, LETTER[0] / 2
    parts = [
        ("L", "tiit"),
        ("(", "tiro"),
        ("t", "tiit"),
        (" + ", "tiro"),
        ("n", "tiit"),
        (") = ", "tiro"),
        ("L", "tiit"),
        ("(", "tiro"),
        ("t", "tiit"),
        (") (1 + ", "tiro"),
        ("r", "tiit"),
        (")", "tiro"),
    ]
    width = sum(pymupdf.get_text_length(t, fontname=f, fontsize=size) for t, f in parts)
    sup = pymupdf.get_text_length("n", fontname="tiit", fontsize=size * 0.7)
    xx, base = cx - (width + sup) / 2, y + size + 6
    for text, font in parts:
        page.insert_text((xx, base), text, fontsize=size, fontname=font)
        xx += pymupdf.get_text_length(text, fontname=font, fontsize=size)
    page.insert_text((xx + 1, base - size * 0.4), "n", fontsize=size * 0.7, fontname="tiit")
    page.insert_text((LETTER[0] - MARGIN - 20, base), "(1)", fontsize=11, fontname="tiro")
    return base + 20


def make_report(path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=LETTER[0], height=LETTER[1])
    page.insert_text((MARGIN, 96), "Riverside Community Library", fontsize=24, fontname="hebo")
    page.insert_text((MARGIN, 120), "Annual Report 2024", fontsize=15, fontname="helv")
    y = _heading(page, 146, "1. Introduction")
    y = _paragraph(page, y, PAGE1_INTRO, 80)
    y = _heading(page, y + 6, "2. Use of the library")
    y = _paragraph(page, y, PAGE1_USE, 110)
    y = _ruled_table(page, y + 6)
    _paragraph(page, y + 4, PAGE1_AFTER, 80)
    page.insert_text((LETTER[0] / 2 - 3, LETTER[1] - 40), "1", fontsize=9, fontname="helv")

    page = doc.new_page(width=LETTER[0], height=LETTER[1])
    y = _heading(page, 72, "3. Costs")
    y = _paragraph(page, y, PAGE2_COSTS, 80)
    y = _heading(page, y + 6, "4. Planning the collection")
    y = _paragraph(page, y, PAGE2_MODEL, 80)
    y = _display_formula(page, y)
    y = _paragraph(page, y, "where r is the yearly growth rate and n the number of years ahead.", 30)
    y = _heading(page, y + 6, "5. Plans for 2025")
    _paragraph(page, y, PAGE2_PLANS, 110)
    page.insert_text((LETTER[0] / 2 - 3, LETTER[1] - 40), "2", fontsize=9, fontname="helv")
    _save_pdf(doc, path)


def _save_pdf(doc: pymupdf.Document, path: Path) -> None:
    doc.set_metadata(METADATA)
    doc.save(path, garbage=4, deflate=True, no_new_id=True)


def _render_gray(page: pymupdf.Page, dpi: int) -> Image.Image:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def _add_noise(img: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    arr = np.asarray(img, dtype=np.float32)
    arr += rng.normal(0, sigma, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def make_scan(report: Path, path: Path, dpi: int = 150) -> None:
    """Page 1 as a grey scan: slightly turned, a little noise and blur, JPEG inside, no text layer."""
    rng = np.random.default_rng(1)
    img = _render_gray(pymupdf.open(report)[0], dpi)
    img = img.rotate(0.5, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(0.4))
    img = _add_noise(img, rng, 6)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    doc = pymupdf.open()
    page = doc.new_page(width=img.width * 72 / dpi, height=img.height * 72 / dpi)
    page.insert_image(page.rect, stream=buf.getvalue())
    _save_pdf(doc, path)


TIFF_PAGES = [
    (
        "Meeting notes, 4 March",
        [
            "The board met at the library at six o'clock.",
            "Present: the chair, the treasurer and four members.",
            "The treasurer presented the accounts for January.",
            "The board agreed to extend the evening hours.",
        ],
    ),
    (
        "Meeting notes, 1 April",
        [
            "The chair opened the meeting at half past six.",
            "The roof repair will start in August.",
            "Volunteers asked for more homework club rooms.",
            "The next meeting is on the sixth of May.",
        ],
    ),
]


def make_tiff(path: Path, dpi: int = 150) -> None:
    """Two short text pages as the two frames of one grey TIFF."""
    frames = []
    for title, lines in TIFF_PAGES:
        doc = pymupdf.open()
        page = doc.new_page(width=420, height=300)
        page.insert_text((36, 60), title, fontsize=18, fontname="hebo")
        for i, line in enumerate(lines):
            page.insert_text((36, 100 + i * 24), line, fontsize=12, fontname="tiro")
        frames.append(_render_gray(page, dpi))
    frames[0].save(
        path, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_adobe_deflate", dpi=(dpi, dpi)
    )


RECEIPT_LINES = [
    ("GREEN LEAF CAFE", 15, "cobo"),
    ("12 Harbour Street", 10, "cour"),
    ("Portsmouth PO1 3AB", 10, "cour"),
    ("Tel: 023 9281 4410", 10, "cour"),
    ("", 6, "cour"),
    ("Date: 14/03/2024   10:42", 10, "cour"),
    ("Receipt No: 004127", 10, "cour"),
    ("-" * 30, 10, "cour"),
    ("2 Flat white          6.40", 10, "cour"),
    ("1 Croissant           2.75", 10, "cour"),
    ("1 Orange juice        3.10", 10, "cour"),
    ("-" * 30, 10, "cour"),
    ("Subtotal             12.25", 10, "cour"),
    ("VAT incl. 20%         2.04", 10, "cour"),
    ("TOTAL                12.25", 12, "cobo"),
    ("Card                 12.25", 10, "cour"),
    ("", 6, "cour"),
    ("Thank you for visiting!", 10, "cour"),
]


def make_receipt_photo(path: Path, dpi: int = 200) -> None:
    """A receipt on a darker table: uneven light, a soft shadow, noise, JPEG quality 80."""
    rng = np.random.default_rng(2)
    doc = pymupdf.open()
    page = doc.new_page(width=230, height=24 + sum(s * 1.45 for _, s, _ in RECEIPT_LINES) + 20)
    y = 24
    for text, size, font in RECEIPT_LINES:
        y += size * 1.45
        if text:
            page.insert_text((14, y), text, fontsize=size, fontname=font)
    paper = np.asarray(_render_gray(page, dpi), dtype=np.float32) * 0.93
    h, w = paper.shape
    canvas_h, canvas_w = h + 160, w + 200
    canvas = np.full((canvas_h, canvas_w), 92.0, dtype=np.float32)
    top, left = 80, 100
    canvas[top + 8 : top + h + 8, left + 8 : left + w + 8] -= 30  # shadow
    canvas[top : top + h, left : left + w] = paper
    yy, xx = np.mgrid[0:canvas_h, 0:canvas_w]
    light = 1.0 - 0.28 * (xx / canvas_w) - 0.12 * (yy / canvas_h)  # light from the top left
    gray = np.clip(canvas * light + rng.normal(0, 5, canvas.shape), 0, 255)
    tint = np.stack([gray * 1.0, gray * 0.97, gray * 0.9], axis=-1)  # warm indoor light
    img = Image.fromarray(np.clip(tint, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(0.6))
    img.save(path, format="JPEG", quality=80)


def main() -> None:
    report = HERE / "report.pdf"
    make_report(report)
    make_scan(report, HERE / "scanned-page.pdf")
    make_tiff(HERE / "multipage.tiff")
    make_receipt_photo(HERE / "receipt-photo.jpg")
    for path in sorted(HERE.iterdir()):
        if path.suffix in {".pdf", ".tiff", ".jpg"}:
            print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
