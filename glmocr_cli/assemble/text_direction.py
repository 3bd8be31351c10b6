"""The language and direction of a text, for HTML `lang` and `dir`.

When Tesseract read a region its language is known (`tesseract:ara` -> `ar`); otherwise the script
is all that is known, written as a BCP 47 tag with an undetermined language (`und-Cyrl`), except
where a script belongs to one language (Hangul: `ko`, kana: `ja`).
"""

from __future__ import annotations

from ..document import Region
from ..scripts import BCP47, dominant_script

RTL_SCRIPTS = frozenset({"arabic", "hebrew"})
SCRIPT_TAGS = {
    "latin": "und-Latn",
    "cjk": "und-Hani",
    "arabic": "und-Arab",
    "hebrew": "und-Hebr",
    "hangul": "ko",
    "cyrillic": "und-Cyrl",
    "greek": "und-Grek",
    "devanagari": "und-Deva",
    "thai": "th",
    "bengali": "und-Beng",
    "tamil": "und-Taml",
    "georgian": "und-Geor",
    "armenian": "und-Armn",
}


def _has_kana(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" for ch in text)


def language_tag(text: str, reader: str | None = None) -> str | None:
    """BCP 47 tag for a text, or None when it has no letters."""
    if reader and reader.startswith("tesseract:"):
        first = reader.split(":", 1)[1].split("+")[0]
        if first in BCP47:
            return BCP47[first]
    script = dominant_script(text)
    if script == "cjk" and _has_kana(text):
        return "ja"
    return SCRIPT_TAGS.get(script or "")


def direction(text: str) -> str:
    return "rtl" if dominant_script(text) in RTL_SCRIPTS else "ltr"


def region_language(region: Region) -> tuple[str | None, str]:
    return language_tag(region.content, region.reading.reader), direction(region.content)
