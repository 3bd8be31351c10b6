"""Our MTP drafts against a one-pass reference of vLLM's GLM-OCR MTP math.

The reference follows vLLM `vllm/model_executor/models/glm_ocr_mtp.py`,
`GlmOcrMultiTokenPredictorLayer.forward` (embedding zeroed at position 0; enorm(embedding) and
hnorm(previous hidden state) concatenated in that order into eh_proj; one ordinary GLM decoder block,
residual included) and `glm4_moe_lite_mtp.py`, `Glm4MoeLiteMultiTokenPredictor.compute_logits`
(`shared_head.head(shared_head.norm(h))`), with the weights read straight from the checkpoint file as
vLLM's `GlmOcrMTP.load_weights` maps them (its own `embed_tokens` and `shared_head` copies). The
previous hidden state is the main model's after its final norm (what vLLM's target model returns),
taken here from transformers' own forward over the whole sequence; position i reads token i+1 and
predicts token i+2. Chained drafts (k > 1) feed the block's output back as the hidden state at the
next position, as vLLM's proposer does. Everything is computed in one causal pass, no KV cache.

Deliberate divergence: our drafts are chosen with the repetition penalty the verifier applies
(a draft the verifier would reject is never proposed); vLLM's proposer takes the plain argmax. The
reference applies the same penalty, so the comparison is of the layer's math, not of that rule.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from glmocr_cli.engines.glm import load_glm_ocr
from glmocr_cli.recognize.glm.crops import prepare_crop
from glmocr_cli.recognize.glm.decoder import GlmDecoder
from glmocr_cli.recognize.glm.mtp import load_mtp_layer, mtp_prefix
from glmocr_cli.recognize.glm.recognizer import CropRequest, GlmRecognizer
from glmocr_cli.recognize.glm.requests import request_from_encoding
from helpers.tiny_glm import build_tiny_glm_ocr

pytestmark = pytest.mark.slow  # the reference SDK, vLLM's math or transformers' processor as oracles

PENALTY = 1.1
NEW_TOKENS = 10


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """vLLM's RMSNorm (forward_native): x / sqrt(mean(x^2) + eps) * weight, in float32."""
    variance = x.float().pow(2).mean(-1, keepdim=True)
    return weight * (x.float() * torch.rsqrt(variance + eps)).to(x.dtype)


class VllmMtpReference:
    """GLM-OCR's MTP layer as vLLM computes it, from the checkpoint's tensors."""

    def __init__(self, model, path):
        from transformers.models.glm_ocr.modeling_glm_ocr import GlmOcrTextDecoderLayer

        prefix = mtp_prefix(model.config)
        weights = {
            k.removeprefix(prefix): v.float()
            for k, v in load_file(path / "model.safetensors").items()
            if k.startswith(prefix)
        }
        named = ("enorm.", "hnorm.", "eh_proj.", "shared_head.", "embed_tokens.")
        self.w = {k: v for k, v in weights.items() if k.startswith(named)}
        cfg = model.config.text_config
        self.eps = cfg.rms_norm_eps
        self.block = GlmOcrTextDecoderLayer(cfg, layer_idx=0).eval()
        self.block.load_state_dict({k: v for k, v in weights.items() if not k.startswith(named)})
        self.rotary = model.model.language_model.rotary_emb

    def hidden(self, tokens: torch.Tensor, previous: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """`GlmOcrMultiTokenPredictorLayer.forward` over a whole sequence [1, L] in one causal pass."""
        embeds = torch.nn.functional.embedding(tokens, self.w["embed_tokens.weight"])
        embeds[:, positions[0, 0] == 0] = 0  # masking inputs at position 0
        x = (
            torch.cat(
                [
                    rms_norm(embeds, self.w["enorm.weight"], self.eps),
                    rms_norm(previous, self.w["hnorm.weight"], self.eps),
                ],
                dim=-1,
            )
            @ self.w["eh_proj.weight"].T
        )
        out = self.block(x, position_embeddings=self.rotary(x, positions), attention_mask=None)
        return out[0] if isinstance(out, tuple) else out

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """`compute_logits`: shared_head.head(shared_head.norm(hidden))."""
        return rms_norm(hidden, self.w["shared_head.norm.weight"], self.eps) @ self.w["shared_head.head.weight"].T


def penalised_choice(logits: torch.Tensor, seen: set[int]) -> tuple[int, float]:
    """(argmax after transformers' repetition penalty, margin over the runner-up)."""
    logits = logits.clone().float()
    index = torch.tensor(sorted(seen))
    picked = logits[index]
    logits[index] = torch.where(picked < 0, picked * PENALTY, picked / PENALTY)
    top = torch.topk(logits, 2)
    return int(top.indices[0]), float(top.values[0] - top.values[1])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = build_tiny_glm_ocr(tmp_path_factory.mktemp("ckpt") / "glm", seed=3)
    model, tokenizer, image_processor = load_glm_ocr(path, "cpu", torch.float32)
    return path, GlmRecognizer(model, tokenizer, image_processor)


def requests(recognizer):
    rng = np.random.default_rng(5)
    crops = [
        prepare_crop(Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)))
        for w, h in [(120, 60), (300, 90)]
    ]
    return [request_from_encoding(recognizer.encode([CropRequest(c, "Text Recognition:")]), NEW_TOKENS) for c in crops]


@pytest.mark.parametrize("draft_tokens", [1, 3])
def test_drafts_equal_the_vllm_reference(tiny, draft_tokens):
    path, recognizer = tiny
    model = recognizer.model
    reference = VllmMtpReference(model, path)
    recorded = []

    def record(slots, results, drafts):
        recorded.append((slots[0], list(results[0].token_ids), drafts[0].tolist()))
        return drafts

    decoder = GlmDecoder(
        model,
        mtp=load_mtp_layer(model, path),
        draft_tokens=draft_tokens,
        repetition_penalty=PENALTY,
        batch_size=1,
        eos_token_ids=[],
        draft_hook=record,
    )
    built = requests(recognizer)
    results = decoder.generate(built)
    compared = 0
    for index, request in enumerate(built):
        prompt = request.input_ids.tolist()
        sequence = torch.tensor([prompt + results[index].token_ids])
        with torch.no_grad():
            image_mask = sequence == model.config.image_token_id
            main = model.model(
                input_ids=sequence,
                pixel_values=request.pixel_values,
                image_grid_thw=request.image_grid_thw,
                mm_token_type_ids=image_mask.int(),
            )
            hidden = main.last_hidden_state  # after the final norm
            positions, _ = model.model.get_rope_index(
                torch.tensor([prompt + results[index].token_ids + [0] * draft_tokens]),
                mm_token_type_ids=torch.cat([image_mask, torch.zeros(1, draft_tokens, dtype=torch.bool)], 1).int(),
                image_grid_thw=request.image_grid_thw,
            )
        for slot, emitted, drafts in (r for r in recorded if r[0] == index):
            last = len(prompt) + len(emitted) - 2  # position i: token i+1 is the newest emitted one
            seen = set(prompt) | set(emitted)
            tokens, states = sequence[:, 1 : last + 2], hidden[:, : last + 1]
            expected = []
            with torch.no_grad():
                for j in range(draft_tokens):
                    out = reference.hidden(tokens, states, positions[:, :, : tokens.shape[1]])
                    token, margin = penalised_choice(reference.logits(out[0, -1]), seen)
                    if margin < 1e-4:
                        break  # a near tie: float order may decide
                    expected.append(token)
                    tokens = torch.cat([tokens, torch.tensor([[token]])], dim=1)  # chain: feed it back
                    states = torch.cat([states, out[:, -1:]], dim=1)
            assert drafts[: len(expected)] == expected, (index, len(emitted))
            compared += len(expected)
    assert compared >= len(built) * (NEW_TOKENS // 2)
