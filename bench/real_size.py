"""What the decoder benches share: a real-size random-weight GLM-OCR checkpoint on disk (with its
MTP layer, in the real key layout) and a workload of crops shaped like the regions of real pages.

The checkpoint is built once (about a minute) and kept in the temp folder; it loads through the same
`from_pretrained` + `load_mtp_layer` path a downloaded GLM-OCR checkpoint takes.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from glm_cpu import EOS, IMAGE, IMAGE_END, IMAGE_START, real_glm_config  # noqa: E402
from glmocr_cli.recognize.glm.crops import CHECKPOINT_PROCESSOR_SIZE, prepare_crop  # noqa: E402
from glmocr_cli.recognize.glm.requests import DecodeRequest  # noqa: E402

DEV_PDF = ROOT.parent / "shared" / "data" / "dev" / "pdf"
CHECKPOINT = Path(tempfile.gettempdir()) / "glmocr-bench" / "glm-ocr-real-size-random"
EOS_IDS = [EOS, 59253]
CHARS_PER_TOKEN = 3.5  # GLM's tokenizer on English prose and markup (about 3-4 characters a token)
CROP_SCALE = 0.6  # crop pixels per PDF point: smaller than the SDK's 200 DPI to keep CPU prefill short


def real_size_checkpoint(path: Path = CHECKPOINT) -> Path:
    """The checkpoint's architecture with random bf16 weights, saved with an MTP layer 16."""
    if (path / "model.safetensors").exists() and (path / "preprocessor_config.json").exists():
        return path
    from helpers.tiny_glm import add_mtp_layer
    from transformers import GlmOcrForConditionalGeneration
    from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

    print(f"building a real-size random checkpoint in {path} (once) ...", flush=True)
    torch.manual_seed(0)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        model = GlmOcrForConditionalGeneration(real_glm_config()).eval()
    finally:
        torch.set_default_dtype(default)
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = EOS_IDS, EOS
    model.save_pretrained(path)
    add_mtp_layer(path, model)
    Glm46VImageProcessorPil(size=CHECKPOINT_PROCESSOR_SIZE).save_pretrained(path)
    return path


def load(path: Path, dtype=torch.bfloat16, device: str = "cpu"):
    from transformers import GlmOcrForConditionalGeneration
    from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

    model = GlmOcrForConditionalGeneration.from_pretrained(path, dtype=dtype).to(device).eval()
    return model, Glm46VImageProcessorPil.from_pretrained(path)


@dataclass
class Crop:
    size: tuple[int, int]  # pixels
    tokens: int  # the answer's length in tokens (its budget)


def page_regions() -> list[tuple[float, float, int]]:
    """(width pt, height pt, characters) of every text block of the dev PDFs."""
    import pymupdf

    found = []
    for pdf in sorted(DEV_PDF.glob("*.pdf")):
        with pymupdf.open(pdf) as doc:
            for page in doc:
                for x0, y0, x1, y1, text, *_ in page.get_text("blocks"):
                    if text.strip():
                        found.append((x1 - x0, y1 - y0, len(text.strip())))
    return found


def page_like_crops(count: int = 32, seed: int = 0, max_tokens: int = 512) -> list[Crop]:
    """`count` crops drawn from the dev pages' text blocks: their sizes, and answers as long as their text.

    Without the dev data, a log-normal fit of the same shape (median about 40 tokens, long tail).
    """
    rng = np.random.default_rng(seed)
    regions = page_regions() if DEV_PDF.exists() else []
    if regions:
        picks = [regions[i] for i in rng.choice(len(regions), size=count, replace=len(regions) < count)]
    else:
        chars = np.exp(rng.normal(np.log(140), 1.0, size=count))
        picks = [(450.0, max(12.0, c / 8), int(c)) for c in chars]
    crops = []
    for width, height, chars in picks:
        size = (max(28, int(width * CROP_SCALE)), max(28, int(height * CROP_SCALE)))
        crops.append(Crop(size, int(min(max_tokens, max(2, round(chars / CHARS_PER_TOKEN))))))
    return crops


def prompt_ids(image_tokens: int) -> list[int]:
    """The chat template's token ids for one crop and the text prompt (ids of the real vocabulary)."""
    return (
        [59248, 59249, 59253, 198, IMAGE_START]
        + [IMAGE] * image_tokens
        + [IMAGE_END]
        + [1000, 1001, 1002, 1003, 1004, 25]
        + [59254, 198]
    )


def build_requests(crops: list[Crop], processor, seed: int = 0) -> list[DecodeRequest]:
    rng = np.random.default_rng(seed)
    requests = []
    for crop in crops:
        image = prepare_crop(Image.fromarray(rng.integers(0, 255, (crop.size[1], crop.size[0], 3), dtype=np.uint8)))
        vision = processor(images=[image], return_tensors="pt")
        n = int(vision["image_grid_thw"][0].prod()) // 4
        requests.append(
            DecodeRequest(torch.tensor(prompt_ids(n)), crop.tokens, vision["pixel_values"], vision["image_grid_thw"])
        )
    return requests


def padded_batch(requests: list[DecodeRequest], device, dtype) -> dict[str, torch.Tensor]:
    """A left-padded generate() batch of the same requests."""
    width = max(r.prompt_length for r in requests)
    ids = torch.full((len(requests), width), EOS)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(requests):
        ids[i, width - r.prompt_length :], mask[i, width - r.prompt_length :] = r.input_ids, 1
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "mm_token_type_ids": (ids == IMAGE).long().to(device),
        "pixel_values": torch.cat([r.pixel_values for r in requests]).to(device, dtype),
        "image_grid_thw": torch.cat([r.image_grid_thw for r in requests]).to(device),
    }


def useful_tokens(ids: list[int], budget: int) -> int:
    """Tokens of an answer up to its EOS (included) or its budget."""
    for i, token in enumerate(ids[:budget]):
        if token in EOS_IDS:
            return i + 1
    return min(len(ids), budget)
