"""Which regions a page has and which lines each holds, before anything is read.

Takes the layout model's regions and the page's text lines (OCR lines, or text-layer lines or
words) and settles: tables the model missed (PDF rulings; lines standing in a grid), pictures that
are really tables or pages of text, each line wholly in one region, and stray lines joined to the
region they continue. Lines that fit nowhere are returned for the engine to make paragraphs of.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..document import BBox, LayoutRegion, PageImage, Task, TextLine
from .table_detect import looks_like_table, pdf_tables, table_runs
from ..geometry import area, bbox_union, intersection
from ..labels import Label
from .form_rows import tables_without_columns_as_text
from .give_back import FORMULA_PROSE_WORDS, PICTURE_PROSE_WORDS, peel_prose, text_region
from .grid_text import promote_grid_text
from .line_regions import assign_lines, attach_rows_to_tables, attach_strays, attach_word_rows_to_tables
from .panels import fit_to_panels

TABLE_MARGIN = 4.0  # px around a table found from its lines, so the reader sees its edges


@dataclass
class RegionPlan:
    found: list[LayoutRegion]
    tasks: list[Task]
    members: list[list[TextLine]]  # the lines each region holds
    strays: list[TextLine] = field(default_factory=list)


def _mostly_inside(inner: BBox, outer: BBox, share: float = 0.6) -> bool:
    return intersection(inner, outer) > share * (area(inner) or 1.0)


def add_pdf_tables(page: PageImage, found: list[LayoutRegion], from_words: bool = True) -> list[LayoutRegion]:
    """Tables from the PDF's rulings that the layout model missed (or merged) become table regions;
    what the model put inside them (text boxes over cells, a second table) gives way, so that each
    table holds only its own cells."""
    boxes = pdf_tables(page, known=[r.bbox for r in found if r.label == Label.TABLE], from_words=from_words)
    if not boxes:
        return found
    kept = []
    for region in found:
        covering = [b for b in boxes if _mostly_inside(b, region.bbox)]
        covered = sum(intersection(region.bbox, b) for b in boxes) > 0.6 * (area(region.bbox) or 1.0)
        if region.label == Label.TABLE and len(covering) >= 2:
            continue  # one layout box over two ruled tables: the finder's tables replace it
        if covered and region.label not in (Label.TABLE, Label.FIGURE_TITLE):
            continue  # a text or picture box over tables' cells
        kept.append(region)
    for box in boxes:
        if not any(
            r.label == Label.TABLE and intersection(r.bbox, box) > 0.5 * min(area(r.bbox), area(box)) for r in kept
        ):
            kept.append(LayoutRegion(box, Label.TABLE, "pdf-rulings", 1.0))
    return kept


def is_text_dense(lines: Sequence[TextLine], box: BBox, min_lines: int = 3, min_cover: float = 0.2) -> bool:
    """A 'figure' that is mostly lines of text (a photographed receipt, a scanned letter) is text."""
    if len(lines) < min_lines:
        return False
    return sum(area(ln.bbox) for ln in lines) > min_cover * (area(box) or 1.0)


def is_page_sized_image(region: LayoutRegion, width: int, height: int) -> bool:
    """The reference SDK's rule: an 'image' box covering over 82% (landscape) or 93% (portrait) of
    the page is the page itself (a photo or scan of a document), not a figure on it."""
    limit = 0.82 if width > height else 0.93
    return region.label == Label.IMAGE and area(region.bbox) > limit * width * height


def reads_as_words(lines: Sequence[TextLine], min_words: int = 3, min_letters: float = 0.8) -> bool:
    """A 'formula' box over a line of ordinary words (a caption such as 'Listing 1: Simple program')
    is text: its words would otherwise be lost in an image crop."""
    text = " ".join(ln.text for ln in lines)
    words = [w for w in text.split() if len(w) >= 3 and w.isalpha()]
    letters = sum(ch.isalpha() or ch.isspace() for ch in text)
    maths = any(unicodedata.category(ch) == "Sm" or ch in "^_\\" for ch in text)
    return not maths and len(words) >= min_words and letters >= min_letters * max(1, len(text))


def is_code(words: Sequence[TextLine], share: float = 0.6) -> bool:
    """A 'table' box over words set mostly in a monospaced font is a code listing (refine/code.py
    reads it), not a table: a table's cells are rarely monospaced - unless the whole page is."""
    mono = sum(len(w.text) for w in words if w.style is not None and w.style.mono)
    return bool(words) and mono >= share * sum(len(w.text) for w in words)


def plan_regions(
    page: PageImage,
    found: list[LayoutRegion],
    lines: Sequence[TextLine],
    tasks: dict[str, Task],
    width: int,
    height: int,
    lines_are_words: bool = False,
    read_by_script_model: bool = False,
    min_confidence: float = 0.0,
    panels: Sequence[BBox] = (),
) -> RegionPlan:
    found = fit_to_panels(add_pdf_tables(page, found, from_words=lines_are_words), panels)
    mono_page = lines_are_words and is_code(lines)  # a typewritten page: its tables are monospaced too
    owned, leftovers = assign_lines(lines, [r.bbox for r in found])
    plan = RegionPlan([], [], [], [lines[k] for k in leftovers])
    for region, indices in zip(found, owned):
        task, members = tasks.get(region.label, Task.TEXT), [lines[k] for k in indices]
        if (
            read_by_script_model
            and task in (Task.SKIP, Task.FORMULA)
            and members
            and sum(ln.score for ln in members) / len(members) >= min_confidence
        ):
            # the layout model knows Latin and Chinese pages: text in another script can look like a
            # formula or a picture to it, but Tesseract read it confidently
            plan.strays.extend(members)
            continue
        if task is Task.SKIP and not lines_are_words and looks_like_table(members):
            region, task = LayoutRegion(region.bbox, Label.TABLE, region.native_label, region.score), Task.TABLE
        elif task is Task.TABLE and lines_are_words and is_code(members) and not mono_page:
            region, task = LayoutRegion(region.bbox, Label.TEXT, region.native_label, region.score), Task.TEXT
        elif task is Task.FORMULA and reads_as_words(members):
            region, task = LayoutRegion(region.bbox, Label.TEXT, region.native_label, region.score), Task.TEXT
        elif task is Task.SKIP and (is_text_dense(members, region.bbox) or is_page_sized_image(region, width, height)):
            plan.strays.extend(members)  # a photographed page of text, not a picture
            continue
        elif task in (Task.FORMULA, Task.SKIP) and members:  # prose at the box's edges is text of its own
            min_words = FORMULA_PROSE_WORDS if task is Task.FORMULA else PICTURE_PROSE_WORDS
            kept, members, given = peel_prose(region, members, reads_as_words, min_words)
            for lines_back in given:
                plan.found.append(text_region(lines_back, f"{task.value}-gave-back"))
                plan.tasks.append(Task.TEXT)
                plan.members.append(lines_back)
            if kept is None:
                continue
            region = kept
        plan.found.append(region)
        plan.tasks.append(task)
        plan.members.append(members)

    promote_grid_text(plan.found, plan.tasks, plan.members)

    # A cropped table or a screenshot of one: most of the page's lines, outside every box, in a grid;
    # or a run of grid rows among loose lines.
    if not lines_are_words and plan.strays:
        whole = len(plan.strays) >= 0.5 * len(lines) and looks_like_table(plan.strays)
        for members in [list(plan.strays)] if whole else table_runs(plan.strays):
            x0, y0, x1, y1 = bbox_union([ln.bbox for ln in members])
            box = (
                max(0.0, x0 - TABLE_MARGIN),
                max(0.0, y0 - TABLE_MARGIN),
                min(float(width), x1 + TABLE_MARGIN),
                min(float(height), y1 + TABLE_MARGIN),
            )
            plan.found.append(LayoutRegion(box, Label.TABLE, "lines-in-grid", 0.0))
            plan.tasks.append(Task.TABLE)
            plan.members.append(members)
            taken = {id(ln) for ln in members}
            plan.strays = [ln for ln in plan.strays if id(ln) not in taken]

    boxes = [r.bbox for r in plan.found]
    is_table = [t is Task.TABLE for t in plan.tasks]
    if not lines_are_words:
        plan.strays = attach_rows_to_tables(plan.strays, boxes, plan.members, is_table)
    else:
        plan.strays = attach_word_rows_to_tables(plan.strays, boxes, plan.members, is_table)
    if not lines_are_words:  # a scanned form boxed whole as a table, once its rows have joined
        tables_without_columns_as_text(plan.found, plan.tasks, plan.members)
    accepts = [task in (Task.TEXT, Task.ABANDON) for task in plan.tasks]
    plan.strays = attach_strays(plan.strays, boxes, plan.members, accepts)
    plan.found = [replace(r, bbox=box) for r, box in zip(plan.found, boxes)]
    return plan
