"""Key information extraction with GLM-OCR: the model card's prompt and a tolerant answer parser.

The prompt is the model card's `请按下列JSON格式输出图中信息:` followed by a JSON template whose values
are empty strings; the model answers by filling that template. Answers may come in code fences, with
trailing commas, single quotes or cut off by the token limit: parse what can be parsed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

EXTRACTION_PROMPT = "请按下列JSON格式输出图中信息:"


def schema_keys(schema: str | Path | dict | list) -> list[str]:
    """Keys from a JSON Schema (file, dict), a list, or a comma list string."""
    if isinstance(schema, (list, tuple)):
        return [str(k).strip() for k in schema if str(k).strip()]
    if isinstance(schema, dict):
        return list(schema.get("properties", schema))
    text = str(schema)
    if text.endswith(".json") and Path(text).is_file():
        return schema_keys(json.loads(Path(text).read_text()))
    return [k.strip() for k in text.split(",") if k.strip()]


def template(keys_or_schema) -> dict:
    """Empty-valued template; nested object schemas become nested templates."""
    if isinstance(keys_or_schema, dict) and "properties" in keys_or_schema:
        return {
            k: template(v) if isinstance(v, dict) and v.get("type") == "object" else ""
            for k, v in keys_or_schema["properties"].items()
        }
    return {k: "" for k in schema_keys(keys_or_schema)}


def build_extraction_prompt(keys) -> str:
    return EXTRACTION_PROMPT + "\n" + json.dumps(template(keys), ensure_ascii=False, indent=2)


_FENCE = re.compile(r"```(?:json)?\s*(.*?)(?:```|$)", re.S)
_PAIR = re.compile(r'["\']([^"\']+)["\']\s*:\s*("(?:[^"\\]|\\.)*"?|\'[^\']*\'?|[-\d.eE+]+|true|false|null)')


def parse_extraction(answer: str, keys) -> dict[str, object]:
    """Every requested key with its value (None when absent or empty), however broken the JSON."""
    wanted = schema_keys(keys)
    text = answer.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    data = _loads(text)
    if data is None:
        data = {}
        for key, raw in _PAIR.findall(text):
            data.setdefault(key, _scalar(raw))
    return {k: _clean(data.get(k)) for k in wanted}


def _loads(text: str):
    start = text.find("{")
    if start < 0:
        return None
    candidate = text[start : text.rfind("}") + 1] if "}" in text else text[start:]
    for attempt in (candidate, re.sub(r",\s*([}\]])", r"\1", candidate)):
        try:
            value = json.loads(attempt)
            return value if isinstance(value, dict) else None
        except ValueError:
            continue
    return None


def _scalar(raw: str):
    raw = raw.strip()
    if raw[:1] in "\"'":
        body = raw[1:-1] if len(raw) > 1 and raw[-1] == raw[0] else raw[1:]
        try:
            return json.loads('"' + body + '"')
        except ValueError:
            return body
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
