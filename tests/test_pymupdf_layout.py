"""PyMuPDF's own layout model (`pymupdf.layout`, pymupdf 2.x) as `--layout-source pymupdf`: the real
model on generated born-digital pages (labels, boxes in page pixels, a page stored turned), the
fall-back for pages read by OCR, and the usage error an older PyMuPDF gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from glmocr_cli.config import ConfigError, Settings
from glmocr_cli.layout.layout_source import LayoutSource
from glmocr_cli.layout.lite_layout import CDLA_TO_PP_LABEL
from glmocr_cli.layout.pymupdf_layout import PyMuPDFLayoutDetector
from glmocr_cli.pymupdf_features import check_available, installed_version, unavailable_reason
from glmocr_cli.sources.documents import open_source

from helpers.factories import render_to_image_pdf
from layout_pages import REPORT_FOOTER, REPORT_HEADER, REPORT_TABLE_PT, report_pdf, turned_pdf, words_in

DPI = 150
# The real model needs PyMuPDF 2; CI also runs this file on the range's lowest PyMuPDF (1.28.2), where
# the usage error below is what a user gets.
INSTALLED_HAS_LAYOUT = unavailable_reason(installed_version()) is None
needs_layout_model = pytest.mark.skipif(not INSTALLED_HAS_LAYOUT, reason="the installed PyMuPDF has no pymupdf.layout")


@pytest.fixture(scope="module")
def detector():
    return PyMuPDFLayoutDetector()


def render(path: Path):
    return open_source(path, dpi=DPI).render(0, 10**9)


@needs_layout_model
def test_a_report_page_gets_title_text_table_header_and_footer(tmp_path: Path, detector):
    page = render(report_pdf(tmp_path / "report.pdf", furniture=True))
    found = detector.detect(page)
    by_label = {r.label: r for r in found}
    assert {"text", "table", "header", "footer"} <= set(by_label), [(r.native_label, r.bbox) for r in found]
    title = next(r for r in found if r.label in ("doc_title", "paragraph_title"))
    assert words_in(page, title.bbox) == "Quarterly Sales Report"
    assert words_in(page, by_label["header"].bbox) == REPORT_HEADER
    assert words_in(page, by_label["footer"].bbox) == REPORT_FOOTER
    texts = [r for r in found if r.label == "text"]
    assert len(texts) == 2 and all(words_in(page, r.bbox).startswith("Sales rose in every region") for r in texts)
    table = by_label["table"]
    assert {"Region", "North", "Total", "49,875"} <= set(words_in(page, table.bbox).split())
    # points scaled to the rendered page's pixels: the table's box lies inside its drawn rules
    scale = DPI / 72
    x0, y0, x1, y1 = (v * scale for v in REPORT_TABLE_PT)
    assert x0 - 2 <= table.bbox[0] < table.bbox[2] <= x1 + 2 and y0 - 2 <= table.bbox[1] < table.bbox[3] <= y1 + 2
    for region in found:
        bx0, by0, bx1, by1 = region.bbox
        assert 0 <= bx0 < bx1 <= page.image.width and 0 <= by0 < by1 <= page.image.height


@needs_layout_model
def test_a_page_stored_turned_gets_the_boxes_of_the_upright_page(tmp_path: Path, detector):
    upright = render(report_pdf(tmp_path / "report.pdf", furniture=True))
    turned = render(turned_pdf(tmp_path / "report.pdf", tmp_path / "turned.pdf"))
    assert turned.pdf_page.rotation == 90 and turned.image.size == upright.image.size
    expected = sorted((r.label, r.bbox) for r in detector.detect(upright))
    got = sorted((r.label, r.bbox) for r in detector.detect(turned))
    assert [label for label, _ in got] == [label for label, _ in expected]
    for (_, a), (_, b) in zip(got, expected):
        assert max(abs(p - q) for p, q in zip(a, b)) < 3, (a, b)


def test_pages_read_by_ocr_fall_back_to_autos_model(tmp_path: Path):
    source = LayoutSource("pymupdf")
    assert source.model_for(read_from_text_layer=True) == "pymupdf"
    assert source.model_for(read_from_text_layer=False) == "cdla"
    assert "OCR-read pages: pymupdf needs a text layer" in source.model_names()
    scan = render(render_to_image_pdf(report_pdf(tmp_path / "report.pdf"), tmp_path / "scan.pdf"))
    assert scan.text_spans is None
    found = source.detect(scan.image, read_from_text_layer=False, page=scan)
    assert found and {r.native_label for r in found} <= set(CDLA_TO_PP_LABEL)
    assert "pymupdf" not in source._detectors  # the text-layer model was never loaded


def test_pymupdf_before_2_is_a_one_line_usage_error():
    message = unavailable_reason("1.28.2")
    assert message is not None and "\n" not in message
    assert "PyMuPDF 2.0 or later" in message and "1.28.2" in message
    assert unavailable_reason(None) is not None
    assert unavailable_reason("2.0") is None and unavailable_reason("2.0.1") is None
    with pytest.raises(ConfigError, match="needs PyMuPDF 2.0"):
        check_available("1.27.0")
    if INSTALLED_HAS_LAYOUT:
        Settings(layout_source="pymupdf").validate()  # the installed 2.x has the model
    else:  # the range's lowest PyMuPDF: the option is refused with the version it found
        with pytest.raises(ConfigError, match=f"needs PyMuPDF 2.0 or later.*{installed_version()}"):
            Settings(layout_source="pymupdf").validate()
