"""How a run ends when its surroundings are hostile (issue 19): a dropped ssh session (SIGHUP), a
disk that refuses the summary at the end, `-q` in a cron job, a HOME that must stay untouched.

Real processes, real signals, real write failures (the kernel's file-size limit refuses the write
the way a full disk does).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from helpers.cli import ROOT, run_cli
from helpers.processes import scanned_folder, wait_for_line

FAST = ["--dpi", "100", "--workers", "1"]


def test_sighup_ends_like_sigterm_with_summary_final_line_and_nothing_under_home(tmp_path: Path):
    src = scanned_folder(tmp_path, documents=4, pages=1)
    out, summary, home = tmp_path / "out", tmp_path / "summary.json", tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "glmocr_cli", "convert", str(src), "-o", str(out), *FAST, "--summary", str(summary)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        # as from a terminal: under nohup (a CI runner's, say) SIGHUP is inherited ignored, and stays so
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )
    before = wait_for_line(proc, "converted")
    proc.send_signal(signal.SIGHUP)
    rest = proc.communicate(timeout=120)[1]
    assert proc.returncode == 129, "".join(before) + rest
    assert "Traceback" not in rest
    lines = rest.splitlines()
    assert any(ln.startswith("done: ") for ln in lines) and lines[-1].startswith("interrupted: "), rest
    report = json.loads(summary.read_text(encoding="utf-8"))
    assert report["interrupted"] is True and report["exit_code"] == 129
    assert report["counts"]["converted"] >= 1
    # no telemetry: onnxruntime wrote no device id or event database (nor anything else) under HOME
    assert list(home.rglob("*")) == []


def test_version_says_nothing_else_where_home_is_not_writable(tmp_path: Path):
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("")
    result = run_cli("--version", env={"HOME": str(not_a_folder)})
    assert result.returncode == 0 and result.stdout.startswith("glmocr-cli ") and result.stderr == "", result.stderr


def _refuse_writes_over(size: int):
    """preexec_fn: files may not grow past size bytes; a longer write fails (EFBIG) like a full disk."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_quiet_keeps_why_the_exit_code_is_not_0_and_a_summary_the_disk_refuses_is_one_line(tmp_path: Path):
    empty, summary = tmp_path / "empty", tmp_path / "summary.json"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLMOCR_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "glmocr_cli",
            "convert",
            str(empty),
            "-o",
            str(tmp_path / "out"),
            *FAST,
            "-q",
            "--fail-on",
            "flagged",
            "--summary",
            str(summary),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**env, "HF_HUB_OFFLINE": "1"},
        preexec_fn=_refuse_writes_over(64),
    )
    assert result.returncode == 1, result.stderr  # how the documents went, not the summary's fate
    assert result.stderr.splitlines() == [
        f"error: --summary {summary}: cannot write the summary (File too large)",
        "error: no PDF or image files found (--fail-on flagged counts that as a failure)",
    ], result.stderr
    assert not summary.exists()
