"""What refine/ steps share: a region's words grouped into visual lines, the document's body text
style, and words joined back into text (line-end hyphens, inline emphasis)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from ..document import DocResult, InlineSpan, PageResult, Region, Task, TextLine
from ..geometry import bbox_union, group_into_rows

_WORD_CHARS = re.compile(r"[^\w\-]+")
# English prefixes written with their hyphen ('self-publishing'): a line break after one keeps it.
HYPHEN_PREFIXES = frozenset({"self", "quasi", "well", "half", "cross"})


def is_styled(region: Region) -> bool:
    """True when the region's words come from a PDF text layer that says how they are set."""
    return bool(region.lines) and all(ln.style is not None for ln in region.lines)


def rows_of(region: Region) -> list[list[TextLine]]:
    """The region's visual lines, top to bottom: the text layer's own lines when it has them (in
    the layer's natural order, right for any script), else OCR lines grouped by height."""
    if not is_styled(region):
        return group_into_rows(region.lines)
    rows: dict[int, list[TextLine]] = {}
    for line in region.lines:
        rows.setdefault(line.style.line, []).append(line)
    return sorted(rows.values(), key=lambda row: min(ln.bbox[1] for ln in row))


def row_text(row: Sequence[TextLine]) -> str:
    return " ".join(ln.text for ln in row if ln.text)


def char_weighted(values: Iterable[tuple[object, int]]) -> object | None:
    counts: Counter = Counter()
    for value, weight in values:
        counts[value] += weight
    return counts.most_common(1)[0][0] if counts else None


def body_size(doc: DocResult) -> float | None:
    """The font size most characters of the document's text regions are set in."""
    return char_weighted(
        (round(ln.style.size * 2) / 2, len(ln.text))
        for page in doc.pages
        for r in page.regions
        if r.task is Task.TEXT
        for ln in r.lines
        if ln.style is not None and ln.style.size and not ln.style.script
    )


def region_size(region: Region) -> float:
    sizes = [(round(ln.style.size * 2) / 2, len(ln.text)) for ln in region.lines if ln.style and not ln.style.script]
    return char_weighted(sizes) or 0.0


def share(region: Region, attribute: str) -> float:
    """Share of the region's characters whose words are bold / italic / mono."""
    total = sum(len(ln.text) for ln in region.lines) or 1
    return sum(len(ln.text) for ln in region.lines if ln.style and getattr(ln.style, attribute)) / total


def vocabulary(doc: DocResult) -> set[str]:
    """Every word of the document, lower-cased, for deciding whether a line-end hyphen is part of
    the word ('self-locking' seen elsewhere) or only a break ('Ef-' + 'fects')."""
    words: set[str] = set()
    for page in doc.pages:
        for region in page.regions:
            for line in region.lines:
                words.add(_WORD_CHARS.sub("", line.text).lower())
            for token in region.content.split():
                words.add(_WORD_CHARS.sub("", token).lower())
    return words


def joins_hyphen(left: str, right: str, vocab: set[str]) -> str | None:
    """'Ef-' + 'fects' -> 'Effects'; 'self-' + 'locking' stays 'self-locking' when the document
    writes that word with its hyphen elsewhere. None when the two are separate words."""
    if not (left.endswith("-") and len(left) > 2 and left[-2].isalpha() and right[:1].islower()):
        return None
    last, first = left.split()[-1], right.split()[0]  # OCR lines hold several words
    stem, head = _WORD_CHARS.sub("", last[:-1]).lower(), _WORD_CHARS.sub("", first).lower()
    if f"{stem}{head}" not in vocab and (
        f"{stem}-{head}" in vocab
        or stem in HYPHEN_PREFIXES
        or (len(stem) >= 3 and len(head) >= 3 and stem in vocab and head in vocab)
    ):
        return left + right  # a compound word that happens to break at its hyphen
    return left[:-1] + right


Pieces = list[tuple[str, str]]  # a word as (text, "sup" | "sub" | "") pieces in reading order
Token = tuple[Pieces, bool, bool]  # a word's pieces, bold, italic; PARAGRAPH_BREAK between paragraphs
PARAGRAPH_BREAK: Token = ([], False, False)


def _pieces(line: TextLine, markup: bool) -> Pieces:
    """The word, with markup in its raised/lowered pieces."""
    style = line.style
    if not markup or style is None:
        return [(line.text, "")]
    if style.pieces:
        return list(style.pieces)
    return [(line.text, style.script)]


def _marked(pieces: Pieces) -> str:
    """The word as it reads with its raised/lowered pieces marked (what a line-end hyphen is judged on)."""
    return "".join(f"<{place}>{piece}</{place}>" if place else piece for piece, place in pieces)


def _tokens(
    rows: Sequence[Sequence[TextLine]], vocab: set[str], markup: bool, paragraph_breaks: set[int] | None
) -> list[Token]:
    """Rows of words -> words with line-end hyphens joined and, with markup, the runs of bold /
    italic words (that the region's majority is not) marked as such."""
    words = [ln for row in rows for ln in row]
    bold_body = sum(len(w.text) for w in words if w.style and w.style.bold) > 0.5 * sum(len(w.text) for w in words)
    italic_body = sum(len(w.text) for w in words if w.style and w.style.italic) > 0.5 * sum(len(w.text) for w in words)
    tokens: list[Token] = []
    for r, row in enumerate(rows):
        if paragraph_breaks and r in paragraph_breaks and tokens:
            tokens.append(PARAGRAPH_BREAK)
        for k, word in enumerate(row):
            pieces = _pieces(word, markup)
            bold = bool(markup and word.style and word.style.bold and not bold_body and not word.style.mono)
            italic = bool(markup and word.style and word.style.italic and not italic_body and not word.style.mono)
            if k == 0 and tokens and tokens[-1] is not PARAGRAPH_BREAK:
                left, right = _marked(tokens[-1][0]), _marked(pieces)
                joined = joins_hyphen(left, right, vocab)
                if joined is not None:
                    kept = tokens[-1][0] if joined == left + right else _drop_last_char(tokens[-1][0])
                    tokens[-1] = (kept + pieces, tokens[-1][1], tokens[-1][2])
                    continue
            tokens.append((pieces, bold, italic))
    return tokens


def _drop_last_char(pieces: Pieces) -> Pieces:
    """The word without its line-end hyphen (the last piece is on the line: the marked word ends in '-')."""
    text, place = pieces[-1]
    return pieces[:-1] + [(text[:-1], place)]


def _paragraphs(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for token in tokens:
        if token is PARAGRAPH_BREAK:
            out.append([])
        else:
            out[-1].append(token)
    return out


def join_words(rows: Sequence[Sequence[TextLine]], vocab: set[str], paragraph_breaks: set[int] | None = None) -> str:
    """Rows of words -> plain text: line-end hyphens joined, paragraph breaks as blank lines."""
    paragraphs = _paragraphs(_tokens(rows, vocab, False, paragraph_breaks))
    return "\n\n".join(" ".join(_marked(pieces) for pieces, _, _ in paragraph) for paragraph in paragraphs).strip()


def styled_paragraphs(
    rows: Sequence[Sequence[TextLine]], vocab: set[str], paragraph_breaks: set[int] | None = None
) -> list[list[InlineSpan]]:
    """Rows of words -> paragraphs of spans: line-end hyphens joined, raised and lowered pieces
    apart, and runs of bold / italic words (that the region's majority is not) as such. A space
    between two runs is set plain, outside either."""
    out = []
    for paragraph in _paragraphs(_tokens(rows, vocab, True, paragraph_breaks)):
        spans: list[InlineSpan] = []
        for k, (pieces, bold, italic) in enumerate(paragraph):
            if k:
                same_run = (bold, italic) == paragraph[k - 1][1:]
                spans.append(InlineSpan(" ", bold, italic) if same_run else InlineSpan(" "))
            spans += [InlineSpan(text, bold, italic, place) for text, place in pieces]
        out.append(spans)
    return out


def styled(paragraphs: list[list[InlineSpan]]) -> bool:
    """True when some span is set apart (bold, italic, raised or lowered): more than plain text."""
    return any(span.bold or span.italic or span.script for spans in paragraphs for span in spans)


def insert_after(page: PageResult, anchor: Region, *new: Region) -> None:
    """New regions read right after `anchor`, in the order given; the page's reading order renumbered."""
    ordered = page.ordered_regions()
    at = ordered.index(anchor) + 1
    ordered[at:at] = new
    next_index = max(r.index for r in page.regions) + 1
    for k, region in enumerate(new):
        region.index = next_index + k
        page.regions.append(region)
    for rank, region in enumerate(ordered):
        region.order = rank


def indent_depths(xs: list[float], unit: float) -> list[int]:
    """Nesting levels from left edges: an edge more than about one `unit` right of the nearest
    shallower one nests a level deeper (lists' markers, a table of contents' entries)."""
    unit = max(unit, 1.0)
    levels = sorted(set(round(x / unit) for x in xs))
    steps: list[int] = []
    for level in levels:
        if not steps or level - steps[-1] > 1:
            steps.append(level)
    return [max(k for k, step in enumerate(steps) if step <= round(x / unit)) for x in xs]


def keep_regions(page: PageResult, kept: list[Region]) -> None:
    """The page keeps only `kept`, read in that order (regions merged into others are gone)."""
    if len(kept) != len(page.regions):
        ids = {id(r) for r in kept}
        page.regions = [r for r in page.regions if id(r) in ids]
        for rank, region in enumerate(kept):
            region.order = rank


def merge_runs(
    page: PageResult, joins: Callable[[Region, Region], bool], absorb: Callable[[Region, Region], None]
) -> None:
    """Regions read one after another that `joins(previous, region)` accepts become one: lines and
    box joined, then `absorb(previous, region)` mends the text of the merged region."""
    kept: list[Region] = []
    for region in page.ordered_regions():
        previous = kept[-1] if kept else None
        if previous is not None and joins(previous, region):
            previous.lines = previous.lines + region.lines
            previous.bbox = bbox_union([previous.bbox, region.bbox])
            absorb(previous, region)
            continue
        kept.append(region)
    keep_regions(page, kept)
