"""Crash points for the crash tests: a real SIGKILL at a named moment."""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    """Kill this process here if ``KPIFLOW_CRASH_AT`` names this point.

    Used only by the tests that prove a run killed at the worst moments
    (after claiming a file, after loading it) loses nothing and loads nothing
    twice; a real SIGKILL is the only honest way to show that.
    """
    if os.environ.get("KPIFLOW_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
