"""Where page chunks run: worker processes on this machine, or the main process itself.

Both offer submit / cancel / shutdown, like the Ray pool, so the batch loop does not care which.
The worker processes come from pebble's ProcessPool because a running chunk can be stopped alone:
cancelling its future ends that worker and starts a fresh one (--document-timeout), which the
standard ProcessPoolExecutor cannot do.
"""

from __future__ import annotations

import os
from concurrent.futures import Future

from ..config import Settings
from .worker import ChunkTask, PageWorker, init_process, run_in_process


class ProcessWorkerPool:
    reports_running = True  # a future is running once a worker has taken its chunk

    def __init__(self, settings: Settings, workers: int, threads: int):
        from pebble import ProcessPool

        self.size = workers
        self.pool = ProcessPool(
            max_workers=workers, initializer=init_process, initargs=(settings, threads, os.getpid())
        )

    def submit(self, task: ChunkTask) -> Future:
        return self.pool.schedule(run_in_process, args=[task])

    def cancel(self, future: Future) -> None:
        """A queued chunk is dropped; a running one ends its worker, which is replaced."""
        future.cancel()

    def shutdown(self, interrupted: bool = False) -> None:
        """After the last chunk the workers leave quietly; on an interrupt they are stopped at once
        (finished documents are already written)."""
        if interrupted:
            self.pool.stop()
        else:
            self.pool.close()
        self.pool.join()


class InProcessPool:
    """One worker in the main process (no process start, models loaded once); cannot time out."""

    size = 1

    def __init__(self, worker: PageWorker):
        self.worker = worker

    def submit(self, task: ChunkTask) -> Future:
        future: Future = Future()
        future.set_result(self.worker.run(task))
        return future

    def cancel(self, future: Future) -> None:
        pass

    def shutdown(self, interrupted: bool = False) -> None:
        pass
