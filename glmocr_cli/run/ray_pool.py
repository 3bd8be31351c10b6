"""Run page chunks on a Ray cluster instead of local worker processes.

The batch loop stays the same (run/chunk_loop.py): only the `submit` function changes. Each actor holds
one engine (models loaded once per actor). Ray restarts an actor that dies and retries the chunk it
was working on, so a killed worker costs time, never a document. Needs the `[ray]` extra.
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from typing import Any

from ..config import ConfigError, Settings
from .worker import ChunkResult, ChunkTask, one_line


def connect(address: str | None, num_cpus: int | None = None) -> dict[str, float]:
    """Join a cluster (`auto`, `ray://host:port`) or start a local one (None / "local")."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs the Ray extra: pip install 'glmocr-cli[ray]'") from None
    if not ray.is_initialized():
        local = address in (None, "", "local")
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
            "ignore_reinit_error": True,
        }
        if local:
            kwargs["num_cpus"] = num_cpus or os.cpu_count() or 1
            from .guardian import start_guardian

            start_guardian()  # the instance's agents outlive a killed driver otherwise
        try:
            ray.init(address=None if local else address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"--ray {address}: cannot connect to the Ray cluster ({exc})") from None
        from .lifecycle import handle_sigterm_like_sigint

        handle_sigterm_like_sigint()  # ray.init installs a SIGTERM handler of its own that aborts
    return ray.cluster_resources()


class RayActorPool:
    """A fixed set of actors; each chunk goes to the actor with the fewest chunks in flight."""

    def __init__(self, settings: Settings, *, num_gpus_per_worker: float = 0.0, cpus_per_worker: int = 1):
        import ray

        resources = ray.cluster_resources()
        if num_gpus_per_worker > 0 and resources.get("GPU", 0) >= num_gpus_per_worker:
            size = int(resources["GPU"] // num_gpus_per_worker)
        else:
            num_gpus_per_worker = 0.0
            size = max(1, int(resources.get("CPU", 1) // cpus_per_worker))
        if settings.workers > 0:
            size = min(size, settings.workers)
        actor_class = ray.remote(
            num_cpus=cpus_per_worker, num_gpus=num_gpus_per_worker, max_restarts=-1, max_task_retries=3
        )(_PageWorkerActor)
        self.actors = [actor_class.remote(settings, cpus_per_worker) for _ in range(size)]
        self.in_flight = [0] * size
        self.size = size
        self.actor_of: dict[Future, int] = {}

    def submit(self, task: ChunkTask) -> Future:
        k = min(range(self.size), key=self.in_flight.__getitem__)
        self.in_flight[k] += 1
        future = self.actors[k].run.remote(task).future()

        def release(_: Future, k: int = k) -> None:
            self.in_flight[k] -= 1

        future.add_done_callback(release)
        resilient = _Resilient(future, task)
        self.actor_of[resilient] = k
        resilient.add_done_callback(lambda f: self.actor_of.pop(f, None))
        return resilient

    def cancel(self, future: Future) -> None:
        """--document-timeout: the actor running the chunk is killed and Ray restarts it."""
        import ray

        k = self.actor_of.pop(future, None)
        if k is not None:
            ray.kill(self.actors[k], no_restart=False)
        future.cancel()

    def shutdown(self, interrupted: bool = False) -> None:
        """Actors are released on every exit, an interrupt or SIGTERM included; a local Ray instance
        started here goes with them (its processes also die with this one: Ray fate-shares them)."""
        import ray

        if interrupted:  # disconnecting ends the actors this driver owns, without retrying their tasks
            ray.shutdown()
            return
        for actor in self.actors:
            ray.kill(actor)


class _PageWorkerActor:
    def __init__(self, settings: Settings, threads: int):
        from .logs import CapturedLines, quiet_native_logs, route_library_logs, route_third_party_logs
        from .worker import PageWorker

        self.log_lines = CapturedLines()
        route_third_party_logs(self.log_lines.add, settings.engine)
        route_library_logs(self.log_lines.info, self.log_lines.add)
        self.worker = PageWorker(settings, threads)
        quiet_native_logs()

    def pid(self) -> int:
        return os.getpid()

    def run(self, task: ChunkTask) -> ChunkResult:
        result = self.worker.run(task)
        result.log_lines = self.log_lines.take()
        return result


class _Resilient(Future):
    """Turns a Ray error (retries exhausted) into a failed chunk, like any other document error."""

    def __init__(self, inner: Future, task: ChunkTask):
        super().__init__()

        def done(f: Future) -> None:
            if self.cancelled():  # stopped by --document-timeout
                return
            try:
                self.set_result(f.result())
            except Exception as exc:  # RayActorError, RayTaskError, ...
                self.set_result(
                    ChunkResult(task.doc_id, [], error=f"Ray worker failed: {one_line(exc)}", detail=str(exc))
                )

        inner.add_done_callback(done)
