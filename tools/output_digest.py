"""Digest of what `glmocr convert` writes for the samples and the dev sets, to prove a refactoring byte-identical.

usage (from the project root):
    .venv/bin/python tools/output_digest.py DIGEST.txt [--sets samples,dev,dev2] [--work DIR] [--flags "..."]
    diff BEFORE.txt AFTER.txt        # empty when every Markdown, HTML and JSON output is the same

Each set is converted the way a user does (`glmocr convert SRC -o WORK/NAME`), then every Markdown and HTML
file is hashed as written and every JSON file with its `timings` objects dropped (wall-clock figures are the
one thing two identical runs differ in) and the checkout's path written `<checkout>` (so two clones compare). The dev sets are read from ../shared/data and skipped when absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = (ROOT.parent / "shared" / "data").resolve()  # a symlinked ../shared names inputs as the real path
SETS = {
    "samples": [ROOT / "samples"],
    "dev": [SHARED / "dev" / name for name in ("pdf", "scans", "tables", "receipts/img")],
    "dev2": [SHARED / "dev2" / name for name in ("tables", "forms", "formulas")],
}


def _without_timings(value: object) -> object:
    if isinstance(value, dict):
        return {key: _without_timings(item) for key, item in value.items() if key != "timings"}
    if isinstance(value, list):
        return [_without_timings(item) for item in value]
    return value


def file_digest(path: Path) -> str:
    data = path.read_bytes().replace(str(ROOT).encode(), b"<checkout>")  # JSON names the input by its path
    if path.suffix == ".json":
        # key order kept: it is output too
        data = json.dumps(_without_timings(json.loads(data)), ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def convert(source: Path, out: Path, flags: list[str]) -> None:
    glmocr = ROOT / ".venv" / "bin" / "glmocr"
    command = [str(glmocr), "convert", str(source), "-o", str(out), "--quiet", *flags]
    subprocess.run(command, check=False)  # a document that fails is part of the digest (no output), not an abort


def digest_lines(out: Path, set_name: str) -> list[str]:
    lines = []
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".html", ".json"} and ".glmocr" not in path.parts:
            lines.append(f"{file_digest(path)}  {set_name}/{path.relative_to(out)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("digest", type=Path, help="file to write the digest lines to")
    parser.add_argument("--sets", default="samples,dev,dev2", help="comma-separated: samples, dev, dev2")
    parser.add_argument("--work", type=Path, help="folder for the outputs (default: a new temporary folder)")
    parser.add_argument("--flags", default="", help="extra `glmocr convert` flags, e.g. '--text-layer off'")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="output-digest-"))
    lines: list[str] = []
    for set_name in args.sets.split(","):
        for source in SETS[set_name]:
            if not source.exists():
                print(f"skip {source} (absent)", file=sys.stderr)
                continue
            name = f"{set_name}-{source.name}"
            convert(source, work / name, shlex.split(args.flags))
            lines += digest_lines(work / name, name)
    args.digest.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} files digested into {args.digest} (outputs in {work})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
