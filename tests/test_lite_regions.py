"""Nothing on the page is lost, tables wherever they are, columns without layout: the lite engine with
its real bundled models on small generated pages and dev pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from helpers.factories import PARAGRAPH
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.document import DocResult, LayoutRegion, PageImage, Task, TextLine
from glmocr_cli.labels import PageSource
from glmocr_cli.sources.documents import open_source

LEFT = [
    "Alpha river stones gather moss slowly",
    "beside the quiet mill where farmers",
    "bring their grain every autumn morning",
    "and the wheel turns without rest",
    "until the evening bell rings twice",
]
RIGHT = [
    "Zebra crossings painted bright yellow",
    "guide children across busy streets",
    "while drivers wait with patience",
    "for the lights to change again",
    "near the school gates at noon",
]


@pytest.fixture(scope="module")
def engines(lite_engines):
    return lite_engines


def render(path: Path, dpi: int = 150, index: int = 0) -> PageImage:
    return open_source(path, dpi=dpi).render(index, 10**9)


def image_page(path: Path) -> PageImage:
    return PageImage(path, 0, Image.open(path).convert("RGB"), PageSource.IMAGE)


def draw_lines(path: Path, columns: list[tuple[int, list[str]]], size=(1300, 420), fontsize=26) -> Path:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=fontsize)
    for x, lines in columns:
        for i, text in enumerate(lines):
            draw.text((x, 40 + i * int(fontsize * 1.7)), text, fill="black", font=font)
    img.save(path)
    return path


def test_columns_without_layout_regions_are_read_column_by_column(tmp_path: Path, engines):
    engine = engines["off"]
    page = image_page(draw_lines(tmp_path / "columns.png", [(40, LEFT), (680, RIGHT)]))
    lines = engine.ocr.read_page(page.image, detect_orientation=False).lines
    assert len(lines) >= 10
    # The layout model gave nothing: the engine works from the lines alone.
    regions = engine._build_regions(page, page.image, [], lines, False, {})
    engine._order(regions, *page.image.size)
    text = " ".join(r.content for r in sorted(regions, key=lambda r: r.order))
    assert text.index("Alpha") < text.index("until the evening") < text.index("Zebra") < text.index("near the school")


def test_a_line_is_never_cut_by_a_box_that_starts_right_of_it(tmp_path: Path, engines):
    """CDLA's boxes start ~20 px right of the text: the first word (a text-layer word) stays with its line."""
    import pymupdf

    pdf = tmp_path / "heading.pdf"
    doc = pymupdf.open()
    new = doc.new_page(width=420, height=595)
    new.insert_text((40, 60), "The Birth of Word Processing", fontsize=18, fontname="helv")
    new.insert_textbox(pymupdf.Rect(40, 80, 380, 200), PARAGRAPH, fontsize=12, fontname="helv")
    doc.save(pdf)
    engine = engines["auto"]
    page = render(pdf, dpi=150)
    heading_words = [sp for sp in page.text_spans if sp.bbox[3] < 70 * page.px_per_pt]
    assert [sp.text for sp in heading_words] == ["The", "Birth", "of", "Word", "Processing"]
    first = heading_words[0].bbox
    found = [
        LayoutRegion(
            (first[2] + 4, first[1] - 4, heading_words[-1].bbox[2] + 4, first[3] + 4), "paragraph_title", "title", 0.9
        )
    ]  # "The" lies wholly outside the heading's box
    lines = [TextLine(sp.bbox, sp.text, 1.0) for sp in page.text_spans]
    regions = engine._build_regions(page, page.image, found, lines, True, {})
    heading = next(r for r in regions if r.label in ("paragraph_title", "doc_title"))
    assert heading.content == "The Birth of Word Processing"
    assert heading.bbox[0] <= first[0] + 0.5
    assert not any(r.content.strip() == "The" for r in regions)


def test_dev_heading_keeps_its_first_word(shared_data: Path, engines):
    result = engines["auto"].process_page(render(shared_data / "pdf" / "multi_page.pdf", dpi=200))
    contents = [r.content.strip() for r in result.ordered_regions()]
    assert "The Birth of Word Processing (1960s - 1970s)" in contents
    assert "The" not in contents


def test_text_outside_every_box_becomes_its_own_paragraph_in_order(tmp_path: Path, engines):
    engine = engines["off"]
    top, middle, bottom = (
        ["First paragraph about rivers and mills"],
        ["Middle words nobody boxed at all"],
        ["Last paragraph about zebra crossings"],
    )
    page = image_page(draw_lines(tmp_path / "three.png", [(40, top + [""] + middle + [""] + bottom)], size=(900, 360)))
    lines = engine.ocr.read_page(page.image, detect_orientation=False).lines
    by_text = {next(w for w in ("First", "Middle", "Last") if w in ln.text): ln for ln in lines}
    found = [
        LayoutRegion(tuple(v + d for v, d in zip(by_text[w].bbox, (-5, -5, 5, 5))), "text", "text", 0.9)
        for w in ("First", "Last")
    ]
    regions = engine._build_regions(page, page.image, found, lines, False, {})
    engine._order(regions, *page.image.size)
    ordered = [r.content for r in sorted(regions, key=lambda r: r.order)]
    assert len(ordered) == 3 and ordered[1].startswith("Middle") and ordered[2].startswith("Last")


def test_figure_text_is_kept_in_json_and_after_the_image_in_markdown(shared_data: Path, engines):
    pdf = shared_data / "pdf" / "amt_handbook_sample.pdf"
    result = engines["auto"].process_page(render(pdf, dpi=150))
    figures = [r for r in result.regions if r.task is Task.SKIP]
    assert any("Elastic stop nut" in r.content for r in figures), [r.content for r in figures]
    doc = DocResult(pdf, Path(pdf.name), "0", [result], {}, {})
    markdown = render_markdown(doc)
    link = re.search(r"!\[image\]\(images/[^)]+\)\n\n<!-- text in the picture -->\n(> .+\n)+", markdown)
    assert link and "Elastic stop nut" in link.group(0)
    body = [b for b in markdown.split("\n\n") if not b.startswith(("<!--", "!["))]
    assert not any("Elastic stop nut" in b for b in body)  # not passed off as body text


def test_a_drawn_table_image_without_a_layout_box_is_a_table(tmp_path: Path, engines):
    rows = [["Name", "Count", "Ratio"], ["apple", "12", "0.5"], ["pear", "7", "0.25"], ["plum", "30", "0.75"]]
    page = image_page(
        draw_lines(tmp_path / "grid.png", [(40 + 220 * c, [row[c] for row in rows]) for c in range(3)], size=(720, 260))
    )
    engine = engines["off"]
    lines = engine.ocr.read_page(page.image, detect_orientation=False).lines
    regions = engine._build_regions(page, page.image, [], lines, False, {})
    tables = [r for r in regions if r.task is Task.TABLE]
    assert len(tables) == 1 and len(regions) == 1
    assert "<td>plum</td>" in tables[0].content.replace(" ", "") and "Ratio" in tables[0].content


@pytest.mark.slow
def test_dev_table_image_is_converted_as_a_table_by_the_cli(shared_data: Path, tmp_path: Path, cli):
    image = shared_data / "tables" / "PMC3907710_006_00.png"  # no layout box covers its header row
    done = cli("convert", str(image), "-o", str(tmp_path), "--engine", "lite", "--format", "html", "--quiet")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "PMC3907710_006_00.html").read_text()
    tables = re.findall(r"<table>.*?</table>", html, re.S)
    assert len(tables) == 1 and "<td>Number</td>" in tables[0] and "<td>Magnitude</td>" in tables[0]
    assert "<p>" not in html  # nothing of the table is left outside it


def test_a_caption_in_a_formula_box_is_kept_as_text(shared_data: Path, engines):
    result = engines["auto"].process_page(render(shared_data / "pdf" / "code_and_formula.pdf", dpi=150))
    texts = [r.content for r in result.regions if r.task is Task.TEXT]
    assert any("Listing 1: Simple JavaScript Program" in t for t in texts)
