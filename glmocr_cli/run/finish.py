"""One document's pipeline after recognition, the same for the batch runner and the library API:
refine (every refine/ step) -> judge (run/damage.py: damaged or empty input) -> --extract key values.
Writing and stamping are the batch runner's (run/batch.py); api.convert_document writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import ConfigError, Settings
from ..document import DocResult
from ..refine import refine_document
from .damage import Verdict, judge_document

KeyExtractor = Callable[[DocResult], dict]


@dataclass
class FinishedDocument:
    doc: DocResult  # refined; the verdict's warnings lead the first page's; key_values set with --extract
    verdict: Verdict  # verdict.error: the document fails (nothing is written for it)


def key_extractor(settings: Settings) -> KeyExtractor | None:
    """NAME.kv.json from a DocResult: the lite engine reads layout and text; the glm engine's
    answers (asked per page in the workers) are merged. settings.engine is the resolved engine."""
    if not settings.extract:
        return None
    from ..extract import extract_key_values, merge_model_answers, parse_key_spec

    try:
        keys = parse_key_spec(settings.extract)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--extract {settings.extract}: {exc}") from None
    if settings.engine == "glm":
        return lambda doc: merge_model_answers(doc, [key.name for key in keys])
    return lambda doc: extract_key_values(doc, keys)


class DocumentFinisher:
    """finish_document with the --extract keys read once for a whole batch (ConfigError up front)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.extract = key_extractor(settings)

    def __call__(self, doc: DocResult, repair_note: str | None = None) -> FinishedDocument:
        refine_document(doc, self.settings.label_tasks())  # document-level fix-ups, both engines
        verdict = judge_document(doc, repair_note)
        if verdict.error:
            return FinishedDocument(doc, verdict)
        if doc.pages and verdict.warnings:  # document-level warnings go into NAME.json with the first page's
            doc.pages[0].warnings[:0] = verdict.warnings
        doc.key_values = self.extract(doc) if self.extract else None
        return FinishedDocument(doc, verdict)


def finish_document(doc: DocResult, settings: Settings, repair_note: str | None = None) -> FinishedDocument:
    """Refine, judge and extract one recognised document (settings.engine resolved, not "auto").
    repair_note: MuPDF's note when it had to rebuild a damaged file."""
    return DocumentFinisher(settings)(doc, repair_note)
