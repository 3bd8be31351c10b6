"""Find the documents to convert: files, folders (recursive), or paths read from standard input."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..writers.output_paths import output_stem_for

SUPPORTED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp")


@dataclass(frozen=True)
class InputFile:
    path: Path
    relative_path: Path    # mirrors under the output folder
    error: str | None = None  # set when the input cannot even be listed
    warning: str | None = None  # set for a folder skipped on purpose (a symlink loop): reported, not a failure
    output_stem: Path | None = None  # outputs' path under -o, no suffix; see output_stems()

    @property
    def stem(self) -> Path:
        return self.output_stem or output_stem_for(self.relative_path)


def _matches(relative: Path, patterns: list[str]) -> bool:
    text = relative.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(relative.name, p) for p in patterns)


def _walk(root: Path, include: list[str], exclude: list[str]) -> tuple[list[InputFile], list[InputFile]]:
    """Files under root, following symlinked folders once (a symlink loop is reported, not followed)."""
    found: list[InputFile] = []
    problems: list[InputFile] = []
    seen_dirs: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        relative = where.relative_to(root) if where.is_relative_to(root) and where != root else Path(where.name)
        problems.append(InputFile(where, relative, f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        here = Path(dirpath)
        st = here.stat()
        if (st.st_dev, st.st_ino) in seen_dirs:
            problems.append(InputFile(here, here.relative_to(root),
                                      warning="symlink loop: this folder was already visited; skipped"))
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
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
            found.append(InputFile(path, relative))
    return found, problems


def discover_inputs(
    arguments: list[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    stdin_lines: list[str] | None = None,
) -> list[InputFile]:
    """Expand the command's arguments into documents, in a stable order.

    `-` stands for the paths given on standard input (one per line). A folder's files keep their
    path relative to that folder; a file given directly keeps only its name.
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
            found, problems = _walk(path, include, exclude)
            results.extend(problems)
        elif path.exists() or path.is_symlink():
            found = [InputFile(path, Path(path.name))]
            if path.is_file() and path.suffix.lower() not in SUPPORTED_SUFFIXES:
                found = [InputFile(path, Path(path.name),
                                   f"unsupported file type {path.suffix or '(no suffix)'!r}")]
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
    return [replace(item, output_stem=output_stem_for(item.relative_path, keep_suffix=True))
            if usable(item) and len(by_stem[item.stem.as_posix()]) > 1 else item for item in items]


def _refuse_output_collisions(items: list[InputFile]) -> list[InputFile]:
    """Two inputs that would still write the same outputs (x.pdf from two folders given separately):
    the later one fails with a clear reason instead of overwriting."""
    owners: dict[str, Path] = {}
    checked = []
    for item in items:
        key = item.stem.as_posix()
        if item.error is None and item.warning is None and key in owners:
            item = InputFile(item.path, item.relative_path,
                             f"its outputs would overwrite those of {owners[key]}; convert it separately "
                             "(another -o) or pass their common parent folder")
        elif item.error is None and item.warning is None:
            owners[key] = item.path
        checked.append(item)
    return checked
