"""What differs across the transformers versions the `glm` extra admits, checked in one place.

The range in pyproject.toml is the one CI proves: tests/compat/dependency_range.sh runs the decoder
and engine tests on its lowest and its newest version. 5.4.0 is the first with the Pillow GLM-4.6V
image processor (`image_processing_pil_glm46v`), which the recogniser uses because the official one
needs torchvision; GlmOcr and PP-DocLayout-V3 exist from 5.2.
"""

from __future__ import annotations

import functools
import inspect
import logging

log = logging.getLogger(__name__)  # the CLI shows its records as the reporter's lines (run/logs.py)

LOWEST_TESTED = (5, 4, 0)  # the first with the Pillow GLM image processor
NEWEST_TESTED = (5, 24)  # every 5.24.x: CI installs the newest one pyproject admits


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def untested_transformers_line(version: str) -> str | None:
    """One warning line when `version` lies outside what CI tests, else None."""
    parsed = _version_tuple(version)
    if LOWEST_TESTED <= parsed and parsed[:2] <= NEWEST_TESTED:
        return None
    low, high = ".".join(map(str, LOWEST_TESTED)), ".".join(map(str, NEWEST_TESTED))
    return (
        f"transformers {version} is outside the tested range {low} .. {high}.x; "
        f"GLM-OCR output may be wrong (pip install 'transformers>={low},<{NEWEST_TESTED[0]}."
        f"{NEWEST_TESTED[1] + 1}')"
    )


@functools.cache
def warn_if_untested_transformers() -> None:
    """Log the warning once per process (every model load calls this)."""
    import transformers

    line = untested_transformers_line(transformers.__version__)
    if line:
        log.warning(line)


@functools.cache
def cache_argument(layer_type: type) -> str:
    """The name under which a decoder layer class's forward takes the KV cache.

    transformers 5.24 renamed `past_key_values` to `cache`; a layer quietly swallows the other name in
    its **kwargs and attends without the cache, so the name is read from the signature, never guessed.
    """
    params = inspect.signature(layer_type.forward).parameters
    for name in ("cache", "past_key_values"):
        if name in params:
            return name
    raise RuntimeError(
        f"{layer_type.__name__}.forward takes no KV cache argument (neither `cache` nor "
        "`past_key_values`); this transformers version is not supported"
    )


def padding_blind_penalty(penalty: float, attention_mask):
    """transformers' repetition penalty for a left-padded `generate` batch, over each row's own tokens only.

    Before 5.24 `generate` penalised every id in `input_ids`, left padding included; GLM-OCR pads with its
    EOS token, so a padded row was pushed away from stopping and its answer differed from the crop read
    alone. This processor skips each row's padding (as 5.24 does), so every admitted version gives the
    same answers. Pass the list it returns as `logits_processor` with `repetition_penalty` left unset.
    """
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    pads = (attention_mask == 0).sum(dim=1)

    class RowRepetitionPenalty(LogitsProcessor):
        def __call__(self, input_ids: torch.LongTensor, scores: torch.Tensor) -> torch.Tensor:
            vocab = scores.shape[-1]
            positions = torch.arange(input_ids.shape[1], device=input_ids.device)
            ids = input_ids.masked_fill(positions[None, :] < pads.to(input_ids.device)[:, None], vocab)
            ids = ids.clamp(max=vocab)  # padding (and ids past the head) land on a dropped column
            padded = torch.nn.functional.pad(scores, (0, 1))
            seen = torch.gather(padded, 1, ids)
            seen = torch.where(seen < 0, seen * penalty, seen / penalty)
            return padded.scatter(1, ids, seen)[:, :vocab]

    return LogitsProcessorList([RowRepetitionPenalty()])
