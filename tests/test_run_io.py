"""Issue 9, files and folders as cron and CI meet them: damaged PDFs, unreadable folders, file modes,
leftovers of killed runs, and the --summary report. Real processes, real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from helpers.cli import ROOT, SAMPLES, ctrl_c_as_in_a_terminal, run_cli
from helpers.factories import PARAGRAPH, render_to_image_pdf, text_image, text_pdf

FAST = ["--dpi", "100", "--workers", "1", "--engine", "lite"]


def _break_page_content(src: Path, dst: Path, page_index: int) -> Path:
    """A PDF whose page's content stream is replaced by a non-stream object: MuPDF renders the page
    blank and says "cannot load content stream", as it does for a truncated download."""
    doc = pymupdf.open(src)
    for xref in doc[page_index].get_contents():
        doc.update_object(xref, "<< /Broken true >>")
    doc.save(dst)
    return dst


@pytest.mark.slow
def test_damaged_pdf_is_reported_and_never_stamped_up_to_date(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "truncated.pdf").write_bytes((SAMPLES / "scanned-page.pdf").read_bytes()[:5000])
    _break_page_content(text_pdf(tmp_path / "whole.pdf", [[PARAGRAPH], [PARAGRAPH]]), src / "half.pdf", 1)
    first = run_cli("convert", str(src), "-o", str(out), *FAST)
    # Nothing readable in the truncated file: a failure that names it and MuPDF's reason.
    assert first.returncode == 1, first.stderr
    failed = [ln for ln in first.stderr.splitlines() if "failed" in ln and "truncated.pdf" in ln]
    assert failed and "damaged" in failed[0], first.stderr
    # One page of two unreadable: converted, with a warning naming the file and the page.
    warned = [ln for ln in first.stderr.splitlines() if ln.startswith("warning:") and "half.pdf" in ln]
    assert any("page 2" in ln and "damaged" in ln for ln in warned), first.stderr
    assert "quick brown fox" in (out / "half.md").read_text()
    assert "damaged" in json.loads((out / "half.json").read_text())["pages"][1]["flags"]
    # Neither is up to date: the next run retries both instead of saying "skipped".
    second = run_cli("convert", str(src), "-o", str(out), *FAST)
    assert second.returncode == 1 and "skipped" not in second.stderr, second.stderr
    assert "failed" in second.stderr and "converted" in second.stderr


def _without_dac_capabilities() -> list[str] | None:
    """A command prefix that runs as an ordinary user would: root reads any folder, whatever its mode."""
    if os.geteuid() != 0:
        return []
    if shutil.which("capsh"):
        probe = subprocess.run(
            ["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", "true"], capture_output=True
        )
        if probe.returncode == 0:
            return ["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", 'exec "$0" "$@"']
    return None


@pytest.mark.slow
def test_unreadable_subfolder_is_one_line_and_the_rest_converts(tmp_path: Path):
    prefix = _without_dac_capabilities()
    if prefix is None:
        pytest.skip("running as root without capsh: cannot drop CAP_DAC_OVERRIDE to make a folder unreadable")
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "locked").mkdir(parents=True)
    text_image(src / "ok.png", ["Invoice number 4711"])
    text_image(src / "locked" / "hidden.png", ["Secret page"])
    (src / "locked").chmod(0)
    try:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "glmocr_cli", "convert", str(src), "-o", str(out), *FAST],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=600,
        )
    finally:
        (src / "locked").chmod(0o755)
    assert "Traceback" not in result.stderr, result.stderr
    folder_lines = [ln for ln in result.stderr.splitlines() if "cannot read folder" in ln]
    assert len(folder_lines) == 1 and str(src / "locked") in folder_lines[0], result.stderr
    assert "4711" in (out / "ok.md").read_text()
    assert result.returncode == 1  # a folder's documents were not converted: the run says so


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.slow
def test_modes_follow_umask_and_killed_runs_leave_nothing_behind(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(SAMPLES / "report.pdf", src / "doc.pdf")  # has a figure: a crop under images/
    text_image(src / "note.png", ["Invoice number 4711"])
    # What a run killed mid-write leaves: a temp file of a dead process. A live writer's stays.
    (out / "images").mkdir(parents=True)
    stale = out / "images" / f".doc-x.png.glmocr-{_dead_pid()}-abc123.tmp"
    live = out / f".note.md.glmocr-{os.getpid()}-def456.tmp"
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    summary = tmp_path / "report" / "summary.json"

    def convert() -> subprocess.CompletedProcess:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        return subprocess.run(
            [
                "sh",
                "-c",
                'umask 027; exec "$@"',
                "sh",
                sys.executable,
                "-m",
                "glmocr_cli",
                "convert",
                str(src),
                "-o",
                str(out),
                *FAST,
                "--summary",
                str(summary),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=600,
        )

    first = convert()
    assert first.returncode == 0, first.stderr
    crops = sorted((out / "images").glob("doc-*.png"))
    assert crops, "report.pdf should give a figure crop"
    written = [
        *crops,
        out / "doc.md",
        out / "doc.json",
        out / "note.html",
        summary,
        *(out / ".glmocr").glob("*.stamp.json"),
    ]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {oct(0o640)}
    assert not stale.exists() and live.exists()
    # The document changes and loses its figure: the old crop goes, the unchanged one is skipped
    # and keeps its page count in the summary.
    text_pdf(src / "doc.pdf", [[PARAGRAPH]])
    second = convert()
    assert second.returncode == 0, second.stderr
    assert not any(p.exists() for p in crops)
    documents = {Path(d["path"]).name: d for d in json.loads(summary.read_text())["documents"]}
    assert documents["note.png"]["status"] == "skipped" and documents["note.png"]["pages"] == 1


@pytest.mark.slow
def test_unwritable_summary_path_is_refused_before_any_work(tmp_path: Path):
    pdf = text_pdf(tmp_path / "a.pdf")
    (tmp_path / "file").write_text("not a folder")
    result = run_cli(
        "convert", str(pdf), "-o", str(tmp_path / "out"), *FAST, "--summary", str(tmp_path / "file" / "summary.json")
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--summary" in lines[0] and "summary.json" in lines[0], result.stderr
    assert not (tmp_path / "out" / "a.md").exists()


@pytest.mark.slow
def test_summary_is_written_on_interrupt_with_version_times_and_options(tmp_path: Path):
    src, out, summary = tmp_path / "in", tmp_path / "out", tmp_path / "summary.json"
    src.mkdir()
    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH]] * 2)
    documents = 8  # enough that the interrupt lands mid-run on a busy machine
    for i in range(documents):
        render_to_image_pdf(born, src / f"scan{i}.pdf", dpi=100)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "glmocr_cli", "convert", str(src), "-o", str(out), *FAST, "--summary", str(summary)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    line = proc.stderr.readline()
    while line and "converted" not in line:
        line = proc.stderr.readline()
    assert "converted" in line
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    assert proc.returncode == 130
    report = json.loads(summary.read_text())
    assert report["interrupted"] is True and report["exit_code"] == 130
    assert report["version"] and report["started"] <= report["ended"]
    assert report["options"]["dpi"] == 100 and report["options"]["engine"] == "lite"
    done = [d for d in report["documents"] if d["status"] == "converted"]
    assert 1 <= len(done) < documents and all(d["pages"] == 2 for d in done)
