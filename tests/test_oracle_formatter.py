"""Regions -> Markdown against the SDK's own formatter (glmocr 0.1.5
`postprocess/result_formatter.ResultFormatter.process` with its config.yaml): the model's raw answers
go through the SDK on one side and through our GLM clean-up (`clean_output`) and Markdown writer on
the other. Equal on every case, except the divergences listed in DIVERGENT with the reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.refine import refine_document
from glmocr_cli.document import DEFAULT_LABEL_TASKS, DocResult, PageResult, Region, Task
from glmocr_cli.labels import PageSource
from glmocr_cli.recognize.glm.recognizer import clean_output
from glmocr_cli.recognize.glm.repetition import cut_repetition
from helpers.sdk_oracle import sdk_config, sdk_or_skip

pytestmark = pytest.mark.slow  # the reference SDK, vLLM's math or transformers' processor as oracles

EQUAL = {
    "headings": [
        ("doc_title", "# My Title"),
        ("paragraph_title", "- 1 Intro"),
        ("paragraph_title", "## 2 Methods"),
        ("text", "Hello world."),
    ],
    "formula_then_number": [("display_formula", "$$x^2$$"), ("formula_number", "(1)")],
    "number_then_formula": [("formula_number", "(2)"), ("display_formula", "\\[ y = 1 \\]")],
    "number_alone": [("text", "Intro"), ("formula_number", "(3)"), ("text", "after")],
    "two_formulas_one_number": [("display_formula", "a"), ("formula_number", "（4）"), ("display_formula", "b")],
    "hyphenated": [("text", "this is an exam-"), ("text", "ple of text")],
    "hyphen_kept": [("text", "Well-"), ("text", "Known")],
    "dot_leaders": [("text", "Contents.........5"), ("text", "Name ______ here")],
    "inline_math": [("text", "where $ x $is and$y$ hold")],
    "table": [("table", "<table><tr><td>1</td><td>2</td></tr></table>")],
    "empty_region": [("text", ""), ("text", "kept")],
    "furniture": [("header", "Running head"), ("text", "body"), ("footer", "page 3"), ("number", "3")],
    "bullets": [("text", "• first"), ("text", "· second")],
    "repetition_loop": [("text", "Intro text. " + "The loop goes on. " * 130)],
    "long_without_loop": [("text", " ".join(f"word{i}" for i in range(600)))],
    "short_loop_kept": [("text", "ab cd ef gh " * 20)],
    "tab_marks": [("text", "\\t\\tindented\\t")],
    "bullet_between_bullets": [("text", "- a"), ("text", "b"), ("text", "- c"), ("text", "d")],
}

# name: (regions, why ours differs)
DIVERGENT = {
    "line_breaks": (
        [("text", "line one\nline two\n\npara")],
        "a single newline inside a text region stays a soft line break; the SDK makes every line its own paragraph",
    ),
    "list_numbers": (
        [("text", "(1)first"), ("text", "2.5 million people")],
        "the SDK inserts a space after a leading number or letter and its '.' or ')', which also "
        "breaks decimals and abbreviations ('2. 5 million', 'e. g.'); we leave the text as read",
    ),
    "code_fence": (
        [("text", "```python\nprint(1)")],
        "we remove the model's code fences from text regions; the SDK closes an unclosed one",
    ),
    "hash_text": (
        [("text", "# not a heading")],
        "a text region starting with '# ' is escaped so that it does not become a heading",
    ),
}


@pytest.fixture(scope="module")
def formatter():
    sdk_or_skip()
    from glmocr.config import ResultFormatterConfig
    from glmocr.postprocess.result_formatter import ResultFormatter

    return ResultFormatter(ResultFormatterConfig(**sdk_config()["result_formatter"]))


def boxes(i: int) -> tuple[int, int, int, int]:
    return 100, 100 + 50 * i, 900, 140 + 50 * i  # one column, same left edge, 1000x1000 page


def sdk_markdown(formatter, items) -> str:
    """As the SDK's pipeline hands regions to its formatter: abandoned labels already gone."""
    regions = [
        {
            "index": i,
            "label": label,
            "content": text,
            "bbox_2d": list(boxes(i)),
            "task_type": DEFAULT_LABEL_TASKS[label].value,
        }
        for i, (label, text) in enumerate(items)
        if DEFAULT_LABEL_TASKS[label] is not Task.ABANDON
    ]
    return formatter.process([regions])[1]


def our_markdown(items) -> str:
    regions = []
    for i, (label, text) in enumerate(items):
        task = DEFAULT_LABEL_TASKS[label]
        content = clean_output(task, text)[0] if task in (Task.TEXT, Task.TABLE, Task.FORMULA) else text
        regions.append(
            Region(
                index=i, order=i, label=label, native_label=label, task=task, bbox=boxes(i), score=0.9, content=content
            )
        )
    page = PageResult(
        index=0, width=1000, height=1000, source=PageSource.IMAGE, dpi=None, size_pt=None, rotation=0, regions=regions
    )
    doc = DocResult(source=Path("x.png"), relative_path=Path("x.png"), sha256="", pages=[page], engine={}, options={})
    return render_markdown(refine_document(doc)).rstrip("\n")  # as the GLM engine's documents are finished


@pytest.mark.parametrize("name", sorted(EQUAL))
def test_markdown_equals_sdk(formatter, name):
    assert our_markdown(EQUAL[name]) == sdk_markdown(formatter, EQUAL[name])


@pytest.mark.parametrize("name", sorted(DIVERGENT))
def test_documented_divergences_still_diverge(formatter, name):
    """Each listed divergence is real (an SDK change or a fix of ours must update the list)."""
    items, why = DIVERGENT[name]
    assert why and our_markdown(items) != sdk_markdown(formatter, items)


def repetition_cases() -> list[str]:
    rng = np.random.default_rng(11)
    indented = "\n".join(" " * int(rng.integers(0, 6)) + "the same table row again" for _ in range(120))
    return [
        "Intro. " + "The loop goes on and on. " * 120,  # a consecutive loop
        "Header line\n" + indented + "\nlast line",  # one line dominating
        "Header\n\n" + "\n".join(f"row {i}: value" for i in range(300)),  # long, no loop
        "ab cd ef gh " * 20,  # a loop, but short
        "x" * 3000,  # one character
        "\n".join(["alpha beta gamma"] * 8 + [f"line {i} of something" for i in range(200)]),
        "",
    ]


def test_repetition_cut_equals_sdk(formatter):
    """cut_repetition against the SDK's clean_repeated_content, gated at 2,048 characters as its
    formatter gates it."""
    from glmocr.utils.result_postprocess_utils import clean_repeated_content

    cut = 0
    for text in repetition_cases():
        expected = clean_repeated_content(text) if len(text) >= 2048 else text
        assert cut_repetition(text) == expected, text[:60]
        cut += expected != text
    assert cut >= 3  # the consecutive loop, the dominating line, the one-character run
