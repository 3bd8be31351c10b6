from pathlib import Path

import pytest

from glmocr_cli.config import ConfigError, load_settings, page_selected, parse_page_ranges


def test_layers_defaults_file_env_flags(tmp_path: Path):
    (tmp_path / "glmocr.toml").write_text('dpi = 150\nworkers = 3\nformat = ["md"]\nengine = "lite"\n')
    settings, origin = load_settings(
        cwd=tmp_path, environ={"GLMOCR_WORKERS": "4", "GLMOCR_DPI": "120"}, overrides={"dpi": 300}
    )
    assert settings.dpi == 300 and origin["dpi"] == "flag"  # flag beats env and file
    assert settings.workers == 4 and origin["workers"] == "GLMOCR_WORKERS"  # env beats file
    assert settings.formats == ["md"] and settings.engine == "lite"  # file beats defaults
    assert settings.text_layer == "auto" and "text_layer" not in origin


def test_explicit_config_file_and_section(tmp_path: Path):
    path = tmp_path / "custom.toml"
    path.write_text('[glmocr]\nkeep_furniture = true\nexclude = ["*.tif"]\n')
    settings, _ = load_settings(path, environ={})
    assert settings.keep_furniture is True and settings.exclude == ["*.tif"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("dpi = 'high'", "dpi"),
        ("colour = 1", "unknown setting"),
        ("engine = 'fast'", "engine must be one of"),
        ("dpi = [", "not valid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, content: str, message: str):
    path = tmp_path / "glmocr.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, environ={})


def test_bad_env_value(tmp_path: Path):
    with pytest.raises(ConfigError, match="GLMOCR|environment"):
        load_settings(cwd=tmp_path, environ={"GLMOCR_FORCE": "maybe"})


def test_missing_config_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_page_ranges():
    ranges = parse_page_ranges("1-3, 7,10-")
    assert [n for n in range(1, 13) if page_selected(ranges, n)] == [1, 2, 3, 7, 10, 11, 12]
    for bad in ("0", "3-1", "a-b", ""):
        with pytest.raises(ConfigError):
            parse_page_ranges(bad)


def test_label_task_and_layout_threshold_overrides(tmp_path: Path):
    settings, _ = load_settings(
        cwd=tmp_path,
        environ={},
        overrides={"label_task": ["chart=text", "footnote=text"], "layout_threshold": ["0.4", "table=0.55"]},
    )
    assert settings.label_task_overrides() == {"chart": "text", "footnote": "text"}
    assert settings.layout_thresholds() == (0.4, {"table": 0.55})
    for bad in ({"label_task": ["picture=text"]}, {"label_task": ["chart=ocr"]}, {"layout_threshold": ["table=2"]}):
        with pytest.raises(ConfigError):
            load_settings(cwd=tmp_path, environ={}, overrides=bad)
