"""Crash points for the fault tests: a real SIGKILL, a real exception or a stall at a named moment.

``KPIFLOW_CRASH_AT`` names one point, optionally with what to do there:

- ``after-load`` (or ``after-load:kill``): this process is killed with SIGKILL;
- ``after-load:raise``: ``InjectedFault`` is raised, as a bug in kpiflow would be;
- ``after-load:stall``: the process sleeps (for the tests that kill a run from outside
  while it is busy, and check nothing it started is left behind).

The points, in the order a file meets them: ``after-claim`` (runner),
``after-extract``, ``after-reports``, ``after-load`` (process), ``after-reason``
and ``after-move`` (inbox.settle). Used only by the tests: a real signal or a real
exception inside the real code is the only honest way to show that a run stopped
at the worst moment loses nothing and records nothing twice.
"""

from __future__ import annotations

import os
import signal
import time

POINTS = (
    "after-claim", "after-extract", "after-reports", "after-load", "after-reason", "after-move",
)  # fmt: skip


class InjectedFault(RuntimeError):
    """The exception ``KPIFLOW_CRASH_AT=POINT:raise`` raises (stands for any bug)."""


def crash_point(name: str) -> None:
    """Kill, raise or stall here if ``KPIFLOW_CRASH_AT`` names this point."""
    wanted = os.environ.get("KPIFLOW_CRASH_AT")
    if not wanted:
        return
    point, _, action = wanted.partition(":")
    if point != name:
        return
    if action == "raise":
        raise InjectedFault(f"fault injected at {name} (KPIFLOW_CRASH_AT={wanted})")
    if action == "stall":
        time.sleep(600)
        return
    os.kill(os.getpid(), signal.SIGKILL)
