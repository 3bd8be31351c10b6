"""The official GLM-OCR SDK (PyPI `glmocr`), installed for the oracle tests only.

It goes into build/oracles/ with `pip install --no-deps --target`: none of its dependencies or its
`glmocr` console script reach the environment. Only its pure functions are used as oracles (layout
post-processing, image sizing, prompts, result formatting); what they import at module level is in
our environment already, except portalocker (imported by `glmocr.utils`), installed beside it.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SDK_VERSION = "0.1.5"
PACKAGES = (f"glmocr=={SDK_VERSION}", "portalocker==3.2.0")
ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "build" / "oracles" / f"glmocr-{SDK_VERSION}"


def install_sdk(target: Path = TARGET) -> Path:
    """The SDK's folder, installed on first use (atomically: a temp folder renamed into place)."""
    if (target / "glmocr" / "__init__.py").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="glmocr-", dir=target.parent))
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-compile",
                "--target",
                str(staging),
                *PACKAGES,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        (staging / "bin").exists() and shutil.rmtree(staging / "bin")  # the SDK's console script
        try:
            staging.rename(target)
        except OSError:  # another process installed it first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load_sdk():
    """Import the SDK from its folder; returns the `glmocr` package, or raises with pip's reason."""
    path = install_sdk()
    if str(path) not in sys.path:
        sys.path.append(str(path))  # appended: our own modules always win a name clash
    module = importlib.import_module("glmocr")
    if getattr(module, "__version__", None) != SDK_VERSION or not str(module.__file__).startswith(str(path)):
        raise RuntimeError(
            f"imported glmocr {getattr(module, '__version__', '?')} from {module.__file__}, "
            f"expected {SDK_VERSION} from {path}"
        )
    return module


def sdk_or_skip():
    """For a pytest fixture: the SDK, or a skip naming why it could not be installed."""
    import pytest

    try:
        return load_sdk()
    except subprocess.CalledProcessError as exc:
        pytest.skip(
            f"glmocr=={SDK_VERSION} (the oracle) cannot be installed: "
            f"{(exc.stderr or exc.stdout or '').strip().splitlines()[-1:]}"
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"glmocr=={SDK_VERSION} (the oracle) cannot be installed: {exc}")


def sdk_config() -> dict:
    """The SDK's pipeline settings as its own `load_config()` gives them (its shipped config.yaml)."""
    load_sdk()
    from glmocr.config import load_config

    return load_config().pipeline.model_dump()
