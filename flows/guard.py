"""Run a command that never outlives the process that started this guard.

    python -m flows.guard COMMAND [ARG...]

kpiflow starts the Prefect servers it needs (the temporary one of ``kpiflow
run``, the local one of ``kpiflow serve``) through this guard. A parent
killed with SIGKILL runs no clean-up code, so the guard watches for it from
outside: it starts COMMAND in a session (process group) of its own and,
every 0.2 s, checks whether its parent is still the process that started it.
When the parent is gone, or the guard is asked to stop (SIGTERM, SIGINT,
SIGHUP), it stops COMMAND's whole group (SIGTERM, then SIGKILL after 5 s)
and exits with COMMAND's status. On Linux COMMAND also gets the parent-death
signal (SIGKILL when the guard itself dies), so even a killed guard leaves
no server behind.

Standard library only: the guard starts in a few hundredths of a second.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

POLL_SECONDS = 0.2
GRACE_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


def parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGKILL the child when its parent dies, or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def set_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return set_signal


def main(argv: Sequence[str]) -> int:
    """Run ``argv`` under guard; return its exit status (128 + N when killed by signal N)."""
    if not argv:
        print("usage: python -m flows.guard COMMAND [ARG...]", file=sys.stderr)
        return 2
    parent = os.getppid()
    stop_requested: list[int] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, request_stop)
    child = subprocess.Popen(list(argv), start_new_session=True, preexec_fn=parent_death_signal())
    while True:
        try:
            code = child.wait(timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            pass
        if stop_requested or os.getppid() != parent:
            code = _stop(child)
            break
    # Whatever the command started in its group goes with it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    return code if code >= 0 else 128 - code


def _stop(child: subprocess.Popen[bytes]) -> int:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        code = child.poll()
        if code is not None:
            return code
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
