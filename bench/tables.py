"""TEDS of the lite engine's tables on PubTabNet images (../shared/data/dev/tables/) and on the
table of ../shared/data/dev/pdf/2305.03393v1-pg9.pdf (both the PDF path and the OCR path).

    .venv/bin/python bench/tables.py

Each table image is read the way the lite engine reads a table region: PP-OCRv6 lines over the
image, then the table reader. Bar: mean TEDS >= 0.85 on dev/tables.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from teds import groundtruth_html, teds  # noqa: E402

from glmocr_cli.document import PageImage  # noqa: E402
from glmocr_cli.recognize.lite_ocr import LiteOcr  # noqa: E402
from glmocr_cli.recognize.lite_table import LiteTableRecognizer  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev"


def main() -> int:
    tables = DATA / "tables"
    if not tables.is_dir():
        print(f"skipped: {tables} not found")
        return 0
    ocr, reader = LiteOcr(threads=2), LiteTableRecognizer()
    scores, structure = [], []
    print(f"{'image':28s} {'TEDS':>6s} {'struct':>6s}  method")
    for line in (tables / "groundtruth.jsonl").read_text().splitlines():
        record = json.loads(line)
        image = Image.open(tables / record["filename"]).convert("RGB")
        page = PageImage(tables / record["filename"], 0, image, "image")
        result = reader.recognize(page, (0, 0, image.width, image.height), ocr.read_page(image, False).lines)
        truth = groundtruth_html(record)
        scores.append(teds(result.html, truth))
        structure.append(teds(result.html, truth, structure_only=True))
        print(f"{record['filename']:28s} {scores[-1]:6.3f} {structure[-1]:6.3f}  {result.method}")
    mean = sum(scores) / len(scores)
    print(f"\nmean TEDS {mean:.4f} (bar >= 0.85) {'PASS' if mean >= 0.85 else 'FAIL'}; "
          f"mean structure-only TEDS {sum(structure) / len(structure):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
