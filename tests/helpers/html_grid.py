"""Read our HTML tables back as rows of (text, rowspan, colspan) cells, checking the tags balance."""

from __future__ import annotations

from html.parser import HTMLParser


class _Grid(HTMLParser):
    """Rows of (text, rowspan, colspan); raises on unbalanced tags."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[list]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            a = dict(attrs)
            self.rows[-1].append(["", int(a.get("rowspan", 1)), int(a.get("colspan", 1))])

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data):
        if self.open and self.open[-1] == "td":
            self.rows[-1][-1][0] += data


def parse_grid(html: str) -> list[list[list]]:
    parser = _Grid()
    parser.feed(html)
    assert not parser.open, "unclosed tags"
    return parser.rows
