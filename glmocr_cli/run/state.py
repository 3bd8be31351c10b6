"""Incremental runs: a document is skipped when its outputs are up to date.

Up to date means: a stamp written after the document's last output records the same input content
hash and the same fingerprint (engine, models, output-affecting options but the formats, tool
version), and every output it lists is still there. When only the formats differ, Markdown and HTML
are rebuilt from the stored NAME.json (run/rebuild.py).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..sources.discover import open_regular_file
from ..writers.atomic import write_atomic

STATE_DIR = ".glmocr"


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
    return out_dir / STATE_DIR / relative_path.with_name(relative_path.name + ".stamp.json")


def read_stamp(out_dir: Path, relative_path: Path) -> dict[str, Any] | None:
    try:
        stamp = json.loads(_stamp_path(out_dir, relative_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def stored_run_verdict(out_dir: Path, stamp: dict[str, Any] | None, sha256: str, print_: str, stem: Path,
                       formats: list[str]) -> str:
    """'current' (skip), 'formats' (only output formats are missing: rebuild them from the stored
    NAME.json) or 'redo' (recognise again).

    The fingerprint leaves the output formats out, so asking for another format never redoes
    recognition when the stored JSON can supply it."""
    if not stamp or stamp.get("sha256") != sha256 or stamp.get("fingerprint") != print_ \
            or stamp.get("stem") != stem.as_posix():
        return "redo"
    outputs = set(stamp.get("outputs", []))
    if not all((out_dir / p).is_file() for p in outputs):
        # A missing Markdown/HTML can be rebuilt; a missing crop or JSON cannot.
        wanted = {f"{stem.as_posix()}.{fmt}" for fmt in ("md", "html")}
        if not all((out_dir / p).is_file() for p in outputs - wanted):
            return "redo"
    requested = {f"{stem.as_posix()}.{fmt}" for fmt in formats}
    if all(p in outputs and (out_dir / p).is_file() for p in requested):
        return "current"
    json_output = f"{stem.as_posix()}.json"
    return "formats" if json_output in outputs and (out_dir / json_output).is_file() else "redo"


def write_stamp(out_dir: Path, relative_path: Path, sha256: str, print_: str, outputs: list[Path], *,
                stem: Path, pages: int, flags: list[str] | None = None) -> None:
    """Written after every output of a document, and only for a document converted in full.
    `flags`: its flagged pages, so --fail-on flagged also fails a rerun that skips it."""
    stamp = {"sha256": sha256, "fingerprint": print_, "stem": stem.as_posix(), "pages": pages,
             "outputs": sorted({p.relative_to(out_dir).as_posix() for p in outputs}), "flags": flags or []}
    write_atomic(_stamp_path(out_dir, relative_path), json.dumps(stamp, indent=1))


def remove_stamp(out_dir: Path, relative_path: Path) -> None:
    """A document that failed or has damaged pages must not look up to date, even after --force."""
    _stamp_path(out_dir, relative_path).unlink(missing_ok=True)


def stale_outputs(out_dir: Path, stamp: dict[str, Any] | None, written: list[Path]) -> list[Path]:
    """Crops and layout pictures the previous conversion of a document wrote and this one did not
    (the document changed): they would otherwise linger in images/ forever."""
    if not stamp:
        return []
    now = {p.relative_to(out_dir).as_posix() for p in written}
    return [out_dir / p for p in stamp.get("outputs", [])
            if p not in now and Path(p).parent.name in ("images", "layout")]


def stamped_flags(out_dir: Path, relative_path: Path) -> list[str]:
    """The flagged pages recorded when an up-to-date document was converted."""
    return list((read_stamp(out_dir, relative_path) or {}).get("flags", []))
