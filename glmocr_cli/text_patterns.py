"""Printed-text patterns that several stages recognise, kept in one place so they agree: list bullet
marks, caption openers ("Figure 3:", "Listing 1") and page numbers ("12", "Page 3 of 9", "iv", "3-12")."""

from __future__ import annotations

import re

# Marks that open a bulleted list item (dashes, "*" and a lone "o" depend on context and are added
# by each pattern that accepts them).
BULLET_MARKS = "•·▪◦●○■□➢►▸‣⁃✓✔➤"

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
