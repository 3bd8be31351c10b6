"""Judge a recognised document before it is written: damaged input must never pass as converted.

A PDF that MuPDF had to repair, or whose pages' content could not be read in full, is reported;
when nothing at all could be read from such a file the document fails. A document with damaged
pages is written but not stamped up to date, so the next run tries it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document import DocResult
from ..labels import Flag


@dataclass
class Verdict:
    error: str | None = None  # the document fails with this reason
    warnings: list[str] = field(default_factory=list)  # document-level, beside the pages' own
    may_stamp: bool = True  # False: the next run retries the document


def _has_content(doc: DocResult) -> bool:
    return any(region.content.strip() or region.image_name for page in doc.pages for region in page.regions)


def judge_document(doc: DocResult, repair_note: str | None) -> Verdict:
    damaged = [page.index + 1 for page in doc.pages if Flag.DAMAGED in page.flags]
    if not _has_content(doc):
        if damaged or repair_note:
            reason = repair_note or next(w for p in doc.pages for w in p.warnings if "damaged" in w)
            return Verdict(error=f"nothing could be read: {reason}", may_stamp=False)
        return Verdict(warnings=["nothing was recognised on any page (blank or unreadable)"])
    warnings = [repair_note] if repair_note else []
    if damaged:
        warnings.append(
            f"{len(damaged)} of {len(doc.pages)} pages damaged (page "
            f"{', '.join(map(str, damaged[:10]))}); not marked up to date, the next run retries"
        )
    return Verdict(warnings=warnings, may_stamp=not damaged)
