"""Crash points for the fault tests: a real SIGKILL, a real exception or a stall at a named moment.

``KPIFLOW_CRASH_AT`` names points, comma-separated, each as ``POINT[:ACTION][@FILE]``:

- ``after-load`` (or ``after-load:kill``): this process is killed with SIGKILL;
- ``after-load:raise``: ``InjectedFault`` is raised, as a bug in kpiflow would be;
- ``after-load:stall``: the process sleeps for 10 minutes (for the tests that kill
  a run, or its Prefect server, from outside while it is busy);
- ``@NAME`` limits the point to the file of that name (the others go through).

The points, in the order a file meets them: ``after-claim`` (runner),
``after-extract``, ``after-reports``, ``after-load`` (process, and failures when a
file is set aside), ``after-reason`` and ``after-link`` (inbox.settle: the reason
file written; the file linked into its folder, still in the claim). Used only by
the tests: a real signal or a real exception inside the real code is the only
honest way to show that a run stopped at the worst moment loses nothing and
records nothing twice.
"""

from __future__ import annotations

import os
import signal
import time

POINTS = (
    "after-claim", "after-extract", "after-reports", "after-load", "after-reason", "after-link",
)  # fmt: skip


class InjectedFault(RuntimeError):
    """The exception ``KPIFLOW_CRASH_AT=POINT:raise`` raises (stands for any bug)."""


def crash_point(name: str, file: str | None = None) -> None:
    """Kill, raise or stall here if ``KPIFLOW_CRASH_AT`` names this point (and file)."""
    wanted = os.environ.get("KPIFLOW_CRASH_AT")
    if not wanted:
        return
    for entry in wanted.split(","):
        spec, _, only = entry.strip().partition("@")
        point, _, action = spec.partition(":")
        if point != name or (only and only != file):
            continue
        if action == "raise":
            raise InjectedFault(f"fault injected at {name} (KPIFLOW_CRASH_AT={wanted})")
        if action == "stall":
            time.sleep(600)
            return
        os.kill(os.getpid(), signal.SIGKILL)
