"""Output names from input names, made safe and stable (the same input always gets the same name).

- a byte that is not UTF-8 (old zip and Windows archives; Python hands it over as a surrogate)
  and a control character become %XX (`caf\\xe9.png` -> `caf%E9.md`);
- an input whose name without its extension is `.`, `..` or empty (`..pdf`) keeps its extension
  (`..pdf.md`), as inputs sharing a name do (sources/discover.py);
- a name longer than the file system allows (255 bytes) is cut, keeping its extension, and gets
  `~` and 8 hex digits of a hash of the whole name, so two long names stay apart.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows alike)
STATE_DIR = ".glmocr"  # stamps and the lock


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"%{code - 0xDC00:02X}"
    if 0xD800 <= code <= 0xDFFF:  # any other lone surrogate cannot be written either
        return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    if code < 0x20 or 0x7F <= code < 0xA0:  # control characters (C0, DEL, C1)
        return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
    return ch


def safe_component(name: str) -> str:
    """One path component of an input as an output name: valid UTF-8, no control characters,
    never `.` / `..` / empty (those would name a folder instead of a file)."""
    safe = "".join(_escape_char(ch) for ch in name)
    if safe in ("", ".", ".."):
        safe = "%2E" * len(safe) or "%00"
    return safe


def name_bytes(name: str) -> int:
    return len(os.fsencode(name))


def cut_to_bytes(text: str, limit: int) -> str:
    """The longest start of text that is at most limit bytes (never half a character)."""
    kept, used = [], 0
    for ch in text:
        size = name_bytes(ch)
        if used + size > limit:
            break
        kept.append(ch)
        used += size
    return "".join(kept)


def fit_name(name: str, limit: int = NAME_MAX, *, suffix: str | None = None) -> str:
    """name when it fits in limit bytes, else its start + `~` + 8 hex digits of its hash + its
    suffix (given, or its extension): stable, the same name always gets the same short name."""
    if name_bytes(name) <= limit:
        return name
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    if suffix is None or not name.endswith(suffix):
        dot = name.rfind(".", 1)
        suffix = name[dot:] if dot > 0 and name_bytes(name[dot:]) <= 16 else ""
    return cut_to_bytes(name[: len(name) - len(suffix)], limit - len(suffix) - 9) + f"~{digest}{suffix}"


def output_stem_for(relative_path: Path, keep_suffix: bool = False) -> Path:
    """The outputs' path under -o, without suffix, for an input at relative_path."""
    parts = [safe_component(part) for part in relative_path.parts if part not in ("", "/")]
    if not parts:
        return Path("%00")
    if parts[0] == STATE_DIR:
        parts[0] = "%2E" + STATE_DIR[1:]  # an input folder named .glmocr must not write into the state
    name = relative_path.name
    suffix = Path(name).suffix
    stem = name[: -len(suffix)] if suffix and not keep_suffix else name
    if stem in ("", ".", ".."):
        stem = name  # `..pdf`: keep the extension rather than name a folder
    parts[-1] = safe_component(stem)
    return Path(*parts)
