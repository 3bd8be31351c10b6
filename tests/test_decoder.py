"""Our decoder against transformers `generate(do_sample=False)` on a tiny checkpoint in the real format.

The reference for every crop is `generate` on that crop alone: in a left-padded `generate` batch the pad
token (GLM's EOS) is part of `input_ids`, so the repetition penalty also lowers EOS in padded rows,
and batched `generate` is not the greedy answer of a crop. Our decoder pads nothing.
"""

from __future__ import annotations

import logging

import json

import numpy as np
import pytest
import torch
from PIL import Image

from helpers.cli import run_cli
from helpers.decoding import BUDGETS, Oracle, crops, decode_requests, reference
from glmocr_cli.engines.glm import build_decoder, load_glm_ocr
from glmocr_cli.recognize.glm.decoder import GlmDecoder
from glmocr_cli.recognize.glm.mtp import checkpoint_files, checkpoint_tensors, load_mtp_layer, mtp_prefix
from glmocr_cli.recognize.glm.recognizer import GlmRecognizer


@pytest.fixture(scope="module")
def tiny(tiny_glm_dir):
    path = tiny_glm_dir
    model, tokenizer, image_processor = load_glm_ocr(path, "cpu", torch.float32)
    return path, GlmRecognizer(model, tokenizer, image_processor)


@pytest.fixture(scope="module")
def case(tiny):
    """Requests, references, and an extra stop id taken from one answer so some crops stop on EOS."""
    path, recognizer = tiny
    requests = crops()
    plain = reference(recognizer, requests, BUDGETS, recognizer.eos_ids, 1.1)
    stop = plain[0][5]  # the 6th token of crop 0 also ends sequences now
    eos = recognizer.eos_ids + [stop]
    expected = reference(recognizer, requests, BUDGETS, eos, 1.1)
    return decode_requests(recognizer, requests, BUDGETS), eos, expected


SLOW = pytest.mark.slow  # the fast lane keeps one case of each kind


@pytest.mark.parametrize(
    "use_mtp,draft_tokens,batch_size",
    [
        (False, 1, 1),
        pytest.param(False, 1, 2, marks=SLOW),
        pytest.param(False, 1, 5, marks=SLOW),
        (True, 1, 1),
        pytest.param(True, 1, 2, marks=SLOW),
        pytest.param(True, 1, 5, marks=SLOW),
        pytest.param(True, 3, 1, marks=SLOW),
        pytest.param(True, 3, 2, marks=SLOW),
        pytest.param(True, 3, 5, marks=SLOW),
    ],
)
def test_token_for_token_equal_to_generate(tiny, case, use_mtp, draft_tokens, batch_size):
    path, recognizer = tiny
    requests, eos, expected = case
    mtp = load_mtp_layer(recognizer.model, path) if use_mtp else None
    decoder = GlmDecoder(
        recognizer.model,
        mtp=mtp,
        draft_tokens=draft_tokens,
        repetition_penalty=1.1,
        batch_size=batch_size,
        eos_token_ids=eos,
    )
    results = decoder.generate(requests)
    assert [r.token_ids for r in results] == expected
    reasons = [r.finish_reason for r in results]
    assert reasons == ["stop" if ids[-1] in eos else "length" for ids in expected]
    assert "stop" in reasons and "length" in reasons  # both ways of ending are exercised
    assert all(len(r.token_ids) <= b for r, b in zip(results, BUDGETS))
    if use_mtp:  # above the draft batch limit a step decodes plainly and proposes nothing
        assert all(r.draft_proposed % draft_tokens == 0 and r.draft_proposed <= r.steps * draft_tokens for r in results)
        if batch_size <= decoder.draft_batch_limit:
            assert all(r.draft_proposed == r.steps * draft_tokens for r in results)
        assert sum(r.draft_proposed for r in results) > 0


@pytest.mark.parametrize(
    "draft_tokens,batch_size", [(1, 1), pytest.param(3, 2, marks=SLOW), pytest.param(3, 5, marks=SLOW)]
)
def test_accepted_drafts_cut_steps_and_keep_the_output(tiny, case, draft_tokens, batch_size):
    """Right drafts (an oracle standing in for a trained MTP layer) are accepted, wrong ones rolled back."""
    path, recognizer = tiny
    requests, eos, expected = case
    oracle = Oracle(expected)
    decoder = GlmDecoder(
        recognizer.model,
        mtp=load_mtp_layer(recognizer.model, path),
        draft_tokens=draft_tokens,
        repetition_penalty=1.1,
        batch_size=batch_size,
        eos_token_ids=eos,
        draft_hook=oracle,
    )
    results = decoder.generate(requests)
    assert [r.token_ids for r in results] == expected
    accepted = sum(r.draft_accepted for r in results)
    least, most = oracle.bounds([r.token_ids for r in results])
    assert least > 0 and least <= accepted <= most
    tokens = sum(len(r.token_ids) for r in results)
    steps = sum(r.steps for r in results)
    assert steps + len(results) < tokens  # fewer main-model forwards than tokens


def one_pass_mtp_predictions(recognizer, mtp, request, tokens):
    """The MTP layer's greedy prediction at every position, computed in one pass over the final sequence."""
    model = recognizer.model
    ids = torch.cat([request.input_ids, torch.tensor(tokens)]).view(1, -1)
    image = ids == model.config.image_token_id
    with torch.inference_mode():
        hidden = model.model(
            input_ids=ids,
            pixel_values=request.pixel_values,
            image_grid_thw=request.image_grid_thw,
            mm_token_type_ids=image.int(),
            attention_mask=torch.ones_like(ids),
        ).last_hidden_state
        positions, _ = model.model.get_rope_index(
            ids, mm_token_type_ids=image.int(), image_grid_thw=request.image_grid_thw
        )
        x = mtp.inputs(ids[:, 1:], hidden[:, :-1], zero_first=True)
        rotary = model.model.language_model.rotary_emb(x, positions[:, :, :-1])
        out = mtp.block(x, position_embeddings=rotary, attention_mask=None)
        return mtp.logits(out).argmax(-1)[0]  # index i predicts token i + 2


@pytest.mark.slow
@pytest.mark.parametrize("batch_size,limit", [(1, None), (5, 5), (5, 2)])
def test_mtp_drafts_equal_a_one_pass_computation_of_the_layer(tiny, case, batch_size, limit):
    """Incremental drafting (its own KV cache, refreshed and rolled back each step) computes the layer right."""
    path, recognizer = tiny
    requests, eos, _ = case
    mtp = load_mtp_layer(recognizer.model, path)
    plain = GlmDecoder(recognizer.model, repetition_penalty=1.0, batch_size=batch_size, eos_token_ids=[])
    truth = [r.token_ids for r in plain.generate(requests)]
    decoder = GlmDecoder(
        recognizer.model,
        mtp=mtp,
        draft_tokens=1,
        repetition_penalty=1.0,
        batch_size=batch_size,
        eos_token_ids=[],
        draft_batch_limit=limit,
    )
    seen, oracle = [], Oracle(truth)

    def hook(indexes, results, drafts):
        # record the layer's own drafts, then verify the oracle's: the caches roll back by varying amounts
        seen.append([(r, len(r.token_ids), int(d)) for r, d in zip(results, drafts[:, 0])])
        return oracle(indexes, results, drafts)

    decoder.draft_hook = hook
    results = decoder.generate(requests)
    assert [r.token_ids for r in results] == truth
    assert sum(r.draft_accepted for r in results) > (3 if limit == 2 else 20)  # rollbacks of varying size
    if limit == 2:  # 4 rows decode plainly first; the MTP layer catches up when 2 are left
        assert any(0 < r.draft_proposed < r.steps for r in results)
    checked = 0
    for request, result in zip(requests, results):
        predicted = one_pass_mtp_predictions(recognizer, mtp, request, result.token_ids)
        prompt = request.prompt_length
        for step in seen:
            for owner, done, draft in step:
                if owner is result and done < len(result.token_ids):
                    # after `done` tokens the last one sits at prompt+done-1; the draft is for prompt+done
                    assert draft == int(predicted[prompt + done - 2]), (done, draft)
                    checked += 1
    assert checked >= (5 if limit == 2 else 30)


@pytest.mark.slow
def test_checkpoint_without_mtp_decodes_plainly_with_one_info_line(tiny_glm_plain_dir, caplog):
    path = tiny_glm_plain_dir
    caplog.set_level(logging.INFO, logger="glmocr_cli")
    model, tokenizer, image_processor = load_glm_ocr(path, "cpu", torch.float32)
    assert not checkpoint_tensors(checkpoint_files(path), mtp_prefix(model.config))
    recognizer = GlmRecognizer(model, tokenizer, image_processor)
    decoder = build_decoder(
        model, path, mtp=True, draft_tokens=2, repetition_penalty=1.1, batch_size=3, eos_ids=recognizer.eos_ids
    )
    # one INFO record through the library's logger (the CLI shows it as its reporter's `info:` line)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("glmocr_cli")]
    assert len(lines) == 1 and "no MTP layer" in lines[0] and str(path) in lines[0], lines
    assert decoder.mtp is None and decoder.k == 0
    requests = crops(seed=1)[:3]
    expected = reference(recognizer, requests, BUDGETS[:3], recognizer.eos_ids, 1.1)
    results = decoder.generate(decode_requests(recognizer, requests, BUDGETS[:3]))
    assert [r.token_ids for r in results] == expected
    assert all(r.draft_proposed == 0 for r in results)


def test_mtp_layer_loads_the_checkpoint_weights_and_shares_head_and_embedding(tiny):
    path, recognizer = tiny
    model = recognizer.model
    mtp = load_mtp_layer(model, path)
    stored = checkpoint_tensors(checkpoint_files(path), mtp_prefix(model.config))
    assert mtp.head is model.lm_head and mtp.embed_tokens is model.model.language_model.embed_tokens
    assert torch.equal(mtp.eh_proj.weight, stored["eh_proj.weight"])
    assert torch.equal(mtp.block.mlp.down_proj.weight, stored["mlp.down_proj.weight"])
    assert torch.equal(mtp.block.self_attn.q_proj.weight, stored["self_attn.q_proj.weight"])
    # the block is not a copy of a main layer (the checkpoint's layer 16 is its own)
    assert not torch.equal(
        mtp.block.self_attn.q_proj.weight, model.model.language_model.layers[0].self_attn.q_proj.weight
    )


@pytest.mark.slow
def test_cli_records_decode_stats_per_region_and_document(tiny, tiny_layout_dir, tmp_path):
    path, _ = tiny
    layout = tiny_layout_dir
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (500, 400, 3), dtype=np.uint8)).save(tmp_path / "page.png")
    result = run_cli(
        "convert",
        str(tmp_path / "page.png"),
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
        "--draft-tokens",
        "2",
        "--max-new-tokens",
        "6",
        "--batch-size",
        "2",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "out" / "page.json").read_text())
    regions = [r for p in doc["pages"] for r in p["regions"] if "decode_steps" in r.get("stats", {})]
    assert regions, "no region was read by the model"
    for region in regions:
        stats = region["stats"]
        assert stats["draft_proposed"] == 2 * stats["decode_steps"]
        assert 0 <= stats["draft_accepted"] <= stats["draft_proposed"]
        assert stats["decode_seconds"] >= 0 and stats["tokens"] <= 6
    totals = doc["stats"]
    assert totals["tokens"] == sum(r["stats"]["tokens"] for r in regions)
    assert totals["draft_proposed"] == sum(r["stats"]["draft_proposed"] for r in regions)
    assert doc["options"]["mtp"] is True and doc["options"]["draft_tokens"] == 2


def test_mtp_head_that_differs_from_lm_head_is_loaded_as_its_own(tiny, tmp_path):
    import shutil
    from safetensors.torch import load_file, save_file

    path, recognizer = tiny
    copy = tmp_path / "glm"
    shutil.copytree(path, copy)
    tensors = load_file(copy / "model.safetensors")
    key = mtp_prefix(recognizer.model.config) + "shared_head.head.weight"
    tensors[key] = tensors[key] * 2
    save_file(tensors, copy / "model.safetensors", metadata={"format": "pt"})
    mtp = load_mtp_layer(recognizer.model, copy)
    assert mtp.head is not recognizer.model.lm_head
    assert torch.equal(mtp.head.weight, tensors[key])
    assert mtp.embed_tokens is recognizer.model.model.language_model.embed_tokens
