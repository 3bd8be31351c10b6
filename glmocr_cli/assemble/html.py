"""Regions -> one self-contained HTML page: inline CSS, figures as data: URIs, no external resources."""

from __future__ import annotations

import base64
import html
import re
from html.parser import HTMLParser

from ..document import PROBLEM_FLAGS, DocResult, Region, Task
from ..scripts import dominant_script
from ..labels import Flag, Kind, Label
from .mathml import formula_html
from .page_flow import Shown, regions_to_show
from .rich_text import list_html
from .text_direction import direction, language_tag, region_language

_CSS = """body{font-family:Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #999;padding:.2rem .5rem;vertical-align:top}
.formula{display:flex;align-items:center;margin:1rem 0;overflow-x:auto}.formula math{flex:1}.eqno{margin-left:1rem}
.formula-source{font-family:monospace;background:#f6f6f6;padding:.5rem}.page-break{border:0;border-top:1px dashed #bbb;margin:2rem 0}
.flag{background:#fff3cd}.furniture{color:#777;font-size:.9em}figure{margin:1rem 0}img{max-width:100%}"""

_TABLE_TAGS = {
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "colgroup",
    "col",
    "br",
    "b",
    "i",
    "sub",
    "sup",
}
_TABLE_ATTRS = {"rowspan", "colspan"}


class _TableSanitizer(HTMLParser):
    """Keeps only table structure (and spans) from recognised table HTML; escapes all text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _TABLE_TAGS:
            kept = "".join(
                f' {k}="{html.escape(v or "")}"'
                for k, v in attrs
                if (k in _TABLE_ATTRS and (v or "").isdigit()) or (k == "dir" and v in ("rtl", "ltr"))
            )
            self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag):
        if tag in _TABLE_TAGS and tag not in ("br", "col"):
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data))


def sanitize_table(table_html: str) -> str:
    parser = _TableSanitizer()
    parser.feed(table_html)
    parser.close()
    return "".join(parser.out)


def _figure(region: Region) -> str:
    if region.image_png is None:
        return ""
    data = base64.b64encode(region.image_png).decode("ascii")
    # text read inside the picture (lite engine) stays with it, apart from the body text
    inside = f'<div class="figure-text">{html.escape(region.content.strip())}</div>' if region.content.strip() else ""
    return f'<figure><img alt="{html.escape(region.label)}" src="data:image/png;base64,{data}">{inside}</figure>'


def _language_attrs(region: Region, page_lang: str | None) -> str:
    """lang and dir where a region differs from the page (right-to-left text always says so)."""
    lang, direction_ = region_language(region)
    attrs = f' lang="{lang}"' if lang and lang != page_lang else ""
    return attrs + (' dir="rtl"' if direction_ == "rtl" else "")


def heading_text(text: str, label: str) -> str:
    """A heading's words as the SDK's formatter gives them: the model's own '#' marks (and a paragraph
    title's bullet) dropped, spaces collapsed. Markdown and HTML both use it."""
    text = " ".join(text.split())
    if label == Label.PARAGRAPH_TITLE and text[:2] in ("- ", "* "):
        text = text[2:].lstrip()
    return re.sub(r"^#+\s*", "", text)


def _region_html(region: Region, page_lang: str | None = None) -> str:
    heading = region.label in (Label.DOC_TITLE, Label.PARAGRAPH_TITLE) or region.kind == Kind.HEADING
    text = html.escape(heading_text(region.content, region.label) if heading else region.content.strip())
    attrs = _language_attrs(region, page_lang) if text and region.task is not Task.TABLE else ""
    if region.kind == Kind.HEADING and region.level and text:  # level from refine/headings.py
        return f"<h{region.level}{attrs}>{text}</h{region.level}>"
    if region.kind == Kind.CODE and text:
        return f"<pre{attrs}><code>{text}</code></pre>"
    if region.label == Label.DOC_TITLE:
        return f"<h1{attrs}>{text}</h1>" if text else ""
    if region.label == Label.PARAGRAPH_TITLE:
        return f"<h2{attrs}>{text}</h2>" if text else ""
    if region.task is Task.TABLE:
        return sanitize_table(region.content)
    if region.task is Task.FORMULA:
        latex = region.content.strip().strip("$").strip()
        return formula_html(latex, region.equation_number) if latex else _figure(region)
    if region.task is Task.SKIP:
        return _figure(region)
    if not text:
        return ""
    css = "furniture" if region.task is Task.ABANDON else ""
    problems = [f for f in region.flags if f in PROBLEM_FLAGS or f == Flag.LOW_CONFIDENCE]
    if problems:  # text a reader should doubt; notes such as "furniture" are not shown as doubts
        css = f"{css} flag".strip()
        return f'<p class="{css}" title="{html.escape(", ".join(problems))}"{attrs}>{text}</p>'
    listed = list_html(region.blocks, attrs + (f' class="{css}"' if css else "")) if region.kind == Kind.LIST else None
    if listed:
        return listed
    return f'<p class="{css}"{attrs}>{text}</p>' if css else f"<p{attrs}>{text}</p>"


def document_language(doc: DocResult) -> tuple[str, str]:
    """The document's lang and dir: from its text's main script (and Tesseract's language, if it read it)."""
    regions = [r for p in doc.pages for r in p.regions if r.task in (Task.TEXT, Task.TABLE) and r.content]
    text = re.sub(r"<[^>]+>", " ", " ".join(r.content for r in regions))  # table cells' text, not their tags
    script = dominant_script(text)
    readers = {r.reading.reader for r in regions if r.reading.reader}
    reader = next(iter(readers)) if len(readers) == 1 else None
    if reader and dominant_script(" ".join(r.content for r in regions if r.reading.reader == reader)) != script:
        reader = None
    return language_tag(text, reader) or "und", direction(text)


def render_html(doc: DocResult, *, keep_furniture: bool = False) -> str:
    body: list[str] = []
    lang, direction_ = document_language(doc)
    on_page: dict[int, list[Shown]] = {}
    for item in regions_to_show(doc, keep_furniture):
        on_page.setdefault(item.page, []).append(item)
    for number, page in enumerate(doc.pages):
        if number:
            body.append(f'<hr class="page-break" title="page {page.index + 1}">')
        for item in on_page.get(page.index, []):
            piece = _region_html(item.region, lang)
            if piece:
                body.append(piece)
    title = html.escape(doc.relative_path.name)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction_}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
