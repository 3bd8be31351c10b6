"""Pages per second of the lite engine on the dev PDFs, and where the time goes.

    .venv/bin/python bench/throughput.py [--dpi 200] [--exclude STEM ...] [--layout-source cdla|doclaynet|auto]

To compare with an older version, run this same script with that version's package first on
PYTHONPATH (e.g. a `git worktree` of it), in the same quiet session.

Runs the real batch converter (worker processes, writers and all) on ../shared/data/dev/pdf/ with
`--text-layer off` and 1 then 2 workers, then `--text-layer auto` with 2 workers. Prints pages/s,
the ratio of 2 workers to 1, the peak RSS of the whole process tree, and the split of the time by
stage (summed over workers, as a share of workers x wall time). Model inference is layout, text
detection, text recognition, orientation and table models; everything else should stay under 10%.
Bars: >= 0.5 pages/s with 2 workers (OCR), >= 5 pages/s with --text-layer auto, peak RSS < 2 GiB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from glmocr_cli.api import convert
from glmocr_cli.config import Settings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "pdf"
INFERENCE = ("layout", "text_detection", "text_recognition", "recognize_table")


class PeakRss:
    """Samples the RSS of this process and its children (the workers) every 50 ms."""

    def __init__(self):
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run(label: str, settings: Settings, inputs: list[Path]) -> float:
    out = Path(tempfile.mkdtemp(prefix="glmocr-bench-"))
    try:
        with PeakRss() as rss:
            started = time.perf_counter()
            report = convert([str(p) for p in inputs], out, settings)
            wall = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    pages = sum(o.pages for o in report.outcomes)
    failed = [o for o in report.outcomes if o.status != "converted"]
    totals: dict[str, float] = {}
    for outcome in report.outcomes:
        for key, seconds in outcome.timings.items():
            totals[key] = totals.get(key, 0.0) + seconds
    busy = wall * settings.effective_workers()
    ocr_glue = totals.get("ocr", 0.0) - totals.get("text_detection", 0.0) - totals.get("text_recognition", 0.0)
    split = {k: v for k, v in totals.items() if k != "ocr" and v > 0}
    split["ocr_glue (crops, orientation)"] = max(0.0, ocr_glue)
    inference = sum(totals.get(k, 0.0) for k in INFERENCE)
    print(
        f"\n{label}: {pages} pages in {wall:.1f} s = {pages / wall:.3f} pages/s; peak RSS {rss.peak / 2**30:.2f} GiB"
        + (f"; FAILED {[(o.path.name, o.error) for o in failed]}" if failed else "")
    )
    for key, seconds in sorted(split.items(), key=lambda kv: -kv[1]):
        print(f"    {key:32s} {seconds:7.2f} s  {100 * seconds / busy:5.1f}%")
    print(
        f"    {'model inference':32s} {inference:7.2f} s  {100 * inference / busy:5.1f}%;"
        f" everything else {100 * (1 - inference / busy):5.1f}% (bar < 10%)"
    )
    return pages / wall


CONFIGS = {
    "ocr1": ("OCR, 1 worker", dict(text_layer="off", workers=1)),
    "ocr2": ("OCR, 2 workers", dict(text_layer="off", workers=2)),
    "auto2": ("text layer, 2 workers", dict(text_layer="auto", workers=2)),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--config", choices=CONFIGS, help="run one configuration in this process (internal)")
    parser.add_argument(
        "--exclude",
        nargs="*",
        default=[],
        metavar="STEM",
        help="leave these dev PDFs out (to compare like with like across versions)",
    )
    parser.add_argument("--layout-source", help="the lite layout model (default: the settings' default)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    if args.config:
        label, options = CONFIGS[args.config]
        inputs = [p for p in sorted(DATA.glob("*.pdf")) if p.stem not in args.exclude]
        source = {"layout_source": args.layout_source} if args.layout_source else {}
        rate = run(label, Settings(engine="lite", dpi=args.dpi, force=True, **source, **options), inputs)
        print(f"RATE {rate}")
        return 0
    # Each configuration in a fresh process, so one run's loaded models do not count in the next's RSS.
    rates = {}
    for name in CONFIGS:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--dpi",
                str(args.dpi),
                "--config",
                name,
                *(["--layout-source", args.layout_source] if args.layout_source else []),
                "--exclude",
                *args.exclude,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        print(done.stdout.rsplit("RATE", 1)[0].rstrip())
        rates[name] = float(done.stdout.rsplit("RATE", 1)[1])
    print(f"\n2 workers / 1 worker: {rates['ocr2'] / rates['ocr1']:.2f}x")
    print(
        f"bars: OCR 2 workers {rates['ocr2']:.3f} pages/s (>= 0.5) {'PASS' if rates['ocr2'] >= 0.5 else 'FAIL'}; "
        f"text layer {rates['auto2']:.2f} pages/s (>= 5) {'PASS' if rates['auto2'] >= 5 else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
