"""A run that fails keeps every file: per-file isolation, problems of the machine, exit statuses.

Real files, a real SQLite warehouse, and real faults: an exception raised inside
``process_claimed`` through the crash points (``KPIFLOW_CRASH_AT``), folders that
really cannot be written, a warehouse really locked by another connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
import sqlite_utils

from flows.cli import main
from flows.errors import EnvironmentProblem
from flows.failures import MAX_ATTEMPTS
from flows.runner import run_once
from flows.settings import Settings
from tests.faults import unwritable
from tests.workbooks import ICT_HEADER, ict_row, write_table


def _settings(tmp_path: Path, **extra: float) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    return Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                    stable_seconds=0, **extra)  # type: ignore[arg-type]  # fmt: skip


def _drop(settings: Settings, name: str, value: float = 91) -> bytes:
    path = write_table(settings.inbox / name, ICT_HEADER, [ict_row(7, value)])
    past = time.time() - 60
    os.utime(path, (past, past))
    return path.read_bytes()


def _args(settings: Settings) -> list[str]:
    return ["--inbox", str(settings.inbox), "--db", str(settings.db),
            "--reports", str(settings.reports), "--stable-seconds", "0"]  # fmt: skip


def _rows(settings: Settings) -> list[tuple[str, str]]:
    db = sqlite_utils.Database(settings.db)
    return db.execute("SELECT file_name, status FROM submissions ORDER BY id").fetchall()


def _claims(settings: Settings) -> list[str]:
    """What the claim area holds, run ids written as RUN."""
    root = settings.inbox / ".claimed"
    names = [str(p.relative_to(root)) for p in root.rglob("*")] if root.is_dir() else []
    return sorted(re.sub(r"^\d+-[0-9a-f]{8}", "RUN", n) for n in names)


def test_an_exception_inside_process_claimed_fails_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    _drop(settings, "good.xlsx", 91)
    original = _drop(settings, "bad.xlsx", 92)
    monkeypatch.setenv("KPIFLOW_CRASH_AT", "after-extract:raise@bad.xlsx")

    # The run goes on with the other file and exits 1; no trace on the terminal.
    assert main(["run", "--plain", *_args(settings)]) == 1
    out, err = capsys.readouterr()
    run_id = re.search(r"run=(\d+-[0-9a-f]{8})", err)
    assert run_id is not None, err
    reason = (
        "kpiflow failed on this file (InjectedFault: fault injected at after-extract "
        "(KPIFLOW_CRASH_AT=after-extract:raise@bad.xlsx)); it stays claimed and the next run "
        f"tries again (attempt 1 of 3); the trace is in the log of kpiflow run {run_id[1]}."
    )
    assert f"bad.xlsx: {reason}" in out.splitlines()
    assert [line.split()[:2] for line in out.splitlines()[1:3]] == [
        ["good.xlsx", "loaded_with_exceptions"], ["bad.xlsx", "failed"],
    ]  # fmt: skip
    assert "Traceback" not in err
    assert _rows(settings) == [("good.xlsx", "loaded_with_exceptions")]
    # Left claimed with its lock file, the attempt counted beside the claims.
    key = hashlib.sha256(b"bad.xlsx\0" + hashlib.sha256(original).hexdigest().encode())
    attempts = f"{key.hexdigest()[:32]}.attempts"
    assert _claims(settings) == sorted(["RUN", "RUN.lock", "RUN/bad.xlsx", attempts])

    second = run_once(settings)
    assert [(o.file_name, o.status) for o in second.outcomes] == [("bad.xlsx", "failed")]
    assert "(attempt 2 of 3)" in second.outcomes[0].reason

    third = run_once(settings)
    [outcome] = third.outcomes
    assert (outcome.file_name, outcome.status, outcome.errors) == ("bad.xlsx", "rejected", 1)
    assert outcome.reason.startswith(
        "kpiflow failed on this file 3 times with an internal error (InjectedFault: fault "
        "injected at after-extract (KPIFLOW_CRASH_AT=after-extract:raise@bad.xlsx)), so it was "
        "set aside unchanged; this is not the supplier's fault: send this reason file to "
        "whoever maintains kpiflow (the trace is in the log of kpiflow run "
    )
    kept = settings.rejected / "bad.xlsx"
    assert kept.read_bytes() == original
    reason_file = (settings.rejected / "bad.xlsx.reason.txt").read_text().splitlines()
    assert reason_file[:4] == [
        outcome.reason, "", "file: bad.xlsx", f"sha256: {hashlib.sha256(original).hexdigest()}",
    ]  # fmt: skip
    trace = reason_file.index("trace of the last attempt:")
    listed = reason_file[reason_file.index("attempts:") + 1 : trace - 1]
    assert len(listed) == MAX_ATTEMPTS
    assert all(line.endswith("(KPIFLOW_CRASH_AT=after-extract:raise@bad.xlsx)") for line in listed)
    assert reason_file[-1] == (
        "flows.crash.InjectedFault: fault injected at after-extract "
        "(KPIFLOW_CRASH_AT=after-extract:raise@bad.xlsx)"
    )
    assert _rows(settings) == [("good.xlsx", "loaded_with_exceptions"), ("bad.xlsx", "rejected")]
    db = sqlite_utils.Database(settings.db)
    assert db.execute(
        "SELECT e.code, e.severity, e.message FROM exceptions e JOIN submissions s "
        "ON s.id = e.submission_id WHERE s.file_name = 'bad.xlsx'"
    ).fetchall() == [("internal-error", "error", outcome.reason)]
    assert _claims(settings) == []

    # Nothing is left for a later run, fault or no fault.
    monkeypatch.delenv("KPIFLOW_CRASH_AT")
    assert run_once(settings).outcomes == ()


def test_a_claimed_file_someone_deletes_fails_alone(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _drop(settings, "a.xlsx")
    _drop(settings, "b.xlsx", 92)

    def delete(name: str) -> None:
        if name == "a.xlsx":
            next((settings.inbox / ".claimed").rglob("a.xlsx")).unlink()

    result = run_once(settings, before_file=delete)
    assert [(o.file_name, o.status, o.reason) for o in result.outcomes] == [
        ("a.xlsx", "failed",
         "The file is no longer in its claim folder (something else moved or deleted it), so "
         "kpiflow could not finish it."),
        ("b.xlsx", "loaded_with_exceptions", ""),
    ]  # fmt: skip
    assert result.needs_attention()
    assert _claims(settings) == []


def test_a_reports_folder_that_turns_read_only_mid_run_stops_the_run_and_keeps_the_file(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    original = _drop(settings, "a.xlsx")
    with contextlib.ExitStack() as later:
        causes: list[str] = []

        def too_late(name: str) -> None:
            # The folder was writable when the run checked it; it is not now.
            causes.append(later.enter_context(unwritable(settings.reports)))

        with pytest.raises(EnvironmentProblem) as stopped:
            run_once(settings, before_file=too_late)
        [cause] = causes
        report = settings.reports / f"a-{hashlib.sha256(original).hexdigest()[:8]}.html"
        assert stopped.value.sentence == (
            f"kpiflow is not allowed to use {report} ({cause}); make it readable and writable "
            "for this user or point kpiflow elsewhere (--inbox, --db, --reports)."
        )
        assert stopped.value.exit_status == 3
        # Not the file's fault: no attempt counted, claimed with its lock file.
        assert _claims(settings) == ["RUN", "RUN.lock", "RUN/a.xlsx"]
        assert _rows(settings) == []
    again = run_once(settings)
    assert [(o.file_name, o.status) for o in again.outcomes] == [
        ("a.xlsx", "loaded_with_exceptions")
    ]
    assert (settings.processed / "a.xlsx").read_bytes() == original
    assert _claims(settings) == []


def test_a_warehouse_locked_mid_run_stops_the_run_and_keeps_the_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path, busy_timeout=0.3)
    original = _drop(settings, "a.xlsx")
    run_once(settings)  # the warehouse exists
    _drop(settings, "b.xlsx", 92)
    holder = sqlite3.connect(settings.db)

    def lock(name: str) -> None:
        holder.execute("BEGIN IMMEDIATE")  # a SQL client in the middle of a write

    try:
        with pytest.raises(EnvironmentProblem) as stopped:
            run_once(settings, before_file=lock)
    finally:
        holder.rollback()
        holder.close()
    assert stopped.value.sentence == (
        f"The warehouse {settings.db} stayed locked by another program for more than 0.3 s; "
        "close whatever is writing to it (a SQL client in the middle of a transaction, another "
        "kpiflow run that is stuck) and run again."
    )
    assert _claims(settings) == ["RUN", "RUN.lock", "RUN/b.xlsx"]
    again = run_once(settings)
    assert [(o.file_name, o.status) for o in again.outcomes] == [
        ("b.xlsx", "loaded_with_exceptions")
    ]
    assert _rows(settings) == [
        ("a.xlsx", "loaded_with_exceptions"), ("b.xlsx", "loaded_with_exceptions"),
    ]  # fmt: skip
    assert (settings.processed / "a.xlsx").read_bytes() == original
    assert _claims(settings) == []


def test_a_read_only_reports_folder_fails_before_anything_is_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    original = _drop(settings, "a.xlsx")
    settings.reports.mkdir()
    with unwritable(settings.reports) as cause:
        assert main(["run", "--plain", *_args(settings)]) == 3
    out, err = capsys.readouterr()
    assert (out, err) == ("", (
        f"kpiflow: The reports folder {settings.reports} cannot be written ({cause}); make it "
        "a writable folder for this user or point --reports or KPIFLOW_REPORTS elsewhere.\n"
    ))  # fmt: skip
    assert (settings.inbox / "a.xlsx").read_bytes() == original
    assert _claims(settings) == []


def test_a_reports_folder_under_a_file_fails_before_anything_is_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    _drop(settings, "a.xlsx")
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    reports = tmp_path / "notes.txt" / "reports"
    args = ["--inbox", str(settings.inbox), "--db", str(settings.db), "--reports", str(reports)]
    assert main(["run", "--plain", *args, "--verbose"]) == 3
    err = capsys.readouterr().err
    sentence = (
        f"kpiflow: The reports folder {reports} cannot be written (a file stands where the "
        "folder or one of its parents should be); make it a writable folder for this user or "
        "point --reports or KPIFLOW_REPORTS elsewhere."
    )
    # With --verbose the trace is in the log; the sentence is still the last word.
    assert err.splitlines()[-1] == sentence
    assert "Traceback (most recent call last):" in err
    assert (settings.inbox / "a.xlsx").is_file()


def test_a_locked_warehouse_fails_in_one_sentence_within_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    _drop(settings, "a.xlsx")
    run_once(settings)
    _drop(settings, "b.xlsx", 92)
    monkeypatch.setenv("KPIFLOW_BUSY_TIMEOUT", "0.5")
    holder = sqlite3.connect(settings.db)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert main(["run", "--plain", *_args(settings)]) == 3
        assert time.monotonic() - started < 10
    finally:
        holder.rollback()
        holder.close()
    assert capsys.readouterr().err == (
        f"kpiflow: The warehouse {settings.db} stayed locked by another program for more than "
        "0.5 s; close whatever is writing to it (a SQL client in the middle of a transaction, "
        "another kpiflow run that is stuck) and run again.\n"
    )
    assert (settings.inbox / "b.xlsx").is_file()


def test_a_read_only_warehouse_fails_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    _drop(settings, "a.xlsx")
    run_once(settings)
    _drop(settings, "b.xlsx", 92)
    with unwritable(settings.db):
        assert main(["run", "--plain", *_args(settings)]) == 3
    assert capsys.readouterr().err == (
        f"kpiflow: The warehouse {settings.db} is read-only; make it and its folder writable "
        "for this user, or give another file with --db or KPIFLOW_DB.\n"
    )
    assert (settings.inbox / "b.xlsx").is_file()


def test_a_name_too_long_for_the_filesystem_is_rejected_under_a_shorter_name(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    longest = os.pathconf(settings.inbox, "PC_NAME_MAX")
    name = "R" * (longest - len(".xlsx")) + ".xlsx"
    path = settings.inbox / name
    path.write_bytes(b"")  # refused: an empty file
    result = run_once(settings)
    [outcome] = result.outcomes
    assert (outcome.file_name, outcome.status) == (name, "rejected")
    kept = Path(outcome.destination)
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    assert kept.name == "R" * (longest - len(".reason.txt") - 18) + f"~{digest}.xlsx"
    assert kept.read_bytes() == b""
    assert Path(f"{kept}.reason.txt").read_text().splitlines()[2] == f"file: {name}"
    assert _rows(settings) == [(name, "rejected")]
    assert _claims(settings) == []


def test_a_newline_in_a_file_name_cannot_forge_a_log_line_or_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    name = "dec\nevent=loaded file=FORGED.xlsx"
    original = _drop(settings, name)
    assert main(["run", "--plain", *_args(settings), "--verbose"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].split()[:2] == [
        "dec\\nevent=loaded", "file=FORGED.xlsx",
    ]  # fmt: skip
    assert len(out.splitlines()) == 5  # header, one row, warehouse, reports, summary
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO event=", line)
               for line in err.splitlines()), err  # fmt: skip
    assert "file=dec\\nevent=loaded file=FORGED.xlsx" in err
    assert (settings.processed / name).read_bytes() == original
    assert _rows(settings) == [(name, "loaded_with_exceptions")]


def test_files_of_the_same_name_in_several_claims_never_overwrite_each_other(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    # Two runs of an older version died holding a file of the same name; a third
    # copy waits in the inbox.
    originals = []
    for owner, value in (("101-aaaaaaaa", 91), ("102-bbbbbbbb", 92)):
        folder = settings.inbox / ".claimed" / owner
        folder.mkdir(parents=True)
        originals.append(write_table(folder / "dec.xlsx", ICT_HEADER, [ict_row(7, value)])
                         .read_bytes())  # fmt: skip
    originals.append(_drop(settings, "dec.xlsx", 93))
    taken = [len(run_once(settings).outcomes) for _ in range(3)]
    assert taken == [1, 1, 1]
    kept = sorted(p.read_bytes() for p in settings.processed.iterdir())
    assert kept == sorted(originals)
    assert len(_rows(settings)) == 3
    assert _claims(settings) == []
