"""Receipt-like pages made of OCR lines, for the key-value extraction tests."""

from __future__ import annotations

from pathlib import Path

from glmocr_cli.document import DocResult, PageResult, Region, Task, TextLine
from glmocr_cli.extract import extract_key_values, parse_key_spec
from glmocr_cli.labels import PageSource


def make_doc(
    lines: list[tuple[str, tuple[float, float, float, float]]], *, regions: list[Region] | None = None
) -> DocResult:
    """One page; each (text, bbox) becomes an OCR line of a text region, as the lite engine makes them."""
    regions = list(regions or [])
    for text, bbox in lines:
        regions.append(
            Region(
                index=len(regions),
                order=len(regions),
                label="text",
                native_label="text",
                task=Task.TEXT,
                bbox=bbox,
                score=1.0,
                content=text,
                lines=[TextLine(bbox, text, 0.99)],
            )
        )
    page = PageResult(
        index=0, width=800, height=1200, source=PageSource.IMAGE, dpi=None, size_pt=None, rotation=0, regions=regions
    )
    return DocResult(
        source=Path("bill.jpg"),
        relative_path=Path("bill.jpg"),
        sha256="",
        pages=[page],
        engine={"name": "lite"},
        options={},
    )


def row(y: float, *cells: tuple[float, str], height: float = 24) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Cells of one printed row: (x, text), each about 11 px a character wide."""
    return [(text, (x, y, x + 11 * len(text), y + height)) for x, text in cells]


def values(doc: DocResult, spec: str) -> dict[str, str | None]:
    return {name: item["value"] for name, item in extract_key_values(doc, parse_key_spec(spec))["keys"].items()}
