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
        from ..recognize.glm.loading import GLM_OCR_REPO, LAYOUT_REPO, CheckpointError, resolve_checkpoint
        from .glm import WEIGHTS_HINT
    except ImportError as exc:  # the [glm] extra (torch, transformers) is not installed
        if settings.engine == "glm":
            raise ConfigError(f"--engine glm needs the GLM extra: pip install 'glmocr-cli[glm]' ({exc})") from None
        return "lite", None
    wanted = [(settings.layout_model, LAYOUT_REPO)]
    if not settings.recognizer_url:
        wanted.append((settings.model, GLM_OCR_REPO))
    try:
        for explicit, repo in wanted:
            resolve_checkpoint(explicit, repo)
    except CheckpointError as exc:
        # Asked for by name (--engine glm, or a --model/--layout-model folder): say exactly what is wrong.
        if settings.engine == "glm" or explicit is not None:
            raise ConfigError(str(exc)) from None  # names the folder or the pull command
        return "lite", f"GLM-OCR weights not found; using the bundled lite engine. {WEIGHTS_HINT}"
    from .device import DeviceError, pick_device

    try:  # before any model is loaded: a missing CUDA is not a broken checkpoint
        pick_device(settings.device)
    except DeviceError as exc:
        raise ConfigError(str(exc)) from None
    return "glm", None


def build_engine(settings: Settings, threads: int):
    """Build the engine named by settings.engine, which resolve_engine has already made concrete."""
    if settings.engine == "glm":
        from .glm import build_glm_engine

        return build_glm_engine(settings, threads)
    from .lite import LiteEngine

    return LiteEngine(settings, threads=threads)
