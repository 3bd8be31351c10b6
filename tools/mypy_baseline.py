"""mypy against a recorded baseline: the errors in tools/mypy-baseline.txt may only shrink.

    python tools/mypy_baseline.py            # fails (exit 1) on an error the baseline does not hold
    python tools/mypy_baseline.py --update   # rewrites the baseline from today's errors (after fixing some)

An error is keyed by its file's name (not its folder: a module moved to another package keeps its
errors), code and message, without the line number, so that edits elsewhere in a file do not move it. A new error, or one more of a kind in a file, fails the check;
an error fixed is reported so the baseline can be shrunk with --update.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tools" / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<file>[^:]+):\d+(?::\d+)?: error: (?P<message>.*?)\s*(?:\[(?P<code>[a-z-]+)\])?$")


def run_mypy() -> tuple[list[str], int]:
    """mypy with the settings of pyproject.toml; returns its error lines and exit code."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-pretty", "--show-error-codes", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.exit(f"mypy failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return [line for line in proc.stdout.splitlines() if ERROR.match(line)], proc.returncode


def key(line: str) -> str:
    m = ERROR.match(line)
    assert m is not None
    return f"{Path(m['file']).name}: [{m['code'] or '-'}] {m['message']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="write today's errors as the new baseline")
    args = parser.parse_args()
    lines, _ = run_mypy()
    now = Counter(key(line) for line in lines)
    if args.update:
        BASELINE.write_text("".join(f"{k}\n" for k in sorted(now.elements())))
        print(f"mypy baseline: {sum(now.values())} errors written to {BASELINE.relative_to(ROOT)}")
        return 0
    before = Counter(BASELINE.read_text().splitlines()) if BASELINE.exists() else Counter()
    new = now - before
    fixed = before - now
    if new:
        print(f"mypy: {sum(new.values())} new error(s) not in {BASELINE.relative_to(ROOT)}:")
        for line in lines:
            if new[key(line)] > 0:
                print("  " + line)
        print("Fix them (the baseline may only shrink).")
        return 1
    note = f"; {sum(fixed.values())} fixed: run `python tools/mypy_baseline.py --update`" if fixed else ""
    print(f"mypy: {sum(now.values())} errors, none new (baseline {sum(before.values())}){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
