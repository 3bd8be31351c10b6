"""Pick and build the engine a run asks for."""
from __future__ import annotations

from ..config import ConfigError, Settings


def resolve_engine(settings: Settings) -> tuple[str, str | None]:
    """The engine a run will use ('lite' or 'glm') and a warning for `auto` falling back to lite.

    `--engine glm` without weights is a configuration error (exit 2) whose message names the command
    that fetches them; nothing is ever downloaded silently.
    """
    if settings.engine == "lite":
        return "lite", None
    try:
        from .glm import WEIGHTS_HINT, find_glm_checkpoints
    except ImportError as exc:  # the [glm] extra (torch, transformers) is not installed
        if settings.engine == "glm":
            raise ConfigError(f"--engine glm needs the GLM extra: pip install 'glmocr-cli[glm]' ({exc})") from None
        return "lite", None
    found = find_glm_checkpoints(settings.model, settings.layout_model,
                                 need_recognizer=not settings.recognizer_url)
    if found is not None:
        return "glm", None
    if settings.engine == "glm":
        raise ConfigError(f"GLM-OCR weights not found locally. {WEIGHTS_HINT}")
    return "lite", f"GLM-OCR weights not found; using the bundled lite engine. {WEIGHTS_HINT}"


def build_engine(settings: Settings, threads: int):
    """Build the engine named by settings.engine, which resolve_engine has already made concrete."""
    if settings.engine == "glm":
        from .glm import build_glm_engine

        return build_glm_engine(settings, threads)
    from .lite import LiteEngine

    return LiteEngine(settings, threads=threads)
