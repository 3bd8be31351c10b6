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
    """ "B0ARD" -> "BOARD": a 0 inside a word that is otherwise letters (two or more) is an O."""

    def fix(m: re.Match) -> str:
        word = m.group(0)
        letters = sum(c.isalpha() for c in word)
        return word.replace("0", "O") if letters >= 2 and letters + word.count("0") == len(word) else word

    return re.sub(r"(?<![\w])[A-Za-z0]*0[A-Za-z0]*(?![\w])", fix, text)


def zeros_in_numbers(text: str) -> str:
    """ "1230O", "29O" -> "12300", "290": an O in a word of digits (a postcode, a house number) is a
    zero, when the digits outnumber the Os ("2O" could be a code)."""

    def fix(m: re.Match) -> str:
        word = m.group(0)
        digits = sum(c.isdigit() for c in word)
        return word.replace("O", "0").replace("o", "0") if digits >= 2 and digits > len(word) - digits else word

    return re.sub(r"(?<![\w])(?=[\dOo]*\d)[\dOo]*[Oo][\dOo]*(?![\w])", fix, text)


def split_number_from_word(text: str) -> str:
    """ "57000KL", "14JALAN" -> "57000 KL", "14 JALAN": in an address, two or more digits run into a
    capitalised word of two or more letters only where OCR lost the space. Ordinals ("3RD"), unit and
    block codes with one letter ("118B") and letters before digits ("SS23") are left alone."""
    return re.sub(r"(?<![\w/-])(\d{2,})(?!ST\b|ND\b|RD\b|TH\b)([A-Z](?:[A-Z]+|[a-z]{2,}))\b", r"\1 \2", text)


def address_commas(text: str) -> str:
    """ "TAMAN MAJU. 12300": an address separates its parts with commas, and a comma at low
    resolution reads as a dot. A dot before a space after a number or a word of four or more
    characters becomes a comma; abbreviations ("NO. 5", "JLN. BESAR", "D.E") keep theirs."""
    return re.sub(r"(?<=[A-Za-z0-9]{4})\.(?= )|(?<=\d)\.(?= )", ",", text)


LOOKALIKE_LETTERS = str.maketrans("5801", "SBOI")


def slashed_abbreviations(text: str) -> str:
    """ "5/B" -> "S/B": in a slashed abbreviation of single letters ("S/B", "A/C"), a digit that
    looks like a letter is that letter. Fractions ("5/8") have no letter and stay."""

    def fix(m: re.Match) -> str:
        token = m.group(0)
        return token.translate(LOOKALIKE_LETTERS) if any(c.isalpha() for c in token) else token

    return re.sub(r"(?<![\w/])[A-Z0-9]/[A-Z0-9](?![\w/])", fix, text)


# Lower-case letters drawn like their capitals: OCR often reads a capital O, S, C... as lower case.
SAME_SHAPE_LOWER = set("cosvwxz")


def capitals_in_capital_rows(text: str) -> str:
    """ "No: 28, JALAN ASTANA" -> "NO: 28, JALAN ASTANA": in a row printed in capitals (two or more
    other words, all capitals), a capitalised word whose lower-case letters are all drawn like their
    capitals was read in the wrong case. Mixed-case rows ("No 2A Jalan Cochrane") are left alone."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < 3:
        return text

    def misread(word: str) -> bool:
        return word[0].isupper() and any(c.islower() for c in word) and set(word[1:]) <= SAME_SHAPE_LOWER

    capitals = [w for w in words if w.isupper()]
    if len(capitals) < 2 or len(capitals) + sum(misread(w) for w in words) != len(words):
        return text
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).upper() if misread(m.group(0)) else m.group(0), text)


def clean_name(text: str) -> str:
    """A name or address as printed: specks at word edges dropped, spacing and O/0 restored."""
    text = re.sub(r"(?<!\S)[`~_^]+|[`~_^]+(?!\S)", "", text)
    # A middle dot or a dangling hyphen between words is a speck read as punctuation:
    # "INTERNATIONAL·SDN BHD", "BOOK- CO." (a hyphenated name has no space after its hyphen).
    text = re.sub(r"(?<=[A-Za-z])[·•](?=[A-Za-z])", " ", text)
    text = re.sub(r"(?<=[A-Za-z]{2})- (?=[A-Za-z])", " ", text)
    return capitals_in_capital_rows(zeros_in_numbers(letters_for_digits(space_punctuation(text))))
