"""schema/document.schema.json is written by hand beside the dataclasses of document.py: these tests
keep the two from drifting apart. Every field NAME.json carries has a schema property of a compatible
type and every property a field; the schema's enums are the StrEnums' values; a real conversion's
NAME.json validates."""

from __future__ import annotations

import json
import types
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from glmocr_cli.assemble.json_doc import document_schema, load_document, render_json, validate_document
from glmocr_cli.document import DocResult, InlineSpan, PageResult, Reading, Region, Task, TextBlock, TextLine, TextStyle
from glmocr_cli.labels import Flag, FormulaSource, Kind, Label, PageSource, TextSource

ROOT = Path(__file__).resolve().parents[1]

# Dataclass fields that are not keys of their object in NAME.json (crop bytes, page images, the
# outputs' path, --extract answers written to NAME.kv.json); Region.reading is written inside "stats".
NOT_IN_JSON = {
    DocResult: {"output_stem", "key_values"},  # --extract answers go to NAME.kv.json
    PageResult: {"layout_vis_png", "upright_image", "key_values"},
    Region: {"image_png", "reading", "blocks"},
    TextLine: set(),
    TextStyle: set(),
    Reading: set(),
}
# Keys NAME.json computes rather than copies from a field.
DERIVED = {DocResult: {"schema_version", "stats"}, Region: {"rich"}}  # rich: the blocks as Markdown

JSON_TYPE = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


def full_document() -> DocResult:
    """A document with every optional field set, so that every key NAME.json can hold is there."""
    style = TextStyle(size=9.5, font="Serif", bold=True, line=0, pieces=[("x", ""), ("2", "sup")], script="sup")
    region = Region(
        index=0,
        order=0,
        label=Label.DISPLAY_FORMULA,
        native_label="Formula",
        task=Task.FORMULA,
        bbox=(1.0, 2.0, 3.0, 4.0),
        score=0.9,
        content="x^2",
        bbox_pt=(0.5, 1.0, 1.5, 2.0),
        confidence=0.8,
        text_source=TextSource.TEXT_LAYER,
        flags=[Flag.FORMULA_JOINED, Flag.LOW_CONFIDENCE],
        lines=[TextLine((1.0, 2.0, 3.0, 4.0), "x2", 1.0, style)],
        image_name="crop.png",
        timings={"recognize": 0.1},
        stats={"tokens": 4, "decode_steps": 2, "draft_proposed": 2, "draft_accepted": 1, "finish_reason": "stop"},
        kind=Kind.HEADING,
        level=2,
        blocks=[TextBlock([InlineSpan("x"), InlineSpan("2", script="sup")])],
        reading=Reading(reader="tesseract:eng", script="latin", formula=FormulaSource.LATEX_FROM_GLYPHS),
    )
    page = PageResult(
        0, 100, 200, PageSource.PDF, 72, (100.0, 200.0), 90, [region], [Flag.DAMAGED], ["w"], {"render": 0.2}
    )
    return DocResult(Path("in/a.pdf"), Path("a.pdf"), "ab" * 32, [page], {"name": "lite"}, {"dpi": 72}, {"write": 1.0})


def schema_of(name: str) -> dict:
    """The schema of one object of NAME.json: doc, page, region, line, style or stats."""
    doc = document_schema()
    page = doc["properties"]["pages"]["items"]
    region = page["properties"]["regions"]["items"]
    line = region["properties"]["lines"]["items"]
    return {
        "doc": doc,
        "page": page,
        "region": region,
        "line": line,
        "style": line["properties"]["style"]["anyOf"][0],
        "stats": region["properties"]["stats"],
    }[name]


OBJECTS = [  # (dataclass, its object's schema, that object in full_document()'s JSON)
    (DocResult, "doc", lambda d: d),
    (PageResult, "page", lambda d: d["pages"][0]),
    (Region, "region", lambda d: d["pages"][0]["regions"][0]),
    (TextLine, "line", lambda d: d["pages"][0]["regions"][0]["lines"][0]),
    (TextStyle, "style", lambda d: d["pages"][0]["regions"][0]["lines"][0]["style"]),
]


def json_types(prop: dict) -> set[str]:
    if "anyOf" in prop:
        return set().union(*(json_types(p) for p in prop["anyOf"]))
    if "const" in prop:
        return {JSON_TYPE[type(prop["const"])]}
    if "enum" in prop:
        return {JSON_TYPE[type(v)] for v in prop["enum"]}
    kind = prop.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else {"any"}


def python_types(hint: Any) -> set[str]:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return set().union(*(python_types(arg) for arg in get_args(hint)))
    if hint is Any:
        return {"any"}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"string"}  # every enum of the document model is a str enum
    if hint is Path:
        return {"string"}
    if hint in JSON_TYPE:
        return {JSON_TYPE[hint]}
    if (origin or hint) in (list, tuple):
        return {"array"}
    if (origin or hint) is dict:
        return {"object"}
    return {"object"}  # a nested dataclass (TextStyle): an object of its own, checked by itself


def enum_class(hint: Any) -> type[Enum] | None:
    """The enum a field holds (itself, in an Optional, or as list items)."""
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if get_origin(hint) in (Union, types.UnionType, list):
        return next((e for arg in get_args(hint) if (e := enum_class(arg)) is not None), None)
    return None


def schema_enum(prop: dict) -> set | None:
    for part in (prop, *prop.get("anyOf", []), prop.get("items", {})):
        if "enum" in part:
            return set(part["enum"])
    return None


def compatible(field_types: set[str], schema_types: set[str]) -> bool:
    if "any" in field_types or "any" in schema_types:
        return True
    return all(t in schema_types or (t == "integer" and "number" in schema_types) for t in field_types)


def serialised_fields(cls) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls) if f.name not in NOT_IN_JSON[cls]}


@pytest.mark.parametrize("cls, name, pick", OBJECTS, ids=[c.__name__ for c, _, _ in OBJECTS])
def test_every_field_in_json_has_a_property_of_its_type_and_every_property_a_field(cls, name, pick):
    schema = schema_of(name)
    written = pick(full_document().to_json())
    properties = set(schema["properties"])
    # NOT_IN_JSON stays honest: what to_json writes is the fields less those, plus what it derives.
    assert set(written) == set(serialised_fields(cls)) | DERIVED.get(cls, set())
    assert properties == set(written), f"{name}: schema {sorted(properties ^ set(written))} differ"
    assert set(schema.get("required", [])) <= properties
    for field_name, hint in serialised_fields(cls).items():
        prop = schema["properties"][field_name]
        assert compatible(python_types(hint), json_types(prop)), f"{name}.{field_name}: {hint} vs {prop}"
        if (enum := enum_class(hint)) is not None:
            assert schema_enum(prop) == {member.value for member in enum}, f"{name}.{field_name}: enum differs"


def test_the_reading_is_in_the_region_stats_after_the_recognisers_own():
    stats = schema_of("stats")
    assert set(stats["properties"]) >= {f.name for f in fields(Reading)}
    for f in fields(Reading):
        hint = get_type_hints(Reading)[f.name]
        assert compatible(python_types(hint) - {"null"}, json_types(stats["properties"][f.name]))
        if (enum := enum_class(hint)) is not None:
            assert schema_enum(stats["properties"][f.name]) == {member.value for member in enum}
    region = full_document().pages[0].regions[0]
    written = region.to_json()["stats"]
    assert list(written) == [*region.stats, "reader", "script", "formula"]
    assert written["formula"] == "latex-from-glyphs" and type(written["formula"]) is str
    back = load_document(json.loads(render_json(full_document()))).pages[0].regions[0]
    assert back.stats == region.stats and back.reading == region.reading
    assert back.reading.formula is FormulaSource.LATEX_FROM_GLYPHS and back.label is Label.DISPLAY_FORMULA
    assert load_document(json.loads(render_json(full_document()))).pages[0].source is PageSource.PDF


def test_the_schemas_enums_are_the_document_models():
    page, region = schema_of("page"), schema_of("region")
    assert region["properties"]["label"]["enum"] == [label.value for label in Label]  # in checkpoint id order
    assert schema_enum(region["properties"]["kind"]) == {kind.value for kind in Kind}
    assert schema_enum(region["properties"]["text_source"]) == {source.value for source in TextSource}
    assert schema_enum(region["properties"]["task"]) == {task.value for task in Task}
    assert schema_enum(region["properties"]["flags"]) == schema_enum(page["properties"]["flags"]) == set(Flag)
    assert page["properties"]["source"]["enum"] == [source.value for source in PageSource]


def test_json_has_plain_strings_and_validates():
    data = full_document().to_json()
    region = data["pages"][0]["regions"][0]
    page = data["pages"][0]
    written = [region["label"], region["text_source"], region["kind"], *region["flags"], *page["flags"], page["source"]]
    for value in written:
        assert type(value) is str  # the values, not the enum members
    validate_document(json.loads(render_json(full_document())))


def test_a_real_conversion_validates():
    from glmocr_cli.api import convert_document
    from glmocr_cli.config import Settings

    doc = convert_document(ROOT / "samples" / "report.pdf", Settings(engine="lite"))
    data = json.loads(render_json(doc))
    validate_document(data)
    regions = [r for p in data["pages"] for r in p["regions"]]
    assert {r["label"] for r in regions} >= {"doc_title", "text"} and any(r["text_source"] for r in regions)
