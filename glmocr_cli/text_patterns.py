"""Printed-text patterns that several stages recognise, kept in one place so they agree: list bullet
marks and enumerators, caption openers ("Figure 3:", "Listing 1") and page numbers ("12", "Page 3 of 9",
"iv", "3-12")."""

from __future__ import annotations

import re

# What a bullet is. A glyph of BULLET_MARKS opens a list item wherever a line starts with it, even
# glued to its word ("•Item"). A dash, "*", "+" or a lone "o" (OCR's hollow bullet) is one as a word
# of its own, "*" in text read line by line also glued ("*Item"). The matchers below are the stages'
# views of this one definition, each saying what it takes.
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
# A line of text that came without word boxes (a model's Markdown, Tesseract's lines) opening a list
# item: a glyph (even glued), or "-", "*", "+", a lone "o" or a number ("1.", "2)") before a space.
# "*" glued to its word is emphasis there ("**Note**", "*term*"), never a bullet.
_LINE_ITEM = re.compile(rf"^\s*(?:(?P<glyph>[{BULLET_MARKS}])|(?:[*+-]|o)(?=\s)|(?P<number>\d{{1,3}})[.)](?=\s))\s*")


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


def line_item(line: str) -> tuple[str, str] | None:
    """A line that opens a list item -> (its Markdown marker, "-" or "1.", and the item's text);
    None for any other line."""
    match = _LINE_ITEM.match(line)
    if match is None:
        return None
    marker = f"{int(match['number'])}." if match["number"] else "-"
    return marker, line[match.end() :].rstrip()


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

# A share ('65%', a chart's label) is never one, though the marks around a number ("- 7 -") may be.
PAGE_NUMBER = re.compile(
    r"^(?!.*%)\W*(?:page\s*)?(?:\d{1,4}|[ivxlcdm]{1,6}|\d{1,3}\s?[-–.]\s?\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I
)
