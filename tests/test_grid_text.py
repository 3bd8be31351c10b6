"""Borderless tables boxed as text by the layout model: found by their grid, with the header row
that was boxed on its own (layout/grid_text.py)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from helpers.cli import run_cli
from glmocr_cli.document import LayoutRegion, Task, TextLine
from glmocr_cli.layout.grid_text import pieces_of, promote_grid_text

REPORT = """
<h2>2.1 Laboratory procedure</h2>
<p>Each sample was filtered, split into two aliquots and measured twice; the mean of the two
readings is reported for every station in the network below.</p>
<table><tr><th>Station</th><th>Oxygen</th><th>Nitrate</th><th>Turbidity</th></tr>
<tr><td>North Weir</td><td>8.1</td><td>2.4</td><td>3.9</td></tr>
<tr><td>Mill Creek</td><td>7.4</td><td>5.8</td><td>6.2</td></tr>
<tr><td>Lake Outflow</td><td>9.0</td><td>1.1</td><td>2.0</td></tr></table>
<p>The next report is due in January. Questions may be sent to the monitoring office.</p>
"""


def story_pdf(path: Path, html: str) -> Path:
    """A born-digital page laid out by PyMuPDF's HTML engine: a table there has no rulings."""
    writer = pymupdf.DocumentWriter(str(path))
    story, more = pymupdf.Story(html=html), 1
    while more:
        device = writer.begin_page(pymupdf.paper_rect("a4"))
        more, _ = story.place(pymupdf.paper_rect("a4") + (72, 72, -72, -72))
        story.draw(device)
        writer.end_page()
    writer.close()
    return path


def words(rows: list[list[tuple[float, str]]], top: float = 100.0, height: float = 20.0) -> list[TextLine]:
    """Word boxes: each (x, text) at its row, 10 px per character."""
    return [
        TextLine((x, top + r * 1.5 * height, x + 10 * len(t), top + r * 1.5 * height + height), t, 1.0)
        for r, row in enumerate(rows)
        for x, t in row
    ]


def test_words_join_into_cells_across_word_gaps_only():
    cells = pieces_of(words([[(0, "North"), (56, "Weir"), (200, "8.1"), (300, "2.4")]]))
    assert [p.text for p in cells] == ["North Weir", "8.1", "2.4"]


def test_a_text_region_in_a_grid_becomes_a_table_with_its_header_boxed_apart():
    header = words([[(0, "Station"), (200, "Oxygen"), (300, "Nitrate"), (400, "Turbidity")]], top=70)
    body = words(
        [
            [(0, "North"), (56, "Weir"), (200, "8.1"), (300, "2.4"), (400, "3.9")],
            [(0, "Mill"), (46, "Creek"), (200, "7.4"), (300, "5.8"), (400, "6.2")],
            [(0, "Lake"), (46, "Outflow"), (200, "9.0"), (300, "1.1"), (400, "2.0")],
        ]
    )
    found = [
        LayoutRegion((0, 70, 490, 90), "paragraph_title", "title", 0.8),
        LayoutRegion((0, 100, 430, 180), "text", "text", 0.9),
    ]
    tasks, members = [Task.TEXT, Task.TEXT], [header, body]
    promote_grid_text(found, tasks, members)
    assert [r.label for r in found] == ["table"] and tasks == [Task.TABLE]
    assert found[0].bbox == (0, 70, 490, 180) and len(members[0]) == len(header) + len(body)


def test_paragraphs_and_two_column_pairs_stay_text():
    paragraph = words(
        [
            [(0, "The"), (40, "samples"), (120, "were"), (170, "filtered"), (260, "and")],
            [(0, "split"), (60, "into"), (110, "two"), (150, "aliquots"), (240, "before")],
            [(0, "each"), (50, "was"), (90, "measured"), (180, "twice.")],
        ]
    )
    pairs = words([[(0, "Name:"), (200, "Ada")], [(0, "Phone:"), (200, "555-0100")], [(0, "City:"), (200, "Paris")]])
    for lines in (paragraph, pairs):
        found, tasks, members = [LayoutRegion((0, 100, 500, 180), "text", "text", 0.9)], [Task.TEXT], [lines]
        promote_grid_text(found, tasks, members)
        assert found[0].label == "text" and tasks == [Task.TEXT]


@pytest.mark.slow
def test_cli_writes_a_borderless_table_as_html_and_keeps_the_paragraphs(tmp_path: Path):
    pdf = story_pdf(tmp_path / "report.pdf", REPORT)
    assert not pymupdf.open(pdf)[0].get_drawings()  # no rulings: only alignment tells
    result = run_cli("convert", str(pdf), "-o", str(tmp_path / "out"), "--engine", "lite", "--quiet")
    assert result.returncode == 0, result.stderr
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert md.count("<table>") == 1 and "<td>Station</td><td>Oxygen</td>" in md
    assert "<td>Lake Outflow</td><td>9.0</td><td>1.1</td><td>2.0</td>" in md
    assert "#" not in md.split("<table>")[0].split("\n")[-2]  # the header row is no heading
    assert "Each sample was filtered" in md.split("<table>")[0] and "The next report is due" in md.split("</table>")[1]


def test_a_header_that_ocr_read_as_one_line_still_heads_its_grid():
    header = [TextLine((0, 70, 430, 90), "Station Oxygen Nitrate Turbidity", 0.9)]
    body = words(
        [
            [(0, "Weir"), (200, "8.1"), (300, "2.4"), (400, "3.9")],
            [(0, "Creek"), (200, "7.4"), (300, "5.8"), (400, "6.2")],
            [(0, "Lake"), (200, "9.0"), (300, "1.1"), (400, "2.0")],
        ]
    )
    found, tasks, members = [LayoutRegion((0, 70, 430, 180), "text", "text", 0.9)], [Task.TEXT], [header + body]
    promote_grid_text(found, tasks, members)
    assert found[0].label == "table" and tasks == [Task.TABLE]
    # ... but a line of text below a grid is no table row: the region stays text.
    footer = [TextLine((0, 190, 430, 210), "Values are the means of two readings per station", 0.9)]
    found, tasks, members = [LayoutRegion((0, 100, 430, 210), "text", "text", 0.9)], [Task.TEXT], [body + footer]
    promote_grid_text(found, tasks, members)
    assert found[0].label == "text"
