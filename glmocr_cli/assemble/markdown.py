"""Regions -> Markdown, as the reference SDK writes it, in small fix-ups applied in order."""

from __future__ import annotations

import re

from ..document import DocResult, Region, Task
from ..labels import Flag, FormulaSource, Kind, Label
from ..text_patterns import LINE_BULLET
from .formula_numbers import merge_formula_numbers
from .html import heading_text, sanitize_table
from ..spans import rich_markdown

DOUBT_FLAGS = (Flag.UNSUPPORTED_SCRIPT, Flag.UNREADABLE_TEXT, Flag.LOW_CONFIDENCE)
# A "<" that would open a tag, comment or declaration; the <sup>/<sub> of refine's spans stay.
RAW_HTML = re.compile(r"<(?!/?su[pb]>)(?=[A-Za-z/!?])")


def _no_raw_html(text: str) -> str:
    """Text read from a document is text: a '<script>' or '<!--' in it is shown, never run or hidden
    (the HTML writer escapes it the same way). Our own tables and notes are added outside it."""
    return RAW_HTML.sub("&lt;", text)


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


def _formula(region: Region, image_dir: str, tag: str | None) -> str:
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
    if rich:  # refine/ set it out: list items and inline emphasis
        if region.kind == Kind.LIST:  # the first item's indent is its nesting (a list continued from above)
            return _no_raw_html(rich.strip("\n").rstrip())
        return re.sub(r"^(#+)(\s)", r"\\\1\2", _no_raw_html(rich.strip()))
    lines = [LINE_BULLET.sub("- ", ln) if LINE_BULLET.match(ln) else ln for ln in region.content.splitlines()]
    text = _no_raw_html("\n".join(lines).strip())
    return re.sub(r"^(#+)(\s)", r"\\\1\2", text)


def _picture_text(region: Region) -> str:
    """Text read inside a picture, quoted right after it and marked, so it never reads as body text."""
    lines = [_no_raw_html(ln.strip()) for ln in region.content.splitlines() if ln.strip()]
    return "<!-- text in the picture -->\n" + "\n".join(f"> {ln}" for ln in lines) if lines else ""


def _blocks(doc: DocResult, image_dir: str, keep_furniture: bool) -> list[tuple[int, str, Region, list[Flag]]]:
    blocks = []
    for page in doc.pages:
        regions, tags = merge_formula_numbers(page.ordered_regions())
        for region in regions:
            if region.task is Task.ABANDON and not keep_furniture:
                continue
            if (
                region.kind == Kind.HEADING or region.label in (Label.DOC_TITLE, Label.PARAGRAPH_TITLE)
            ) and region.content:
                block = _heading(region)
            elif region.kind == Kind.CODE and _rich(region):
                block = _code(region)
            elif region.task is Task.TABLE:
                block = sanitize_table(region.content.strip())  # table tags and spans only
            elif region.task is Task.FORMULA:
                block = _formula(region, image_dir, tags.get(id(region)))
            elif region.task is Task.SKIP:
                block = f"![{region.label}]({image_dir}/{region.image_name})" if region.image_name else ""
                block = "\n\n".join(filter(None, [block, _picture_text(region)]))
            else:
                block = _text(region)
            if block:
                flags = [f for f in region.flags if f in DOUBT_FLAGS]
                blocks.append((page.index, block, region, flags))
    return blocks


def _flagged(block: str, flags: list[Flag]) -> str:
    """Text the recogniser doubts stays in, with a note a reader of the Markdown source can see."""
    return f"<!-- {', '.join(dict.fromkeys(flags))} -->\n{block}" if flags else block


def _is_paragraph(region: Region) -> bool:
    return region.task is Task.TEXT and region.label not in (Label.DOC_TITLE, Label.PARAGRAPH_TITLE)


def _join_hyphenated(blocks):
    """A text block ending in 'exam-' continues in the next text block when that starts lowercase."""
    merged = []
    for item in blocks:
        page, block, region, flags = item
        if merged:
            prev_page, prev_block, prev_region, prev_flags = merged[-1]
            if (
                _is_paragraph(prev_region)
                and _is_paragraph(region)
                and prev_block.endswith("-")
                and len(prev_block) > 1
                and prev_block[-2].isalpha()
                and block[:1].islower()
            ):
                merged[-1] = (prev_page, prev_block[:-1] + block, prev_region, prev_flags + flags)
                continue
        merged.append(item)
    return merged


def _bullets_between_bullets(blocks, doc: DocResult):
    """A plain text block between two bullet blocks, left-aligned with both (within 1% of the page
    width), is a list item too (the SDK's _format_bullet_points)."""
    widths = {page.index: page.width for page in doc.pages}
    left = lambda item: int(item[2].bbox[0] / max(1, widths.get(item[0], 1)) * 1000)  # noqa: E731
    plain = lambda item: item[2].label == Label.TEXT  # noqa: E731
    out = list(blocks)
    for i in range(1, len(out) - 1):
        prev, item, nxt = out[i - 1], out[i], out[i + 1]
        if not (plain(prev) and plain(item) and plain(nxt)) or item[1].startswith("- "):
            continue
        if (
            prev[1].startswith("- ")
            and nxt[1].startswith("- ")
            and abs(left(item) - left(prev)) <= 10
            and abs(left(item) - left(nxt)) <= 10
        ):
            out[i] = (item[0], "- " + item[1], item[2], item[3])
    return out


def render_markdown(doc: DocResult, *, image_dir: str = "images", keep_furniture: bool = False) -> str:
    out: list[str] = []
    current = None
    blocks = _bullets_between_bullets(_join_hyphenated(_blocks(doc, image_dir, keep_furniture)), doc)
    for page, block, _, flags in blocks:
        if current is not None and page != current:
            out.append(f"<!-- page {page + 1} -->")
        current = page
        out.append(_flagged(block, flags))
    return "\n\n".join(out).strip() + "\n"
