"""Atomic file output: write a temporary file beside the target, then rename it over the target.

A reader (or a rerun after a crash) sees either the old file or the new one, never half of one.
Files get the mode any ordinary tool gives them (0666 & ~umask), not mkstemp's private 0600.
Temporary names carry the writer's pid, so a later run can remove those a killed run left behind
without touching the ones a live run is writing.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from pathlib import Path

from ..output_names import cut_to_bytes

_TEMP_NAME = re.compile(r"^\..+\.glmocr-(\d+)-[^.]*\.tmp$")
_umask_lock = threading.Lock()


def current_umask() -> int:
    try:  # Linux says it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere os.umask can only be read by setting it; the lock keeps our own threads consistent.
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


TEMP_NAME_KEEPS = 24  # bytes of the final name a temporary name starts with


def _temp_prefix(path: Path) -> str:
    """At most 24 bytes of the final name: a temporary name is about 50 bytes whatever the final
    name's length, so a final name up to the 255-byte limit still gets one."""
    return f".{cut_to_bytes(path.name, TEMP_NAME_KEEPS)}.glmocr-{os.getpid()}-"


def encode_text(text: str) -> bytes:
    """UTF-8; a name's byte that was not UTF-8 (a lone surrogate from os.fsdecode) is written as the
    escape \\udcXX, which JSON reads back as the same character, instead of failing the write."""
    return text.encode("utf-8", "backslashreplace")


def write_atomic(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = encode_text(data) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete the temporary files that a killed run left under folder (their writer is gone)."""
    removed = []
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            match = _TEMP_NAME.match(name)
            if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


def check_writable(folder: Path) -> str | None:
    """None when files can be created in folder (made if missing), else the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".glmocr-probe.", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
