"""The amount to pay.

The amount beside a total-like label (in several languages, OCR slips allowed) that is not a
subtotal, tax, discount, rounding, quantity or payment line. Preferred: the label right before the
payment lines (cash, card, change), an amount equal to tendered minus change, a row holding one
amount (a summary table's total row holds several). A rounding adjustment printed after it is
applied when the rounded amount is printed too. Without any label, the most repeated amount.
"""

from __future__ import annotations

from collections import Counter

from .fuzzy import like as _like, tokens as _tokens
from .keys import KeySpec
from .labels import Found, match_label
from .lines import PageLine, level_with, same_row
from .values import ValueMatch, find_amounts, find_currencies

TOTAL_WORDS = (
    "total",
    "amount",
    "amt",
    "due",
    "payable",
    "pay",
    "balance",
    "jumlah",
    "summe",
    "gesamtbetrag",
    "montant",
    "importe",
    "betrag",
    "totale",
)
STRONG_WORDS = {
    "grand",
    "rounded",
    "round",
    "incl",
    "inclusive",
    "amount",
    "amt",
    "due",
    "payable",
    "net",
    "nett",
    "final",
    "pay",
    "bill",
    "invoice",
}
NOT_TOTAL_WORDS = {
    "sub",
    "subtotal",
    "qty",
    "quantity",
    "item",
    "items",
    "count",
    "tax",
    "gst",
    "vat",
    "sst",
    "service",
    "disc",
    "discount",
    "saving",
    "savings",
    "change",
    "cash",
    "tender",
    "tendered",
    "paid",
    "rounding",
    "adjustment",
    "adj",
    "excl",
    "excluding",
    "exclusive",
    "excluded",
    "before",
    "point",
    "points",
    "weight",
    "unit",
    "deposit",
    "tip",
    "rate",
    "ht",  # HT: French "before tax"
    "gross",
}  # before discounts and adjustments
INCLUSIVE_WORDS = {"incl", "inclusive", "including", "includes", "inc"}
PAYMENT_WORDS = {
    "cash",
    "card",
    "visa",
    "mastercard",
    "master",
    "amex",
    "change",
    "tender",
    "tendered",
    "paid",
    "payment",
    "received",
    "credit",
    "debit",
    "eftpos",
    "nets",
    "cheque",
    "voucher",
}


def is_total_key(key: KeySpec) -> bool:
    words = key.words
    return (
        key.type == "amount"
        and bool(words & {"total", "amount", "due", "payable", "balance"})
        and not words & (NOT_TOTAL_WORDS - {"paid"})
    )


# -- the total ------------------------------------------------------------------------------------
def _total_strength(label_text: str, key: KeySpec) -> float:
    """0 when the label is not a total-to-pay label, else higher for more specific labels."""
    tokens = _tokens(label_text)
    if not tokens:
        return 0.0
    has_total = any(_like(t, TOTAL_WORDS) or t in ("tot", "ttl") for t in tokens[:4])
    if not has_total and match_label(label_text, key.synonyms) is None:
        return 0.0
    inclusive = any(_like(t, INCLUSIVE_WORDS) for t in tokens)
    for t in tokens:
        if t.startswith("sub") or (
            _like(t, NOT_TOTAL_WORDS) and not (inclusive and _like(t, {"tax", "gst", "vat", "sst"}))
        ):
            return 0.0
    return 1.0 + sum(1 for t in tokens if _like(t, STRONG_WORDS) or _like(t, INCLUSIVE_WORDS)) * 0.5


def _label_part(line: PageLine) -> tuple[str, int]:
    """The text before the line's first amount, and where it ends."""
    amounts = find_amounts(line.text)
    end = amounts[0].start if amounts and any(c.isalpha() for c in line.text[: amounts[0].start]) else len(line.text)
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


def _opens_with(tokens: list[str], words) -> bool:
    """ "CASH 50.00", "Amount Paid 42.40", "Amount Change: 0.00": one of `words` first, or exactly second
    (one OCR slip allowed there would read "Service Charge" as a change line)."""
    return bool(tokens) and (_like(tokens[0], words) or (len(tokens) > 1 and tokens[1] in words))


def _is_payment(line: PageLine) -> bool:
    return _opens_with(_tokens(_label_part(line)[0]), PAYMENT_WORDS)


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
        paid = _amount_paid(lines, payments)
        for n, (strength, i, (amount, source), label) in enumerate(candidates):
            next_candidate = candidates[n + 1][1] if n + 1 < len(candidates) else len(lines)
            before_payment = any(i < p <= next_candidate for p in payments)
            found = _apply_rounding(Found(amount, source, 0.0, label), lines, i, payments)
            score = (
                strength
                + (1.5 if before_payment else 0.0)
                + 0.01 * n  # later wins ties
                + (2.0 if paid is not None and abs(float(found.value.normalized) - paid) < 0.005 else 0.0)
                - (1.0 if _is_table_row(lines, lines[i]) else 0.0)
            )
            if score > best_score:
                found.confidence = min(1.0, 0.4 + 0.15 * score) * source.score
                best, best_score = _settle_with_paid(found, lines, paid), score
        if paid is not None and best_score < PAID_OVERRULES:
            # No total label right before the payment lines and none that matches what was paid (OCR
            # missed the total's amount or its label): what was paid is the total.
            printed = _printed_paid(lines, paid)
            if printed is not None:
                best, best_score = printed, PAID_OVERRULES
    return best or _most_repeated_amount(pages)


PAID_OVERRULES = 1.5  # a total label's score below which tendered - change decides


def _printed_paid(lines: list[PageLine], paid: float) -> Found | None:
    """The amount paid where it is printed (the tendered amount when no change was given)."""
    printed = _printed(lines, paid)
    if not printed:
        return None
    amount, line = printed[0]
    return Found(amount, line, 0.5 * line.score)


def _printed(lines: list[PageLine], value: float) -> list[tuple[ValueMatch, PageLine]]:
    """Where the page prints this amount, in reading order."""
    target = f"{value:.2f}"
    return [(a, ln) for ln in lines for a in find_amounts(ln.text) if a.normalized == target]


def _settle_with_paid(found: Found, lines: list[PageLine], paid: float | None) -> Found:
    """A rounding line on the page and a total a few cents off what was paid (tendered - change):
    the amount paid is the rounded total, as printed on the payment line."""
    total = float(found.value.normalized)
    if paid is None or abs(total - paid) < 0.005 or abs(total - paid) > 0.05:
        return found
    if not any(_tokens(ln.text) and _like(_tokens(ln.text)[0], {"rounding", "round"}) for ln in lines):
        return found
    printed = _printed(lines, paid)
    if not printed:
        return found
    amount, line = printed[-1]
    return Found(amount, line, found.confidence, found.label, found.extra)


def _row_amounts(lines: list[PageLine], line: PageLine) -> list[ValueMatch]:
    return [a for ln in lines if same_row(ln, line) for a in find_amounts(ln.text) if a.has_decimals]


def _amount_paid(lines: list[PageLine], payments: list[int]) -> float | None:
    """Tendered minus change ("CASH 50.00", "CHANGE 16.10" -> 33.90): what the total must come to."""
    tendered = change = None
    for i in payments:
        # The amount level with the label, not only on its exact row: a photographed receipt is skewed.
        beside = _amount_beside(lines[i], _label_part(lines[i])[1], lines, i)
        if beside is None:
            continue
        amount = float(beside[0].normalized)
        is_change = _opens_with(_tokens(lines[i].text), {"change"})
        if tendered is None and not is_change:
            tendered = amount
        elif tendered is not None and is_change:
            change = amount
            break
    if tendered is None or change is None or tendered - change <= 0:
        return None  # without the change printed, the tendered amount says nothing
    return round(tendered - change, 2)


def _is_table_row(lines: list[PageLine], line: PageLine) -> bool:
    """ "TOTAL: 16.98 1.02" under a tax summary: a column total of a table, not the amount to pay."""
    return len({a.normalized for a in _row_amounts(lines, line)}) >= 2


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
        for ln in lines[j + 1 : stop]:
            for a in find_amounts(ln.text):
                if a.normalized == target:
                    return Found(a, ln, found.confidence, found.label, found.extra)
        return found
    return found


def _most_repeated_amount(pages: list[list[PageLine]]) -> Found | None:
    """No total label: the total is usually printed more than once (total, amount paid)."""
    amounts = [
        (a, ln)
        for lines in pages
        for ln in lines
        for a in find_amounts(ln.text)
        if a.has_decimals and float(a.normalized) > 0
    ]
    if not amounts:
        return None
    counts = Counter(a.normalized for a, _ in amounts)
    value, _ = max(counts.items(), key=lambda kv: (kv[1], float(kv[0])))
    amount, line = next((a, ln) for a, ln in amounts if a.normalized == value)
    return Found(amount, line, 0.3 * line.score)
