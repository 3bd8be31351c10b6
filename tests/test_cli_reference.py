"""The options table (config.Settings) is the one place an option lives: the CLI, validation, the
up-to-date stamps and docs/cli.md read it, so none of them can drift from it."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
import typer

from glmocr_cli.cli.commands import app
from glmocr_cli.cli.reference import render
from glmocr_cli.config import ConfigError, Settings, load_settings
from glmocr_cli.options import default_of, spec_of

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_docs_cli_md_is_the_table_as_generated():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/cli.md drifted from the options table: run `make docs` (python -m glmocr_cli.cli.reference > docs/cli.md)"
    )


def test_every_flag_setting_is_a_convert_option_with_the_tables_help_and_default():
    convert = typer.main.get_command(app).commands["convert"]
    params = {param.name: param for param in convert.params}
    for setting in fields(Settings):
        spec = spec_of(setting)
        assert (setting.name in params) == spec.cli, setting.name
        if spec.cli:
            assert params[setting.name].help.startswith(spec.help), setting.name
            assert params[setting.name].default is None  # a config file or GLMOCR_* can still fill it
    assert {"output", "config", "summary", "quiet", "verbose"} <= set(params)


def test_flags_reach_the_run_through_the_table(tmp_path: Path):
    """Each flag lands in its setting: the run's summary records them (an empty folder: nothing to convert)."""
    (tmp_path / "in").mkdir()
    args = [
        "convert",
        str(tmp_path / "in"),
        "-o",
        str(tmp_path / "out"),
        "--summary",
        str(tmp_path / "s.json"),
        "--engine",
        "lite",
        "--format",
        "md,json",
        "--max-new-tokens",
        "5",
        "--keep-furniture",
        "--label-task",
        "chart=text",
        "--label-task",
        "footnote=text",
        "--document-timeout",
        "30",
        "-q",
    ]
    assert typer.main.get_command(app).main(args=args, prog_name="glmocr", standalone_mode=False) == 0
    options = json.loads((tmp_path / "s.json").read_text())["options"]
    assert list(options) == [setting.name for setting in fields(Settings)]
    assert options["formats"] == ["md", "json"] and options["max_new_tokens"] == 5 and options["keep_furniture"]
    assert options["label_task"] == ["chart=text", "footnote=text"] and options["document_timeout"] == 30
    assert options["dpi"] == Settings.dpi and options["workers"] == 0  # not given: the declared default


def test_stamps_compare_exactly_the_options_that_change_outputs():
    affecting = set(Settings().output_affecting())
    assert affecting == {setting.name for setting in fields(Settings) if spec_of(setting).output}
    assert {"dpi", "engine", "formats", "max_new_tokens"} <= affecting
    assert not {"workers", "force", "ray", "password", "document_timeout"} & affecting


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("max_new_tokens", 0, "--max-new-tokens must be 1 or more, not 0"),
        ("dpi", 20, "--dpi must be between 36 and 1200, not 20"),
        ("min_confidence", 1.5, "--min-confidence must be between 0 and 1, not 1.5"),
        ("recognizer_timeout", float("nan"), "--recognizer-timeout must be a number of seconds above 0"),
        ("engine", "fast", "engine must be one of auto, lite, glm, not 'fast'"),
    ],
)
def test_ranges_and_choices_come_from_the_table(tmp_path: Path, name: str, value, words: str):
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, environ={}, overrides={name: value})
    assert str(caught.value).startswith(words)


def test_defaults_are_declared_once():
    settings = Settings()
    for setting in fields(Settings):
        assert getattr(settings, setting.name) == default_of(setting)
    assert Settings.max_new_tokens == 8192 and Settings.batch_size == 8 and Settings.repetition_penalty == 1.1
