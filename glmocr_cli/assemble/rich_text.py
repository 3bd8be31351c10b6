"""A region's text as refine/ set it out (glmocr_cli/spans.py) in HTML."""

from __future__ import annotations

import html

from ..spans import InlineSpan, TextBlock, emphasis_runs


def spans_html(spans: list[InlineSpan]) -> str:
    """A list item's spans in HTML: each run of one emphasis in <strong>/<em> (nested, never crossed),
    raised and lowered pieces in <sup>/<sub>, the text escaped (an OCR'd '***' stays text)."""

    def piece(span: InlineSpan) -> str:
        text = html.escape(span.text)
        return f"<{span.script}>{text}</{span.script}>" if span.script in ("sup", "sub") else text

    out = []
    for bold, italic, text in emphasis_runs(spans, piece):
        text = f"<em>{text}</em>" if italic else text
        out.append(f"<strong>{text}</strong>" if bold else text)
    return "".join(out)


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
