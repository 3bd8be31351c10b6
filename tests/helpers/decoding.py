"""Crops, references and a draft oracle for the decoder tests (tests/test_decoder.py, test_glm_faults.py,
test_kv_cache.py) on the tiny checkpoint."""

from __future__ import annotations

import numpy as np
from PIL import Image

from glmocr_cli.recognize.glm.recognizer import CropRequest, prepare_crop
from glmocr_cli.recognize.glm.requests import request_from_encoding

SIZES = [(60, 30), (200, 40), (120, 120), (300, 90), (56, 56)]  # crops of different sizes
BUDGETS = [24, 7, 15, 1, 18]  # max_new_tokens per crop


def crops(seed: int = 0) -> list[CropRequest]:
    rng = np.random.default_rng(seed)
    images = [Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)) for w, h in SIZES]
    return [CropRequest(prepare_crop(image), "Text Recognition:", key=i) for i, image in enumerate(images)]


def reference(recognizer, requests, budgets, eos, penalty):
    """transformers generate() on each crop alone, cut after its EOS as our decoder reports it."""
    answers = []
    for request, budget in zip(requests, budgets):
        inputs = recognizer.encode([request])
        out = recognizer.model.generate(
            **inputs,
            max_new_tokens=budget,
            do_sample=False,
            repetition_penalty=penalty,
            eos_token_id=eos,
            pad_token_id=recognizer.pad_id,
        )
        ids = out[0, inputs["input_ids"].shape[1] :].tolist()
        cut = next((i for i, t in enumerate(ids) if t in eos), None)
        answers.append(ids if cut is None else ids[: cut + 1])
    return answers


def decode_requests(recognizer, requests, budgets):
    return [request_from_encoding(recognizer.encode([r]), b) for r, b in zip(requests, budgets)]


class Oracle:
    """A draft hook proposing the known greedy continuation, wrong at every position p with p % 5 == 4.

    It records what it proposed, so the test knows how many drafts verification must accept.
    """

    def __init__(self, expected):
        self.expected, self.proposals = expected, []

    def __call__(self, indexes, results, drafts):
        out = drafts.clone()
        for row, (index, result) in enumerate(zip(indexes, results)):
            truth, done = self.expected[index], len(result.token_ids)
            for j in range(out.shape[1]):
                p = done + j
                token = truth[p] if p < len(truth) else 0
                out[row, j] = token + 1 if p % 5 == 4 else token
            self.proposals.append((index, done, out[row].tolist()))
        return out

    def bounds(self, finals) -> tuple[int, int]:
        """(least, most) accepted drafts over the verified proposals: past an answer's end it is unknown."""
        least = most = 0
        for index, done, drafts in self.proposals:
            truth = self.expected[index]
            if done >= len(finals[index]):
                continue  # proposed for a finished sequence: never verified
            n = 0
            while n < len(drafts) and done + n < len(truth) and drafts[n] == truth[done + n]:
                n += 1
            least += n
            most += n if (n == len(drafts) or done + n < len(truth)) else len(drafts)
        return least, most
