"""Code: a text region set (almost) wholly in a monospaced font is a code block, its lines kept as
they are, indented by the glyph positions; consecutive code regions of a page are one block."""
from __future__ import annotations

from ..document import DocResult, PageResult, Region, Task
from ..recognize.text_lines import bbox_union
from .words import is_styled, rows_of, share

MIN_MONO_SHARE = 0.8


def _is_code(region: Region) -> bool:
    return region.task is Task.TEXT and is_styled(region) and share(region, "mono") >= MIN_MONO_SHARE


def _verbatim(region: Region) -> str:
    rows = rows_of(region)
    widths = [(ln.bbox[2] - ln.bbox[0]) / len(ln.text) for row in rows for ln in row if ln.text]
    char = sorted(widths)[len(widths) // 2] if widths else 1.0
    left = min(ln.bbox[0] for ln in region.lines)
    out = []
    for row in rows:
        indent = int(round((row[0].bbox[0] - left) / char)) if char else 0
        line, end = " " * indent, row[0].bbox[0]
        for k, word in enumerate(row):
            if k:  # the gap to the previous word in characters, at least one space
                line += " " * max(1, int(round((word.bbox[0] - end) / char)))
            line += word.text
            end = word.bbox[2]
        out.append(line.rstrip())
    return "\n".join(out)


def _merge_runs(page: PageResult) -> None:
    ordered = page.ordered_regions()
    keep: list[Region] = []
    for region in ordered:
        previous = keep[-1] if keep else None
        if previous is not None and previous.kind == "code" and region.kind == "code":
            previous.lines = previous.lines + region.lines
            previous.bbox = bbox_union([previous.bbox, region.bbox])
            previous.rich = _verbatim(previous)
            previous.content = previous.rich
            continue
        keep.append(region)
    if len(keep) != len(ordered):
        kept = {id(r) for r in keep}
        page.regions = [r for r in page.regions if id(r) in kept]
        for rank, region in enumerate(keep):
            region.order = rank


def find_code(doc: DocResult) -> DocResult:
    for page in doc.pages:
        for region in page.regions:
            if _is_code(region):
                region.kind, region.label = "code", "algorithm"
                region.rich = _verbatim(region)
                region.content = region.rich
        _merge_runs(page)
    return doc
