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
from ..writers.outputs import output_stem, write_formats


def load_stored_document(out_dir: Path, stem: Path) -> DocResult:
    path = out_dir / f"{stem.as_posix()}.json"
    doc = load_document(json.loads(path.read_text(encoding="utf-8")))
    doc.output_stem = stem
    images = output_stem(out_dir, doc).parent / "images"
    for page in doc.pages:
        for region in page.regions:
            if region.image_name and (images / region.image_name).is_file():
                region.image_png = (images / region.image_name).read_bytes()
    return doc


def rebuild_formats(out_dir: Path, stamp: dict[str, Any], formats: list[str], *,
                    keep_furniture: bool) -> tuple[DocResult, list[Path]]:
    """Write the requested formats but JSON (which is the source) from the stored document; return
    it and every output the document now has (for the new stamp)."""
    stem = Path(stamp["stem"])
    doc = load_stored_document(out_dir, stem)
    written = write_formats(doc, out_dir, [fmt for fmt in formats if fmt != "json"], keep_furniture=keep_furniture)
    kept = [out_dir / p for p in stamp.get("outputs", []) if (out_dir / p).is_file()]
    return doc, sorted(set(kept) | set(written))
