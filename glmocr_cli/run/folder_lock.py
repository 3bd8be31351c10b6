"""One run at a time per output folder: an advisory lock on OUT/.glmocr/lock.

Two runs writing one folder would overwrite each other's outputs and stamps and remove each other's
temporary files. A second run does not wait (a cron job would pile up behind a long one): it stops
at once with exit code 2 and a line naming the folder and the holder's pid. The lock is an
fcntl.flock, released by the kernel when the holder ends however it ends (kill -9 included), so a
stale lock file never blocks a later run.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from ..errors import ConfigError
from ..writers.output_paths import OutputFolder, UnsafeOutputPath

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # not on Windows: runs are not locked there
    fcntl = None


class OutputFolderLock:
    """Taken when made (ConfigError when another run holds it); release() in a finally."""

    def __init__(self, out_dir: Path):
        self.fd: int | None = None
        if fcntl is None:
            return
        try:
            path = OutputFolder(out_dir).state_file("lock")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except UnsafeOutputPath as exc:  # .glmocr/ is a symlink leading out of the folder
            raise ConfigError(f"{out_dir}: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{out_dir}: cannot lock the output folder ({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise ConfigError(
                f"{out_dir}: another glmocr run (pid {holder}) is writing this output folder; "
                "wait for it to end or use another -o"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = None
