"""pymupdf4llm (with and without pymupdf.layout's ONNX layout model) against our lite engine, as
components on the dev PDFs, scored by ../shared/tools/checks.py on the PDF checks only.

    .venv/bin/python bench/pymupdf4llm_compare.py [--ours DIR_AUTO DIR_OFF] [--keep DIR]

pymupdf4llm reads the text layer only (no OCR here: `use_ocr=False`); `--ours` scores folders that
bench/checks.py --keep wrote (text-layer-auto, text-layer-off) on the same checks. Prints one
line per document and system (passed/total) and the totals.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "dev"
CHECKS_TOOL = ROOT.parent / "shared" / "tools" / "checks.py"


def convert_with_pymupdf4llm(out: Path, layout: bool) -> float:
    import pymupdf4llm

    pymupdf4llm.use_layout(layout)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for pdf in sorted((DEV / "pdf").glob("*.pdf")):
        try:
            chunks = pymupdf4llm.to_markdown(str(pdf), page_chunks=True, use_ocr=False)
        except TypeError:  # older signature without use_ocr
            chunks = pymupdf4llm.to_markdown(str(pdf), page_chunks=True)
        if isinstance(chunks, str):  # layout mode may return one string for the document
            text = chunks
        else:
            text = "\n\n".join(
                f"<!-- page {k + 1} -->\n\n{c['text']}" if k else c["text"] for k, c in enumerate(chunks)
            )
        (out / f"{pdf.stem}.md").write_text(text, encoding="utf-8")
    return time.perf_counter() - started


def score(out: Path, checks: Path) -> dict[str, tuple[int, int]]:
    done = subprocess.run(
        [sys.executable, str(CHECKS_TOOL), str(out), "--checks", str(checks)], capture_output=True, text=True, cwd=ROOT
    )
    failed: dict[str, int] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"FAIL (\S+)-\d+ ", line)
        if match:
            failed[match.group(1)] = failed.get(match.group(1), 0) + 1
    totals: dict[str, int] = {}
    for line in checks.read_text().splitlines():
        doc = Path(json.loads(line)["doc"]).stem
        totals[doc] = totals.get(doc, 0) + 1
    return {doc: (total - failed.get(doc, 0), total) for doc, total in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", nargs="*", type=Path, default=[], help="output folders of our converter")
    parser.add_argument("--keep", type=Path, help="write pymupdf4llm's Markdown under this folder")
    args = parser.parse_args()
    if not DEV.is_dir() or not CHECKS_TOOL.is_file():
        print(f"skipped: {DEV} or {CHECKS_TOOL} not found")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        checks = Path(scratch) / "pdf_checks.jsonl"
        checks.write_text(
            "".join(
                line + "\n"
                for line in (DEV / "checks.jsonl").read_text().splitlines()
                if json.loads(line)["doc"].startswith("pdf/")
            )
        )
        systems: dict[str, dict[str, tuple[int, int]]] = {}
        for layout in (False, True):
            name = "pymupdf4llm+layout" if layout else "pymupdf4llm"
            seconds = convert_with_pymupdf4llm(base / name, layout)
            systems[f"{name} ({seconds:.1f} s)"] = score(base / name, checks)
        for folder in args.ours:
            systems[f"ours:{folder.name}"] = score(folder, checks)
    docs = sorted(next(iter(systems.values())))
    print(f"{'document':24s} " + " ".join(f"{name[:26]:>26s}" for name in systems))
    for doc in docs:
        print(f"{doc[:24]:24s} " + " ".join(f"{'%d/%d' % result[doc]:>26s}" for result in systems.values()))
    print(
        f"{'all PDF checks':24s} "
        + " ".join(
            f"{'%d/%d' % (sum(p for p, _ in r.values()), sum(t for _, t in r.values())):>26s}" for r in systems.values()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
