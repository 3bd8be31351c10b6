"""Document-level fix-ups between recognition and assembly, one job per module (like marker's
processors): each is `step(doc, tasks) -> None` and improves the document model in place. Steps that
need the PDF's text-layer styles do nothing on OCR'd regions, so both engines run the whole list."""

from __future__ import annotations

from collections.abc import Callable

from ..document import DocResult, Task
from .code import find_code
from .contents import find_contents
from .equation_numbers import number_equations
from .continuations import join_cut_words
from .formulas import refine_formulas
from .furniture import find_furniture
from .headings import find_headings
from .lists import find_lists, items_between_items, lists_from_text
from .paragraphs import refine_paragraphs
from .whole_lines import mend_cut_lines

# One signature for every step: the document, and the run's label -> task mapping (--label-task,
# --keep-furniture), which only the furniture step reads today.
RefineStep = Callable[[DocResult, dict[str, Task] | None], None]

STEPS: tuple[RefineStep, ...] = (
    mend_cut_lines,  # a text-layer line cut by a layout box goes wholly to one region
    find_furniture,  # running headers / footers / page numbers by repetition and position
    refine_formulas,  # captions out of formulas, equations out of headings, LaTeX from glyphs
    find_code,  # monospaced blocks
    find_contents,  # a table of contents: entries with dot leaders, never headings
    find_headings,  # heading levels from size and weight; the title of page 1
    find_lists,  # one item per line, nesting from indent
    lists_from_text,  # the same in text that came without word boxes, from the lines' openings
    refine_paragraphs,  # hyphen joins, paragraph breaks, inline bold/italic/sup/sub
    join_cut_words,  # a paragraph cut by the layout inside a hyphenated word: one paragraph again
    items_between_items,  # a plain region between two bulleted ones is their list's item
    number_equations,  # a formula_number region's number onto the display formula beside it
)


def refine_document(doc: DocResult, tasks: dict[str, Task] | None = None) -> DocResult:
    """Run every step; a step that fails on an odd document is skipped with a warning (the regions
    as recognised are still a faithful conversion), never the document lost. `tasks` is the run's
    label -> task mapping (--label-task, --keep-furniture), which furniture found by evidence follows."""
    for step in STEPS:
        try:
            step(doc, tasks)
        except Exception as exc:  # noqa: BLE001 - a fix-up must not cost the user the document
            if doc.pages:
                doc.pages[0].warnings.append(
                    f"{doc.source}: refine step {step.__name__} skipped ({type(exc).__name__}: {exc})"
                )
    return doc
