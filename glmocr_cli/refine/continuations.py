"""A paragraph the layout cut in two (at a column's or a page's end) inside a word hyphenated across
the cut: the second region `joins` the first, and the word is put back together by the same rule as
inside a region (words.joins_hyphen: 'exam-' + 'ple', but 'self-' + 'locking' when the document writes
it so). The writers then show the two regions as one paragraph."""

from __future__ import annotations

from ..document import DocResult, Region, Task
from ..labels import Join, Kind, Label
from .words import joins_hyphen, vocabulary


def _is_paragraph(region: Region) -> bool:
    return (
        region.task is Task.TEXT
        and region.label not in (Label.DOC_TITLE, Label.PARAGRAPH_TITLE)
        and region.kind not in (Kind.HEADING, Kind.CODE)
    )


def _last_text(region: Region) -> str:
    """The region's text as it ends on the page (its last paragraph or list item)."""
    if region.blocks:
        return "".join(span.text for span in region.blocks[-1].spans).rstrip()
    return region.content.rstrip()


def _first_text(region: Region) -> str:
    """The region's text as it opens, "" when it opens a list item (never a word's second half)."""
    if region.blocks:
        first = region.blocks[0]
        return "" if first.marker else "".join(span.text for span in first.spans).lstrip()
    return region.content.lstrip()


def join_cut_words(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    vocab = vocabulary(doc)
    previous: Region | None = None
    for _, region in doc.body_regions():
        region.joins = None
        if previous is not None and _is_paragraph(previous) and _is_paragraph(region):
            left, right = _last_text(previous), _first_text(region)
            joined = joins_hyphen(left, right, vocab) if right else None
            if joined is not None:
                region.joins = Join.COMPOUND if joined == left + right else Join.WORD
        previous = region
