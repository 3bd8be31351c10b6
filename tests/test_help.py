"""Help readable at 80 columns, and usage errors as one line with exit 2."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.cli import ROOT, run_cli
from helpers.factories import text_pdf

pytestmark = pytest.mark.slow  # help rendered by real processes and a terminal


def convert_help(columns: int = 80) -> str:
    result = run_cli("convert", "--help", env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_convert_help_at_80_columns_names_every_option_whole():
    text = convert_help()
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    assert "…" not in text and "╭" not in text
    assert lines[0] == "Usage: glmocr convert [OPTIONS] INPUTS..."
    for option in (
        "--recognizer-concurrency",
        "--num-gpus-per-worker",
        "--keep-furniture / --drop-furniture",
        "--layout-threshold",
        "--fail-on",
        "--document-timeout",
        "--max-image-pixels",
    ):
        assert option in text, option
    assert not re.search(r"<(str|int|float|bool|path|list\[str\])>", text)
    assert re.search(r"--output PATH\b", text) and re.search(r"--dpi INTEGER\b", text)
    assert re.search(r"--password TEXT\b", text) and re.search(r"--recognizer-timeout SECONDS\b", text)


def test_convert_help_shows_the_effective_defaults():
    text = " ".join(convert_help().split())
    for default in (
        "[default: out]",
        "[default: md,json,html]",
        "[default: 8192]",
        "[default: auto]",
        "[default: mtp]",
        "[default: failure]",
        "(default: number of cores)",
        "[default: 100000000]",
    ):
        assert default in text, default
    assert "(default 200)" in text  # --dpi says it in its own words


def test_serve_help_at_80_columns():
    result = run_cli("serve", "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0
    assert max(map(len, result.stdout.splitlines())) <= 80
    assert "--allow-no-key" in result.stdout and re.search(r"--port INTEGER\b", result.stdout)
    assert not re.search(r"<(str|int|path)>", result.stdout)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_help_in_a_real_80x24_terminal():
    """What a person sees: the help asks the terminal for its size (no COLUMNS), and a line the
    terminal had to wrap would come back longer than 80 from capture-pane -J."""
    session = f"glmocr-help-{time.monotonic_ns()}"
    command = f"{sys.executable} -m glmocr_cli convert --help; tmux wait-for -S {session}; sleep 60"
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "80",
            "-y",
            "24",
            "-c",
            str(ROOT),
            "env",
            "-u",
            "COLUMNS",
            "-u",
            "LINES",
            "bash",
            "-c",
            command,
        ],
        check=True,
    )
    try:
        subprocess.run(["tmux", "wait-for", session], timeout=120, check=True)
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-1000", "-t", session],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    lines = screen.rstrip().splitlines()
    assert lines and lines[0].startswith("Usage: glmocr convert [OPTIONS] INPUTS..."), screen
    assert max(len(line.rstrip()) for line in lines) <= 80, screen
    assert "--recognizer-concurrency INTEGER" in screen and "…" not in screen


@pytest.mark.parametrize(
    "args, words",
    [
        (["--dpi", "abc"], ["--dpi"]),
        (["--workers", "0"], ["--workers", "1 or more"]),
        (["--max-image-pixels", "-1"], ["--max-image-pixels"]),
        (["--max-new-tokens", "0"], ["--max-new-tokens"]),
        (["--recognizer-concurrency", "0"], ["--recognizer-concurrency"]),
        (["--recognizer-timeout", "0"], ["--recognizer-timeout"]),
        (["--document-timeout", "-5"], ["--document-timeout"]),
        (["--fail-on", "sometimes"], ["fail_on", "never"]),
        (["--no-such-flag"], ["No such option"]),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: list[str], words: list[str]):
    pdf = text_pdf(tmp_path / "a.pdf")
    result = run_cli("convert", str(pdf), "-o", str(tmp_path / "out"), *args)
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert all(word in lines[0] for word in words), lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_input_path_is_a_usage_error(tmp_path: Path):
    pdf = text_pdf(tmp_path / "a.pdf")
    result = run_cli("convert", str(pdf), str(tmp_path / "nope.pdf"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines == [f"error: {tmp_path / 'nope.pdf'}: no such file or folder"]


def test_missing_inputs_argument_is_one_line(tmp_path: Path):
    result = run_cli("convert", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert [ln for ln in result.stderr.splitlines() if ln.strip()] == [
        "error: Missing argument 'INPUTS...'. (see glmocr convert --help)"
    ]
