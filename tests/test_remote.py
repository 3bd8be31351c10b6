"""The remote recogniser's HTTP behaviour against real servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

pytest.importorskip("httpx")
from glmocr_cli.recognize.base import CropRequest  # noqa: E402
from glmocr_cli.recognize.remote import RecognizerUnavailable, RemoteRecognizer  # noqa: E402


class ScriptedServer:
    """An OpenAI-style endpoint that answers with the given statuses in turn, then succeeds."""

    def __init__(self, statuses: list[int], retry_after: str | None = None):
        self.statuses, self.requests, self.bodies = list(statuses), 0, []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, payload: dict, headers: dict | None = None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._reply(200, {"data": [{"id": "glm-ocr-test"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests += 1
                owner.bodies.append((body, self.headers.get("Authorization")))
                if owner.statuses:
                    status = owner.statuses.pop(0)
                    headers = {"Retry-After": retry_after} if retry_after else {}
                    self._reply(status, {"error": {"message": "scripted"}}, headers)
                    return
                prompt = body["messages"][0]["content"][1]["text"]
                self._reply(
                    200,
                    {
                        "choices": [{"message": {"content": f"read: {prompt}"}, "finish_reason": "stop"}],
                        "usage": {"completion_tokens": 4},
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def crop(prompt="Text Recognition:"):
    return CropRequest(Image.new("RGB", (56, 28), "white"), prompt, max_new_tokens=32)


def test_retries_5xx_then_succeeds_and_sends_the_key():
    server = ScriptedServer([503, 502])
    try:
        client = RemoteRecognizer(server.url, backoff=0.01, retries=3, api_key="secret")
        [result] = client.recognize([crop("Table Recognition:")])
        assert result.text == "read: Table Recognition:" and result.tokens == 4
        assert server.requests == 3
        body, auth = server.bodies[-1]
        assert auth == "Bearer secret" and body["model"] == "glm-ocr-test" and body["temperature"] == 0
        assert body["messages"][0]["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")
    finally:
        server.close()


def test_retry_after_is_honoured_on_429():
    server = ScriptedServer([429], retry_after="0.3")
    try:
        client = RemoteRecognizer(server.url, backoff=0.0, retries=2)
        started = time.perf_counter()
        client.recognize([crop()])
        assert time.perf_counter() - started >= 0.3 and server.requests == 2
    finally:
        server.close()


def test_client_errors_are_not_retried():
    server = ScriptedServer([400])
    try:
        client = RemoteRecognizer(server.url, backoff=0.01, retries=5)
        with pytest.raises(RecognizerUnavailable, match="HTTP 400"):
            client.recognize([crop()])
        assert server.requests == 1
    finally:
        server.close()


def test_unreachable_server_fails_in_bounded_time():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once we leave: connections are refused
    client = RemoteRecognizer(f"http://127.0.0.1:{port}", model="m", backoff=0.05, retries=3, timeout=2)
    started = time.perf_counter()
    with pytest.raises(RecognizerUnavailable, match="gave up after 4 tries"):
        client.recognize([crop()])
    assert time.perf_counter() - started < 10
