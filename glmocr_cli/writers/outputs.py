"""Write one converted document: NAME.md / .json / .html, figure crops, layout PNGs, NAME.kv.json.

Every file is written atomically; the up-to-date stamp (see run/state.py) is written after all of
them, so an interrupted document is simply redone by the next run.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..document import DocResult
from .atomic import write_atomic
from ..output_names import output_stem_for
from .output_paths import OutputFolder


def output_stem(out_dir: Path, doc: DocResult) -> Path:
    """OUT/sub/folder/name (no suffix): mirrors the input tree, keeps the input's name (and its
    extension when another input shares the name: see sources/discover.py output_stems)."""
    return out_dir / document_stem(doc)


def document_stem(doc: DocResult) -> Path:
    """The outputs' path under -o without suffix, made safe (output_names.py)."""
    return doc.output_stem or output_stem_for(doc.relative_path)


def write_document(
    doc: DocResult, out_dir: Path, formats: list[str], *, keep_furniture: bool = False, key_values: dict | None = None
) -> list[Path]:
    folder = OutputFolder(out_dir)
    stem = document_stem(doc)
    written: list[Path] = []
    # Crops live in images/ beside the document, prefixed with its name so documents can share it.
    for page in doc.pages:
        for region in page.regions:
            if region.image_png is not None:
                assert region.image_name is not None  # the engines name every crop they make
                region.image_name = folder.crop_name(stem, region.image_name)
                path = folder.crop(stem, region.image_name)
                write_atomic(path, region.image_png)
                written.append(path)
        if page.layout_vis_png is not None:
            path = folder.layout_picture(stem, page.index)
            write_atomic(path, page.layout_vis_png)
            written.append(path)

    written += write_formats(doc, out_dir, formats, keep_furniture=keep_furniture)
    if key_values is not None:
        path = folder.output(stem, "kv.json")
        write_atomic(path, json.dumps(key_values, ensure_ascii=False, indent=2) + "\n")
        written.append(path)
    return written


def write_formats(doc: DocResult, out_dir: Path, formats: list[str], *, keep_furniture: bool = False) -> list[Path]:
    """NAME.md / .json / .html; the crops they point to are written by write_document."""
    from ..assemble.html import render_html
    from ..assemble.json_doc import render_json
    from ..assemble.markdown import render_markdown

    folder = OutputFolder(out_dir)
    stem = document_stem(doc)
    renderers = {
        "md": lambda: render_markdown(doc, image_dir="images", keep_furniture=keep_furniture),
        "json": lambda: render_json(doc),
        "html": lambda: render_html(doc, keep_furniture=keep_furniture),
    }
    written = []
    for fmt in formats:
        path = folder.output(stem, fmt)
        write_atomic(path, renderers[fmt]())
        written.append(path)
    return written
