"""The batch's scheduling loop: admit documents one at a time, submit their page chunks while fewer
than `limit` are in flight, take results back as they come, and stop documents past
--document-timeout. What a document is (opening, finishing, writing) is run/batch.py's."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from typing import Any

from ..document import PageResult
from ..sources.discover import InputFile
from .lifecycle import raise_if_interrupted
from .worker import ChunkResult, ChunkTask, one_line

HEARTBEAT_SECONDS = 5.0  # how often the loop wakes with nothing finished (timeouts, progress lines)


@dataclass
class DocState:
    """A document whose chunks are out: what has come back so far."""

    item: InputFile
    sha256: str
    page_indices: list[int]
    started: float
    chunks_left: int
    pages: dict[int, PageResult] = field(default_factory=dict)
    engine: dict | None = None
    error: str | None = None
    detail: str | None = None
    repair_note: str | None = None  # MuPDF rebuilt a damaged file
    stamp: dict | None = None  # the previous run's stamp, for removing its stale crops


def _chunk(indices: list[int], size: int) -> list[list[int]]:
    return [indices[i : i + size] for i in range(0, len(indices), size)]


class ChunkLoop:
    """One run of the loop over `inputs`. prepare(doc_id, item) opens a document (a DocState to
    convert, or an outcome when it is skipped or fails at once); finish(state) turns a document whose
    chunks are all back into its outcome; record(doc_id, outcome) keeps and reports an outcome."""

    def __init__(
        self,
        pool,
        inputs: list[InputFile],
        *,
        prepare: Callable[[int, InputFile], tuple[DocState | None, Any]],
        finish: Callable[[DocState], Any],
        record: Callable[[int, Any], None],
        reporter,
        limit: int,
        chunk_pages: int,
        timeout: float | None,
    ):
        self.pool, self.reporter = pool, reporter
        self.prepare, self.finish, self.record = prepare, finish, record
        self.limit, self.chunk_pages, self.timeout = limit, chunk_pages, timeout
        self.todo = deque(enumerate(inputs))
        self.tasks: deque[ChunkTask] = deque()
        self.states: dict[int, DocState] = {}
        self.in_flight: dict[Any, int] = {}  # future -> doc_id
        self.clocks: dict[int, float] = {}  # doc_id -> when a worker began its first chunk (--document-timeout)
        self.seen_log_lines: set[tuple[str, str]] = set()

    def run(self) -> None:
        while self.todo or self.tasks or self.in_flight:
            raise_if_interrupted()
            self._submit()
            if not self.in_flight:
                continue
            done, _ = wait(list(self.in_flight), timeout=self._wake_after(), return_when=FIRST_COMPLETED)
            for future in done:
                self._result(future)
            if self.timeout:
                self._start_clocks(time.perf_counter())
                self._stop_overdue(time.perf_counter())
            self.reporter.heartbeat()

    # -- admission and submission ----------------------------------------------------------------
    def _admit(self) -> None:
        """The next document: opened and checked (prepare), its selected pages cut into chunks."""
        doc_id, item = self.todo.popleft()
        state, outcome = self.prepare(doc_id, item)
        if state is None:
            self.record(doc_id, outcome)
            return
        chunks = _chunk(state.page_indices, self.chunk_pages)
        state.chunks_left = len(chunks)
        self.states[doc_id] = state
        self.tasks.extend(ChunkTask(doc_id, item.path, c) for c in chunks)

    def _submit(self) -> None:
        """Chunks to the pool while fewer than `limit` are in flight; documents are admitted only
        when the chunks of those before them are all out, so memory stays flat."""
        while len(self.in_flight) < self.limit and (self.tasks or self.todo):
            if not self.tasks:
                self._admit()
                continue
            task = self.tasks.popleft()
            self.in_flight[self.pool.submit(task)] = task.doc_id
            raise_if_interrupted()  # an in-process pool ran the chunk just now

    # -- results ---------------------------------------------------------------------------------
    def _result(self, future) -> None:
        doc_id = self.in_flight.pop(future)
        try:
            result: ChunkResult = future.result()
        except Exception as exc:  # a worker that could not start, was killed, or was stopped
            result = ChunkResult(doc_id, [], error=f"worker failed: {one_line(exc)}", detail=repr(exc))
        for kind, line in result.log_lines:  # a worker's log lines, each once per run
            if (kind, line) not in self.seen_log_lines:
                self.seen_log_lines.add((kind, line))
                (self.reporter.info if kind == "info" else self.reporter.warn)(line)
        self._chunk_back(doc_id, result)

    def _chunk_back(self, doc_id: int, result: ChunkResult) -> None:
        state = self.states[doc_id]
        state.chunks_left -= 1
        if result.error and not state.error:
            state.error, state.detail = result.error, result.detail
        for page in result.pages:
            state.pages[page.index] = page
        state.engine = state.engine or result.engine
        self.reporter.pages_done(len(result.pages))
        if state.chunks_left == 0:
            self.record(doc_id, self.finish(self.states.pop(doc_id)))

    # -- the --document-timeout sweep ------------------------------------------------------------
    def _wake_after(self) -> float:
        """Seconds to wait for a result: the heartbeat, or sooner when a document's time runs out
        (or, while a chunk waits for a worker, soon enough to start its clock)."""
        if not self.timeout:
            return HEARTBEAT_SECONDS
        now = time.perf_counter()
        self._start_clocks(now)
        waiting = any(doc_id not in self.clocks for doc_id in self.in_flight.values())
        return min(
            [
                HEARTBEAT_SECONDS,
                0.5 if waiting else HEARTBEAT_SECONDS,
                *(
                    max(0.05, self.clocks[d] + self.timeout - now)
                    for d, s in self.states.items()
                    if not s.error and d in self.clocks
                ),
            ]
        )

    def _start_clocks(self, now: float) -> None:
        """The clock starts when a worker takes the first chunk, so model loading and waiting in
        the queue do not count (pools that cannot tell start it at submission)."""
        for future, doc_id in self.in_flight.items():
            if doc_id not in self.clocks and (future.running() or not getattr(self.pool, "reports_running", False)):
                self.clocks[doc_id] = now

    def _stop_overdue(self, now: float) -> None:
        """A document past --document-timeout fails; its chunks are dropped or their workers stopped."""
        assert self.timeout is not None
        for doc_id, state in list(self.states.items()):
            if state.error or doc_id not in self.clocks or now - self.clocks[doc_id] <= self.timeout:
                continue
            state.error = (
                f"stopped after --document-timeout {self.timeout:g} s ({len(state.pages)} of "
                f"{len(state.page_indices)} pages done)"
            )
            for task in [t for t in self.tasks if t.doc_id == doc_id]:
                self.tasks.remove(task)
                state.chunks_left -= 1
            for future, owner in self.in_flight.items():
                if owner == doc_id:
                    self.pool.cancel(future)
            if state.chunks_left == 0:
                self.record(doc_id, self.finish(self.states.pop(doc_id)))
