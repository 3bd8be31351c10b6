"""Regions -> one self-contained HTML page: inline CSS, figures as data: URIs, no external resources."""
from __future__ import annotations

import base64
import html
from html.parser import HTMLParser

from ..document import DocResult, Region, Task

_CSS = """body{font-family:Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #999;padding:.2rem .5rem;vertical-align:top}
.formula{font-family:monospace;background:#f6f6f6;padding:.5rem;overflow-x:auto}.page-break{border:0;border-top:1px dashed #bbb;margin:2rem 0}
.flag{background:#fff3cd}.furniture{color:#777;font-size:.9em}figure{margin:1rem 0}img{max-width:100%}"""

_TABLE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col", "br", "b", "i", "sub", "sup"}
_TABLE_ATTRS = {"rowspan", "colspan"}


class _TableSanitizer(HTMLParser):
    """Keeps only table structure (and spans) from recognised table HTML; escapes all text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _TABLE_TAGS:
            kept = "".join(f' {k}="{html.escape(v or "")}"' for k, v in attrs if k in _TABLE_ATTRS and (v or "").isdigit())
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


def _region_html(region: Region) -> str:
    text = html.escape(region.content.strip())
    if region.label == "doc_title":
        return f"<h1>{text}</h1>" if text else ""
    if region.label == "paragraph_title":
        return f"<h2>{text}</h2>" if text else ""
    if region.task is Task.TABLE:
        return sanitize_table(region.content)
    if region.task is Task.FORMULA:
        return f'<div class="formula">\\[{text}\\]</div>' if text else _figure(region)
    if region.task is Task.SKIP:
        return _figure(region)
    if not text:
        return ""
    css = "furniture" if region.task is Task.ABANDON else ""
    if region.flags:
        css = f"{css} flag".strip()
        return f'<p class="{css}" title="{html.escape(", ".join(region.flags))}">{text}</p>'
    return f'<p class="{css}">{text}</p>' if css else f"<p>{text}</p>"


def render_html(doc: DocResult, *, keep_furniture: bool = False) -> str:
    body: list[str] = []
    for number, page in enumerate(doc.pages):
        if number:
            body.append(f'<hr class="page-break" title="page {page.index + 1}">')
        for region in page.ordered_regions():
            if region.task is Task.ABANDON and not keep_furniture:
                continue
            piece = _region_html(region)
            if piece:
                body.append(piece)
    title = html.escape(doc.relative_path.name)
    return ("<!DOCTYPE html>\n<html lang=\"und\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")
