"""--extract with the glm engine: merge the per-page answers of GLM-OCR into NAME.kv.json.

The model answers values, not boxes; the box is that of the region whose text holds the value.
"""

from __future__ import annotations

from typing import Any

from ..document import DocResult


def _locate(doc: DocResult, page_index: int, value: str) -> list[float] | None:
    needle = " ".join(str(value).split()).lower()
    for page in doc.pages:
        if page.index != page_index:
            continue
        for region in page.ordered_regions():
            if needle and needle in " ".join(region.content.split()).lower():
                return list(region.bbox)
    return None


def merge_model_answers(doc: DocResult, key_names: list[str]) -> dict[str, Any]:
    """First page whose answer has a value wins, per key (pages in document order)."""
    keys: dict[str, Any] = {}
    for name in key_names:
        keys[name] = {"value": None, "page": None, "bbox": None, "confidence": None}
        for page in doc.pages:
            answer = (page.key_values or {}).get(name)
            if answer and answer.get("value") not in (None, ""):
                keys[name] = {
                    "value": answer["value"],
                    "page": page.index + 1,
                    "bbox": _locate(doc, page.index, answer["value"]),
                    "confidence": None,
                }
                break
    return {"schema_version": 1, "source": doc.relative_path.as_posix(), "engine": doc.engine.get("name"), "keys": keys}
