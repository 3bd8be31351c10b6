"""What refine/ steps share: a region's words grouped into visual lines, the document's body text
style, and words joined back into text (line-end hyphens, inline emphasis)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from ..document import DocResult, PageResult, Region, Task, TextLine
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


def _inline(line: TextLine) -> str:
    """The word with its raised/lowered pieces as <sup>/<sub> and emphasis the region lacks."""
    style = line.style
    if style is None:
        return line.text
    if style.pieces:
        text = "".join(f"<{place}>{piece}</{place}>" if place else piece for piece, place in style.pieces)
    elif style.script:
        text = f"<{style.script}>{line.text}</{style.script}>"
    else:
        text = line.text
    return text


def join_words(
    rows: Sequence[Sequence[TextLine]], vocab: set[str], markup: bool, paragraph_breaks: set[int] | None = None
) -> str:
    """Rows of words -> text: line-end hyphens joined, paragraph breaks as blank lines, and with
    markup, runs of bold / italic words (that the region's majority is not) marked up."""
    words = [ln for row in rows for ln in row]
    bold_body = sum(len(w.text) for w in words if w.style and w.style.bold) > 0.5 * sum(len(w.text) for w in words)
    italic_body = sum(len(w.text) for w in words if w.style and w.style.italic) > 0.5 * sum(len(w.text) for w in words)
    pieces: list[tuple[str, bool, bool]] = []  # (token, bold, italic), "\n\n" for a paragraph break
    for r, row in enumerate(rows):
        if paragraph_breaks and r in paragraph_breaks and pieces:
            pieces.append(("\n\n", False, False))
        for k, word in enumerate(row):
            text = _inline(word) if markup else word.text
            bold = bool(markup and word.style and word.style.bold and not bold_body and not word.style.mono)
            italic = bool(markup and word.style and word.style.italic and not italic_body and not word.style.mono)
            if k == 0 and pieces and pieces[-1][0] != "\n\n":
                joined = joins_hyphen(pieces[-1][0], text, vocab)
                if joined is not None:
                    pieces[-1] = (joined, pieces[-1][1], pieces[-1][2])
                    continue
            pieces.append((text, bold, italic))
    return _render_runs(pieces)


def _render_runs(pieces: list[tuple[str, bool, bool]]) -> str:
    out: list[str] = []
    k = 0
    while k < len(pieces):
        text, bold, italic = pieces[k]
        if text == "\n\n":
            out.append("\n\n")
            k += 1
            continue
        end = k
        while end + 1 < len(pieces) and pieces[end + 1][1:] == (bold, italic) and pieces[end + 1][0] != "\n\n":
            end += 1
        run = " ".join(p[0] for p in pieces[k : end + 1])
        if bold or italic:
            mark = "**" if bold and not italic else "*" if italic and not bold else "***"
            run = f"{mark}{run}{mark}"
        out.append(run)
        k = end + 1
    text = ""
    for part in out:
        if part == "\n\n" or text.endswith("\n\n") or not text:
            text += part
        else:
            text += " " + part
    return text.strip()


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
