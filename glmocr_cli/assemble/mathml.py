"""A formula's LaTeX as MathML for the HTML page (browsers render it natively: no script, the page
stays one self-contained file). latex2mathml converts; its output is then kept to MathML elements and
presentation attributes (no namespace URL: HTML5 knows <math>), text escaped, since the LaTeX may come from a model and latex2mathml passes
\\text{} through as markup. The equation number stands at the right, as in print."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from latex2mathml.converter import convert

_TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")
_ELEMENTS = {
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
    "mlabeledtr",
    "semantics",
}
_ATTRIBUTES = {
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "form",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "linethickness",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "width",
    "height",
    "depth",
    "displaystyle",
    "scriptlevel",
    "minsize",
    "maxsize",
    "movablelimits",
    "notation",
    "columnlines",
    "rowlines",
    "frame",
    "symmetric",
    "largeop",
    "mathsize",
    "bevelled",
}
_SAFE_VALUE = re.compile(r"^[\w .#%+\-:/]*$")


class _MathSanitizer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _ELEMENTS:
            kept = "".join(
                f' {k}="{html.escape(v or "")}"'
                for k, v in attrs
                if k in _ATTRIBUTES and _SAFE_VALUE.match(v or "") and "script" not in (v or "").lower()
            )
            self.out.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag):
        if tag in _ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data))


def latex_to_mathml(latex: str) -> str | None:
    """Block MathML for `latex` (without its \\tag), or None when latex2mathml cannot read it."""
    try:
        markup = convert(_TAG.sub("", latex).strip(), display="block")
    except Exception:  # noqa: BLE001 - any LaTeX it cannot parse: the caller shows the source
        return None
    parser = _MathSanitizer()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def formula_html(latex: str, number: str | None = None) -> str:
    """The formula as a block of MathML with its number at the right; the LaTeX source in a box when
    it cannot be converted."""
    found = _TAG.search(latex)
    number = number or (found.group(1) if found else None)
    mathml = latex_to_mathml(latex)
    if mathml is None:
        return f'<div class="formula formula-source">\\[{html.escape(latex)}\\]</div>'
    tag = f'<span class="eqno">({html.escape(number)})</span>' if number else ""
    return f'<div class="formula">{mathml}{tag}</div>'
