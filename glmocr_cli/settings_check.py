"""Numbers that cannot work are usage errors (exit 2) before any document is opened.

`--max-image-pixels -1` used to be accepted and then failed every document; `--max-new-tokens 0`
read nothing. Each rule names the option and what it accepts.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Settings

MIN_IMAGE_PIXELS = 10_000           # a 100 x 100 image; anything smaller refuses every page

# option -> (lowest allowed, what to say)
RANGES = {
    "max_image_pixels": (MIN_IMAGE_PIXELS, f"at least {MIN_IMAGE_PIXELS} (a 100 x 100 image)"),
    "max_new_tokens": (1, "1 or more"),
    "recognizer_concurrency": (1, "1 or more"),
    "recognizer_timeout": (0.001, "a number of seconds above 0"),
    "num_gpus_per_worker": (0.0, "0 or more"),
    "document_timeout": (0.0, "a number of seconds above 0 (0: no limit)"),
    "min_confidence": (0.0, "between 0 and 1"),
    "repetition_penalty": (0.001, "above 0"),
}


def check_ranges(settings: Settings) -> None:
    from .config import ConfigError

    for name, (lowest, accepted) in RANGES.items():
        value = getattr(settings, name)
        if isinstance(value, float) and not math.isfinite(value) or value < lowest:
            raise ConfigError(f"--{name.replace('_', '-')} must be {accepted}, not {value:g}")
    if settings.min_confidence > 1:
        raise ConfigError(f"--min-confidence must be between 0 and 1, not {settings.min_confidence:g}")


def check_flags(flags: dict) -> None:
    """Values that only make no sense when given as a flag: `--workers 0` (0 is the default's
    "one per core", which the flag cannot ask for by name)."""
    from .config import ConfigError

    if flags.get("workers") is not None and flags["workers"] < 1:
        raise ConfigError(f"--workers must be 1 or more (leave it out for one per core), not {flags['workers']}")
