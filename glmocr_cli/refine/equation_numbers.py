"""Equation numbers: a formula_number region becomes the number of the display formula right before or
after it on the page (the SDK's rule: adjacent only; a number with no formula beside it is shown
nowhere). The formula keeps it in `equation_number`; Markdown writes it as \\tag{}, HTML at the
formula's right."""

from __future__ import annotations

from ..document import DocResult, Task
from ..labels import Label


def number_equations(doc: DocResult, tasks: dict[str, Task] | None = None) -> None:
    for page in doc.pages:
        regions = page.ordered_regions()
        for region in regions:
            region.equation_number = None
        for i, region in enumerate(regions):
            if region.label != Label.FORMULA_NUMBER:
                continue
            before = regions[i - 1] if i > 0 else None
            after = regions[i + 1] if i + 1 < len(regions) else None
            target = (
                before
                if before is not None and before.task is Task.FORMULA and before.equation_number is None
                else after
                if after is not None and after.task is Task.FORMULA
                else None
            )
            if target is not None:
                target.equation_number = _formula_number(region.content)


def _formula_number(text: str) -> str:
    """'(1)' or '（1）' -> '1' (the SDK's clean_formula_number)."""
    text = text.strip()
    return text[1:-1] if (text[:1], text[-1:]) in (("(", ")"), ("（", "）")) else text
