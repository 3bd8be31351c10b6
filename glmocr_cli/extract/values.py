"""Typed values inside OCR text: dates and money amounts, kept as written plus a normalised form.

Extraction is scored by exact match against what the document says, so `text` is the characters
as printed: an amount keeps a currency sign printed against it, "$8.20", but not a separate code,
"RM 8.20" -> "8.20"; only a date separator that OCR lost is written back. `normalized` is a
machine-friendly form (ISO date, plain decimal) for callers who want to compute with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


LABEL_SEPARATORS = " :：;=|#.-"  # stripped from the ends of a value found after its label


@dataclass(frozen=True)
class ValueMatch:
    text: str  # as written
    start: int  # character span in the searched text
    end: int
    normalized: str | None  # ISO date "2018-12-25" or decimal "1234.50"
    currency: str | None = None  # amounts only, when printed next to the number
    has_decimals: bool = False  # amounts only: "12.50" rather than "12"


# -- dates ----------------------------------------------------------------------------------------
MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

# The same separator twice, so "12-01-19" is a date and "07-355 2616" (a phone number) is not. A
# four-digit year may run straight into a time: OCR often drops that space ("09/02/201811:40").
_END = r"(?:(?!\d)|(?<=\d{4})(?=\d{1,2}:\d{2}))"
_NUMERIC_DMY = re.compile(r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _END)
# One separator lost by OCR: "2703/2018", "27/032018" (slashes only: phone numbers use dashes), or
# read as a space, "05 02-18". The date is written back with the separator it shows.
_LOST_SEPARATOR = (
    re.compile(r"(?<![\d./\-])(?P<a>\d{2})(?P<b>\d{2})(?P<sep>/)(?P<y>(?:19|20)\d{2})" + _END),
    re.compile(r"(?<![\d./\-])(?P<a>\d{2})(?P<sep>/)(?P<b>\d{2})(?P<y>(?:19|20)\d{2})" + _END),
    re.compile(r"(?<![\d./\-])(?P<a>\d{2}) (?P<b>\d{2})(?P<sep>[/\-])(?P<y>\d{4}|\d{2})(?![\d/\-])"),
    # "0502-18": the first dash lost. Phone numbers use dashes too, so a caller ranks these last.
    re.compile(r"(?<![\d./\-])(?P<a>\d{2})(?P<b>\d{2})(?P<sep>-)(?P<y>\d{2})(?![\d/\-])"),
)
_NUMERIC_YMD = re.compile(r"(?<![\d.])(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])")
_TEXT_DMY = re.compile(
    r"(?<![\w])(?P<d>\d{1,2})(?:st|nd|rd|th)?[ \-/.]*" + _MONTH + r"[ \-/.,]*(?P<y>\d{4}|\d{2})(?![\d])", re.IGNORECASE
)
_TEXT_MDY = re.compile(
    r"(?<![\w])" + _MONTH + r"[ \-/.]*(?P<d>\d{1,2})(?:st|nd|rd|th)?,?[ \-/.]*(?P<y>\d{4})(?![\d])", re.IGNORECASE
)


def _year(text: str) -> int:
    year = int(text)
    return year if len(text) == 4 else 2000 + year if year < 70 else 1900 + year


def _iso(year: int, month: int, day: int) -> str | None:
    if not 1900 <= year <= 2099:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:  # 31/02, month 13, ...
        return None


def find_dates(text: str) -> list[ValueMatch]:
    """Dates in text, left to right. Numeric a/b/y is read day-first unless only month-first is valid
    (13/28 is no month); the text keeps the original order either way."""
    found: list[ValueMatch] = []
    for m in _NUMERIC_DMY.finditer(text):
        a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
        iso = _iso(year, b, a) or _iso(year, a, b)
        if iso:
            found.append(ValueMatch(m.group(0), m.start(), m.end(), iso))
    for pattern in _LOST_SEPARATOR:
        for m in pattern.finditer(text):
            a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
            iso = _iso(year, b, a) or _iso(year, a, b)
            if iso:
                found.append(ValueMatch(m["sep"].join((m["a"], m["b"], m["y"])), m.start(), m.end(), iso))
    for m in _NUMERIC_YMD.finditer(text):
        iso = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
        if iso:
            found.append(ValueMatch(m.group(0), m.start(), m.end(), iso))
    for pattern in (_TEXT_DMY, _TEXT_MDY):
        for m in pattern.finditer(text):
            iso = _iso(_year(m["y"]), MONTHS[m["mon"].lower()], int(m["d"]))
            if iso:
                found.append(
                    ValueMatch(m.group(0).strip(" ,"), m.start(), m.start() + len(m.group(0).rstrip(" ,")), iso)
                )
    found.sort(key=lambda v: v.start)
    # Drop matches inside an earlier one (a text date also matched as part of another pattern).
    kept: list[ValueMatch] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept


# -- amounts --------------------------------------------------------------------------------------
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "RM": "MYR", "Fr.": "CHF", "S$": "SGD"}
SYMBOLS = {"$", "€", "£", "¥", "₹"}  # currency signs printed against the number
_CODE = r"(?:[A-Z]{3}|RM|S\$|Fr\.|[$€£¥₹])"
# Thousands groups with , . ' ’ ` or a thin/plain space; decimals after . or , (1-2 digits).
# OCR may also read a space after the decimal point ("170. 00"): two decimals, then nothing more.
_NUMBER = r"\d{1,3}(?:[,.'’`\u2009 ]\d{3})+(?:[.,]\d{1,2})?|\d+\. \d{2}(?![\d.,])|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?:(?P<cur1>{_CODE})\s?)?(?P<sign>[-−])?\s?(?:(?P<cur2>{_CODE})\s?)?(?P<num>{_NUMBER})"
    rf"(?:\s?(?P<cur3>{_CODE}))?(?![\w%]|[.,]\d|\s%)"
)
KNOWN_CODES = {
    "USD",
    "EUR",
    "GBP",
    "CHF",
    "JPY",
    "INR",
    "MYR",
    "SGD",
    "AUD",
    "CAD",
    "NZD",
    "HKD",
    "CNY",
    "RMB",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "IDR",
    "THB",
    "PHP",
    "VND",
    "KRW",
    "ZAR",
    "AED",
    "SAR",
    "BRL",
    "MXN",
}


def _normalize_number(num: str) -> tuple[str, bool]:
    """'3'949.75' -> '3949.75'; '1.234,5' -> '1234.50'; the flag says whether decimals were printed."""
    digits = re.sub(r"[^\d.,]", "", num)
    last = max(digits.rfind("."), digits.rfind(","))
    if last >= 0 and 1 <= len(digits) - last - 1 <= 2:
        whole, decimals = re.sub(r"\D", "", digits[:last]), digits[last + 1 :]
        return f"{int(whole or '0')}.{decimals.ljust(2, '0')}", True
    return str(int(re.sub(r"\D", "", digits) or "0")), False


def _currency(code: str | None) -> str | None:
    if not code:
        return None
    if code in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[code]
    return code if code in KNOWN_CODES else None


def find_amounts(text: str) -> list[ValueMatch]:
    """Money-like numbers in text, left to right. `text` is the number as printed, sign included and
    currency left out ("-RM 0.02" -> "-0.02", currency "MYR")."""
    found = []
    for m in _AMOUNT.finditer(text):
        codes = [m[g] for g in ("cur1", "cur2", "cur3") if m[g]]
        currency = next((c for c in map(_currency, codes) if c), None)
        number = re.sub(r"(?<=\d)\. (?=\d{2}$)", ".", m["num"])  # "170. 00" was printed "170.00"
        if number != m["num"] and (text[m.end() :].strip() or (codes and currency is None)):
            continue  # only an amount that ends its line: "Lot 38. 39 Boulevard", "2. 50 PCS" are not
        if codes and currency is None and not m["sign"] and not re.search(r"[.,]\d{1,2}$", number):
            continue  # "ABC 12": a word and a number, not an amount
        if re.search(r"\s", number) and not re.search(r"[.,]\d{1,2}$", number):
            continue  # "28 100" could be two numbers; a space-grouped amount must show its decimals
        normalized, has_decimals = _normalize_number(number)
        sign = "-" if m["sign"] else ""
        start = m.start("num") if not m["sign"] else m.start("sign")
        symbol = m["cur2"] or (m["cur1"] if not m["sign"] else None)
        if symbol in SYMBOLS and m.start("num") == m.end("cur2" if m["cur2"] else "cur1"):
            # "$8.20" is printed as one token: kept whole ("RM 8.20", "8.20 EUR" stay apart).
            number, start = symbol + number, start if m["sign"] else m.start("num") - len(symbol)
        found.append(ValueMatch(sign + number, start, m.end("num"), sign + normalized, currency, has_decimals))
    return found


# -- other kinds ----------------------------------------------------------------------------------
_IBAN = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Z0-9])")
_ACCOUNT_NUMBER = re.compile(r"(?<![\w-])\d[\d -]{4,30}\d(?![\w-])")
_CURRENCY_TOKEN = re.compile(r"(?<![A-Za-z])(?:[A-Z]{3}|RM|S\$|[$€£¥₹])(?![A-Za-z])")


def find_accounts(text: str) -> list[ValueMatch]:
    """IBANs first, then long digit runs (6+ digits, spaces and hyphens allowed inside)."""
    found = [ValueMatch(m.group(0), m.start(), m.end(), m.group(0).replace(" ", "")) for m in _IBAN.finditer(text)]
    if not found:
        for m in _ACCOUNT_NUMBER.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) >= 6 and not find_dates(m.group(0)):
                found.append(ValueMatch(m.group(0).strip(), m.start(), m.end(), digits))
    return found


def find_currencies(text: str) -> list[ValueMatch]:
    found = []
    for m in _CURRENCY_TOKEN.finditer(text):
        code = _currency(m.group(0))
        if code:
            found.append(ValueMatch(m.group(0), m.start(), m.end(), code, code))
    return found


# -- a value of each key kind, in text found beside a label -----------------------------------------
def _name_values(text: str) -> list[ValueMatch]:
    stripped = text.strip(LABEL_SEPARATORS + "()[]")
    letters = sum(c.isalpha() for c in stripped)
    if letters < 2 or letters < 0.6 * len(stripped.replace(" ", "")):
        return []
    start = text.find(stripped)
    return [ValueMatch(stripped, start, start + len(stripped), None)]


def text_values(text: str) -> list[ValueMatch]:
    stripped = text.strip(LABEL_SEPARATORS)
    if not any(c.isalnum() for c in stripped):
        return []
    start = text.find(stripped)
    return [ValueMatch(stripped, start, start + len(stripped), None)]


def _id_values(text: str) -> list[ValueMatch]:
    """A reference is one token with a digit in it: "INV-2024-042", "3139", "CS00082652"."""
    for m in re.finditer(r"[^\s:：;,]+", text):
        token = m.group(0).strip("#.()")
        if any(c.isdigit() for c in token):
            start = text.find(token, m.start())
            return [ValueMatch(token, start, start + len(token), None)]
    return []


def _percent_values(text: str) -> list[ValueMatch]:
    return [
        ValueMatch(m.group(0), m.start(), m.end(), m.group(1).replace(",", ".") + "%")
        for m in re.finditer(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,3})?) ?%", text)
    ]


def _money_values(text: str) -> list[ValueMatch]:
    amounts = find_amounts(text)
    return [a for a in amounts if a.has_decimals or a.currency] or []


def _number_values(text: str) -> list[ValueMatch]:
    return find_amounts(text)


VALUE_FINDERS: dict[str, Callable[[str], list[ValueMatch]]] = {
    "date": find_dates,
    "amount": _money_values,
    "number": _number_values,
    "account": find_accounts,
    "currency": find_currencies,
    "name": _name_values,
    "text": text_values,
    "id": _id_values,
    "percent": _percent_values,
}
