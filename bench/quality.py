"""OCR accuracy of the lite engine on real pages, against each page's own PDF text layer.

    .venv/bin/python bench/quality.py [--dpi 200] [--text-layer auto off]

Every page of ../shared/data/dev/pdf/ is converted through the library's `convert_document` (what
`glmocr convert` runs, refine/ included) once per text-layer mode (`auto`: the PDF's own text layer
where it has one; `off`: OCR only); the text of the JSON regions (text, tables without tags, and the OCR lines kept with figures and
formulas; headers and footers included) is compared with the text layer:
  - bag-of-words F1 (NFKC, whitespace tokens, as multisets)
  - normalised edit distance with whitespace removed (the text layer in its natural order)
Bars: Latin-script pages average F1 >= 0.97, NED <= 0.05 on average and <= 0.15 on every page;
non-Latin pages (right_to_left_*) are reported; with `off` they must come out flagged (the lite
recogniser cannot read Arabic). Whether a garbled text layer is detected is engineer h12's.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pymupdf
from rapidfuzz.distance import Levenshtein

from glmocr_cli.api import convert_document
from glmocr_cli.config import Settings
from glmocr_cli.document import PageResult, Task
from glmocr_cli.scripts import dominant_script

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "pdf"


def region_text(page: PageResult) -> str:
    parts = []
    for region in page.ordered_regions():
        if region.task in (Task.SKIP, Task.FORMULA) or not region.content:
            parts.append(" ".join(line.text for line in region.lines))
        elif region.task is Task.TABLE:
            parts.append(re.sub(r"<[^>]+>", " ", region.content))
        else:
            parts.append(region.content)
    return " ".join(parts)


def words(text: str) -> Counter:
    return Counter(unicodedata.normalize("NFKC", text).split())


def counter_f1(predicted: Counter, reference: Counter) -> float:
    """F1 of two bags of tokens (bench/scripts.py tokenises its own way and scores with this too)."""
    common = sum((predicted & reference).values())
    if not common:
        return 0.0
    precision, recall = common / sum(predicted.values()), common / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def bow_f1(predicted: str, reference: str) -> float:
    return counter_f1(words(predicted), words(reference))


def ned(predicted: str, reference: str) -> float:
    a = re.sub(r"\s+", "", unicodedata.normalize("NFKC", predicted))
    b = re.sub(r"\s+", "", unicodedata.normalize("NFKC", reference))
    return Levenshtein.normalized_distance(a, b)


def run_mode(text_layer: str, dpi: int) -> bool:
    settings = Settings(engine="lite", text_layer=text_layer, dpi=dpi)
    latin_f1, latin_ned, flagged_ok = [], [], []
    print(f"--- --text-layer {text_layer} ---")
    print(f"{'document':28s} {'page':>4s} {'script':7s} {'F1':>6s} {'NED':>6s} {'sec':>6s}  flags")
    for pdf in sorted(DATA.glob("*.pdf")):
        started = time.perf_counter()
        doc = convert_document(pdf, settings)
        seconds = (time.perf_counter() - started) / len(doc.pages)
        reference_doc = pymupdf.open(pdf)
        for page in doc.pages:
            reference = reference_doc[page.index].get_text()
            script = dominant_script(reference) or "none"
            predicted = region_text(page)
            f1, distance = bow_f1(predicted, reference), ned(predicted, reference)
            print(
                f"{pdf.stem[:28]:28s} {page.index + 1:4d} {script:7s} {f1:6.3f} {distance:6.3f} {seconds:6.1f}  "
                f"{','.join(page.flags) or '-'}"
            )
            if script == "latin":
                latin_f1.append(f1)
                latin_ned.append(distance)
            else:
                read_by_tesseract = any(r.stats.get("reader", "").startswith("tesseract") for r in page.regions)
                flagged_ok.append("unsupported-script" in page.flags or text_layer == "auto" or read_by_tesseract)
    mean_f1, mean_ned = sum(latin_f1) / len(latin_f1), sum(latin_ned) / len(latin_ned)
    print(
        f"Latin pages: {len(latin_f1)}; mean F1 {mean_f1:.4f} (bar >= 0.97); mean NED {mean_ned:.4f} "
        f"(bar <= 0.05); worst NED {max(latin_ned):.4f} (bar <= 0.15)"
    )
    print(f"non-Latin pages read by Tesseract or flagged: {sum(flagged_ok)}/{len(flagged_ok)}")
    passed = mean_f1 >= 0.97 and mean_ned <= 0.05 and max(latin_ned) <= 0.15 and all(flagged_ok)
    print(f"BAR quality --text-layer {text_layer}: {'PASS' if passed else 'FAIL'}\n")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--text-layer", nargs="+", default=["auto", "off"], choices=["auto", "off"])
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    results = [run_mode(mode, args.dpi) for mode in args.text_layer]
    print("PASS" if all(results) else "FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
