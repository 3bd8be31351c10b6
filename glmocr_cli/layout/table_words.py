"""A table without rulings from its words' geometry (born-digital pages).

Rows are text lines (words level with each other); within a row, words closer than half the line
height form one piece (a cell's text). Columns are the gutters that the pieces of the data rows
leave empty: rows holding as many pieces as most rows do define them, then every other piece that
only reaches into a gutter narrows it, while one that crosses a gutter whole (a header over two
year columns, a title) spans the columns on both sides. A lone currency sign joins the number to its
right and a lone percent sign the number to its left, so that '$ 1,234' is one cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..document import BBox
from ..geometry import bbox_union

# Signs that stand apart from their number in financial tables ("$    1,234", "12.5  %").
_LEADING_SIGNS = {"$", "€", "£", "¥", "US$"}
_TRAILING_SIGNS = {"%"}
# A number as tables print it: digits with separators, signs, footnote stars, brackets.
_NUMBER = re.compile(r"^[\(\[*+\-–−$€£]*\d[\d,.\s]*[\)\]%*]*$")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_THOUSANDS = re.compile(r"^\d{3}[\d,.]*$")
# Leader dots between a label and its number, and rules typed as a row of dashes: drawing, not text
# (five or more, so that '-' or '...' standing for a missing value stays a cell).
_LEADER = re.compile(r"^[.\-_=·…–—]{5,}$")


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


@dataclass
class Word:
    bbox: BBox
    text: str


@dataclass
class Piece:
    bbox: BBox
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class WordCell:
    row: int
    col: int
    colspan: int
    text: str
    bbox: BBox = (0.0, 0.0, 0.0, 0.0)
    rowspan: int = 1


def _sign_joins(left: str, right: str) -> bool:
    """A currency sign before a number, or a percent sign after one ('%' heading a column stays)."""
    return (left in _LEADING_SIGNS and is_number(right)) or (right in _TRAILING_SIGNS and is_number(left))


def text_rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words whose vertical centres lie within half a line height of the row's centre, left to right."""
    rows: list[list[Word]] = []
    centres: list[float] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        centre, height = (word.bbox[1] + word.bbox[3]) / 2, word.bbox[3] - word.bbox[1]
        if rows and abs(centre - centres[-1]) < 0.5 * max(height, _height(rows[-1])):
            rows[-1].append(word)
            centres[-1] = sum((w.bbox[1] + w.bbox[3]) / 2 for w in rows[-1]) / len(rows[-1])
        else:
            rows.append([word])
            centres.append(centre)
    return [sorted(row, key=lambda w: w.bbox[0]) for row in rows]


def _height(words: Sequence[Word]) -> float:
    return max(w.bbox[3] - w.bbox[1] for w in words)


def row_pieces(row: Sequence[Word], gap: float = 0.5) -> list[Piece]:
    """Words closer than `gap` line heights form one piece; a lone currency or percent sign joins
    its number whatever the gap."""
    pieces: list[Piece] = []
    for word in row:
        last = pieces[-1] if pieces else None
        height = max(word.bbox[3] - word.bbox[1], (last.bbox[3] - last.bbox[1]) if last else 0.0)
        # Two numbers side by side are two cells however close (columns set tight), but for a
        # group of thousands set with a space ("100 000").
        apart = (
            last is not None
            and is_number(last.words[-1].text)
            and is_number(word.text)
            and not (_THOUSANDS.match(word.text) and re.fullmatch(r"\d{1,3}", last.words[-1].text))
        )
        if (
            last is not None
            and not apart
            and (word.bbox[0] - last.bbox[2] < gap * height or _sign_joins(last.words[-1].text, word.text))
        ):
            last.words.append(word)
            last.bbox = bbox_union([last.bbox, word.bbox])
        else:
            pieces.append(Piece(word.bbox, [word]))
    return pieces


def _empty_runs(
    intervals: Sequence[tuple[float, float]], left: float, right: float, min_width: float
) -> list[tuple[float, float]]:
    """Stretches of [left, right] that no interval covers, at least min_width wide, inner ones only."""
    runs, edge = [], left
    for a, b in sorted(intervals):
        if a - edge >= min_width and edge > left:
            runs.append((edge, a))
        edge = max(edge, b)
    return runs


def find_gutters(rows: Sequence[Sequence[Piece]], min_width: float) -> list[tuple[float, float]]:
    """Gutters between columns: empty in the data rows (as many pieces as most multi-piece rows),
    then narrowed by every piece that reaches into one without crossing it."""
    counts = sorted(len(r) for r in rows if len(r) >= 2)
    if not counts:
        return []
    typical = counts[len(counts) // 2]
    data = [p for r in rows if len(r) >= typical for p in r]
    left, right = min(p.bbox[0] for r in rows for p in r), max(p.bbox[2] for r in rows for p in r)
    gutters = _empty_runs([(p.bbox[0], p.bbox[2]) for p in data], left, right, min_width)
    inside = [p for r in rows for p in r if not any(p.bbox[0] <= a and p.bbox[2] >= b for a, b in gutters)]
    narrowed = []
    for a, b in gutters:
        # Pieces reaching in from either side narrow the gutter; one that the headers fill (a
        # year centred over its sub-columns, reaching over their gutter) stays as the data left it.
        for p in inside:
            if p.bbox[0] < b and p.bbox[2] > a:
                if (p.bbox[0] + p.bbox[2]) / 2 < (a + b) / 2:
                    a = max(a, p.bbox[2])
                else:
                    b = min(b, p.bbox[0])
        narrowed.append((a, b))
    return [(a, b) if b - a >= min_width else g for (a, b), g in zip(narrowed, gutters)]


def _split_at_gutters(piece: Piece, gutters: Sequence[tuple[float, float]]) -> list[Piece]:
    """A piece whose words stand on both sides of a gutter (columns set close) is cut there; one
    word across a gutter (a spanning header) keeps the piece whole."""
    out = [Piece(piece.words[0].bbox, [piece.words[0]])]
    for word in piece.words[1:]:
        last = out[-1]
        cut = any(
            last.bbox[2] <= b and word.bbox[0] >= a and a <= (last.bbox[2] + word.bbox[0]) / 2 <= b for a, b in gutters
        ) and not _sign_joins(last.words[-1].text, word.text)
        if cut:
            out.append(Piece(word.bbox, [word]))
        else:
            last.words.append(word)
            last.bbox = bbox_union([last.bbox, word.bbox])
    return out


def grid_rows(words: Sequence[Word], gutters_out: list | None = None) -> list[dict[int, WordCell]]:
    """Words -> one row per text line, cells keyed by their first column, spanning pieces with
    their colspan. gutters_out, when given, receives the column gutters (x ranges)."""
    rows = [row_pieces(r) for r in text_rows(words)]
    if not rows:
        return []
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)
    gutters = find_gutters(rows, min_width=0.3 * heights[len(heights) // 2])
    if gutters_out is not None:
        gutters_out.extend(gutters)
    bounds = [
        (gutters[k - 1][1] if k else float("-inf"), gutters[k][0] if k < len(gutters) else float("inf"))
        for k in range(len(gutters) + 1)
    ]
    out: list[dict[int, WordCell]] = []
    for r, row in enumerate(rows):
        placed: dict[int, WordCell] = {}
        for piece in (p for whole in row for p in _split_at_gutters(whole, gutters)):
            hit = [k for k, (a, b) in enumerate(bounds) if piece.bbox[0] < b and piece.bbox[2] > a]
            if not hit:
                centre = (piece.bbox[0] + piece.bbox[2]) / 2
                hit = [
                    min(range(len(bounds)), key=lambda k: abs(min(max(centre, bounds[k][0]), bounds[k][1]) - centre))
                ]
            start, span = hit[0], hit[-1] - hit[0] + 1
            if start in placed:
                placed[start].text += " " + piece.text
                placed[start].colspan = max(placed[start].colspan, span)
                placed[start].bbox = bbox_union([placed[start].bbox, piece.bbox])
            else:
                placed[start] = WordCell(r, start, span, piece.text, piece.bbox)
        out.append(placed)
    return out


def page_words(pdf_page, clip) -> list[Word]:
    """The text layer's words whose centres lie inside clip (PDF points, unrotated page), with boxes
    in the upright page's frame (a landscape page stored turned reads left to right)."""
    import pymupdf

    from ..sources.text_layer import plain_ligatures

    turn = pdf_page.rotation_matrix
    words = []
    for x0, y0, x1, y1, text, *_ in pdf_page.get_text("words", clip=clip):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if clip.x0 <= cx <= clip.x1 and clip.y0 <= cy <= clip.y1 and text.strip() and not _LEADER.match(text.strip()):
            box = pymupdf.Rect(x0, y0, x1, y1) * turn
            words.append(Word((box.x0, box.y0, box.x1, box.y1), plain_ligatures(text)))
    return words


def _is_grid_row(pieces: Sequence[Piece]) -> bool:
    """A row that reads as table cells: a label and numbers, or three or more short pieces."""
    if len(pieces) < 2:
        return False
    if any(is_number(p.text) for p in pieces[1:]):
        return True
    return len(pieces) >= 3 and all(len(p.words) <= 4 for p in pieces)


def table_boxes(words: Sequence[Word], min_rows: int = 3, max_header: int = 3) -> list[BBox]:
    """Tables standing among a page's words (upright frame): runs of three or more grid rows (a label
    and numbers, or short pieces) set close, with columns their pieces share; a lone line between
    grid rows (a section label, a wrapped label) stays in the run, and up to max_header short lines
    right above it (the header) join it."""
    if sum(1 for w in words if _RTL.search(w.text)) > 0.2 * len(words):
        return []  # right-to-left pages set their columns the other way round
    rows = [row_pieces(r) for r in text_rows(words)]
    boxes: list[BBox] = []
    k = 0
    while k < len(rows):
        if not _is_grid_row(rows[k]):
            k += 1
            continue
        run, end = [k], k
        while end + 1 < len(rows):
            nxt = end + 1 if _is_grid_row(rows[end + 1]) else end + 2
            if nxt >= len(rows) or not _is_grid_row(rows[nxt]) or not _close(rows[run[-1]], rows[nxt], nxt - run[-1]):
                break
            run.append(nxt)
            end = nxt
        k = end + 1
        grid = [rows[i] for i in run]
        if len(run) < min_rows or not find_gutters(grid, min_width=0.3 * _row_height(grid[0])):
            continue
        left = min(p.bbox[0] for r in grid for p in r)
        right = max(p.bbox[2] for r in grid for p in r)
        first = run[0]
        for _ in range(max_header):
            above = first - 1
            # A header cell may be wider than its column's values, not much wider than the table.
            reach = 0.25 * (right - left) + 2 * _row_height(rows[above]) if above >= 0 else 0.0
            if (
                above < 0
                or not _close(rows[above], rows[first], 1)
                or any(len(p.words) > 6 for p in rows[above])
                or min(p.bbox[0] for p in rows[above]) < left - reach
                or max(p.bbox[2] for p in rows[above]) > right + reach
            ):
                break
            first = above
        members = [p.bbox for r in rows[first : end + 1] for p in r]
        boxes.append(bbox_union(members))
    return boxes


def _row_height(row: Sequence[Piece]) -> float:
    return max(p.bbox[3] - p.bbox[1] for p in row)


def _close(upper: Sequence[Piece], lower: Sequence[Piece], steps: int) -> bool:
    """Rows near enough to be one table's: a gap under two line heights per step between them."""
    gap = min(p.bbox[1] for p in lower) - max(p.bbox[3] for p in upper)
    return gap < 2.0 * steps * max(_row_height(upper), _row_height(lower))


def side_by_side(words: Sequence[Word], min_rows: int = 3) -> list[BBox]:
    """Copies of one table set side by side (a long list cut into blocks, or like tables next to
    each other): the header line's cells repeat with a period of p columns, all of them or all but
    the label's. Returns each copy's box, or [] for one table."""
    gutters: list[tuple[float, float]] = []
    rows = grid_rows(words, gutters)
    n = len(gutters) + 1
    if len(rows) < min_rows + 1 or n < 4:
        return []
    header = next((r for r in rows if sum(c.colspan for c in r.values()) >= 0.75 * n), None)
    if header is None:
        return []
    texts = [header[k].text.lower() if k in header and header[k].colspan == 1 else None for k in range(n)]
    for p in range(2, n // 2 + 1):
        if n % p:
            continue
        same = [all(texts[j] is not None and texts[j] == texts[j + m * p] for m in range(1, n // p)) for j in range(p)]
        if sum(same) >= max(1, p - 1):
            cuts = [(gutters[m * p - 1][0] + gutters[m * p - 1][1]) / 2 for m in range(1, n // p)]
            edges = [float("-inf"), *cuts, float("inf")]
            boxes = []
            for a, b in zip(edges, edges[1:]):
                part = [w.bbox for w in words if a <= (w.bbox[0] + w.bbox[2]) / 2 < b]
                if part:
                    boxes.append(bbox_union(part))
            return boxes if len(boxes) >= 2 else []
    return []


def stacked(words: Sequence[Word], min_rows: int = 3) -> list[BBox]:
    """Copies of one table set one under the other in one box: the first text line (the header)
    comes again, same text at the same left edge, and each part holds min_rows lines or more.
    Returns each copy's box, or [] for one table."""
    rows = text_rows(words)
    if len(rows) < 2 * min_rows:
        return []

    def key(row: Sequence[Word]) -> tuple[str, float]:
        return " ".join(w.text for w in row).lower(), row[0].bbox[0]

    head, x0 = key(rows[0])
    tolerance = 0.5 * _height(rows[0])
    starts = [0] + [
        i for i in range(min_rows, len(rows)) if key(rows[i])[0] == head and abs(key(rows[i])[1] - x0) <= tolerance
    ]
    parts = [rows[a:b] for a, b in zip(starts, [*starts[1:], len(rows)])]
    if len(parts) < 2 or any(len(part) < min_rows for part in parts):
        return []
    return [bbox_union([w.bbox for row in part for w in row]) for part in parts]


def continues_below(table: Sequence[Word], below: Sequence[Word]) -> bool:
    """Lines under a table (a text box the layout model cut off it) that are more of its rows: each
    line's pieces keep to the table's columns, several per line, with a number among them."""
    gutters: list[tuple[float, float]] = []
    grid_rows(table, gutters)
    rows = [row_pieces(r) for r in text_rows(below)]
    if not gutters or not rows:
        return False
    for row in rows:
        if len(row) < 2 or not any(is_number(p.text) for p in row[1:]):
            return False
        if any(p.bbox[0] < a and p.bbox[2] > b for p in row for a, b in gutters):
            return False
    return True
