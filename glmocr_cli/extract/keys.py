"""What to extract: `--extract SCHEMA` as a list of KeySpec (name, value kind, label synonyms).

A key's label synonyms come from its name (and description): a key whose name holds a concept's
words ("total", "date", "invoice number") gets that concept's labels in several languages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


# Label texts per concept. A key whose name contains the concept's words gets these as synonyms.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "total": (
        "total",
        "total amount",
        "grand total",
        "amount due",
        "total due",
        "balance due",
        "total payable",
        "amount payable",
        "net total",
        "nett total",
        "to pay",
        "bill amount",
        "invoice total",
        "tot",
        "ttl",
        "jumlah",
        "summe",
        "gesamtbetrag",
        "montant total",
        "importe total",
        "totale",
    ),
    "amount": ("amount", "bill amount", "amount due", "total", "betrag", "montant", "importe", "importo"),
    "date": ("date", "invoice date", "bill date", "receipt date", "issue date", "dated", "datum", "fecha", "tarikh"),
    "account": ("account", "account number", "account no", "acct", "iban", "konto", "compte", "conto"),
    "currency": ("currency", "währung", "devise", "valuta", "moneda"),
    "creditor": ("creditor", "payable to", "pay to", "payee", "beneficiary", "zahlbar an", "payable à"),
    "debtor": ("debtor", "payable by", "payer", "bill to", "customer", "zahlbar durch"),
    "invoice number": (
        "invoice number",
        "invoice no",
        "invoice #",
        "bill no",
        "receipt no",
        "receipt #",
        "document no",
        "doc no",
        "reference",
    ),
    "tax": ("tax", "gst", "vat", "sst", "total tax", "total gst", "mwst", "tva"),
    "subtotal": ("subtotal", "sub total", "sub-total"),
    "phone": ("phone", "tel", "telephone", "mobile", "telefon"),
    "email": ("email", "e-mail", "mail"),
}
# Words that make a key's value a money amount (its type when the schema does not say).
MONEY_WORDS = {
    "total",
    "amount",
    "price",
    "sum",
    "balance",
    "due",
    "tax",
    "vat",
    "gst",
    "subtotal",
    "fee",
    "cost",
    "paid",
    "payable",
    "charge",
    "tip",
    "discount",
}
NAME_WORDS = {
    "name",
    "company",
    "vendor",
    "merchant",
    "store",
    "shop",
    "seller",
    "supplier",
    "creditor",
    "debtor",
    "payee",
    "payer",
    "customer",
    "beneficiary",
}
GENERIC_WORDS = {"name", "value", "amount", "number", "no", "the", "of", "full"}


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
    synonyms += [
        re.sub(r"\bnumber\b", short, s) for s in synonyms if "number" in s.split() for short in ("no", "#", "nr")
    ]
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
    `x-synonyms` list are read) or a comma list of key names.

    A schema is named only explicitly, `@FILE` or a path ending in .json: `total` is the key `total`
    even where a file of that name lies in the current folder."""
    if spec.startswith("@") or spec.lower().endswith(".json"):
        schema = json.loads(Path(spec.removeprefix("@")).read_text(encoding="utf-8"))
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
