"""`glmocr serve`: our in-process GLM-OCR (MTP decoder, batching of concurrent requests) behind the
OpenAI-compatible `/v1/chat/completions` API that vLLM and SGLang also speak.

Bad requests get a 4xx with a reason and the server stays up: a body of the wrong shape or types
(checked by the pydantic models of schema.py), no image, an image given by URL (we never fetch), bad
base64, an image over the pixel limit, a body over the size limit, a wrong key.

No request holds the server: each has a token budget (`max_tokens`, at most `--max-new-tokens`) and a
time limit (`--request-timeout`, counted from its arrival, queue included): when either is reached its
decode stops between two steps and it is answered with what was read (finish_reason "length"). A client
that disconnects has its request dropped from the queue, or its decode stopped at the next step.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import base64
import binascii
import hmac
import io
import threading
import time
import uuid
import warnings
from concurrent.futures import Future
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image
from pydantic import ValidationError

from ..config import Settings
from ..recognize.base import CropAnswer, CropRecognizer, CropRequest
from .batcher import RequestBatcher
from .schema import ChatRequest, reason


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
    try:
        chat = ChatRequest.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(400, f"malformed request: {reason(exc)}") from None
    images = chat.image_urls()
    if len(images) != 1:
        raise BadRequest(400, f"exactly one image is needed, got {len(images)}")
    max_tokens = chat.max_tokens or chat.max_completion_tokens or default_max_tokens
    from ..recognize.glm.recognizer import prepare_crop

    return CropRequest(
        prepare_crop(decode_image(images[0], max_pixels)),
        "\n".join(chat.texts()) or "Text Recognition:",
        max_new_tokens=min(max_tokens, default_max_tokens),
    )


class StopWhen:
    """A request's reasons to stop decoding: its client left, or its time limit passed."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.client_gone = threading.Event()

    def timed_out(self) -> bool:
        return time.monotonic() >= self.deadline

    def __call__(self) -> bool:
        return self.client_gone.is_set() or self.timed_out()


class ClientGone(Exception):
    pass


async def answer_or_disconnect(request: Request, future: Future, poll: float = 0.2) -> CropAnswer:
    """The recogniser's answer; ClientGone as soon as the client is seen to have disconnected."""
    waiter = asyncio.wrap_future(future)
    while True:
        done, _ = await asyncio.wait({waiter}, timeout=poll)
        if done:
            return waiter.result()
        if await request.is_disconnected():
            waiter.cancel()  # cancels the queued future too; a running decode stops on StopWhen
            raise ClientGone


class RefuseFirst:
    """ASGI middleware: answers `refusal(request)` when it is not None, else passes the request on."""

    def __init__(self, app, refusal):
        self.app, self.refusal = app, refusal

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            refused = self.refusal(Request(scope))
            if refused is not None:
                return await refused(scope, receive, send)
        await self.app(scope, receive, send)


def create_app(
    recognizer: CropRecognizer,
    *,
    model_name: str = "glm-ocr",
    api_key: str | None = None,
    max_request_bytes: int = 20 * 2**20,
    max_image_pixels: int = Settings.max_image_pixels,
    max_new_tokens: int = Settings.max_new_tokens,
    batch_size: int = Settings.batch_size,
    request_timeout: float = 120.0,
):
    batcher = RequestBatcher(recognizer, batch_size=batch_size)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        batcher.close()

    app = FastAPI(title="glmocr serve", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.batcher = batcher
    app.state.counts = {"answered": 0, "client_gone": 0, "timed_out": 0}

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse(
            {"error": {"message": message, "type": "invalid_request_error", "code": status}}, status_code=status
        )

    def refusal(request: Request) -> JSONResponse | None:
        if api_key and request.url.path.startswith("/v1/"):
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), api_key.encode()):
                return error(401, "missing or wrong API key")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_request_bytes:
            return error(413, f"request body over {max_request_bytes} bytes")
        return None

    # A plain ASGI middleware, not @app.middleware("http"): that one wraps `receive`, and behind it the
    # endpoint never sees the client disconnect (so it could not stop a decode nobody waits for).
    app.add_middleware(RefuseFirst, refusal=refusal)

    @app.get("/health")
    async def health():
        return {"status": "ok", "requests": app.state.counts}

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
            parsed = json.loads(body or b"null")
        except (ValueError, RecursionError):  # bad UTF-8 or syntax; nesting deeper than Python's stack
            return error(400, "body is not valid JSON")
        try:
            crop = parse_chat_request(parsed, max_image_pixels, max_new_tokens)
        except BadRequest as exc:
            return error(exc.status, exc.message)
        stop = crop.should_stop = StopWhen(request_timeout)
        try:
            result = await answer_or_disconnect(request, batcher.submit(crop))
        except ClientGone:
            stop.client_gone.set()
            app.state.counts["client_gone"] += 1
            return Response(status_code=499)  # nobody reads it; the connection is gone
        except Exception as exc:
            return error(500, f"recognition failed: {type(exc).__name__}: {exc}")
        tokens, stopped = result.tokens, result.finish_reason == "stopped"
        app.state.counts["timed_out" if stopped else "answered"] += 1
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model_name,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": result.text},
                    "finish_reason": "length" if result.finish_reason in ("length", "stopped") else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": result.stats.get("prompt_tokens", 0),
                "completion_tokens": tokens,
                "total_tokens": tokens + result.stats.get("prompt_tokens", 0),
            },
            "glmocr_stats": {
                **result.stats,
                "seconds": result.seconds,
                **({"stopped": f"time limit of {request_timeout:g} s"} if stopped else {}),
            },
        }

    return app
