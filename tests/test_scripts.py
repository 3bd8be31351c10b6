"""Scripts PP-OCRv6 cannot read go to Tesseract; right-to-left text; honest flags when data is missing.

Pages are rendered here from known text with Debian's Noto fonts (bench/script_pages.py) and read
for real. Without tesserocr, Tesseract or a language pack the tests that need them skip, naming the
package.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import script_pages as sp  # noqa: E402

from glmocr_cli import ocr_languages  # noqa: E402

pytestmark = pytest.mark.slow  # Tesseract on generated pages

TESSERACT_READS = ["arabic", "korean", "russian", "greek", "hebrew", "hindi"]


def _need_fonts(*names: str) -> None:
    missing = sp.fonts_missing(names or sp.SAMPLES)
    if missing:
        pytest.skip(f"needs {' '.join(missing)} (apt-get install)")


def _need_tesseract(*languages: str) -> None:
    missing = ocr_languages.binding_missing()
    if missing:
        pytest.skip(f"Tesseract not available: {missing}")
    absent = [lang for lang in languages if lang not in ocr_languages.installed_languages()]
    if absent:
        pytest.skip(f"needs apt-get install {' '.join(ocr_languages.debian_package(a) for a in absent)}")


@pytest.fixture(scope="module")
def pp_ocr():
    from glmocr_cli.recognize.lite_ocr import LiteOcr

    return LiteOcr()


def _route(pp_ocr, image, router=None):
    from glmocr_cli.recognize.scripts.script_route import ScriptRouter

    router = router or ScriptRouter()
    ocr = pp_ocr.read_page(image, detect_orientation=False)
    return router, router.route(image, ocr.lines, ocr.detected_boxes)


def _ned(a: str, b: str) -> float:
    a, b = " ".join(a.split()), " ".join(b.split())
    return Levenshtein.distance(a, b) / max(len(a), len(b), 1)


@pytest.mark.parametrize("name", TESSERACT_READS)
def test_tesseract_reads_scripts_ppocr_cannot(pp_ocr, name):
    _need_fonts(name)
    page = sp.render_page(name, dpi=200)
    _need_tesseract(page.tesseract_lang)
    _, reading = _route(pp_ocr, page.image)
    assert reading.language == page.tesseract_lang and reading.script == page.script
    lines = sorted(reading.lines, key=lambda ln: ln.bbox[1])
    assert _ned("\n".join(ln.text for ln in lines), page.text) <= 0.05
    assert min(ln.score for ln in lines) > 0.6  # Tesseract's confidence on PP-OCR's 0-1 scale


@pytest.mark.parametrize("name", ["japanese", None])
def test_latin_and_cjk_pages_never_reach_tesseract(pp_ocr, name):
    from PIL import Image, ImageDraw, ImageFont

    if name:
        _need_fonts(name)
        image = sp.render_page(name).image
    else:
        image = Image.new("RGB", (1400, 400), "white")
        font = (
            ImageFont.truetype(str(sp.NOTO / sp.CORE_FONTS["latin"]), 34)
            if not sp.fonts_missing(["russian"])
            else ImageFont.load_default(34)
        )
        for k, text in enumerate(
            [
                "The quick brown fox jumps over the lazy dog.",
                "Reading order matters for every converter.",
                "Invoice 2024-042 total 118.50",
            ]
        ):
            ImageDraw.Draw(image).text((80, 80 + 80 * k), text, font=font, fill="black")
    router, reading = _route(pp_ocr, image)
    assert reading.language is None and not reading.unsupported
    assert router._reader is None  # Tesseract was not even started


def test_rtl_rows_read_right_to_left_and_table_cells_in_logical_order():
    from glmocr_cli.document import TextLine
    from glmocr_cli.recognize.scripts.bidi import read_lines, rtl_table
    from glmocr_cli.recognize.text_lines import lines_to_paragraph

    # one row in two pieces (a wide gap between words), then a second row
    lines = [
        TextLine((100, 10, 300, 40), "الثاني", 0.9),
        TextLine((500, 10, 800, 40), "الأول", 0.9),
        TextLine((300, 60, 800, 90), "السطر التالي", 0.9),
    ]
    assert read_lines(lines, lines_to_paragraph) == "الأول الثاني السطر التالي"
    latin = [TextLine((500, 10, 800, 40), "second", 0.9), TextLine((100, 10, 300, 40), "first", 0.9)]
    assert read_lines(latin, lines_to_paragraph) == "first second"

    table = (
        "<table><tr><td>القيمة</td><td>الاسم</td></tr>"
        '<tr><td rowspan="2">١٠</td><td>أحمد</td></tr><tr><td>سارة</td></tr></table>'
    )
    flipped = rtl_table(table, [])
    assert flipped.startswith('<table dir="rtl">')
    assert "<tr><td>الاسم</td><td>القيمة</td></tr>" in flipped
    assert '<tr><td>أحمد</td><td rowspan="2">١٠</td></tr>' in flipped
    assert (
        rtl_table("<table><tr><td>a</td><td>b</td></tr></table>", []) == "<table><tr><td>a</td><td>b</td></tr></table>"
    )


def _doc(regions):
    from glmocr_cli.document import DocResult, PageResult
    from glmocr_cli.labels import PageSource

    page = PageResult(
        index=0, width=100, height=100, source=PageSource.IMAGE, dpi=None, size_pt=None, rotation=0, regions=regions
    )
    return DocResult(Path("x.png"), Path("x.png"), "0", [page], {"name": "lite"}, {})


def _region(k, content, task=None, reader=None, label="text"):
    from glmocr_cli.document import Region, Task

    region = Region(
        index=k,
        order=k,
        label=label,
        native_label=label,
        task=task or Task.TEXT,
        bbox=(0, k, 10, k + 1),
        score=1.0,
        content=content,
    )
    if reader:
        region.reading.reader = reader
    return region


def test_html_lang_dir_and_lists():
    from glmocr_cli.assemble.html import render_html
    from glmocr_cli.document import Task
    from glmocr_cli.refine.lists import lists_from_text

    arabic = render_html(
        _doc(
            [
                _region(0, "يولد جميع الناس أحرارا", reader="tesseract:ara"),
                _region(
                    1, "<table><tr><td>الاسم</td></tr></table>".replace("<table>", '<table dir="rtl">'), Task.TABLE
                ),
                _region(2, "Python and R", reader=None),
            ]
        )
    )
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<p dir="rtl">يولد جميع الناس أحرارا</p>' in arabic
    assert '<table dir="rtl">' in arabic
    assert '<p lang="und-Latn">Python and R</p>' in arabic

    listed = _doc(
        [
            _region(0, "• first point\n• second point"),
            _region(1, "1. one\n2. two\n3. three"),
            _region(2, "A plain paragraph."),
        ]
    )
    lists_from_text(listed)  # refine/ decides what is a list; the writer shows it
    lists = render_html(listed)
    assert '<html lang="und-Latn" dir="ltr">' in lists
    assert "<ul><li>first point</li><li>second point</li></ul>" in lists
    assert "<ol><li>one</li><li>two</li><li>three</li></ol>" in lists
    assert "<p>A plain paragraph.</p>" in lists


def test_visual_order_lam_alef_repaired_from_glyph_widths(shared_data):
    import pymupdf

    from glmocr_cli.sources.lam_alef import repair_visual_lam_alef

    page = pymupdf.open(shared_data / "pdf" / "right_to_left_01.pdf")[0]
    words = page.get_text("words", sort=False)
    fixed = [w[4] for w in repair_visual_lam_alef(page, words)]
    assert "اإلنتاجية" in {w[4] for w in words}  # the layer's own text is broken
    assert "اإلنتاجية" not in fixed and "الإنتاجية" in fixed
    assert "خلال" in fixed and "المشكلات" in fixed and "الآلي" in fixed
    # the article's real alef-lam (the alef has its own width) is left alone
    assert fixed.count("البرمجة") == [w[4] for w in words].count("البرمجة") > 0


def test_lam_alef_repair_leaves_a_plain_arabic_layer_alone(tmp_path):
    import pymupdf

    from glmocr_cli.sources.lam_alef import repair_visual_lam_alef

    _need_fonts("arabic")
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "الكتاب الجديد", fontfile=str(sp.font_path("arabic")), fontname="ar")
    words = page.get_text("words", sort=False)
    assert [w[4] for w in repair_visual_lam_alef(page, words)] == [w[4] for w in words]


def test_garbled_text_layer_detected_and_a_good_one_trusted(shared_data):
    import pymupdf

    from glmocr_cli.recognize.scripts.layer_check import text_layer_garbled
    from glmocr_cli.recognize.scripts.script_route import ScriptRouter
    from glmocr_cli.sources.documents import open_source

    _need_tesseract("ara")
    router = ScriptRouter()
    verdict = {}
    for name in ("right_to_left_01", "right_to_left_02"):
        source = open_source(shared_data / "pdf" / f"{name}.pdf", dpi=200)
        verdict[name] = text_layer_garbled(source.render(0, 10**9), router)
    assert verdict == {"right_to_left_01": False, "right_to_left_02": True}


def test_ocr_lang_is_checked_and_languages_are_listed(cli, tmp_path):
    _need_tesseract()
    bad = cli(
        "convert", "samples", "-o", str(tmp_path), "--ocr-lang", "xyz"
    )  # an input that exists: the option is what is wrong
    assert bad.returncode == 2 and "apt-get install tesseract-ocr-xyz" in bad.stderr
    shown = cli("config", "show")
    assert shown.returncode == 0
    line = next(ln for ln in shown.stdout.splitlines() if ln.startswith("ocr languages:"))
    for lang in ocr_languages.installed_languages():
        assert lang in line
    assert "ocr languages:" in cli("models", "list").stdout


def _tessdata_with(tmp_path: Path, languages: list[str]) -> Path:
    folder = tmp_path / "tessdata"
    folder.mkdir()
    source = ocr_languages.tessdata_dir()
    for lang in languages:
        (folder / f"{lang}.traineddata").symlink_to(source / f"{lang}.traineddata")
    return folder


def test_script_without_installed_data_is_flagged_with_the_package(cli, tmp_path):
    """A Korean scan on a machine with only English and OSD data: flagged, the package named."""
    _need_fonts("korean")
    _need_tesseract("eng", "kor")
    page = sp.render_page("korean", lines=sp.SAMPLES["korean"][3][:3])
    src = tmp_path / "in"
    src.mkdir()
    page.image.save(src / "korean.png")
    env = {"TESSDATA_PREFIX": str(_tessdata_with(tmp_path, ["eng", "osd"]))}
    result = cli("convert", str(src), "-o", str(tmp_path / "out"), "--workers", "1", "--engine", "lite", env=env)
    assert result.returncode == 0, result.stderr
    assert "apt-get install tesseract-ocr-kor" in result.stderr
    data = json.loads((tmp_path / "out" / "korean.json").read_text())
    assert "unsupported-script" in data["pages"][0]["flags"]

    forced = cli(
        "convert", str(src), "-o", str(tmp_path / "out2"), "--workers", "1", "--engine", "lite", "--ocr-lang", "kor"
    )
    assert forced.returncode == 0, forced.stderr
    text = (tmp_path / "out2" / "korean.md").read_text()
    assert _ned(text, "\n".join(page.lines)) <= 0.05
    html = (tmp_path / "out2" / "korean.html").read_text()
    assert '<html lang="ko" dir="ltr">' in html


def test_converter_says_what_it_needs_without_tesseract(cli, tmp_path):
    _need_fonts("hebrew")
    page = sp.render_page("hebrew", lines=sp.SAMPLES["hebrew"][3][:2])
    src = tmp_path / "in"
    src.mkdir()
    page.image.save(src / "hebrew.png")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli(
        "convert",
        str(src),
        "-o",
        str(tmp_path / "out"),
        "--workers",
        "1",
        "--engine",
        "lite",
        env={"TESSDATA_PREFIX": str(empty)},
    )
    assert result.returncode == 0, result.stderr
    assert "Tesseract is not installed" in result.stderr and "apt-get install" in result.stderr
    data = json.loads((tmp_path / "out" / "hebrew.json").read_text())
    assert {"unsupported-script", "unreadable-text"} & set(data["pages"][0]["flags"])


def test_page_the_direction_classifier_turned_is_read_upright(tmp_path):
    """PP-OCR's direction classifier knows Latin and Chinese: it turns an upright Hebrew page over.
    The engine keeps the way up that Tesseract reads confidently."""
    from glmocr_cli.config import Settings
    from glmocr_cli.document import PageImage
    from glmocr_cli.engines.lite import LiteEngine
    from glmocr_cli.labels import PageSource

    _need_fonts("hebrew")
    _need_tesseract("heb")
    page = sp.render_page("hebrew", lines=sp.SAMPLES["hebrew"][3][:2])
    engine = LiteEngine(Settings(engine="lite", text_layer="off"))
    result = engine.process_page(PageImage(tmp_path / "hebrew.png", 0, page.image, PageSource.IMAGE))
    assert result.rotation == 0
    text = " ".join(r.content for r in result.ordered_regions())
    assert _ned(text, " ".join(page.lines)) <= 0.05
    assert "unsupported-script" not in result.flags
