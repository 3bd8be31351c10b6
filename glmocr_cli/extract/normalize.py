"""OCR text made printable again: spacing around punctuation and digit/letter confusions.

Receipt OCR drops the space before a bracket or after an abbreviation ("MOTOR(SUNGAI", "SDN.BHD.")
and confuses O and 0 ("B0ARD", "1230O"). These are undone only where the context says which was
meant: a word of letters holds no digit 0, a run of three or more digits no letter O.
"""
from __future__ import annotations

import re


def space_punctuation(text: str) -> str:
    """A space after a semicolon or closing bracket and before an opening bracket when a word follows
    or precedes. Commas are left alone: receipts print "27,JALAN" as often as "27, JALAN"."""
    text = re.sub(r";(?=\w)", "; ", text)
    text = re.sub(r"(?<=\w)\((?=\w)", " (", text)
    text = re.sub(r"\)(?=\w)", ") ", text)
    # "SDN.BHD.", "A.B.C.TRADING": a dot between an abbreviation and a word of three or more letters.
    text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z]{3,})", ". ", text)
    return re.sub(r"\s+", " ", text).strip()


def letters_for_digits(text: str) -> str:
    """"B0ARD" -> "BOARD": a 0 inside a word that is otherwise letters (two or more) is an O."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        letters = sum(c.isalpha() for c in word)
        return word.replace("0", "O") if letters >= 2 and letters + word.count("0") == len(word) else word
    return re.sub(r"(?<![\w])[A-Za-z0]*0[A-Za-z0]*(?![\w])", fix, text)


def zeros_in_numbers(text: str) -> str:
    """"1230O" -> "12300": an O among three or more digits (a postcode, a house number) is a zero."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        return word.replace("O", "0").replace("o", "0") if sum(c.isdigit() for c in word) >= 3 else word
    return re.sub(r"(?<![\w])(?=[\dOo]*\d)[\dOo]*[Oo][\dOo]*(?![\w])", fix, text)


def address_commas(text: str) -> str:
    """"TAMAN MAJU. 12300": an address separates its parts with commas, and a comma at low
    resolution reads as a dot. A dot before a space after a number or a word of four or more
    characters becomes a comma; abbreviations ("NO. 5", "JLN. BESAR", "D.E") keep theirs."""
    return re.sub(r"(?<=[A-Za-z0-9]{4})\.(?= )|(?<=\d)\.(?= )", ",", text)


def clean_name(text: str) -> str:
    """A name or address as printed: specks at word edges dropped, spacing and O/0 restored."""
    text = re.sub(r"(?<!\S)[`~_^]+|[`~_^]+(?!\S)", "", text)
    return zeros_in_numbers(letters_for_digits(space_punctuation(text)))
