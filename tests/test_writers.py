"""Issue 9, what comes out: same-stem inputs, folder loops, huge pages, format-only reruns, and the
CLI's error types. Real processes, real files."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from helpers.cli import ROOT, SAMPLES, run_cli
from helpers.factories import text_image, text_pdf

FAST = ["--dpi", "100", "--workers", "1", "--engine", "lite"]


@pytest.mark.slow
def test_same_stem_inputs_both_convert_and_a_folder_loop_or_blank_page_is_only_a_warning(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    text_pdf(src / "x.pdf", title="Portable Document")
    text_image(src / "x.jpg", ["Photographed receipt 4711"])
    text_image(src / "sub" / "y.png", ["Alone in its folder"])
    Image.new("RGB", (600, 400), "white").save(src / "sub" / "blank.png")
    os.symlink(src, src / "sub" / "back-to-top")  # loops to an ancestor
    result = run_cli("convert", str(src), "-o", str(out), *FAST, "--format", "md")
    assert result.returncode == 0, result.stderr
    assert "Portable Document" in (out / "x.pdf.md").read_text()
    assert "4711" in (out / "x.jpg.md").read_text()
    assert (out / "sub" / "y.md").is_file() and not (out / "x.md").exists()  # no clash: name unchanged
    loop = [ln for ln in result.stderr.splitlines() if "back-to-top" in ln]
    assert len(loop) == 1 and loop[0].startswith("warning:") and "symlink loop" in loop[0], result.stderr
    assert "failed" not in result.stderr
    # An empty result is never silent.
    assert any(
        ln.startswith("warning:") and "blank.png" in ln and "nothing was recognised" in ln
        for ln in result.stderr.splitlines()
    ), result.stderr


@pytest.mark.slow
def test_huge_page_renders_at_the_dpi_that_fits_and_a_bomb_stays_refused(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    doc = pymupdf.open()
    doc.new_page(width=5000, height=5000).insert_text((200, 600), "Huge poster", fontsize=300)
    doc.save(src / "poster.pdf")
    Image.new("RGB", (3000, 3000), "white").save(src / "bomb.png")  # 9 Mpx, over the limit below
    limit = 4_000_000
    result = run_cli(
        "convert",
        str(src),
        "-o",
        str(out),
        "--dpi",
        "200",
        "--workers",
        "1",
        "--engine",
        "lite",
        "--max-image-pixels",
        str(limit),
        "--format",
        "json",
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 1  # the bomb
    assert any("failed" in ln and "bomb.png" in ln and "pixels" in ln for ln in lines), result.stderr
    page = json.loads((out / "poster.json").read_text())["pages"][0]
    assert 20 <= page["dpi"] < 200 and page["width"] * page["height"] <= limit
    assert abs(page["width"] - 5000 * page["dpi"] / 72) < 1  # rendered at the DPI it records
    assert any(ln.startswith("warning:") and "poster.pdf" in ln and f"{page['dpi']} DPI" in ln for ln in lines)


@pytest.mark.slow
def test_format_change_rebuilds_markdown_and_html_from_the_stored_json(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(SAMPLES / "report.pdf", src / "report.pdf")
    # read by OCR, its formula stays a crop, which the HTML embeds (from its text layer it would be LaTeX)
    flags = ["--dpi", "150", "--workers", "1", "--engine", "lite", "--text-layer", "off"]
    first = run_cli("convert", str(src), "-o", str(out), *flags)
    assert first.returncode == 0, first.stderr
    original = {fmt: (out / f"report.{fmt}").read_bytes() for fmt in ("md", "html")}
    # The rebuilt files are the ones recognition wrote.
    for fmt in ("md", "html"):
        (out / f"report.{fmt}").unlink()
    rebuilt = run_cli("convert", str(src), "-o", str(out), *flags, "--format", "md,json")
    assert rebuilt.returncode == 0 and "rebuilt from the stored JSON" in rebuilt.stderr, rebuilt.stderr
    assert (out / "report.md").read_bytes() == original["md"] and not (out / "report.html").exists()
    # Recognition is not redone: what HTML shows comes from the stored JSON.
    data = json.loads((out / "report.json").read_text())
    region = next(r for p in data["pages"] for r in p["regions"] if r["task"] == "text" and r["content"])
    region["content"] = "Marker written into the stored JSON"
    (out / "report.json").write_text(json.dumps(data))
    # The stamp vouches for each output's content (a hand-changed one is redone): vouch for this one.
    stamp_path = out / ".glmocr" / "report.pdf.stamp.json"
    stamp = json.loads(stamp_path.read_text())
    stamp["output_sha256"]["report.json"] = hashlib.sha256((out / "report.json").read_bytes()).hexdigest()
    stamp_path.write_text(json.dumps(stamp))
    html_run = run_cli("convert", str(src), "-o", str(out), *flags, "--format", "md,json,html")
    assert "rebuilt from the stored JSON" in html_run.stderr, html_run.stderr
    assert "Marker written into the stored JSON" in (out / "report.html").read_text()
    assert "data:image/png;base64," in (out / "report.html").read_text()  # the crop read back from images/
    again = run_cli("convert", str(src), "-o", str(out), *flags, "--format", "md,json,html")
    assert "skipped" in again.stderr and "rebuilt" not in again.stderr


def test_cli_takes_its_error_types_from_the_public_errors_module():
    tree = ast.parse((ROOT / "glmocr_cli" / "cli" / "commands.py").read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [m for m in imported if m.startswith("recognize")], imported  # no engine internals
    from glmocr_cli import config, errors
    from glmocr_cli.recognize.glm import loading
    from glmocr_cli.sources import documents

    assert loading.CheckpointError is errors.CheckpointError
    assert config.ConfigError is errors.ConfigError and documents.SourceError is errors.SourceError


def test_json_loads_back_into_the_document_model_unchanged():
    from glmocr_cli.assemble.html import render_html
    from glmocr_cli.assemble.json_doc import load_document, render_json
    from glmocr_cli.assemble.markdown import render_markdown
    from glmocr_cli.document import DocResult, InlineSpan, PageResult, Reading, Region, Task, TextBlock, TextLine
    from glmocr_cli.labels import FormulaSource, Label, PageSource

    regions = [
        Region(
            0,
            0,
            "doc_title",
            "title",
            Task.TEXT,
            (10, 10, 300, 40),
            0.9,
            "Annual Report",
            bbox_pt=(5, 5, 150, 20),
            confidence=0.95,
            text_source="ocr",
            lines=[TextLine((10, 10, 300, 40), "Annual Report", 0.95)],
            reading=Reading(reader="tesseract:rus"),
        ),
        Region(1, 1, "table", "table", Task.TABLE, (10, 50, 300, 200), 0.8, "<table><tr><td>1</td></tr></table>"),
        Region(
            2,
            2,
            "display_formula",
            "formula",
            Task.FORMULA,
            (10, 210, 300, 240),
            0.7,
            "E = mc^2",
            flags=["low-confidence"],
            stats={"tokens": 7},
            reading=Reading(formula=FormulaSource.LATEX_FROM_GLYPHS),
        ),
        Region(3, 3, "image", "figure", Task.SKIP, (10, 250, 300, 400), 0.6, image_name="doc-page0001_region003.png"),
        Region(4, 4, "footer", "footer", Task.ABANDON, (10, 560, 300, 580), 0.5, "page 1"),
        Region(5, 5, "text", "text", Task.TEXT, (10, 400, 300, 450), 0.9, "Needs: • E = mc2 • fast", kind="list"),
        Region(6, 6, "algorithm", "text", Task.TEXT, (10, 450, 300, 500), 0.9, "x = 1\n  y = *p", kind="code"),
        Region(7, 7, "text", "text", Task.TEXT, (10, 500, 300, 550), 0.9, "A bold word.\n\nNext one."),
    ]
    regions[5].blocks = [
        TextBlock([InlineSpan("Needs:")]),
        TextBlock(
            [InlineSpan("E = mc"), InlineSpan("2", script="sup"), InlineSpan(" "), InlineSpan("mass", italic=True)], "-"
        ),
        TextBlock([InlineSpan("fast", bold=True, italic=True)], "1.", depth=1),
    ]
    regions[6].blocks = [TextBlock([InlineSpan("x = 1\n  y = *p", code=True)])]
    regions[7].blocks = [
        TextBlock([InlineSpan("A "), InlineSpan("bold word", bold=True), InlineSpan(".")]),
        TextBlock([InlineSpan("Next one.")]),
    ]
    page = PageResult(
        0,
        420,
        595,
        PageSource.PDF,
        72,
        (420.0, 595.0),
        0,
        regions,
        flags=["damaged"],
        warnings=["w"],
        timings={"render": 0.1},
    )
    doc = DocResult(Path("/in/doc.pdf"), Path("doc.pdf"), "ab" * 32, [page], {"name": "lite"}, {"dpi": 72})
    stored = json.loads(render_json(doc))
    assert [r["rich"] for r in stored["pages"][0]["regions"][5:]] == [
        "Needs:\n\n- E = mc<sup>2</sup> *mass*\n  1. ***fast***",
        "x = 1\n  y = *p",
        "A **bold word**.\n\nNext one.",
    ]  # the spans as Markdown, as NAME.json has always written them
    back = load_document(stored)
    assert [r.blocks for r in back.pages[0].regions] == [r.blocks for r in regions]
    assert render_json(back) == render_json(doc)
    assert render_markdown(back) == render_markdown(doc) and render_html(back) == render_html(doc)
    assert back.pages[0].regions[2].task is Task.FORMULA and back.pages[0].size_pt == (420.0, 595.0)
    # the reading the writers read (HTML lang, the formula note) comes back out of "stats"
    assert back.pages[0].regions[0].reading.reader == "tesseract:rus" and 'lang="ru"' in render_html(back)
    assert back.pages[0].regions[2].reading.formula is FormulaSource.LATEX_FROM_GLYPHS
    assert back.pages[0].regions[2].stats == {"tokens": 7} and back.pages[0].regions[2].label is Label.DISPLAY_FORMULA
