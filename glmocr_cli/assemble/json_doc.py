"""The document model as JSON, and its JSON Schema (glmocr_cli/schema/document.schema.json)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

from ..document import DocResult


def render_json(doc: DocResult) -> str:
    return json.dumps(doc.to_json(), ensure_ascii=False, indent=1) + "\n"


@lru_cache(maxsize=1)
def document_schema() -> dict:
    return json.loads(files("glmocr_cli").joinpath("schema/document.schema.json").read_text(encoding="utf-8"))


def validate_document(data: dict) -> None:
    """Raise jsonschema.ValidationError when data is not a valid NAME.json document."""
    import jsonschema

    jsonschema.validate(data, document_schema())
