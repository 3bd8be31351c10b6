"""Lite key-value extraction: `--extract SCHEMA` -> NAME.kv.json, from the layout and the OCR lines.

A key is found next to its label: the label is matched loosely (rapidfuzz, so OCR slips such as
"Totl" still count) against synonyms derived from the key's name, and the value is the rest of the
label's line, the text to its right on the same row, or the line below it. Typed keys (dates,
amounts, accounts, currencies, names) only take a value of their type, as printed on the document.
The issuer's company and address and the amount to pay follow rules of their own (see kv_issuer):
they are rarely labelled.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from html import unescape
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from ..document import DocResult, Task
from .kv_values import LABEL_SEPARATORS, VALUE_FINDERS, ValueMatch, find_currencies, text_values

# Label texts per concept. A key whose name contains the concept's words gets these as synonyms.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "total": ("total", "total amount", "grand total", "amount due", "total due", "balance due", "total payable",
              "amount payable", "net total", "nett total", "to pay", "bill amount", "invoice total", "tot", "ttl",
              "jumlah", "summe", "gesamtbetrag", "montant total", "importe total", "totale"),
    "amount": ("amount", "bill amount", "amount due", "total", "betrag", "montant", "importe", "importo"),
    "date": ("date", "invoice date", "bill date", "receipt date", "issue date", "dated", "datum", "fecha", "tarikh"),
    "account": ("account", "account number", "account no", "acct", "iban", "konto", "compte", "conto"),
    "currency": ("currency", "währung", "devise", "valuta", "moneda"),
    "creditor": ("creditor", "payable to", "pay to", "payee", "beneficiary", "zahlbar an", "payable à"),
    "debtor": ("debtor", "payable by", "payer", "bill to", "customer", "zahlbar durch"),
    "invoice number": ("invoice number", "invoice no", "invoice #", "bill no", "receipt no", "receipt #",
                       "document no", "doc no", "reference"),
    "tax": ("tax", "gst", "vat", "sst", "total tax", "total gst", "mwst", "tva"),
    "subtotal": ("subtotal", "sub total", "sub-total"),
    "phone": ("phone", "tel", "telephone", "mobile", "telefon"),
    "email": ("email", "e-mail", "mail"),
}
# Words that make a key's value a money amount (its type when the schema does not say).
MONEY_WORDS = {"total", "amount", "price", "sum", "balance", "due", "tax", "vat", "gst", "subtotal", "fee", "cost",
               "paid", "payable", "charge", "tip", "discount"}
NAME_WORDS = {"name", "company", "vendor", "merchant", "store", "shop", "seller", "supplier", "creditor", "debtor",
              "payee", "payer", "customer", "beneficiary"}
GENERIC_WORDS = {"name", "value", "amount", "number", "no", "the", "of", "full"}
LABEL_THRESHOLD = 80.0  # rapidfuzz ratio for a label to count
MAX_GAP = 20.0  # line heights between a label and a value to its right (further is another column)
ROW_TOLERANCE = 0.35  # share of the smaller line height two centres may differ by on one row


@dataclass
class KeySpec:
    """One key to extract. `type` is the value kind: date, amount, number, percent, account, currency,
    id, name or text; when None it is inferred from the name. `synonyms` are the label texts looked for."""

    name: str
    description: str | None = None
    type: str | None = None
    synonyms: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        words = set(_words(self.name))
        if self.type is None:
            self.type = _infer_type(words)
        if not self.synonyms:
            self.synonyms = _derive_synonyms(self.name, self.description)

    @property
    def words(self) -> set[str]:
        return set(_words(self.name))


def _words(text: str) -> list[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # camelCase -> camel Case
    return [w for w in re.split(r"[^0-9a-zA-Z\u00C0-\uFFFF]+", text.lower()) if w]


def _infer_type(words: set[str]) -> str:
    if "date" in words or "day" in words:
        return "date"
    if words & {"account", "iban", "acct"}:
        return "account"
    if "currency" in words:
        return "currency"
    if words & {"rate", "percent", "percentage"}:
        return "percent"
    if words & {"number", "no", "nr", "id", "ref", "reference", "code"}:
        return "id"
    if words & MONEY_WORDS:
        return "amount"
    if words & NAME_WORDS:
        return "name"
    return "text"


def _derive_synonyms(name: str, description: str | None) -> list[str]:
    words = _words(name)
    synonyms = [" ".join(words)]
    for concept, labels in SYNONYMS.items():
        # "creditor name" takes the creditor's labels, "vat amount" not the amount's ("Total" is no VAT).
        if set(concept.split()) <= set(words) and set(words) - set(concept.split()) <= GENERIC_WORDS:
            synonyms += labels
    if description and len(_words(description)) <= 5:
        synonyms.append(" ".join(_words(description)))
    # "Invoice number" is printed "Invoice No.", "Invoice #", "Invoice Nr."
    synonyms += [re.sub(r"\bnumber\b", short, s) for s in synonyms if "number" in s.split() for short in ("no", "#", "nr")]
    return list(dict.fromkeys(s for s in synonyms if s))


def _schema_type(prop: dict[str, Any], words: set[str]) -> str | None:
    fmt, kind = prop.get("format"), prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if fmt in ("date", "date-time"):
        return "date"
    if kind in ("number", "integer"):
        return "amount" if (words & MONEY_WORDS or kind == "number") else "number"
    return None  # strings: the name decides


def parse_key_spec(spec: str) -> list[KeySpec]:
    """A JSON Schema file (its `properties`; `type`, `format`, `description` and an optional
    `x-synonyms` list are read) or a comma list of key names."""
    path = Path(spec)
    if spec.lower().endswith(".json") or ("," not in spec and path.is_file()):
        schema = json.loads(path.read_text(encoding="utf-8"))
        props = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(props, dict) or not props:
            raise ValueError("the JSON Schema has no `properties` to extract")
        keys = []
        for name, prop in props.items():
            prop = prop if isinstance(prop, dict) else {}
            key = KeySpec(name, prop.get("description"), _schema_type(prop, set(_words(name))))
            key.synonyms += [s.lower() for s in prop.get("x-synonyms", []) if s.lower() not in key.synonyms]
            keys.append(key)
        return keys
    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise ValueError("no key names given")
    return [KeySpec(name) for name in dict.fromkeys(names)]


# -- the document as lines ------------------------------------------------------------------------
@dataclass
class PageLine:
    text: str
    bbox: tuple[float, float, float, float]
    score: float
    page: int  # 1-based

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def centre_y(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    def sub_bbox(self, start: int, end: int) -> tuple[float, float, float, float]:
        """The box of text[start:end], estimated from character positions (OCR gives line boxes only)."""
        x0, y0, x1, y1 = self.bbox
        n = max(1, len(self.text))
        return (x0 + (x1 - x0) * start / n, y0, x0 + (x1 - x0) * end / n, y1)


def page_lines(doc: DocResult) -> list[list[PageLine]]:
    """Each page's text lines in reading order (rows top to bottom, left to right in a row). Regions
    without OCR lines (text layers, the GLM engine) give one line per line of their content."""
    pages = []
    for page in doc.pages:
        lines: list[PageLine] = []
        for region in page.ordered_regions():
            if region.lines:
                lines += [PageLine(_clean(ln.text), tuple(ln.bbox), ln.score, page.index + 1) for ln in region.lines]
            elif region.content and region.task is Task.TABLE:
                lines += _grid_lines(_html_rows(region.content), region.bbox, region.confidence, page.index + 1)
            elif region.content and region.task in (Task.TEXT, Task.ABANDON):
                parts = [[p] for p in region.content.splitlines() if p.strip()]
                lines += _grid_lines(parts, region.bbox, region.confidence, page.index + 1)
        pages.append([ln for row in group_rows([ln for ln in lines if ln.text]) for ln in row])
    return pages


def _html_rows(html: str) -> list[list[str]]:
    return [[unescape(re.sub(r"<[^>]+>", " ", cell)) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S | re.I)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S | re.I)]


def _grid_lines(rows: list[list[str]], bbox, confidence: float | None, page: int) -> list[PageLine]:
    """Lines for content without OCR boxes (text layer, GLM): the region's box shared out evenly over
    its rows (and a table's cells), so that labels still have values beside and below them."""
    x0, y0, x1, y1 = bbox
    step_y = (y1 - y0) / max(1, len(rows))
    lines = []
    for i, cells in enumerate(rows):
        step_x = (x1 - x0) / max(1, len(cells))
        lines += [PageLine(_clean(text), (x0 + j * step_x, y0 + i * step_y, x0 + (j + 1) * step_x, y0 + (i + 1) * step_y),
                           confidence or 1.0, page) for j, text in enumerate(cells)]
    return lines


def _clean(text: str) -> str:
    # NFKC: OCR models trained on CJK text often return full-width brackets and colons. Markdown
    # emphasis and heading marks (GLM output) are not part of a label or value.
    text = re.sub(r"\*\*|__|^#+\s|^[-*]\s", "", unicodedata.normalize("NFKC", text).strip())
    return re.sub(r"\s+", " ", text).strip()


def group_rows(lines: list[PageLine]) -> list[list[PageLine]]:
    """Lines whose vertical centres lie close to a row's first line share its row. Detector boxes are
    padded well beyond the letters (rapidocr's unclip), so "close" is a third of the smaller box."""
    rows: list[list[PageLine]] = []
    for line in sorted(lines, key=lambda ln: ln.centre_y):
        if rows and same_row(line, rows[-1][0]):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.bbox[0]) for row in rows]


def same_row(a: PageLine, b: PageLine) -> bool:
    return abs(a.centre_y - b.centre_y) < ROW_TOLERANCE * min(a.height, b.height)


def level_with(a: PageLine, b: PageLine) -> bool:
    """Looser than same_row, for a value beside its label on a skewed photo: the boxes share at least
    half of the smaller one's height."""
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap >= 0.5 * min(a.height, b.height)


# -- labels ---------------------------------------------------------------------------------------
@dataclass
class LabelMatch:
    score: float  # 0-100
    start: int    # the label's character span in the line
    end: int


def _norm(word: str) -> str:
    return re.sub(r"[^0-9a-z\u00C0-\uFFFF#%]", "", word.lower())


def match_label(text: str, synonyms: list[str], max_offset: int = 2) -> LabelMatch | None:
    """The best synonym among the first words of text (a label starts its line or nearly so)."""
    tokens = [(m.start(), m.end(), _norm(m.group(0))) for m in re.finditer(r"[^\s:：;=|]+", text)]
    tokens = [t for t in tokens if t[2]]
    best: LabelMatch | None = None
    for synonym in synonyms:
        size = len(synonym.split())
        target = _norm(synonym.replace(" ", ""))
        for i in range(min(max_offset + 1, len(tokens) - size + 1)):
            window = "".join(t[2] for t in tokens[i:i + size])
            if len(target) <= 3 or len(window) <= 3:
                score = 100.0 if window == target else 0.0
            else:
                score = fuzz.ratio(window, target)
            score -= 2.0 * i  # a label further into the line is a little less likely
            score -= 0.0 if synonym == synonyms[0] else 1.0  # the key's own name beats a synonym
            if score >= LABEL_THRESHOLD and (best is None or score > best.score):
                best = LabelMatch(score, tokens[i][0], tokens[i + size - 1][1])
    return best


# -- values ---------------------------------------------------------------------------------------
@dataclass
class Found:
    value: ValueMatch
    line: PageLine
    confidence: float
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        start, end = self.value.start, self.value.end
        inline = 0 <= start < end <= len(self.line.text) and self.line.text[start:end] == self.value.text
        bbox = self.line.sub_bbox(start, end) if inline else self.line.bbox
        data = {"value": self.value.text, "page": self.line.page, "bbox": [round(v, 1) for v in bbox],
                "confidence": round(self.confidence, 3)}
        if self.value.normalized is not None and self.value.normalized != self.value.text:
            data["normalized"] = self.value.normalized
        if self.value.currency:
            data["currency"] = self.value.currency
        if self.label:
            data["label"] = self.label
        return {**data, **self.extra}


def _candidates(line: PageLine, label: LabelMatch, lines: list[PageLine], index: int):
    """Where a label's value may be, nearest first: after it on its line, to its right on the same
    row, then below it (lines that overlap the label horizontally, up to three rows down)."""
    rest = line.text[label.end:]
    if rest.strip(LABEL_SEPARATORS):
        yield line, label.end
    right = [ln for ln in lines if ln is not line and level_with(ln, line)
             and line.bbox[2] - 0.2 * line.height <= ln.bbox[0] <= line.bbox[2] + MAX_GAP * line.height]
    yield from ((ln, 0) for ln in sorted(right, key=lambda ln: ln.bbox[0]))
    lx0, _, lx1, _ = line.sub_bbox(label.start, label.end)  # "Currency" of a "Currency Amount" line
    below = [ln for ln in lines[index + 1:] if ln.bbox[1] > line.centre_y and not same_row(ln, line)
             and ln.bbox[1] - line.bbox[3] < 3.5 * line.height and ln.bbox[0] < lx1 and ln.bbox[2] > lx0]
    yield from ((ln, 0) for ln in sorted(below, key=lambda ln: ln.bbox[1])[:3])


def find_labelled(pages: list[list[PageLine]], key: KeySpec) -> Found | None:
    """The best label for key with a value of the key's kind next to it; the first on ties."""
    finder = VALUE_FINDERS.get(key.type or "text", text_values)
    best, best_strength = None, 0.0
    for lines in pages:
        for i, line in enumerate(lines):
            label = match_label(line.text, key.synonyms)
            if label is None:
                continue
            for rank, (cand, offset) in enumerate(_candidates(line, label, lines, i)):
                values = finder(cand.text[offset:])
                if not values:
                    continue
                # Rank by the label's match and the value's distance; OCR confidence only scales the
                # result, so of two equally good labels the first in reading order wins.
                strength = label.score / 100 * (0.97 ** rank)
                if strength > best_strength + 1e-9:
                    value = replace(values[0], start=values[0].start + offset, end=values[0].end + offset)
                    best = Found(value, cand, strength * cand.score, line.text[label.start:label.end])
                    best_strength = strength
                break
    return best


def find_unlabelled(pages: list[list[PageLine]], key: KeySpec) -> Found | None:
    """Without a label, the first value of a distinctive kind in reading order (dates, IBANs)."""
    if key.type not in ("date", "account", "currency"):
        return None
    for lines in pages:
        for line in lines:
            values = VALUE_FINDERS[key.type](line.text)
            if values:
                return Found(values[0], line, 0.5 * line.score)
    return None


# -- the entry point ------------------------------------------------------------------------------
def extract_key_values(doc: DocResult, keys: list[KeySpec]) -> dict:
    """{"keys": {name: {"value", "page" (1-based), "bbox" (page pixels), "confidence", ...}}, ...};
    value, page, bbox and confidence are None for a key that was not found."""
    from .kv_issuer import find_address, find_company, find_total, is_address_key, is_company_key, is_total_key

    pages = page_lines(doc)
    results: dict[str, Any] = {}
    for key in keys:
        if is_company_key(key):
            found = find_company(pages)
        elif is_address_key(key):
            found = find_address(pages)
        elif is_total_key(key):
            found = find_total(pages, key)
        else:
            found = find_labelled(pages, key) or find_unlabelled(pages, key)
        if found is None and key.type == "currency":  # unlabelled: the one printed with the total
            total = find_total(pages, KeySpec("total"))
            printed = find_currencies(total.line.text) if total else []
            if printed:
                found = Found(printed[0], total.line, 0.5 * total.confidence)
        results[key.name] = found.to_json() if found else {"value": None, "page": None, "bbox": None,
                                                           "confidence": None}
    return {"schema_version": 1, "source": doc.relative_path.as_posix(), "engine": doc.engine.get("name"),
            "keys": results}
