"""GLM-OCR's Multi-Token Prediction layer, loaded from the checkpoint keys transformers ignores.

Layout (vLLM `glm_ocr_mtp.py`, SGLang `glm_ocr_nextn.py`), under `model.language_model.layers.{N}.`
with N = num_hidden_layers: `enorm`, `hnorm`, `eh_proj` (2*hidden -> hidden, input [embedding,
hidden]), `shared_head.norm`, `shared_head.head`, `embed_tokens`, and an ordinary decoder block.
One draft step: x = eh_proj([enorm(embed(token[i+1])), hnorm(h[i])]) at position i, where h[i] is the
main model's hidden state after its final norm; the block's output, through shared_head, predicts
token i+2. Chained drafts feed the block's output back in as h.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn


class MtpLayer(nn.Module):
    def __init__(self, text_config, embed_tokens: nn.Module, head: nn.Module):
        super().__init__()
        from transformers.models.glm_ocr.modeling_glm_ocr import GlmOcrRMSNorm, GlmOcrTextDecoderLayer

        hidden, eps = text_config.hidden_size, text_config.rms_norm_eps
        self.enorm = GlmOcrRMSNorm(hidden, eps=eps)
        self.hnorm = GlmOcrRMSNorm(hidden, eps=eps)
        self.eh_proj = nn.Linear(2 * hidden, hidden, bias=False)
        self.block = GlmOcrTextDecoderLayer(text_config, layer_idx=0)  # layer 0 of its own KV cache
        self.head_norm = GlmOcrRMSNorm(hidden, eps=eps)
        self.embed_tokens = embed_tokens   # the main model's when the checkpoint's copy is identical
        self.head = head

    def inputs(self, tokens: torch.Tensor, hidden: torch.Tensor, zero_first: bool = False) -> torch.Tensor:
        """The block's input for `tokens` [B, T] (token i+1) and `hidden` [B, T, H] (state at i).

        `zero_first`: the embedding at sequence position 0 is zeroed, as vLLM does for MTP.
        """
        embedded = self.embed_tokens(tokens)
        if zero_first:
            embedded = torch.cat([torch.zeros_like(embedded[:, :1]), embedded[:, 1:]], dim=1)
        embedded = self.enorm(embedded)
        return self.eh_proj(torch.cat([embedded, self.hnorm(hidden)], dim=-1))

    def logits(self, block_output: torch.Tensor) -> torch.Tensor:
        return self.head(self.head_norm(block_output)).float()


def mtp_prefix(config) -> str:
    return f"model.language_model.layers.{config.text_config.num_hidden_layers}."


def checkpoint_tensors(path: Path, prefix: str) -> dict[str, torch.Tensor]:
    """Every tensor under `prefix` in the checkpoint's safetensors file(s), prefix removed."""
    from safetensors import safe_open

    path = Path(path)
    index = path / "model.safetensors.index.json"
    if index.exists():
        files = sorted({f for k, f in json.loads(index.read_text())["weight_map"].items() if k.startswith(prefix)})
    else:
        files = ["model.safetensors"] if (path / "model.safetensors").exists() else []
    found = {}
    for name in files:
        with safe_open(str(path / name), framework="pt") as handle:
            for key in handle.keys():
                if key.startswith(prefix):
                    found[key.removeprefix(prefix)] = handle.get_tensor(key)
    return found


def load_mtp_layer(model, path: Path) -> MtpLayer | None:
    """The checkpoint's MTP layer on the model's device and dtype, or None when it has none.

    The head and the embedding are shared with the main model when the checkpoint's copies are equal
    to them (they are in GLM-OCR), so MTP adds only the block and eh_proj to memory.
    """
    tensors = checkpoint_tensors(path, mtp_prefix(model.config))
    if not tensors:
        return None
    language_model = model.model.language_model
    embed = language_model.embed_tokens
    head = model.lm_head
    dtype, device = model.dtype, model.device
    own_embed = tensors.pop("embed_tokens.weight", None)
    if own_embed is not None and not _same(own_embed, embed.weight):
        embed = nn.Embedding.from_pretrained(own_embed.to(device, dtype), freeze=True)
    own_head = tensors.pop("shared_head.head.weight", None)
    if own_head is not None and not _same(own_head, head.weight):
        head = nn.Linear(own_head.shape[1], own_head.shape[0], bias=False)
        head.weight = nn.Parameter(own_head.to(device, dtype), requires_grad=False)
    layer = MtpLayer(model.config.text_config, embed, head)
    state = {}
    for key, tensor in tensors.items():
        if key.startswith("shared_head.norm."):
            key = "head_norm." + key.removeprefix("shared_head.norm.")
        elif not key.startswith(("enorm.", "hnorm.", "eh_proj.")):
            key = "block." + key
        state[key] = tensor
    own = {k for k in layer.state_dict() if not k.startswith(("embed_tokens.", "head."))}
    missing = own - set(state)
    unexpected = set(state) - own
    if missing or unexpected:
        raise ValueError(f"MTP layer in {path}: missing {sorted(missing)[:4]}, unexpected {sorted(unexpected)[:4]}")
    layer.load_state_dict(state, strict=False)
    return layer.to(device=device, dtype=dtype).eval().requires_grad_(False)


def _same(stored: torch.Tensor, weight: torch.Tensor) -> bool:
    return stored.shape == weight.shape and torch.equal(stored.to(weight.device, weight.dtype), weight.detach())

