"""`glmocr models pull | list | verify`: the GLM-OCR and PP-DocLayout-V3 checkpoints in the HF cache.

Downloads go through `huggingface_hub.snapshot_download` (resumable, with progress bars, honouring
HF_HOME, HF_HUB_OFFLINE and HF_ENDPOINT). Nothing else in the converter downloads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .recognize.glm.loading import (
    GLM_OCR_REPO,
    LAYOUT_REPO,
    CheckpointError,
    cached_snapshot,
    hub_cache_dir,
    check_checkpoint,
)

REPOS = (GLM_OCR_REPO, LAYOUT_REPO)
PROBE_TIMEOUT_S = 5.0


class ModelsError(RuntimeError):
    """A models command cannot do its job; the message says why and what to do."""


@dataclass
class ModelInfo:
    repo_id: str
    path: Path | None
    revision: str | None
    size_bytes: int
    status: str  # "ok", "missing", or the checkpoint problem

    def to_json(self) -> dict:
        return {
            "id": self.repo_id,
            "path": str(self.path) if self.path else None,
            "revision": self.revision,
            "size_bytes": self.size_bytes,
            "status": self.status,
        }


def endpoint() -> str:
    from huggingface_hub import constants

    return os.environ.get("HF_ENDPOINT") or constants.ENDPOINT


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def probe(url: str, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Fail in seconds, not after the hub client's retries, when the endpoint cannot be reached."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout)
    except urllib.error.HTTPError:
        return  # the server answered: reachable
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelsError(
            f"cannot reach {url} ({reason}); check the network or HF_ENDPOINT, "
            "or copy the checkpoints here and pass --model DIR --layout-model DIR"
        ) from None


def pull(
    repos: tuple[str, ...] = REPOS,
    *,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> list[Path]:
    """Download (or resume) each repo into the HF cache; returns the snapshot paths."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    if offline():
        raise ModelsError("HF_HUB_OFFLINE is set: unset it to download the models")
    probe(endpoint().rstrip("/"))
    (enable_progress_bars if progress else disable_progress_bars)()
    paths = []
    for repo in repos:
        try:
            paths.append(
                Path(
                    snapshot_download(
                        repo, revision=revision, cache_dir=cache_dir or hub_cache_dir(), endpoint=endpoint()
                    )
                )
            )
        except Exception as exc:
            raise ModelsError(f"downloading {repo} failed: {exc}") from exc
    return paths


def _size(path: Path) -> int:
    # Cache snapshots hold symlinks to blobs: follow them to count the real bytes.
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def describe_checkpoint(repo_id: str, path: Path | None, revision: str | None = None) -> ModelInfo:
    if path is None:
        return ModelInfo(repo_id, None, None, 0, "missing")
    try:
        check_checkpoint(path, repo_id)
        status = "ok"
    except CheckpointError as exc:
        status = str(exc)
    return ModelInfo(repo_id, path, revision, _size(path), status)


def list_models(model_dir: str | Path | None = None, layout_model_dir: str | Path | None = None) -> list[ModelInfo]:
    """What is present (explicit dirs first, else the HF cache), where, and how big."""
    infos = []
    for repo, explicit in ((GLM_OCR_REPO, model_dir), (LAYOUT_REPO, layout_model_dir)):
        if explicit is not None:
            path = Path(explicit)
            infos.append(describe_checkpoint(repo, path if path.exists() else None))
        else:
            snap = cached_snapshot(repo)
            infos.append(describe_checkpoint(repo, snap, snap.name if snap else None))
    return infos


def verify(model_dir: str | Path | None = None, layout_model_dir: str | Path | None = None) -> list[ModelInfo]:
    """Like list_models, then loads each config as its transformers class to confirm the architecture."""
    from transformers import AutoConfig

    infos = list_models(model_dir, layout_model_dir)
    for info in infos:
        if info.status == "ok" and info.path is not None:  # "ok" always has a path
            try:
                config = AutoConfig.from_pretrained(info.path)
                wanted = {
                    GLM_OCR_REPO: "GlmOcrForConditionalGeneration",
                    LAYOUT_REPO: "PPDocLayoutV3ForObjectDetection",
                }[info.repo_id]
                if wanted not in (config.architectures or [wanted]):
                    info.status = f"{info.path}: architectures {config.architectures}, expected {wanted}"
            except Exception as exc:
                info.status = f"{info.path}: config does not load: {exc}"
    return infos
