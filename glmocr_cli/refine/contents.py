"""A table of contents: rows that end in a dot leader and a page number ("2.1 Syntax . . . . 2")
are entries, one per line, nested by their indent, and never headings (a chapter's entry is set
bold and large like the chapter's heading). The leader becomes one ellipsis."""

from __future__ import annotations

import re

from ..document import DocResult, InlineSpan, PageResult, Region, Task, TextBlock, TextLine
from ..labels import Kind, Label
from .words import indent_depths, merge_runs, rows_of, row_text

LEADER = re.compile(r"^(?P<title>.*?\S)\s*(?:[.·…]\s*){3,}\s*(?P<page>\d{1,4}|[ivxlcdm]{1,6})$", re.IGNORECASE)
MIN_ENTRY_SHARE = 0.6  # of a region's rows that must be entries (a wrapped title adds a row without a leader)


def _entries(region: Region) -> list[tuple[float, str]] | None:
    """(left edge, "title … page") per entry, or None when the region is not a table of contents."""
    rows = rows_of(region)
    if not rows:
        return None
    matches = [LEADER.match(row_text(row)) for row in rows]
    if sum(m is not None for m in matches) < max(1.0, MIN_ENTRY_SHARE * len(rows)):
        return None
    entries: list[tuple[float, str]] = []
    pending: list[list[TextLine]] = []  # rows of a title that wraps before its leader
    for row, match in zip(rows, matches):
        if match is None:
            pending.append(row)
            continue
        title = " ".join([row_text(r) for r in pending] + [match["title"]])
        left = (pending[0] if pending else row)[0].bbox[0]
        entries.append((left, f"{title} … {match['page']}"))
        pending = []
    if pending:  # a last row without a leader: plain text kept as an entry of its own
        entries.append((pending[0][0].bbox[0], " ".join(row_text(r) for r in pending)))
    return entries


def find_contents(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    for page in doc.pages:
        found = [
            (region, entries)
            for region in page.ordered_regions()
            if region.task is Task.TEXT
            and region.kind is None
            and region.lines
            and (entries := _entries(region)) is not None
        ]
        if not found:
            continue
        heights = sorted(ln.bbox[3] - ln.bbox[1] for region, _ in found for ln in region.lines)
        unit = max(1.0, 0.5 * heights[len(heights) // 2])  # about a character; nesting over the whole page
        lefts = [left for _, entries in found for left, _ in entries]
        depths = iter(indent_depths(lefts, unit))
        for region, entries in found:
            lines = [(next(depths), text) for _, text in entries]
            region.kind, region.label = Kind.LIST, Label.CONTENT
            region.blocks = [TextBlock([InlineSpan(text)], "-", depth) for depth, text in lines]
            region.content = "\n".join(text for _, text in lines)
        _merge_adjacent(page, [region for region, _ in found])


def _merge_adjacent(page: PageResult, contents: list[Region]) -> None:
    """Contents the layout split into several boxes, read one after another, are one list."""
    marked = {id(r) for r in contents}

    def absorb(previous: Region, region: Region) -> None:
        previous.blocks = previous.blocks + region.blocks
        previous.content += "\n" + region.content

    merge_runs(page, lambda previous, region: id(previous) in marked and id(region) in marked, absorb)
