"""The GLM path on one GPU: real-size random-weight PP-DocLayout-V3 + GLM-OCR, GLM-OCR in bf16.

    bash bench/gpu.sh                        # CUDA, real size (what to run when a GPU is lent)
    bash bench/gpu.sh --device cpu --tiny    # dry run of every part on tiny checkpoints (the tests run it)

Random weights cost what trained ones cost; each crop's answer is held to the length of a real
region's text by its token budget (EOS is whatever the random model says, rarely). Parts:
1. pages/s of one replica (one process, one model copy): page-like pages (the dev PDFs' text blocks
   per page, crops at 200 DPI, answers as long as their text) through layout and our decoder, plain
   and with MTP at a forced acceptance of 0.8; against the official 1.86 PDF pages/s that the GLM-OCR
   model card quotes (vLLM on a GPU, trained weights);
2. our decoder against transformers `generate` at batch 8, 32 and 64, useful tokens/s;
3. MTP (k=1) at a forced acceptance of 0.8 against plain decoding at the same batch sizes;
4. peak GPU memory of each part (torch.cuda.max_memory_allocated).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from decode import sync  # noqa: E402
from mtp import ForcedAcceptance  # noqa: E402
from real_size import DEV_PDF, Crop, build_requests, padded_batch  # noqa: E402
from glmocr_cli.document import LABELS  # noqa: E402
from glmocr_cli.recognize.glm.decoder import GlmDecoder  # noqa: E402
from glmocr_cli.recognize.glm.mtp import load_mtp_layer  # noqa: E402

OFFICIAL_PAGES_PER_SECOND = 1.86
PX_PER_PT = 200 / 72  # crops at 200 DPI, as the SDK renders pages
CHARS_PER_TOKEN = 3.5


class Setup:
    """Model, MTP layer, layout model, request builder and EOS ids: real size or tiny."""

    def __init__(self, tiny: bool, device: str):
        self.device, self.tiny = device, tiny
        if tiny:
            from glmocr_cli.engines.glm import load_glm_ocr
            from glmocr_cli.recognize.glm.recognizer import GlmRecognizer
            from helpers.tiny_glm import build_tiny_glm_ocr
            from helpers.tiny_layout import tiny_layout_config

            path = build_tiny_glm_ocr(Path(tempfile.mkdtemp(prefix="glmocr-gpu-")) / "glm")
            model, tokenizer, processor = load_glm_ocr(path, device, torch.float32)
            self.reader = GlmRecognizer(model, tokenizer, processor)
            self.eos, self.pad = self.reader.eos_ids, self.reader.pad_id
            layout_config = tiny_layout_config()
        else:
            from real_size import EOS, EOS_IDS, load, real_size_checkpoint
            from transformers import PPDocLayoutV3Config

            path = real_size_checkpoint()
            model, self.processor = load(path, torch.bfloat16, device)
            self.eos, self.pad = EOS_IDS, EOS
            layout_config = PPDocLayoutV3Config(
                id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)}
            )
        from transformers import PPDocLayoutV3ForObjectDetection

        self.model, self.mtp = model, load_mtp_layer(model, path)
        self.layout = PPDocLayoutV3ForObjectDetection(layout_config).to(device).eval()

    def requests(self, crops: list[Crop], seed: int = 0):
        if not self.tiny:
            return build_requests(crops, self.processor, seed)
        from glmocr_cli.recognize.glm.recognizer import CropRequest, prepare_crop
        from glmocr_cli.recognize.glm.requests import request_from_encoding

        rng = np.random.default_rng(seed)
        out = []
        for crop in crops:
            image = prepare_crop(Image.fromarray(rng.integers(0, 255, (crop.size[1], crop.size[0], 3), dtype=np.uint8)))
            out.append(
                request_from_encoding(self.reader.encode([CropRequest(image, "Text Recognition:")]), crop.tokens)
            )
        return out

    def decoder(self, batch_size: int, mtp: bool = False, acceptance: float | None = None) -> GlmDecoder:
        decoder = GlmDecoder(
            self.model,
            mtp=self.mtp if mtp else None,
            repetition_penalty=1.1,
            batch_size=batch_size,
            eos_token_ids=self.eos,
        )
        if acceptance is not None:
            decoder.accept_hook = ForcedAcceptance(acceptance)
        return decoder


def dev_pages(count: int, scale: float, max_tokens: int, seed: int = 0) -> list[list[Crop]]:
    """`count` pages of crops: each a dev PDF page's text blocks (size at `scale` px/pt, answer length
    from its text); without the dev data, 12 log-normal regions a page."""
    rng = np.random.default_rng(seed)
    pages = []
    if DEV_PDF.exists():
        import pymupdf

        for pdf in sorted(DEV_PDF.glob("*.pdf")):
            with pymupdf.open(pdf) as doc:
                for page in doc:
                    blocks = [
                        (x1 - x0, y1 - y0, len(t.strip()))
                        for x0, y0, x1, y1, t, *_ in page.get_text("blocks")
                        if t.strip()
                    ]
                    if blocks:
                        pages.append(blocks)
    if not pages:
        pages = [[(450.0, 40.0, int(c)) for c in np.exp(rng.normal(np.log(140), 1.0, size=12))] for _ in range(count)]
    picked = [pages[i] for i in rng.choice(len(pages), size=count, replace=len(pages) < count)]
    return [
        [
            Crop(
                (max(28, int(w * scale)), max(28, int(h * scale))),
                int(min(max_tokens, max(2, round(chars / CHARS_PER_TOKEN)))),
            )
            for w, h, chars in page
        ]
        for page in picked
    ]


def useful_tokens(ids: list[int], budget: int, eos) -> int:
    """Tokens of an answer up to its EOS (included) or its budget."""
    for i, token in enumerate(ids[:budget]):
        if token in eos:
            return i + 1
    return min(len(ids), budget)


def timed(device: str, fn):
    sync(device)
    start = time.perf_counter()
    out = fn()
    sync(device)
    return time.perf_counter() - start, out


def reset_peak(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()


def peak(device: str) -> str:
    if device.startswith("cuda"):
        return f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB"
    return "peak GPU memory n/a (not CUDA)"


@torch.inference_mode()
def run_generate(setup: Setup, requests, batch_size: int) -> tuple[float, int]:
    """generate() over batches of similar crop size, each to its largest budget (what it costs)."""
    order = sorted(range(len(requests)), key=lambda i: requests[i].prompt_length)

    def work():
        useful = 0
        for b in range(0, len(order), batch_size):
            group = [requests[i] for i in order[b : b + batch_size]]
            inputs = (
                padded_batch(group, setup.device, setup.model.dtype) if not setup.tiny else tiny_batch(setup, group)
            )
            out = setup.model.generate(
                **inputs,
                max_new_tokens=max(r.max_new_tokens for r in group),
                do_sample=False,
                repetition_penalty=1.1,
                eos_token_id=setup.eos,
                pad_token_id=setup.pad,
            )
            for request, row in zip(group, out[:, inputs["input_ids"].shape[1] :].tolist()):
                useful += useful_tokens(row, request.max_new_tokens, setup.eos)
        return useful

    return timed(setup.device, work)


def tiny_batch(setup: Setup, group) -> dict:
    """A left-padded batch of tiny requests (the tiny vocabulary's pad and image ids)."""
    width = max(r.prompt_length for r in group)
    ids = torch.full((len(group), width), setup.pad)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(group):
        ids[i, width - r.prompt_length :], mask[i, width - r.prompt_length :] = r.input_ids, 1
    device = setup.device
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "mm_token_type_ids": (ids == setup.model.config.image_token_id).long().to(device),
        "pixel_values": torch.cat([r.pixel_values for r in group]).to(device, setup.model.dtype),
        "image_grid_thw": torch.cat([r.image_grid_thw for r in group]).to(device),
    }


@torch.inference_mode()
def run_ours(decoder: GlmDecoder, requests) -> tuple[float, int]:
    seconds, results = timed(str(decoder.device), lambda: decoder.generate(requests))
    return seconds, sum(len(r.token_ids) for r in results)


@torch.inference_mode()
def layout_seconds(setup: Setup, pages: int, size: tuple[int, int], batch: int = 4) -> float:
    from glmocr_cli.layout.pp_doclayout import Preprocessing, order_ranks

    pre = Preprocessing()
    images = [Image.new("RGB", size, "white")] * min(batch, pages)

    def once():
        out = setup.layout(pixel_values=pre(images).to(setup.device))
        return order_ranks(out.order_logits.float())

    once()  # warm-up
    seconds, _ = timed(setup.device, once)
    return seconds / len(images) * pages


def part_pages(setup: Setup, args) -> None:
    pages = dev_pages(args.pages, args.scale, args.max_tokens)
    crops = [c for page in pages for c in page]
    requests = setup.requests(crops)
    tokens = sorted(c.tokens for c in crops)
    print(
        f"{len(pages)} page-like pages, {len(crops)} regions ({len(crops) / len(pages):.1f} a page), answers "
        f"median {tokens[len(tokens) // 2]} max {tokens[-1]} total {sum(tokens)} tokens",
        flush=True,
    )
    page_size = (1654, 2339) if not setup.tiny else (320, 450)
    layout_s = layout_seconds(setup, len(pages), page_size)
    for name, decoder in (
        ("plain", setup.decoder(args.batch)),
        ("MTP at acceptance 0.8", setup.decoder(args.batch, mtp=True, acceptance=0.8)),
    ):
        reset_peak(setup.device)
        run_ours(decoder, requests[:2])  # warm-up
        decode_s, useful = run_ours(decoder, requests)
        rate = len(pages) / (layout_s + decode_s)
        print(
            f"PAGES/S one replica, batch {args.batch}, {name}: {rate:.2f} pages/s (layout {layout_s:.1f} s + "
            f"decode {decode_s:.1f} s, {useful / decode_s:.1f} tokens/s) vs official {OFFICIAL_PAGES_PER_SECOND} "
            f"= {rate / OFFICIAL_PAGES_PER_SECOND:.2f}x; {peak(setup.device)}",
            flush=True,
        )


def part_batches(setup: Setup, args) -> None:
    for batch in args.batches:
        pages = dev_pages(max(1, 2 * batch // 10), args.scale, args.max_tokens, seed=batch)
        crops = [c for page in pages for c in page][: 2 * batch]
        requests = setup.requests(crops, seed=batch)
        run_ours(setup.decoder(batch), requests[:2])  # warm-up
        reset_peak(setup.device)
        gen_s, gen_useful = run_generate(setup, requests, batch)
        gen_peak = peak(setup.device)
        reset_peak(setup.device)
        ours_s, ours_useful = run_ours(setup.decoder(batch), requests)
        ours_peak = peak(setup.device)
        reset_peak(setup.device)
        mtp_s, mtp_useful = run_ours(setup.decoder(batch, mtp=True, acceptance=0.8), requests)
        print(
            f"BATCH {batch} ({len(requests)} crops): generate {gen_useful / gen_s:.1f} useful tokens/s ({gen_peak}); "
            f"ours {ours_useful / ours_s:.1f} tokens/s = {gen_s / ours_s * ours_useful / max(gen_useful, 1):.2f}x "
            f"({ours_peak}); MTP at acceptance 0.8 {mtp_useful / mtp_s:.1f} tokens/s = {ours_s / mtp_s:.2f}x plain "
            f"({peak(setup.device)})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--tiny", action="store_true", help="tiny checkpoints and workload: a dry run of every part")
    parser.add_argument("--pages", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None, help="decoder batch of the pages/s part")
    parser.add_argument("--batches", type=int, nargs="+", default=None)
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("bench/gpu.py: no CUDA device here; for a dry run: --device cpu --tiny")
    args.pages = args.pages or (1 if args.tiny else 24)
    args.batch = args.batch or (4 if args.tiny else 32)
    args.batches = args.batches or ([2] if args.tiny else [8, 32, 64])
    args.scale = 0.15 if args.tiny else PX_PER_PT
    args.max_tokens = 6 if args.tiny else 1024
    if args.tiny:
        torch.set_num_threads(1)  # a dry run: one thread is fastest on a busy CPU
    start = time.perf_counter()
    setup = Setup(args.tiny, args.device)
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(
        f"{'tiny' if args.tiny else 'real-size'} GLM-OCR (random weights, {setup.model.dtype}) + PP-DocLayout-V3 "
        f"on {args.device} ({name}), torch {torch.__version__}",
        flush=True,
    )
    part_pages(setup, args)
    part_batches(setup, args)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
