"""Folders of scanned documents for runs that a test interrupts, and reading a child's log lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers.factories import PARAGRAPH, render_to_image_pdf, text_pdf


def scanned_folder(tmp_path: Path, documents: int, pages: int = 2) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH]] * pages)
    for i in range(documents):
        render_to_image_pdf(born, src / f"scan{i}.pdf", dpi=100)
    return src


def wait_for_line(proc: subprocess.Popen, word: str) -> list[str]:
    lines = []
    while True:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"no line with {word!r}; got:\n{''.join(lines)}")
        lines.append(line)
        if word in line:
            return lines
