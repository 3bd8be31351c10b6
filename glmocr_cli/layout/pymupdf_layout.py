"""A third lite layout source: PyMuPDF's own layout model (`pymupdf.layout`, in the pymupdf 2.x
wheel), classes mapped onto PP-DocLayout-V3.

It reads the PDF page, not the picture: a graph network over the text layer's lines, images and
vector lines (positions, fonts, an image-feature ONNX model) labels each line and groups them into
blocks. So it runs on born-digital pages only; the layout source falls back to an image model
on pages read by OCR. Boxes come in PDF points of the upright page and are scaled to page pixels.
"""

from __future__ import annotations

from typing import Any

from ..document import LayoutRegion, PageImage
from ..labels import Label
from ..pymupdf_features import check_available
from .doclaynet_layout import DOCLAYNET_TO_PP_LABEL, merge_list_items

MODEL_NAME = "pymupdf.layout BoxRFDGNN (PyMuPDF)"

# pymupdf.layout class -> PP-DocLayout-V3 label, as doclaynet_layout.py maps DocLayNet's (the same
# eleven classes, lower-case): list items are text (refine/ reads the bullets), captions figure titles.
PYMUPDF_TO_PP_LABEL = {name.lower(): label for name, label in DOCLAYNET_TO_PP_LABEL.items()}
# The model votes a class per group of lines and gives no score; every box it returns counts alike.
SCORE = 1.0


def upright_page(pdf_page: Any) -> Any:
    """The page as displayed: a page stored turned (/Rotate) is copied into a scratch document with
    its rotation folded into the content, since the model reads text in the stored frame but its
    page size and picture in the displayed one (pymupdf4llm does the same with remove_rotation)."""
    if not pdf_page.rotation:
        return pdf_page
    import pymupdf

    scratch = pymupdf.open()
    scratch.insert_pdf(pdf_page.parent, from_page=pdf_page.number, to_page=pdf_page.number)
    page = scratch[0]
    page.remove_rotation()
    return page


class PyMuPDFLayoutDetector:
    def __init__(self) -> None:
        check_available()
        from pymupdf.layout import DocumentLayoutAnalyzer

        # A model of this process's own: the one `import pymupdf` builds may predate a fork, and
        # an ONNX Runtime session does not survive one.
        self.model = DocumentLayoutAnalyzer.get_model()
        # predict() also reads each table's cell grid with a second ONNX model; the engine reads
        # tables itself (recognize/lite_table.py), so skip it: the same boxes, a fifth less time on
        # a table page. The attribute is the analyzer's own (pymupdf 2.0); left alone if it moves.
        analyzer: Any = getattr(self.model, "_model", None)
        if hasattr(analyzer, "table_grid_extractor"):
            analyzer.table_grid_extractor = None

    def detect(self, page: PageImage) -> list[LayoutRegion]:
        """Regions in page pixels of page.image (needs page.pdf_page: a PDF page with a text layer)."""
        scale = page.px_per_pt
        if page.pdf_page is None or not scale:
            raise ValueError("the pymupdf layout reads a PDF page: this page has none")
        width, height = page.image.size
        regions = []
        # the reading order is the engine's own (layout/reading_order.py): skip the model's sorter
        for *box, name in self.model.predict(upright_page(page.pdf_page), do_sort=False):
            x0, y0, x1, y1 = (float(v) * scale for v in box)
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            regions.append(LayoutRegion((x0, y0, x1, y1), PYMUPDF_TO_PP_LABEL.get(name, Label.TEXT), name, SCORE))
        return merge_list_items(regions, item_label="list-item")
