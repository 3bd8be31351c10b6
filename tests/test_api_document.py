"""api.convert_document returns the document `glmocr convert` writes: one pipeline (run/finish.py)
refines, judges and extracts for both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glmocr_cli.api import convert_document
from glmocr_cli.assemble.json_doc import render_json
from glmocr_cli.config import Settings
from glmocr_cli.sources.documents import SourceError
from helpers.cli import SAMPLES, run_cli, strip_volatile
from helpers.factories import text_image


def _without_crop_names(value):
    """The writer prefixes crop names with the document's name as it writes them; all else must agree."""
    if isinstance(value, dict):
        return {k: _without_crop_names(v) for k, v in value.items() if k != "image_name"}
    if isinstance(value, list):
        return [_without_crop_names(v) for v in value]
    return value


@pytest.mark.slow
def test_convert_document_equals_what_the_cli_writes(tmp_path: Path):
    keys = "title,date,total"
    result = run_cli(
        "convert", str(SAMPLES / "report.pdf"), "-o", str(tmp_path), "--engine", "lite", "-q", "--extract", keys
    )
    assert result.returncode == 0, result.stderr
    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))

    doc = convert_document(SAMPLES / "report.pdf", Settings(engine="lite", extract=keys))

    assert _without_crop_names(strip_volatile(json.loads(render_json(doc)))) == _without_crop_names(
        strip_volatile(written)
    )
    assert doc.key_values == json.loads((tmp_path / "report.kv.json").read_text(encoding="utf-8"))


def test_convert_document_carries_the_judges_warning(tmp_path: Path):
    """A blank page: the CLI writes a document-level warning into NAME.json; the API's document has it too."""
    blank = text_image(tmp_path / "blank.png", [])
    doc = convert_document(blank, Settings(engine="lite"))
    assert doc.pages[0].warnings[0] == "nothing was recognised on any page (blank or unreadable)"


@pytest.mark.slow
def test_convert_document_fails_a_document_nothing_could_be_read_from(tmp_path: Path):
    """What the CLI fails (a truncated download: nothing readable) the API raises, with the same
    reason, rather than returning an empty document."""
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes((SAMPLES / "scanned-page.pdf").read_bytes()[:5000])
    result = run_cli("convert", str(truncated), "-o", str(tmp_path / "out"), "--engine", "lite", "--dpi", "100")
    assert result.returncode == 1 and "nothing could be read" in result.stderr, result.stderr
    with pytest.raises(SourceError, match="nothing could be read: .*damaged"):
        convert_document(truncated, Settings(engine="lite", dpi=100))
