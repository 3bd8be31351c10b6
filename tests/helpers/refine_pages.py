"""Small born-digital pages for the refine/ tests: PDFs written with PyMuPDF in known fonts and sizes,
read back through the project's own PDF source, one region per text-layer block (as the lite
engine does for text outside every layout box)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from glmocr_cli.document import DocResult, PageResult, Region, Task, TextLine
from glmocr_cli.geometry import bbox_union
from glmocr_cli.labels import PageSource
from glmocr_cli.sources.documents import open_source

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def dejavu() -> Path:
    if not DEJAVU.is_file():
        pytest.skip("DejaVu Sans is not installed")
    return DEJAVU


def write_pdf(path: Path, pages: list[list[tuple]]) -> Path:
    """pages: per page, (x, y, text, fontname, size) or (x, y, text, fontname, size, fontfile)."""
    doc = pymupdf.open()
    for items in pages:
        page = doc.new_page(width=595, height=842)
        for x, y, text, font, size, *fontfile in items:
            page.insert_text(
                (x, y), text, fontname=font, fontsize=size, fontfile=str(fontfile[0]) if fontfile else None
            )
    doc.save(path)
    return path


def region(lines: list[TextLine], label: str = "text", task: Task = Task.TEXT, index: int = 0) -> Region:
    return Region(
        index=index,
        order=index,
        label=label,
        native_label=label,
        task=task,
        bbox=bbox_union([ln.bbox for ln in lines]),
        score=1.0,
        content=" ".join(ln.text for ln in lines),
        text_source="text-layer",
        lines=lines,
    )


def doc_from_pdf(path: Path, labels: dict[tuple[int, int], tuple[str, Task]] | None = None) -> DocResult:
    """One region per text-layer block; labels[(page, block order)] overrides a region's label/task."""
    source = open_source(path, dpi=72)
    pages = []
    for index in range(source.page_count):
        page = source.render(index, 10**9)
        blocks: dict[int, list[TextLine]] = {}
        for span in page.text_spans:
            blocks.setdefault(span.block, []).append(TextLine(span.bbox, span.text, 1.0, span.style))
        regions = []
        for k, lines in enumerate(sorted(blocks.values(), key=lambda ls: min(ln.bbox[1] for ln in ls))):
            label, task = (labels or {}).get((index, k), ("text", Task.TEXT))
            regions.append(region(lines, label, task, k))
        pages.append(
            PageResult(
                index=index,
                width=page.image.width,
                height=page.image.height,
                source=PageSource.PDF,
                dpi=72,
                size_pt=page.size_pt,
                rotation=0,
                regions=regions,
            )
        )
    source.close()
    return DocResult(
        source=path, relative_path=Path(path.name), sha256="0" * 64, pages=pages, engine={"name": "test"}, options={}
    )


def one_box(page: PageResult, label: str = "text", count: int | None = None) -> None:
    """The first `count` regions of the page (all by default), in reading order, as one layout box:
    what a layout model gives when it boxes several blocks together."""
    ordered = page.ordered_regions()
    count = len(ordered) if count is None else count
    merged = region([ln for r in ordered[:count] for ln in r.lines], label)
    page.regions = [merged] + ordered[count:]
    for rank, r in enumerate(page.regions):
        r.order = rank
