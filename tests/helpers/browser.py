"""A real browser for the tests that judge what a reader sees: Debian's chromium driven by playwright,
KaTeX (from the npm registry, unpacked into tests/.katex by .ci/run) to render LaTeX the way the field
compares formulas. Absent here: the tests skip; under CI (CI=true) they fail, since CI installs them."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

KATEX = Path(__file__).resolve().parents[1] / ".katex"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing under CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def launch():
    """(playwright, browser): the caller closes both."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright")
    executable = next((p for p in CHROMIUM if Path(p).is_file()), None) or shutil.which("chromium")
    if executable is None:
        _missing("chromium")
    driver = sync_playwright().start()
    try:
        browser = driver.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--allow-file-access-from-files"]
        )
    except Exception:
        driver.stop()
        raise
    return driver, browser


class KatexRenderer:
    """Renders LaTeX with KaTeX (display mode) in one page; `ink` gives the rendering as a grey array
    cropped to its ink, so two sources are compared by what they show."""

    def __init__(self, browser, folder: Path):
        if not (KATEX / "katex.min.js").is_file():
            _missing("KaTeX (tests/.katex)")
        page = folder / "katex.html"  # a file:// page, so that KaTeX's CSS may load its fonts from files
        page.write_text(
            f'<!DOCTYPE html><html><head><link rel="stylesheet" href="{(KATEX / "katex.min.css").as_uri()}">'
            f'<script src="{(KATEX / "katex.min.js").as_uri()}"></script></head>'
            '<body style="margin:0;background:#fff"><div id="f" style="display:inline-block;'
            'padding:8px;font-size:20px"></div></body></html>',
            encoding="utf-8",
        )
        self.page = browser.new_page(device_scale_factor=2)
        self.page.goto(page.as_uri())
        self.page.wait_for_function("window.katex !== undefined")

    def ink(self, latex: str) -> np.ndarray:
        self.page.evaluate(
            f"katex.render({json.dumps(latex)}, document.getElementById('f'), "
            "{displayMode: true, throwOnError: true})"
        )
        self.page.evaluate("document.fonts.ready.then(() => true)")
        png = self.page.locator("#f").screenshot()
        grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
        rows, cols = np.where(grey < 200)
        return grey[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def renders_alike(a: np.ndarray, b: np.ndarray, tolerance: float = 0.03) -> bool:
    """Same ink box (within 2 px) and nearly the same pixels over it."""
    if abs(a.shape[0] - b.shape[0]) > 2 or abs(a.shape[1] - b.shape[1]) > 2:
        return False
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    return float(np.abs(a[:h, :w] - b[:h, :w]).mean()) / 255 < tolerance
