"""Our decoder (no MTP) against transformers `generate()` on the real-size GLM-OCR architecture.

Random weights cost what trained ones cost; each crop's answer is held to the length of a real
region's text by its token budget (max_new_tokens per crop; `generate` can only take the largest of
its batch, which is exactly what it costs in a real run). Useful tokens are those up to each crop's
EOS or budget. Both sides use the same dtype, threads, batch size and repetition penalty 1.1, and
both run in this process, one after the other.

    .venv/bin/python bench/decode.py [--crops 32] [--batch-size 8] [--device cpu|cuda] [--dtype bf16|fp32]

Bars (issue 4): page-like workload at batch 8, ours >= 2x generate's useful tokens/s; batch 1 on
equal lengths, ours not slower than generate.
"""

from __future__ import annotations

import argparse
import time

import torch

from real_size import (
    EOS,
    EOS_IDS,
    Crop,
    build_requests,
    load,
    padded_batch,
    page_like_crops,
    real_size_checkpoint,
    useful_tokens,
)
from glmocr_cli.recognize.glm.decoder import GlmDecoder

DTYPES = {"bf16": torch.bfloat16, "fp32": torch.float32}


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


@torch.inference_mode()
def run_generate(model, requests, batch_size: int, device: str) -> tuple[float, int, list[list[int]]]:
    """generate() over batches of similar crop size (what GlmRecognizer does without our decoder)."""
    order = sorted(range(len(requests)), key=lambda i: int(requests[i].image_grid_thw.prod()))
    answers: list[list[int]] = [[] for _ in requests]
    sync(device)
    start = time.perf_counter()
    for b in range(0, len(order), batch_size):
        group = order[b : b + batch_size]
        inputs = padded_batch([requests[i] for i in group], device, model.dtype)
        budget = max(requests[i].max_new_tokens for i in group)
        out = model.generate(
            **inputs,
            max_new_tokens=budget,
            do_sample=False,
            repetition_penalty=1.1,
            eos_token_id=EOS_IDS,
            pad_token_id=EOS,
        )
        for i, row in zip(group, out[:, inputs["input_ids"].shape[1] :].tolist()):
            answers[i] = row[: useful_tokens(row, requests[i].max_new_tokens)]
    sync(device)
    return time.perf_counter() - start, sum(map(len, answers)), answers


@torch.inference_mode()
def run_ours(model, requests, batch_size: int, device: str, mtp=None, draft_tokens: int = 1):
    decoder = GlmDecoder(
        model, mtp=mtp, draft_tokens=draft_tokens, repetition_penalty=1.1, batch_size=batch_size, eos_token_ids=EOS_IDS
    )
    sync(device)
    start = time.perf_counter()
    results = decoder.generate(requests)
    sync(device)
    return time.perf_counter() - start, sum(len(r.token_ids) for r in results), [r.token_ids for r in results]


def compare(name: str, model, requests, batch_size: int, device: str) -> float:
    gen_s, gen_tokens, gen_answers = run_generate(model, requests, batch_size, device)
    ours_s, ours_tokens, ours_answers = run_ours(model, requests, batch_size, device)
    same = sum(a == b for a, b in zip(gen_answers, ours_answers))
    ratio = (ours_tokens / ours_s) / (gen_tokens / gen_s)
    print(
        f"{name}: generate {gen_tokens} useful tokens in {gen_s:.1f} s = {gen_tokens / gen_s:.1f} tok/s; "
        f"ours {ours_tokens} in {ours_s:.1f} s = {ours_tokens / ours_s:.1f} tok/s; ours/generate {ratio:.2f}x; "
        f"identical answers {same}/{len(requests)}",
        flush=True,
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crops", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="bf16", choices=DTYPES)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--max-tokens", type=int, default=512, help="cap on one crop's answer")
    parser.add_argument("--equal-tokens", type=int, default=32)
    parser.add_argument("--skip-batch1", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model, processor = load(real_size_checkpoint(), DTYPES[args.dtype], args.device)
    print(f"real-size GLM-OCR, random weights, {args.dtype} on {args.device}, {torch.get_num_threads()} threads")
    crops = page_like_crops(args.crops, max_tokens=args.max_tokens)
    tokens = sorted(c.tokens for c in crops)
    print(
        f"{len(crops)} page-like crops: answer lengths median {tokens[len(tokens) // 2]}, max {tokens[-1]}, "
        f"total {sum(tokens)} tokens; crop sizes {min(c.size for c in crops)} .. {max(c.size for c in crops)} px"
    )
    requests = build_requests(crops, processor)
    run_ours(model, requests[:2], 2, args.device)  # warm-up of both paths
    run_generate(model, requests[:2], 2, args.device)
    page_like = compare(f"page-like, batch {args.batch_size}", model, requests, args.batch_size, args.device)
    print(
        f"BAR ours >= 2x generate at batch {args.batch_size} (page-like): {page_like:.2f}x "
        f"{'PASS' if page_like >= 2 else 'FAIL'}"
    )
    if not args.skip_batch1:
        equal = build_requests([Crop((300, 40), args.equal_tokens)] * 4, processor, seed=1)
        single = compare(f"equal lengths ({args.equal_tokens} tokens), batch 1", model, equal, 1, args.device)
        print(f"BAR ours not slower than generate at batch 1: {single:.2f}x {'PASS' if single >= 0.97 else 'FAIL'}")


if __name__ == "__main__":
    main()
