"""Our GLM-OCR inputs against transformers' own processor path (Glm46VProcessor with the checkpoint's
Pillow image processor, tokenizer and chat template; no torchvision): input_ids, attention_mask,
pixel_values, image_grid_thw, mm_token_type_ids and the M-RoPE position ids from get_rope_index must
be equal, for single crops and a left-padded batch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from glmocr_cli.engines.glm import load_glm_ocr
from glmocr_cli.recognize.glm.crops import prepare_crop
from glmocr_cli.recognize.glm.decoder import GlmDecoder
from glmocr_cli.recognize.glm.extract import build_extraction_prompt
from glmocr_cli.recognize.glm.recognizer import PROMPTS, CropRequest, GlmRecognizer
from glmocr_cli.recognize.glm.requests import request_from_encoding

pytestmark = pytest.mark.slow  # the reference SDK, vLLM's math or transformers' processor as oracles

SIZES = [(10, 10), (56, 56), (300, 40), (640, 90), (27, 200), (1200, 700), (12000, 20)]
PROMPT_TEXTS = [*PROMPTS.values(), build_extraction_prompt(["name", "total"])]


def image_only_processor(image_processor, tokenizer):
    """transformers' Glm46VProcessor without its video processor (which needs torchvision)."""
    from transformers.models.glm46v.processing_glm46v import Glm46VProcessor

    class ImageOnlyGlm46VProcessor(Glm46VProcessor):
        def check_argument_for_proper_class(self, attribute_name, arg):
            if attribute_name == "video_processor" and arg is None:
                return None
            return super().check_argument_for_proper_class(attribute_name, arg)

    return ImageOnlyGlm46VProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=None,
        chat_template=tokenizer.chat_template,
    )


@pytest.fixture(scope="module")
def setup(tiny_glm_plain_dir):
    path = tiny_glm_plain_dir
    model, tokenizer, image_processor = load_glm_ocr(path, "cpu", torch.float32)
    recognizer = GlmRecognizer(model, tokenizer, image_processor)
    return recognizer, image_only_processor(image_processor, tokenizer)


def crops() -> list[CropRequest]:
    rng = np.random.default_rng(0)
    return [
        CropRequest(
            prepare_crop(Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))),
            PROMPT_TEXTS[i % len(PROMPT_TEXTS)],
            key=i,
        )
        for i, (w, h) in enumerate(SIZES)
    ]


def reference(processor, requests: list[CropRequest]) -> dict[str, torch.Tensor]:
    texts = [
        processor.apply_chat_template(
            [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": r.prompt}]}],
            tokenize=False,
            add_generation_prompt=True,
        )
        for r in requests
    ]
    processor.tokenizer.padding_side = "left"
    return processor(text=texts, images=[r.image for r in requests], padding=True, return_tensors="pt")


def assert_same_inputs(ours: dict, theirs: dict) -> None:
    for key in ("input_ids", "attention_mask", "mm_token_type_ids", "image_grid_thw"):
        assert ours[key].tolist() == theirs[key].tolist(), key
    assert ours["pixel_values"].dtype == theirs["pixel_values"].dtype
    assert torch.equal(ours["pixel_values"], theirs["pixel_values"])


def test_single_crops_equal_the_processor(setup):
    recognizer, processor = setup
    for request in crops():
        assert_same_inputs(recognizer.encode([request]), reference(processor, [request]))


def test_left_padded_batch_equals_the_processor(setup):
    recognizer, processor = setup
    requests = crops()[:5]
    assert_same_inputs(recognizer.encode(requests), reference(processor, requests))


def test_mrope_positions_equal_get_rope_index_on_processor_inputs(setup):
    """The decoder's positions for each prompt (and the text offset after it) against get_rope_index
    on the processor's batch, row by row over the unpadded tokens."""
    recognizer, processor = setup
    decoder = GlmDecoder(recognizer.model, eos_token_ids=recognizer.eos_ids)
    requests = crops()[:5]
    theirs = reference(processor, requests)
    positions, deltas = recognizer.model.model.get_rope_index(
        theirs["input_ids"],
        mm_token_type_ids=theirs["mm_token_type_ids"],
        image_grid_thw=theirs["image_grid_thw"],
        attention_mask=theirs["attention_mask"],
    )
    for row, request in enumerate(requests):
        built = request_from_encoding(recognizer.encode([request]), 8)
        ours, delta = decoder.rope_positions(built.input_ids.view(1, -1), built.image_grid_thw)
        keep = theirs["attention_mask"][row].bool()
        assert torch.equal(ours[:, 0], positions[:, row][:, keep])
        assert int(delta) == int(deltas[row])
        assert int(ours.max()) + 1 == ours.shape[-1] + int(delta)  # text continues right after
