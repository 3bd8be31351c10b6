"""TEDS, PubTabNet's tree-edit-distance similarity for HTML tables (structure and cell content).

TEDS = 1 - EditDistance(T_pred, T_true) / max(|T_pred|, |T_true|), where renaming a node costs 1
when tags or spans differ and, for two cells, the normalised Levenshtein distance of their text.
This follows the reference implementation (ibm-aur-nlp/PubTabNet, src/metric.py), with the stdlib
HTML parser in place of lxml.
"""

from __future__ import annotations

from html.parser import HTMLParser

from apted import APTED, Config
from rapidfuzz.distance import Levenshtein

_STRUCTURE = {"table", "thead", "tbody", "tr", "td", "th"}


class Node:
    def __init__(self, tag: str, colspan: int = 1, rowspan: int = 1, content: str = ""):
        self.tag, self.colspan, self.rowspan, self.content = tag, colspan, rowspan, content
        self.children: list[Node] = []


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag not in _STRUCTURE:
            return
        if tag == "th":
            tag = "td"
        a = dict(attrs)
        node = Node(tag, int(a.get("colspan") or 1), int(a.get("rowspan") or 1))
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def handle_endtag(self, tag):
        tag = "td" if tag == "th" else tag
        if tag in _STRUCTURE:
            while len(self.stack) > 1:
                if self.stack.pop().tag == tag:
                    break

    def handle_data(self, data):
        if self.stack[-1].tag == "td":
            self.stack[-1].content += data


def parse_table(html: str, structure_only: bool = False) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    tables = [n for n in builder.root.children if n.tag == "table"]
    table = tables[0] if tables else Node("table")
    # thead/tbody are flattened away, as in PubTabNet's evaluation of predicted HTML
    flat = Node("table")
    rows = [r for child in table.children for r in ([child] if child.tag == "tr" else child.children)]
    for row in rows:
        if row.tag != "tr":
            continue
        new_row = Node("tr")
        for cell in row.children:
            if cell.tag == "td":
                new_row.children.append(
                    Node("td", cell.colspan, cell.rowspan, "" if structure_only else " ".join(cell.content.split()))
                )
        flat.children.append(new_row)
    return flat


def _size(node: Node) -> int:
    return 1 + sum(_size(c) for c in node.children)


class _Cost(Config):
    def rename(self, a: Node, b: Node) -> float:
        if a.tag != b.tag or a.colspan != b.colspan or a.rowspan != b.rowspan:
            return 1.0
        if a.tag == "td" and (a.content or b.content):
            return Levenshtein.normalized_distance(a.content, b.content)
        return 0.0

    def children(self, node: Node):
        return node.children


def teds(predicted_html: str, true_html: str, structure_only: bool = False) -> float:
    pred, true = parse_table(predicted_html, structure_only), parse_table(true_html, structure_only)
    largest = max(_size(pred), _size(true))
    distance = APTED(pred, true, _Cost()).compute_edit_distance()
    return 1.0 - distance / largest


def groundtruth_html(record: dict) -> str:
    """PubTabNet's annotation (structure tokens + cell tokens) joined into HTML."""
    cells = iter(record["html"]["cells"])
    out = []
    for token in record["html"]["structure"]["tokens"]:
        out.append(token)
        if token in ("<td>", ">"):  # ">" closes '<td colspan="2"'
            out.append("".join(next(cells)["tokens"]))
    return "<table>" + "".join(out) + "</table>"
