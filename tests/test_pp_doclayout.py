"""PP-DocLayout-V3: our torchvision-free preprocessing, the SDK's post-processing, loading checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from glmocr_cli.document import LABELS, Task, label_tasks
from glmocr_cli.layout.postprocess import (
    Detection,
    LayoutPostprocessConfig,
    nms,
    postprocess,
    remove_contained,
)
from glmocr_cli.layout.pp_doclayout import (
    LayoutCheckpointError,
    PPDocLayoutV3,
    Preprocessing,
    check_heads_tied,
    order_ranks,
)


@pytest.fixture(scope="module")
def layout_dir(tiny_layout_dir):
    return tiny_layout_dir


# -- preprocessing: the processor's documented behaviour -------------------------------------------
def test_preprocessing_reads_the_checkpoint_config(layout_dir):
    pre = Preprocessing.from_dir(layout_dir)
    assert (pre.height, pre.width, pre.mean, pre.std) == (800, 800, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    assert pre.rescale_factor == pytest.approx(1 / 255)


def test_resize_ignores_aspect_ratio_and_rescales():
    pre = Preprocessing(height=64, width=48)
    out = pre([Image.new("RGB", (300, 100), (255, 51, 0))])
    assert out.shape == (1, 3, 64, 48) and out.dtype == torch.float32
    assert torch.allclose(out[0, :, 10, 10], torch.tensor([1.0, 0.2, 0.0]), atol=1e-6)


def test_resize_is_bicubic_and_normalises_with_mean_std():
    rng = np.random.default_rng(0)
    small = Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8))
    pre = Preprocessing(height=80, width=120, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    out = pre([small])[0].numpy().transpose(1, 2, 0)
    # Upscaling: PIL bicubic (no antialias effect) is the reference within interpolation rounding.
    ref = np.asarray(small.resize((120, 80), Image.BICUBIC), np.float32) / 255
    got = out * 0.25 + 0.5
    assert np.abs(got - ref)[4:-4, 4:-4].mean() < 0.02


def test_reading_order_ranks_follow_pairwise_votes():
    wanted = [2, 0, 3, 1]  # query i reads at position wanted[i]
    n = len(wanted)
    logits = torch.full((1, n, n), -10.0)
    for i in range(n):
        for j in range(n):
            if wanted[i] < wanted[j]:
                logits[0, i, j] = 10.0  # i before j
    assert order_ranks(logits)[0].tolist() == wanted


# -- post-processing as the SDK ------------------------------------------------------------------
def det(box, label="text", score=0.9, rank=0.0):
    return Detection(box, label, score, rank)


def test_nms_within_and_across_classes():
    a, b = det((0, 0, 100, 100), score=0.9), det((5, 0, 105, 100), score=0.8)  # IoU ~0.9
    assert nms([a, b], 0.6, 0.98) == [a]
    c = det((5, 0, 105, 100), label="table", score=0.8)  # other class
    assert nms([a, c], 0.6, 0.98) == [a, c]
    d = det((0, 0, 100, 100), label="table", score=0.8)  # identical box
    assert nms([a, d], 0.6, 0.98) == [a]


def test_contained_box_removed_but_reference_keeps_the_smaller():
    """The SDK's merge modes (tests/test_oracle_sdk.py runs the SDK itself on such cases)."""
    cfg = LayoutPostprocessConfig()
    big, small = det((0, 0, 200, 200)), det((10, 10, 50, 50))
    assert remove_contained([big, small], cfg) == [big]
    ref, item = det((0, 0, 200, 200), label="reference"), det((10, 10, 50, 50), label="reference_content")
    assert remove_contained([ref, item], cfg) == [ref, item]  # a reference box drops nothing it holds
    holder, inner_ref = det((0, 0, 200, 200), label="content"), det((10, 10, 50, 50), label="reference")
    assert remove_contained([holder, inner_ref], cfg) == []  # "small" drops the holder, "large" the reference
    figure = det((10, 10, 50, 50), label="image")
    assert remove_contained([big, figure], cfg) == [big, figure]  # image, seal, chart are never dropped


def test_postprocess_threshold_overrides_page_sized_images_and_order():
    dets = [
        det((0, 0, 100, 40), score=0.35, rank=3),
        det((0, 50, 100, 90), "table", 0.25, rank=1),
        det((0, 0, 990, 990), "image", 0.9, rank=0),
        det((0, 100, 100, 140), "header", 0.5, rank=2),
    ]
    out = postprocess(dets, 1000, 1000, LayoutPostprocessConfig(class_thresholds={"table": 0.2}))
    assert [d.label for d in out] == ["table", "header", "text"]  # by rank; page image dropped
    assert [d.index for d in out] == [0, 1, 2]
    strict = postprocess(dets, 1000, 1000, LayoutPostprocessConfig(threshold=0.4))
    assert [d.label for d in strict] == ["header"]


def test_label_tasks_default_keep_furniture_and_overrides():
    assert label_tasks()["header"] is Task.ABANDON and label_tasks()["table"] is Task.TABLE
    kept = label_tasks(keep_furniture=True)
    assert all(kept[n] is Task.TEXT for n in ("header", "footer", "footnote"))
    assert label_tasks({"chart": "text"})["chart"] is Task.TEXT


# -- the real model class on a tiny checkpoint -----------------------------------------------------
def test_detect_returns_page_boxes_in_reading_order(layout_dir):
    detector = PPDocLayoutV3(layout_dir, postprocess_config=LayoutPostprocessConfig(threshold=0.0))
    pages = [Image.new("RGB", (640, 900), "white"), Image.new("RGB", (1200, 800), "gray")]
    found = detector.detect(pages)
    assert len(found) == 2 and all(found)
    for page, regions in zip(pages, found):
        for r in regions:
            x0, y0, x1, y1 = r.bbox
            assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
            assert r.label in LABELS and 0.0 <= r.score <= 1.0


def test_untied_detection_heads_are_refused(layout_dir):
    detector = PPDocLayoutV3(layout_dir)
    check_heads_tied(detector.model)
    with torch.no_grad():
        detector.model.model.enc_score_head.weight = torch.nn.Parameter(detector.model.model.enc_score_head.weight + 1)
    with pytest.raises(LayoutCheckpointError, match="not tied"):
        check_heads_tied(detector.model)


def test_missing_preprocessor_config_is_a_clear_error(tmp_path, layout_dir):
    for f in ("config.json", "model.safetensors"):
        (tmp_path / f).write_bytes((layout_dir / f).read_bytes())
    with pytest.raises(LayoutCheckpointError, match="preprocessor_config.json"):
        PPDocLayoutV3(tmp_path)
    assert json.loads((layout_dir / "config.json").read_text())["model_type"] == "pp_doclayout_v3"
