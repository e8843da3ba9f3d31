"""Unattended running: concurrent runs, SIGKILL at the worst moments, readers, late files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from flows.failures import attempts_file
from flows.runner import run_once
from flows.settings import Settings
from tests.workbooks import ICT_HEADER, ict_row, write_table

ROOT = Path(__file__).resolve().parents[1]


def _settings(tmp_path: Path, stable_seconds: float = 0) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    return Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                    stable_seconds=stable_seconds)  # fmt: skip


def _drop(settings: Settings, name: str, value: float) -> Path:
    path = write_table(settings.inbox / name, ICT_HEADER, [ict_row(7, value)])
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def _run_plain(settings: Settings, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "--plain", "--inbox", str(settings.inbox),
         "--db", str(settings.db), "--reports", str(settings.reports)],
        cwd=ROOT, env={**os.environ, "KPIFLOW_STABLE_SECONDS": "0", **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _submissions(settings: Settings) -> list[tuple[str, str]]:
    db = sqlite_utils.Database(settings.db)
    return sorted(db.execute("SELECT file_name, status FROM submissions").fetchall())


def _left_in_claims(settings: Settings) -> list[str]:
    return sorted(p.name for p in (settings.inbox / ".claimed").rglob("*.xlsx"))


def test_two_runs_at_once_take_each_file_exactly_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    names = [f"ict-{i:02d}.xlsx" for i in range(12)]
    originals = {n: _drop(settings, n, 80 + i).read_bytes() for i, n in enumerate(names)}
    # Two files with the same bytes: one load, one duplicate, whoever wins.
    twin = settings.inbox / "ict-twin.xlsx"
    twin.write_bytes(originals["ict-00.xlsx"])
    os.utime(twin, (time.time() - 60, time.time() - 60))
    originals[twin.name] = twin.read_bytes()

    runs = [_run_plain(settings), _run_plain(settings)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n\n".join(outputs)

    processed = settings.inbox / "processed"
    assert {p.name: p.read_bytes() for p in processed.iterdir()} == originals
    statuses = _submissions(settings)
    assert sorted(name for name, _ in statuses) == sorted(originals)
    assert sorted(status for _, status in statuses).count("duplicate") == 1
    db = sqlite_utils.Database(settings.db)
    assert db.execute("SELECT count(*) FROM measurements").fetchone() == (12,)
    assert _left_in_claims(settings) == []


# Every crash point a file meets, for a file that loads and for one that is
# rejected, and the last step of a file kpiflow sets aside after failing on it:
# (id, file, KPIFLOW_CRASH_AT, what the warehouse holds when the run is killed).
KILLS = [
    *[(f"loaded-{point}", "good", point, rows)
      for point, rows in (("after-claim", 0), ("after-extract", 0), ("after-reports", 0),
                          ("after-load", 1), ("after-link", 1))],
    *[(f"rejected-{point}", "empty", point, rows)
      for point, rows in (("after-claim", 0), ("after-extract", 0), ("after-reports", 0),
                          ("after-load", 1), ("after-reason", 1), ("after-link", 1))],
    ("set-aside-after-load", "good", "after-reports:raise,after-load", 1),
]  # fmt: skip
FINAL: dict[str, tuple[str, str, list[tuple[str]]]] = {
    "good": ("processed", "loaded_with_exceptions", []),
    "empty": ("rejected", "rejected", [("empty-file",)]),
}


@pytest.fixture(scope="module")
def killed_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Settings, bytes]]:
    """One real run per case, all at once, each SIGKILLed at its point (``tests.crashrun``)."""
    prepared: dict[str, tuple[Settings, bytes]] = {}
    cases = []
    for case, kind, point, _ in KILLS:
        settings = _settings(tmp_path_factory.mktemp(case))
        name = "ict-a.xlsx"
        if kind == "good":
            original = _drop(settings, name, 91).read_bytes()
        else:
            (settings.inbox / name).write_bytes(b"")
            original = b""
        if case.startswith("set-aside"):
            # Two earlier runs failed on it: this one is its last try.
            sha256 = hashlib.sha256(original).hexdigest()
            attempts = attempts_file(settings.inbox / ".claimed", name, sha256)
            attempts.parent.mkdir()
            line = '{"at": "2026-12-01T06:00:00+00:00", "run": "1-earlier", "error": "E: x"}\n'
            attempts.write_text(line * 2)
        prepared[case] = (settings, original)
        cases.append({"inbox": str(settings.inbox), "db": str(settings.db),
                      "reports": str(settings.reports), "crash_at": point})  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tests.crashrun"], cwd=ROOT, input=json.dumps(cases),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    statuses = json.loads(done.stdout)
    assert statuses == [-signal.SIGKILL] * len(KILLS), done.stderr
    return prepared


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "kind", "rows_when_killed"),
    [(case, kind, rows) for case, kind, _, rows in KILLS],
    ids=[case for case, *_ in KILLS],
)
def test_a_run_killed_at_any_point_is_finished_by_the_next(
    killed_runs: dict[str, tuple[Settings, bytes]], case: str, kind: str, rows_when_killed: int
) -> None:
    settings, original = killed_runs[case]
    assert _left_in_claims(settings) == ["ict-a.xlsx"]
    assert len(_submissions(settings)) == rows_when_killed

    result = run_once(settings)  # the next run, in this process
    folder, status, codes = FINAL[kind]
    if case.startswith("set-aside"):
        folder, status, codes = "rejected", "rejected", [("internal-error",)]
    assert [(o.file_name, o.status) for o in result.outcomes] == [("ict-a.xlsx", status)]
    # Byte-identical in its folder, recorded once, nothing left claimed.
    assert {p.name: p.read_bytes() for p in (settings.inbox / folder).iterdir()
            if not p.name.endswith(".reason.txt")} == {"ict-a.xlsx": original}  # fmt: skip
    assert _submissions(settings) == [("ict-a.xlsx", status)]
    db = sqlite_utils.Database(settings.db)
    assert db.execute("SELECT code FROM exceptions WHERE severity = 'error'").fetchall() == codes
    if kind == "good" and folder == "processed":
        assert db.execute("SELECT kpi_ref, actual FROM measurements").fetchall() == [("7", 91.0)]
    if folder == "rejected":
        reason = (settings.rejected / "ict-a.xlsx.reason.txt").read_text().splitlines()
        assert reason[0] == result.outcomes[0].reason
        sha256 = hashlib.sha256(original).hexdigest()
        assert reason[2:4] == ["file: ict-a.xlsx", f"sha256: {sha256}"]
    assert list((settings.inbox / ".claimed").iterdir()) == []


def test_a_reader_holding_the_database_does_not_break_a_run(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _drop(settings, "first.xlsx", 91)
    run_once(settings)
    reader = sqlite3.connect(settings.db)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM submissions").fetchone() == (1,)
    try:
        _drop(settings, "second.xlsx", 92)
        result = run_once(settings)
        assert [o.status for o in result.outcomes] == ["loaded_with_exceptions"]
        # The reader keeps its snapshot until it ends its transaction.
        assert reader.execute("SELECT count(*) FROM submissions").fetchone() == (1,)
    finally:
        reader.rollback()
        reader.close()
    assert len(_submissions(settings)) == 2


def test_files_arriving_during_a_run_wait_for_the_next(tmp_path: Path) -> None:
    settings = _settings(tmp_path, stable_seconds=5)
    _drop(settings, "early.xlsx", 91)

    def receive(name: str) -> None:
        # An officer drops a file while the run is busy with the first one.
        write_table(settings.inbox / "late.xlsx", ICT_HEADER, [ict_row(7, 93)])

    first = run_once(settings, before_file=receive)
    assert [o.file_name for o in first.outcomes] == ["early.xlsx"]
    assert (settings.inbox / "late.xlsx").is_file()

    still_fresh = run_once(settings)
    assert (still_fresh.outcomes, still_fresh.waiting) == ((), ("late.xlsx",))

    past = time.time() - 60
    os.utime(settings.inbox / "late.xlsx", (past, past))
    later = run_once(settings)
    assert [(o.file_name, o.rows_loaded) for o in later.outcomes] == [("late.xlsx", 1)]


def test_owner_lock_and_temporary_files_are_left_alone(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    for name in ("~$ict.xlsx", ".~lock.ict.xlsx#", "upload.tmp", ".hidden.xlsx"):
        (settings.inbox / name).write_bytes(b"x")
    result = run_once(settings)
    assert result.outcomes == ()
    left_alone = [".hidden.xlsx", ".~lock.ict.xlsx#", "upload.tmp", "~$ict.xlsx"]
    assert sorted(result.ignored) == left_alone
    assert sorted(p.name for p in settings.inbox.iterdir() if p.is_file()) == left_alone
    assert _submissions(settings) == []
    db = sqlite_utils.Database(settings.db)
    assert db.execute("SELECT files, loaded, ignored FROM runs").fetchall() == [(4, 0, 4)]
