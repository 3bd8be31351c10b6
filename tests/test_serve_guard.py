"""`glmocr serve` refuses an address other machines can reach when no API key is set, before it
opens any socket; its advice names only options it has. Nothing here binds anything but loopback:
an audit hook ends the process (exit 99) at the first socket it would create."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import ROOT

pytestmark = pytest.mark.slow  # real `glmocr serve` processes

NO_SOCKETS = """
import os, sys
def hook(event, args):
    if event in ("socket.__new__", "socket.bind"):
        sys.stderr.write("SOCKET OPENED\\n"); sys.stderr.flush(); os._exit(99)
sys.addaudithook(hook)
sys.argv = ["glmocr"] + sys.argv[1:]
from glmocr_cli.cli.commands import main
main()
"""


def serve(tmp_path: Path, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLMOCR_")}
    env.update({"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(ROOT)})
    if key is not None:
        env["GLMOCR_API_KEY"] = key
    # an empty Hugging Face cache: past the guard, finding the model fails before any socket
    return subprocess.run(
        [sys.executable, "-c", NO_SOCKETS, "serve", "--port", "8799", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org"])
def test_non_loopback_without_key_is_refused_before_any_socket(tmp_path: Path, host: str):
    result = serve(tmp_path, "--host", host)
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "SOCKET OPENED" not in result.stderr
    assert host in lines[0] and "GLMOCR_API_KEY" in lines[0] and "--allow-no-key" in lines[0]


@pytest.mark.parametrize(
    "args, key",
    [
        (["--host", "0.0.0.0", "--allow-no-key"], None),
        (["--host", "0.0.0.0"], "s3cret"),
        (["--host", "127.0.0.1"], None),
    ],
)
def test_key_allow_flag_or_loopback_pass_the_guard(tmp_path: Path, args: list[str], key: str | None):
    result = serve(tmp_path, *args, key=key)
    # past the guard: the (missing) model is what stops it, still before any socket
    assert result.returncode == 2 and "SOCKET OPENED" not in result.stderr, result.stderr
    assert "--allow-no-key" not in result.stderr and "not in the Hugging Face cache" in result.stderr


def test_model_error_advice_names_only_serve_options(tmp_path: Path):
    result = serve(tmp_path, "--host", "127.0.0.1")  # no weights in the cache
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--model" in lines[0], result.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "glmocr_cli", "serve", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    for option in set(re.findall(r"--[a-z][a-z-]+", lines[0])):
        assert option in help_text, f"serve has no {option}: {lines[0]}"
