"""What differs across the transformers versions the `glm` extra admits, checked in one place.

The range in pyproject.toml is the one CI proves: tests/compat/transformers_range.sh runs the decoder
and engine tests on its lowest and its newest version. 5.4.0 is the first with the Pillow GLM-4.6V
image processor (`image_processing_pil_glm46v`), which the recogniser uses because the official one
needs torchvision; GlmOcr and PP-DocLayout-V3 exist from 5.2.
"""
from __future__ import annotations

import functools
import inspect
import sys

LOWEST_TESTED = (5, 24, 0)   # 5.4.0 runs, but one batched-vs-alone test differs there (see README)
NEWEST_TESTED = (5, 24)          # every 5.24.x: CI installs the newest one pyproject admits


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
    return (f"glmocr: warning: transformers {version} is outside the tested range {low} .. {high}.x; "
            f"GLM-OCR output may be wrong (pip install 'transformers>={low},<{NEWEST_TESTED[0]}."
            f"{NEWEST_TESTED[1] + 1}')")


@functools.cache
def warn_if_untested_transformers() -> None:
    """Print the warning line once per process (every model load calls this)."""
    import transformers

    line = untested_transformers_line(transformers.__version__)
    if line:
        print(line, file=sys.stderr, flush=True)


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
    raise RuntimeError(f"{layer_type.__name__}.forward takes no KV cache argument (neither `cache` nor "
                       "`past_key_values`); this transformers version is not supported")
