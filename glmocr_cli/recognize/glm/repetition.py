"""Repetition loops cut out of long GLM-OCR answers, by the SDK formatter's rules
(`clean_repeated_content`, applied to answers of 2,048 characters or more; GLM-OCR issue #220).

A unit of 10+ characters repeated 10+ times in a row is kept once, and what follows it is dropped;
failing that, when one line makes up 80% or more of 10+ lines, the answer ends at its first run of
three.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_LENGTH = 2048
MIN_UNIT, MIN_REPEATS, MIN_LINES = 10, 10, 10


def cut_consecutive_repeat(text: str) -> str | None:
    """Text up to the first unit repeated MIN_REPEATS times in a row, plus that unit once; or None."""
    if len(text) < MIN_UNIT * MIN_REPEATS:
        return None
    longest = len(text) // MIN_REPEATS
    pattern = re.compile(r"(.{%d,%d}?)\1{%d,}" % (MIN_UNIT, longest, MIN_REPEATS - 1), re.DOTALL)
    match = pattern.search(text)
    return text[: match.start()] + match.group(1) if match else None


def cut_repeated_lines(text: str) -> str | None:
    """Text up to the first of three equal lines, when that line dominates the answer; or None."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < MIN_LINES:
        return None
    common, count = Counter(lines).most_common(1)[0]
    if count < MIN_LINES or count / len(lines) < 0.8:
        return None
    start = next((i for i in range(len(lines)) if lines[i : i + 3] == [common] * 3), None)
    if start is None:
        return None
    raw = text.split("\n")
    non_empty = [k for k, line in enumerate(raw) if line.strip()]
    return "\n".join(raw[: non_empty[start] + 1])


def cut_repetition(text: str) -> str:
    """`text` with a repetition loop cut (long answers only), else unchanged."""
    stripped = text.strip()
    if len(text) < MIN_LENGTH or not stripped:
        return text
    if len(stripped) > MIN_UNIT * MIN_REPEATS and (cut := cut_consecutive_repeat(stripped)) is not None:
        return cut
    return cut_repeated_lines(text) or text
