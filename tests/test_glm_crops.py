"""Crops of any shape reach GLM-OCR (issue 10, fault 3): a side ratio over 200:1 made the image
processor raise "absolute aspect ratio must be smaller than 200"; such crops are now padded on the
short side (white, centred) and read. tests/test_oracle_sdk.py proves the sizes against the SDK."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from glmocr_cli.engines.glm import load_glm_recognizer
from glmocr_cli.recognize.glm.crops import MAX_ASPECT, fit_to_grid, pad_to_aspect, prepare_crop
from glmocr_cli.recognize.glm.recognizer import CropRequest

# Kept to a few thousand image patches each: the tiny vision tower attends over all of them.
EXTREME = [(12000, 20), (20, 8000), (5000, 3)]


@pytest.fixture(scope="module")
def recognizer(tiny_glm_dir):
    path = tiny_glm_dir
    return load_glm_recognizer(path, device="cpu", dtype=torch.float32, max_new_tokens=3, batch_size=4)


def strip(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))


@pytest.mark.slow
def test_extreme_crops_are_read_through_the_decoder(recognizer):
    crops = [prepare_crop(strip(w, h, i)) for i, (w, h) in enumerate(EXTREME)]
    assert all(max(c.size) / min(c.size) <= MAX_ASPECT for c in crops)
    answers = recognizer.recognize([CropRequest(c, "Text Recognition:", key=i) for i, c in enumerate(crops)])
    assert [a.key for a in answers] == list(range(len(EXTREME)))
    assert all(a.finish_reason in ("stop", "length") and a.tokens <= 3 and "decode_steps" in a.stats for a in answers)
    assert recognizer.decoder is not None  # no fallback: the decoder read them


@pytest.mark.slow
def test_unprepared_extreme_crop_and_generate_path(recognizer):
    """A caller that skips prepare_crop, and the generate() path, get the same protection."""
    decoder, recognizer.decoder = recognizer.decoder, None
    try:
        answers = recognizer.recognize([CropRequest(strip(12000, 20), "Text Recognition:", key="raw")])
    finally:
        recognizer.decoder = decoder
    assert answers[0].key == "raw" and answers[0].finish_reason in ("stop", "length")


def test_padding_keeps_the_crop_centred_on_white():
    crop = strip(12000, 20)
    padded = pad_to_aspect(crop)
    assert padded.width == 12000 and padded.height > 20
    top = (padded.height - 20) // 2
    pixels = np.asarray(padded)
    assert np.array_equal(pixels[top : top + 20], np.asarray(crop))
    assert (pixels[:top] == 255).all() and (pixels[top + 20 :] == 255).all()
    w, h = fit_to_grid(*padded.size)
    assert max(w, h) / min(w, h) <= MAX_ASPECT
    ordinary = strip(640, 90)
    assert pad_to_aspect(ordinary) is ordinary  # within the limit: untouched
