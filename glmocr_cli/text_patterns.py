"""Printed-text patterns that several stages recognise, kept in one place so they agree: list bullet
marks and enumerators, caption openers ("Figure 3:", "Listing 1") and page numbers ("12", "Page 3 of 9",
"iv", "3-12")."""

from __future__ import annotations

import re

# What a bullet is. A glyph of BULLET_MARKS opens a list item wherever a line starts with it, even
# glued to its word ("•Item"). The ASCII and dash marks are bullets only by context: a dash or "*"
# is a bullet as a word of its own, "+" and a lone "o" only in a line's text where the next word
# follows a space ("o Item", the way OCR reads a hollow bullet).
BULLET_MARKS = "•·▪◦●○■□➢►▸‣⁃✓✔➤"
DASH_MARKS = "–—-"
# An item's number or letter: "1.", "(2)", "a)", "iv."
ENUMERATOR = r"\(?(?:\d{1,3}|[a-z]|[ivxlc]{1,5})[.)]"

_BULLET_WORD = re.compile(rf"^[{BULLET_MARKS}*{DASH_MARKS}]$|^o$")
_ENUMERATOR_WORD = re.compile(rf"^{ENUMERATOR}$", re.I)
_GLUED = re.compile(rf"^([{BULLET_MARKS}])(\S.*)$")
_GLYPH_FIRST = re.compile(f"^[{BULLET_MARKS}]")
# A text that opens like a list item, for the stages that must not take one for something else (a
# heading): any mark, even glued ("-Item"), or a short number or letter with a space after it.
_ITEM_OPENING = re.compile(rf"^\s*(?:[{BULLET_MARKS}*–-]|\(?\d{{1,3}}[.)]\s|\(?[a-z][.)]\s)")
# One printed line's bullet and the space after it, in text read line by line (the SDK's Markdown
# turns them into "- "; HTML takes a text whose every line has one for a <ul>). They disagree on
# "o" and "+", which changes no document of ours either way; kept as they were.
MARKDOWN_BULLET = re.compile(rf"^\s*(?:[{BULLET_MARKS}*]|-(?=\s)|o(?=\s))\s*")
HTML_BULLET = re.compile(rf"^\s*(?:[{BULLET_MARKS}*+]|-(?=\s))\s*")
HTML_ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}|[a-zA-Z])[.)]\s+")


def is_bullet_word(word: str) -> bool:
    """A word that is a bullet mark alone: a glyph, a dash, '*', or a lone 'o' (OCR's hollow bullet)."""
    return bool(_BULLET_WORD.match(word))


def is_enumerator_word(word: str) -> bool:
    """A word that numbers an item: '1.', '(2)', 'a)', 'iv.'."""
    return bool(_ENUMERATOR_WORD.match(word))


def glued_bullet(word: str) -> tuple[str, str] | None:
    """'•Item' read as one word -> ('•', 'Item'); None when the word opens with no bullet glyph."""
    match = _GLUED.match(word)
    return (match.group(1), match.group(2)) if match else None


def opens_with_bullet_glyph(text: str) -> bool:
    return bool(_GLYPH_FIRST.match(text))


def opens_like_list_item(text: str) -> bool:
    return bool(_ITEM_OPENING.match(text))


# A caption word, then a number (Arabic, or Roman in capitals, maybe with a letter: "3a", "IV"), then
# a colon or dot, a space or the end: "Listing 1:", "Table 3 Results", "Fig. 2.4." but not "Table in".
CAPTION = re.compile(
    r"^\s*(?:listing|figure|fig\.|table|tab\.|algorithm|scheme|chart|plate|exhibit|code|example|"
    r"equation|eq\.)\s*(?-i:[\dIVX]+[a-z]?)(?:[-.\d]*[.:]|[-.:\d]*(?=\s|$))",
    re.I,
)

PAGE_NUMBER = re.compile(
    r"^\W*(?:page\s*)?(?:\d{1,4}|[ivxlcdm]{1,6}|\d{1,3}\s?[-–.]\s?\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I
)
