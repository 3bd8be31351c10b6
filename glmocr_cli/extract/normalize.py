"""OCR text made printable again: spacing around punctuation and digit/letter confusions.

Receipt OCR drops the space after a comma or before a bracket ("27,JALAN", "MOTOR(SUNGAI") and reads
O as 0 inside words ("B0ARD") or O, S, l as digits' look-alikes inside numbers ("1O.5O"). These are
undone only where the context says which was meant: a letter word holds no digit 0, a number holds
no letter O.
"""
from __future__ import annotations

import re

# Letters that OCR returns for digits inside a number, and the digit each one stands for.
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "S": "5", "s": "5", "l": "1", "I": "1",
                                  "|": "1", "B": "8", "Z": "2"})


def space_punctuation(text: str) -> str:
    """A space after a comma, semicolon or closing bracket and before an opening bracket, when a
    word follows or precedes; "55,57" and "1,234.50" (digits both sides) stay as they are."""
    text = re.sub(r",(?=[A-Za-z])|(?<=[A-Za-z]),(?=\d)", ", ", text)
    text = re.sub(r";(?=\w)", "; ", text)
    text = re.sub(r"(?<=\w)\((?=\w)", " (", text)
    text = re.sub(r"\)(?=\w)", ") ", text)
    # "SDN.BHD.", "S.H.H.MOTOR": a dot between an abbreviation and a word of three or more letters.
    text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z]{3,})", ". ", text)
    return re.sub(r"\s+", " ", text).strip()


def letters_for_digits(text: str) -> str:
    """"B0ARD" -> "BOARD": a 0 inside a word that is otherwise letters (two or more) is an O."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        letters = sum(c.isalpha() for c in word)
        return word.replace("0", "O") if letters >= 2 and letters + word.count("0") == len(word) else word
    return re.sub(r"(?<![\w])[A-Za-z0]*0[A-Za-z0]*(?![\w])", fix, text)


def digits_for_letters(number: str) -> str:
    """"1O.5O" -> "10.50": inside something read as a number, letter look-alikes are digits."""
    return number.translate(DIGIT_LOOKALIKES)


def clean_name(text: str) -> str:
    """A name or address as printed: specks at word edges dropped, spacing and O/0 restored."""
    text = re.sub(r"(?<!\S)[`~_^]+|[`~_^]+(?!\S)", "", text)
    return letters_for_digits(space_punctuation(text))
