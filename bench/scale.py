"""Scale-out overheads on this machine.

    .venv/bin/python bench/scale.py [--pages 8] [--serve-requests 64]

1. Lite engine pages/s with 1 and 2 Ray actors (a local Ray instance) against the local
   `--workers 2` process pool on the same scanned pages: the cost of Ray, as a ratio.
2. Requests/s of `glmocr serve` with the tiny GLM-OCR checkpoint under 8 concurrent clients,
   against the same crops recognised in process in one batch call (the cost of HTTP + batching).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from glmocr_cli.api import convert  # noqa: E402
from glmocr_cli.config import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "dev"


def scanned_pages(folder: Path, count: int) -> list[Path]:
    """Image-only PDFs (no text layer), so every page goes through OCR."""
    from helpers.factories import render_to_image_pdf

    source = DATA / "pdf" / "multi_page.pdf"
    if not source.is_file():
        from helpers.factories import PARAGRAPH, text_pdf

        source = text_pdf(folder / "born.pdf", [[PARAGRAPH] * 3] * 4)
    scan = render_to_image_pdf(source, folder / "scan.pdf", dpi=200)
    copies = []
    for i in range(max(1, count // 4)):
        copy = folder / "in" / f"scan{i}.pdf"
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(scan, copy)
        copies.append(copy)
    return copies


def pages_per_second(label: str, settings: Settings, inputs: list[Path]) -> float:
    out = Path(tempfile.mkdtemp(prefix="glmocr-scale-"))
    started = time.perf_counter()
    report = convert([str(p) for p in inputs], out, settings)
    wall = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    pages = sum(o.pages for o in report.outcomes)
    assert report.exit_code == 0, [o.error for o in report.outcomes]
    print(f"  {label:34s} {pages} pages in {wall:6.1f} s = {pages / wall:.3f} pages/s")
    return pages / wall


def bench_ray(pages: int) -> None:
    import ray

    folder = Path(tempfile.mkdtemp(prefix="glmocr-scale-in-"))
    inputs = scanned_pages(folder, pages)
    print("lite engine, scanned pages, 200 DPI:")
    local = pages_per_second("local process pool, 2 workers", Settings(engine="lite", workers=2, force=True), inputs)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    one = pages_per_second("Ray, 1 actor", Settings(engine="lite", workers=1, ray="local", force=True), inputs)
    two = pages_per_second("Ray, 2 actors", Settings(engine="lite", workers=2, ray="local", force=True), inputs)
    ray.shutdown()
    print(f"  Ray 2 actors / local 2 workers: {two / local:.2f}x;  Ray 2 actors / Ray 1 actor: {two / one:.2f}x")
    shutil.rmtree(folder, ignore_errors=True)


def bench_serve(requests: int) -> None:
    try:
        from helpers.tiny_glm import build_tiny_glm_ocr as build_glm_checkpoint

        from glmocr_cli.engines.glm import load_glm_recognizer
        from glmocr_cli.recognize.glm.recognizer import prepare_crop
    except ImportError as exc:
        print(f"serve bench skipped: {exc}")
        return
    import threading

    import uvicorn
    from PIL import Image

    from glmocr_cli.recognize.base import CropRequest
    from glmocr_cli.recognize.remote import RemoteRecognizer
    from glmocr_cli.serve.app import create_app

    checkpoint = build_glm_checkpoint(Path(tempfile.mkdtemp(prefix="tiny-glm-")) / "glm")
    recognizer = load_glm_recognizer(checkpoint, device="cpu", max_new_tokens=16, batch_size=8, mtp=False)
    crops = [
        CropRequest(prepare_crop(Image.new("RGB", (112 + 28 * (i % 5), 56), "white")), "Text Recognition:")
        for i in range(requests)
    ]
    started = time.perf_counter()
    recognizer.recognize(crops)
    in_process = requests / (time.perf_counter() - started)

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(recognizer, batch_size=8, max_new_tokens=16), host="127.0.0.1", port=0, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    client = RemoteRecognizer(f"http://127.0.0.1:{port}", concurrency=8)
    client.recognize(crops[:8])  # warm up
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda c: client.recognize([c]), crops))
    served = requests / (time.perf_counter() - started)
    server.should_exit = True
    thread.join()
    print(
        f"glmocr serve, tiny checkpoint, 8 concurrent clients: {served:.1f} requests/s; "
        f"in process, one batch call: {in_process:.1f} crops/s; ratio {served / in_process:.2f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--serve-requests", type=int, default=64)
    args = parser.parse_args()
    bench_ray(args.pages)
    bench_serve(args.serve_requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
