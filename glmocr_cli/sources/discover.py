"""Find the documents to convert: files, folders (recursive), or paths read from standard input."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from ..output_names import output_stem_for

SUPPORTED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp")
OUTPUT_MARKER = ".glmocr"  # the state folder every output folder holds (output_names.py STATE_DIR)
_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True)
class InputFile:
    path: Path
    relative_path: Path  # mirrors under the output folder
    error: str | None = None  # set when the input cannot even be listed
    warning: str | None = None  # set for a folder skipped on purpose (a symlink loop): reported, not a failure
    output_stem: Path | None = None  # outputs' path under -o, no suffix; see output_stems()

    @property
    def stem(self) -> Path:
        return self.output_stem or output_stem_for(self.relative_path)


def special_kind(mode: int) -> str | None:
    """'a FIFO', 'a character device', ... for a file that is not a regular file (reading one can
    block forever or never end: /dev/zero, a pipe nobody writes); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a regular file")


def not_regular_reason(kind: str) -> str:
    return f"not a regular file ({kind}): skipped without reading it"


def open_regular_file(path: Path) -> BinaryIO:
    """Open path for reading only if it is a regular file. O_NONBLOCK makes opening a FIFO return at
    once (a plain open waits for a writer), so a file swapped for one after discovery cannot hang."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind:
            raise OSError(errno.EINVAL, not_regular_reason(kind), str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _stat_identity(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _matches(relative: Path, patterns: list[str]) -> bool:
    text = relative.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(relative.name, p) for p in patterns)


def _walk(
    root: Path, include: list[str], exclude: list[str], output_dir: Path | None = None
) -> tuple[list[InputFile], list[InputFile]]:
    """Files under root, following symlinked folders once (a symlink loop is reported, not followed).

    Output folders are not inputs: the run's own -o (left out without a word, so `convert . -o out`
    does not convert its figure crops on the next run) and any folder holding a .glmocr state folder
    (another run's outputs: one line says so). Special files (FIFO, device, socket) are one line
    each and never opened."""
    found: list[InputFile] = []
    problems: list[InputFile] = []
    seen_dirs: set[tuple[int, int]] = set()
    own_output = _stat_identity(output_dir)

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        relative = where.relative_to(root) if where.is_relative_to(root) and where != root else Path(where.name)
        problems.append(InputFile(where, relative, f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        here = Path(dirpath)
        st = here.stat()
        if (st.st_dev, st.st_ino) in seen_dirs:
            problems.append(
                InputFile(
                    here, here.relative_to(root), warning="symlink loop: this folder was already visited; skipped"
                )
            )
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        is_own_output = (st.st_dev, st.st_ino) == own_output
        if is_own_output or os.path.lexists(here / OUTPUT_MARKER):
            if not is_own_output or here == root:  # the -o inside an input folder goes without a word
                why = "the output folder (-o)" if is_own_output else f"an output folder (it holds {OUTPUT_MARKER})"
                problems.append(
                    InputFile(
                        here,
                        here.relative_to(root) if here != root else Path(here.name),
                        warning=f"{why}: its files are outputs, not inputs; skipped",
                    )
                )
            dirnames[:] = []
            continue
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            relative = path.relative_to(root)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if include and not _matches(relative, include):
                continue
            if exclude and _matches(relative, exclude):
                continue
            kind = _special(path)
            if kind:
                problems.append(InputFile(path, relative, warning=not_regular_reason(kind)))
                continue
            found.append(InputFile(path, relative))
    return found, problems


def _special(path: Path) -> str | None:
    """What a special file is (its symlink followed), None for a regular file or one that cannot be
    looked at (it fails later with its own reason)."""
    try:
        return special_kind(os.stat(path).st_mode)
    except OSError:
        return None


def discover_inputs(
    arguments: list[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    stdin_lines: list[str] | None = None,
    output_dir: Path | None = None,
) -> list[InputFile]:
    """Expand the command's arguments into documents, in a stable order.

    `-` stands for the paths given on standard input (one per line). A folder's files keep their
    path relative to that folder; a file given directly keeps only its name. Folders are walked
    without output_dir and other output folders (see _walk).
    """
    include, exclude = include or [], exclude or []
    expanded: list[str] = []
    for arg in arguments:
        if arg == "-":
            expanded.extend(line.strip() for line in (stdin_lines or []) if line.strip())
        else:
            expanded.append(arg)

    results: list[InputFile] = []
    seen: set[Path] = set()
    for arg in expanded:
        path = Path(arg)
        if path.is_dir():
            found, problems = _walk(path, include, exclude, output_dir)
            results.extend(problems)
        elif path.exists() or path.is_symlink():
            found = [InputFile(path, Path(path.name))]
            if kind := _special(path):
                found = [InputFile(path, Path(path.name), not_regular_reason(kind))]
            elif path.is_file() and path.suffix.lower() not in SUPPORTED_SUFFIXES:
                found = [InputFile(path, Path(path.name), f"unsupported file type {path.suffix or '(no suffix)'!r}")]
        else:
            found = [InputFile(path, Path(path.name), "no such file or folder")]
        for item in found:
            key = item.path.resolve() if item.path.exists() else item.path
            if key not in seen:
                seen.add(key)
                results.append(item)
    return _refuse_output_collisions(output_stems(results))


def output_stems(items: list[InputFile]) -> list[InputFile]:
    """Outputs are named after the input without its extension (x.pdf -> x.md), except when two
    inputs would share that name (x.pdf beside x.jpg): then each keeps its extension
    (x.pdf.md, x.jpg.md), so both convert and the names say which is which."""

    def usable(item: InputFile) -> bool:
        return item.error is None and item.warning is None

    by_stem: dict[str, set[Path]] = {}
    for item in filter(usable, items):
        by_stem.setdefault(item.stem.as_posix(), set()).add(item.relative_path)
    return [
        replace(item, output_stem=output_stem_for(item.relative_path, keep_suffix=True))
        if usable(item) and len(by_stem[item.stem.as_posix()]) > 1
        else item
        for item in items
    ]


def _refuse_output_collisions(items: list[InputFile]) -> list[InputFile]:
    """Two inputs that would still write the same outputs (x.pdf from two folders given separately):
    the later one fails with a clear reason instead of overwriting."""
    owners: dict[str, Path] = {}
    checked = []
    for item in items:
        key = item.stem.as_posix()
        if item.error is None and item.warning is None and key in owners:
            item = InputFile(
                item.path,
                item.relative_path,
                f"its outputs would overwrite those of {owners[key]}; convert it separately "
                "(another -o) or pass their common parent folder",
            )
        elif item.error is None and item.warning is None:
            owners[key] = item.path
        checked.append(item)
    return checked
