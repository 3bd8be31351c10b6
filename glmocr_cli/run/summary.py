"""The `--summary` report: checked before the run starts, written however the run ends.

It records what a cron job or CI step needs afterwards: the tool version, when the run started and
ended, the options, each document's outcome, and whether the run was interrupted.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Settings
from ..display import undecodable_as_escapes
from ..writers.atomic import check_writable, write_atomic


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def summary_path_problem(path: Path) -> str | None:
    """Why the summary cannot be written at path (None when it can), found before any work."""
    if path.is_dir():
        return "is a folder"
    if path.exists() and not os.access(path, os.W_OK):
        return "file is not writable"
    problem = check_writable(path.parent)
    return f"its folder is not writable ({problem})" if problem else None


def options_record(settings: Settings) -> dict[str, Any]:
    options = asdict(settings)
    if options.get("password"):
        options["password"] = "***"
    return options


def _json_safe(value: Any) -> Any:
    """Names the OS gave as bytes that are not UTF-8 are written as `\\xff` escapes: the summary stays UTF-8 JSON."""
    if isinstance(value, dict):
        return {_json_safe(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return undecodable_as_escapes(str(value))


def write_summary(
    path: Path,
    body: dict[str, Any],
    *,
    started: str,
    settings: Settings,
    inputs: list[str],
    output_dir: Path,
    warnings: list[str],
    interrupted: bool = False,
) -> None:
    summary = {
        "tool": "glmocr-cli",
        "version": __version__,
        "started": started,
        "ended": now_iso(),
        "interrupted": interrupted,
        "inputs": inputs,
        "output": str(output_dir),
        "options": options_record(settings),
        "warnings": warnings,
        **body,
    }
    write_atomic(path, json.dumps(_json_safe(summary), indent=2, ensure_ascii=False) + "\n")
