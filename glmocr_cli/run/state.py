"""Incremental runs: a document is skipped when its outputs are up to date.

Up to date means: a stamp written after the document's last output records the same input content
hash and the same fingerprint (engine, models, output-affecting options but the formats, tool
version), and every output it lists is still there. When only the formats differ, Markdown and HTML
are rebuilt from the stored NAME.json (run/rebuild.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..sources.discover import open_regular_file
from ..writers.atomic import write_atomic
from ..writers.output_paths import OutputFolder, UnsafeOutputPath


def file_sha256(path: Path) -> str:
    """The content hash; a FIFO or device raises OSError instead of blocking or reading forever."""
    digest = hashlib.sha256()
    with open_regular_file(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(engine: dict[str, Any], options: dict[str, Any]) -> str:
    payload = json.dumps({"engine": engine, "options": options, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _stamp_path(out_dir: Path, relative_path: Path) -> Path:
    return OutputFolder(out_dir).stamp(relative_path)


def read_stamp(out_dir: Path, relative_path: Path) -> dict[str, Any] | None:
    try:
        stamp = json.loads(_stamp_path(out_dir, relative_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # UnsafeOutputPath too: a .glmocr/ that leads elsewhere
        return None
    return stamp if isinstance(stamp, dict) else None


def _intact(folder: OutputFolder, stamp: dict[str, Any], entry: str) -> bool:
    """The output is there, and (when the stamp says what it held) holds what this tool wrote."""
    path = folder.from_stamp(entry)
    if path is None or not path.is_file():
        return False
    recorded = stamp.get("output_sha256")
    if not isinstance(recorded, dict) or entry not in recorded:
        return True  # a stamp from before hashes were recorded
    try:
        return file_sha256(path) == recorded[entry]
    except OSError:
        return False


def stored_run_verdict(
    out_dir: Path, stamp: dict[str, Any] | None, sha256: str, print_: str, stem: Path, formats: list[str]
) -> str:
    """'current' (skip), 'formats' (only output formats are missing or hand-changed: rebuild them
    from the stored NAME.json) or 'redo' (recognise again).

    The fingerprint leaves the output formats out, so asking for another format never redoes
    recognition when the stored JSON can supply it. An output whose content differs from what was
    written (hand-edited, truncated) counts as missing."""
    if (
        not stamp
        or stamp.get("sha256") != sha256
        or stamp.get("fingerprint") != print_
        or stamp.get("stem") != stem.as_posix()
    ):
        return "redo"
    folder = OutputFolder(out_dir)
    entries = stamp.get("outputs", [])
    if not isinstance(entries, list) or any(folder.from_stamp(p) is None for p in entries):
        return "redo"  # a stamp naming a path outside -o was not written by this tool
    outputs = set(entries)
    broken = {p for p in outputs if not _intact(folder, stamp, p)}
    # A missing Markdown/HTML can be rebuilt; a missing crop or JSON cannot.
    wanted = {folder.relative(folder.output(stem, fmt)) for fmt in ("md", "html")}
    if broken - wanted:
        return "redo"
    requested = {folder.relative(folder.output(stem, fmt)) for fmt in formats}
    if all(p in outputs and p not in broken for p in requested):
        return "current"
    json_output = folder.relative(folder.output(stem, "json"))
    return "formats" if json_output in outputs and json_output not in broken else "redo"


def intact_outputs(out_dir: Path, stamp: dict[str, Any]) -> list[Path]:
    """The stamp's outputs that are still as this tool wrote them."""
    folder = OutputFolder(out_dir)
    return [folder.checked(p) for p in stamp.get("outputs", []) if _intact(folder, stamp, p)]


def write_stamp(
    out_dir: Path,
    relative_path: Path,
    sha256: str,
    print_: str,
    outputs: list[Path],
    *,
    stem: Path,
    pages: int,
    flags: list[str] | None = None,
    source: Path | None = None,
) -> None:
    """Written after every output of a document, and only for a document converted in full.
    `flags`: its flagged pages, so --fail-on flagged also fails a rerun that skips it.
    `output_sha256`: what each output held, so a hand-changed one is not taken as up to date.
    `source`: the input's absolute path, so outputs of inputs that are gone can be named (prune.py)."""
    folder = OutputFolder(out_dir)
    names = sorted({folder.relative(p) for p in outputs})
    stamp = {
        "sha256": sha256,
        "fingerprint": print_,
        "stem": stem.as_posix(),
        "pages": pages,
        "outputs": names,
        "flags": flags or [],
        "output_sha256": {name: file_sha256(folder.checked(name)) for name in names},
        "source": os.path.abspath(source) if source is not None else None,
    }
    write_atomic(folder.stamp(relative_path), json.dumps(stamp, indent=1))


def remove_stamp(out_dir: Path, relative_path: Path) -> None:
    """A document that failed or has damaged pages must not look up to date, even after --force."""
    with contextlib.suppress(UnsafeOutputPath):
        _stamp_path(out_dir, relative_path).unlink(missing_ok=True)


def stale_outputs(out_dir: Path, stamp: dict[str, Any] | None, written: list[Path]) -> list[Path]:
    """Crops and layout pictures the previous conversion of a document wrote and this one did not
    (the document changed): they would otherwise linger in images/ forever. Only entries of the
    document's own images/ and layout/ under -o: a stamp is data, never a trusted path."""
    if not stamp or not isinstance(stamp.get("outputs"), list):
        return []
    folder = OutputFolder(out_dir)
    now = {folder.relative(p) for p in written}
    removable = (folder.removable(p, stamp.get("stem")) for p in stamp["outputs"] if p not in now)
    return [p for p in removable if p is not None]


def stamped_flags(out_dir: Path, relative_path: Path) -> list[str]:
    """The flagged pages recorded when an up-to-date document was converted."""
    return list((read_stamp(out_dir, relative_path) or {}).get("flags", []))
