"""Incremental runs: a document is skipped when its outputs are up to date.

Up to date means: a stamp written after the document's last output records the same input content
hash and the same fingerprint (engine, models, output-affecting options, tool version), and every
output it lists is still there.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..writers.atomic import write_atomic

STATE_DIR = ".glmocr"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(engine: dict[str, Any], options: dict[str, Any]) -> str:
    payload = json.dumps({"engine": engine, "options": options, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _stamp_path(out_dir: Path, relative_path: Path) -> Path:
    return out_dir / STATE_DIR / relative_path.with_name(relative_path.name + ".stamp.json")


def is_up_to_date(out_dir: Path, relative_path: Path, sha256: str, print_: str) -> bool:
    path = _stamp_path(out_dir, relative_path)
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (stamp.get("sha256") == sha256 and stamp.get("fingerprint") == print_
            and all((out_dir / p).is_file() for p in stamp.get("outputs", [])))


def write_stamp(out_dir: Path, relative_path: Path, sha256: str, print_: str, outputs: list[Path],
                flags: list[str] | None = None) -> None:
    stamp = {"sha256": sha256, "fingerprint": print_,
             "outputs": sorted(p.relative_to(out_dir).as_posix() for p in outputs), "flags": flags or []}
    write_atomic(_stamp_path(out_dir, relative_path), json.dumps(stamp, indent=1))


def stamped_flags(out_dir: Path, relative_path: Path) -> list[str]:
    """The flagged pages recorded when an up-to-date document was converted (--fail-on flagged
    must not pass a rerun that skips it)."""
    try:
        return list(json.loads(_stamp_path(out_dir, relative_path).read_text(encoding="utf-8")).get("flags", []))
    except (OSError, ValueError):
        return []
