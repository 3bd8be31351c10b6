"""Whether the installed PyMuPDF has what an option needs: `--layout-source pymupdf` runs PyMuPDF's
own layout model (`pymupdf.layout`), which ships inside the pymupdf wheel from 2.0 on. Neutral, so the
options' validation (config.py) can ask without importing the layout stage."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import ConfigError

MIN_VERSION = (2, 0)


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def unavailable_reason(pymupdf_version: str | None) -> str | None:
    """Why `--layout-source pymupdf` cannot run with this PyMuPDF (None: it can)."""
    needed = ".".join(map(str, MIN_VERSION))
    if pymupdf_version is None or _version_tuple(pymupdf_version) < MIN_VERSION:
        found = f"PyMuPDF {pymupdf_version} is installed" if pymupdf_version else "PyMuPDF is not installed"
        return (
            f"--layout-source pymupdf needs PyMuPDF {needed} or later (its pymupdf.layout model); "
            f"{found}: pip install 'pymupdf>={needed},<2.1'"
        )
    return None


def installed_version() -> str | None:
    try:
        return version("pymupdf")
    except PackageNotFoundError:
        return None


def check_available(pymupdf_version: str | None = None) -> None:
    """A usage error (exit 2) when PyMuPDF (the installed one, or pymupdf_version) has no layout model."""
    import importlib.util

    installed = pymupdf_version or installed_version()
    reason = unavailable_reason(installed)
    if reason is None and importlib.util.find_spec("pymupdf.layout") is None:
        reason = f"--layout-source pymupdf: PyMuPDF {installed} has no pymupdf.layout module (a broken install?)"
    if reason:
        raise ConfigError(reason)
