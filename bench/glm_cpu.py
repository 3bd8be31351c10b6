"""GLM engine cost on this machine: real-size PP-DocLayout-V3 and GLM-OCR configs, random weights.

Prints seconds for layout of one 200-DPI page, prefill of a text-line crop and a half-page crop,
decode tokens/s at batch 1 and 8 (with the batch-8/batch-1 ratio measured in the same run) and the
peak RSS of the process (one worker holds exactly these two models). Random weights cost the same
FLOPs as trained ones; token counts are forced with min_new_tokens.

    nice python bench/glm_cpu.py [--device cpu|cuda] [--decode-tokens 8] [--threads N]
"""

from __future__ import annotations

import argparse
import resource
import time

import torch
from PIL import Image

from glmocr_cli.document import LABELS
from glmocr_cli.layout.pp_doclayout import Preprocessing, order_ranks
from glmocr_cli.recognize.glm.crops import CHECKPOINT_PROCESSOR_SIZE, prepare_crop

IMAGE_START, IMAGE, IMAGE_END, EOS = 59256, 59280, 59257, 59246
A4_200DPI = (1654, 2339)


def real_glm_config():
    from transformers import GlmOcrConfig

    text = dict(
        vocab_size=59392,
        hidden_size=1536,
        intermediate_size=4608,
        num_hidden_layers=16,
        num_attention_heads=16,
        num_key_value_heads=8,
        head_dim=128,
        pad_token_id=EOS,
        eos_token_id=[EOS, 59253],
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "mrope_section": [16, 24, 24],
            "partial_rotary_factor": 1.0,
        },
    )
    vision = dict(
        depth=24,
        hidden_size=1024,
        num_heads=16,
        intermediate_size=4096,
        out_hidden_size=1536,
        patch_size=14,
        spatial_merge_size=2,
        temporal_patch_size=2,
    )
    return GlmOcrConfig(text_config=text, vision_config=vision)


def inputs_for(crops, processor, device, dtype):
    """input_ids as the chat template renders them, with the image tokens expanded per crop."""
    vision = processor(images=crops, return_tensors="pt")
    rows = []
    for grid in vision["image_grid_thw"]:
        n = int(grid.prod()) // 4
        rows.append([59254, 59255, 59253, 198, IMAGE_START] + [IMAGE] * n + [IMAGE_END] + [1000] * 6 + [59254, 198])
    width = max(map(len, rows))
    ids = torch.full((len(rows), width), EOS)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(rows):
        ids[i, width - len(r) :], mask[i, width - len(r) :] = torch.tensor(r), 1
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "mm_token_type_ids": (ids == IMAGE).long().to(device),
        "pixel_values": vision["pixel_values"].to(device, dtype),
        "image_grid_thw": vision["image_grid_thw"].to(device),
    }


def timed(fn, device):
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, out


@torch.inference_mode()
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--decode-tokens", type=int, default=8)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    from transformers import GlmOcrForConditionalGeneration, PPDocLayoutV3Config, PPDocLayoutV3ForObjectDetection
    from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

    print(f"device {device}, dtype {dtype}, torch threads {torch.get_num_threads()}")
    layout = (
        PPDocLayoutV3ForObjectDetection(
            PPDocLayoutV3Config(id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
        )
        .to(device, dtype)
        .eval()
    )
    page = Image.new("RGB", A4_200DPI, "white")
    pre = Preprocessing()
    run_layout = lambda: order_ranks(layout(pixel_values=pre([page]).to(device, dtype)).order_logits.float())
    run_layout()  # warm-up
    layout_s, _ = timed(run_layout, device)
    print(
        f"layout, one 200-DPI page ({A4_200DPI[0]}x{A4_200DPI[1]}): {layout_s:.2f} s  "
        f"({sum(p.numel() for p in layout.parameters()) / 1e6:.0f} M params)"
    )

    torch.manual_seed(0)
    model = GlmOcrForConditionalGeneration(real_glm_config()).to(device, dtype).eval()
    print(f"GLM-OCR random weights: {sum(p.numel() for p in model.parameters()) / 1e9:.2f} B params")
    processor = Glm46VImageProcessorPil(size=CHECKPOINT_PROCESSOR_SIZE)
    line = prepare_crop(Image.new("RGB", (1400, 60), "white"))  # one text line at 200 DPI
    half = prepare_crop(Image.new("RGB", (1500, 1100), "white"))  # half a page of text
    warm = inputs_for([line], processor, device, dtype)
    model(**warm, use_cache=True, logits_to_keep=1)  # warm-up: first-call allocations
    for name, crop in (("text-line", line), ("half-page", half)):
        inputs = inputs_for([crop], processor, device, dtype)
        seconds, _ = timed(lambda: model(**inputs, use_cache=True, logits_to_keep=1), device)
        print(
            f"prefill {name} crop {crop.size[0]}x{crop.size[1]} ({inputs['input_ids'].shape[1]} tokens): {seconds:.2f} s"
        )

    rates = {}
    for batch in (1, 8):
        inputs = inputs_for([line] * batch, processor, device, dtype)
        gen = lambda n: model.generate(
            **inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False, repetition_penalty=1.1, pad_token_id=EOS
        )
        prefill_s, _ = timed(lambda: gen(1), device)
        total_s, _ = timed(lambda: gen(1 + args.decode_tokens), device)
        rates[batch] = batch * args.decode_tokens / max(total_s - prefill_s, 1e-9)
        print(f"decode batch {batch}: {rates[batch]:.1f} tokens/s ({args.decode_tokens} tokens per sequence)")
    print(f"batch 8 / batch 1 decode throughput: {rates[8] / rates[1]:.2f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this worker: {rss / 1024:.2f} GiB")
    if device == "cuda":
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
