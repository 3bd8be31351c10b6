"""Forms: a label and its value come out together, however the layout boxes cut the page. Pages are
drawn with Pillow and read by the real PP-OCR models; the layout boxes are given, as the layout
model draws them on scanned forms (one box down the labels, one down the values)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from glmocr_cli.config import Settings
from glmocr_cli.document import LayoutRegion, PageImage, Task, TextLine
from glmocr_cli.engines.lite import LiteEngine
from glmocr_cli.geometry import bbox_union
from glmocr_cli.labels import PageSource

LABELS = ["Name:", "Date:", "Country:", "Product:"]
VALUES = ["Marvin Kastenbaum", "March 27, 1984", "Belgium", "Lucky Strike Filter"]
LEFT = [
    "Alpha river stones gather moss slowly",
    "beside the quiet mill where farmers",
    "bring their grain every autumn morning",
    "and the wheel turns without rest",
]
RIGHT = [
    "Zebra crossings painted bright yellow",
    "guide children across busy streets",
    "while drivers wait with patience",
    "for the lights to change again",
]


@pytest.fixture(scope="module")
def engine():
    return LiteEngine(Settings(text_layer="off"), threads=2)


def draw_columns(path: Path, columns: list[tuple[int, list[str]]], size=(1100, 360), fontsize=26) -> PageImage:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=fontsize)
    for x, lines in columns:
        for i, text in enumerate(lines):
            draw.text((x, 40 + i * int(fontsize * 2.2)), text, fill="black", font=font)
    img.save(path)
    return PageImage(path, 0, Image.open(path).convert("RGB"), PageSource.IMAGE)


def boxes_around(lines: list[TextLine], groups: list[list[str]]) -> list[LayoutRegion]:
    """One layout box per group of texts, around the OCR lines that read as them."""
    found = []
    for texts in groups:
        firsts = {t.split()[0].lower() for t in texts}
        members = [ln for ln in lines if ln.text.split()[0].lower() in firsts]
        x0, y0, x1, y1 = bbox_union([ln.bbox for ln in members])
        found.append(LayoutRegion((x0 - 6, y0 - 6, x1 + 6, y1 + 6), "text", "text", 0.9))
    return found


def page_text(engine: LiteEngine, page: PageImage, groups: list[list[str]]) -> str:
    lines = engine.ocr.read_page(page.image, detect_orientation=False).lines
    regions = engine._build_regions(page, page.image, boxes_around(lines, groups), lines, False, {})
    engine._order(regions, *page.image.size)
    return re.sub(r"\s+", " ", " ".join(r.content for r in sorted(regions, key=lambda r: r.order)))


def test_labels_in_one_box_and_values_in_another_read_as_pairs(tmp_path: Path, engine):
    page = draw_columns(tmp_path / "form.png", [(40, LABELS), (330, VALUES)])
    text = page_text(engine, page, [LABELS, VALUES])
    for label, value in zip(LABELS, VALUES):
        assert f"{label} {value}" in text, text


def test_a_value_under_its_label_beside_another_pair_follows_its_label(tmp_path: Path, engine):
    # Left: "Date:" with its value under it; right, level with both: a label and its value.
    page = draw_columns(tmp_path / "under.png", [(40, ["Date:", "March 27, 1984"]), (330, ["Country:", "Belgium"])])
    text = page_text(engine, page, [["Date:", "March 27, 1984"], ["Country:", "Belgium"]])
    assert text.index("Date:") < text.index("March 27") and text.index("Country:") < text.index("Belgium"), text


def test_two_columns_of_prose_are_still_read_column_by_column(tmp_path: Path, engine):
    page = draw_columns(tmp_path / "prose.png", [(40, LEFT), (580, RIGHT)], size=(1200, 360), fontsize=24)
    text = page_text(engine, page, [LEFT, RIGHT])
    assert text.index("Alpha") < text.index("the wheel turns") < text.index("Zebra") < text.index("lights to change"), (
        text
    )


def test_rows_under_a_side_heading_stay_one_per_line():
    """An OCR region read row by row (label: value) that opens with a side heading keeps its rows
    once the heading is split off (refine/headings.py), instead of running into one paragraph."""
    from pathlib import Path as _Path

    from glmocr_cli.document import DocResult, PageResult, Region, Task
    from glmocr_cli.refine.headings import find_headings

    rows = [
        ("Completion", 40),
        ("Target Date:", 40),
        ("April 13, 1984", 260),
        ("Country:", 40),
        ("Belgium", 260),
        ("Product:", 40),
        ("Lucky Strike Filter", 260),
    ]
    lines, y = [], 100
    for k, (text, x) in enumerate(rows):
        if k and x == 40:
            y += 30
        lines.append(TextLine((x, y, x + 12 * len(text), y + 18), text, 0.99))
    content = "\n".join(
        ["Completion", "Target Date: April 13, 1984", "Country: Belgium", "Product: Lucky Strike Filter"]
    )
    region = Region(
        index=0,
        order=0,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=bbox_union([ln.bbox for ln in lines])[:2] + (700, 220),
        score=0.9,
        content=content,
        text_source="ocr",
        lines=lines,
    )
    page = PageResult(
        index=0, width=800, height=1000, source=PageSource.IMAGE, dpi=None, size_pt=None, rotation=0, regions=[region]
    )
    doc = DocResult(_Path("f.png"), _Path("f.png"), "0", [page], {}, {})
    find_headings(doc)
    texts = [r.content for r in doc.pages[0].ordered_regions()]
    assert texts[0] == "Completion"
    assert texts[1].splitlines() == ["Target Date: April 13, 1984", "Country: Belgium", "Product: Lucky Strike Filter"]


def _one_box_over(engine: LiteEngine, page: PageImage, label: str):
    """The page read with one layout box of `label` over all its text, as CDLA boxes a scanned form."""
    lines = engine.ocr.read_page(page.image, detect_orientation=False).lines
    x0, y0, x1, y1 = bbox_union([ln.bbox for ln in lines])
    found = [LayoutRegion((x0 - 8, y0 - 8, x1 + 8, y1 + 8), label, label, 0.9)]
    return engine._build_regions(page, page.image, found, lines, False, {})


def test_a_form_boxed_as_a_table_is_read_as_label_value_rows(tmp_path: Path, engine):
    # Each label and its value on one OCR line, a sentence among them: no column structure.
    rows = [f"{label} {value}" for label, value in zip(LABELS, VALUES)]
    page = draw_columns(tmp_path / "form-table.png", [(40, ["Please type or print", *rows])], size=(900, 420))
    regions = _one_box_over(engine, page, "table")
    assert [r.task for r in regions] == [Task.TEXT]
    assert "<table" not in regions[0].content
    for label, value in zip(LABELS, VALUES):
        assert f"{label} {value}" in regions[0].content.splitlines(), regions[0].content


def test_a_table_with_columns_stays_a_table(tmp_path: Path, engine):
    page = draw_columns(
        tmp_path / "grid.png",
        [
            (40, ["Item", "Apples", "Pears", "Plums"]),
            (330, ["Count", "12", "7", "30"]),
            (620, ["Price", "3.20", "4.10", "2.75"]),
        ],
    )
    regions = _one_box_over(engine, page, "table")
    assert [r.task for r in regions] == [Task.TABLE]
    assert "<table" in regions[0].content


def test_a_value_read_with_other_loose_lines_joins_the_label_beside_it(tmp_path: Path, engine):
    # The labels have a layout box; the values, far right of them, have none and are read with a
    # loose line above the labels into one block of rows that starts left of the labels.
    img = Image.new("RGB", (1100, 360), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=26)
    draw.text((30, 140), "Other information for the office:", fill="black", font=font)
    for y, (label, value) in zip((190, 240), [("Date:", "March 27, 1984"), ("Country:", "Belgium")]):
        draw.text((60, y), label, fill="black", font=font)
        draw.text((560, y), value, fill="black", font=font)
    img.save(tmp_path / "loose.png")
    page = PageImage(tmp_path / "loose.png", 0, img, PageSource.IMAGE)
    lines = engine.ocr.read_page(page.image, detect_orientation=False).lines
    x0, y0, x1, y1 = bbox_union([ln.bbox for ln in lines if ln.text in ("Date:", "Country:")])
    found = [LayoutRegion((x0 - 6, y0 - 6, x1 + 6, y1 + 6), "text", "text", 0.9)]
    regions = engine._build_regions(page, page.image, found, lines, False, {})
    rows = [row for r in regions for row in r.content.splitlines()]
    assert "Date: March 27, 1984" in rows and "Country: Belgium" in rows, rows


def _text_region(index: int, lines: list[TextLine]):
    from glmocr_cli.document import Region

    return Region(
        index=index,
        order=index,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=bbox_union([ln.bbox for ln in lines]),
        score=0.9,
        content="\n".join(ln.text for ln in lines),
        text_source="ocr",
        lines=lines,
    )


def _line(text: str, x: float, y: float) -> TextLine:
    return TextLine((x, y, x + 12 * len(text), y + 20), text, 0.99)


def test_pull_row_values_takes_only_a_lone_value_beside_a_label():
    from glmocr_cli.layout.form_rows import pull_row_values
    from glmocr_cli.recognize.text_lines import rows_text

    labels = _text_region(0, [_line("Date:", 60, 200), _line("Country:", 60, 260)])
    # loose lines: a note, the lone value of "Date:", and "Belgium" read after its own (long) label
    loose = [_line("Other information", 20, 150), _line("March 27, 1984", 560, 200)]
    own = [_line("Origin of all the goods sent out today:", 200, 260), _line("Belgium", 700, 260)]
    # a value written over two lines beside "Name:" stays a block
    name = _text_region(2, [_line("Name:", 60, 330)])
    block = [_line("Marvin Kastenbaum", 560, 330), _line("and Partners Ltd", 560, 356)]
    other = _text_region(1, loose + own + block)
    regions = pull_row_values([labels, other, name], rows_text)
    assert regions[0].content.splitlines() == ["Date: March 27, 1984", "Country:"]
    assert "Belgium" in regions[1].content and "Marvin Kastenbaum" in regions[1].content
    assert regions[2].content == "Name:"
