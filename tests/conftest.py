from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data" / "dev"
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data/dev is not present")
    return SHARED_DATA


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `glmocr` as a user would (a real process, real exit code)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", **(env or {})}
    full_env = {k: v for k, v in full_env.items() if not k.startswith("GLMOCR_") or k in (env or {})}
    return subprocess.run([sys.executable, "-m", "glmocr_cli", *args], input=stdin, capture_output=True,
                          text=True, env=full_env, cwd=cwd or ROOT, timeout=timeout)


def ctrl_c_as_in_a_terminal() -> None:
    """preexec_fn for a child that a test interrupts: SIGINT at its default, as under a terminal.
    (A child inherits an ignored SIGINT, and something in a long pytest session can leave the
    test process ignoring it; a process started with SIGINT ignored rightly ignores Ctrl-C.)"""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def cli():
    return run_cli


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from this run's conversion of samples/ (on purpose, after review)")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def samples_converted(tmp_path_factory) -> Path:
    """samples/ converted once per session with the bundled lite engine, as `make demo` does where no
    GLM-OCR weights are installed (the golden files and the HTML browser test read it)."""
    from glmocr_cli.api import convert
    from glmocr_cli.config import Settings

    out = tmp_path_factory.mktemp("samples_out")
    report = convert([SAMPLES], out, Settings(engine="lite", workers=1))
    assert report.exit_code == 0, report
    return out


@pytest.fixture(scope="session")
def browser():
    from browser import launch

    driver, chromium = launch()
    yield chromium
    chromium.close()
    driver.stop()
