"""A text-layer line belongs wholly to one region: when a layout box cut a line (its first word left
in another region, e.g. 'The' + 'Birth of Word Processing'), the words move to the text region that
holds most of the line, and a region left empty goes."""
from __future__ import annotations

import re

from ..document import DocResult, PageResult, Region, Task
from ..recognize.text_lines import bbox_union
from .words import is_styled

_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _plain_join(region: Region) -> bool:
    return " ".join(region.content.split()) == " ".join(ln.text for ln in region.lines)


def _mend_page(page: PageResult) -> None:
    regions = [r for r in page.regions if r.task is Task.TEXT and is_styled(r) and _plain_join(r) and not r.kind]
    holders: dict[int, dict[int, int]] = {}
    for k, region in enumerate(regions):
        for line in region.lines:
            holders.setdefault(line.style.line, {}).setdefault(k, 0)
            holders[line.style.line][k] += len(line.text)
    changed: set[int] = set()
    for line_no, chars in holders.items():
        if len(chars) < 2:
            continue
        owner = max(chars, key=chars.__getitem__)
        for k in chars:
            if k == owner:
                continue
            moving = [ln for ln in regions[k].lines if ln.style.line == line_no]
            regions[k].lines = [ln for ln in regions[k].lines if ln.style.line != line_no]
            regions[owner].lines = regions[owner].lines + moving
            changed.update((k, owner))
    for k in changed:
        region = regions[k]
        if not region.lines:
            continue
        rtl = bool(_RTL.search(" ".join(ln.text for ln in region.lines)))
        region.lines.sort(key=lambda ln: (ln.style.line, -ln.bbox[0] if rtl else ln.bbox[0]))
        region.content = " ".join(ln.text for ln in region.lines)
        region.bbox = bbox_union([ln.bbox for ln in region.lines])
    emptied = {id(regions[k]) for k in changed if not regions[k].lines}
    if emptied:
        page.regions = [r for r in page.regions if id(r) not in emptied]
        for rank, region in enumerate(page.ordered_regions()):
            region.order = rank


def mend_cut_lines(doc: DocResult) -> DocResult:
    for page in doc.pages:
        _mend_page(page)
    return doc
