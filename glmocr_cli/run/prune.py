"""Outputs of inputs that no longer exist (deleted or renamed): named in every run, removed on --prune.

A stamp records its input's absolute path. A stamp that this run did not write or read, whose input
is gone, marks stale outputs. Only what such a stamp lists is considered, each entry checked like
any output path (writers/output_paths.py: under -o, the document's own NAME.* files or its
images/ and layout/ pictures), never a file another document's stamp also lists, and never a file
whose content is no longer what this tool wrote (hand-edited: kept and named).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..output_names import STATE_DIR
from ..writers.output_paths import OutputFolder
from .state import file_sha256


@dataclass
class StaleDocument:
    source: str  # the input that is gone
    stamp: Path
    outputs: list[Path] = field(default_factory=list)  # may be removed
    kept: list[Path] = field(default_factory=list)  # listed, but changed by hand or shared
    pruned: bool = False

    def to_json(self, out_dir: Path) -> dict:
        return {
            "input": self.source,
            "outputs": [p.relative_to(out_dir).as_posix() for p in self.outputs],
            "kept": [p.relative_to(out_dir).as_posix() for p in self.kept],
            "pruned": self.pruned,
        }


def _stamps(out_dir: Path) -> list[tuple[Path, dict]]:
    folder = OutputFolder(out_dir)
    state = folder.root / STATE_DIR
    if not state.is_dir() or state.is_symlink():
        return []
    found = []
    for dirpath, _dirnames, filenames in os.walk(state):  # symlinked folders are not followed
        for name in sorted(filenames):
            if not name.endswith(".stamp.json"):
                continue
            path = Path(dirpath) / name
            try:
                stamp = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(stamp, dict):
                found.append((path, stamp))
    return found


def find_stale(out_dir: Path, stamps_in_use: set[Path]) -> list[StaleDocument]:
    """Stamps not in stamps_in_use (this run's inputs) whose recorded input no longer exists."""
    folder = OutputFolder(out_dir)
    live_outputs: set[str] = set()
    gone: list[tuple[Path, dict]] = []
    for path, stamp in _stamps(out_dir):
        source = stamp.get("source")
        outputs = stamp.get("outputs")
        entries: list = outputs if isinstance(outputs, list) else []
        if path in stamps_in_use or not isinstance(source, str) or os.path.lexists(source):
            live_outputs.update(e for e in entries if isinstance(e, str))
        else:
            gone.append((path, stamp))
    stale = []
    for path, stamp in gone:
        doc = StaleDocument(stamp["source"], path)
        recorded = stamp.get("output_sha256")
        hashes: dict = recorded if isinstance(recorded, dict) else {}
        for entry in stamp["outputs"] if isinstance(stamp.get("outputs"), list) else []:
            target = folder.removable(entry, stamp.get("stem"), outputs_too=True)
            if target is None or not target.is_file() or target.is_symlink():
                continue
            unchanged = entry in hashes and _sha256_or_none(target) == hashes[entry]
            (doc.outputs if unchanged and entry not in live_outputs else doc.kept).append(target)
        stale.append(doc)
    return stale


def _sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def prune(stale: list[StaleDocument]) -> list[str]:
    """Remove the stale outputs and their stamps; the problems met, one line each."""
    problems = []
    for doc in stale:
        try:
            for path in doc.outputs:
                path.unlink(missing_ok=True)
            doc.stamp.unlink(missing_ok=True)
            doc.pruned = True
        except OSError as exc:
            problems.append(f"--prune: cannot remove {exc.filename}: {exc.strerror or exc}")
    return problems
