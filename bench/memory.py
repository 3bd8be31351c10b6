"""Peak RSS of a 2-worker run does not grow with the number of pages.

    .venv/bin/python bench/memory.py [--pages 60]

Builds one long PDF by repeating the dev pages (image-only, so every page is OCR'd), converts it
with 2 workers, and samples the RSS of the whole process tree (main + workers) every 50 ms. Prints
the peak during the first 10 pages and over the whole run. Bar: under 2 GiB, flat in pages.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pymupdf

from glmocr_cli.api import convert
from glmocr_cli.config import Settings
from glmocr_cli.run.batch import Reporter

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "pdf"


def long_scan(path: Path, pages: int) -> Path:
    """A long image-only PDF from the dev pages (200 DPI pictures, no text layer)."""
    sources = [pymupdf.open(p) for p in sorted(DATA.glob("*.pdf"))]
    flat = [(doc, i) for doc in sources for i in range(doc.page_count)]
    out = pymupdf.open()
    for k in range(pages):
        doc, i = flat[k % len(flat)]
        pix = doc[i].get_pixmap(dpi=200)
        page = out.new_page(width=doc[i].rect.width, height=doc[i].rect.height)
        page.insert_image(page.rect, stream=pix.tobytes("jpeg"))
    out.save(path)
    return path


class Sampler(Reporter):
    def __init__(self):
        self.pages, self.peak, self.peak_first10 = 0, 0, 0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def pages_done(self, count: int) -> None:
        self.pages += count

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                rss = sum(p.memory_info().rss for p in [me, *me.children(recursive=True)])
            except psutil.Error:
                continue
            self.peak = max(self.peak, rss)
            if self.pages < 10:
                self.peak_first10 = max(self.peak_first10, rss)
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    work = Path(tempfile.mkdtemp(prefix="glmocr-mem-"))
    try:
        pdf = long_scan(work / "long.pdf", args.pages)
        sampler = Sampler()
        started = time.perf_counter()
        report = convert([pdf], work / "out", Settings(engine="lite", workers=2, text_layer="off"), reporter=sampler)
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    gib = 2**30
    print(
        f"{args.pages} pages, 2 workers, {wall:.0f} s ({args.pages / wall:.2f} pages/s), status "
        f"{report.outcomes[0].status}"
    )
    print(
        f"peak RSS (main + workers): first 10 pages {sampler.peak_first10 / gib:.2f} GiB; whole run "
        f"{sampler.peak / gib:.2f} GiB (bar < 2 GiB, flat): {'PASS' if sampler.peak < 2 * gib else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
