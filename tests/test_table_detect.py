"""Tables the layout model misses: PDF rulings, rows the rulings do not separate, grids among loose lines."""

from __future__ import annotations

from pathlib import Path

import pymupdf
from PIL import Image

from glmocr_cli.document import LayoutRegion, PageImage, TextLine
from glmocr_cli.labels import PageSource
from glmocr_cli.layout.region_plan import add_pdf_tables
from glmocr_cli.recognize.tables.lite_table import _vector_table
from glmocr_cli.layout.table_detect import pdf_tables, table_runs
from glmocr_cli.recognize.tables.table_rows import StackedCell, split_stacked_rows


def pdf_page_image(path: Path, dpi: int = 100) -> PageImage:
    page = pymupdf.open(path)[0]
    pix = page.get_pixmap(dpi=dpi)
    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    return PageImage(
        path, 0, image, PageSource.PDF, dpi=dpi, size_pt=(page.rect.width, page.rect.height), pdf_page=page
    )


def ruled_tables_pdf(path: Path) -> Path:
    """Two small ruled tables, one above the other, and a paragraph."""
    doc = pymupdf.open()
    page = doc.new_page(width=420, height=595)
    page.insert_textbox(pymupdf.Rect(40, 30, 380, 80), "Some running text above the tables.", fontsize=11)
    for top, prefix in ((100, "a"), (260, "b")):
        for r in range(4):
            for c in range(3):
                rect = pymupdf.Rect(40 + 110 * c, top + 25 * r, 150 + 110 * c, top + 25 * (r + 1))
                page.draw_rect(rect, color=(0, 0, 0), width=0.8)
                page.insert_text((rect.x0 + 5, rect.y0 + 16), f"{prefix}{r}{c}", fontsize=10)
    doc.save(path)
    return path


def test_ruled_tables_missed_by_the_layout_each_become_a_table_with_only_their_cells(tmp_path: Path):
    page = pdf_page_image(ruled_tables_pdf(tmp_path / "t.pdf"))
    # The layout model saw a text box over the first table and nothing over the second.
    s = page.px_per_pt
    text_box = LayoutRegion((40 * s, 100 * s, 370 * s, 200 * s), "text", "text", 0.8)
    regions = add_pdf_tables(page, [text_box])
    tables = [r for r in regions if r.label == "table"]
    assert len(tables) == 2 and text_box not in regions
    htmls = sorted(_vector_table(page, t.bbox)[0] for t in tables)
    assert "a00" in htmls[0] and "b00" not in htmls[0] and "b32" in htmls[1] and "a32" not in htmls[1]
    # A table the layout model did find stays its own; only the missed one is added.
    known = LayoutRegion(tables[0].bbox, "table", "table", 0.9)
    with_known = [r for r in add_pdf_tables(page, [known]) if r.label == "table"]
    assert len(with_known) == 2 and known in with_known


def test_a_ruled_row_stacking_two_printed_rows_is_split():
    def cell(x0, texts, top=100.0, bottom=140.0):
        lines = [((x0 + 2, top + 3 + 18 * i, x0 + 40, top + 15 + 18 * i), t) for i, t in enumerate(texts)]
        return StackedCell((x0, top, x0 + 50, bottom), lines)

    header = [cell(0, ["model"], 80, 100), cell(50, ["Language"], 80, 100), cell(100, ["score"], 80, 100)]
    body = [cell(0, ["6"]), cell(50, ["OTSL", "HTML"]), cell(100, ["0.965", "0.969"])]
    cells = split_stacked_rows(header + body)
    by_text = {c.text: c.bbox for c in cells}
    assert by_text["OTSL"][3] <= by_text["HTML"][1] and by_text["0.965"][3] <= by_text["0.969"][1]
    assert by_text["6"] == (0, 100.0, 50, 140.0)  # the group's label spans both rows
    wrapped = split_stacked_rows([cell(0, ["a long", "wrapped label"]), cell(50, ["1"]), cell(100, ["2"])])
    assert [c.text for c in wrapped] == ["a long wrapped label", "1", "2"]  # one wrapped cell is not two rows


def test_dev_table_row_pairs_are_separate_rows(shared_data: Path):
    page = pdf_page_image(shared_data / "pdf" / "2305.03393v1-pg9.pdf", dpi=144)
    table = next(t for t in page.pdf_page.find_tables().tables if "enc-layers" in str(t.extract()))
    html = _vector_table(page, tuple(v * page.px_per_pt for v in pymupdf.Rect(table.bbox)))[0]
    assert "<td>OTSL</td><td>0.965</td>" in html and "<td>HTML</td><td>0.969</td>" in html
    assert '<td rowspan="2"># enc-layers</td>' in html  # the header's spans stay as ruled


def line(x0, y0, x1, y1, text):
    return TextLine((x0, y0, x1, y1), text, 1.0)


def test_a_grid_between_loose_lines_is_found_but_two_address_blocks_are_not():
    letter = [
        line(40, 20 + 30 * i, 700, 40 + 30 * i, "Dear reader, this letter has a long line of text") for i in range(3)
    ]
    grid = [
        line(40 + 140 * c, 130 + 25 * r, 120 + 140 * c, 148 + 25 * r, f"v{r}{c}") for r in range(4) for c in range(4)
    ]
    closing = [line(40, 260, 700, 280, "Thank you for reading this letter to its very end")]
    addresses = [line(x, 320 + 25 * r, x + 150, 338 + 25 * r, f"Street {r}") for r in range(4) for x in (40, 400)]
    runs = table_runs(letter + grid + closing + addresses)
    assert len(runs) == 1 and sorted(ln.text for ln in runs[0]) == sorted(ln.text for ln in grid)
