"""`glmocr serve` under bad and long requests, in process on 127.0.0.1 with the tiny GLM-OCR checkpoint:
every malformed body is a 400 naming the field (never a 500), a request's time limit ends its decode,
and a client that disconnects has its decode stopped at once."""

from __future__ import annotations

import base64
import io
import socket
import threading
import time

import pytest
from PIL import Image

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from helpers.tiny_glm import build_tiny_glm_ocr  # noqa: E402


def png_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (56, 28), "white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class LocalServer:
    """uvicorn on a free loopback port in a thread of this process."""

    def __init__(self, app):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            assert time.time() < deadline, "server did not start"
            time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def chat(self, body, timeout: float = 60) -> httpx.Response:
        return httpx.post(self.url("/v1/chat/completions"), json=body, timeout=timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory):
    from glmocr_cli.engines.glm import load_glm_recognizer

    model = build_tiny_glm_ocr(tmp_path_factory.mktemp("serve-requests") / "glm")
    # the tiny model never says EOS: a big budget makes a decode as long as a test wants
    return load_glm_recognizer(model, device="cpu", mtp=False, max_new_tokens=1_000_000)


@pytest.fixture
def serve(recognizer):
    from glmocr_cli.serve.app import create_app

    servers = []

    def start(**options) -> LocalServer:
        servers.append(LocalServer(create_app(recognizer, max_new_tokens=1_000_000, **options)))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def image_part(url=None) -> dict:
    return {"type": "image_url", "image_url": {"url": png_url() if url is None else url}}


MALFORMED = [  # (body, the field the reason must name)
    ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": [image_part(12345)]}]}, "messages[0].content[0].image_url.url"),
    (
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": 7}]}]},
        "messages[0].content[0].image_url",
    ),
    (
        {"messages": [{"role": "user", "content": [image_part(), {"type": "text", "text": None}]}]},
        "messages[0].content[1].text",
    ),
    ({"messages": [{"role": "user", "content": [image_part(), 5]}]}, "messages[0].content[1]"),
    ({"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]}, "messages[0].content[0]"),
    ({"messages": [{"role": "user", "content": [image_part()]}], "max_tokens": "10"}, "max_tokens"),
    ({"messages": [{"role": "user", "content": [image_part()]}], "max_tokens": 0}, "max_tokens"),
    ({"messages": "hello"}, "messages"),
    ({"messages": []}, "messages"),
    ({"messages": [7]}, "messages[0]"),
    ([1, 2], "body"),
    (None, "body"),
]


def test_every_malformed_body_is_a_400_naming_the_field(serve):
    server = serve()
    for body, field in MALFORMED:
        response = server.chat(body)
        assert response.status_code == 400, (body, response.text)
        message = response.json()["error"]["message"]
        assert "\n" not in message and message.startswith(f"malformed request: {field}:"), (body, message)
    for raw in (b"\xff\xfe not utf-8", b"[" * 100_000, b'{"messages": [{"content": 5'):
        response = httpx.post(server.url("/v1/chat/completions"), content=raw, timeout=30)
        assert response.status_code == 400 and "JSON" in response.json()["error"]["message"], response.text
    body = {
        "messages": [{"role": "user", "content": [image_part(), {"type": "text", "text": "Text Recognition:"}]}],
        "max_tokens": 2,
        "temperature": 0,
    }  # fields we do not read are allowed
    response = server.chat(body)
    assert response.status_code == 200 and response.json()["usage"]["completion_tokens"] == 2, response.text


def long_request() -> dict:
    return {"messages": [{"role": "user", "content": [image_part()]}], "max_tokens": 1_000_000}


def test_a_request_past_its_time_limit_is_answered_with_what_was_read(serve):
    server = serve(request_timeout=1.0)
    started = time.monotonic()
    response = server.chat(long_request())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert time.monotonic() - started < 30  # not the million tokens it asked for
    assert answer["choices"][0]["finish_reason"] == "length" and answer["glmocr_stats"]["stopped"].startswith("time")
    assert 0 < answer["usage"]["completion_tokens"] < 1_000_000
    assert httpx.get(server.url("/health")).json()["requests"]["timed_out"] == 1


def test_a_client_that_disconnects_has_its_decode_stopped(serve):
    server = serve(request_timeout=600.0)
    with pytest.raises(httpx.ReadTimeout):
        server.chat(long_request(), timeout=1.0)  # the client leaves after a second
    deadline = time.monotonic() + 20
    while httpx.get(server.url("/health")).json()["requests"]["client_gone"] < 1:
        assert time.monotonic() < deadline, "the server never noticed the client left"
        time.sleep(0.2)
    # the decode stopped with it: the next request is served now, not after the first one's 600 s
    started = time.monotonic()
    response = server.chat({"messages": [{"role": "user", "content": [image_part()]}], "max_tokens": 2})
    assert response.status_code == 200 and time.monotonic() - started < 60, response.text
