"""The OCR languages this machine can read, for `--ocr-lang`, `config show` and `models list`."""

from __future__ import annotations

import re

from ..errors import ConfigError
from .tesseract_ocr import binding_missing, debian_package, installed_languages, tessdata_dir

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
