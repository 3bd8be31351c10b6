"""The data that flows through the GLM-OCR decoder: one prompt in, one token sequence out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch


@dataclass
class DecodeRequest:
    """One crop's prompt, unpadded: `input_ids` [P] with its image tokens already expanded."""

    input_ids: torch.Tensor
    max_new_tokens: int
    pixel_values: torch.Tensor | None = None
    image_grid_thw: torch.Tensor | None = None  # [1, 3]
    key: object = None
    should_stop: Callable[[], bool] | None = None  # asked between steps: True ends the sequence there

    @property
    def prompt_length(self) -> int:
        return int(self.input_ids.shape[-1])


@dataclass
class DecodeResult:
    """Greedy tokens (EOS included when the sequence stopped on it) and what decoding them cost."""

    token_ids: list[int] = field(default_factory=list)
    finish_reason: str = "length"  # "stop" (an EOS id), "length" (max_new_tokens), "stopped" (should_stop)
    steps: int = 0  # forwards of the main model after prefill
    draft_proposed: int = 0
    draft_accepted: int = 0
    prefill_seconds: float = 0.0
    decode_seconds: float = 0.0  # this sequence's share of the batched decode steps

    def stats(self) -> dict:
        return {
            "decode_steps": self.steps,
            "decoded_tokens": max(0, len(self.token_ids) - 1),
            "draft_proposed": self.draft_proposed,
            "draft_accepted": self.draft_accepted,
            "prefill_seconds": round(self.prefill_seconds, 4),
            "decode_seconds": round(self.decode_seconds, 4),
        }


def request_from_encoding(
    encoding: dict[str, torch.Tensor], max_new_tokens: int, key=None, should_stop: Callable[[], bool] | None = None
) -> DecodeRequest:
    """A DecodeRequest from a one-crop batch made by GlmRecognizer.encode (no padding in it)."""
    ids = encoding["input_ids"][0][encoding["attention_mask"][0].bool()]
    return DecodeRequest(
        ids, max_new_tokens, encoding.get("pixel_values"), encoding.get("image_grid_thw"), key, should_stop
    )
