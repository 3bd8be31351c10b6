"""The GLM engine on tiny random-weight checkpoints in the real on-disk format.

With random weights the text is noise, so the tests assert what does not depend on it: the prompt
per task, crop boxes, batching and ordering, answers landing in their region, the model record,
fallbacks and errors.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.cli import run_cli
from helpers.factories import noise_page
from glmocr_cli.document import FURNITURE_LABELS, Task
from glmocr_cli.engines.glm import WEIGHTS_HINT, GlmEngine, find_glm_checkpoints
from glmocr_cli.layout.postprocess import LayoutPostprocessConfig
from glmocr_cli.recognize.glm.loading import CheckpointError, resolve_checkpoint, GLM_OCR_REPO
from glmocr_cli.recognize.glm.crops import sdk_crop_box
from glmocr_cli.recognize.glm.recognizer import (
    PROMPTS,
    CropRequest,
    GlmRecognizer,
    clean_output,
    fit_to_grid,
    prepare_crop,
    prompt_for,
)


@pytest.fixture(scope="module")
def dirs(tiny_glm_dir, tiny_layout_dir):
    return tiny_glm_dir, tiny_layout_dir


class SpyRecognizer(GlmRecognizer):
    """The real recogniser, keeping the requests and batches it was given."""

    def recognize(self, requests):
        self.seen = list(requests)
        self.seen_batches = self.batches(requests)
        return super().recognize(requests)


def make_engine(dirs, **kwargs) -> GlmEngine:
    kwargs.setdefault("max_new_tokens", 4)
    engine = GlmEngine(dirs[0], dirs[1], device="cpu", mtp=False, **kwargs)
    r = engine.recognizer
    spy = SpyRecognizer(
        r.model,
        r.tokenizer,
        r.image_processor,
        batch_size=r.batch_size,
        max_new_tokens=r.max_new_tokens,
        repetition_penalty=r.repetition_penalty,
    )
    engine.recognizer = spy
    return engine


@pytest.mark.slow
def test_regions_prompts_crops_and_record(dirs):
    engine = make_engine(dirs, batch_size=3, layout_config=LayoutPostprocessConfig(threshold=0.3))
    pages = [noise_page(i) for i in range(3)]
    results = list(engine.process_pages(pages))
    assert [r.index for r in results] == [0, 1, 2]
    seen = {id(q.key): q for q in engine.recognizer.seen}
    recognised = furniture_read = 0
    for page, result in zip(pages, results):
        assert result.regions and [r.order for r in result.ordered_regions()] == list(range(len(result.regions)))
        for region in result.regions:
            assert region.task is engine.tasks[region.label] and region.text_source == "glm"
            assert region.bbox_pt == pytest.approx(tuple(v / 2 for v in region.bbox), abs=0.02)
            request = seen.get(id(region))
            prompt = prompt_for(region.task, region.label)
            if region.task in PROMPTS or region.label in FURNITURE_LABELS:
                recognised += 1
                furniture_read += region.task is Task.ABANDON
                assert request.prompt == prompt == PROMPTS[Task.TEXT if region.task is Task.ABANDON else region.task]
                x0, y0, x1, y1 = sdk_crop_box(region.bbox, result.width, result.height)  # the SDK's crop
                assert request.image.size == fit_to_grid(x1 - x0, y1 - y0)
                assert request.image.width % 28 == 0 and request.image.height % 28 == 0
                assert 1 <= region.stats["tokens"] <= 4 and "recognize" in region.timings
            else:
                assert request is None and region.content == ""
            if region.task is Task.SKIP:
                assert Image.open(io.BytesIO(region.image_png)).size[0] >= 1
                # the lite engine's form, page0001_region000_figure.png
                assert region.image_name == f"page{page.index + 1:04d}_region{region.index:03d}_{region.label}.png"
    assert recognised == len(engine.recognizer.seen) > 3  # crops from several pages, one pass
    assert furniture_read  # headers, footers and the like are read as text for the JSON
    record = engine.describe()
    assert record["name"] == "glm"
    for key, path in (("recognizer", dirs[0]), ("layout", dirs[1])):
        model = record["models"][key]
        assert model["path"] == str(Path(path).resolve()) and len(model["content_hash"]) == 16
    json.dumps(record)


@pytest.mark.slow
def test_batches_are_sorted_by_size_and_match_single_crop_answers(dirs):
    engine = make_engine(dirs, batch_size=3)
    sizes = [(300, 40), (90, 90), (500, 300), (60, 200), (120, 30)]
    requests = [
        CropRequest(
            prepare_crop(Image.fromarray(np.random.default_rng(i).integers(0, 256, (h, w, 3), dtype=np.uint8))),
            PROMPTS[Task.TEXT],
            key=i,
        )
        for i, (w, h) in enumerate(sizes)
    ]
    batched = engine.recognizer.recognize(requests)
    batches = engine.recognizer.seen_batches
    assert [len(b) for b in batches] == [3, 2]
    areas = [requests[i].image.width * requests[i].image.height for b in batches for i in b]
    assert areas == sorted(areas)
    assert [a.key for a in batched] == list(range(5))  # answers come back in request order
    for request, answer in zip(requests, batched):  # left padding changes nothing
        alone = engine.recognizer.recognize([request])[0]
        assert alone.text == answer.text and alone.tokens == answer.tokens


def test_prompt_is_the_chat_template_with_expanded_image_tokens(dirs):
    engine = make_engine(dirs)
    r = engine.recognizer
    assert r.prompt_text("Table Recognition:") == (
        "[gMASK]<sop><|user|>\n<|begin_of_image|><|image|><|end_of_image|>Table Recognition:<|assistant|>\n"
    )
    crop = prepare_crop(Image.new("RGB", (280, 56)))
    batch = r.encode([CropRequest(crop, "Text Recognition:"), CropRequest(prepare_crop(crop), "Table Recognition:")])
    ids = batch["input_ids"][0].tolist()
    assert ids.count(r.image_token_id) == (280 // 28) * (56 // 28)
    # M-RoPE needs the image positions marked; without them transformers uses 1-D positions silently.
    assert batch["mm_token_type_ids"].tolist() == (batch["input_ids"] == r.image_token_id).long().tolist()
    assert batch["mm_token_type_ids"].sum() == 2 * 20


def test_fit_to_grid_keeps_the_sdk_pixel_bounds():
    assert fit_to_grid(10, 10) == (84, 84)  # the SDK's resize (t=2: 2*84*84 >= 112*112), then the processor's
    w, h = fit_to_grid(5000, 7000)
    assert w % 28 == 0 and h % 28 == 0 and w * h <= 28 * 28 * 6144
    assert fit_to_grid(300, 50) == (308, 56)


def test_clean_up_of_tables_and_formulas():
    good = "<table><tr><td>1</td><td>2</td></tr></table>"
    assert clean_output(Task.TABLE, "```html\n" + good + "\n```") == (good, [])
    content, flags = clean_output(Task.TABLE, "<table><tr><td>1<td>2</tr>")
    assert flags == ["table-html-invalid"] and "1" in content and "2" in content
    assert clean_output(Task.FORMULA, "$$ x^2 + 1 $$") == ("x^2 + 1", [])
    assert clean_output(Task.FORMULA, "\\[a=b\\]") == ("a=b", [])


def test_auto_finds_both_checkpoints_or_none(dirs, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    assert find_glm_checkpoints(str(dirs[0]), str(dirs[1])) == (dirs[0].resolve(), dirs[1].resolve())
    assert find_glm_checkpoints(str(dirs[0]), None) is None  # layout not in the (empty) cache
    assert "glmocr models pull" in WEIGHTS_HINT


def test_missing_truncated_and_mismatched_checkpoints(dirs, tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        resolve_checkpoint(tmp_path / "nope", GLM_OCR_REPO)
    with pytest.raises(CheckpointError, match="model_type is 'pp_doclayout_v3'"):
        resolve_checkpoint(dirs[1], GLM_OCR_REPO)
    broken = shutil.copytree(dirs[0], tmp_path / "broken")
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1000])
    with pytest.raises(CheckpointError, match="truncated"):
        resolve_checkpoint(broken, GLM_OCR_REPO)


@pytest.mark.slow
def test_cli_glm_engine_end_to_end(dirs, tmp_path):
    page = noise_page(0, size=(400, 500)).image
    page.save(tmp_path / "scan.png")
    out = tmp_path / "out"
    result = run_cli(
        "convert",
        str(tmp_path / "scan.png"),
        "-o",
        str(out),
        "--engine",
        "glm",
        "--model",
        str(dirs[0]),
        "--layout-model",
        str(dirs[1]),
        "--max-new-tokens",
        "3",
        "--workers",
        "1",
        "--format",
        "json,md",
        "--device",
        "cpu",
        "--no-mtp",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(next(out.rglob("*.json")).read_text())
    assert doc["engine"]["name"] == "glm"
    assert doc["engine"]["models"]["recognizer"]["path"] == str(dirs[0].resolve())
    assert doc["pages"][0]["regions"] and all(r["text_source"] == "glm" for r in doc["pages"][0]["regions"])


def test_checkpoint_carries_the_mtp_layer_that_transformers_ignores(dirs):
    from safetensors import safe_open
    from transformers import GlmOcrForConditionalGeneration

    with safe_open(str(dirs[0] / "model.safetensors"), "pt") as f:
        names = set(f.keys())
    mtp = {n for n in names if n.startswith("model.language_model.layers.16.")}
    for part in (
        "enorm.weight",
        "hnorm.weight",
        "eh_proj.weight",
        "shared_head.norm.weight",
        "shared_head.head.weight",
        "embed_tokens.weight",
        "self_attn.q_proj.weight",
        "mlp.gate_up_proj.weight",
    ):
        assert "model.language_model.layers.16." + part in mtp, part
    model = GlmOcrForConditionalGeneration.from_pretrained(dirs[0])
    assert not any(".layers.16." in n for n, _ in model.named_parameters())
    assert len(model.model.language_model.layers) == 16


@pytest.mark.slow
def test_cli_glm_without_weights_exits_2_with_the_pull_command(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    Image.new("RGB", (50, 50), "white").save(tmp_path / "a.png")
    result = run_cli(
        "convert",
        str(tmp_path / "a.png"),
        "-o",
        str(tmp_path / "o"),
        "--engine",
        "glm",
        env={"HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": str(tmp_path / "hf" / "hub")},
    )
    assert result.returncode == 2 and "glmocr models pull" in result.stderr


def test_extraction_prompt_and_tolerant_parsing(tmp_path):
    from glmocr_cli.recognize.glm.extract import EXTRACTION_PROMPT, build_extraction_prompt, parse_extraction

    prompt = build_extraction_prompt("account, amount,currency")
    assert prompt.startswith(EXTRACTION_PROMPT + "\n")
    assert json.loads(prompt[len(EXTRACTION_PROMPT) + 1 :]) == {"account": "", "amount": "", "currency": ""}
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"total": {"type": "string"}}}))
    assert json.loads(build_extraction_prompt(str(schema)).split("\n", 1)[1]) == {"total": ""}
    keys = ["account", "amount", "currency"]
    assert parse_extraction('```json\n{"account": "CH44", "amount": "12.50",}\n```', keys) == {
        "account": "CH44",
        "amount": "12.50",
        "currency": None,
    }
    cut = '{"account": "CH44 3199", "amount": 12.5, "currency": "CH'  # stopped by the token limit
    assert parse_extraction(cut, keys) == {"account": "CH44 3199", "amount": 12.5, "currency": "CH"}
    assert parse_extraction("no json here", keys) == dict.fromkeys(keys)


@pytest.mark.slow
def test_extract_fields_asks_with_the_template_and_returns_every_key(dirs):
    from glmocr_cli.recognize.glm.extract import build_extraction_prompt

    engine = make_engine(dirs)
    fields = engine.extract_fields(noise_page(0, size=(200, 300)), ["account", "amount"])
    assert set(fields) == {"account", "amount"}  # random weights: values are noise or None
    assert engine.recognizer.seen[0].prompt == build_extraction_prompt(["account", "amount"])


@pytest.mark.slow
def test_cli_names_a_truncated_checkpoint_given_by_folder(dirs, tmp_path):
    broken = tmp_path / "glm"
    shutil.copytree(dirs[0], broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    Image.new("RGB", (60, 60), "white").save(tmp_path / "a.png")
    for engine in ("glm", "auto"):  # a folder asked for by name is never silently replaced by lite
        result = run_cli(
            "convert",
            str(tmp_path / "a.png"),
            "-o",
            str(tmp_path / "o"),
            "--engine",
            engine,
            "--model",
            str(broken),
            "--layout-model",
            str(dirs[1]),
        )
        assert result.returncode == 2 and "truncated" in result.stderr and str(weights) in result.stderr
