"""Running headers, footers and page numbers by evidence: text that repeats across pages in the same
margin band, a lone number at the page's edge, and a small line above everything else. A region the
layout model called a header but that is set larger or bolder than the body and does not repeat is
a heading, not furniture (headings.document_title decides whether it is the document's title).

On one page (nothing to repeat) a line is furniture when all of these hold, in geometry:
- it lies in the top or bottom margin band (MARGIN of the page height) with no body text between it
  and the page edge;
- a gap of at least GAP_LINES body letter heights separates it from the body text;
- it is short (one or two lines, at most 15 words) and set smaller than the body text (font size from
  the text layer, else letter height under SMALLER times the body's);
- the page has a body: at least BODY_LINES lines of text that are not furniture.
The last one pulls the other way: a page whose only text is a short line (a cover, a slide title, one
frame of a scan) has no body to set furniture apart from, so that line is text, even where the layout
model called it a header; so is a header or footer the layout found in the middle of the page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from ..document import DEFAULT_LABEL_TASKS, DocResult, PageResult, Region, Task
from ..labels import Flag, Label
from ..text_patterns import CAPTION, PAGE_NUMBER
from .words import body_size, is_styled, region_size, rows_of, share

MARGIN = 0.12  # share of the page height that counts as top / bottom margin band
NUMBER_MARGIN = 0.2  # a lone page number may sit a little further in
CAPTIONS = {"figure_caption", "table_caption", "figure_title"}  # the layout models' caption classes
FURNITURE = {Label.HEADER, Label.FOOTER, Label.NUMBER, Label.HEADER_IMAGE, Label.FOOTER_IMAGE}
GAP_LINES = 1.0  # the gap between furniture and the body, in body letter heights
SMALLER = 0.85  # OCR'd furniture: letter height under this share of the body's
BODY_LINES = 3  # lines of body text a page needs before anything on it is furniture by position
MID_PAGE = (0.3, 0.7)  # a header/footer box wholly inside this band of the page height is text


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _margin_band(region: Region, height: float, margin: float) -> str | None:
    if region.bbox[3] < margin * height:
        return "top"
    if region.bbox[1] > (1 - margin) * height:
        return "bottom"
    return None


def _textual(region: Region) -> bool:
    """Text that could be furniture: captions never are (they sit by their figure, often low), nor
    an equation's number, '(1)' beside its formula near the top or foot of a page."""
    return (
        region.task in (Task.TEXT, Task.ABANDON)
        and bool(region.content.strip())
        and region.label not in (Label.FIGURE_TITLE, Label.FORMULA_NUMBER)
        and region.native_label not in CAPTIONS
        and not CAPTION.match(region.content)
    )


def _mark(region: Region, label: Label, tasks: dict[str, Task] | None) -> None:
    """Relabel as furniture; its task is the run's for that label (--keep-furniture, --label-task)."""
    region.label, region.task = label, (tasks or DEFAULT_LABEL_TASKS).get(label, Task.ABANDON)
    region.flags.append(Flag.FURNITURE)


def _outermost(region: Region, regions: Sequence[Region], band: str) -> bool:
    """No body text lies between the region and the page edge (a page number may: it is furniture too)."""
    others = [
        r
        for r in regions
        if r is not region
        and r.task is Task.TEXT
        and r.label not in FURNITURE
        and not PAGE_NUMBER.match(r.content.strip())
    ]
    if band == "top":
        return not any(r.bbox[3] <= region.bbox[1] + 1 for r in others)
    return not any(r.bbox[1] >= region.bbox[3] - 1 for r in others)


def _letter_height(region: Region) -> float:
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in region.lines) or [region.bbox[3] - region.bbox[1]]
    return heights[len(heights) // 2]


def find_furniture(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    pages = doc.pages
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for page in pages:
        for region in page.regions:
            band = _margin_band(region, page.height, MARGIN)
            if band and _textual(region):
                seen[(band, _key(region.content))].add(page.index)
    repeats = max(2, (len(pages) + 1) // 2)
    body = body_size(doc)
    body_heights = sorted(
        _letter_height(r) for p in pages for r in p.regions if r.task is Task.TEXT and r.label == Label.TEXT and r.lines
    ) or [0.0]
    body_height = body_heights[len(body_heights) // 2]

    for page in pages:
        for region in page.regions:
            if not _textual(region):
                continue
            band = _margin_band(region, page.height, MARGIN)
            text = region.content.strip()
            if band and len(pages) >= 2 and len(seen[(band, _key(text))]) >= repeats:
                _mark(
                    region,
                    Label.NUMBER if PAGE_NUMBER.match(text) else Label.HEADER if band == "top" else Label.FOOTER,
                    tasks,
                )
            elif is_page_number(region, page.regions, page.height):
                _mark(region, Label.NUMBER, tasks)
            elif (
                band
                and region.task is Task.TEXT
                and _outermost(region, page.regions, band)
                and _is_small_line(region, body, body_height)
                and _set_apart(region, page, band, body_height)
            ):
                _mark(region, Label.HEADER if band == "top" else Label.FOOTER, tasks)
            elif (
                region.task is Task.ABANDON
                and region.label == Label.HEADER
                and not (band and len(seen[(band, _key(text))]) >= 2)
                and (_stands_out(region, body, body_height) or _opens_the_document(region, page, len(pages)))
            ):
                region.label, region.task = Label.PARAGRAPH_TITLE, Task.TEXT  # a heading, not a running header
        _keep_lone_text(page, seen, tasks)


def is_page_number(region: Region, regions: Sequence[Region], height: float) -> bool:
    """A lone page number: a number ("12", "Page 3 of 9", "iv") in the top or bottom NUMBER_MARGIN of
    the page with no body text between it and the page edge: the one definition, applied after
    whole_lines has mended cut lines (a number that is the end of a cut line has joined its line)."""
    band = _margin_band(region, height, NUMBER_MARGIN)
    return band is not None and bool(PAGE_NUMBER.match(region.content.strip())) and _outermost(region, regions, band)


def _body(page: PageResult, but: Region | None = None) -> list[Region]:
    """The page's text that is not furniture (page numbers not yet labelled included)."""
    return [
        r
        for r in page.regions
        if r is not but
        and r.task is Task.TEXT
        and r.label not in FURNITURE
        and r.content.strip()
        and not PAGE_NUMBER.match(r.content.strip())
    ]


def _body_lines(page: PageResult, but: Region | None = None) -> int:
    return sum(len(rows_of(r)) if r.lines else max(1, len(r.content.strip().splitlines())) for r in _body(page, but))


def _set_apart(region: Region, page: PageResult, band: str, body_height: float) -> bool:
    """The page has a body, and a gap of at least GAP_LINES letter heights lies between it and the region."""
    body = _body(page, region)
    if _body_lines(page, region) < BODY_LINES:
        return False
    gaps = [r.bbox[1] - region.bbox[3] if band == "top" else region.bbox[1] - r.bbox[3] for r in body]
    height = body_height or _letter_height(region)
    return min(gaps, default=0.0) >= GAP_LINES * height


def _keep_lone_text(page: PageResult, seen: dict[tuple[str, str], set[int]], tasks: dict[str, Task] | None) -> None:
    """A header/footer on a page with no body, or in the middle of the page, that no other page repeats,
    is the page's text: back to a text region (kept in the Markdown)."""
    lone = _body_lines(page) == 0
    for region in page.regions:
        if region.label not in (Label.HEADER, Label.FOOTER) or not region.content.strip():
            continue
        band = _margin_band(region, page.height, MARGIN)
        if band and len(seen[(band, _key(region.content))]) >= 2:
            continue  # a running header: other pages repeat it
        middle = region.bbox[1] >= MID_PAGE[0] * page.height and region.bbox[3] <= MID_PAGE[1] * page.height
        if lone or middle:
            region.label, region.task = Label.TEXT, (tasks or DEFAULT_LABEL_TASKS).get(Label.TEXT, Task.TEXT)
            if Flag.FURNITURE in region.flags:
                region.flags.remove(Flag.FURNITURE)


def _is_small_line(region: Region, body: float | None, body_height: float) -> bool:
    """One short line set smaller than the body text, at the very top or bottom: a running header."""
    if len(region.content.split()) > 15 or len(rows_of(region)) > 1:
        return False
    if is_styled(region) and body:
        return region_size(region) < 0.95 * body and share(region, "bold") < 0.5
    return bool(body_height) and not is_styled(region) and _letter_height(region) < SMALLER * body_height


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
