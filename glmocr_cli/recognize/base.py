"""The interface between the GLM engine and whatever reads region crops: the in-process model,
or an OpenAI-compatible server (vLLM, SGLang, or `glmocr serve`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from PIL import Image


@dataclass
class CropRequest:
    image: Image.Image          # the region crop, RGB
    prompt: str                 # e.g. "Text Recognition:"
    max_new_tokens: int = 8192


@dataclass
class CropResult:
    text: str
    finish_reason: str = "stop"  # "stop" | "length" | "error"
    stats: dict[str, Any] = field(default_factory=dict)  # tokens, draft_proposed, draft_accepted, seconds
    error: str | None = None


class CropRecognizer(Protocol):
    def recognize(self, requests: list[CropRequest]) -> list[CropResult]:
        """Results in request order; a crop that cannot be read gets finish_reason 'error'."""

    def describe(self) -> dict[str, Any]:
        """What reads the crops, for the JSON engine record."""
