"""A region's text as refine/ sets it out: paragraphs and list items (TextBlock) of styled runs
(InlineSpan), their Markdown, and back from the Markdown that NAME.json stores as "rich". Below the
document model, which writes "rich" from them; assemble/ renders them (rich_text.py for HTML)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby


@dataclass
class InlineSpan:
    """A run of a region's text set one way, as refine/ read it from the words' styles."""

    text: str
    bold: bool = False
    italic: bool = False
    script: str = ""  # "sup" / "sub": raised or lowered off the line
    code: bool = False  # verbatim: a code block's text, spaces and line breaks as printed


@dataclass
class TextBlock:
    """One paragraph of a region's text, or one list item (marker "-" or "1.", nested depth levels)."""

    spans: list[InlineSpan]
    marker: str = ""
    depth: int = 0


_MARKS = {(True, False): "**", (False, True): "*", (True, True): "***"}


def emphasis_runs(spans: list[InlineSpan], piece: Callable[[InlineSpan], str]) -> list[tuple[bool, bool, str]]:
    """Spans grouped into runs of one emphasis: (bold, italic, the run's text with piece() applied)."""
    return [
        (bold, italic, "".join(piece(span) for span in run))
        for (bold, italic), run in groupby(spans, key=lambda span: (span.bold, span.italic))
    ]


def spans_markdown(spans: list[InlineSpan]) -> str:
    def piece(span: InlineSpan) -> str:
        return f"<{span.script}>{span.text}</{span.script}>" if span.script else span.text

    out = []
    for bold, italic, text in emphasis_runs(spans, piece):
        mark = _MARKS.get((bold, italic), "")
        out.append(f"{mark}{text}{mark}")
    return "".join(out)


def block_markdown(block: TextBlock) -> str:
    text = spans_markdown(block.spans)
    return f"{'  ' * block.depth}{block.marker} {text}" if block.marker else text


def rich_markdown(blocks: list[TextBlock]) -> str:
    """Paragraphs apart by a blank line, list items one per line, nested by two spaces a level."""
    out = ""
    for k, block in enumerate(blocks):
        if k:
            out += "\n" if block.marker and blocks[k - 1].marker else "\n\n"
        out += block_markdown(block)
    return out


# -- back from NAME.json's "rich" (a document written before, rebuilt without recognising it again) --
_ITEM = re.compile(r"^(?P<indent>(?:  )*)(?P<mark>-|\d{1,3}\.) (?P<text>.*)$")
_INLINE = re.compile(
    r"(?P<mark>\*\*\*|\*\*|\*)(?=\S)(?P<run>.+?)(?<=\S)(?P=mark)(?!\*)|<(?P<script>su[pb])>(?P<raised>.*?)</(?P=script)>"
)


def _spans(markdown: str) -> list[InlineSpan]:
    spans: list[InlineSpan] = []

    def plain(text: str, bold: bool, italic: bool) -> None:
        at = 0
        for match in re.finditer(r"<(su[pb])>(.*?)</\1>", text):
            if match.start() > at:
                spans.append(InlineSpan(text[at : match.start()], bold, italic))
            spans.append(InlineSpan(match.group(2), bold, italic, match.group(1)))
            at = match.end()
        if at < len(text) or not text:
            spans.append(InlineSpan(text[at:], bold, italic))

    at = 0
    for match in _INLINE.finditer(markdown):
        if match.start() > at:
            plain(markdown[at : match.start()], False, False)
        if match["mark"]:
            mark = match["mark"]
            plain(match["run"], mark != "*", mark != "**")
        else:
            spans.append(InlineSpan(match["raised"], script=match["script"]))
        at = match.end()
    if at < len(markdown) or not spans:
        plain(markdown[at:], False, False)
    return spans


def blocks_from_rich(rich: str | None, kind: str | None) -> list[TextBlock]:
    """The blocks whose Markdown is `rich`; a text that does not read back exactly is one plain span,
    so a document rebuilt from its JSON writes the same Markdown."""
    if not rich:
        return []
    if kind == "code":
        return [TextBlock([InlineSpan(rich, code=True)])]
    blocks: list[TextBlock] = []
    for paragraph in rich.split("\n\n"):
        lines = paragraph.split("\n")
        items = [_ITEM.match(line) for line in lines] if kind == "list" else [None]
        if all(items):
            blocks += [
                TextBlock(_spans(item["text"]), item["mark"], len(item["indent"]) // 2) for item in items if item
            ]
        else:
            blocks.append(TextBlock(_spans(paragraph)))
    if rich_markdown(blocks) != rich:
        return [TextBlock([InlineSpan(rich)])]
    return blocks
