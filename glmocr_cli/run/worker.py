"""What runs inside a worker process: build the engine once, then render and recognise page chunks.

The same functions run in the main process when there is one worker, so results do not depend on
the number of workers.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..document import PageResult
from ..labels import Flag
from ..sources.documents import SourceError, open_source


def one_line(exc: BaseException) -> str:
    """The last meaningful line of an error whose text may hold a whole remote traceback."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and not set(ln.strip()) <= set("^~")]
    return f"{type(exc).__name__}: {lines[-1] if lines else ''}".rstrip(": ")


@dataclass
class ChunkTask:
    doc_id: int
    path: Path
    page_indices: list[int]


@dataclass
class ChunkResult:
    doc_id: int
    pages: list[PageResult]
    engine: dict | None = None
    error: str | None = None
    detail: str | None = None  # traceback, shown with --verbose
    log_lines: list[tuple[str, str]] = field(default_factory=list)  # (info|warning, line) met in a worker (run/logs.py)


class PageWorker:
    """Holds one engine and the last opened document."""

    def __init__(self, settings: Settings, threads: int):
        from ..engines.factory import build_engine

        self.settings = settings
        self.engine = build_engine(settings, threads)
        self._source = None
        self._source_path: Path | None = None

    def _extract_keys(self) -> list[str] | None:
        if not self.settings.extract or not hasattr(self.engine, "extract_fields"):
            return None
        from ..extract.keys import parse_key_spec

        return [key.name for key in parse_key_spec(self.settings.extract)]

    def _open(self, path: Path):
        if self._source_path != path:
            if self._source is not None:
                self._source.close()
            self._source = None
            self._source = open_source(
                path,
                password=self.settings.password,
                dpi=self.settings.dpi,
                renderer=self.settings.renderer,
                max_pixels=self.settings.max_image_pixels,
            )
            self._source_path = path
        return self._source

    def run(self, task: ChunkTask) -> ChunkResult:
        try:
            source = self._open(task.path)
            render_seconds: dict[int, float] = {}
            # A model-based engine answers --extract per page, from the page image.
            extract_keys = self._extract_keys()
            kept: dict[int, object] = {}
            source_notes: dict[int, tuple[list[str], bool]] = {}

            def rendered():
                for i in task.page_indices:
                    started = time.perf_counter()
                    page = source.render(i, self.settings.max_image_pixels)
                    render_seconds[i] = time.perf_counter() - started
                    source_notes[i] = (page.warnings, page.damaged)
                    if extract_keys:
                        kept[i] = page
                    yield page

            results = []
            for result in self.engine.process_pages(rendered()):
                result.timings["render"] = render_seconds.get(result.index, 0.0)
                notes, damaged = source_notes.pop(result.index, ([], False))
                result.warnings[:0] = notes
                if damaged and Flag.DAMAGED not in result.flags:
                    result.flags.append(Flag.DAMAGED)
                if extract_keys:
                    started = time.perf_counter()
                    result.key_values = self.engine.extract_fields(kept.pop(result.index), extract_keys)
                    result.timings["extract"] = time.perf_counter() - started
                if self.settings.layout_vis and result.upright_image is not None:
                    from ..assemble.layout_vis import render_layout_vis

                    result.layout_vis_png = render_layout_vis(result.upright_image, result.ordered_regions())
                result.upright_image = None  # never ship page images between processes
                results.append(result)
            return ChunkResult(task.doc_id, results, engine=self.engine.describe())
        except SourceError as exc:
            return ChunkResult(task.doc_id, [], error=str(exc))
        except MemoryError:
            return ChunkResult(task.doc_id, [], error="out of memory while recognising this document")
        except Exception as exc:  # one bad document never stops the batch
            return ChunkResult(task.doc_id, [], error=f"{type(exc).__name__}: {exc}", detail=traceback.format_exc())


# -- process-pool entry points ------------------------------------------------------------------
_WORKER: PageWorker | None = None
_START_ERROR: str | None = None
_LOG_LINES = None


def init_process(settings: Settings, threads: int, parent_pid: int | None = None) -> None:
    global _WORKER, _START_ERROR, _LOG_LINES
    # Ctrl-C goes to the parent, which stops the pool; workers must not print tracebacks.
    import signal

    from .lifecycle import die_with_parent
    from .logs import CapturedLines, quiet_native_logs, route_library_logs, route_third_party_logs

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's SIGTERM handler is not ours to run
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closing terminal hangs up the whole group: the parent decides
    if parent_pid is not None:
        die_with_parent(parent_pid)
    _LOG_LINES = CapturedLines()
    route_third_party_logs(_LOG_LINES.add, settings.engine)
    route_library_logs(_LOG_LINES.info, _LOG_LINES.add)  # for the worker's lifetime
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    try:
        _WORKER = PageWorker(settings, threads)
    except Exception as exc:  # models missing or broken: every chunk says so
        _START_ERROR = f"the {settings.engine} engine could not start: {one_line(exc)}"
    quiet_native_logs()


def run_in_process(task: ChunkTask) -> ChunkResult:
    if _WORKER is None:
        return ChunkResult(task.doc_id, [], error=_START_ERROR or "init_process was not called")
    result = _WORKER.run(task)
    if _LOG_LINES is not None:
        result.log_lines = _LOG_LINES.take()
    return result
