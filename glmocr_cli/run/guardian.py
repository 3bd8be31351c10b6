"""A small process that outlives the main one and ends what the main one started once it is gone.

SIGKILL cannot be caught, so cleanup after it must live elsewhere. Worker processes arm the kernel's
parent-death signal themselves (lifecycle.py); a local Ray instance fate-shares most of its
processes with the driver, but its agents (dashboard, runtime-env) are re-parented and live on.
The guardian keeps a list of the main process's descendants and, when the main process has gone,
kills those still running (checked by start time, so a reused pid is never hit). Linux (/proc).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.5
_started: list[subprocess.Popen] = []


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every process, from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = (int(fields[1]), fields[19])
        except (OSError, IndexError, ValueError):
            continue
    return table


def _descendants(root: int, table: dict[int, tuple[int, str]]) -> dict[int, str]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {}, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found[pid] = table[pid][1]
        todo.extend(children.get(pid, []))
    return found


def watch(main_pid: int) -> None:
    me = os.getpid()
    main_start = _processes().get(main_pid, (0, None))[1]
    known: dict[int, str] = {}
    while True:
        table = _processes()
        if main_pid not in table or table[main_pid][1] != main_start:
            break
        known.update({pid: start for pid, start in _descendants(main_pid, table).items() if pid != me})
        time.sleep(POLL_SECONDS)
    table = _processes()
    for pid, start in known.items():
        if table.get(pid, (0, None))[1] == start:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def start_guardian() -> None:
    """Watch this process from outside (once per process; Linux only)."""
    if _started or not Path("/proc/self/stat").exists():
        return
    _started.append(
        subprocess.Popen(
            [sys.executable, "-m", "glmocr_cli.run.guardian", str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    )


if __name__ == "__main__":
    watch(int(sys.argv[1]))
