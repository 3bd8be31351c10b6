"""The demo never regresses: `samples/` converted as `make demo` does (lite engine) gives the Markdown
kept in tests/golden/, byte for byte. A change that moves it on purpose rewrites them with
`pytest tests/test_golden.py --update-golden`, and the diff is reviewed like code."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import SAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden"
DOCUMENTS = sorted(p.stem for p in SAMPLES.iterdir() if p.suffix.lower() in (".pdf", ".tiff", ".jpg", ".png"))


@pytest.mark.parametrize("stem", DOCUMENTS)
def test_samples_markdown_matches_golden(stem, samples_converted, update_golden):
    produced = (samples_converted / f"{stem}.md").read_text(encoding="utf-8")
    golden = GOLDEN / f"{stem}.md"
    if update_golden:
        golden.write_text(produced, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}")
    assert golden.is_file(), f"no golden file for {stem}: run pytest {__file__} --update-golden"
    assert produced == golden.read_text(encoding="utf-8"), (
        f"samples/{stem} converts differently from tests/golden/{stem}.md (if on purpose: --update-golden)"
    )


def test_demo_formula_is_whole():
    """What the README promises of `make demo`: the growth formula whole, with its number, no heading."""
    report = (GOLDEN / "report.md").read_text(encoding="utf-8")
    assert "$$\nL(t + n) = L(t)(1 + r)^{n} \\tag{1}\n$$" in report
    assert "#### L(t" not in report and "$$\n+ n)" not in report
