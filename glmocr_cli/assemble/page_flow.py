"""The regions the Markdown and HTML writers show, in reading order over all pages, with what refine/
decided about them applied alike for both: furniture left out (unless kept), equation numbers left
out (refine/ gave them to their formulas), and a region that `joins` the one before merged into it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..document import DocResult, Region, Task, TextBlock
from ..labels import Join, Label
from ..spans import InlineSpan


@dataclass
class Shown:
    """A region as a writer shows it, and the page it opens on."""

    page: int
    region: Region


def regions_to_show(doc: DocResult, keep_furniture: bool = False) -> list[Shown]:
    shown: list[Shown] = []
    for page in doc.pages:
        for region in page.ordered_regions():
            if region.label == Label.FORMULA_NUMBER or (region.task is Task.ABANDON and not keep_furniture):
                continue
            target = _joined_to(shown) if region.joins else None
            if target is not None:
                target.region = joined(target.region, region)
            else:
                shown.append(Shown(page.index, region))
    return shown


def _joined_to(shown: list[Shown]) -> Shown | None:
    """The region a joining one carries on: the last shown in the body, as refine/ chose it (kept
    furniture between the two halves stays where it is)."""
    return next((item for item in reversed(shown) if item.region.in_body()), None)


def joined(first: Region, second: Region) -> Region:
    """One region holding both texts, the word cut between them put back together as refine/ said.
    The first keeps its place, label and structure; neither region itself changes."""

    def cut(text: str) -> str:
        text = text.rstrip()
        return text[:-1] if second.joins == Join.WORD and text.endswith("-") else text

    content = cut(first.content) + second.content.lstrip()
    blocks = first.blocks
    if first.blocks or second.blocks:
        head = first.blocks or [TextBlock([InlineSpan(first.content.strip())])]
        tail = second.blocks or [TextBlock([InlineSpan(second.content.strip())])]
        last = head[-1]
        spans = [*last.spans[:-1], replace(last.spans[-1], text=cut(last.spans[-1].text))] if last.spans else []
        blocks = [*head[:-1], replace(last, spans=spans + tail[0].spans), *tail[1:]]
    flags = first.flags + [f for f in second.flags if f not in first.flags]
    return replace(first, content=content, blocks=blocks, flags=flags)
