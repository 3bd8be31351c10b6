"""How a run ends when something outside ends it: SIGTERM, SIGKILL, a document that never finishes.

Real conversions of real files in real processes; psutil looks at the process tree.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from helpers.cli import ROOT, ctrl_c_as_in_a_terminal, run_cli
from helpers.factories import PARAGRAPH, render_to_image_pdf, text_pdf
from helpers.processes import scanned_folder, wait_for_line

pytestmark = pytest.mark.slow  # signals and processes

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def start_convert(src: Path, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "glmocr_cli", "convert", str(src), "-o", str(out), "--dpi", "100", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=ROOT,
    )


def alive(pids: list[int]) -> list[int]:
    """Processes that still run (a zombie has ended: only its exit status is left)."""
    left = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
        except psutil.NoSuchProcess:
            pass
    return left


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


def descendants(pid: int) -> list[int]:
    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def two_workers_under_way(tmp_path: Path) -> tuple[Path, Path, subprocess.Popen, list]:
    """8 scanned documents converting with 2 workers, once the first is done: (src, out, proc, workers)."""
    src = scanned_folder(tmp_path, documents=8)
    out = tmp_path / "out"
    proc = start_convert(src, out, "--workers", "2")
    wait_for_line(proc, "converted")
    workers = descendants(proc.pid)
    assert workers, "the run should have worker processes"
    return src, out, proc, workers


def test_sigterm_is_handled_like_sigint(tmp_path: Path):
    src, out, proc, workers = two_workers_under_way(tmp_path)
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=120)[1]
    assert proc.returncode == 143, rest
    assert "interrupted: finished documents are kept" in rest and "Traceback" not in rest
    assert not leftovers(out)
    done = {p.stem for p in out.glob("*.json")}
    assert 1 <= len(done) < 8
    assert wait_gone(workers, 15) == []
    rerun = run_cli("convert", str(src), "-o", str(out), "--dpi", "100", "--workers", "2")
    assert rerun.returncode == 0 and rerun.stderr.count("skipped") == len(done)


def test_workers_die_when_the_main_process_is_killed(tmp_path: Path):
    _, out, proc, workers = two_workers_under_way(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert wait_gone(workers, 15) == [], "workers outlived a killed parent"
    assert any(out.glob("*.md"))  # what finished before the kill is kept


def test_document_timeout_fails_one_document_recycles_its_worker_and_the_batch_goes_on(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH]] * 30)
    render_to_image_pdf(born, src / "a-long.pdf", dpi=100)
    for name in ("b", "c"):
        text_pdf(src / f"{name}.pdf", [[f"Document {name} has a text layer."]])
    out = tmp_path / "out"
    # one worker: b and c can only convert if the worker stuck in a-long.pdf is replaced
    result = run_cli(
        "convert", str(src), "-o", str(out), "--dpi", "100", "--workers", "1", "--document-timeout", "10", timeout=400
    )
    assert result.returncode == 1, result.stderr
    failed = [ln for ln in result.stderr.splitlines() if "failed" in ln]
    assert len(failed) == 1 and "a-long.pdf" in failed[0] and "--document-timeout 10" in failed[0], result.stderr
    assert (out / "b.md").is_file() and (out / "c.md").is_file() and not (out / "a-long.md").exists()
    assert "Traceback" not in result.stderr


def test_a_killed_ray_run_leaves_no_ray_process_behind(tmp_path: Path):
    """Ray fate-shares its actors and most of a local instance with the driver; its agents were
    re-parented and lived on after kill -9 until the guardian (run/guardian.py) ended them."""
    pytest.importorskip("ray")
    src = scanned_folder(tmp_path, documents=4, pages=1)
    proc = start_convert(src, tmp_path / "out", "--ray", "--workers", "1")
    wait_for_line(proc, "converted")
    started = descendants(proc.pid)
    names = {psutil.Process(pid).name() for pid in alive(started)}
    assert "raylet" in names, names
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert wait_gone(started, 30) == [], [psutil.Process(p).name() for p in alive(started)]


def test_a_ctrl_c_swallowed_by_library_code_still_stops_the_run():
    """A SIGINT that lands inside a library's bare `except:` is remembered and raised again by the
    run loop's check (run/lifecycle.py), in a real process with the real handler."""
    script = (
        "import os, signal\n"
        "from glmocr_cli.run.lifecycle import handle_sigterm_like_sigint, raise_if_interrupted\n"
        "handle_sigterm_like_sigint()\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    for _ in range(10**6): pass\n"
        "except:  # what some libraries do\n"
        "    pass\n"
        "try:\n"
        "    raise_if_interrupted()\n"
        "except KeyboardInterrupt:\n"
        "    raise SystemExit(130)\n"
        "raise SystemExit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    assert done.returncode == 130, done.stderr
