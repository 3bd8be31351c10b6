"""Headings and their levels from how the text layer sets them, relative to the body text.

A short region set larger than the body, or wholly bold, is a heading; a 'title' the layout model
found that is set like body text is a paragraph. A region that opens with heading lines and goes on
in body text is split in two. The first heading on page 1 with no body text above it is the
document's title (level 1); the other heading styles get levels 2.. from the largest down.
"""

from __future__ import annotations

from dataclasses import replace

from ..document import DocResult, PageResult, Reading, Region, Task
from ..geometry import bbox_union
from ..labels import Kind, Label
from ..text_patterns import opens_like_list_item
from .words import body_size, insert_after, is_styled, region_size, row_text, rows_of, share

HEADING_LABELS = (Label.DOC_TITLE, Label.PARAGRAPH_TITLE)
MAX_HEADING_WORDS = 20


def _style_key(region: Region) -> tuple[float, bool, bool]:
    return region_size(region), share(region, "bold") > 0.8, share(region, "italic") > 0.8


def _looks_like_heading(region: Region, body: float, body_follows: bool = True) -> bool:
    """Set larger than the body, or bold; italic at body size only with body text right below it
    (a side heading heads a paragraph; an italic byline under a title heads nothing)."""
    text = region.content.strip()
    if not text or len(text.split()) > MAX_HEADING_WORDS or share(region, "mono") > 0.5:
        return False
    if opens_like_list_item(text) or len(rows_of(region)) > 3:
        return False
    size, bold, italic = _style_key(region)
    emphasised = (bold or (italic and body_follows)) and size >= 0.95 * body
    return size >= 1.15 * body or (emphasised and not text.endswith((".", ",", ";", ":")))


def _reads_as_paragraph(region: Region, body: float) -> bool:
    """A 'title' of the layout model that is body-sized plain text running long or ending like a
    sentence (or leading into what follows: "The files it creates are:"); a short plain line keeps
    the model's word (headings set apart only by colour)."""
    text = region.content.strip()
    plain = region_size(region) <= 1.05 * body and share(region, "bold") < 0.5 and share(region, "italic") < 0.5
    return plain and (len(text.split()) > 12 or len(rows_of(region)) > 2 or text.endswith((".", ",", ";", ":")))


def _split_leading_heading(page: PageResult, region: Region, body: float) -> Region | None:
    """'Heading' + body lines in one region: the heading becomes its own region, placed first."""
    rows = rows_of(region)
    if len(rows) < 2:
        return None
    head = [ln for ln in rows[0]]
    probe = replace(region, lines=head, content=row_text(head))
    rest_probe = replace(region, lines=[ln for row in rows[1:] for ln in row])
    if not _looks_like_heading(probe, body) or _looks_like_heading(rest_probe, body):
        return None
    rest = [ln for row in rows[1:] for ln in row]
    body_region = replace(
        region,
        lines=rest,
        bbox=bbox_union([ln.bbox for ln in rest]),
        content=" ".join(ln.text for ln in rest),
        flags=list(region.flags),
        timings={},
        stats={},
        reading=Reading(),
        label=Label.TEXT,
    )  # the body under the heading, even where the layout called the whole box a title
    region.lines, region.content = head, row_text(head)
    region.bbox = bbox_union([ln.bbox for ln in head])
    return body_region


def _split_heading_styles(page: PageResult, region: Region, body: float) -> None:
    """A heading box holding rows set in different styles (a title over its subtitle, a layout model
    that boxed them together) becomes one heading per style, in order: each gets its own level."""
    rows = rows_of(region)
    if len(rows) < 2 or len(rows) > 3:
        return
    probes = [replace(region, lines=list(row), content=row_text(row)) for row in rows]
    keys = [_style_key(probe) for probe in probes]
    runs: list[list[int]] = []
    for k, key in enumerate(keys):
        if runs and _same_style(keys[runs[-1][0]], key):
            runs[-1].append(k)
        else:
            runs.append([k])
    if len(runs) < 2 or not all(_looks_like_heading(probes[run[0]], body) for run in runs):
        return
    parts = [[ln for k in run for ln in rows[k]] for run in runs]
    region.lines, region.content = parts[0], row_text(parts[0])
    region.bbox = bbox_union([ln.bbox for ln in parts[0]])
    insert_after(
        page,
        region,
        *(
            replace(
                region,
                lines=part,
                content=row_text(part),
                label=Label.PARAGRAPH_TITLE,
                bbox=bbox_union([ln.bbox for ln in part]),
                flags=list(region.flags),
                timings={},
                stats={},
                reading=Reading(),
            )
            for part in parts[1:]
        ),
    )


def _same_style(a: tuple[float, bool, bool], b: tuple[float, bool, bool]) -> bool:
    return a[1:] == b[1:] and min(a[0], b[0]) >= 0.9 * max(a[0], b[0])


def find_headings(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    body = body_size(doc)
    if not body:  # no text layer: the layout model's labels, side headings by shape; the title first
        for page in doc.pages:
            _side_headings_by_shape(page)
        title = document_title(doc, styled=False)
        if title is not None:
            title.label = Label.DOC_TITLE
        for page in doc.pages:
            for region in page.regions:
                if region.label in HEADING_LABELS and region.task is Task.TEXT and region.content.strip():
                    region.kind, region.level = Kind.HEADING, 1 if region.label == Label.DOC_TITLE else 2
        return

    for page in doc.pages:
        for region in list(page.regions):
            if region.task is not Task.TEXT or not is_styled(region) or region.kind:
                continue
            if region.label in HEADING_LABELS:
                _split_heading_styles(page, region, body)
            if region.label in HEADING_LABELS + (Label.TEXT,):
                rest = _split_leading_heading(page, region, body)
                if rest is not None:
                    insert_after(page, region, rest)
            if _looks_like_heading(region, body, _is_paragraph_below(_next_region(page, region), region)):
                if region.label not in HEADING_LABELS:
                    region.label = Label.PARAGRAPH_TITLE
            elif region.label in HEADING_LABELS and _reads_as_paragraph(region, body):
                region.label = Label.TEXT  # set like the body: a paragraph the model took for a title

    headings = [
        r
        for p in doc.pages
        for r in p.regions
        if r.task is Task.TEXT and r.label in HEADING_LABELS and r.content.strip()
    ]
    title = document_title(doc, styled=True)
    styles = sorted({_style_key(r) for r in headings if r is not title}, key=lambda k: (-k[0], not k[1], not k[2]))
    for region in headings:
        region.kind = Kind.HEADING
        if region is title:
            region.label, region.level = Label.DOC_TITLE, 1
        else:
            if region.label == Label.DOC_TITLE:
                region.label = Label.PARAGRAPH_TITLE
            region.level = min(6, 2 + styles.index(_style_key(region))) if is_styled(region) else 2


def _next_region(page: PageResult, region: Region) -> Region | None:
    """The region read right after `region` (furniture and skipped regions aside)."""
    ordered = [r for r in page.ordered_regions() if r.task is not Task.ABANDON]
    k = next((i for i, r in enumerate(ordered) if r is region), None)
    return ordered[k + 1] if k is not None and k + 1 < len(ordered) else None


def document_title(doc: DocResult, styled: bool) -> Region | None:
    """The document's title, the one place it is decided: a heading on page 1.

    With a text layer, the first heading on page 1 when no body text stands above it (whatever the
    layout model called it: sizes tell the headings apart). Read by OCR, a title the layout model
    found stands (None: nothing to change); else, as a layout model with one title class cannot
    tell, the tallest heading in the top 40% of the page whose letters are clearly larger than the
    body text's; else the first heading with no body text above it."""
    page = doc.pages[0] if doc.pages and doc.pages[0].index == 0 else None
    if page is None:
        return None
    if not styled:
        if any(r.label == Label.DOC_TITLE for r in page.regions):
            return None
        tallest = _tallest_heading(page)
        if tallest is not None:
            return tallest
    for region in page.ordered_regions():
        if region.task is not Task.TEXT or not region.content.strip():
            continue
        return region if region.label in HEADING_LABELS else None
    return None


def _tallest_heading(page: PageResult) -> Region | None:
    """The tallest heading near the top of the page, when its letters are over 1.3 times the body's."""

    def letter_height(r: Region) -> float:
        return max((ln.bbox[3] - ln.bbox[1] for ln in r.lines), default=r.bbox[3] - r.bbox[1])

    body = sorted(ln.bbox[3] - ln.bbox[1] for r in page.regions if r.label == Label.TEXT for ln in r.lines)
    titles = [r for r in page.regions if r.label == Label.PARAGRAPH_TITLE and r.bbox[1] < 0.4 * page.height]
    if not body or not titles:
        return None
    tallest = max(titles, key=letter_height)
    return tallest if letter_height(tallest) > 1.3 * body[len(body) // 2] else None


def _title_case_line(text: str) -> bool:
    """A short line whose longer words all open upper-case and that ends without punctuation."""
    words = text.split()
    long_words = [w for w in words if len(w.strip("()-")) >= 4]
    return (
        1 <= len(words) <= 10
        and bool(long_words)
        and all(w[:1].isupper() for w in long_words)
        and not text.rstrip().endswith((".", ",", ";", ":", "!", "?"))
    )


def _is_paragraph_below(region: Region | None, above: Region) -> bool:
    if region is None or region.task is not Task.TEXT or region.label != Label.TEXT or not region.lines:
        return False
    rows = rows_of(region)
    height = max(ln.bbox[3] - ln.bbox[1] for ln in above.lines)
    return (
        len(rows) >= 2
        and 0 <= region.bbox[1] - above.bbox[3] < 3 * height
        and region.bbox[0] - height < above.bbox[0] < region.bbox[2]
    )


def _side_headings_by_shape(page: PageResult) -> None:
    """OCR sees no weight or slant: a one-line Title Case text directly above a paragraph, alone in
    its region or leading it as a short first row, is a side heading."""
    ordered = [r for r in page.ordered_regions() if r.task is not Task.ABANDON]
    for k, region in enumerate(ordered):
        if region.task is not Task.TEXT or region.label != Label.TEXT or not region.lines or is_styled(region):
            continue
        rows = rows_of(region)
        following = ordered[k + 1] if k + 1 < len(ordered) else None
        if len(rows) == 1 and _title_case_line(region.content) and _is_paragraph_below(following, region):
            region.label = Label.PARAGRAPH_TITLE
        elif len(rows) >= 3 and _title_case_line(row_text(rows[0])):
            height = max(ln.bbox[3] - ln.bbox[1] for ln in rows[0])
            if region.bbox[2] - rows[0][-1].bbox[2] > 6 * height and rows[1][0].text[:1].isupper():
                head = list(rows[0])
                rest = [ln for row in rows[1:] for ln in row]
                # A region read row by row (a form's label: value rows) keeps its rows under the heading.
                joint = "\n" if "\n" in region.content else " "
                body = replace(
                    region,
                    lines=rest,
                    bbox=bbox_union([ln.bbox for ln in rest]),
                    content=joint.join(row_text(row) for row in rows[1:]),
                    flags=list(region.flags),
                    timings={},
                    stats={},
                    reading=Reading(),
                )
                region.lines, region.content, region.label = head, row_text(head), Label.PARAGRAPH_TITLE
                region.bbox = bbox_union([ln.bbox for ln in head])
                insert_after(page, region, body)
