"""Who issued a bill: its company and address, rarely labelled, read from the header's geometry.

Rules that hold for invoices, receipts and bills in general:
- The header is the top part of the first page's printed text (a photo's margins do not count), above
  the body (dates, amounts) and the address.
- The issuer's name is the first prominent name-like line there (lines without letters, all-lowercase
  scribbles, house numbers, document-type headings such as "TAX INVOICE" and logo art the recogniser
  could barely read are not names), or a line ending in a legal suffix ("SDN BHD", "Ltd") before the
  header's contact, registration or heading lines: a narrower logo or brand above it is not part of
  it. It continues over rows of the same size into which it wraps, until a legal suffix or a
  registration number ends it; the registration number is dropped.
- The address follows it: after registration numbers and dates, from the first line with a number,
  up to the first phone, tax-id, e-mail, date or heading line, a gap or a change of size or column.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .fuzzy import tokens as _tokens
from .keys import KeySpec
from .labels import Found
from .lines import PageLine, group_rows
from .normalize import address_commas, clean_name, slashed_abbreviations, split_number_from_word
from .values import ValueMatch, find_amounts, find_dates

COMPANY_WORDS = {
    "company",
    "vendor",
    "merchant",
    "store",
    "shop",
    "seller",
    "supplier",
    "issuer",
    "business",
    "restaurant",
    "organisation",
    "organization",
}
OTHER_PARTIES = {"customer", "billing", "shipping", "delivery", "debtor", "buyer", "recipient", "email", "ip", "web"}
LEGAL_SUFFIXES = (
    "sdn bhd",
    "bhd",
    "ltd",
    "limited",
    "llc",
    "inc",
    "gmbh",
    "ag",
    "sa",
    "s a",
    "plc",
    "corp",
    "co",
    "s b",
    "pte",
    "pty",
    "bv",
    "nv",
    "srl",
    "spa",
    "sarl",
    "kg",
    "oy",
    "ab",
    "as",
    "llp",
    "lp",
)
DOCUMENT_HEADINGS = {
    "tax",
    "invoice",
    "receipt",
    "simplified",
    "official",
    "cash",
    "bill",
    "sales",
    "copy",
    "welcome",
    "to",
    "original",
    "duplicate",
    "credit",
    "note",
    "order",
    "quotation",
    "statement",
    "delivery",
    "customer",
    "merchant",
    "payment",
    "slip",
    "check",
    "cheque",
    "guest",
}
ADDRESS_OPENER = re.compile(r"\S*\d\S*,")  # "12, Jalan ...", "K3-113, ...": a house number and a comma
HEADING_RUN = "(?:" + "|".join(sorted(DOCUMENT_HEADINGS, key=len, reverse=True)) + ")+"
CONTACT = re.compile(
    r"(?i)\b(tel|telephone|telefon|t[ée]l[ée]phone|phone|ph|fax|hp|h/p|mobile?|mob|whatsapp|e-?mail|"
    r"website|internet|hotline|careline|helpline)\b|@|www\.|https?:"
    r"|\w\.(?:com|net|org|biz|info|io)\b"  # a web address without "www."
    r"|(?<![\w-])\+?\d(?:[ -]?\d){7,}(?![\w-])"
)  # or a phone number: 8+ digits in groups
TAX_ID = re.compile(r"(?i)\b(gst|vat|sst|tax|abn|tin|ein|uid|mwst|reg|regn|registration|roc|co\.? ?no|company no)\b")
REGISTRATION = re.compile(r"^\(?[A-Z]{0,3}\d{4,}[-\u00b7. ]?[A-Z]?\)?$")  # "(JM0517726)", "789417-W", "(65351-M)"
# A short label ending in No/Reg/ID and one code of five or more digits: "BR No.: 0195932-X".
LABELLED_CODE = re.compile(
    r"(?i)^\(?(?:[a-z.]{1,8}\s?){0,3}(?:no|nr|reg|id|#)\.?\s*[:.]?\s*\(?[a-z]{0,3}\d{5,}[- ]?[a-z]?\)?$"
)
# Any short label, a colon and one such code, also when OCR garbled the label: "Company ro : 1174703-K".
COLON_CODE = re.compile(r"(?i)^[a-z][a-z .]{0,23}[:：]\s*\(?[a-z]{0,3}\d{5,}[-\u00b7]?[a-z]?\)?$")
# A row the recogniser could barely read is logo art or a stamp, not the printed name: its score is
# under 0.75, or further under the page's typical row when the recogniser scores lower overall
# (Tesseract's confidences run lower than PP-OCR's).
NAME_MIN_SCORE = 0.75
NAME_SCORE_DROP = 0.2


def is_company_key(key: KeySpec) -> bool:
    return bool(key.words & COMPANY_WORDS) and "address" not in key.words and not key.words & OTHER_PARTIES


def is_address_key(key: KeySpec) -> bool:
    return "address" in key.words and not key.words & OTHER_PARTIES


# -- company and address --------------------------------------------------------------------------
def _rows(lines: list[PageLine]) -> list[PageLine]:
    """One merged line per row: "ACME" + "ACME TRADING CO" -> "ACME ACME TRADING CO"."""
    merged = []
    for row in group_rows(lines):
        box = (
            min(ln.bbox[0] for ln in row),
            min(ln.bbox[1] for ln in row),
            max(ln.bbox[2] for ln in row),
            max(ln.bbox[3] for ln in row),
        )
        merged.append(PageLine(" ".join(ln.text for ln in row), box, min(ln.score for ln in row), row[0].page))
    return merged


def _letter_share(text: str) -> float:
    chars = text.replace(" ", "")
    return sum(c.isalpha() for c in chars) / max(1, len(chars))


def _is_name_like(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or _letter_share(text) < 0.6 or text == text.lower():
        return False  # numbers, codes, all-lowercase handwriting
    if ADDRESS_OPENER.match(text) or text.rstrip().endswith(","):
        return False  # an address line: a house number and a comma, or a comma before the next line
    words = _tokens(text)
    if words and all(w in DOCUMENT_HEADINGS for w in words):
        return False
    # A sentence ("Fictitious example for illustration purposes") is no name: most of its words are lower case.
    plain = [w for w in text.split() if w[:1].isalpha()]
    return not (len(plain) >= 4 and sum(w.islower() for w in plain) > len(plain) / 2)


def _ends_with_suffix(text: str) -> bool:
    flat = " ".join(_tokens(text.replace(".", "")))
    return any(flat == s or flat.endswith(" " + s) for s in LEGAL_SUFFIXES)


def _is_registration(text: str) -> bool:
    """Company numbers and tax ids: "(JM0517726)", "789417-W", "(CO.REG : 933109-X)", "GST ID: 0008..."."""
    compact = text.replace(" ", "")
    if REGISTRATION.match(compact):
        return True
    if LABELLED_CODE.match(text.strip()) or COLON_CODE.match(text.strip()):
        return True
    digits = sum(c.isdigit() for c in compact)
    wrapped = compact.startswith("(") and compact.endswith(")")
    return digits >= 4 and (wrapped or bool(TAX_ID.search(text)))


def _is_address_start(text: str) -> bool:
    return bool(re.search(r"\d", text)) and not _is_registration(text)


def _similar_height(a: PageLine, b: PageLine, tolerance: float = 0.3) -> bool:
    return abs(a.height - b.height) <= tolerance * max(a.height, b.height)


def _name_text(text: str) -> str:
    """A name row without the registration number printed after it: "NORTHWIND CO. (M) BHD (123456-X)"."""
    words = text.split()
    while len(words) > 1 and REGISTRATION.match(words[-1]):
        words.pop()
    return " ".join(words)


def _is_heading(text: str) -> bool:
    """A document-type heading, also when OCR ran its words together: "TAX INVOICE", "-TAXINVOICE-"."""
    flat = re.sub(r"[^a-z]", "", text.lower())
    return bool(flat) and re.fullmatch(HEADING_RUN, flat) is not None


def _ends_header(text: str) -> bool:
    """Rows after which the issuer's name is over: contact, registration, date, heading or an amount."""
    return bool(
        CONTACT.search(text)
        or _is_registration(text)
        or find_dates(text)
        or _is_heading(text)
        or _has_decimal_amount(text)
    )


def _min_name_score(rows: list[PageLine]) -> float:
    scores = sorted(r.score for r in rows)
    return min(NAME_MIN_SCORE, scores[len(scores) // 2] - NAME_SCORE_DROP)


def _company_start(rows: list[PageLine], limit: int) -> int | None:
    """The first name-like row at the top; a row that ends with a legal suffix ("SDN BHD", "Ltd")
    before the header ends wins over rows above it (a logo, a brand, a slogan) unless they continue it."""
    min_score = _min_name_score(rows)

    def is_name(i: int) -> bool:
        text = _name_text(rows[i].text)
        return (
            rows[i].score >= min_score
            and _is_name_like(text)
            and not CONTACT.search(text)
            and not _is_registration(text)
        )

    first = next((i for i in range(limit) if is_name(i)), None)
    if first is None:
        return None
    end = next((j for j in range(first + 1, limit) if _ends_header(rows[j].text)), limit)
    legal = next((i for i in range(first, end) if is_name(i) and _ends_with_suffix(_name_text(rows[i].text))), None)
    if legal is None:
        return first
    start = legal  # walk up over rows of the same size that run straight into it
    while (
        start > first
        and is_name(start - 1)
        and not re.search(r"\d", rows[start - 1].text)
        and _joins(rows[start - 1], rows[start])
    ):
        start -= 1
    return start


def _joins(upper: PageLine, lower: PageLine) -> bool:
    """Two rows of one name: wrapped, or the lower row is little more than a legal suffix ("SERVICES
    LTD", "CO. (M) SDN BHD") and cannot be a name alone."""
    return _wraps_into(upper, lower) or (_continues(upper, lower) and _suffix_only(_name_text(lower.text)))


def _suffix_only(text: str) -> bool:
    suffix_words = {w for s in LEGAL_SUFFIXES for w in s.split()}
    # Initials are one word: "T.A.S Leisure Sdn Bhd" is a name of its own, not a suffix.
    rest = [t for t in _tokens(re.sub(r"(?<=\b\w)\.(?=\w\b)", "", text)) if t not in suffix_words and len(t) > 1]
    return _ends_with_suffix(text) and len(rest) <= 1


def _wraps_into(upper: PageLine, lower: PageLine) -> bool:
    """A name wrapped onto the next row: the upper row is as wide as the lower one at least (a brand
    or a logo above a longer legal name is narrower)."""
    return _continues(upper, lower) and _width(upper) >= 0.9 * _width(lower)


def _width(row: PageLine) -> float:
    return row.bbox[2] - row.bbox[0]


def _continues(upper: PageLine, lower: PageLine) -> bool:
    return _similar_height(upper, lower) and lower.bbox[1] - upper.bbox[3] < 0.8 * upper.height


def _company_rows(rows: list[PageLine]) -> tuple[list[PageLine], int]:
    """The issuer's name rows near the top of the page, and the index of the row after them."""
    # The name is above the body (the top part of the printed text: a photo's margins do not count)
    # and above the address.
    top, bottom = min(r.bbox[1] for r in rows), max(r.bbox[3] for r in rows)
    limit = next(
        (i for i, r in enumerate(rows) if r.bbox[1] >= top + 0.45 * (bottom - top) or ADDRESS_OPENER.match(r.text)),
        len(rows),
    )
    start = _company_start(rows, limit)
    if start is None:
        return [], len(rows)
    company = [rows[start]]
    for row in rows[start + 1 :]:
        name = _name_text(company[-1].text)
        if _ends_with_suffix(name) or name != company[-1].text:
            break  # a legal suffix or a registration number ends the name
        if not (
            _is_name_like(row.text)
            and not re.search(r"\d", row.text)
            and _joins(company[-1], row)
            and _similar_height(row, company[0])
            and not CONTACT.search(row.text)
        ):
            break
        company.append(row)
    company[-1] = replace(company[-1], text=_name_text(company[-1].text))
    return company, start + len(company)


def _address_rows(rows: list[PageLine]) -> list[PageLine]:
    """From the first row with a number (dates and registration numbers before it skipped) to a
    contact, tax-id, date or heading row, a gap, a change of size or column, or the next party's name."""
    address: list[PageLine] = []
    for row in rows[:12]:
        contact_or_date = bool(CONTACT.search(row.text) or find_dates(row.text))
        if not address:
            if _is_registration(row.text) or _ends_with_suffix(_name_text(row.text)):
                continue  # company and tax numbers, or a party's legal name ("Owned by X Sdn Bhd 123-W")
            if (
                _is_address_start(row.text)
                and not contact_or_date
                and not _is_heading(row.text)
                and not _has_decimal_amount(row.text)
            ):
                address.append(row)
            elif _is_heading(row.text) or CONTACT.search(row.text) or _has_decimal_amount(row.text):
                break  # the header is over: no address printed
            continue
        last = address[-1]
        shares_column = min(row.bbox[2], last.bbox[2]) > max(row.bbox[0], last.bbox[0])
        if (
            contact_or_date
            or _is_registration(row.text)
            or not _is_addressish(row.text)
            or row.bbox[1] - last.bbox[3] > 1.2 * last.height
            or not _similar_height(row, last, 0.45)
            or not shares_column
            or (_ends_with_suffix(row.text) and _is_name_like(row.text))
        ):
            break
        address.append(row)
    return address


def _issuer_block(pages: list[list[PageLine]]) -> tuple[list[PageLine], list[PageLine]]:
    """The company rows and the address rows at the top of the first page."""
    if not pages or not pages[0]:
        return [], []
    rows = _rows(pages[0])
    company, after = _company_rows(rows)
    # No name found (a logo only, or a name OCR missed): the address may still open the page.
    return company, _address_rows(rows[after:] if company else rows)


def _has_decimal_amount(text: str) -> bool:
    return any(a.has_decimals for a in find_amounts(text))


def _is_addressish(text: str) -> bool:
    if _is_heading(text):
        return False
    digits = sum(c.isdigit() for c in text)
    return digits < 0.8 * len(text.replace(" ", "")) and not _has_decimal_amount(text)


def _joined(rows: list[PageLine], confidence_scale: float, fix=lambda text: text) -> Found:
    text = fix(clean_name(" ".join(r.text for r in rows)))
    box = (min(r.bbox[0] for r in rows), rows[0].bbox[1], max(r.bbox[2] for r in rows), rows[-1].bbox[3])
    line = PageLine(text, box, min(r.score for r in rows), rows[0].page)
    return Found(ValueMatch(text, 0, len(text), None), line, confidence_scale * line.score)


def find_company(pages: list[list[PageLine]]) -> Found | None:
    company, _ = _issuer_block(pages)
    return _joined(company, 0.8, slashed_abbreviations) if company else None


def find_address(pages: list[list[PageLine]]) -> Found | None:
    _, address = _issuer_block(pages)
    return _joined(address, 0.7, lambda text: address_commas(split_number_from_word(text))) if address else None
