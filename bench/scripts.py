"""Multilingual OCR through `glmocr convert`, as a user runs it (issue 12's bars).

1. Generated pages (bench/script_pages.py: known text rendered with the Noto fonts at 200 DPI, saved
   as image-only PDFs) in Arabic, Korean, Russian, Greek, Hebrew, Hindi and Japanese: character NED
   <= 0.05 each, word-F1 >= 0.90 for the scripts written with spaces.
2. The two Arabic dev PDFs with --text-layer off: >= 0.80 of their checks (../shared/tools/checks.py).
3. A page in a script with no installed trained data (TESSDATA_PREFIX pointing at a folder without
   it): flagged unsupported-script, the warning naming the Debian package.
4. With --latin: the Latin dev PDFs with --text-layer off never reach Tesseract.

    PYTHONPATH=$PWD python bench/scripts.py [--latin] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "data" / "dev"
CHECKS_TOOL = ROOT.parent / "shared" / "tools" / "checks.py"

import script_pages as sp  # noqa: E402
from quality import counter_f1  # noqa: E402

from glmocr_cli import ocr_languages  # noqa: E402

NED_BAR, F1_BAR, CHECKS_BAR = 0.05, 0.90, 0.80
LATIN_DEV = ("2305.03393v1-pg9", "code_and_formula", "multi_page", "amt_handbook_sample")


def convert(inputs: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "glmocr_cli",
        "convert",
        str(inputs),
        "-o",
        str(out),
        "--engine",
        "lite",
        "--format",
        "md,json",
        "--force",
        *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})})


def plain(markdown: str) -> str:
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def words(text: str) -> Counter:
    return Counter(w for w in (t.strip(".,;:!?()[]«»\"'،؛。、") for t in text.split()) if w)


def word_f1(got: str, want: str) -> float:
    return counter_f1(words(got), words(want))


def generated_pages(work: Path) -> bool:
    pages = work / "pages"
    pages.mkdir()
    known = {}
    for name in sp.SAMPLES:
        page = sp.render_page(name, dpi=200)
        sp.save_pdf(page, pages / f"{name}.pdf")
        known[name] = " ".join(page.text.split())
    started = time.perf_counter()
    result = convert(pages, work / "out-pages", "--dpi", "200")
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stderr)
    ok = True
    print(f"generated pages, 200 DPI ({len(known)} pages in {elapsed:.1f} s through glmocr convert)")
    for name, want in known.items():
        md = work / "out-pages" / f"{name}.md"
        got = plain(md.read_text(encoding="utf-8")) if md.is_file() else ""
        data = json.loads((work / "out-pages" / f"{name}.json").read_text()) if md.is_file() else {"pages": [{}]}
        readers = sorted({r["stats"].get("reader", "pp-ocrv6") for p in data["pages"] for r in p.get("regions", [])})
        ned = Levenshtein.distance(got, want) / max(len(got), len(want), 1)
        f1 = word_f1(got, want)
        spaced = name in sp.SPACED
        passed = ned <= NED_BAR and (not spaced or f1 >= F1_BAR)
        ok &= passed
        f1_text = f"word-F1 {f1:.3f} (bar >= {F1_BAR})" if spaced else "word-F1 n/a (no spaces)"
        print(
            f"  {name:9s} NED {ned:.3f} (bar <= {NED_BAR})  {f1_text}  reader {','.join(readers)}  "
            f"{'PASS' if passed else 'FAIL'}"
        )
    return ok


def arabic_checks(work: Path) -> bool:
    sources = [DEV / "pdf" / f"right_to_left_0{k}.pdf" for k in (1, 2)]
    if not all(s.is_file() for s in sources) or not CHECKS_TOOL.is_file():
        print("arabic dev PDFs: skipped (../shared/data/dev or ../shared/tools/checks.py absent)")
        return True
    folder = work / "arabic"
    folder.mkdir()
    for source in sources:
        (folder / source.name).symlink_to(source)
    checks = work / "arabic-checks.jsonl"
    checks.write_text(
        "".join(
            line
            for line in (DEV / "checks.jsonl").read_text(encoding="utf-8").splitlines(True)
            if "right_to_left_0" in line
        ),
        encoding="utf-8",
    )
    result = convert(folder, work / "out-arabic", "--text-layer", "off")
    if result.returncode != 0:
        print(result.stderr)
    report = subprocess.run(
        [sys.executable, str(CHECKS_TOOL), str(work / "out-arabic"), "--checks", str(checks)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    last = report.stdout.strip().splitlines()[-1] if report.stdout.strip() else report.stderr
    match = re.search(r"checks: (\d+) passed of (\d+)", last)
    rate = int(match.group(1)) / int(match.group(2)) if match else 0.0
    print(f"arabic dev PDFs, --text-layer off: {last}")
    print(f"  rate {rate:.3f} (bar >= {CHECKS_BAR}) {'PASS' if rate >= CHECKS_BAR else 'FAIL'}")
    return rate >= CHECKS_BAR


def missing_pack(work: Path) -> bool:
    """A Korean page where only English (and OSD) trained data is installed."""
    source = ocr_languages.tessdata_dir()
    tessdata = work / "tessdata-eng-only"
    tessdata.mkdir()
    for name in ("eng", "osd"):
        if (source / f"{name}.traineddata").is_file():
            (tessdata / f"{name}.traineddata").symlink_to(source / f"{name}.traineddata")
    folder = work / "korean-only"
    folder.mkdir()
    sp.save_pdf(sp.render_page("korean"), folder / "korean.pdf")
    result = convert(folder, work / "out-missing", env={"TESSDATA_PREFIX": str(tessdata)})
    data = json.loads((work / "out-missing" / "korean.json").read_text())
    flagged = "unsupported-script" in data["pages"][0]["flags"]
    named = "apt-get install tesseract-ocr-kor" in result.stderr
    print(
        f"korean page without tesseract-ocr-kor: flagged {flagged}, package named {named} "
        f"{'PASS' if flagged and named else 'FAIL'}"
    )
    return flagged and named


def latin_pages(work: Path) -> bool:
    folder = work / "latin"
    folder.mkdir()
    for name in LATIN_DEV:
        if (DEV / "pdf" / f"{name}.pdf").is_file():
            (folder / f"{name}.pdf").symlink_to(DEV / "pdf" / f"{name}.pdf")
    convert(folder, work / "out-latin", "--text-layer", "off")
    used = []
    for path in sorted((work / "out-latin").glob("*.json")):
        data = json.loads(path.read_text())
        for page in data["pages"]:
            if "tesseract" in page["timings"] or any("reader" in r["stats"] for r in page["regions"]):
                used.append(f"{path.stem} p{page['index'] + 1}")
    pages = sum(len(json.loads(p.read_text())["pages"]) for p in (work / "out-latin").glob("*.json"))
    print(
        f"latin dev PDFs, --text-layer off: {pages} pages, Tesseract used on {len(used)} {used or ''} "
        f"{'PASS' if not used else 'FAIL'}"
    )
    return not used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latin", action="store_true", help="also check the Latin dev PDFs never reach Tesseract")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args()
    missing = ocr_languages.binding_missing()
    if missing or sp.fonts_missing():
        print(f"cannot run: {missing or ''} {' '.join(sp.fonts_missing())} (see README: multilingual OCR)")
        return 1
    print(f"tesseract languages: {', '.join(ocr_languages.installed_languages())}")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = [generated_pages(work), arabic_checks(work), missing_pack(work)]
        if args.latin:
            results.append(latin_pages(work))
    print("scripts bench:", "PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
