"""Lists: a line that opens with a bullet glyph or an enumerator ('1.', 'a)', 'iv.') starts an item;
the lines after it, up to the next marker, continue that item. Nesting comes from the marker's
indent. Works on text-layer lines and on OCR lines alike."""

from __future__ import annotations

import re

from ..document import DocResult, InlineSpan, Region, Task, TextBlock, TextLine
from ..geometry import bbox_union
from ..labels import Kind, Label
from ..text_patterns import BULLET_MARKS, glued_bullet, is_bullet_word, is_enumerator_word, line_item
from .words import indent_depths, is_styled, join_words, keep_regions, rows_of, styled_paragraphs, vocabulary


def _marker(row: list[TextLine]) -> tuple[str, str, list[TextLine]] | None:
    """The row's Markdown list marker ('-' or '1.'), the marker as printed, and the row's
    remaining words; None when the row opens no item. An OCR line holds several words: its first
    word is looked at."""
    head = row[0]
    first, _, tail = head.text.strip().partition(" ")
    glued = glued_bullet(first)
    if glued:  # '•Item' read as one word
        first, tail = glued[0], f"{glued[1]} {tail}".strip()
    elif not (is_bullet_word(first) or is_enumerator_word(first)):
        return None
    rest = ([TextLine(head.bbox, tail, head.score, head.style)] if tail else []) + list(row[1:])
    if not rest:
        return None
    number = re.sub(r"\D", "", first) if is_enumerator_word(first) else ""
    return (f"{number}." if number else "-"), first, rest


def _unseen_markers(
    region: Region, rows: list[list[TextLine]], markers: list
) -> list[tuple[str, str, list[TextLine]] | None]:
    """OCR often drops bullet glyphs (or reads a few). Rows that share one left edge, with the
    region's box reaching a marker's width left of it, start items where a row follows a short row
    and opens upper-case; a row that starts left of the edge may hold the unread bullet's space."""
    if is_styled(region) or len(rows) < 2:
        return markers
    height = sorted(ln.bbox[3] - ln.bbox[1] for ln in region.lines)[len(region.lines) // 2]
    lefts = [row[0].bbox[0] for row in rows]
    rights = [row[-1].bbox[2] for row in rows]
    plain = [x for x, m in zip(lefts, markers) if m is None]
    edge = sorted(plain)[len(plain) // 2] if plain else min(lefts)
    starts = {0} | {
        r for r in range(1, len(rows)) if max(rights) - rights[r - 1] > 3 * height and rows[r][0].text[:1].isupper()
    }
    starts |= {r for r, m in enumerate(markers) if m is not None}
    aligned = all(
        abs(x - edge) <= 0.5 * height or (r in starts and x < edge) for r, x in enumerate(lefts) if markers[r] is None
    )
    if not aligned or edge - region.bbox[0] < height or len(starts) < 2:
        return markers
    return [markers[r] or (("-", "", row) if r in starts else None) for r, row in enumerate(rows)]


def _rebuild(region: Region, vocab: set[str]) -> bool:
    rows = rows_of(region)
    markers = _unseen_markers(region, rows, [_marker(row) for row in rows])
    found = [m for m in markers if m is not None]
    # After lead-in text one item needs a bullet glyph ("Each node may hold: • glob ..."); a lone
    # "-", "*" or "1." inside a paragraph is too often just text.
    if not found or (markers[0] is None and len(found) < 2 and not re.fullmatch(f"[{BULLET_MARKS}]", found[0][1])):
        return False
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in region.lines)
    unit = heights[len(heights) // 2] * 0.5  # about one character's width
    lead: list[list[TextLine]] = []
    items: list[tuple[str, float, list[list[TextLine]]]] = []
    printed: list[str] = []
    tail: list[list[TextLine]] = []  # a paragraph after the list, in the same layout box
    hanging = False  # the list's items wrap under their text, right of the marker
    for row, found in zip(rows, markers):
        if found is not None and not tail:
            items.append((found[0], row[0].bbox[0], [found[2]]))
            printed.append(found[1])
        elif items and not tail:
            marker_x = items[-1][1]
            if is_styled(region) and hanging and row[0].bbox[0] < marker_x + unit:
                tail.append(row)  # back at the marker's edge: the list is over
                continue
            hanging = hanging or row[0].bbox[0] > marker_x + 2 * unit
            items[-1][2].append(row)
        elif tail:
            tail.append(row)
        else:
            lead.append(row)
    # OCR'd rows: a row's left edge may include an unread bullet, so nesting is not measured
    depths = indent_depths([x for _, x, _ in items], unit) if is_styled(region) else [0] * len(items)
    entries = [
        TextBlock(_one_paragraph(item_rows, vocab), marker, depth)
        for (marker, _, item_rows), depth in zip(items, depths)
    ]
    plain = [f"{mark} {join_words(item_rows, vocab)}".strip() for mark, (_, _, item_rows) in zip(printed, items)]
    intro = [TextBlock(spans) for spans in [_one_paragraph(lead, vocab)] if lead and _has_text(spans)]
    after = [TextBlock(spans) for spans in [_one_paragraph(tail, vocab)] if tail and _has_text(spans)]
    region.kind = Kind.LIST
    region.blocks = intro + entries + after
    region.content = (
        ((join_words(lead, vocab) + "\n") if lead else "")
        + "\n".join(plain)
        + ("\n" + join_words(tail, vocab) if tail else "")
    )
    return True


def _one_paragraph(rows: list[list[TextLine]], vocab: set[str]) -> list[InlineSpan]:
    return styled_paragraphs(rows, vocab)[0]


def _has_text(spans: list[InlineSpan]) -> bool:
    return any(span.text for span in spans)


def _candidate(region: Region) -> bool:
    return (
        region.task is Task.TEXT
        and region.kind in (None, Kind.LIST)
        and region.label not in (Label.DOC_TITLE, Label.PARAGRAPH_TITLE, Label.CONTENT)
        and bool(region.lines)
    )


def _continues(previous: Region, region: Region) -> bool:
    """The next region carries on the list: it opens with a marker and follows closely below."""
    rows = rows_of(region)
    if not rows or _marker(rows[0]) is None:
        return False
    height = max(ln.bbox[3] - ln.bbox[1] for ln in previous.lines)
    gap = region.bbox[1] - previous.bbox[3]
    return -height < gap < 1.5 * height and region.bbox[0] >= previous.bbox[0] - height


def find_lists(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    vocab = vocabulary(doc)
    for page in doc.pages:
        merged: list[Region] = []
        for region in page.ordered_regions():
            if not _candidate(region):
                merged.append(region)
                continue
            previous = merged[-1] if merged else None
            if (
                previous is not None
                and previous.kind == Kind.LIST
                and _candidate(previous)
                and _continues(previous, region)
            ):
                previous.lines = previous.lines + region.lines  # one list split by the layout
                previous.bbox = bbox_union([previous.bbox, region.bbox])
                _rebuild(previous, vocab)
                continue
            _rebuild(region, vocab)
            merged.append(region)
        keep_regions(page, merged)


def _items_from_text(text: str) -> list[TextBlock] | None:
    """A text read line by line, without word boxes, as list items: lines before the first item are
    its lead-in, a line that opens no item carries on the item above. None when no item opens it and
    fewer than two open inside it (one '- ' line in a paragraph is too often just text)."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    opened = [line_item(ln) for ln in lines]
    if not opened or (opened[0] is None and sum(o is not None for o in opened) < 2):
        return None
    lead: list[str] = []
    items: list[tuple[str, list[str]]] = []
    for line, item in zip(lines, opened):
        if item is not None:
            items.append((item[0], [item[1]]))
        elif items:
            items[-1][1].append(line.strip())
        else:
            lead.append(line.strip())
    blocks = [TextBlock([InlineSpan("\n".join(lead))])] if lead else []
    return blocks + [TextBlock([InlineSpan("\n".join(words))], marker) for marker, words in items]


def lists_from_text(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    """Lists in text that came without word boxes (the GLM engine's Markdown, Tesseract's lines):
    find_lists reads the words' places, this the lines' openings."""
    for page in doc.pages:
        for region in page.regions:
            if region.task is Task.TEXT and region.kind is None and not region.blocks and not region.lines:
                items = _items_from_text(region.content)
                if items is not None:
                    region.kind, region.blocks = Kind.LIST, items


def _opens_with_bullet(region: Region) -> bool:
    return (
        region.kind == Kind.LIST
        and bool(region.blocks)
        and region.blocks[0].marker == "-"
        and not region.blocks[0].depth
    )


def _plain_text(region: Region) -> bool:
    return region.label == Label.TEXT and region.kind is None


def items_between_items(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    """A plain text region between two bulleted ones, left-aligned with both within 1% of the page
    width, is an item of their list whose bullet was not read (the SDK's _format_bullet_points)."""
    body = [(page, region) for page, region in doc.body_regions() if region.joins is None]
    left = [int(region.bbox[0] / max(1, page.width) * 1000) for page, region in body]
    for i in range(1, len(body) - 1):
        (_, before), (_, region), (_, after) = body[i - 1], body[i], body[i + 1]
        if (
            _plain_text(region)
            and all(r.label == Label.TEXT and _opens_with_bullet(r) for r in (before, after))
            and abs(left[i] - left[i - 1]) <= 10
            and abs(left[i] - left[i + 1]) <= 10
        ):
            first = region.blocks[0].spans if region.blocks else [InlineSpan(region.content.strip())]
            region.kind, region.blocks = Kind.LIST, [TextBlock(first, "-"), *region.blocks[1:]]
