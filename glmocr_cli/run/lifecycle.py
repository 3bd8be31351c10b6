"""How the processes of a run end together: signals in the main process, parent death in workers.

`kill PID`, a supervisor, systemd, a CI timeout or the OOM killer end the main process with SIGTERM
or SIGKILL. SIGTERM takes the Ctrl-C path (finished documents kept, summary written) and exits 143.
SIGHUP (an ssh session or terminal that closes) takes the same path and exits 129, unless the run
was started with it ignored (`nohup`). SIGKILL cannot be caught, so each worker arranges its own
end: the kernel's parent-death signal (Linux prctl) and, where that is missing, a thread that
watches the parent's pid.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, what shells and supervisors expect after SIGTERM
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so every cleanup path that handles one handles both."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__()
        self.signum = signum


_terminated: int | None = None  # the signal that ended the run
_interrupted = False


def _raise_terminated(signum, frame) -> None:
    global _terminated
    _terminated = signum
    raise Terminated(signum)


def _raise_interrupted(signum, frame) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt()


def handle_sigterm_like_sigint() -> None:
    """In the main process: SIGTERM and SIGHUP raise Terminated wherever the main thread is, and the
    signals are remembered, so one that lands in library code with a bare `except:` is not lost."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)
        if signal.getsignal(signal.SIGHUP) is signal.SIG_DFL:  # nohup's ignored SIGHUP stays ignored
            signal.signal(signal.SIGHUP, _raise_terminated)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _raise_interrupted)


def raise_if_interrupted() -> None:
    """Raise again a Ctrl-C or SIGTERM that some library swallowed; the run loop calls it each turn."""
    if _terminated:
        raise Terminated(_terminated)
    if _interrupted:
        raise KeyboardInterrupt()


def interrupt_exit_code(exc: BaseException | None = None) -> int:
    """143 after SIGTERM, 129 after SIGHUP, 130 after Ctrl-C (also where a library turned Terminated
    into its own exit)."""
    if isinstance(exc, Terminated):
        return 128 + exc.signum
    return 128 + _terminated if _terminated else 130


def _set_parent_death_signal(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parent_gone(parent_pid: int) -> bool:
    if os.getppid() != parent_pid:  # re-parented to init or a subreaper: the parent has died
        return True
    try:
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _watch_parent(parent_pid: int) -> None:
    while not _parent_gone(parent_pid):
        time.sleep(WATCH_SECONDS)
    os._exit(EXIT_TERMINATED)


def die_with_parent(parent_pid: int) -> None:
    """In a worker process: end when `parent_pid` ends, however it ended.

    The parent-death signal fires when the thread that forked us exits; the pid watchdog covers
    platforms without prctl and a parent that died before the signal was armed."""
    _set_parent_death_signal(signal.SIGKILL)
    if _parent_gone(parent_pid):
        os._exit(EXIT_TERMINATED)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watchdog", daemon=True).start()
