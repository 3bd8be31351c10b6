"""Ours against the official GLM-OCR SDK (glmocr 0.1.5, installed by tests/helpers/sdk_oracle.py): its own
functions run on the same inputs and must give the same answers, or the test names the divergence.

Covered: layout post-processing (`utils/layout_postprocess_utils.apply_layout_postprocess` after
`PPDocLayoutDetector._apply_per_class_threshold`, with the SDK's config.yaml), crop geometry and
resizing (`utils/image_utils.crop_image_region`, `smart_resize`, then the checkpoint's processor),
the prompt per task (`PageLoader.build_request_from_image`), and regions -> Markdown
(`postprocess/result_formatter.ResultFormatter`) in tests/test_oracle_formatter.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from glmocr_cli.document import LABELS
from glmocr_cli.layout.postprocess import Detection, LayoutPostprocessConfig, postprocess
from glmocr_cli.recognize.glm.crops import fit_to_grid, pad_to_aspect, prepare_crop, sdk_crop_box
from helpers.sdk_oracle import sdk_config, sdk_or_skip

pytestmark = pytest.mark.slow  # the reference SDK, vLLM's math or transformers' processor as oracles

ID2LABEL = dict(enumerate(LABELS))


@pytest.fixture(scope="module")
def sdk():
    return sdk_or_skip()


@pytest.fixture(scope="module")
def config(sdk):
    return sdk_config()


# ---- layout post-processing ------------------------------------------------------------------


def sdk_layout(config, dets: list[Detection], width: int, height: int, class_thresholds=None):
    """The SDK's path from raw detections to page boxes: [(label, score, [x0, y0, x1, y1])]."""
    from glmocr.layout.layout_detector import PPDocLayoutDetector
    from glmocr.utils.layout_postprocess_utils import apply_layout_postprocess

    layout = config["layout"]
    label2id = {v: k for k, v in ID2LABEL.items()}
    threshold = layout["threshold"]
    pre = min([threshold, *(class_thresholds or {}).values()])
    # transformers' post_process_object_detection keeps score >= threshold, sorted by order_seq
    dets = sorted([d for d in dets if d.score >= pre], key=lambda d: d.rank)
    raw = {
        "scores": torch.tensor([d.score for d in dets], dtype=torch.float32),
        "labels": torch.tensor([label2id[d.label] for d in dets], dtype=torch.long),
        "boxes": torch.tensor([d.bbox for d in dets], dtype=torch.float32).reshape(-1, 4),
        "order_seq": torch.tensor([int(d.rank) for d in dets], dtype=torch.long),
    }
    results = [raw]
    if class_thresholds:
        detector = SimpleNamespace(id2label=ID2LABEL, threshold=threshold, threshold_by_class=class_thresholds)
        results = PPDocLayoutDetector._apply_per_class_threshold(detector, results)
    out = apply_layout_postprocess(
        results,
        ID2LABEL,
        [(width, height)],
        layout_nms=layout["layout_nms"],
        layout_unclip_ratio=layout["layout_unclip_ratio"],
        layout_merge_bboxes_mode=layout["layout_merge_bboxes_mode"],
    )[0]
    return [(r["label"], r["score"], list(r["coordinate"])) for r in out]


def ours_layout(dets, width, height, class_thresholds=None):
    cfg = LayoutPostprocessConfig(class_thresholds=dict(class_thresholds or {}))
    return [(d.label, d.score, [int(v) for v in d.bbox]) for d in postprocess(dets, width, height, cfg)]


def s32(value: float) -> float:
    """A score as the detector gives it: a float32 value."""
    return float(np.float32(value))


def f32(*values) -> tuple[float, ...]:
    """Coordinates as the detector gives them: float32 values."""
    return tuple(float(v) for v in np.asarray(values, dtype=np.float32))


def synthetic_page(rng: np.random.Generator, width: int, height: int, count: int) -> list[Detection]:
    """Clusters of overlapping, contained and near-duplicate boxes of every label, page-sized
    images, boxes over the page edge, integer and fractional coordinates, tied scores."""
    dets: list[Detection] = []
    ranks = rng.permutation(300)
    while len(dets) < count:
        x0, y0 = rng.uniform(-0.05, 0.9) * width, rng.uniform(-0.05, 0.9) * height
        w, h = rng.uniform(0.01, 0.6) * width, rng.uniform(0.005, 0.4) * height
        kind = rng.integers(6)
        if kind == 0:  # the whole page or nearly, often an image
            x0, y0 = rng.uniform(-5, 0.05 * width), rng.uniform(-5, 0.05 * height)
            w, h = width * rng.uniform(0.85, 1.05), height * rng.uniform(0.85, 1.05)
        if kind == 1:  # integer coordinates
            x0, y0, w, h = (float(round(v)) for v in (x0, y0, w, h))
        label = "image" if kind == 0 and rng.random() < 0.7 else LABELS[rng.integers(len(LABELS))]
        score = float(np.float32(rng.choice([0.3, 0.5, 0.9]) if rng.random() < 0.2 else rng.uniform(0.2, 1.0)))
        dets.append(Detection(f32(x0, y0, x0 + w, y0 + h), label, score, float(ranks[len(dets)])))
        for _ in range(rng.integers(0, 3)):  # children: contained, shifted near-duplicates
            cx0 = x0 + rng.uniform(-0.05, 0.3) * w
            cy0 = y0 + rng.uniform(-0.05, 0.3) * h
            cw, ch = w * rng.uniform(0.3, 1.05), h * rng.uniform(0.3, 1.05)
            child = LABELS[rng.integers(len(LABELS))] if rng.random() < 0.6 else label
            if rng.random() < 0.15:
                child = "reference"
            dets.append(
                Detection(
                    f32(cx0, cy0, cx0 + cw, cy0 + ch),
                    child,
                    float(np.float32(rng.uniform(0.2, 1.0))),
                    float(ranks[len(dets)]),
                )
            )
    return dets[:count]


PAGES = [(1700, 2200), (2200, 1700), (1654, 2339), (800, 800), (300, 120), (64, 900)]


@pytest.mark.parametrize("seed", range(40))
def test_layout_postprocess_equals_sdk_on_synthetic_pages(config, seed):
    rng = np.random.default_rng(seed)
    width, height = PAGES[seed % len(PAGES)]
    dets = synthetic_page(rng, width, height, int(rng.integers(1, 70)))
    assert ours_layout(dets, width, height) == sdk_layout(config, dets, width, height)


@pytest.mark.parametrize("seed", range(10))
def test_layout_postprocess_equals_sdk_with_class_thresholds(config, seed):
    rng = np.random.default_rng(1000 + seed)
    width, height = PAGES[seed % len(PAGES)]
    dets = synthetic_page(rng, width, height, 50)
    thresholds = {"text": 0.6, "image": 0.25, "reference": 0.45, "table": 0.8}
    assert ours_layout(dets, width, height, thresholds) == sdk_layout(config, dets, width, height, thresholds)


def test_layout_every_label_survives_or_goes_as_the_sdk_says(config):
    """One box per label, side by side, plus each inside a large text box and inside a reference."""
    width, height = 2500, 1000
    dets = []
    for i, label in enumerate(LABELS):
        x0 = 10 + i * 95
        dets.append(Detection(f32(x0, 10, x0 + 80, 90), label, s32(0.9), float(i)))
        dets.append(Detection(f32(x0 + 5, 400, x0 + 60, 450), label, s32(0.8), float(100 + i)))
    dets.append(Detection(f32(0, 380, 2500, 470), "text", s32(0.95), 300.0))
    dets.append(Detection(f32(0, 600, 2500, 700), "reference", s32(0.95), 301.0))
    for i, label in enumerate(LABELS):
        x0 = 10 + i * 95
        dets.append(Detection(f32(x0 + 5, 610, x0 + 60, 690), label, s32(0.7), float(200 + i)))
    ours, theirs = ours_layout(dets, width, height), sdk_layout(config, dets, width, height)
    assert ours == theirs
    kept = {label for label, _, box in ours if box[1] >= 380}
    assert {"image", "seal", "chart"} <= kept  # never dropped as contained
    assert "text" not in {label for label, _, box in ours if box[1] == 380}  # held smaller boxes: kept it


def test_layout_edge_cases_equal_sdk(config):
    w, h = 1000, 1400
    cases = [
        [],  # nothing found
        [Detection(f32(0, 0, 1000, 1400), "image", s32(0.9), 0.0)],  # a lone page-sized image
        [
            Detection(f32(-3, -3, 1003, 1403), "image", s32(0.9), 0.0),
            Detection(f32(10, 10, 500, 60), "text", s32(0.8), 1.0),
        ],  # page image + text
        [
            Detection(f32(0, 0, 1000, 1400), "image", s32(0.9), 0.0),
            Detection(f32(0, 0, 990, 1390), "image", s32(0.8), 1.0),
        ],  # only page images
        [
            Detection(f32(100, 100, 100.5, 300), "text", s32(0.9), 0.0),
            Detection(f32(1000, 10, 1200, 50), "text", s32(0.9), 1.0),
        ],  # sub-pixel, off-page
        [
            Detection(f32(100, 100, 400, 200), "text", s32(0.9), 0.0),
            Detection(f32(101, 100, 400, 200), "paragraph_title", s32(0.9), 1.0),
        ],  # mutual containment
        [Detection(f32(10.0, 20.0, 13.3, 40.7), "text", s32(0.5), 0.0)],  # unclip rounding
        [
            Detection(f32(10, 10, 200, 200), "text", s32(0.3), 1.0),
            Detection(f32(12, 12, 198, 198), "text", s32(0.3), 0.0),
        ],  # tied scores
    ]
    for dets in cases:
        assert ours_layout(dets, w, h) == sdk_layout(config, dets, w, h), dets


def test_layout_postprocess_equals_sdk_on_recorded_detections(config, shared_data, tiny_layout_dir):
    """Raw detections recorded from our PP-DocLayout-V3 path (a tiny random-weight checkpoint in the
    real format) on real dev pages, post-processed by both."""
    from glmocr_cli.layout.pp_doclayout import PPDocLayoutV3
    from glmocr_cli.sources.documents import open_source

    pdfs = sorted((shared_data / "pdf").glob("*.pdf"))[:3]
    if not pdfs:
        pytest.skip("no dev PDFs")
    detector = PPDocLayoutV3(tiny_layout_dir, raw_threshold=0.0)
    compared = 0
    for pdf in pdfs:
        source = open_source(pdf, dpi=100)
        for index in range(min(2, source.page_count)):
            image = source.render(index, 100_000_000).image.convert("RGB")
            raw = detector.raw_detections([image])[0]
            for threshold in (0.3, 0.05):  # the real cut-off, and a low one for crowded pages
                cfg_thresholds = {label: threshold for label in LABELS}
                ours = ours_layout(raw, image.width, image.height, cfg_thresholds)
                assert ours == sdk_layout(config, raw, image.width, image.height, cfg_thresholds)
                compared += len(ours)
    assert compared > 0


# ---- crop geometry and resizing --------------------------------------------------------------

# zai-org/GLM-OCR preprocessor_config.json (the processor the SDK's server runs on every crop)
CHECKPOINT_SIZE = {"shortest_edge": 12544, "longest_edge": 9633792}


@pytest.fixture(scope="module")
def processor():
    from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

    return Glm46VImageProcessorPil(size=CHECKPOINT_SIZE, patch_size=14, temporal_patch_size=2, merge_size=2)


def sdk_normalised_box(box, width, height):
    """`PPDocLayoutDetector.process`: the integer box as 0-1000 `bbox_2d` (inline there, copied)."""
    x1, y1, x2, y2 = box
    return [
        int(float(x1) / width * 1000),
        int(float(y1) / height * 1000),
        int(float(x2) / width * 1000),
        int(float(y2) / height * 1000),
    ]


def sdk_resized(config, image: Image.Image) -> Image.Image:
    """The crop as the SDK sends it (`PageLoader.build_request_from_image`), PNG instead of JPEG so
    that the geometry and resampling are compared without JPEG's loss."""
    import base64
    import io

    from glmocr.config import PageLoaderConfig
    from glmocr.dataloader.page_loader import PageLoader

    loader = PageLoader(PageLoaderConfig(**{**config["page_loader"], "image_format": "PNG"}))
    url = loader.build_request_from_image(image, "text")["messages"][0]["content"][0]["image_url"]["url"]
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")


def grid_size(processor, image: Image.Image) -> tuple[int, int]:
    """(width, height) in pixels of the grid the image processor makes of `image`."""
    _, h, w = processor(images=[image], return_tensors="pt")["image_grid_thw"][0].tolist()
    return w * processor.patch_size, h * processor.patch_size


def test_crop_box_equals_sdk_crop_image_region(sdk, config):
    """Same pixels as the SDK crops: its box goes through 0-1000 and back (`crop_image_region`)."""
    from glmocr.utils.image_utils import crop_image_region

    # The SDK's own unit case (tests/test_unit.py): 0-1000 box [100, 100, 900, 900] of 100x100 -> 80x80
    assert sdk_crop_box((10, 10, 90, 90), 100, 100) == (10, 10, 90, 90)
    assert crop_image_region(Image.new("RGB", (100, 100)), [100, 100, 900, 900]).size == (80, 80)
    rng = np.random.default_rng(7)
    for width, height in [(1700, 2200), (2339, 1654), (613, 97)]:
        page = Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
        for _ in range(60):
            x0, y0 = int(rng.integers(0, width - 2)), int(rng.integers(0, height - 2))
            box = (x0, y0, int(rng.integers(x0 + 2, width + 1)), int(rng.integers(y0 + 2, height + 1)))
            theirs = crop_image_region(page, sdk_normalised_box(box, width, height))
            if 0 in theirs.size:
                continue  # the SDK crops nothing; ours keeps one pixel (sdk_crop_box)
            ours = page.crop(sdk_crop_box(box, width, height))
            assert ours.size == theirs.size and np.array_equal(np.asarray(ours), np.asarray(theirs)), box


CROP_SIZES = [
    (1, 1),
    (10, 10),
    (27, 200),
    (30, 30),
    (56, 56),
    (100, 80),
    (112, 112),
    (150, 60),
    (5, 3000),
    (3000, 5),
    (200, 12000),
    (1400, 60),
    (1500, 1100),
    (2000, 2500),
    (2591, 1859),
    (3500, 2600),
    (4000, 4000),
    (6000, 300),
    (14, 400),
    (7000, 40),
    (37, 7000),
    (12000, 20),
    (20, 12000),
    (90000, 600),
    (1, 9000),
]


def sdk_then_processor_grid(config, size) -> tuple[int, int]:
    """(width, height): the SDK's `smart_resize` as `load_image_to_base64` calls it, then the
    processor's own `smart_resize` with the checkpoint's bounds (raises over 200:1, as the server)."""
    from glmocr.utils.image_utils import smart_resize as sdk_smart_resize
    from transformers.models.glm46v.image_processing_pil_glm46v import smart_resize as hf_smart_resize

    loader = config["page_loader"]
    t, factor = loader["t_patch_size"], 14 * 2 * loader["patch_expand_factor"]
    h, w = sdk_smart_resize(
        t=t,
        h=size[1],
        w=size[0],
        t_factor=t,
        h_factor=factor,
        w_factor=factor,
        min_pixels=loader["min_pixels"],
        max_pixels=loader["max_pixels"],
    )
    h, w = hf_smart_resize(
        num_frames=2,
        height=h,
        width=w,
        temporal_factor=2,
        factor=28,
        min_pixels=CHECKPOINT_SIZE["shortest_edge"],
        max_pixels=CHECKPOINT_SIZE["longest_edge"],
    )
    return w, h


def test_grid_equals_sdk_then_processor(sdk, config, processor):
    """Every size, from 1x1 to 90000x600: ours is the SDK's resize followed by the checkpoint's
    processor; where that chain refuses the crop (over 200:1), ours pads it and the processor takes it."""
    rng = np.random.default_rng(3)
    sizes = CROP_SIZES + [tuple(int(v) for v in rng.integers(1, 5000, 2)) for _ in range(400)]
    sizes += [(int(rng.integers(1, 60)), int(rng.integers(3000, 20000))) for _ in range(40)]
    refused = 0
    for size in sizes:
        try:
            reference = sdk_then_processor_grid(config, size)
        except ValueError as exc:
            assert "aspect ratio" in str(exc)
            refused += 1
            padded = pad_to_aspect(Image.new("RGB", size, "black"))
            ours = fit_to_grid(*padded.size)
            assert max(ours) / min(ours) <= 200 and fit_to_grid(*ours) == ours, size
            if refused <= 6:  # the processor itself takes the prepared crop as it is
                assert grid_size(processor, prepare_crop(Image.new("RGB", size, "black"))) == ours, size
            continue
        assert fit_to_grid(*size) == reference, size
    assert refused >= 5


@pytest.mark.parametrize("size", [(10, 10), (100, 80), (150, 60), (27, 200), (5, 300), (640, 90), (1500, 1100)])
def test_model_pixels_equal_the_sdk_crop(sdk, config, processor, size):
    """What the model gets from a crop: the SDK's resized image (PNG, not its JPEG) through the
    checkpoint's processor equals ours, pixel value for pixel value."""
    rng = np.random.default_rng(size[0] * 7919 + size[1])
    crop = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    sent, ours = sdk_resized(config, crop), prepare_crop(crop)
    assert sent.size == ours.size == grid_size(processor, ours)
    theirs = processor(images=[sent], return_tensors="pt")
    mine = processor(images=[ours], return_tensors="pt")
    assert torch.equal(mine["image_grid_thw"], theirs["image_grid_thw"])
    assert torch.equal(mine["pixel_values"], theirs["pixel_values"])


# ---- prompts, tasks and generation settings -------------------------------------------------


def test_prompt_per_task_equals_the_sdk_request(sdk, config, tiny_glm_plain_dir):
    """The SDK's request (`PageLoader.build_request_from_image`) rendered with the checkpoint's chat
    template, as its server does, equals our prompt for every task; image before text."""
    from glmocr.config import PageLoaderConfig
    from glmocr.dataloader.page_loader import PageLoader
    from transformers import AutoTokenizer

    from glmocr_cli.document import Task
    from glmocr_cli.recognize.glm.recognizer import PROMPTS, GlmRecognizer

    path = tiny_glm_plain_dir
    tokenizer = AutoTokenizer.from_pretrained(path)
    ours = SimpleNamespace(tokenizer=tokenizer)  # prompt_text reads only the tokenizer

    loader = PageLoader(PageLoaderConfig(**config["page_loader"]))
    crop = Image.new("RGB", (112, 56), "white")
    for task in (Task.TEXT, Task.TABLE, Task.FORMULA):
        request = loader.build_request_from_image(crop, task.value)
        content = request["messages"][0]["content"]
        assert [part["type"] for part in content] == ["image_url", "text"]
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": content[1]["text"]}]}]
        theirs = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert GlmRecognizer.prompt_text(ours, PROMPTS[task]) == theirs
        assert PROMPTS[task] == config["page_loader"]["task_prompt_mapping"][task.value]
        assert (request["max_tokens"], request["repetition_penalty"], request["top_k"]) == (8192, 1.1, 1)


def test_label_tasks_and_generation_defaults_equal_the_sdk(config):
    import inspect

    from glmocr_cli.document import DEFAULT_LABEL_TASKS
    from glmocr_cli.recognize.glm.recognizer import GlmRecognizer

    sdk_tasks = {label: task for task, labels in config["layout"]["label_task_mapping"].items() for label in labels}
    assert {label: task.value for label, task in DEFAULT_LABEL_TASKS.items()} == sdk_tasks
    assert set(config["layout"]["id2label"].values()) == set(LABELS)
    assert [config["layout"]["id2label"][i] for i in range(len(LABELS))] == list(LABELS)
    defaults = inspect.signature(GlmRecognizer).parameters
    loader = config["page_loader"]
    assert defaults["max_new_tokens"].default == loader["max_tokens"]
    assert defaults["repetition_penalty"].default == loader["repetition_penalty"]
    assert loader["temperature"] == 0.0 and loader["top_k"] == 1  # greedy, as our decoder
