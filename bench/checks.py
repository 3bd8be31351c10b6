"""The product's figure on the dev documents: `glmocr convert` as a user runs it, scored by
../shared/tools/checks.py (present / absent / order / heading / table / list unit checks).

    .venv/bin/python bench/checks.py [--text-layer auto off] [--keep DIR] [--notes] [-- EXTRA CONVERT FLAGS]

Converts ../shared/data/dev/pdf and ../shared/data/dev/scans once per text-layer mode (lite engine,
Markdown only, a fresh output folder each time) and prints checks.py's verdict for each mode.
Bars (issue 11): >= 0.85 of checks with --text-layer auto, >= 0.75 with off.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "dev"
CHECKS_TOOL = ROOT.parent / "shared" / "tools" / "checks.py"
BARS = {"auto": 0.85, "off": 0.75}


def convert(out: Path, text_layer: str, extra: list[str]) -> float:
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "glmocr_cli",
        "convert",
        str(DEV / "pdf"),
        str(DEV / "scans"),
        "-o",
        str(out),
        "--engine",
        "lite",
        "--text-layer",
        text_layer,
        "--format",
        "md,json",
        "--force",
        "--quiet",
        *extra,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"glmocr convert exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return time.perf_counter() - started


def score(out: Path, notes: bool) -> tuple[float, str]:
    command = [sys.executable, str(CHECKS_TOOL), str(out), *(["--notes"] if notes else [])]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    lines = done.stdout.strip().splitlines()
    last = lines[-1] if lines else done.stderr
    match = re.search(r"rate ([0-9.]+)", last)
    return (float(match.group(1)) if match else 0.0), done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-layer", nargs="+", default=["auto", "off"], choices=["auto", "off"])
    parser.add_argument("--keep", type=Path, help="write the outputs under this folder (one subfolder per mode)")
    parser.add_argument("--notes", action="store_true", help="print each failed check's note")
    parser.add_argument("extra", nargs="*", help="further `glmocr convert` flags, after --")
    args = parser.parse_args()
    if not DEV.is_dir() or not CHECKS_TOOL.is_file():
        print(f"skipped: {DEV} or {CHECKS_TOOL} not found")
        return 0
    verdicts = []
    with tempfile.TemporaryDirectory() as scratch:
        for mode in args.text_layer:
            out = (args.keep or Path(scratch)) / f"text-layer-{mode}"
            seconds = convert(out, mode, args.extra)
            rate, report = score(out, args.notes)
            print(f"--- --text-layer {mode} ({seconds:.0f} s) ---")
            print(report.rstrip())
            verdict = "PASS" if rate >= BARS[mode] else "FAIL"
            verdicts.append(f"BAR checks --text-layer {mode}: {rate:.3f} (bar >= {BARS[mode]}) {verdict}")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
