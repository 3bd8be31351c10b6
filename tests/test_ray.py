"""`--ray` on a real local Ray instance: same outputs as the local run, and a killed worker costs nothing."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from helpers.cli import ROOT, run_cli, strip_volatile
from helpers.factories import PARAGRAPH, render_to_image_pdf, text_pdf

pytestmark = pytest.mark.slow  # a local Ray instance and real worker processes

pytest.importorskip("ray")
psutil = pytest.importorskip("psutil")

RAY_ENV = {"RAY_DEDUP_LOGS": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def outputs(folder: Path) -> dict[str, object]:
    """Every output file under folder; JSON without timings, everything else as bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and ".glmocr" not in path.parts:
            key = path.relative_to(folder).as_posix()
            found[key] = strip_volatile(json.loads(path.read_text())) if path.suffix == ".json" else path.read_bytes()
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("corpus")
    born = text_pdf(src / "born.pdf", [[PARAGRAPH], ["A second page about budgets."]])
    (src / "scans").mkdir()
    render_to_image_pdf(born, src / "scans" / "scan.pdf", dpi=100)
    samples = ROOT / "samples"
    if samples.is_dir():
        (src / "samples").symlink_to(samples)
    dev = ROOT.parent / "shared" / "data" / "dev" / "pdf"
    if dev.is_dir():
        (src / "dev").mkdir()
        for name in ("2305.03393v1-pg9.pdf", "code_and_formula.pdf"):
            (src / "dev" / name).symlink_to(dev / name)
    return src


def test_ray_run_gives_the_same_outputs_as_local(tmp_path: Path, corpus: Path):
    local = run_cli("convert", str(corpus), "-o", str(tmp_path / "local"), "--workers", "2", "--dpi", "100")
    assert local.returncode == 0, local.stderr
    on_ray = run_cli(
        "convert",
        str(corpus),
        "-o",
        str(tmp_path / "ray"),
        "--ray",
        "--workers",
        "2",
        "--dpi",
        "100",
        "--summary",
        str(tmp_path / "summary.json"),
        env=RAY_ENV,
    )
    assert on_ray.returncode == 0, on_ray.stderr
    a, b = outputs(tmp_path / "local"), outputs(tmp_path / "ray")
    assert a.keys() == b.keys() and len(a) >= 6
    for key in a:
        assert a[key] == b[key], key
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert {d["status"] for d in summary["documents"]} == {"converted"}
    again = run_cli(
        "convert", str(corpus), "-o", str(tmp_path / "ray"), "--ray", "--workers", "2", "--dpi", "100", env=RAY_ENV
    )
    assert again.returncode == 0 and "converted" not in again.stderr and "skipped" in again.stderr


def _kill_one_actor(stop: threading.Event, killed: list[int]) -> None:
    """Wait until a page-worker actor is busy, then SIGKILL it (once)."""
    while not stop.is_set() and not killed:
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if "_PageWorkerActor.run" in cmdline:  # Ray titles a busy actor process "ray::Class.method"
                time.sleep(1.0)
                try:
                    os.kill(proc.info["pid"], signal.SIGKILL)
                    killed.append(proc.info["pid"])
                except ProcessLookupError:
                    continue
                return
        time.sleep(0.2)


def test_killed_worker_is_restarted_and_every_document_converted(tmp_path: Path, corpus: Path):
    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH]] * 3)
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        render_to_image_pdf(born, src / f"scan{i}.pdf", dpi=100)
    stop, killed = threading.Event(), []
    watcher = threading.Thread(target=_kill_one_actor, args=(stop, killed), daemon=True)
    watcher.start()
    try:
        result = run_cli(
            "convert",
            str(src),
            "-o",
            str(tmp_path / "out"),
            "--ray",
            "--workers",
            "2",
            "--dpi",
            "100",
            "--summary",
            str(tmp_path / "summary.json"),
            env=RAY_ENV,
        )
    finally:
        stop.set()
        watcher.join()
    assert killed, "no busy Ray worker was found to kill"
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [d["status"] for d in summary["documents"]] == ["converted"] * 3
    for i in range(3):
        assert "quick brown fox" in (tmp_path / "out" / f"scan{i}.md").read_text()
