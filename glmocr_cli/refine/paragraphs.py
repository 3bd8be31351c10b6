"""Paragraph text from the text layer's words: line-end hyphens joined ('Ef- fects' -> 'Effects',
'self-locking' kept when the document writes it so), paragraph breaks from vertical gaps and
first-line indents, and bold / italic / superscript / subscript kept as styled spans in `blocks`.

Only regions whose content is still the plain join of their words are rewritten, so a step that
repaired the text before (a script fix, say) is never undone.
"""

from __future__ import annotations

from ..document import DocResult, Task, TextBlock, TextLine
from ..labels import Kind
from .words import is_styled, join_words, rows_of, styled, styled_paragraphs, vocabulary


def paragraph_breaks(rows: list[list[TextLine]]) -> set[int]:
    """Rows that open a new paragraph: after a gap clearly wider than the usual line pitch, or
    indented against a left edge that most rows share (after a row that did not run full width)."""
    if len(rows) < 3:
        return set()
    tops = [min(ln.bbox[1] for ln in row) for row in rows]
    heights = [max(ln.bbox[3] for ln in row) - top for row, top in zip(rows, tops)]
    pitches = sorted(b - a for a, b in zip(tops, tops[1:]))
    pitch = pitches[len(pitches) // 2]
    lefts = [row[0].bbox[0] for row in rows]
    rights = [row[-1].bbox[2] for row in rows]
    edge, right_edge = sorted(lefts)[len(lefts) // 4], max(rights)
    unit = sorted(heights)[len(heights) // 2]
    breaks = set()
    for r in range(1, len(rows)):
        gap = tops[r] - tops[r - 1]
        indented = lefts[r] - edge > 0.8 * unit and abs(lefts[r - 1] - edge) < 0.3 * unit
        short_before = right_edge - rights[r - 1] > 2 * unit
        if gap > 1.45 * pitch or (indented and (short_before or r == 1)) or (short_before and gap > 1.2 * pitch):
            breaks.add(r)
    return breaks


def refine_paragraphs(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    vocab = vocabulary(doc)
    for page in doc.pages:
        for region in page.regions:
            if region.task is not Task.TEXT or region.kind in (Kind.LIST, Kind.CODE) or not is_styled(region):
                continue
            if " ".join(region.content.split()) != " ".join(ln.text for ln in region.lines):
                continue  # changed by an earlier step; leave it
            rows = rows_of(region)
            breaks = paragraph_breaks(rows) if region.kind != Kind.HEADING else set()
            region.content = join_words(rows, vocab, paragraph_breaks=breaks)
            paragraphs = styled_paragraphs(rows, vocab, paragraph_breaks=breaks)
            if styled(paragraphs):
                region.blocks = [TextBlock(spans) for spans in paragraphs]
