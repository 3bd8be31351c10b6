"""`glmocr serve` + `convert --recognizer-url` end to end on 127.0.0.1 with the tiny checkpoints."""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from helpers.cli import ROOT, run_cli  # noqa: E402
from helpers.factories import noise_page  # noqa: E402
from helpers.tiny_glm import build_tiny_glm_ocr as build_glm_checkpoint  # noqa: E402
from helpers.tiny_layout import build_tiny_pp_doclayout  # noqa: E402

pytestmark = pytest.mark.slow  # a real server process

KEY = "test-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "GLMOCR_API_KEY": KEY, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "glmocr_cli",
            "serve",
            "--model",
            str(model),
            "--port",
            str(port),
            "--device",
            "cpu",
            "--no-mtp",
            "--max-new-tokens",
            "3",
            "--max-request-bytes",
            "2000000",
            "--max-image-pixels",
            "4000000",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_healthy(port: int, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("server did not come up")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    model, layout = build_glm_checkpoint(root / "glm"), build_tiny_pp_doclayout(root / "layout")
    port = free_port()
    server = start_server(model, port)
    try:
        wait_healthy(port)
        yield model, layout, port, root
    finally:
        server.terminate()
        server.wait(timeout=30)


def png_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def chat(port: int, content, key: str | None = KEY) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(
        f"http://127.0.0.1:{port}/v1/chat/completions",
        headers=headers,
        timeout=60,
        json={"model": "glm-ocr", "messages": [{"role": "user", "content": content}], "max_tokens": 3},
    )


def test_remote_run_matches_the_in_process_run(setup, tmp_path):
    model, layout, port, _ = setup
    noise_page(0, size=(400, 500)).image.save(tmp_path / "scan.png")
    common = [
        "--engine",
        "glm",
        "--layout-model",
        str(layout),
        "--max-new-tokens",
        "3",
        "--workers",
        "1",
        "--device",
        "cpu",
        "--no-mtp",
        "--format",
        "json,md",
    ]
    local = run_cli(
        "convert", str(tmp_path / "scan.png"), "-o", str(tmp_path / "local"), "--model", str(model), *common
    )
    assert local.returncode == 0, local.stderr
    remote = run_cli(
        "convert",
        str(tmp_path / "scan.png"),
        "-o",
        str(tmp_path / "remote"),
        "--recognizer-url",
        f"http://127.0.0.1:{port}",
        *common,
        env={"GLMOCR_API_KEY": KEY},
    )
    assert remote.returncode == 0, remote.stderr
    assert (tmp_path / "local" / "scan.md").read_text() == (tmp_path / "remote" / "scan.md").read_text()
    a = json.loads((tmp_path / "local" / "scan.json").read_text())["pages"][0]["regions"]
    b = json.loads((tmp_path / "remote" / "scan.json").read_text())
    assert b["engine"]["models"]["recognizer"]["recognizer"] == "remote"
    b = b["pages"][0]["regions"]
    assert a and [(r["label"], r["bbox"], r["content"]) for r in a] == [
        (r["label"], r["bbox"], r["content"]) for r in b
    ]


def test_bad_requests_get_4xx_and_the_server_stays_up(setup):
    _, _, port, _ = setup
    image = [
        {"type": "image_url", "image_url": {"url": png_url(Image.new("RGB", (56, 28), "white"))}},
        {"type": "text", "text": "Text Recognition:"},
    ]
    assert chat(port, image).status_code == 200
    assert chat(port, image, key="wrong").status_code == 401
    assert chat(port, image, key=None).status_code == 401
    assert chat(port, [{"type": "text", "text": "Text Recognition:"}]).status_code == 400
    bad = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@not-base64@@"}}]
    assert chat(port, bad).status_code == 400
    fetch = [{"type": "image_url", "image_url": {"url": "http://127.0.0.1:1/x.png"}}]
    assert chat(port, fetch).status_code == 400
    huge = [{"type": "image_url", "image_url": {"url": png_url(Image.new("1", (3000, 3000)))}}]
    assert chat(port, huge).status_code == 413
    blob = [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 3_000_000}}]
    assert chat(port, blob).status_code == 413
    response = httpx.post(
        f"http://127.0.0.1:{port}/v1/chat/completions",
        content=b"{not json",
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=30,
    )
    assert response.status_code == 400
    assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    assert chat(port, image).status_code == 200


def test_server_down_then_back_the_run_finishes(setup, tmp_path):
    model, layout, _, _ = setup
    port = free_port()
    noise_page(1, size=(400, 500)).image.save(tmp_path / "scan.png")
    convert = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "glmocr_cli",
            "convert",
            str(tmp_path / "scan.png"),
            "-o",
            str(tmp_path / "out"),
            "--engine",
            "glm",
            "--layout-model",
            str(layout),
            "--recognizer-url",
            f"http://127.0.0.1:{port}",
            "--max-new-tokens",
            "3",
            "--workers",
            "1",
            "--device",
            "cpu",
        ],
        cwd=ROOT,
        env={**os.environ, "GLMOCR_API_KEY": KEY, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # the run is now retrying against a closed port
    server = start_server(model, port)
    try:
        _, stderr = convert.communicate(timeout=240)
        assert convert.returncode == 0, stderr
        assert (tmp_path / "out" / "scan.md").is_file()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_server_that_never_comes_back_fails_the_document_clearly(setup, tmp_path):
    _, layout, _, _ = setup
    port = free_port()
    noise_page(2, size=(400, 500)).image.save(tmp_path / "scan.png")
    started = time.time()
    result = run_cli(
        "convert",
        str(tmp_path / "scan.png"),
        "-o",
        str(tmp_path / "out"),
        "--engine",
        "glm",
        "--layout-model",
        str(layout),
        "--recognizer-url",
        f"http://127.0.0.1:{port}",
        "--recognizer-timeout",
        "2",
        "--workers",
        "1",
        "--device",
        "cpu",
        timeout=200,
    )
    assert result.returncode == 1
    # the document's own line (heartbeat "progress:" lines name the file being worked on too)
    line = next(ln for ln in result.stderr.splitlines() if "scan.png" in ln and not ln.startswith("progress:"))
    assert "failed" in line and "gave up after" in line
    assert not (tmp_path / "out" / "scan.md").exists() and time.time() - started < 180
