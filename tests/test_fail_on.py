"""--fail-on never | failure | flagged: what makes the exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.cli import run_cli
from helpers.factories import text_pdf

pytestmark = pytest.mark.slow  # exit codes of real runs

FAST = ["--dpi", "100", "--workers", "1"]


def test_never_exits_0_with_a_failed_document_and_failure_is_the_default(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    text_pdf(src / "good.pdf")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not a PDF body")
    out = tmp_path / "out"
    never = run_cli("convert", str(src), "-o", str(out), *FAST, "--fail-on", "never")
    assert never.returncode == 0, never.stderr
    assert "broken.pdf" in never.stderr and (out / "good.md").is_file()
    default = run_cli("convert", str(src), "-o", str(out), *FAST)
    assert default.returncode == 1
    explicit = run_cli("convert", str(src), "-o", str(out), *FAST, "--fail-on", "failure")
    assert explicit.returncode == 1


def test_empty_folder_warns_and_exits_0_unless_fail_on_flagged(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("convert", str(empty), "-o", str(tmp_path / "out"), *FAST)
    assert result.returncode == 0 and "warning: no PDF or image files found" in result.stderr
    strict = run_cli("convert", str(empty), "-o", str(tmp_path / "out"), *FAST, "--fail-on", "flagged")
    assert strict.returncode == 1 and "warning: no PDF or image files found" in strict.stderr


def test_flagged_page_exits_1_only_with_fail_on_flagged_also_when_skipped(shared_data: Path, tmp_path: Path):
    """An Arabic page read without its text layer on a machine with no Arabic OCR data (an empty
    TESSDATA_PREFIX): nothing can read the script and the page is flagged. `failure` passes it;
    `flagged` does not, on the run and on a rerun that skips it."""
    pdf = shared_data / "pdf" / "right_to_left_01.pdf"
    out = tmp_path / "out"
    (tmp_path / "no-tessdata").mkdir()
    env = {"TESSDATA_PREFIX": str(tmp_path / "no-tessdata")}
    common = ["convert", str(pdf), "-o", str(out), *FAST, "--text-layer", "off", "--pages", "1", "--format", "json"]
    flagged = run_cli(*common, "--fail-on", "flagged", env=env)
    assert flagged.returncode == 1, flagged.stderr
    lines = [ln for ln in flagged.stderr.splitlines() if ln.startswith("flagged: ")]
    assert lines and all("right_to_left_01.pdf: page 1: " in ln for ln in lines), flagged.stderr
    assert any(ln.endswith("unsupported-script") for ln in lines), flagged.stderr
    assert run_cli(*common, env=env).returncode == 0  # failure: a flag is not a failure
    rerun = run_cli(*common, "--fail-on", "flagged", env=env)
    assert "skipped" in rerun.stderr and rerun.returncode == 1, rerun.stderr
