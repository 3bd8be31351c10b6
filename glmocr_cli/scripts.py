"""Which writing system a text is in, cheaply, from Unicode character names.

The bundled PP-OCRv6 recogniser reads Latin and Chinese (and digits and punctuation); text in any
other script comes out as confident-looking noise, so it must be flagged rather than trusted.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

SUPPORTED_BY_LITE = frozenset({"latin", "cjk"})

_PREFIXES = (
    ("LATIN", "latin"),
    ("CJK", "cjk"),
    ("HIRAGANA", "cjk"),
    ("KATAKANA", "cjk"),
    ("ARABIC", "arabic"),
    ("HEBREW", "hebrew"),
    ("HANGUL", "hangul"),
    ("CYRILLIC", "cyrillic"),
    ("GREEK", "greek"),
    ("DEVANAGARI", "devanagari"),
    ("THAI", "thai"),
    ("BENGALI", "bengali"),
    ("TAMIL", "tamil"),
    ("GEORGIAN", "georgian"),
    ("ARMENIAN", "armenian"),
)


@lru_cache(maxsize=4096)
def char_script(char: str) -> str | None:
    # Cached: a page has a few hundred distinct characters, and Unicode name lookups are slow.
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    for prefix, script in _PREFIXES:
        if name.startswith(prefix):
            return script
    return "other"


def dominant_script(text: str) -> str | None:
    """The script of most letters in text, or None when it has no letters."""
    counts: Counter[str] = Counter()
    for char, n in Counter(text).items():  # each distinct character once
        script = char_script(char)
        if script:
            counts[script] += n
    return counts.most_common(1)[0][0] if counts else None


# BCP 47 tags for the HTML lang attribute.
BCP47 = {
    "ara": "ar",
    "fas": "fa",
    "urd": "ur",
    "kor": "ko",
    "rus": "ru",
    "ukr": "uk",
    "bul": "bg",
    "srp": "sr",
    "ell": "el",
    "heb": "he",
    "yid": "yi",
    "hin": "hi",
    "mar": "mr",
    "nep": "ne",
    "tha": "th",
    "ben": "bn",
    "tam": "ta",
    "kat": "ka",
    "hye": "hy",
    "jpn": "ja",
    "chi_sim": "zh-Hans",
    "chi_tra": "zh-Hant",
    "eng": "en",
}
