"""A key found next to its label.

The label is matched loosely (rapidfuzz, so OCR slips such as "Totl" still count) against the key's
synonyms, and the value is the rest of the label's line, the text to its right on the same row, or
the line below it. Typed keys (dates, amounts, accounts, currencies, names) only take a value of
their type, as printed on the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from .keys import KeySpec
from .lines import PageLine, is_outsized, level_with, same_row
from .values import LABEL_SEPARATORS, VALUE_FINDERS, ValueMatch, text_values

LABEL_THRESHOLD = 80.0  # rapidfuzz ratio for a label to count
MAX_GAP = 20.0  # line heights between a label and a value to its right (further is another column)


@dataclass
class LabelMatch:
    score: float  # 0-100
    start: int  # the label's character span in the line
    end: int


def _norm(word: str) -> str:
    return re.sub(r"[^0-9a-z\u00C0-\uFFFF#%]", "", word.lower())


def match_label(text: str, synonyms: list[str], max_offset: int = 2) -> LabelMatch | None:
    """The best synonym among the first words of text (a label starts its line or nearly so)."""
    tokens = [(m.start(), m.end(), _norm(m.group(0))) for m in re.finditer(r"[^\s:：;=|]+", text)]
    tokens = [t for t in tokens if t[2]]
    best: LabelMatch | None = None
    for synonym in synonyms:
        size = len(synonym.split())
        target = _norm(synonym.replace(" ", ""))
        for i in range(min(max_offset + 1, len(tokens) - size + 1)):
            window = "".join(t[2] for t in tokens[i : i + size])
            if len(target) <= 3 or len(window) <= 3:
                score = 100.0 if window == target else 0.0
            else:
                score = fuzz.ratio(window, target)
            score -= 2.0 * i  # a label further into the line is a little less likely
            score -= 0.0 if synonym == synonyms[0] else 1.0  # the key's own name beats a synonym
            if score >= LABEL_THRESHOLD and (best is None or score > best.score):
                best = LabelMatch(score, tokens[i][0], tokens[i + size - 1][1])
    return best


# -- values ---------------------------------------------------------------------------------------
@dataclass
class Found:
    value: ValueMatch
    line: PageLine
    confidence: float
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        start, end = self.value.start, self.value.end
        inline = 0 <= start < end <= len(self.line.text) and self.line.text[start:end] == self.value.text
        bbox = self.line.sub_bbox(start, end) if inline else self.line.bbox
        data = {
            "value": self.value.text,
            "page": self.line.page,
            "bbox": [round(v, 1) for v in bbox],
            "confidence": round(self.confidence, 3),
        }
        if self.value.normalized is not None and self.value.normalized != self.value.text:
            data["normalized"] = self.value.normalized
        if self.value.currency:
            data["currency"] = self.value.currency
        if self.label:
            data["label"] = self.label
        return {**data, **self.extra}


def _candidates(line: PageLine, label: LabelMatch, lines: list[PageLine], index: int):
    """Where a label's value may be, nearest first: after it on its line, to its right on the same
    row, then below it (lines that overlap the label horizontally, up to three rows down)."""
    rest = line.text[label.end :]
    if rest.strip(LABEL_SEPARATORS):
        yield line, label.end
    right = [
        ln
        for ln in lines
        if ln is not line
        and level_with(ln, line)
        and line.bbox[2] - 0.2 * line.height <= ln.bbox[0] <= line.bbox[2] + MAX_GAP * line.height
    ]
    yield from ((ln, 0) for ln in sorted(right, key=lambda ln: ln.bbox[0]))
    lx0, _, lx1, _ = line.sub_bbox(label.start, label.end)  # "Currency" of a "Currency Amount" line
    below = [
        ln
        for ln in lines[index + 1 :]
        if ln.bbox[1] > line.centre_y
        and not same_row(ln, line)
        and ln.bbox[1] - line.bbox[3] < 3.5 * line.height
        and ln.bbox[0] < lx1
        and ln.bbox[2] > lx0
    ]
    yield from ((ln, 0) for ln in sorted(below, key=lambda ln: ln.bbox[1])[:3])


def find_labelled(pages: list[list[PageLine]], key: KeySpec) -> Found | None:
    """The best label for key with a value of the key's kind next to it; the first on ties."""
    finder = VALUE_FINDERS.get(key.type or "text", text_values)
    best, best_strength = None, 0.0
    for lines in pages:
        for i, line in enumerate(lines):
            label = match_label(line.text, key.synonyms)
            if label is None:
                continue
            for rank, (cand, offset) in enumerate(_candidates(line, label, lines, i)):
                values = finder(cand.text[offset:])
                if not values:
                    continue
                # Rank by the label's match and the value's distance; OCR confidence only scales the
                # result, so of two equally good labels the first in reading order wins.
                strength = label.score / 100 * (0.97**rank)
                if strength > best_strength + 1e-9:
                    value = replace(values[0], start=values[0].start + offset, end=values[0].end + offset)
                    best = Found(value, cand, strength * cand.score, line.text[label.start : label.end])
                    best_strength = strength
                break
    return best


def find_unlabelled(pages: list[list[PageLine]], key: KeySpec) -> Found | None:
    """Without a label, the first value of a distinctive kind in reading order (dates, IBANs). Lines
    far taller than the page's body text (a stamp, a handwritten note) come last; before them, values
    run into a word or code ("HD03-04-06" is an item code) and values whose separator OCR lost."""
    if key.type not in ("date", "account", "currency"):
        return None
    found = [
        (is_outsized(line, lines), _doubtful(line.text, value), n, value.start, value, line)
        for lines in pages
        for n, line in enumerate(lines)
        for value in VALUE_FINDERS[key.type](line.text)
    ]
    if not found:
        return None
    *_, value, line = min(found, key=lambda item: item[:4])
    return Found(value, line, 0.5 * line.score)


def _doubtful(text: str, value: ValueMatch) -> int:
    """1 for a value glued to the letters or digits before it, or rebuilt from OCR'd text."""
    glued = value.start > 0 and text[value.start - 1].isalnum()
    return int(glued or text[value.start : value.end] != value.text)
