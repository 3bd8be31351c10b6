"""Progress for people and for logs: rich bars on a terminal, one plain line per document otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..display import shown, shown_lines
from ..sources.discover import InputFile
from .batch import DocOutcome, Reporter


def _describe(outcome: DocOutcome) -> str:
    if outcome.status == "failed":
        return f"failed     {outcome.path}: {outcome.error}"
    if outcome.status == "skipped":
        return f"skipped    {outcome.path} (up to date)"
    how = ", rebuilt from the stored JSON" if outcome.rebuilt else ""
    return f"converted  {outcome.path} ({outcome.pages} page{'s' * (outcome.pages != 1)}, {outcome.seconds:.1f} s{how})"


PROGRESS_SECONDS = 30.0  # a log shows the run is alive at least this often, however long a document


class PlainReporter(Reporter):
    """One line per document on stderr: what a cron job's log wants; a progress line while a long
    document is still running."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False, progress_seconds: float = PROGRESS_SECONDS):
        self.stream, self.verbose = stream or sys.stderr, verbose
        self.total = self.done = self.pages = self.pages_total = 0
        self.started = self.last_line = time.perf_counter()
        self.progress_seconds = progress_seconds
        self.running: dict[str, int] = {}  # documents started and not finished: path -> pages

    def _print(self, text: str) -> None:
        """One event, one line: names inside it are shown escaped (display.py)."""
        self._write(shown(text))

    def _write(self, text: str) -> None:
        self.last_line = time.perf_counter()
        try:
            print(text, file=self.stream, flush=True)
        except (OSError, ValueError):  # the terminal is gone (ssh dropped, pipe closed): the run goes on
            pass

    def start(self, documents: int) -> None:
        self.total = documents

    def document_started(self, item: InputFile, pages: int) -> None:
        self.pages_total += pages
        self.running[str(item.path)] = pages

    def pages_done(self, count: int) -> None:
        self.pages += count
        self.heartbeat()

    def heartbeat(self) -> None:
        now = time.perf_counter()
        if now - self.last_line < self.progress_seconds:
            return
        doing = ", ".join(f"{path} ({pages} pages)" for path, pages in list(self.running.items())[:2])
        self._print(
            f"progress: {self.pages}/{self.pages_total} pages, {self.done}/{self.total} documents, "
            f"{now - self.started:.0f} s" + (f"; working on {doing}" if doing else "")
        )

    def info(self, message: str) -> None:
        self._print(f"info: {message}")

    def warn(self, message: str) -> None:
        self._print(f"warning: {message}")

    def error(self, message: str) -> None:
        self._print(f"error: {message}")

    def document_finished(self, outcome: DocOutcome) -> None:
        self.done += 1
        self.running.pop(str(outcome.path), None)
        self._print(f"[{self.done}/{self.total}] {_describe(outcome)}")
        for warning in outcome.warnings:
            self._print(f"warning: {outcome.path}: {warning}")
        for flag in outcome.flags:
            self._print(f"flagged: {outcome.path}: {flag}")
        if self.verbose and outcome.detail:
            self._write(shown_lines(outcome.detail.rstrip()))

    def close(self) -> None:
        seconds = time.perf_counter() - self.started
        rate = self.pages / seconds if seconds > 0 else 0.0
        self._print(f"done: {self.done} documents, {self.pages} pages in {seconds:.1f} s ({rate:.2f} pages/s)")


class RichReporter(PlainReporter):
    """Bars for documents and pages with pages/s and ETA; finished documents scroll above them."""

    def __init__(self, verbose: bool = False):
        super().__init__(sys.stderr, verbose)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.doc_task = self.page_task = None

    def _write(self, text: str) -> None:
        try:
            self.progress.console.print(text, markup=False, highlight=False)
        except (OSError, ValueError):
            pass

    def start(self, documents: int) -> None:
        super().start(documents)
        self.progress.start()
        self.doc_task = self.progress.add_task("documents", total=documents, rate="")
        self.page_task = self.progress.add_task("pages", total=0, rate="")

    def document_started(self, item: InputFile, pages: int) -> None:
        super().document_started(item, pages)
        total = self.progress.tasks[self.page_task].total or 0
        self.progress.update(self.page_task, total=total + pages)

    def pages_done(self, count: int) -> None:
        super().pages_done(count)
        seconds = time.perf_counter() - self.started
        self.progress.update(self.page_task, advance=count, rate=f"{self.pages / max(seconds, 1e-9):.2f} pages/s")

    def heartbeat(self) -> None:
        pass  # the bars show progress live

    def document_finished(self, outcome: DocOutcome) -> None:
        super().document_finished(outcome)
        self.progress.update(self.doc_task, advance=1)

    def close(self) -> None:
        try:
            self.progress.stop()
        except (OSError, ValueError):  # the terminal is gone
            pass
        super().close()


class QuietReporter(Reporter):
    """-q: errors only (the CLI prints failed documents); warnings, third-party ones included, dropped."""

    def error(self, message: str) -> None:
        try:
            print(shown(f"error: {message}"), file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass


def make_reporter(quiet: bool, verbose: bool) -> Reporter:
    if quiet:
        return QuietReporter()
    if sys.stderr.isatty():
        return RichReporter(verbose)
    return PlainReporter(verbose=verbose)
