"""bench/gpu.sh stays runnable: its CPU dry run on tiny checkpoints goes through every part."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.cli import ROOT

pytestmark = pytest.mark.slow  # the GPU bench's dry run in a process


def test_gpu_bench_dry_run_on_cpu():
    env = {**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        ["bash", str(ROOT / "bench" / "gpu.sh"), "--device", "cpu", "--tiny"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    pages = [line for line in lines if line.startswith("PAGES/S one replica")]
    assert len(pages) == 2 and all("vs official 1.86" in line for line in pages), result.stdout
    [line] = [line for line in lines if line.startswith("BATCH 2 ")]
    assert "generate" in line and "MTP at acceptance 0.8" in line and "peak GPU memory" in line
    assert lines[-1].startswith("done in")
