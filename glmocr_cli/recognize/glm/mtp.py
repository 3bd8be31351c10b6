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
        self.embed_tokens = embed_tokens  # the main model's when the checkpoint's copy is identical
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


DTYPES = {
    "BF16": torch.bfloat16,
    "F16": torch.float16,
    "F32": torch.float32,
    "F64": torch.float64,
    "I64": torch.int64,
    "I32": torch.int32,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


class SafetensorsFile:
    """Reads chosen tensors of a .safetensors file with plain reads, not a memory map: the pages of
    the keys we skip or only compare never count in the process's memory."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with open(self.path, "rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            self.header = json.loads(handle.read(size))
        self.header.pop("__metadata__", None)
        self.data_start = 8 + size

    def keys(self) -> list[str]:
        return list(self.header)

    def read(self, key: str, rows: slice | None = None) -> torch.Tensor:
        info = self.header[key]
        dtype, shape = DTYPES[info["dtype"]], list(info["shape"])
        begin, end = info["data_offsets"]
        if rows is not None:  # a block of rows (dimension 0) only
            row_bytes = (end - begin) // max(1, shape[0])
            start, stop, _ = rows.indices(shape[0])
            begin, end, shape[0] = begin + start * row_bytes, begin + stop * row_bytes, stop - start
        with open(self.path, "rb") as handle:
            handle.seek(self.data_start + begin)
            data = bytearray(handle.read(end - begin))
        return torch.frombuffer(data, dtype=dtype).reshape(shape) if data else torch.empty(shape, dtype=dtype)

    def same_bytes(self, key: str, other: "SafetensorsFile", other_key: str) -> bool:
        """Whether two stored tensors are byte for byte equal (read a block of rows at a time)."""
        mine, theirs = self.header[key], other.header[other_key]
        if (mine["shape"], mine["dtype"]) != (theirs["shape"], theirs["dtype"]):
            return False
        return _equal_in_blocks(
            lambda rows: self.read(key, rows), lambda rows: other.read(other_key, rows), mine["shape"][0]
        )

    def equals(self, key: str, weight: torch.Tensor) -> bool:
        """Whether the stored tensor equals `weight` (read a block of rows at a time)."""
        if list(self.header[key]["shape"]) != list(weight.shape):
            return False
        return _equal_in_blocks(
            lambda rows: self.read(key, rows).to(weight.device, weight.dtype),
            lambda rows: weight[rows].detach(),
            weight.shape[0],
        )


def _equal_in_blocks(read_a, read_b, rows: int, block: int = 4096) -> bool:
    return all(torch.equal(read_a(slice(i, i + block)), read_b(slice(i, i + block))) for i in range(0, rows, block))


def checkpoint_files(path: Path) -> dict[str, SafetensorsFile]:
    """Each key of the checkpoint's safetensors file(s) -> the file holding it (every header read once)."""
    path = Path(path)
    index = path / "model.safetensors.index.json"
    if index.exists():
        names = sorted(set(json.loads(index.read_text())["weight_map"].values()))
    else:
        names = ["model.safetensors"] if (path / "model.safetensors").exists() else []
    where: dict[str, SafetensorsFile] = {}
    for name in names:
        file = SafetensorsFile(path / name)
        where.update(dict.fromkeys(file.keys(), file))
    return where


def checkpoint_tensors(
    where: dict[str, SafetensorsFile], prefix: str, skip: tuple[str, ...] = ()
) -> dict[str, torch.Tensor]:
    """Every tensor under `prefix` (prefix removed), except the names in `skip`."""
    return {
        key.removeprefix(prefix): file.read(key)
        for key, file in where.items()
        if key.startswith(prefix) and key.removeprefix(prefix) not in skip
    }


def load_mtp_layer(model, path: Path) -> MtpLayer | None:
    """The checkpoint's MTP layer on the model's device and dtype, or None when it has none.

    The head and the embedding are shared with the main model when the checkpoint's copies are equal
    to them (they are in GLM-OCR), so MTP adds only the block and eh_proj to memory.
    """
    prefix = mtp_prefix(model.config)
    shared = ("embed_tokens.weight", "shared_head.head.weight")
    where = checkpoint_files(path)
    tensors = checkpoint_tensors(where, prefix, skip=shared)
    if not tensors:
        return None
    embed, head = model.model.language_model.embed_tokens, model.lm_head
    dtype, device = model.dtype, model.device
    # GLM-OCR stores copies of the embedding and lm_head with the MTP layer. They are compared with
    # the main model's in the file, block by block (comparing with the loaded weights would bring the
    # whole embedding table into memory), and loaded only when they differ.
    for name, main_key, module in (
        ("embed_tokens.weight", "model.language_model.embed_tokens.weight", embed),
        ("shared_head.head.weight", "lm_head.weight", head),
    ):
        key = prefix + name
        if key not in where:
            continue
        if main_key in where:
            same = where[key].same_bytes(key, where[main_key], main_key)
        else:
            same = where[key].equals(key, module.weight)
        if not same:
            weight = where[key].read(key).to(device, dtype)
            if name.startswith("embed"):
                embed = nn.Embedding.from_pretrained(weight, freeze=True)
            else:
                head = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
                head.weight = nn.Parameter(weight, requires_grad=False)
    with torch.device("meta"):  # no float32 copy on the way: the weights are assigned as loaded
        layer = MtpLayer(model.config.text_config, embed, head)
    state = {}
    for key, tensor in tensors.items():
        if key.startswith("shared_head.norm."):
            key = "head_norm." + key.removeprefix("shared_head.norm.")
        elif not key.startswith(("enorm.", "hnorm.", "eh_proj.")):
            key = "block." + key
        state[key] = tensor.to(device=device, dtype=dtype)
    own = {k for k in layer.state_dict() if not k.startswith(("embed_tokens.", "head."))}
    missing = own - set(state)
    unexpected = set(state) - own
    if missing or unexpected:
        raise ValueError(f"MTP layer in {path}: missing {sorted(missing)[:4]}, unexpected {sorted(unexpected)[:4]}")
    layer.load_state_dict(state, strict=False, assign=True)
    return layer.eval().requires_grad_(False)
