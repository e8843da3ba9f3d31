"""Problems in one sentence, text made safe to print, and the guard that outlives no parent."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.errors import EnvironmentProblem, UsageProblem, environment_problem
from flows.safe_text import shown
from tests.faults import ROOT, alive, command_line, descendants, wait_until_dead

DB = Path("/srv/kpiflow/warehouse/kpi.db")


@pytest.mark.parametrize(
    ("error", "kind", "sentence"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/reports/a.html"),
         EnvironmentProblem,
         "The disk is full: kpiflow could not write /srv/reports/a.html; free some space and "
         "run again."),
        (OSError(errno.EROFS, os.strerror(errno.EROFS), "/srv/inbox/processed/a.xlsx"),
         EnvironmentProblem,
         "kpiflow could not write /srv/inbox/processed/a.xlsx: it is on a read-only file system; "
         "make it writable or point kpiflow elsewhere (--inbox, --db, --reports)."),
        (sqlite3.OperationalError("database or disk is full"), EnvironmentProblem,
         f"The disk holding the warehouse {DB} is full; free some space and run again."),
        (sqlite3.OperationalError("disk I/O error"), EnvironmentProblem,
         f"The disk holding the warehouse {DB} reported an I/O error; check the disk and run "
         "again."),
        (sqlite3.DatabaseError("database disk image is malformed"), EnvironmentProblem,
         f"The warehouse {DB} is damaged (database disk image is malformed); restore it from a "
         "backup (see kpiflow backup) or move it aside so a new one is made."),
        (sqlite3.DatabaseError("file is not a database"), UsageProblem,
         f"{DB} is not a kpiflow warehouse (it is not an SQLite database); check --db or "
         "KPIFLOW_DB."),
    ],
    ids=["disk-full", "read-only-fs", "warehouse-full", "io-error", "malformed", "not-a-db"],
)  # fmt: skip
def test_problems_of_the_machine_in_one_sentence(
    error: Exception, kind: type, sentence: str
) -> None:
    problem = environment_problem(error, DB)
    assert (type(problem), problem.sentence if problem else None) == (kind, sentence)


@pytest.mark.parametrize(
    "error",
    [ValueError("bug"), KeyError("cell"), FileNotFoundError(errno.ENOENT, "gone", "/x"),
     sqlite3.IntegrityError("UNIQUE constraint failed")],
    ids=["value-error", "key-error", "vanished", "integrity"],
)  # fmt: skip
def test_anything_else_is_the_files_own_failure(error: Exception) -> None:
    assert environment_problem(error, DB) is None


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("dec\nevent=loaded file=FORGED.xlsx", "dec\\nevent=loaded file=FORGED.xlsx"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("tab\there\r", "tab\\there\\r"),
        ("right-to-left \u202eslx.exe", "right-to-left \\u202eslx.exe"),
        ("Café £12 ÷ 3", "Café £12 ÷ 3"),
    ],
    ids=["newline", "escape-sequence", "tab-return", "bidi-override", "plain-unicode"],
)
def test_shown_text_is_one_printable_line(text: str, safe: str) -> None:
    assert shown(text) == safe


def test_a_problem_is_always_one_line() -> None:
    assert EnvironmentProblem("cannot write /srv/a\nb.html").sentence == (
        "cannot write /srv/a\\nb.html"
    )


def test_the_guard_stops_its_command_when_its_parent_is_killed() -> None:
    # A parent (its own process) starts a long command under the guard, then is SIGKILLed.
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-m', 'flows.guard', 'sleep', '300'])\n"
        "time.sleep(300)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        family: set[int] = set()
        # The guard, and the command it started.
        while not any(command_line(p).startswith("sleep ") for p in family):
            assert time.monotonic() < deadline
            time.sleep(0.05)
            family = descendants(parent.pid)
        assert len(family) == 2
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert wait_until_dead(family, 5) == set()


def test_the_guard_passes_on_the_status_and_stops_on_sigterm() -> None:
    done = subprocess.run([sys.executable, "-m", "flows.guard", "sh", "-c", "exit 7"], cwd=ROOT)
    assert done.returncode == 7
    guard = subprocess.Popen([sys.executable, "-m", "flows.guard", "sleep", "300"], cwd=ROOT)
    deadline = time.monotonic() + 30
    sleepers: list[int] = []
    while not sleepers and time.monotonic() < deadline:
        time.sleep(0.05)
        sleepers = [p for p in descendants(guard.pid) if command_line(p).startswith("sleep ")]
    [sleeper] = sleepers
    guard.terminate()
    assert guard.wait(timeout=10) == 128 + signal.SIGTERM
    assert not alive(sleeper)
