"""`glmocr serve`: our in-process GLM-OCR (MTP decoder, batching of concurrent requests) behind the
OpenAI-compatible `/v1/chat/completions` API that vLLM and SGLang also speak.

Bad requests get a 4xx with a reason and the server stays up: no image, an image given by URL
(we never fetch), bad base64, an image over the pixel limit, a body over the size limit, a wrong key.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import base64
import binascii
import hmac
import io
import time
import uuid
import warnings
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image

from ..recognize.base import CropRecognizer, CropRequest
from .batcher import RequestBatcher


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def decode_image(url: str, max_pixels: int) -> Image.Image:
    if not url.startswith("data:"):
        raise BadRequest(400, "only data: URLs are accepted (the server never fetches images)")
    header, _, payload = url.partition(",")
    if ";base64" not in header:
        raise BadRequest(400, "the image data URL must be base64-encoded")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(400, "the image is not valid base64") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            width, height = image.size
            if width * height > max_pixels:
                raise BadRequest(413, f"image is {width}x{height} pixels, over the limit of {max_pixels}")
            return image.convert("RGB")
    except BadRequest:
        raise
    except Exception as exc:
        raise BadRequest(400, f"the image cannot be decoded ({type(exc).__name__})") from None


def parse_chat_request(body: Any, max_pixels: int, default_max_tokens: int) -> CropRequest:
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
        raise BadRequest(400, "body must be a JSON object with a non-empty 'messages' list")
    images, texts = [], []
    for message in body["messages"]:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            texts.append(content)
            continue
        for part in content or []:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "image_url":
                image_url = part.get("image_url")
                images.append(image_url.get("url", "") if isinstance(image_url, dict) else str(image_url or ""))
            elif part.get("type") == "text":
                texts.append(str(part.get("text", "")))
    if len(images) != 1:
        raise BadRequest(400, f"exactly one image is needed, got {len(images)}")
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens") or default_max_tokens
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise BadRequest(400, "max_tokens must be a positive integer")
    from ..recognize.glm.recognizer import prepare_crop

    return CropRequest(prepare_crop(decode_image(images[0], max_pixels)),
                       "\n".join(t for t in texts if t) or "Text Recognition:",
                       max_new_tokens=min(max_tokens, default_max_tokens))


def create_app(recognizer: CropRecognizer, *, model_name: str = "glm-ocr", api_key: str | None = None,
               max_request_bytes: int = 20 * 2**20, max_image_pixels: int = 100_000_000,
               max_new_tokens: int = 8192, batch_size: int = 8):
    batcher = RequestBatcher(recognizer, batch_size=batch_size)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        batcher.close()

    app = FastAPI(title="glmocr serve", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.batcher = batcher

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "code": status}},
                            status_code=status)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if api_key and request.url.path.startswith("/v1/"):
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), api_key.encode()):
                return error(401, "missing or wrong API key")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_request_bytes:
            return error(413, f"request body over {max_request_bytes} bytes")
        return await call_next(request)

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": model_name, "object": "model", "owned_by": "glmocr-cli"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = b""
        async for chunk in request.stream():  # enforce the limit on chunked bodies too
            body += chunk
            if len(body) > max_request_bytes:
                return error(413, f"request body over {max_request_bytes} bytes")
        try:
            crop = parse_chat_request(json.loads(body or b"null"), max_image_pixels, max_new_tokens)
        except ValueError:
            return error(400, "body is not valid JSON")
        except BadRequest as exc:
            return error(exc.status, exc.message)
        try:
            result = await asyncio.wrap_future(batcher.submit(crop))
        except Exception as exc:
            return error(500, f"recognition failed: {type(exc).__name__}: {exc}")
        tokens = result.tokens
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model_name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text},
                         "finish_reason": "length" if result.finish_reason == "length" else "stop"}],
            "usage": {"prompt_tokens": result.stats.get("prompt_tokens", 0), "completion_tokens": tokens,
                      "total_tokens": tokens + result.stats.get("prompt_tokens", 0)},
            "glmocr_stats": {**result.stats, "seconds": result.seconds},
        }

    return app
