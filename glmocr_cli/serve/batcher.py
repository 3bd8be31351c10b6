"""Gather crops from concurrent requests into batches for one recogniser (one model, one thread)."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from ..config import Settings
from ..recognize.base import CropAnswer, CropRecognizer, CropRequest


class RequestBatcher:
    """Requests queue up; a single thread takes up to `batch_size` of them (waiting at most
    `window` seconds after the first for more to arrive) and runs them as one batch."""

    def __init__(self, recognizer: CropRecognizer, batch_size: int = Settings.batch_size, window: float = 0.01):
        self.recognizer, self.batch_size, self.window = recognizer, batch_size, window
        self.queue: queue.Queue[tuple[CropRequest, Future] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="glmocr-batcher", daemon=True)
        self.thread.start()

    def submit(self, request: CropRequest) -> Future:
        future: Future = Future()
        self.queue.put((request, future))
        return future

    def _loop(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            try:
                while len(batch) < self.batch_size:
                    item = self.queue.get(timeout=self.window)
                    if item is None:
                        self.queue.put(None)
                        break
                    batch.append(item)
            except queue.Empty:
                pass
            self._run(batch)

    def _run(self, batch: list[tuple[CropRequest, Future]]) -> None:
        # a request whose client left while it queued was cancelled: it is dropped, not decoded
        batch = [(request, future) for request, future in batch if future.set_running_or_notify_cancel()]
        if not batch:
            return
        try:
            results: list[CropAnswer] = self.recognizer.recognize([request for request, _ in batch])
        except Exception as exc:  # the model failed on this batch: every request in it gets the error
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results):
            future.set_result(result)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=5)
