"""What reaches stderr: our lines only; third-party logging routed, noise dropped; -q prints errors only;
no escape codes outside a terminal; a long document shows it is alive in a log."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from helpers.cli import run_cli
from helpers.factories import PARAGRAPH, render_to_image_pdf, text_pdf


def blank_pages(folder: Path) -> Path:
    """Pages where RapidOCR finds no text: it logged a coloured warning of its own for each."""
    folder.mkdir()
    Image.new("RGB", (800, 600), "white").save(folder / "blank.png")
    lines = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(lines)
    for x in range(0, 800, 40):
        draw.line([(x, 100), (800 - x, 500)], fill="black", width=3)
    lines.save(folder / "lines.png")
    return folder


@pytest.mark.slow
def test_quiet_prints_nothing_and_plain_log_has_no_third_party_colour(tmp_path: Path):
    src = blank_pages(tmp_path / "in")
    quiet = run_cli("convert", str(src), "-o", str(tmp_path / "out"), "--workers", "1", "-q")
    assert quiet.returncode == 0
    assert quiet.stderr == "", quiet.stderr
    plain = run_cli("convert", str(src), "-o", str(tmp_path / "out"), "--workers", "2", "--force")
    assert plain.returncode == 0
    assert "\x1b[" not in plain.stderr and "[RapidOCR]" not in plain.stderr, plain.stderr
    ours = ("warning: ", "[", "done: ", "progress: ", "flagged: ")
    assert all(line.startswith(ours) for line in plain.stderr.splitlines()), plain.stderr


def _record(name: str, message: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord(name, level, "main.py", 164, message, None, None)


def test_routing_turns_real_warnings_into_ours_and_drops_noise():
    from glmocr_cli.run.logs import route_third_party_logs

    lines: list[str] = []
    route_third_party_logs(lines.append)
    logging.getLogger("RapidOCR").warning("The text detection result is empty")
    logging.getLogger("RapidOCR").warning("\x1b[33mmodel file ch_rec.onnx is damaged\x1b[0m")
    logging.getLogger("RapidOCR").info("Using engine_name: onnxruntime")
    logging.getLogger("transformers.modeling_utils").warning(
        "\x1b[1mGlmOcrForConditionalGeneration LOAD REPORT\x1b[0m from: /m\n"
        "Key | Status\nmodel.language_model.layers.16.enorm.weight | UNEXPECTED\n"
    )
    logging.getLogger("transformers.modeling_utils").warning(
        "PPDocLayoutV3 LOAD REPORT from: /l\nKey | Status\nmodel.encoder.proj.weight | MISSING\n"
    )
    import warnings

    warnings.warn("a deprecated call in a library")
    assert lines[:2] == [
        "RapidOCR: model file ch_rec.onnx is damaged",
        "transformers: model weights missing or mismatched when loading: model.encoder.proj.weight",
    ]
    assert len(lines) == 3 and lines[2].startswith("python: ") and "deprecated call" in lines[2]


@pytest.mark.slow
def test_a_long_document_prints_progress_lines_in_a_log(tmp_path: Path):
    """Outside a terminal a document of many pages printed nothing until it finished."""
    from glmocr_cli.api import convert
    from glmocr_cli.config import Settings
    from glmocr_cli.run.progress import PlainReporter

    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH]] * 4)
    scan = render_to_image_pdf(born, tmp_path / "long.pdf", dpi=100)
    log = io.StringIO()
    report = convert(
        [scan],
        tmp_path / "out",
        Settings(dpi=100, workers=1, engine="lite"),
        reporter=PlainReporter(log, progress_seconds=0.5),
    )
    assert report.exit_code == 0
    lines = log.getvalue().splitlines()
    finished = next(i for i, line in enumerate(lines) if line.startswith("[1/1] converted"))
    progress = [line for line in lines[:finished] if line.startswith("progress: ")]
    assert progress, log.getvalue()
    assert "pages" in progress[-1] and "long.pdf" in progress[-1] and "\x1b[" not in log.getvalue()


@pytest.fixture(scope="module")
def glm_dirs(tmp_path_factory, tiny_glm_dir, tiny_layout_dir):
    pytest.importorskip("transformers")
    import torch
    from safetensors.torch import load_file, save_file

    glm = Path(shutil.copytree(tiny_glm_dir, tmp_path_factory.mktemp("tiny") / "glm"))
    # a tensor the model class does not use, outside the MTP prefix transformers already ignores
    # (as a checkpoint saved by another tool carries): transformers reports it as UNEXPECTED
    weights = load_file(glm / "model.safetensors")
    weights["model.language_model.mtp_extra.weight"] = torch.zeros(4)
    save_file(weights, glm / "model.safetensors", metadata={"format": "pt"})
    return glm, tiny_layout_dir


@pytest.mark.slow
def test_transformers_load_report_of_mtp_keys_is_not_printed(glm_dirs, tmp_path: Path):
    """The checkpoint's MTP layer is read by our decoder, not by transformers' model class:
    transformers listed its keys as UNEXPECTED once per worker."""
    from helpers.factories import noise_page

    for i in range(2):
        noise_page(i, size=(400, 500)).image.save(tmp_path / f"scan{i}.png")
    result = run_cli(
        "convert",
        str(tmp_path / "scan0.png"),
        str(tmp_path / "scan1.png"),
        "-o",
        str(tmp_path / "out"),
        "--engine",
        "glm",
        "--model",
        str(glm_dirs[0]),
        "--layout-model",
        str(glm_dirs[1]),
        "--max-new-tokens",
        "3",
        "--workers",
        "2",
        "--device",
        "cpu",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert "UNEXPECTED" not in result.stderr and "LOAD REPORT" not in result.stderr, result.stderr
    assert "\x1b[" not in result.stderr


# -- our library's own log records: the reporter's lines, and a library user's logging config ------
NO_MTP = "checkpoint has no MTP layer; decoding without drafts"


@pytest.mark.slow
def test_library_log_records_are_reporter_lines_and_quiet_drops_them(tiny_glm_plain_dir, tiny_layout_dir, tmp_path):
    """A checkpoint without its MTP layer: the glm engine logs it at INFO (engines/glm.py). The CLI shows
    it once as its own `info:` line, from the main process (one worker) or from worker processes, and
    -q drops it; it is never printed past the reporter."""
    from helpers.factories import noise_page

    for i in range(2):
        noise_page(i, size=(300, 400)).image.save(tmp_path / f"scan{i}.png")
    common = [str(tmp_path / "scan0.png"), str(tmp_path / "scan1.png"), "--engine", "glm", "--model"]
    common += [str(tiny_glm_plain_dir), "--layout-model", str(tiny_layout_dir), "--device", "cpu"]
    common += ["--max-new-tokens", "2", "--format", "json"]
    expected = f"info: {tiny_glm_plain_dir}: {NO_MTP}"
    for workers in ("1", "2"):
        result = run_cli("convert", *common, "-o", str(tmp_path / f"out{workers}"), "--workers", workers)
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines().count(expected) == 1, result.stderr
        assert NO_MTP not in result.stderr.replace(expected, ""), result.stderr
    quiet = run_cli("convert", *common, "-o", str(tmp_path / "quiet"), "--workers", "1", "--force", "-q")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


@pytest.mark.slow
def test_a_library_user_gets_the_records_through_logging(tiny_glm_plain_dir, tiny_layout_dir, tmp_path, caplog):
    from glmocr_cli.api import convert_document
    from glmocr_cli.config import Settings
    from helpers.factories import noise_page

    noise_page(0, size=(300, 400)).image.save(tmp_path / "scan.png")
    settings = Settings(
        engine="glm", model=str(tiny_glm_plain_dir), layout_model=str(tiny_layout_dir), device="cpu", max_new_tokens=2
    )
    with caplog.at_level(logging.INFO, logger="glmocr_cli"):
        convert_document(tmp_path / "scan.png", settings)
    assert any(r.name.startswith("glmocr_cli.") and r.getMessage().endswith(NO_MTP) for r in caplog.records)
