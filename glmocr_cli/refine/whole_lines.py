"""A text-layer line belongs wholly to one region: when a layout box cut a line (its first word left
in another region, e.g. 'The' + 'Birth of Word Processing'), the words move to the text region that
holds most of the line, and a region left empty goes."""

from __future__ import annotations

import re

from ..document import DocResult, PageResult, Region, Task
from ..geometry import bbox_union
from .words import is_styled, keep_regions

_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _plain_join(region: Region) -> bool:
    """The region's text is its words, untouched (in any order: a word that joined late comes last)."""
    return sorted(region.content.split()) == sorted(" ".join(ln.text for ln in region.lines).split())


def _visual_lines(regions: list[Region]) -> dict[int, int]:
    """Text-layer line number -> one number per visual line. A PDF may write one printed line as two
    text blocks ("There" and "are two important ..."), which the text layer numbers apart: pieces in
    different regions that sit on one row a word space apart are one line."""
    boxes: dict[tuple[int, int], list] = {}
    for k, region in enumerate(regions):
        for line in region.lines:
            boxes.setdefault((k, line.style.line), []).append(line.bbox)
    pieces = [(key, bbox_union(b)) for key, b in boxes.items()]
    parent = {key[1]: key[1] for key, _ in pieces}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for i, ((ka, la), a) in enumerate(pieces):
        for (kb, lb), b in pieces[i + 1 :]:
            if ka == kb or la == lb:
                continue
            height = min(a[3] - a[1], b[3] - b[1])
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            gap = max(b[0] - a[2], a[0] - b[2])
            if overlap > 0.6 * height and gap < 0.8 * height:
                parent[root(lb)] = root(la)
    return {n: root(n) for n in parent}


def _mend_page(page: PageResult) -> None:
    regions = [r for r in page.regions if r.task is Task.TEXT and is_styled(r) and _plain_join(r) and not r.kind]
    visual = _visual_lines(regions)
    holders: dict[int, dict[int, int]] = {}
    for k, region in enumerate(regions):
        for line in region.lines:
            holders.setdefault(visual[line.style.line], {}).setdefault(k, 0)
            holders[visual[line.style.line]][k] += len(line.text)
    changed: set[int] = set()
    for line_no, chars in holders.items():
        if len(chars) < 2:
            continue
        owner = max(chars, key=chars.__getitem__)
        for k in chars:
            if k == owner:
                continue
            moving = [ln for ln in regions[k].lines if visual[ln.style.line] == line_no]
            regions[k].lines = [ln for ln in regions[k].lines if visual[ln.style.line] != line_no]
            regions[owner].lines = regions[owner].lines + moving
            changed.update((k, owner))
    for k in changed:
        region = regions[k]
        if not region.lines:
            continue
        rtl = bool(_RTL.search(" ".join(ln.text for ln in region.lines)))
        region.lines.sort(key=lambda ln: (visual[ln.style.line], -ln.bbox[0] if rtl else ln.bbox[0]))
        region.content = " ".join(ln.text for ln in region.lines)
        region.bbox = bbox_union([ln.bbox for ln in region.lines])
    emptied = {id(regions[k]) for k in changed if not regions[k].lines}
    if emptied:
        keep_regions(page, [r for r in page.ordered_regions() if id(r) not in emptied])


def mend_cut_lines(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    for page in doc.pages:
        _mend_page(page)
