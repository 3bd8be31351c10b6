"""Find the GLM-OCR and PP-DocLayout-V3 checkpoints on this machine; never download.

A checkpoint is an explicit directory (`--model`, `--layout-model`) or a snapshot in the Hugging Face
cache (`HF_HOME` / `HF_HUB_CACHE` honoured, looked up with `local_files_only`). Before a model is
built the directory is checked so that the user gets one clear line instead of a stack trace: files
present, safetensors complete (header vs file size), config of the expected architecture.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from ...errors import CheckpointError  # noqa: F401  (re-exported)

GLM_OCR_REPO = "zai-org/GLM-OCR"
LAYOUT_REPO = "PaddlePaddle/PP-DocLayoutV3_safetensors"
EXPECTED_MODEL_TYPE = {GLM_OCR_REPO: "glm_ocr", LAYOUT_REPO: "pp_doclayout_v3"}
REQUIRED_FILES = {
    GLM_OCR_REPO: ("config.json", "tokenizer_config.json", "preprocessor_config.json"),
    LAYOUT_REPO: ("config.json", "preprocessor_config.json"),
}
PULL_COMMAND = "glmocr models pull"
PULL_HINT = (
    f"get the weights with `{PULL_COMMAND}` (downloads {GLM_OCR_REPO} and {LAYOUT_REPO} "
    "into the Hugging Face cache), or pass --model DIR --layout-model DIR"
)


@dataclass
class Checkpoint:
    repo_id: str
    path: Path
    revision: str | None  # the cache snapshot's commit, when it came from the cache
    content_hash: str  # quick hash of config + weight headers + edges of the weight data

    def record(self) -> dict[str, str | None]:
        return {
            "id": self.repo_id,
            "path": str(self.path),
            "revision": self.revision,
            "content_hash": self.content_hash,
        }


def hub_cache_dir() -> Path:
    """The HF cache as the environment says now (huggingface_hub reads it once, at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "huggingface"
    )
    return Path(home).expanduser() / "hub"


def cached_snapshot(repo_id: str) -> Path | None:
    """The newest cached snapshot of `repo_id`, or None; works with HF_HUB_OFFLINE and no network."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, local_files_only=True, cache_dir=hub_cache_dir()))
    except Exception:  # LocalEntryNotFoundError and friends: not in the cache
        return None


def weight_files(path: Path) -> list[Path]:
    index = path / "model.safetensors.index.json"
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        return [path / s for s in shards]
    return sorted(path.glob("*.safetensors"))


def safetensors_header(file: Path) -> tuple[dict, int]:
    """(header, expected file size); raises CheckpointError on a truncated or foreign file."""
    size = file.stat().st_size
    with file.open("rb") as fh:
        raw = fh.read(8)
        if len(raw) < 8:
            raise CheckpointError(f"{file}: truncated (empty safetensors file)")
        (n,) = struct.unpack("<Q", raw)
        if n > size:
            raise CheckpointError(f"{file}: truncated or not a safetensors file")
        try:
            header = json.loads(fh.read(n))
        except ValueError as exc:
            raise CheckpointError(f"{file}: unreadable safetensors header") from exc
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    return header, 8 + n + end


def check_checkpoint(path: Path, repo_id: str) -> None:
    """Raise CheckpointError with one clear sentence if `path` is not a usable `repo_id` checkpoint."""
    path = Path(path)
    if not path.is_dir():
        raise CheckpointError(f"{path}: no such checkpoint directory")
    if not (path / "config.json").is_file():
        raise CheckpointError(f"{path}: not a checkpoint (no config.json)")
    config = json.loads((path / "config.json").read_text())
    expected = EXPECTED_MODEL_TYPE[repo_id]
    if config.get("model_type") != expected:
        raise CheckpointError(f"{path}: model_type is {config.get('model_type')!r}, expected {expected!r} ({repo_id})")
    if repo_id == LAYOUT_REPO and not config.get("id2label"):  # transformers would invent 2 classes
        raise CheckpointError(f"{path}: config.json has no id2label; the layout classes cannot be named")
    missing = [f for f in REQUIRED_FILES[repo_id] if not (path / f).is_file()]
    if missing:
        raise CheckpointError(f"{path}: incomplete {repo_id} checkpoint, missing {', '.join(missing)}")
    files = weight_files(path)
    if not files:
        raise CheckpointError(f"{path}: no *.safetensors weights")
    for file in files:
        if not file.is_file():
            raise CheckpointError(f"{file}: missing weight shard")
        _, expected_size = safetensors_header(file)
        actual = file.stat().st_size
        if actual < expected_size:
            raise CheckpointError(f"{file}: truncated ({actual} of {expected_size} bytes); pull it again")


def content_hash(path: Path, edge: int = 1 << 20) -> str:
    """Config + every weight header + the first and last MiB of weight data: cheap on a 2.6 GB file."""
    digest = hashlib.sha256((path / "config.json").read_bytes())
    for file in weight_files(path):
        size = file.stat().st_size
        with file.open("rb") as fh:
            digest.update(fh.read(edge))
            fh.seek(max(0, size - edge))
            digest.update(fh.read(edge))
        digest.update(str(size).encode())
    return digest.hexdigest()[:16]


def resolve_checkpoint(explicit: str | Path | None, repo_id: str) -> Checkpoint:
    """An explicit directory, else the HF cache; raises CheckpointError with the pull hint."""
    revision = None
    if explicit is not None:
        path = Path(explicit).expanduser()
    else:
        path = cached_snapshot(repo_id)
        if path is None:
            raise CheckpointError(f"{repo_id} is not in the Hugging Face cache; {PULL_HINT}")
        revision = path.name
    check_checkpoint(path, repo_id)
    return Checkpoint(repo_id, path.resolve(), revision, content_hash(path))


def find_checkpoint_dirs(
    model: str | Path | None, layout_model: str | Path | None, *, need_recognizer: bool = True
) -> tuple[Path | None, Path] | None:
    """Both checkpoints when present and sound, else None (for `--engine auto`). With a remote
    recogniser (--recognizer-url) only the layout checkpoint is needed here."""
    try:
        layout = resolve_checkpoint(layout_model, LAYOUT_REPO).path
        return (resolve_checkpoint(model, GLM_OCR_REPO).path if need_recognizer else None), layout
    except CheckpointError:
        return None
