"""Running `glmocr` as a user would, and comparing the outputs of two runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data" / "dev"
SAMPLES = ROOT / "samples"


def run_cli(
    *args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run `glmocr` as a user would (a real process, real exit code)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", **(env or {})}
    full_env = {k: v for k, v in full_env.items() if not k.startswith("GLMOCR_") or k in (env or {})}
    return subprocess.run(
        [sys.executable, "-m", "glmocr_cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )


def ctrl_c_as_in_a_terminal() -> None:
    """preexec_fn for a child that a test interrupts: SIGINT at its default, as under a terminal.
    (A child inherits an ignored SIGINT, and something in a long pytest session can leave the
    test process ignoring it; a process started with SIGINT ignored rightly ignores Ctrl-C.)"""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def strip_volatile(value):
    """JSON without timings and absolute paths, for comparing runs."""
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in ("timings", "source")}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value
