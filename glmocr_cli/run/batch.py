"""Convert a batch: stream page chunks of many documents through worker processes.

The main process opens each document only to check it and count its pages; workers render and
recognise the pages. At most a few chunks are in flight, so memory stays flat however many pages
there are. When every chunk of a document is back, the document is assembled and written here.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError, Settings, page_selected, parse_page_ranges
from ..document import PROBLEM_FLAGS, DocResult, PageResult
from ..sources.discover import InputFile
from ..sources.documents import SourceError, open_source
from ..writers.output_paths import UnsafeOutputPath
from ..writers.outputs import write_document
from .chunk_loop import ChunkLoop, DocState
from .finish import DocumentFinisher
from .rebuild import rebuild_formats
from .state import (
    file_sha256,
    fingerprint,
    read_stamp,
    remove_stamp,
    stale_outputs,
    stamped_flags,
    stored_run_verdict,
    write_stamp,
)
from .worker import PageWorker, one_line


@dataclass
class DocOutcome:
    path: Path
    relative_path: Path
    status: str  # converted | skipped | failed
    pages: int = 0
    seconds: float = 0.0
    error: str | None = None
    detail: str | None = None
    warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # "page 3: unsupported-script", for --fail-on flagged
    outputs: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over pages
    rebuilt: bool = False  # Markdown/HTML rebuilt from the stored NAME.json, not recognised again

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "relative_path": self.relative_path.as_posix(),
            "status": self.status,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "warnings": self.warnings,
            "outputs": self.outputs,
            "rebuilt": self.rebuilt,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


class Reporter:
    """Progress callbacks; the CLI supplies a rich or plain-text one."""

    def start(self, documents: int) -> None: ...
    def info(self, message: str) -> None: ...  # what the library logs at INFO (run/logs.py), e.g. no MTP layer
    def warn(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...  # a run-level problem that even -q prints
    def document_started(self, item: InputFile, pages: int) -> None: ...
    def pages_done(self, count: int) -> None: ...
    def document_finished(self, outcome: DocOutcome) -> None: ...
    def heartbeat(self) -> None: ...
    def close(self) -> None: ...


def _uses_gpu(device: str) -> bool:
    if device == "cuda":
        return True
    if device == "auto":
        import torch

        return torch.cuda.is_available()
    return False


def _stage_seconds(pages: list[PageResult]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for page in pages:
        for key, seconds in page.timings.items():
            totals[key] = totals.get(key, 0.0) + seconds
        for region in page.regions:
            key = f"recognize_{region.task.value}"
            totals[key] = totals.get(key, 0.0) + region.timings.get("recognize", 0.0)
    return totals


class BatchConverter:
    def __init__(
        self,
        settings: Settings,
        out_dir: Path,
        *,
        engine_name: str,
        reporter: Reporter | None = None,
    ):
        self.settings, self.out_dir = settings, out_dir
        self.reporter = reporter or Reporter()
        self.finish = DocumentFinisher(settings)  # ConfigError now for unreadable --extract keys
        self.workers = settings.effective_workers()
        if engine_name == "glm" and _uses_gpu(settings.device):
            self.workers = 1  # one process owns the GPU and batches every crop; CPU workers would only contend
        self.threads = max(1, (os.cpu_count() or 1) // self.workers)
        self.chunk_pages = 1 if engine_name == "lite" else max(1, settings.batch_size // 2)
        self.page_ranges = parse_page_ranges(settings.pages) if settings.pages else None
        recognition_options = {k: v for k, v in settings.output_affecting().items() if k != "formats"}
        self.fingerprint = fingerprint(
            {"name": engine_name, "model": settings.model, "layout_model": settings.layout_model}, recognition_options
        )
        self.outcomes: dict[int, DocOutcome] = {}  # finished so far: readable after an interrupt

    # -- opening documents in the main process -------------------------------------------------
    def _prepare(self, doc_id: int, item: InputFile) -> tuple[DocState | None, DocOutcome | None]:
        if item.error:
            return None, DocOutcome(item.path, item.relative_path, "failed", error=item.error)
        try:
            sha = file_sha256(item.path)
            stamp = read_stamp(self.out_dir, item.relative_path)
            verdict = stored_run_verdict(self.out_dir, stamp, sha, self.fingerprint, item.stem, self.settings.formats)
            if not self.settings.force and verdict == "current":
                return None, DocOutcome(
                    item.path,
                    item.relative_path,
                    "skipped",
                    pages=stamp.get("pages", 0),
                    flags=stamped_flags(self.out_dir, item.relative_path),
                )
            if not self.settings.force and verdict == "formats" and (rebuilt := self._rebuild(item, sha, stamp)):
                return None, rebuilt
            source = open_source(
                item.path,
                password=self.settings.password,
                dpi=self.settings.dpi,
                renderer=self.settings.renderer,
                max_pixels=self.settings.max_image_pixels,
            )
            count = source.page_count
            repair_note = getattr(source, "repair_note", None)
            source.close()
        except SourceError as exc:
            return None, DocOutcome(item.path, item.relative_path, "failed", error=str(exc))
        except PermissionError:
            return None, DocOutcome(
                item.path, item.relative_path, "failed", error="permission denied (file is not readable)"
            )
        except OSError as exc:
            return None, DocOutcome(
                item.path, item.relative_path, "failed", error=f"cannot read file: {exc.strerror or exc}"
            )
        except UnsafeOutputPath as exc:  # e.g. a folder under -o that is a symlink leading out of it
            return None, DocOutcome(item.path, item.relative_path, "failed", error=f"cannot write output: {exc}")
        indices = [i for i in range(count) if page_selected(self.page_ranges, i + 1)]
        if not indices:
            return None, DocOutcome(
                item.path,
                item.relative_path,
                "failed",
                error=f"--pages {self.settings.pages} selects none of its {count} pages",
            )
        state = DocState(item, sha, indices, time.perf_counter(), 0, repair_note=repair_note, stamp=stamp)
        self.reporter.document_started(item, len(indices))
        return state, None

    # -- finishing a document in the main process ----------------------------------------------
    def _finish(self, state: DocState) -> DocOutcome:
        item = state.item
        seconds = time.perf_counter() - state.started
        if state.error:
            remove_stamp(self.out_dir, item.relative_path)
            return DocOutcome(
                item.path,
                item.relative_path,
                "failed",
                len(state.pages),
                seconds,
                error=state.error,
                detail=state.detail,
            )
        started = time.perf_counter()
        pages = [state.pages[i] for i in state.page_indices]
        doc = DocResult(
            source=item.path,
            relative_path=item.relative_path,
            sha256=state.sha256,
            pages=pages,
            engine=state.engine or {},
            options=self.settings.output_affecting(),
            output_stem=item.stem,
        )
        doc.timings = {"recognition_wall": round(seconds, 4)}
        judged = self.finish(doc, state.repair_note).verdict  # refine, judge, extract (run/finish.py)
        if not judged.may_stamp:
            remove_stamp(self.out_dir, item.relative_path)
        if judged.error:
            return DocOutcome(
                item.path, item.relative_path, "failed", len(pages), seconds, error=judged.error, warnings=doc.warnings
            )
        try:
            written = write_document(
                doc,
                self.out_dir,
                self.settings.formats,
                keep_furniture=self.settings.keep_furniture,
                key_values=doc.key_values,
            )
            for stale in stale_outputs(self.out_dir, state.stamp, written):
                stale.unlink(missing_ok=True)
            if judged.may_stamp:
                write_stamp(
                    self.out_dir,
                    item.relative_path,
                    state.sha256,
                    self.fingerprint,
                    written,
                    stem=item.stem,
                    pages=len(pages),
                    flags=flagged_pages(pages),
                    source=item.path,
                )
        except OSError as exc:
            return DocOutcome(
                item.path,
                item.relative_path,
                "failed",
                len(pages),
                seconds,
                error=f"cannot write output: {exc.strerror or exc} ({exc.filename or self.out_dir})",
            )
        except UnsafeOutputPath as exc:
            return DocOutcome(
                item.path, item.relative_path, "failed", len(pages), seconds, error=f"cannot write output: {exc}"
            )
        return DocOutcome(
            item.path,
            item.relative_path,
            "converted",
            len(pages),
            time.perf_counter() - state.started,
            warnings=doc.warnings,
            flags=flagged_pages(pages),
            outputs=[p.relative_to(self.out_dir).as_posix() for p in written],
            timings={**_stage_seconds(pages), "assemble_and_write": time.perf_counter() - started},
        )

    def _rebuild(self, item: InputFile, sha: str, stamp: dict) -> DocOutcome | None:
        """Only the output formats changed: Markdown/HTML from the stored NAME.json (run/rebuild.py).
        None when that JSON cannot be read back (hand-edited, older schema): then recognise again."""
        started = time.perf_counter()
        try:
            doc, outputs = rebuild_formats(
                self.out_dir, stamp, self.settings.formats, keep_furniture=self.settings.keep_furniture
            )
            flags = flagged_pages(doc.pages)  # the stored document's problems stay known to --fail-on
            write_stamp(
                self.out_dir,
                item.relative_path,
                sha,
                self.fingerprint,
                outputs,
                stem=item.stem,
                pages=len(doc.pages),
                flags=flags,
                source=item.path,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return DocOutcome(
            item.path,
            item.relative_path,
            "converted",
            len(doc.pages),
            time.perf_counter() - started,
            flags=flags,
            outputs=[p.relative_to(self.out_dir).as_posix() for p in outputs],
            rebuilt=True,
        )

    # -- the loop --------------------------------------------------------------------------------
    def _start_pool(self):
        from .local_pool import InProcessPool, ProcessWorkerPool
        from .logs import route_third_party_logs

        # in this process (Ray, the one-worker path) library log lines become the reporter's warnings
        route_third_party_logs(self.reporter.warn, self.settings.engine)
        if self.settings.ray is not None:
            from .ray_pool import RayActorPool, connect

            connect(self.settings.ray, num_cpus=self.settings.workers or None)
            pool = RayActorPool(self.settings, num_gpus_per_worker=self.settings.num_gpus_per_worker)
            self.workers = pool.size
            return pool
        if self.workers == 1 and not self.settings.document_timeout:
            try:
                return InProcessPool(PageWorker(self.settings, self.threads))
            except Exception as exc:  # models missing or broken: nothing can be converted
                raise ConfigError(f"the {self.settings.engine} engine could not start: {one_line(exc)}") from exc
        # a document timeout needs a process it can stop, even for one worker
        return ProcessWorkerPool(self.settings, self.workers, self.threads)

    def run(self, inputs: list[InputFile]) -> list[DocOutcome]:
        self.reporter.start(len(inputs))
        outcomes = self.outcomes  # kept on the converter: an interrupted run's summary reads them
        try:
            pool = self._start_pool()
        except BaseException:
            self.reporter.close()
            raise
        interrupted = True
        try:
            self._loop(inputs, pool, outcomes)
            interrupted = False
        finally:
            pool.shutdown(interrupted=interrupted)
            self.reporter.close()
        return [outcomes[i] for i in range(len(inputs))]

    def _loop(self, inputs: list[InputFile], pool, outcomes: dict[int, DocOutcome]) -> None:
        def record(doc_id: int, outcome: DocOutcome) -> None:
            outcomes[doc_id] = outcome
            self.reporter.document_finished(outcome)

        ChunkLoop(
            pool,
            inputs,
            prepare=self._prepare,
            finish=self._finish,
            record=record,
            reporter=self.reporter,
            limit=2 * self.workers,
            chunk_pages=self.chunk_pages,
            timeout=self.settings.document_timeout or None,
        ).run()


def flagged_pages(pages: list[PageResult]) -> list[str]:
    """Pages a reader must look at: a page or region with a problem flag (document.PROBLEM_FLAGS:
    unread or damaged text, a failed crop). Notes such as low confidence or furniture never count."""
    flagged = []
    for page in pages:
        kinds = (set(page.flags) | {f for r in page.regions for f in r.flags}) & PROBLEM_FLAGS
        flagged.extend(f"page {page.index + 1}: {kind}" for kind in sorted(kinds))
    return flagged
