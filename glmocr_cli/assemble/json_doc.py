"""The document model as JSON and back, and its JSON Schema (glmocr_cli/schema/document.schema.json)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import fields
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from ..document import DocResult, PageResult, Reading, Region, Task, TextLine
from ..labels import Flag, FormulaSource, Join, Kind, Label, PageSource, TextSource
from ..spans import blocks_from_rich


def render_json(doc: DocResult) -> str:
    """NAME.json, indented, with each text line (a word, on a born-digital page) compact on one row.
    Python's indenting encoder is pure Python: indenting every field of thousands of words took most
    of the time spent writing a document; the compact encoder is C."""
    data = doc.to_json()
    token = uuid.uuid4().hex  # placeholders no document text can contain
    compact: list[str] = []
    for page in data["pages"]:
        for region in page["regions"]:
            marks = []
            for line in region["lines"]:
                marks.append(f"{token}:{len(compact)}")
                compact.append(json.dumps(line, ensure_ascii=False))
            region["lines"] = marks
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return re.sub(f'"{token}:(\\d+)"', lambda m: compact[int(m.group(1))], text) + "\n"


@lru_cache(maxsize=1)
def document_schema() -> dict:
    return json.loads(files("glmocr_cli").joinpath("schema/document.schema.json").read_text(encoding="utf-8"))


def validate_document(data: dict) -> None:
    """Raise jsonschema.ValidationError when data is not a valid NAME.json document."""
    import jsonschema

    jsonschema.validate(data, document_schema())


def _known(cls, data: dict) -> dict:
    """data restricted to cls's dataclass fields, so a NAME.json from a newer or older version
    (fields added or dropped) still loads."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _member(enum, value):
    """value as a member of enum; a value this version does not know (a NAME.json from another
    version) stays the string it is."""
    try:
        return None if value is None else enum(value)
    except ValueError:
        return value


def _region(data: dict) -> Region:
    region = Region(**_known(Region, data))
    region.task = Task(region.task)
    region.label, region.kind = _member(Label, region.label), _member(Kind, region.kind)
    region.joins = _member(Join, region.joins)
    region.text_source = _member(TextSource, region.text_source)
    region.flags = [_member(Flag, f) for f in region.flags]
    # The reading travels inside "stats" (Region.to_json puts it there).
    stats = dict(region.stats)
    notes = {f.name: stats.pop(f.name) for f in fields(Reading) if f.name in stats}
    region.stats, region.reading = stats, Reading(**notes)
    region.reading.formula = _member(FormulaSource, region.reading.formula)
    region.bbox = tuple(region.bbox)
    region.bbox_pt = tuple(region.bbox_pt) if region.bbox_pt else None
    region.lines = [TextLine(tuple(line["bbox"]), line["text"], line["score"]) for line in region.lines]
    region.blocks = blocks_from_rich(data.get("rich"), region.kind)
    return region


def _page(data: dict) -> PageResult:
    page = PageResult(**{**_known(PageResult, data), "regions": [_region(r) for r in data["regions"]]})
    page.source, page.flags = _member(PageSource, page.source), [_member(Flag, f) for f in page.flags]
    page.size_pt = tuple(page.size_pt) if page.size_pt else None
    return page


def load_document(data: dict) -> DocResult:
    """The document model back from NAME.json (render_json's inverse), so Markdown and HTML can be
    rebuilt without recognising again. Crop bytes are not in the JSON: the crops stay on disk."""
    return DocResult(
        source=Path(data["source"]),
        relative_path=Path(data["relative_path"]),
        sha256=data["sha256"],
        pages=[_page(p) for p in data["pages"]],
        engine=data.get("engine", {}),
        options=data.get("options", {}),
        timings=data.get("timings", {}),
    )
