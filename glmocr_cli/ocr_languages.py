"""The OCR languages this machine can read, for `--ocr-lang`, `config show` and `models list`: Tesseract's
trained data (Debian's `tesseract-ocr-LANG` packages, found through TESSDATA_PREFIX or the standard
folders) and whether the tesserocr binding is installed."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
NOT_LANGUAGES = {"osd", "equ"}


def debian_package(language: str) -> str:
    """The Debian package holding a language's trained data (`script/Arabic` -> tesseract-ocr-script-arab)."""
    if language.startswith("script/"):
        return "tesseract-ocr-script-" + language.split("/", 1)[1].lower()[:4]
    return "tesseract-ocr-" + language.replace("_", "-").lower()


def tessdata_dir() -> Path | None:
    # Like Tesseract itself: TESSDATA_PREFIX, when set, is the only place looked at.
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else TESSDATA_DIRS
    for candidate in candidates:
        path = Path(candidate)
        for folder in (path, path / "tessdata"):
            if any(folder.glob("*.traineddata")):
                return folder
    return None


def binding_missing() -> str | None:
    """Why Tesseract cannot be used here, or None."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "pip install tesserocr"
    if tessdata_dir() is None:
        return "apt-get install tesseract-ocr"
    return None


@lru_cache(maxsize=1)
def installed_languages() -> tuple[str, ...]:
    """Trained data on this machine, e.g. ('ara', 'eng', 'kor', 'script/Arabic')."""
    folder = tessdata_dir()
    if folder is None:
        return ()
    names = [p.stem for p in folder.glob("*.traineddata")]
    names += [f"script/{p.stem}" for p in (folder / "script").glob("*.traineddata")]
    return tuple(sorted(n for n in names if n not in NOT_LANGUAGES))


_CODE = re.compile(r"^(script/)?[A-Za-z_]+$")


def check_ocr_languages(spec: str) -> list[str]:
    """`ara,kor` -> ['ara', 'kor'], each installed; else a ConfigError saying what to install."""
    codes = [part.strip() for part in spec.split(",") if part.strip()]
    if not codes or any(not _CODE.match(code) for code in codes):
        raise ConfigError(f"--ocr-lang {spec!r}: use auto or Tesseract language codes, e.g. ara,kor")
    missing = binding_missing()
    if missing:
        packages = " ".join(debian_package(c) for c in codes)
        raise ConfigError(
            f"--ocr-lang {spec}: Tesseract is not available ({missing}; apt-get install tesseract-ocr {packages})"
        )
    absent = [code for code in codes if code not in installed_languages()]
    if absent:
        raise ConfigError(
            f"--ocr-lang {spec}: no trained data for {', '.join(absent)} in {tessdata_dir()} "
            f"(apt-get install {' '.join(debian_package(c) for c in absent)})"
        )
    return codes


def describe_ocr_languages() -> str:
    """One line: PP-OCRv6's scripts, and Tesseract's installed languages or what it needs."""
    line = "ocr languages: PP-OCRv6 (bundled): Latin, Chinese, Japanese"
    missing = binding_missing()
    if missing:
        return f"{line}; Tesseract: not available ({missing}, then apt-get install tesseract-ocr-LANG)"
    return f"{line}; Tesseract ({tessdata_dir()}): {', '.join(installed_languages()) or 'none'}"
