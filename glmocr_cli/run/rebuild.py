"""Rebuild Markdown and HTML from a document's stored NAME.json, without recognising it again.

Used when a rerun differs from the stored one only in its output formats (or a Markdown/HTML file
was deleted): recognition is the expensive part, and NAME.json holds everything the renderers read.
Figure crops are read back from images/ for the HTML, which embeds them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..assemble.json_doc import load_document
from ..document import DocResult
from ..writers.output_paths import OutputFolder
from ..writers.outputs import write_formats
from .state import intact_outputs


def load_stored_document(out_dir: Path, stem: Path) -> DocResult:
    folder = OutputFolder(out_dir)
    path = folder.output(stem, "json")
    doc = load_document(json.loads(path.read_text(encoding="utf-8")))
    doc.output_stem = stem
    for page in doc.pages:
        for region in page.regions:
            if not region.image_name:
                continue
            crop = folder.crop(stem, region.image_name)  # the stored JSON is data too: checked
            if crop.is_file():
                region.image_png = crop.read_bytes()
    return doc


def rebuild_formats(
    out_dir: Path, stamp: dict[str, Any], formats: list[str], *, keep_furniture: bool
) -> tuple[DocResult, list[Path]]:
    """Write the requested formats but JSON (which is the source) from the stored document; return
    it and every output the document now has (for the new stamp)."""
    stem = Path(stamp["stem"])
    doc = load_stored_document(out_dir, stem)
    written = write_formats(doc, out_dir, [fmt for fmt in formats if fmt != "json"], keep_furniture=keep_furniture)
    kept = intact_outputs(out_dir, stamp)  # a hand-changed file is not vouched for again
    return doc, sorted(set(kept) | set(written))
