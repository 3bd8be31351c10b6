"""Layout checkpoints (issue 10, fault 6): class names are required, the config's resample is used."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from helpers.cli import run_cli
from glmocr_cli.layout.pp_doclayout import LayoutCheckpointError, PPDocLayoutV3, Preprocessing


@pytest.fixture(scope="module")
def layout_dir(tiny_layout_dir):
    return tiny_layout_dir


def edited_copy(src, dst, file: str, edit):
    shutil.copytree(src, dst)
    data = json.loads((dst / file).read_text())
    edit(data)
    (dst / file).write_text(json.dumps(data))
    return dst


def without_labels(config):
    config.pop("id2label", None)
    config.pop("label2id", None)


def test_checkpoint_without_id2label_is_refused(layout_dir, tmp_path):
    bare = edited_copy(layout_dir, tmp_path / "bare", "config.json", without_labels)
    with pytest.raises(LayoutCheckpointError, match="id2label"):
        PPDocLayoutV3(bare)


@pytest.mark.slow
def test_cli_names_the_layout_checkpoint_without_id2label(layout_dir, tiny_glm_dir, tmp_path):
    bare = edited_copy(layout_dir, tmp_path / "bare", "config.json", without_labels)
    Image.new("RGB", (200, 100), "white").save(tmp_path / "p.png")
    result = run_cli(
        "convert",
        str(tmp_path / "p.png"),
        "-o",
        str(tmp_path / "out"),
        "--engine",
        "glm",
        "--model",
        str(tiny_glm_dir),
        "--layout-model",
        str(bare),
        "--device",
        "cpu",
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "id2label" in lines[0] and str(bare) in lines[0], result.stderr


def torch_resize(image: Image.Image, size, mode: str) -> np.ndarray:
    """What the processor does (torchvision's tensor resize, antialias off): F.interpolate."""
    x = torch.from_numpy(np.asarray(image, np.float32)).permute(2, 0, 1)[None]
    kwargs = {} if mode == "nearest" else {"align_corners": False, "antialias": False}
    return torch.nn.functional.interpolate(x, size=size, mode=mode, **kwargs)[0].numpy() / 255


@pytest.mark.parametrize("code,mode,tolerance", [(0, "nearest", 1e-6), (2, "bilinear", 0.01)])
def test_resample_of_the_config_is_used(layout_dir, tmp_path, code, mode, tolerance):
    folder = edited_copy(
        layout_dir,
        tmp_path / "ckpt",
        "preprocessor_config.json",
        lambda cfg: cfg.update(resample=code, size={"height": 96, "width": 72}),
    )
    pre = Preprocessing.from_dir(folder)
    assert pre.resample == code
    image = Image.fromarray(np.random.default_rng(1).integers(0, 256, (30, 40, 3), dtype=np.uint8))
    got = pre([image])[0].numpy()
    want = torch_resize(image, (96, 72), mode)
    bicubic = torch_resize(image, (96, 72), "bicubic")
    assert np.abs(got - want).max() <= tolerance + 1 / 255
    assert np.abs(got - want).mean() < tolerance < np.abs(got - bicubic).mean()


def test_unsupported_resample_is_a_clear_error(layout_dir, tmp_path):
    folder = edited_copy(layout_dir, tmp_path / "ckpt", "preprocessor_config.json", lambda cfg: cfg.update(resample=4))
    with pytest.raises(LayoutCheckpointError, match="resample box"):
        Preprocessing.from_dir(folder)
