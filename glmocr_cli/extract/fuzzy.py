"""Word-level fuzzy matching that tolerates one OCR slip in a longer word."""

from __future__ import annotations

import re

from rapidfuzz import fuzz


def tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z%]+", text.lower()) if t]


def like(token: str, words) -> bool:
    """token is one of words, allowing one OCR slip in words of five letters or more (and H read as II)."""
    token = token.replace("ii", "h") if "ii" in token else token
    return any(token == w or (len(w) >= 5 and len(token) >= 4 and fuzz.ratio(token, w) >= 80) for w in words)
