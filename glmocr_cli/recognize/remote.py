"""Read region crops through an OpenAI-compatible `/v1/chat/completions` endpoint serving GLM-OCR
(vLLM, SGLang, or `glmocr serve`), instead of loading the model in this process.

Crops go as lossless PNG data URLs, so a remote run reads exactly the pixels a local run reads.
Connection errors, time-outs, 429 and 5xx are retried with exponential backoff and full jitter
(honouring Retry-After); when the tries are spent the document fails with a one-line reason.
"""

from __future__ import annotations

import base64
import io
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..config import Settings
from .base import CropAnswer, CropRequest

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class RecognizerUnavailable(RuntimeError):
    """The server could not be reached (or kept failing) within the retry budget."""


def png_data_url(image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class RemoteRecognizer:
    def __init__(
        self,
        url: str,
        *,
        model: str | None = None,
        concurrency: int = Settings.recognizer_concurrency,
        timeout: float = Settings.recognizer_timeout,
        retries: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        repetition_penalty: float = Settings.repetition_penalty,
        max_new_tokens: int = Settings.max_new_tokens,
        api_key: str | None = None,
    ):
        import httpx

        self.base = url.rstrip("/")
        if self.base.endswith("/v1/chat/completions"):
            self.base = self.base[: -len("/v1/chat/completions")]
        self.retries, self.backoff, self.max_backoff = retries, backoff, max_backoff
        self.repetition_penalty, self.max_new_tokens = repetition_penalty, max_new_tokens
        key = api_key if api_key is not None else os.environ.get("GLMOCR_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(timeout=timeout, headers=headers, limits=httpx.Limits(max_connections=concurrency))
        self.pool = ThreadPoolExecutor(concurrency, thread_name_prefix="glmocr-remote")
        self._model = model

    # -- the protocol ----------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {"recognizer": "remote", "url": self.base, "model": self.model}

    def recognize(self, requests: list[CropRequest]) -> list[CropAnswer]:
        return list(self.pool.map(self._one, requests))

    # -- HTTP ------------------------------------------------------------------------------------
    @property
    def model(self) -> str:
        if self._model is None:
            listing = self._send("GET", "/v1/models")
            data = listing.get("data") or []
            self._model = data[0]["id"] if data else "glm-ocr"
        return self._model

    def _one(self, request: CropRequest) -> CropAnswer:
        body = {
            "model": self.model,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": png_data_url(request.image)}},
                        {"type": "text", "text": request.prompt},
                    ],
                }
            ],
            "max_tokens": request.max_new_tokens or self.max_new_tokens,
            "temperature": 0.0,
            "top_k": 1,  # vLLM / SGLang sampling extensions
            "repetition_penalty": self.repetition_penalty,
        }
        started = time.perf_counter()
        answer = self._send("POST", "/v1/chat/completions", body)
        choice = answer["choices"][0]
        usage = answer.get("usage") or {}
        finish = "length" if choice.get("finish_reason") == "length" else "stop"
        return CropAnswer(
            request.key,
            choice["message"]["content"] or "",
            int(usage.get("completion_tokens") or 0),
            finish,
            round(time.perf_counter() - started, 4),
            dict(answer.get("glmocr_stats") or {}),
        )

    def _send(self, method: str, path: str, body: dict | None = None) -> dict:
        import httpx

        last = ""
        for attempt in range(self.retries + 1):
            wait = None
            try:
                response = self.client.request(method, self.base + path, json=body)
                if response.status_code < 300:
                    return response.json()
                last = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in RETRY_STATUS:
                    raise RecognizerUnavailable(f"{self.base}{path}: {last}")
                retry_after = response.headers.get("retry-after", "")
                wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None
            except httpx.TransportError as exc:  # refused, reset, timed out
                last = f"{type(exc).__name__}: {exc}"
            if attempt < self.retries:
                cap = min(self.max_backoff, self.backoff * 2**attempt)
                time.sleep(wait if wait is not None else random.uniform(0, cap))  # full jitter
        raise RecognizerUnavailable(f"{self.base}{path}: gave up after {self.retries + 1} tries ({last})")

    def close(self) -> None:
        self.pool.shutdown(wait=False)
        self.client.close()
