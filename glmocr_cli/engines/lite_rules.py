"""Rules that make up for the lite layout model's coarseness (CDLA has ten classes, PP-DocLayout-V3
has twenty-five): each takes the page's regions and fixes one thing. The document's title is decided in
refine/headings.py, page numbers (and running headers and footers) in refine/furniture.py."""

from __future__ import annotations

import re

from ..document import LayoutRegion, Region, Task, TextLine
from ..geometry import area, intersection
from ..labels import Label

TEXT_LIKE = {
    Label.TEXT,
    Label.PARAGRAPH_TITLE,
    Label.DOC_TITLE,
    Label.FIGURE_TITLE,
    Label.REFERENCE_CONTENT,
    Label.HEADER,
    Label.FOOTER,
    Label.FOOTNOTE,
}


def drop_duplicate_regions(found: list[LayoutRegion], overlap: float = 0.7) -> list[LayoutRegion]:
    """Two text-like boxes over the same lines (e.g. 'title' and 'text' for one heading): keep the
    higher-scoring one, so the words are not read twice."""
    keep = sorted(found, key=lambda r: -r.score)
    kept: list[LayoutRegion] = []
    for region in keep:
        duplicate = region.label in TEXT_LIKE and any(
            other.label in TEXT_LIKE
            and intersection(region.bbox, other.bbox) > overlap * min(area(region.bbox), area(other.bbox))
            for other in kept
        )
        if not duplicate:
            kept.append(region)
    return [r for r in found if r in kept]


_FORMULA_NUMBER = re.compile(r"^\(\s*\d{1,3}(?:\.\d{1,3})?[a-z]?\s*\)$")


def label_formula_numbers(regions: list[Region], tasks: dict[str, Task]) -> None:
    """'(3)' level with a display formula is its equation number (merged as \\tag in Markdown)."""
    formulas = [r for r in regions if r.label == Label.DISPLAY_FORMULA]
    for region in regions:
        if region.task is Task.TEXT and _FORMULA_NUMBER.match(region.content.strip()):
            centre = (region.bbox[1] + region.bbox[3]) / 2
            if any(f.bbox[1] <= centre <= f.bbox[3] for f in formulas):
                region.label, region.task = Label.FORMULA_NUMBER, tasks.get(Label.FORMULA_NUMBER, Task.TEXT)


def mean_score(lines: list[TextLine]) -> float | None:
    if not lines:
        return None
    weights = [max(1, len(ln.text)) for ln in lines]
    return round(sum(ln.score * w for ln, w in zip(lines, weights)) / sum(weights), 4)
