"""`models pull | list | verify` against the HF cache layout, a closed port and tiny checkpoints."""

from __future__ import annotations

import socket
import time

import pytest

from glmocr_cli.checkpoints import ModelsError, list_models, pull, verify
from glmocr_cli.recognize.glm.loading import GLM_OCR_REPO, LAYOUT_REPO


@pytest.fixture(scope="module")
def dirs(tiny_glm_dir, tiny_layout_dir):
    return tiny_glm_dir, tiny_layout_dir


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return tmp_path / "hf"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # released on close: nothing listens there


def test_pull_fails_fast_without_network(empty_cache, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    start = time.monotonic()
    with pytest.raises(ModelsError, match="cannot reach http://127.0.0.1"):
        pull(progress=False)
    assert time.monotonic() - start < 10
    assert not list((empty_cache / "hub").glob("models--*"))


def test_pull_refuses_when_offline(empty_cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelsError, match="HF_HUB_OFFLINE"):
        pull(progress=False)


def test_list_reports_missing_and_present(empty_cache, dirs):
    missing = list_models()
    assert [(m.repo_id, m.status) for m in missing] == [(GLM_OCR_REPO, "missing"), (LAYOUT_REPO, "missing")]
    present = list_models(*dirs)
    assert [m.status for m in present] == ["ok", "ok"]
    assert all(m.size_bytes > 100_000 and m.path.is_dir() for m in present)


def test_verify_flags_a_truncated_or_swapped_checkpoint(empty_cache, dirs, tmp_path):
    assert [m.status for m in verify(*dirs)] == ["ok", "ok"]
    swapped = verify(dirs[1], dirs[0])
    assert all("model_type" in m.status for m in swapped)
    import shutil

    broken = shutil.copytree(dirs[1], tmp_path / "layout")
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    assert "truncated" in verify(dirs[0], broken)[1].status


def test_checkpoints_are_found_in_the_hf_cache_with_their_revision(empty_cache, dirs, monkeypatch):
    import shutil
    from glmocr_cli.engines.glm import find_glm_checkpoints
    from glmocr_cli.recognize.glm.loading import resolve_checkpoint

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    commit = "0123456789abcdef0123456789abcdef01234567"
    for repo, src in ((GLM_OCR_REPO, dirs[0]), (LAYOUT_REPO, dirs[1])):
        repo_dir = empty_cache / "hub" / ("models--" + repo.replace("/", "--"))
        shutil.copytree(src, repo_dir / "snapshots" / commit)
        (repo_dir / "refs").mkdir()
        (repo_dir / "refs" / "main").write_text(commit)
    found = find_glm_checkpoints(None, None)
    assert found is not None and all(p.name == commit for p in found)
    assert resolve_checkpoint(None, GLM_OCR_REPO).record()["revision"] == commit
    assert [m.revision for m in list_models()] == [commit, commit]
