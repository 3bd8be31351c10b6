"""The keys of a bill that are rarely labelled: who issued it (company, address) and what to pay.

Rules that hold for invoices, receipts and bills in general:
- The issuer's name is the first prominent name-like line at the top of the first page (lines
  without letters, all-lowercase scribbles and document-type headings such as "TAX INVOICE" are
  not names); it continues over lines of the same size until a legal suffix ("SDN BHD", "Ltd") ends it.
- The address follows it: after registration numbers, from the first line with a number, up to the
  first phone, tax-id, e-mail, date or heading line, or a gap.
- The total is the amount beside a total-like label that is not a subtotal, tax, discount, rounding,
  quantity or payment line; the last such label before the payment lines (cash, card, change) wins,
  and a rounding adjustment printed after it is applied when the rounded amount is printed too.
"""
from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

from .kv import Found, KeySpec, PageLine, ValueMatch, group_rows, level_with, match_label, same_row
from .kv_values import find_amounts, find_currencies, find_dates

COMPANY_WORDS = {"company", "vendor", "merchant", "store", "shop", "seller", "supplier", "issuer", "business",
                 "restaurant", "organisation", "organization"}
OTHER_PARTIES = {"customer", "billing", "shipping", "delivery", "debtor", "buyer", "recipient", "email", "ip", "web"}
LEGAL_SUFFIXES = ("sdn bhd", "bhd", "ltd", "limited", "llc", "inc", "gmbh", "ag", "sa", "s a", "plc", "corp",
                  "co", "pte", "pty", "bv", "nv", "srl", "spa", "sarl", "kg", "oy", "ab", "as", "llp", "lp")
DOCUMENT_HEADINGS = {"tax", "invoice", "receipt", "simplified", "official", "cash", "bill", "sales", "copy",
                     "welcome", "to", "original", "duplicate", "credit", "note", "order", "quotation", "statement",
                     "delivery", "customer", "merchant", "payment", "slip", "check", "cheque"}
CONTACT = re.compile(r"(?i)\b(tel|telephone|telefon|t[ée]l[ée]phone|phone|ph|fax|hp|h/p|mobile?|mob|whatsapp|e-?mail|"
                     r"website|internet)\b|@|www\.|https?:")
TAX_ID = re.compile(r"(?i)\b(gst|vat|sst|tax|abn|tin|ein|uid|mwst|reg|regn|registration|roc|co\.? ?no|company no)\b")
REGISTRATION = re.compile(r"^\(?[A-Z]{0,3}\d{4,}[- ]?[A-Z]?\)?$")  # "(JM0517726)", "789417-W", "(65351-M)"

TOTAL_WORDS = ("total", "amount", "due", "payable", "pay", "balance", "jumlah", "summe", "gesamtbetrag", "montant",
               "importe", "betrag", "totale")
STRONG_WORDS = {"grand", "rounded", "round", "incl", "inclusive", "amount", "amt", "due", "payable", "net", "nett",
                "final", "pay", "bill", "invoice"}
NOT_TOTAL_WORDS = {"sub", "subtotal", "qty", "quantity", "item", "items", "count", "tax", "gst", "vat", "sst",
                   "service", "disc", "discount", "saving", "savings", "change", "cash", "tender", "tendered",
                   "paid", "rounding", "adjustment", "adj", "excl", "excluding", "exclusive", "excluded", "before",
                   "point", "points", "weight", "unit", "deposit", "tip", "rate", "ht"}  # HT: French "before tax"
INCLUSIVE_WORDS = {"incl", "inclusive", "including", "includes", "inc"}
PAYMENT_WORDS = {"cash", "card", "visa", "mastercard", "master", "amex", "change", "tender", "tendered", "paid",
                 "payment", "received", "credit", "debit", "eftpos", "nets", "cheque", "voucher"}


def is_company_key(key: KeySpec) -> bool:
    return bool(key.words & COMPANY_WORDS) and "address" not in key.words and not key.words & OTHER_PARTIES


def is_address_key(key: KeySpec) -> bool:
    return "address" in key.words and not key.words & OTHER_PARTIES


def is_total_key(key: KeySpec) -> bool:
    words = key.words
    return key.type == "amount" and bool(words & {"total", "amount", "due", "payable", "balance"}) \
        and not words & (NOT_TOTAL_WORDS - {"paid"})


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z%]+", text.lower()) if t]


def _like(token: str, words) -> bool:
    """token is one of words, allowing one OCR slip in words of five letters or more."""
    return any(token == w or (len(w) >= 5 and len(token) >= 4 and fuzz.ratio(token, w) >= 80) for w in words)


# -- company and address --------------------------------------------------------------------------
def _rows(lines: list[PageLine]) -> list[PageLine]:
    """One merged line per row: "SAM" + "SAM TRADING CO" -> "SAM SAM TRADING CO"."""
    merged = []
    for row in group_rows(lines):
        box = (min(ln.bbox[0] for ln in row), min(ln.bbox[1] for ln in row),
               max(ln.bbox[2] for ln in row), max(ln.bbox[3] for ln in row))
        merged.append(PageLine(" ".join(ln.text for ln in row), box, min(ln.score for ln in row), row[0].page))
    return merged


def _letter_share(text: str) -> float:
    chars = text.replace(" ", "")
    return sum(c.isalpha() for c in chars) / max(1, len(chars))


def _is_name_like(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or _letter_share(text) < 0.6 or text == text.lower():
        return False  # numbers, codes, all-lowercase handwriting
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
    digits = sum(c.isdigit() for c in compact)
    wrapped = compact.startswith("(") and compact.endswith(")")
    return digits >= 4 and (wrapped or bool(TAX_ID.search(text)))


def _is_address_start(text: str) -> bool:
    return bool(re.search(r"\d", text)) and not _is_registration(text)


def _similar_height(a: PageLine, b: PageLine, tolerance: float = 0.3) -> bool:
    return abs(a.height - b.height) <= tolerance * max(a.height, b.height)


def _company_rows(rows: list[PageLine]) -> tuple[list[PageLine], int]:
    """The issuer's name rows near the top of the page, and the index of the row after them."""
    page_bottom = max(r.bbox[3] for r in rows)
    start = next((i for i, r in enumerate(rows) if r.bbox[1] < 0.45 * page_bottom and _is_name_like(r.text)
                  and not CONTACT.search(r.text) and not _is_registration(r.text)), None)
    if start is None:
        return [], len(rows)
    company = [rows[start]]
    for row in rows[start + 1:]:
        if _ends_with_suffix(company[-1].text):
            break
        if not (_is_name_like(row.text) and not re.search(r"\d", row.text) and _similar_height(row, company[0])
                and row.bbox[1] - company[-1].bbox[3] < 0.8 * company[0].height and not CONTACT.search(row.text)):
            break
        company.append(row)
    return company, start + len(company)


def _address_rows(rows: list[PageLine]) -> list[PageLine]:
    """From the first row with a number (registration numbers skipped) to a contact, tax-id, date or
    heading row, a gap, a change of size or column, or the next party's name."""
    address: list[PageLine] = []
    for row in rows[:12]:
        contact_or_date = bool(CONTACT.search(row.text) or find_dates(row.text))
        if not address:
            if _is_address_start(row.text) and not contact_or_date:
                address.append(row)
            elif contact_or_date or _has_decimal_amount(row.text):
                break  # contact details or the body: no address printed
            continue
        last = address[-1]
        shares_column = min(row.bbox[2], last.bbox[2]) > max(row.bbox[0], last.bbox[0])
        if (contact_or_date or _is_registration(row.text) or not _is_addressish(row.text)
                or row.bbox[1] - last.bbox[3] > 1.2 * last.height or not _similar_height(row, last, 0.45)
                or not shares_column or (_ends_with_suffix(row.text) and _is_name_like(row.text))):
            break
        address.append(row)
    return address


def _issuer_block(pages: list[list[PageLine]]) -> tuple[list[PageLine], list[PageLine]]:
    """The company rows and the address rows at the top of the first page."""
    if not pages or not pages[0]:
        return [], []
    rows = _rows(pages[0])
    company, after = _company_rows(rows)
    return company, (_address_rows(rows[after:]) if company else [])


def _has_decimal_amount(text: str) -> bool:
    return any(a.has_decimals for a in find_amounts(text))


def _is_addressish(text: str) -> bool:
    words = _tokens(text)
    if words and all(w in DOCUMENT_HEADINGS for w in words):
        return False
    digits = sum(c.isdigit() for c in text)
    return digits < 0.8 * len(text.replace(" ", "")) and not _has_decimal_amount(text)


def _joined(rows: list[PageLine], confidence_scale: float) -> Found:
    # Specks read as ` ~ _ ^ at the edge of a word ("SDN `BHD") are not part of a name.
    text = re.sub(r"(?<!\S)[`~_^]+|[`~_^]+(?!\S)", "", " ".join(r.text for r in rows)).strip()
    box = (min(r.bbox[0] for r in rows), rows[0].bbox[1], max(r.bbox[2] for r in rows), rows[-1].bbox[3])
    line = PageLine(text, box, min(r.score for r in rows), rows[0].page)
    return Found(ValueMatch(text, 0, len(text), None), line, confidence_scale * line.score)


def find_company(pages: list[list[PageLine]]) -> Found | None:
    company, _ = _issuer_block(pages)
    return _joined(company, 0.8) if company else None


def find_address(pages: list[list[PageLine]]) -> Found | None:
    _, address = _issuer_block(pages)
    return _joined(address, 0.7) if address else None


# -- the total ------------------------------------------------------------------------------------
def _total_strength(label_text: str, key: KeySpec) -> float:
    """0 when the label is not a total-to-pay label, else higher for more specific labels."""
    tokens = _tokens(label_text)
    if not tokens or "%" in label_text:
        return 0.0  # "TOTAL INCLUDES 6% GST": a rate line
    has_total = any(_like(t, TOTAL_WORDS) or t in ("tot", "ttl") for t in tokens[:4])
    if not has_total and match_label(label_text, key.synonyms) is None:
        return 0.0
    inclusive = any(_like(t, INCLUSIVE_WORDS) for t in tokens)
    for t in tokens:
        if t.startswith("sub") or (_like(t, NOT_TOTAL_WORDS) and not (inclusive and _like(t, {"tax", "gst", "vat", "sst"}))):
            return 0.0
    return 1.0 + sum(1 for t in tokens if _like(t, STRONG_WORDS) or _like(t, INCLUSIVE_WORDS)) * 0.5


def _label_part(line: PageLine) -> tuple[str, int]:
    """The text before the line's first amount, and where it ends."""
    amounts = find_amounts(line.text)
    end = amounts[0].start if amounts and any(c.isalpha() for c in line.text[:amounts[0].start]) else len(line.text)
    return line.text[:end], end


def _amount_beside(line: PageLine, end: int, lines: list[PageLine], index: int) -> tuple[ValueMatch, PageLine] | None:
    """The amount after the label on its line, else the rightmost one to its right on the row, else (for a
    label alone on its row) the one just below."""
    inline = [a for a in find_amounts(line.text) if a.start >= end and (a.has_decimals or a.currency)]
    if inline:
        return inline[-1], line
    row = [ln for ln in lines if ln is not line and level_with(ln, line) and ln.bbox[0] > line.bbox[0]]
    found = [(a, ln) for ln in row for a in find_amounts(ln.text) if a.has_decimals or a.currency]
    if found:
        # The amount level with the label; of those about equally level, the rightmost (the amount column).
        def misalignment(item):
            return round(abs(item[1].centre_y - line.centre_y) / (0.15 * line.height)), -item[1].bbox[2]
        return min(found, key=misalignment)
    if not row and index + 1 < len(lines):
        below = lines[index + 1]
        if 0 <= below.bbox[1] - line.bbox[3] < line.height:
            amounts = [a for a in find_amounts(below.text) if a.has_decimals]
            words = below.text
            for currency in find_currencies(below.text):
                words = words.replace(currency.text, "")
            if amounts and not any(c.isalpha() for c in words):  # an amount alone, not the next labelled row
                return amounts[-1], below
    return None


def _is_payment(line: PageLine) -> bool:
    tokens = _tokens(line.text)
    return bool(tokens) and _like(tokens[0], PAYMENT_WORDS)


def find_total(pages: list[list[PageLine]], key: KeySpec) -> Found | None:
    best, best_score = None, 0.0
    for lines in pages:
        candidates = []
        for i, line in enumerate(lines):
            label, end = _label_part(line)
            strength = _total_strength(label, key)
            beside = _amount_beside(line, end, lines, i) if strength else None
            if beside:
                candidates.append((strength, i, beside, label.strip(" :")))
        payments = [i for i, ln in enumerate(lines) if _is_payment(ln)]
        for n, (strength, i, (amount, source), label) in enumerate(candidates):
            next_candidate = candidates[n + 1][1] if n + 1 < len(candidates) else len(lines)
            before_payment = any(i < p <= next_candidate for p in payments)
            score = strength + (1.5 if before_payment else 0.0) + 0.01 * n  # later wins ties
            if score > best_score:
                found = Found(amount, source, min(1.0, 0.4 + 0.15 * score) * source.score, label)
                best, best_score = _apply_rounding(found, lines, i, payments), score
    return best or _most_repeated_amount(pages)


def _apply_rounding(found: Found, lines: list[PageLine], index: int, payments: list[int]) -> Found:
    """Total 60.31, rounding -0.01, then 60.30 printed: the rounded amount is what is paid."""
    stop = min([p for p in payments if p > index] or [len(lines)])
    for j in range(index + 1, min(stop, index + 4)):
        tokens = _tokens(lines[j].text)
        if not tokens or not _like(tokens[0], {"rounding", "round", "adjustment"}):
            continue
        row = [ln for ln in lines if same_row(ln, lines[j])]
        adjust = [a for ln in row for a in find_amounts(ln.text) if a.has_decimals]
        if not adjust or float(adjust[-1].normalized) == 0:
            return found
        target = f"{float(found.value.normalized) + float(adjust[-1].normalized):.2f}"
        for ln in lines[j + 1:stop]:
            for a in find_amounts(ln.text):
                if a.normalized == target:
                    return Found(a, ln, found.confidence, found.label, found.extra)
        return found
    return found


def _most_repeated_amount(pages: list[list[PageLine]]) -> Found | None:
    """No total label: the total is usually printed more than once (total, amount paid)."""
    amounts = [(a, ln) for lines in pages for ln in lines for a in find_amounts(ln.text) if a.has_decimals and float(a.normalized) > 0]
    if not amounts:
        return None
    counts = Counter(a.normalized for a, _ in amounts)
    value, _ = max(counts.items(), key=lambda kv: (kv[1], float(kv[0])))
    amount, line = next((a, ln) for a, ln in amounts if a.normalized == value)
    return Found(amount, line, 0.3 * line.score)
