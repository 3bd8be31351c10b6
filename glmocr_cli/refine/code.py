"""Code: a text region set (almost) wholly in a monospaced font is a code block, its lines kept as
they are, indented by the glyph positions; consecutive code regions of a page are one block. A
layout box that holds prose and code lines together is split at the rows set wholly in mono.
Rows that open with a bullet glyph are a list, whatever their font."""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby

from ..document import DocResult, InlineSpan, PageResult, Reading, Region, Task, TextBlock, TextLine
from ..geometry import bbox_union, group_into_rows
from ..labels import Kind, Label
from ..text_patterns import opens_with_bullet_glyph
from .words import insert_after, is_styled, merge_runs, rows_of, share

MIN_MONO_SHARE = 0.8
BODY_LABELS = (
    Label.TEXT,
    Label.REFERENCE_CONTENT,
    Label.ABSTRACT,
    Label.CONTENT,
    Label.ASIDE_TEXT,
)  # prose that may hold code rows


def _bulleted(rows: list[list[TextLine]]) -> bool:
    return sum(opens_with_bullet_glyph(row[0].text) for row in rows) >= 0.5 * len(rows)


def _is_code(region: Region) -> bool:
    return (
        region.task is Task.TEXT
        and is_styled(region)
        and share(region, "mono") >= MIN_MONO_SHARE
        and not _bulleted(rows_of(region))
    )


def _mono_row(row: list[TextLine]) -> bool:
    chars = sum(len(ln.text) for ln in row) or 1
    return sum(len(ln.text) for ln in row if ln.style.mono) / chars >= 0.95 and not opens_with_bullet_glyph(row[0].text)


def _split_mixed(page: PageResult, region: Region) -> None:
    """Prose and code rows in one box: each run becomes a region of its own, in reading order."""
    rows = rows_of(region)
    kinds = [_mono_row(row) for row in rows]
    if len(rows) < 2 or all(kinds) or not any(kinds):
        return
    runs = [[row for row, _ in run] for _, run in groupby(zip(rows, kinds), key=lambda pair: pair[1])]
    parts = []
    for run in runs:
        lines = [ln for row in run for ln in row]
        parts.append(
            replace(
                region,
                lines=lines,
                content=" ".join(ln.text for ln in lines),
                bbox=bbox_union([ln.bbox for ln in lines]),
                flags=list(region.flags),
                timings={},
                stats={},
                reading=Reading(),
            )
        )
    first, *rest = parts
    region.lines, region.content, region.bbox = first.lines, first.content, first.bbox
    insert_after(page, region, *rest)


def _verbatim(region: Region) -> str:
    # Rows by position: in code, a PDF often writes the columns of one printed line as separate
    # text lines ("x", then "INTEGER," aligned further right).
    rows = group_into_rows(region.lines)
    widths = [(ln.bbox[2] - ln.bbox[0]) / len(ln.text) for row in rows for ln in row if ln.text]
    char = sorted(widths)[len(widths) // 2] if widths else 1.0
    left = min(ln.bbox[0] for ln in region.lines)
    out = []
    for row in rows:
        indent = int(round((row[0].bbox[0] - left) / char)) if char else 0
        line, end = " " * indent, row[0].bbox[0]
        for k, word in enumerate(row):
            if k:  # the gap to the previous word in characters, at least one space
                line += " " * max(1, int(round((word.bbox[0] - end) / char)))
            line += word.text
            end = word.bbox[2]
        out.append(line.rstrip())
    return "\n".join(out)


def _set_verbatim(region: Region) -> None:
    region.content = _verbatim(region)
    region.blocks = [TextBlock([InlineSpan(region.content, code=True)])]


def _merge_runs(page: PageResult) -> None:
    def absorb(previous: Region, _: Region) -> None:
        _set_verbatim(previous)

    merge_runs(page, lambda previous, region: previous.kind == Kind.CODE and region.kind == Kind.CODE, absorb)


def find_code(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    for page in doc.pages:
        for region in list(page.regions):
            if region.task is Task.TEXT and is_styled(region) and not region.kind and region.label in BODY_LABELS:
                _split_mixed(page, region)
        for region in page.regions:
            if _is_code(region):
                region.kind, region.label = Kind.CODE, Label.ALGORITHM
                _set_verbatim(region)
        _merge_runs(page)
