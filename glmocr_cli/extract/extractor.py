"""`--extract`: the finished document model -> the key-value result written as NAME.kv.json.

Labelled keys are found next to their label (labels.py). The issuer's company and address and the
amount to pay are rarely labelled and follow rules of their own (issuer.py, total.py).
"""

from __future__ import annotations

from typing import Any

from ..document import DocResult
from .issuer import find_address, find_company, is_address_key, is_company_key
from .keys import KeySpec
from .labels import Found, find_labelled, find_unlabelled
from .lines import page_lines
from .total import find_total, is_total_key
from .values import find_currencies


def extract_key_values(doc: DocResult, keys: list[KeySpec]) -> dict:
    """{"keys": {name: {"value", "page" (1-based), "bbox" (page pixels), "confidence", ...}}, ...};
    value, page, bbox and confidence are None for a key that was not found."""
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
        results[key.name] = (
            found.to_json() if found else {"value": None, "page": None, "bbox": None, "confidence": None}
        )
    return {
        "schema_version": 1,
        "source": doc.relative_path.as_posix(),
        "engine": doc.engine.get("name"),
        "keys": results,
    }
