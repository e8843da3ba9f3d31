"""Prefect where it fails: a dead or silent API, a broken home, and a run killed with its server.

Every case is a real ``kpiflow run`` process; the time limits are the promise
(one sentence within 15 s, nothing left running after a SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults import ROOT, command_line, descendants, kpiflow, unwritable, wait_until_dead
from tests.workbooks import ICT_HEADER, ict_row, write_table

pytestmark = pytest.mark.slow

PLAIN = "or run with --plain to run without Prefect."


def _inbox(tmp_path: Path) -> list[str]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = write_table(inbox / "dec.xlsx", ICT_HEADER, [ict_row(7, 91)])
    past = time.time() - 60
    os.utime(path, (past, past))
    return ["run", "--inbox", str(inbox), "--db", str(tmp_path / "kpi.db"),
            "--reports", str(tmp_path / "reports"), "--stable-seconds", "0"]  # fmt: skip


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: nothing listens there


@dataclass
class Finished:
    """A ``kpiflow run`` that was expected to fail fast, and how it ended."""

    expected: str
    inbox: Path
    returncode: int | None = None
    out: str = ""
    err: str = ""
    seconds: float = 0.0


@pytest.fixture(scope="module")
def unusable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Finished]]:
    """Runs against an unusable Prefect, all started at once (while the next test runs too).

    Each is timed from its start to its end by a thread waiting on it.
    """
    tmp_path = tmp_path_factory.mktemp("unusable")
    with contextlib.ExitStack() as stack, socket.socket() as silent:
        # A port that accepts connections and never answers (nobody calls accept).
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        silent_port = int(silent.getsockname()[1])
        dead = _dead_port()
        corrupt = tmp_path / "broken-prefect-home"
        corrupt.mkdir()
        (corrupt / "prefect.db").write_bytes(b"not a database, whatever it once was" * 100)
        read_only = tmp_path / "read-only-prefect-home"
        try:
            cause = stack.enter_context(unwritable(read_only))
        except pytest.skip.Exception as no_way:
            cause = f"skip: {no_way}"  # that case alone is skipped, saying why
        cases = {
            "dead-port": ({"PREFECT_API_URL": f"http://127.0.0.1:{dead}/api"}, (
                f"kpiflow: The Prefect API at http://127.0.0.1:{dead}/api is not answering "
                "(connection refused: nothing is listening there); start that server, unset "
                f"PREFECT_API_URL to use a temporary local one, {PLAIN}"
            )),
            "silent-port": ({"PREFECT_API_URL": f"http://127.0.0.1:{silent_port}/api"}, (
                f"kpiflow: The Prefect API at http://127.0.0.1:{silent_port}/api is not "
                "answering (no answer within 5 s); start that server, unset PREFECT_API_URL "
                f"to use a temporary local one, {PLAIN}"
            )),
            "corrupt-home": ({"PREFECT_HOME": str(corrupt)}, (
                f"kpiflow: Prefect's database {corrupt / 'prefect.db'} is damaged (file is not "
                "a database); move it aside (kpiflow init makes a new one), set PREFECT_HOME to "
                f"a writable folder, {PLAIN}"
            )),
            "read-only-home": ({"PREFECT_HOME": str(read_only)}, (
                f"kpiflow: Prefect's home {read_only} is not a writable folder ({cause}); make "
                f"it writable, set PREFECT_HOME to a writable folder, {PLAIN}"
            )),
        }  # fmt: skip
        finished: dict[str, Finished] = {}
        waiting = []
        for case, (env, expected) in cases.items():
            if cause.startswith("skip: ") and case == "read-only-home":
                finished[case] = Finished(cause, tmp_path)
                continue
            workdir = tmp_path / case
            workdir.mkdir()
            base = {"PREFECT_HOME": str(tmp_path / "home")}
            finished[case] = Finished(expected, workdir / "inbox")
            run = kpiflow(*_inbox(workdir), **{**base, **env})
            waiting.append(threading.Thread(target=_wait, args=(run, finished[case])))
            waiting[-1].start()
        yield finished
        for thread in waiting:
            thread.join(60)


def _wait(run: subprocess.Popen[str], into: Finished) -> None:
    started = time.monotonic()
    into.out, into.err = run.communicate(timeout=60)
    into.seconds = time.monotonic() - started
    into.returncode = run.returncode


def _stalled_run(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], list[str]]:
    """A real ``kpiflow run`` with a temporary Prefect server, stalled inside its flow run
    right after claiming its file (so its server, guard and forkserver are up)."""
    args = _inbox(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    migrated = ROOT / ".prefect" / "prefect.db"  # made by `kpiflow init` (tasks.py does it)
    if migrated.is_file():
        # A Prefect home whose database is already made starts its server in half the time.
        with sqlite3.connect(migrated) as source, sqlite3.connect(home / "prefect.db") as copy:
            source.backup(copy)
    full_env = {**os.environ, "PREFECT_HOME": str(home), "KPIFLOW_CRASH_AT": "after-claim:stall",
                **env}  # fmt: skip
    full_env.pop("PREFECT_API_URL", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=full_env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    claims = tmp_path / "inbox" / ".claimed"
    deadline = time.monotonic() + 120
    while not list(claims.glob("*/dec.xlsx")) and time.monotonic() < deadline:
        if run.poll() is not None:
            pytest.fail(f"the run ended before it stalled: {run.communicate()}")
        time.sleep(0.2)
    return run, args


def test_a_killed_run_leaves_no_prefect_server_behind(
    tmp_path: Path, unusable: dict[str, Finished]
) -> None:
    run, args = _stalled_run(tmp_path)
    try:
        family = descendants(run.pid)
        lines = {pid: command_line(pid) for pid in family}
        assert any("uvicorn" in line for line in lines.values()), lines
        assert any("flows.guard" in line for line in lines.values()), lines
        assert any("forkserver" in line for line in lines.values()), lines
    finally:
        run.send_signal(signal.SIGKILL)
        run.communicate()
    assert wait_until_dead(family, 10) == set(), {p: lines[p] for p in family}
    # The next run (plain, to stay quick) takes the file the killed one had claimed.
    plain = kpiflow(*args, "--plain")
    out, _ = plain.communicate(timeout=60)
    assert plain.returncode == 0, out
    assert (tmp_path / "inbox" / "processed" / "dec.xlsx").is_file()


def test_a_server_killed_mid_run_fails_the_run_in_one_sentence(tmp_path: Path) -> None:
    run, _ = _stalled_run(tmp_path)
    try:
        family = descendants(run.pid)
        [server] = [p for p in family if command_line(p).split()[1:3] == ["-m", "uvicorn"]]
        os.kill(server, signal.SIGKILL)  # the temporary server dies under the run
        started = time.monotonic()
        out, err = run.communicate(timeout=60)
        assert time.monotonic() - started < 15
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    log = tmp_path / "home" / f"kpiflow-server-{run.pid}.log"
    assert (run.returncode, out, err) == (3, "", (
        "kpiflow: Prefect's temporary server stopped during the run (killed by SIGKILL); files "
        "already done are done and any file in progress stays claimed for the next run; see "
        f"{log} and run again, {PLAIN}\n"
    ))  # fmt: skip
    # The file it was on waits, claimed, for the next run; nothing is left running.
    assert [p.name for p in (tmp_path / "inbox" / ".claimed").glob("*/*")] == ["dec.xlsx"]
    assert wait_until_dead(family, 10) == set()


@pytest.mark.parametrize(
    "case",
    ["dead-port", "silent-port", "corrupt-home", "read-only-home"],
    ids=["dead-port", "silent-port", "corrupt-home", "read-only-home"],
)
def test_an_unusable_prefect_fails_in_one_sentence_within_15_seconds(
    unusable: dict[str, Finished], case: str
) -> None:
    run = unusable[case]
    if run.expected.startswith("skip: "):
        pytest.skip(run.expected.removeprefix("skip: "))
    deadline = time.monotonic() + 60
    while run.returncode is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (run.returncode, run.out, run.err) == (3, "", run.expected + "\n")
    assert run.seconds < 15
    # Nothing was taken: the file waits in the inbox.
    assert [p.name for p in run.inbox.iterdir() if p.is_file()] == ["dec.xlsx"]
