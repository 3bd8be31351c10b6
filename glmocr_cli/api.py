"""The library API that the CLI is a thin face over.

from glmocr_cli.api import convert, convert_document
report = convert(["scans/"], "out/")              # files on disk, like `glmocr convert`
doc = convert_document("paper.pdf")                # a DocResult in memory, nothing written
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .config import ConfigError, Settings
from .document import DocResult
from .engines.factory import resolve_engine
from .run.batch import BatchConverter, DocOutcome, Reporter
from .run.finish import finish_document
from .run.folder_lock import OutputFolderLock
from .run.lifecycle import interrupt_exit_code
from .sources.discover import discover_inputs
from .run.summary import now_iso, summary_path_problem, write_summary
from .writers.atomic import check_writable, remove_stale_temp_files

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass
class RunReport:
    outcomes: list[DocOutcome]
    engine: str
    engine_warning: str | None = None
    exit_override: int | None = None  # a run that ended early (interrupted, engine failed to start)
    error: str | None = None
    fail_on: str = "failure"  # never | failure | flagged (--fail-on)
    summary_error: str | None = None  # --summary could not be written (the exit code does not say it)

    @property
    def exit_code(self) -> int:
        if self.exit_override is not None:
            return self.exit_override
        if self.fail_on == "never":
            return EXIT_OK
        failed = any(o.status == "failed" for o in self.outcomes)
        flagged = self.fail_on == "flagged" and (not self.outcomes or any(o.flags for o in self.outcomes))
        return EXIT_FAILED if failed or flagged else EXIT_OK

    def problem_lines(self) -> list[str]:
        """What -q still prints: each failed document, and why --fail-on flagged makes the exit code 1."""
        lines = [f"error: {o.path}: {o.error}" for o in self.outcomes if o.status == "failed"]
        if self.fail_on == "flagged" and self.exit_override is None:
            if not self.outcomes:
                lines.append("error: no PDF or image files found (--fail-on flagged counts that as a failure)")
            lines += [f"flagged: {o.path}: {', '.join(o.flags)} (--fail-on flagged)" for o in self.outcomes if o.flags]
        return lines

    def counts(self) -> dict[str, int]:
        counts = {"converted": 0, "skipped": 0, "failed": 0}
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            **({"error": self.error} if self.error else {}),
            "documents": [o.to_json() for o in self.outcomes],
        }


def convert(
    inputs: Sequence[str | Path],
    output_dir: str | Path,
    settings: Settings | None = None,
    *,
    reporter: Reporter | None = None,
    stdin_lines: list[str] | None = None,
    summary_path: str | Path | None = None,
) -> RunReport:
    """Convert files and folders into output_dir. Raises ConfigError for unusable settings."""
    settings = settings or Settings()
    settings.validate()
    if not os.fspath(output_dir).strip():  # an unset $OUT: never the current folder by accident
        raise ConfigError("the output folder (-o) is empty (an unset variable?); give a folder")
    out_dir = Path(output_dir)
    problem = check_writable(out_dir)
    if problem:
        raise ConfigError(f"{out_dir}: output folder is not writable ({problem})")
    summary = Path(summary_path) if summary_path is not None else None
    if summary is not None and (problem := summary_path_problem(summary)):
        raise ConfigError(f"--summary {summary}: cannot write the summary there ({problem})")
    started, warnings, converter = now_iso(), [], None
    stale: list = []
    remove_stale_temp_files(out_dir)  # left by a run that was killed mid-write

    def warn(message: str) -> None:
        warnings.append(message)
        if reporter is not None:
            reporter.warn(message)

    def summarise(report: RunReport, interrupted: bool = False) -> None:
        """A summary that cannot be written (disk full) is one line; it never hides how the documents went."""
        if summary is None:
            return
        try:
            body = {**report.to_json(), "stale": [doc.to_json(out_dir) for doc in stale]}
            write_summary(
                summary,
                body,
                started=started,
                settings=settings,
                inputs=[str(p) for p in inputs],
                output_dir=out_dir,
                warnings=warnings,
                interrupted=interrupted,
            )
        except (OSError, ValueError) as exc:
            report.summary_error = (
                f"--summary {summary}: cannot write the summary ({getattr(exc, 'strerror', None) or exc})"
            )
            if reporter is not None:
                reporter.error(report.summary_error)

    lock = OutputFolderLock(out_dir)  # a second run on this folder: ConfigError (exit 2)
    try:
        engine, warning = resolve_engine(settings)
        if warning:
            warn(warning)
        run_settings = replace(settings, engine=engine)
        converter = BatchConverter(run_settings, out_dir, engine_name=engine, reporter=reporter)  # reads --extract
        items = discover_inputs(
            [str(p) for p in inputs], settings.include, settings.exclude, stdin_lines, output_dir=out_dir
        )
        for item in (i for i in items if i.warning):
            warn(f"{item.path}: {item.warning}")
        items = [i for i in items if not i.warning]
        if not items:
            warn(f"no PDF or image files found in {', '.join(map(str, inputs)) or 'standard input'}")
        report = RunReport(converter.run(items), engine, warning, fail_on=settings.fail_on)
        stale = _stale_outputs(out_dir, items, settings.prune, warn)
    except BaseException as exc:  # Ctrl-C, SIGTERM, an engine that cannot start: the summary says so
        finished = list(converter.outcomes.values()) if converter is not None else []
        code = (
            interrupt_exit_code(exc)
            if isinstance(exc, KeyboardInterrupt)
            else EXIT_USAGE
            if isinstance(exc, ConfigError)
            else EXIT_FAILED
        )
        summarise(
            RunReport(
                finished,
                settings.engine,
                exit_override=getattr(exc, "exit_code", code),
                error=str(exc) or type(exc).__name__,
            ),
            interrupted=isinstance(exc, KeyboardInterrupt),
        )
        raise
    finally:
        lock.release()
    summarise(report)
    return report


def _stale_outputs(out_dir: Path, items: list, prune_them: bool, warn) -> list:
    """Outputs of inputs that no longer exist: one line each, removed with --prune (run/prune.py)."""
    from .run.prune import find_stale, prune
    from .writers.output_paths import OutputFolder, UnsafeOutputPath

    folder, in_use = OutputFolder(out_dir), set()
    for item in items:
        with contextlib.suppress(UnsafeOutputPath):
            in_use.add(folder.stamp(item.relative_path))
    stale = find_stale(out_dir, in_use)
    if prune_them:
        for problem in prune(stale):
            warn(problem)
    for doc in stale:
        names = ", ".join(p.relative_to(out_dir).as_posix() for p in doc.outputs) or "none left"
        if doc.pruned:
            message = f"{doc.source}: input no longer exists; removed its outputs ({names})"
        else:
            message = f"{doc.source}: input no longer exists; its outputs stay ({names}); --prune removes them"
        if doc.kept:
            message += (
                f"; changed by hand or shared, kept: {', '.join(p.relative_to(out_dir).as_posix() for p in doc.kept)}"
            )
        warn(message)
    return stale


def ocr_languages_report() -> str:
    """The OCR languages this machine can read (Tesseract's installed data), as `config show` and
    `models list` print them."""
    from .ocr_languages import describe_ocr_languages

    return describe_ocr_languages()


def convert_document(path: str | Path, settings: Settings | None = None) -> DocResult:
    """Convert one document in this process and return its document model (no files written)."""
    from .config import page_selected, parse_page_ranges
    from .run.state import file_sha256
    from .run.worker import ChunkTask, PageWorker
    from .sources.documents import SourceError, open_source

    settings = settings or Settings()
    settings.validate()
    engine, _ = resolve_engine(settings)
    settings = replace(settings, engine=engine)
    path = Path(path)
    source = open_source(
        path,
        password=settings.password,
        dpi=settings.dpi,
        renderer=settings.renderer,
        max_pixels=settings.max_image_pixels,
    )
    count = source.page_count
    repair_note = getattr(source, "repair_note", None)
    source.close()
    ranges = parse_page_ranges(settings.pages) if settings.pages else None
    worker = PageWorker(settings, threads=os.cpu_count() or 1)
    result = worker.run(ChunkTask(0, path, [i for i in range(count) if page_selected(ranges, i + 1)]))
    if result.error:
        raise SourceError(result.error)
    doc = DocResult(
        source=path,
        relative_path=Path(path.name),
        sha256=file_sha256(path),
        pages=result.pages,
        engine=result.engine or {},
        options=settings.output_affecting(),
    )
    finished = finish_document(doc, settings, repair_note)  # what `glmocr convert` writes, less the files
    if finished.verdict.error:
        raise SourceError(finished.verdict.error)
    return finished.doc
