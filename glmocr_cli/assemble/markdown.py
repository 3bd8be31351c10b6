"""Regions -> Markdown, as the reference SDK writes it, in small fix-ups applied in order."""

from __future__ import annotations

import re

from ..document import DocResult, Region, Task
from ..labels import Flag, FormulaSource, Kind, Label
from .html import heading_text, sanitize_table
from .page_flow import regions_to_show
from ..spans import rich_markdown

DOUBT_FLAGS = (Flag.UNSUPPORTED_SCRIPT, Flag.UNREADABLE_TEXT, Flag.LOW_CONFIDENCE)
# A "<" that would open a tag, comment or declaration; the <sup>/<sub> of refine's spans stay.
RAW_HTML = re.compile(r"<(?!/?su[pb]>)(?=[A-Za-z/!?])")


def _no_raw_html(text: str) -> str:
    """Text read from a document is text: a '<script>' or '<!--' in it is shown, never run or hidden
    (the HTML writer escapes it the same way). Our own tables and notes are added outside it."""
    return RAW_HTML.sub("&lt;", text)


# A line that Markdown would take for a heading, list item or quote ('# ', '- ', '2. ', '> ') in text
# refine/ did not make one: its mark escaped, so the paragraph shows as read.
BLOCK_MARK = re.compile(r"^(\s*)(#+|[-*+>])(?=\s|$)", re.M)
NUMBER_MARK = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)", re.M)


def _not_markup(text: str) -> str:
    return NUMBER_MARK.sub(r"\1\\\2", BLOCK_MARK.sub(r"\1\\\2", text))


def _rich(region: Region) -> str:
    """The text as refine/ set it out, in Markdown ("" when refine/ left the content as it is)."""
    return rich_markdown(region.blocks) if region.blocks else ""


def _heading(region: Region) -> str:
    """A heading at the level the refine stage found, else by label; as the SDK's formatter, the model's
    own '#' marks (and a paragraph title's bullet) are dropped."""
    text = _no_raw_html(heading_text(_rich(region) or region.content, region.label))
    if region.kind == Kind.HEADING and region.level:
        return f"{'#' * region.level} {text}"
    return f"# {text}" if region.label == Label.DOC_TITLE else f"## {text}"


# What refine/formulas.py did with a formula, said where a reader of the Markdown source sees it.
FORMULA_NOTES = {
    FormulaSource.LATEX_FROM_GLYPHS: "<!-- formula: LaTeX written from the PDF's glyphs -->\n",
    FormulaSource.IMAGE_CROP: "<!-- formula: kept as an image crop (not read as LaTeX) -->\n",
}


def _formula(region: Region, image_dir: str) -> str:
    tag = region.equation_number
    latex = region.content.strip().strip("$").strip()
    note = FORMULA_NOTES.get(region.reading.formula, "") if region.reading.formula else ""
    if latex:
        if tag and "\\tag{" not in latex:  # refine/ may have read the number from the glyphs already
            latex += " \\tag{" + tag + "}"
        return note + "$$\n" + latex + "\n$$"
    if region.image_name:
        return note + f"![{region.label}]({image_dir}/{region.image_name})"
    return ""


def _code(region: Region) -> str:
    text = _rich(region)
    fence = "````" if "```" in text else "```"
    return f"{fence}\n{text}\n{fence}"


def _text(region: Region) -> str:
    rich = _rich(region)
    if region.kind == Kind.LIST and rich:  # the first item's indent is its nesting (a list continued from above)
        return _no_raw_html(rich.strip("\n").rstrip())
    return _not_markup(_no_raw_html((rich or region.content).strip()))


def _picture_text(region: Region) -> str:
    """Text read inside a picture, quoted right after it and marked, so it never reads as body text."""
    lines = [_no_raw_html(ln.strip()) for ln in region.content.splitlines() if ln.strip()]
    return "<!-- text in the picture -->\n" + "\n".join(f"> {ln}" for ln in lines) if lines else ""


def _block(region: Region, image_dir: str) -> str:
    if (region.kind == Kind.HEADING or region.label in (Label.DOC_TITLE, Label.PARAGRAPH_TITLE)) and region.content:
        return _heading(region)
    if region.kind == Kind.CODE and _rich(region):
        return _code(region)
    if region.task is Task.TABLE:
        return sanitize_table(region.content.strip())  # table tags and spans only
    if region.task is Task.FORMULA:
        return _formula(region, image_dir)
    if region.task is Task.SKIP:
        block = f"![{region.label}]({image_dir}/{region.image_name})" if region.image_name else ""
        return "\n\n".join(filter(None, [block, _picture_text(region)]))
    return _text(region)


def _flagged(block: str, flags: list[Flag]) -> str:
    """Text the recogniser doubts stays in, with a note a reader of the Markdown source can see."""
    return f"<!-- {', '.join(dict.fromkeys(flags))} -->\n{block}" if flags else block


def render_markdown(doc: DocResult, *, image_dir: str = "images", keep_furniture: bool = False) -> str:
    out: list[str] = []
    current = None
    for shown in regions_to_show(doc, keep_furniture):
        block = _block(shown.region, image_dir)
        if not block:
            continue
        if current is not None and shown.page != current:
            out.append(f"<!-- page {shown.page + 1} -->")
        current = shown.page
        out.append(_flagged(block, [f for f in shown.region.flags if f in DOUBT_FLAGS]))
    return "\n\n".join(out).strip() + "\n"
