"""Issue 10's GLM faults on tiny checkpoints: the cache argument's name across transformers versions,
a decoder failure handled per crop, the device check, and the decode statistics."""

from __future__ import annotations

import logging

import inspect
import json

import numpy as np
import pytest
import torch
from PIL import Image

from helpers.cli import run_cli
from glmocr_cli.document import DocResult, PageResult, Region, Task
from glmocr_cli.engines.glm import load_glm_ocr
from glmocr_cli.labels import PageSource
from glmocr_cli.recognize.glm.compat import padding_blind_penalty, untested_transformers_line
from glmocr_cli.recognize.glm.decoder import GlmDecoder
from glmocr_cli.recognize.glm.mtp import load_mtp_layer
from glmocr_cli.recognize.glm.recognizer import CropRequest, GlmRecognizer, prepare_crop
from helpers.decoding import Oracle, crops, decode_requests, reference


@pytest.fixture(scope="module")
def tiny(tiny_glm_dir):
    path = tiny_glm_dir
    model, tokenizer, image_processor = load_glm_ocr(path, "cpu", torch.float32)
    return path, GlmRecognizer(model, tokenizer, image_processor)


# -- fault 1: the KV cache argument is `cache` on 5.24, `past_key_values` before ----------------------
def takes(layer) -> str:
    return "cache" if "cache" in inspect.signature(type(layer).forward).parameters else "past_key_values"


class PastKeyValuesLayer(torch.nn.Module):
    """A decoder layer declared as transformers 5.4 .. 5.23 declare it: the cache comes as
    `past_key_values`, and any other keyword (such as `cache`) falls into **kwargs, unused."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(
        self,
        hidden_states,
        position_embeddings=None,
        attention_mask=None,
        position_ids=None,
        past_key_values=None,
        use_cache=False,
        **kwargs,
    ):
        return self.layer(
            hidden_states,
            position_embeddings=position_embeddings,
            attention_mask=attention_mask,
            **{takes(self.layer): past_key_values},
        )


class CacheDroppingLayer(PastKeyValuesLayer):
    """A layer that takes the cache under its name and never uses it (a future rename gone wrong)."""

    def forward(self, hidden_states, position_embeddings=None, attention_mask=None, cache=None, **kwargs):
        return self.layer(hidden_states, position_embeddings=position_embeddings, attention_mask=None)


def with_layers(path, wrapper):
    model, _, _ = load_glm_ocr(path, "cpu", torch.float32)
    lm = model.model.language_model
    lm.layers = torch.nn.ModuleList(wrapper(layer) for layer in lm.layers)
    return model


@pytest.mark.slow
def test_decoder_passes_the_cache_under_the_name_the_layers_take(tiny):
    path, recognizer = tiny
    requests, budgets = crops()[:3], [12, 9, 14]
    expected = reference(recognizer, requests, budgets, recognizer.eos_ids, 1.1)
    model = with_layers(path, PastKeyValuesLayer)
    for mtp in (None, load_mtp_layer(model, path)):  # the MTP block keeps the installed layer class
        decoder = GlmDecoder(model, mtp=mtp, draft_tokens=2, batch_size=3, eos_token_ids=recognizer.eos_ids)
        results = decoder.generate(decode_requests(recognizer, requests, budgets))
        assert [r.token_ids for r in results] == expected


def test_a_layer_that_ignores_the_cache_is_an_error_not_garbage(tiny):
    path, recognizer = tiny
    decoder = GlmDecoder(with_layers(path, CacheDroppingLayer), batch_size=2, eos_token_ids=recognizer.eos_ids)
    with pytest.raises(RuntimeError, match="did not write the KV cache"):
        decoder.generate(decode_requests(recognizer, crops()[:2], [5, 5]))


def test_generate_penalty_skips_left_padding_as_each_row_alone():
    """Before 5.24 `generate` penalised a padded row's padding (GLM-OCR pads with EOS, so the row would
    not stop where it stops alone); our processor gives each row the penalty of its own tokens only."""
    from transformers import RepetitionPenaltyLogitsProcessor

    pad = 7
    rows = [[3, 5, 5, 9], [5, 2]]  # the second row is left-padded to 4
    input_ids = torch.tensor([rows[0], [pad, pad, *rows[1]]])
    mask = torch.tensor([[1, 1, 1, 1], [0, 0, 1, 1]])
    scores = torch.linspace(-2, 2, 2 * 12).view(2, 12)
    ours = padding_blind_penalty(1.3, mask)[0](input_ids, scores.clone())
    for i, row in enumerate(rows):
        alone = RepetitionPenaltyLogitsProcessor(1.3)(torch.tensor([row]), scores[i : i + 1].clone())
        assert torch.equal(ours[i : i + 1], alone)
    assert ours[1, pad] == scores[1, pad]  # the padding token is not penalised in row 2
    assert ours[0, 9] != scores[0, 9] and ours[1, 2] != scores[1, 2]


def test_untested_transformers_gives_one_warning_line():
    for version in ("5.4.0", "5.13.1", "5.23.0", "5.24.0", "5.24.3"):
        assert untested_transformers_line(version) is None
    for version in ("5.3.0", "5.25.0", "6.0.0.dev0", "4.57.1"):
        line = untested_transformers_line(version)
        assert line and "\n" not in line and version in line and "5.4.0" in line and "5.24" in line


# -- fault 2: a decoder failure is one crop's, and the decoder stays on ---------------------------------
class FailingDecoder(GlmDecoder):
    """Our decoder, raising from prefill for every prompt of one task (an injected fault, real exception)."""

    def __init__(self, *args, tokenizer, poison: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tokenizer, self.poison, self.prefilled = tokenizer, poison, 0

    def prefill(self, request):
        if self.poison in self.tokenizer.decode(request.input_ids.tolist()):
            raise RuntimeError("injected decoder fault")
        self.prefilled += 1
        return super().prefill(request)


@pytest.mark.slow
def test_decoder_failure_is_one_crops_and_the_decoder_stays_on(tiny, caplog):
    path, recognizer = tiny
    model, tokenizer, processor = recognizer.model, recognizer.tokenizer, recognizer.image_processor
    reader = GlmRecognizer(model, tokenizer, processor, max_new_tokens=10)
    reader.decoder = FailingDecoder(
        model,
        mtp=load_mtp_layer(model, path),
        draft_tokens=2,
        batch_size=4,
        eos_token_ids=reader.eos_ids,
        tokenizer=tokenizer,
        poison="Formula",
    )
    requests = crops()[:4]
    requests[2] = CropRequest(requests[2].image, "Formula Recognition:", key=2)
    expected = reference(reader, requests, [10] * 4, reader.eos_ids, 1.1)
    caplog.set_level(logging.WARNING, logger="glmocr_cli")
    answers = reader.recognize(requests)
    for i, (answer, ids) in enumerate(zip(answers, expected)):
        want = [t for t in ids if t not in reader.eos_ids]
        assert answer.text == tokenizer.decode(want, skip_special_tokens=True) and answer.tokens == len(want)
        if i == 2:  # read alone by transformers generate: the same greedy answer, flagged
            assert answer.flags == ["decoder-failed"] and answer.stats["decoder"] == "generate"
        else:
            assert answer.flags == [] and answer.stats["decoder"] == "mtp" and answer.stats["decode_steps"] >= 1
    # one warning through the library's logger (the CLI shows it as its reporter's `warning:` line)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("glmocr_cli")]
    assert any("crop 3 of 4" in line and "injected decoder fault" in line for line in lines), lines
    # later crops still go through our decoder
    assert reader.decoder is not None and reader.decoder_name == "mtp"
    before = reader.decoder.prefilled
    later = reader.recognize(crops(seed=5)[:2])
    assert reader.decoder.prefilled == before + 2
    assert all(a.stats["decoder"] == "mtp" and not a.flags for a in later)


@pytest.mark.slow
def test_document_json_says_which_decoder_read_each_region(tiny, tiny_layout_dir, tmp_path):
    path, _ = tiny
    layout = tiny_layout_dir
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (500, 400, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    result = run_cli(
        "convert",
        str(tmp_path / "p.png"),
        "-o",
        str(tmp_path / "out"),
        "--engine",
        "glm",
        "--model",
        str(path),
        "--layout-model",
        str(layout),
        "--device",
        "cpu",
        "--format",
        "json",
        "--mtp",
        "--max-new-tokens",
        "4",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "out" / "p.json").read_text())
    read = [r for p in doc["pages"] for r in p["regions"] if "tokens" in r["stats"]]
    assert read and all(r["stats"]["decoder"] == "mtp" for r in read)
    assert doc["engine"]["decoder"] == "mtp" and doc["options"]["mtp"] is True


# -- fault 4: --device cuda on a machine without CUDA --------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_one_line_about_the_device_exit_2(tiny, tiny_layout_dir, tmp_path):
    path, _ = tiny
    layout = tiny_layout_dir
    Image.new("RGB", (200, 100), "white").save(tmp_path / "p.png")
    result = run_cli(
        "convert",
        str(tmp_path / "p.png"),
        "-o",
        str(tmp_path / "out"),
        "--engine",
        "glm",
        "--model",
        str(path),
        "--layout-model",
        str(layout),
        "--device",
        "cuda",
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--device cuda" in lines[0] and "CUDA" in lines[0], result.stderr
    assert "checkpoint" not in lines[0].lower() and not (tmp_path / "out" / "p.md").exists()


# -- fault 5: statistics -------------------------------------------------------------------------------
@pytest.mark.slow
def test_drafts_accepted_past_eos_or_the_budget_are_not_counted(tiny):
    """An oracle proposes the true continuation, so verification accepts drafts beyond each answer's end."""
    path, recognizer = tiny
    requests = crops()[:3]
    budgets = [7, 10, 13]  # 1 + 3k tokens would fit; budgets that cut a step of 4 short
    expected = reference(recognizer, requests, budgets, recognizer.eos_ids, 1.1)
    truth = [ids + [0] * 8 for ids in expected]  # proposals past the end: accepted by an accept hook below
    decoder = GlmDecoder(
        recognizer.model,
        mtp=load_mtp_layer(recognizer.model, path),
        draft_tokens=3,
        batch_size=3,
        eos_token_ids=recognizer.eos_ids,
        draft_hook=Oracle(truth),
        draft_batch_limit=3,
    )
    decoder.accept_hook = lambda drafts, targets, accepted: torch.full_like(accepted, drafts.shape[1])
    results = decoder.generate(decode_requests(recognizer, requests, budgets))
    for result, budget in zip(results, budgets):
        assert len(result.token_ids) <= budget
        # every step but the last emits its 3 drafts + 1; draft j stands at the step's output position
        # j-1, so the last step counts only the drafts at positions it kept
        last = len(result.token_ids) - 1 - 4 * (result.steps - 1)
        assert 1 <= last <= 4
        assert result.draft_accepted == 3 * (result.steps - 1) + min(3, last)
        assert result.stats()["decoded_tokens"] == len(result.token_ids) - 1


def test_tokens_per_step_leaves_the_prefill_token_out():
    """Zero acceptance is one token a step: the prefill's token is no step's, and an EOS is a step's."""
    regions = []
    # (tokens without EOS, tokens the steps emitted, steps): one answer cut by its budget, one by EOS
    for i, (tokens, decoded, steps) in enumerate([(31, 30, 30), (10, 10, 10)]):
        region = Region(
            index=i, order=i, label="text", native_label="text", task=Task.TEXT, bbox=(0, 0, 1, 1), score=1.0
        )
        region.stats = {
            "tokens": tokens,
            "decoded_tokens": decoded,
            "decode_steps": steps,
            "draft_proposed": steps,
            "draft_accepted": 0,
        }
        regions.append(region)
    page = PageResult(
        index=0, width=1, height=1, source=PageSource.IMAGE, dpi=72, size_pt=None, rotation=0, regions=regions
    )
    doc = DocResult(source=None, relative_path=None, sha256="", pages=[page], engine={}, options={})
    stats = doc.decode_stats()
    assert stats["tokens_per_step"] == 1.0 and stats["acceptance"] == 0.0
