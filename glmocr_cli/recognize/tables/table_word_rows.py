"""Text lines of a table without rulings -> its rows: wrapped cells joined, header tiers with spans.

A cell's text may wrap onto several lines. The evidence that a line continues the row above is
geometric and typographic, never a document's words:
- rules between the rows (a ruled text table): lines with no rule between them are one row;
- a line with an empty label column, whose cells stand under filled cells of the line above, none
  of them a number (the wrapped description of a text table);
- a label that goes on in lower case (a wrapped label; its numbers sit on either line).
Two lines holding numbers in the same column are always two rows.

Header lines (above the first labelled line with a number right of the label column) form tiers: a
line with a cell over several columns (years over their sub-columns) is a tier of its own, the
lines between such lines collapse into one tier ('Margin of' over 'error (±)'), and a cell of the
last tier with nothing above it ('Category' beside the years) spans the tiers.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...geometry import bbox_union
from ...layout.table_words import WordCell, is_number

Row = dict[int, WordCell]


def _join(upper: Row, lower: Row) -> Row:
    merged = {k: WordCell(c.row, c.col, c.colspan, c.text, c.bbox, c.rowspan) for k, c in upper.items()}
    for k, cell in lower.items():
        if k in merged:
            merged[k].text += " " + cell.text
            merged[k].colspan = max(merged[k].colspan, cell.colspan)
            merged[k].bbox = bbox_union([merged[k].bbox, cell.bbox])
        else:
            merged[k] = WordCell(cell.row, cell.col, cell.colspan, cell.text, cell.bbox, cell.rowspan)
    return merged


def _top(row: Row) -> float:
    return min(c.bbox[1] for c in row.values())


def _bottom(row: Row) -> float:
    return max(c.bbox[3] for c in row.values())


def _height(row: Row) -> float:
    return max(c.bbox[3] - c.bbox[1] for c in row.values())


def _numbers(row: Row) -> set[int]:
    return {k for k, c in row.items() if is_number(c.text)}


def _continues(upper: Row, lower: Row, rules: Sequence[float], banded: bool) -> bool:
    if _numbers(upper) & _numbers(lower):
        return False
    gap = _top(lower) - _bottom(upper)
    # Text boxes reach into the leading, so a rule may touch them: compare with the lines' cores.
    reach = 0.4 * _height(lower)
    ruled_apart = any(_bottom(upper) - reach <= y <= _top(lower) + reach for y in rules)
    if banded:
        return not ruled_apart and gap < 1.2 * _height(lower)
    if ruled_apart or gap > 0.8 * _height(lower):
        return False
    if 0 not in lower and 0 in upper and not _numbers(lower):
        # A wrapped description: each piece under a filled cell of the same columns.
        return all(k in upper and upper[k].colspan == c.colspan for k, c in lower.items())
    if 0 in lower and 0 in upper and lower[0].text[:1].islower():
        # A wrapped label: numbers on its first line (the rest of the label alone below), or on its
        # last line (the label's start alone above).
        return set(lower) == {0} or set(upper) == {0}
    return False


def _label_only(row: Row) -> bool:
    return set(row) == {0}


def _join_centred(rows: Sequence[Row]) -> list[Row]:
    """A label on two lines with its numbers set level with the middle of the two: the numbers'
    line (empty label column) overlaps both label lines, and the three are one row."""
    out: list[Row] = []
    i = 0
    while i < len(rows):
        if (
            i + 2 < len(rows)
            and _label_only(rows[i])
            and _label_only(rows[i + 2])
            and 0 not in rows[i + 1]
            and _numbers(rows[i + 1])
            and _top(rows[i + 1]) < _bottom(rows[i])
            and _top(rows[i + 2]) < _bottom(rows[i + 1])
        ):
            out.append(_join(_join(rows[i], rows[i + 1]), rows[i + 2]))
            i += 3
        else:
            out.append(dict(rows[i]))
            i += 1
    return out


def join_wrapped(rows: Sequence[Row], rules: Sequence[float] = ()) -> list[Row]:
    """Rows with the lines that continue them joined in; rules are horizontal rulings' y (same
    units as the cells' boxes). Three or more rules between lines make every rule a row border."""
    if not rows:
        return []
    first, last = _bottom(rows[0]), _top(rows[-1])
    banded = sum(1 for y in rules if first <= y <= last) >= 3
    rows = _join_centred(rows)
    out: list[Row] = [dict(rows[0])]
    for row in rows[1:]:
        if _continues(out[-1], row, rules, banded):
            out[-1] = _join(out[-1], row)
        else:
            out.append(dict(row))
    return out


def _column_centres(rows: Sequence[Row]) -> dict[int, float]:
    """Each column's middle, from its one-column cells."""
    xs: dict[int, list[float]] = {}
    for row in rows:
        for k, cell in row.items():
            if cell.colspan == 1:
                xs.setdefault(k, []).append((cell.bbox[0] + cell.bbox[2]) / 2)
    return {k: sum(v) / len(v) for k, v in xs.items()}


def _spread(upper: Row, lower: Row, centres: dict[int, float]) -> bool:
    """A header line over a fuller one (years over their sub-columns): each of its cells spans the
    sub-columns from its own column up to the next cell's. True when it did."""
    if len(upper) < 1 or len(lower) < 1.5 * len(upper) + 0.5:
        return False
    cells = sorted(upper.values(), key=lambda c: c.col)
    for i, cell in enumerate(cells):
        stop = cells[i + 1].col if i + 1 < len(cells) else max(centres, default=cell.col) + 1
        # Sub-columns the fuller line fills, next to each other from the cell's own column.
        last = cell.col + cell.colspan - 1
        while last + 1 < stop and last + 1 in lower:
            last += 1
        cell.colspan = max(cell.colspan, last - cell.col + 1)
    return True


def header_tiers(rows: Sequence[Row]) -> list[Row]:
    """The header lines above the first labelled line with a number right of the label column, collapsed into
    tiers; a last-tier cell with no cell above it spans the tiers (placed in the first)."""
    # Years head columns too: a data line also has its label.
    data = next((i for i, row in enumerate(rows) if 0 in row and any(k >= 1 for k in _numbers(row))), None)
    # A header has one labelled line at most (the stub, 'Item' over the labels): the second one is data.
    labelled = [i for i, row in enumerate(rows) if 0 in row]
    if data is not None and len(labelled) >= 2:
        data = min(data, labelled[1])
    if not data or data < 2:
        return list(rows)
    centres = _column_centres(rows)
    head = [
        {k: WordCell(c.row, c.col, c.colspan, c.text, c.bbox, c.rowspan) for k, c in row.items()} for row in rows[:data]
    ]
    tiers: list[Row] = []
    spanning_last = True
    for i, row in enumerate(head):
        spanning = any(c.colspan > 1 for c in row.values()) or (
            i + 1 < len(head) and _spread(row, head[i + 1], centres)
        )
        if tiers and not spanning and not spanning_last:
            tiers[-1] = _join(tiers[-1], row)
        else:
            tiers.append(row)
        spanning_last = spanning
    if len(tiers) >= 2:
        bottom = tiers[-1]
        for k in list(bottom):
            covered = any(c.col <= k < c.col + c.colspan for tier in tiers[:-1] for c in tier.values())
            if not covered:
                cell = bottom.pop(k)
                cell.rowspan = len(tiers)
                tiers[0][k] = cell
    return tiers + [dict(r) for r in rows[data:]]


def fold_lone_columns(rows: Sequence[Row], min_rows: int = 4) -> list[Row]:
    """A column that one label alone fills ('Total' set flush right in the label column, out in the
    gutter) is no column: the label moves to the column on its left, empty in its row, where most
    rows have a cell."""
    out = [dict(row) for row in rows]
    n_cols = max((c.col + c.colspan for row in out for c in row.values()), default=0)
    for k in range(n_cols - 1, 0, -1):
        here = [row for row in out if any(c.col <= k < c.col + c.colspan for c in row.values())]
        left = sum(1 for row in out if k - 1 in row)
        if len(here) != 1 or left < min_rows:
            continue
        row = here[0]
        cell = row.get(k)
        if cell is None or cell.colspan != 1 or is_number(cell.text) or k - 1 in row:
            continue
        if any(c.col < k - 1 < c.col + c.colspan for c in row.values()):
            continue
        for r, old in enumerate(out):
            moved: Row = {}
            for col, c in old.items():
                if col >= k:
                    c = WordCell(c.row, c.col - 1, c.colspan, c.text, c.bbox, c.rowspan)
                moved[c.col] = c
            out[r] = moved
    return out
