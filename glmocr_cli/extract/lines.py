"""The finished document as text lines with boxes, rows and the tests of "same row" and "level with"."""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from html import unescape

from ..document import DocResult, Task

ROW_TOLERANCE = 0.35  # share of the smaller line height two centres may differ by on one row


@dataclass
class PageLine:
    text: str
    bbox: tuple[float, float, float, float]
    score: float
    page: int  # 1-based

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def centre_y(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    def sub_bbox(self, start: int, end: int) -> tuple[float, float, float, float]:
        """The box of text[start:end], estimated from character positions (OCR gives line boxes only)."""
        x0, y0, x1, y1 = self.bbox
        n = max(1, len(self.text))
        return (x0 + (x1 - x0) * start / n, y0, x0 + (x1 - x0) * end / n, y1)


def page_lines(doc: DocResult) -> list[list[PageLine]]:
    """Each page's text lines in reading order (rows top to bottom, left to right in a row). Regions
    without OCR lines (text layers, the GLM engine) give one line per line of their content."""
    pages = []
    for page in doc.pages:
        lines: list[PageLine] = []
        for region in page.ordered_regions():
            if region.lines:
                lines += [PageLine(_clean(ln.text), tuple(ln.bbox), ln.score, page.index + 1) for ln in region.lines]
            elif region.content and region.task is Task.TABLE:
                lines += _grid_lines(_html_rows(region.content), region.bbox, region.confidence, page.index + 1)
            elif region.content and region.task in (Task.TEXT, Task.ABANDON):
                parts = [[p] for p in region.content.splitlines() if p.strip()]
                lines += _grid_lines(parts, region.bbox, region.confidence, page.index + 1)
        pages.append([ln for row in group_rows([ln for ln in lines if ln.text]) for ln in row])
    return pages


def _html_rows(html: str) -> list[list[str]]:
    return [
        [unescape(re.sub(r"<[^>]+>", " ", cell)) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S | re.I)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S | re.I)
    ]


def _grid_lines(rows: list[list[str]], bbox, confidence: float | None, page: int) -> list[PageLine]:
    """Lines for content without OCR boxes (text layer, GLM): the region's box shared out evenly over
    its rows (and a table's cells), so that labels still have values beside and below them."""
    x0, y0, x1, y1 = bbox
    step_y = (y1 - y0) / max(1, len(rows))
    lines = []
    for i, cells in enumerate(rows):
        step_x = (x1 - x0) / max(1, len(cells))
        lines += [
            PageLine(
                _clean(text),
                (x0 + j * step_x, y0 + i * step_y, x0 + (j + 1) * step_x, y0 + (i + 1) * step_y),
                confidence or 1.0,
                page,
            )
            for j, text in enumerate(cells)
        ]
    return lines


def _clean(text: str) -> str:
    # NFKC: OCR models trained on CJK text often return full-width brackets and colons. Markdown
    # emphasis and heading marks (GLM output) are not part of a label or value.
    text = re.sub(r"\*\*|__|^#+\s|^[-*]\s", "", unicodedata.normalize("NFKC", text).strip())
    return re.sub(r"\s+", " ", text).strip()


def group_rows(lines: list[PageLine]) -> list[list[PageLine]]:
    """Lines whose vertical centres lie close to a row's first line share its row. Detector boxes are
    padded well beyond the letters (rapidocr's unclip), so "close" is a third of the smaller box."""
    rows: list[list[PageLine]] = []
    for line in sorted(lines, key=lambda ln: ln.centre_y):
        if rows and same_row(line, rows[-1][0]):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.bbox[0]) for row in rows]


def same_row(a: PageLine, b: PageLine) -> bool:
    return abs(a.centre_y - b.centre_y) < ROW_TOLERANCE * min(a.height, b.height)


def level_with(a: PageLine, b: PageLine) -> bool:
    """Looser than same_row, for a value beside its label on a skewed photo: the boxes share at least
    half of the smaller one's height."""
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap >= 0.5 * min(a.height, b.height)


def is_outsized(line: PageLine, lines: list[PageLine]) -> bool:
    """Over twice the median line height of its page: a stamp, a logo or a handwritten note, not the
    printed body text (font size read from line height)."""
    return line.height > 2.0 * statistics.median(ln.height for ln in lines)
