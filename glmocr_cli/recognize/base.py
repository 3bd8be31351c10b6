"""The interface between the GLM engine and whatever reads region crops: the in-process model
(recognize/glm/recognizer.py) or an OpenAI-compatible server (recognize/remote.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from PIL import Image

from ..labels import Flag


@dataclass
class CropRequest:
    image: Image.Image  # RGB crop, already prepared (multiples of 28)
    prompt: str  # e.g. "Text Recognition:"
    key: object = None  # caller's handle (page, region) to route the answer back
    max_new_tokens: int | None = None  # None: the recogniser's own limit
    # asked between decode steps: True ends this crop's decode there (a server's client gone, its time up)
    should_stop: Callable[[], bool] | None = None


@dataclass
class CropAnswer:
    key: object
    text: str
    tokens: int
    finish_reason: str  # "stop" | "length" | "stopped" (its should_stop said so)
    seconds: float
    stats: dict = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)  # e.g. Flag.DECODER_FAILED: copied onto the region


class CropRecognizer(Protocol):
    def recognize(self, requests: list[CropRequest]) -> list[CropAnswer]:
        """Answers in request order."""
