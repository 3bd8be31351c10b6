"""A region's text as refine/ set it out (glmocr_cli/spans.py) in HTML."""

from __future__ import annotations

import html
import re

from ..spans import InlineSpan, TextBlock, spans_markdown


def spans_html(spans: list[InlineSpan]) -> str:
    """A list item's spans in HTML, byte for byte as list items have been written so far: the item's
    Markdown with its emphasis marks turned into tags. That keeps its quirks (raised and lowered
    pieces shown as their Markdown, a bold italic run's tags crossed, a literal '***' in OCR'd text
    read as emphasis); rendering the spans themselves fixes them and changes dev/receipts 039.html
    and dev2/tables us-016_p2.html, a change of output left to its own commit."""
    text = html.escape(spans_markdown(spans))
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", text)


def list_html(blocks: list[TextBlock], attrs: str) -> str | None:
    """List items as nested <ul>/<ol>; None when the blocks hold more than items (a lead-in or a
    paragraph after the list)."""
    if not blocks or not all(block.marker for block in blocks):
        return None
    out: list[str] = []
    stack: list[str] = []  # open list tags, one per level
    base = blocks[0].depth  # a list continued from the page before may open nested
    for block in blocks:
        depth = min(max(0, block.depth - base), len(stack))
        while len(stack) > depth + 1:
            out.append(f"</li></{stack.pop()}>")
        if len(stack) == depth + 1:
            out.append("</li>")
        else:
            tag = "ul" if block.marker == "-" else "ol"
            out.append(f"<{tag}{attrs if not stack else ''}>")
            stack.append(tag)
        out.append(f"<li>{spans_html(block.spans)}")
    while stack:
        out.append(f"</li></{stack.pop()}>")
    return "".join(out)
