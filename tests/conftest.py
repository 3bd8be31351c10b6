"""Fixtures shared by the test files. The helpers they use live in tests/helpers/; the names below are
re-exported for files that still import them from here."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.cli import ROOT, SAMPLES, SHARED_DATA, ctrl_c_as_in_a_terminal, run_cli  # noqa: F401


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data/dev is not present")
    return SHARED_DATA


@pytest.fixture
def cli():
    return run_cli


# Built once per session (each build takes seconds). Tests read them; a test that needs a changed
# checkpoint copies it first (shutil.copytree).
@pytest.fixture(scope="session")
def tiny_glm_dir(tmp_path_factory) -> Path:
    """The tiny GLM-OCR checkpoint in the real format, seed 0, with its MTP layer."""
    from helpers.tiny_glm import build_tiny_glm_ocr

    return build_tiny_glm_ocr(tmp_path_factory.mktemp("tiny-glm") / "glm")


@pytest.fixture(scope="session")
def tiny_glm_plain_dir(tmp_path_factory) -> Path:
    """The same tiny GLM-OCR checkpoint without the MTP layer."""
    from helpers.tiny_glm import build_tiny_glm_ocr

    return build_tiny_glm_ocr(tmp_path_factory.mktemp("tiny-glm-plain") / "glm", mtp=False)


@pytest.fixture(scope="session")
def tiny_layout_dir(tmp_path_factory) -> Path:
    """The tiny random-weight PP-DocLayout-V3 checkpoint, seed 0, 800x800 input."""
    from helpers.tiny_layout import build_tiny_pp_doclayout

    return build_tiny_pp_doclayout(tmp_path_factory.mktemp("tiny-layout") / "layout")


@pytest.fixture(scope="session")
def lite_engines():
    """One lite engine per text-layer mode (models loaded once per session)."""
    from glmocr_cli.config import Settings
    from glmocr_cli.engines.lite import LiteEngine

    return {mode: LiteEngine(Settings(text_layer=mode), threads=2) for mode in ("auto", "off")}


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from this run's conversion of samples/ (on purpose, after review)",
    )


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
    from helpers.browser import launch

    driver, chromium = launch()
    yield chromium
    chromium.close()
    driver.stop()
