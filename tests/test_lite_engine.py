"""The lite engine on real pages with its real bundled models (no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pymupdf
from PIL import Image
from rapidfuzz.distance import Levenshtein

from helpers.factories import PARAGRAPH, render_to_image_pdf, text_pdf
from glmocr_cli.document import PageImage, Task
from glmocr_cli.sources.documents import open_source


@pytest.fixture(scope="module")
def engines(lite_engines):
    return lite_engines


def page_text(result) -> str:
    return " ".join(r.content for r in result.ordered_regions() if r.task in (Task.TEXT, Task.ABANDON))


def render(path: Path, dpi: int = 150, index: int = 0) -> PageImage:
    return open_source(path, dpi=dpi).render(index, 10**9)


def test_text_layer_auto_versus_ocr(tmp_path: Path, engines):
    pdf = text_pdf(tmp_path / "a.pdf")
    by_layer = engines["auto"].process_page(render(pdf))
    by_ocr = engines["off"].process_page(render(pdf))
    assert {r.text_source for r in by_layer.regions if r.content} == {"text-layer"}
    assert {r.text_source for r in by_ocr.regions if r.content} == {"ocr"}
    for result in (by_layer, by_ocr):
        assert "quick brown fox jumps over the lazy dog" in page_text(result)
        assert "Annual Report" in page_text(result)
    assert all(r.confidence > 0.8 for r in by_ocr.regions if r.content)
    # boxes in PDF points agree with pixel boxes at the render scale
    region = by_ocr.ordered_regions()[0]
    assert region.bbox_pt == pytest.approx(tuple(v * 72 / 150 for v in region.bbox), abs=0.2)


@pytest.mark.slow
def test_upside_down_scan_is_turned_and_reads_the_same(tmp_path: Path, engines):
    born = text_pdf(tmp_path / "born.pdf")
    upright = engines["off"].process_page(render(render_to_image_pdf(born, tmp_path / "up.pdf", dpi=150)))
    flipped = engines["off"].process_page(render(render_to_image_pdf(born, tmp_path / "down.pdf", dpi=150, rotate=180)))
    assert upright.rotation == 0 and flipped.rotation == 180
    assert Levenshtein.normalized_distance(page_text(upright), page_text(flipped)) < 0.05
    assert "quick brown fox" in page_text(flipped)


def test_reading_order_and_title(tmp_path: Path, engines):
    result = engines["off"].process_page(render(text_pdf(tmp_path / "a.pdf", [["First paragraph here.", PARAGRAPH]])))
    ordered = [r for r in result.ordered_regions() if r.content]
    assert ordered[0].content.startswith("Annual Report") and ordered[0].label in ("doc_title", "paragraph_title")
    assert ordered[1].content.startswith("First paragraph") and "quick brown" in ordered[2].content


@pytest.mark.slow
def test_dev_scan_rotated_180_reads_like_upright(shared_data: Path, engines):
    upright = engines["off"].process_page(render(shared_data / "scans" / "ocr_test.pdf", dpi=200))
    rotated = engines["off"].process_page(render(shared_data / "scans" / "ocr_test_rotated_180.pdf", dpi=200))
    assert rotated.rotation == 180 and upright.rotation == 0
    assert "Docling bundles PDF document conversion" in page_text(rotated)
    assert Levenshtein.normalized_distance(page_text(upright), page_text(rotated)) < 0.02


@pytest.mark.slow
def test_arabic_page_is_read_by_tesseract_or_flagged_and_text_layer_gives_it_exactly(shared_data: Path, engines):
    from glmocr_cli.ocr_languages import binding_missing, installed_languages

    pdf = shared_data / "pdf" / "right_to_left_01.pdf"
    ocr = engines["off"].process_page(render(pdf, dpi=150))
    if binding_missing() is None and "ara" in installed_languages():
        assert "البرمجة" in page_text(ocr) and "unsupported-script" not in ocr.flags
        assert all(r.reading.reader == "tesseract:ara" for r in ocr.regions if r.content)
    else:  # without Tesseract's Arabic data the page is flagged, and the warning says what to install
        assert "unsupported-script" in ocr.flags or "unreadable-text" in ocr.flags
        assert ocr.warnings and "right_to_left_01.pdf page 1" in ocr.warnings[0]
        assert "apt-get install" in ocr.warnings[0]
    layer = engines["auto"].process_page(render(pdf, dpi=150))
    text = page_text(layer)
    assert "البرمجة" in text and "Python" in text
    assert not layer.warnings


def test_figure_regions_are_cropped(shared_data: Path, engines):
    result = engines["auto"].process_page(render(shared_data / "pdf" / "amt_handbook_sample.pdf", dpi=100))
    figures = [r for r in result.regions if r.task is Task.SKIP]
    assert figures, [r.label for r in result.regions]
    crop = Image.open(__import__("io").BytesIO(figures[0].image_png))
    x0, y0, x1, y1 = figures[0].bbox
    assert abs(crop.width - (x1 - x0)) <= 2 and abs(crop.height - (y1 - y0)) <= 2


@pytest.mark.slow
@pytest.mark.parametrize("turned", [90, 270])
def test_sideways_scan_is_turned_upright(tmp_path: Path, engines, turned: int):
    born = text_pdf(tmp_path / "born.pdf")
    result = engines["off"].process_page(
        render(render_to_image_pdf(born, tmp_path / "side.pdf", dpi=150, rotate=turned))
    )
    assert result.rotation == turned  # PIL turns counter-clockwise; we turn back clockwise
    assert result.width < result.height and "quick brown fox jumps" in page_text(result)


SMALL_PRINT = [
    "Invoice 4471 for Harrowgate Mills, paid on 12 March 2024 by transfer.",
    "The quarterly audit found 37 discrepancies in the northern ledger.",
    "Shipping weight 18.25 kg, declared value EUR 1,940.00, tariff 8471.30.",
]


def test_lines_are_read_from_the_full_resolution_page():
    """Small print on a page scanned at 400 DPI: the detector sees the page shrunk to 1280 px, but each
    line must be cut from the full page for recognition. Read from the shrunk page (what rapidocr does
    alone), the same lines lose letters, so this page tells the two apart."""
    from glmocr_cli.recognize.lite_ocr import LiteOcr

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i, sentence in enumerate(SMALL_PRINT):
        page.insert_text((60, 100 + 10 * i), sentence, fontsize=5, fontname="helv")
    pix = page.get_pixmap(dpi=400)
    scan = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    ocr, want = LiteOcr(threads=2), " ".join(SMALL_PRINT)

    def read(image: Image.Image) -> str:
        lines = ocr.read_page(image, detect_orientation=False).lines
        return " ".join(ln.text for ln in sorted(lines, key=lambda ln: ln.bbox[1]))

    shrunk = scan.resize((round(scan.width * 1280 / scan.height), 1280), Image.LANCZOS)
    assert Levenshtein.normalized_distance(read(shrunk), want) > 0.02  # the page needs the resolution
    assert read(scan) == want
