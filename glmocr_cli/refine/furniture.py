"""Running headers, footers and page numbers by evidence: text that repeats across pages in the same
margin band, a lone number at the page's edge, and a small line above everything else. A region the
layout model called a header but that is set larger or bolder than the body and does not repeat is
the document's title or a heading, not furniture.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..document import DEFAULT_LABEL_TASKS, DocResult, PageResult, Region, Task
from ..text_patterns import CAPTION, PAGE_NUMBER
from .words import body_size, is_styled, region_size, share

MARGIN = 0.12            # share of the page height that counts as top / bottom margin band
NUMBER_MARGIN = 0.2      # a lone page number may sit a little further in
CAPTIONS = {"figure_caption", "table_caption", "figure_title", "table_title"}
FURNITURE = {"header", "footer", "number", "header_image", "footer_image"}


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _band(region: Region, page: PageResult, margin: float) -> str | None:
    if region.bbox[3] < margin * page.height:
        return "top"
    if region.bbox[1] > (1 - margin) * page.height:
        return "bottom"
    return None


def _textual(region: Region) -> bool:
    """Text that could be furniture: captions never are (they sit by their figure, often low)."""
    return (region.task in (Task.TEXT, Task.ABANDON) and bool(region.content.strip())
            and region.label != "figure_title" and region.native_label not in CAPTIONS
            and not CAPTION.match(region.content))


def _mark(region: Region, label: str, tasks: dict[str, Task] | None) -> None:
    """Relabel as furniture; its task is the run's for that label (--keep-furniture, --label-task)."""
    region.label, region.task = label, (tasks or DEFAULT_LABEL_TASKS).get(label, Task.ABANDON)
    region.flags.append("furniture")


def _outermost(region: Region, page: PageResult, band: str) -> bool:
    """No body text lies between the region and the page edge."""
    others = [r for r in page.regions if r is not region and r.task is Task.TEXT and r.label not in FURNITURE]
    if band == "top":
        return not any(r.bbox[3] <= region.bbox[1] + 1 for r in others)
    return not any(r.bbox[1] >= region.bbox[3] - 1 for r in others)


def _letter_height(region: Region) -> float:
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in region.lines) or [region.bbox[3] - region.bbox[1]]
    return heights[len(heights) // 2]


def find_furniture(doc: DocResult, tasks: dict[str, Task] | None = None) -> DocResult:
    pages = doc.pages
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for page in pages:
        for region in page.regions:
            band = _band(region, page, MARGIN)
            if band and _textual(region):
                seen[(band, _key(region.content))].add(page.index)
    repeats = max(2, (len(pages) + 1) // 2)
    body = body_size(doc)
    body_height = sorted(_letter_height(r) for p in pages for r in p.regions
                         if r.task is Task.TEXT and r.label == "text" and r.lines) or [0.0]
    body_height = body_height[len(body_height) // 2]

    for page in pages:
        for region in page.regions:
            if not _textual(region):
                continue
            band = _band(region, page, MARGIN)
            number_band = _band(region, page, NUMBER_MARGIN)
            text = region.content.strip()
            if band and len(pages) >= 2 and len(seen[(band, _key(text))]) >= repeats:
                _mark(region, "number" if PAGE_NUMBER.match(text) else "header" if band == "top" else "footer", tasks)
            elif number_band and PAGE_NUMBER.match(text) and _outermost(region, page, number_band):
                _mark(region, "number", tasks)
            elif band and region.task is Task.TEXT and _outermost(region, page, band) and _is_small_line(
                    region, body, body_height):
                _mark(region, "header" if band == "top" else "footer", tasks)
            elif region.task is Task.ABANDON and region.label == "header" and not (
                    band and len(seen[(band, _key(text))]) >= 2) and (
                    _stands_out(region, body, body_height) or _opens_the_document(region, page, len(pages))):
                region.label, region.task = "paragraph_title", Task.TEXT  # a title, not a running header
    return doc


def _is_small_line(region: Region, body: float | None, body_height: float) -> bool:
    """One short line set smaller than the body text, at the very top or bottom: a running header."""
    if len(region.content.split()) > 15 or len({ln.style.line for ln in region.lines if ln.style}) > 1:
        return False
    if is_styled(region) and body:
        return region_size(region) < 0.95 * body and share(region, "bold") < 0.5
    return False


def _stands_out(region: Region, body: float | None, body_height: float) -> bool:
    if is_styled(region) and body:
        return region_size(region) > 1.1 * body or share(region, "bold") > 0.8
    return bool(body_height) and _letter_height(region) > 1.2 * body_height


def _opens_the_document(region: Region, page: PageResult, page_count: int) -> bool:
    """The first text of a document of several pages that no other page repeats: its title (a
    running header would recur), even where nothing shows it set apart (OCR sees no weight)."""
    if page.index != 0 or page_count < 2 or len(region.content.split()) > 15:
        return False
    texts = [r for r in page.regions if r.task in (Task.TEXT, Task.ABANDON) and r.content.strip()]
    return min(texts, key=lambda r: r.bbox[1]) is region
