"""Equation numbers: a formula_number region becomes the number of the display formula right before or
after it (the SDK's rule: adjacent only; a number with no formula beside it is dropped). Markdown writes
it as \\tag{}, HTML at the formula's right."""

from __future__ import annotations

from ..document import Region, Task
from ..labels import Label


def merge_formula_numbers(regions: list[Region]) -> tuple[list[Region], dict[int, str]]:
    """The regions without formula numbers, and id(formula) -> its number."""
    kept: list[Region] = []
    tags: dict[int, str] = {}
    for i, region in enumerate(regions):
        if region.label != Label.FORMULA_NUMBER:
            kept.append(region)
            continue
        before = regions[i - 1] if i > 0 else None
        after = regions[i + 1] if i + 1 < len(regions) else None
        target = (
            before
            if before is not None and before.task is Task.FORMULA and id(before) not in tags
            else after
            if after is not None and after.task is Task.FORMULA
            else None
        )
        if target is not None:
            tags[id(target)] = _formula_number(region.content)
    return kept, tags


def _formula_number(text: str) -> str:
    """'(1)' or '（1）' -> '1' (the SDK's clean_formula_number)."""
    text = text.strip()
    return text[1:-1] if (text[:1], text[-1:]) in (("(", ")"), ("（", "）")) else text
