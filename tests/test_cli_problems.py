"""The command line on wrong paths and options: one sentence, its exit status, nothing made."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from pathlib import Path

import pytest

from flows.cli import main
from flows.runner import run_once
from flows.settings import Settings
from tests.workbooks import ICT_HEADER, ict_row, write_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` sets Prefect's defaults in the environment: keep them out of other tests."""
    monkeypatch.setattr(os, "environ", os.environ.copy())


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse with one run and one submission."""
    tmp_path = tmp_path_factory.mktemp("warehouse")
    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "kpi.db",
                        reports=tmp_path / "reports", stable_seconds=0)  # fmt: skip
    settings.inbox.mkdir()
    write_table(settings.inbox / "dec.xlsx", ICT_HEADER, [ict_row(7, 58.89)])
    run_once(settings)
    return settings.db


@pytest.mark.parametrize("command", ["status", "history"], ids=["status", "history"])
def test_read_only_commands_never_make_a_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "kpi.db"
    args = [command, *(["7"] if command == "history" else []), "--db", str(missing)]
    assert main(args) == 2
    assert capsys.readouterr() == ("", (
        f"kpiflow: no warehouse at {missing}; give the warehouse file with --db or KPIFLOW_DB "
        "(kpiflow run creates it).\n"
    ))  # fmt: skip
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("command", "extra"),
    [("status", []), ("history", ["7"]), ("backup", ["copy.db"])],
    ids=["status", "history", "backup"],
)
def test_read_only_commands_on_a_file_that_is_not_a_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, extra: list[str]
) -> None:
    extra = [str(tmp_path / e) if e.endswith(".db") else e for e in extra]
    readme = ROOT / "README.md"
    before = readme.read_bytes()
    assert main([command, *extra, "--db", str(readme)]) == 2
    assert capsys.readouterr().err == (
        f"kpiflow: {readme} is not a kpiflow warehouse (it is not an SQLite database); check "
        "--db or KPIFLOW_DB.\n"
    )
    assert readme.read_bytes() == before
    assert main([command, *extra, "--db", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"kpiflow: {tmp_path} is a folder, not a warehouse; give the warehouse file with --db "
        f"or KPIFLOW_DB (such as {tmp_path / 'kpi.db'}).\n"
    )
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (text)").connection.close()
    # A backup copies any SQLite database; the others need the warehouse's tables.
    assert main([command, *extra, "--db", str(other)]) == (0 if command == "backup" else 2)
    table = "measurements" if command == "history" else "runs"
    expected = (
        f"kpiflow: {other} is an SQLite database but not a kpiflow warehouse (no such table: "
        f"{table}); check --db or KPIFLOW_DB.\n"
    )
    if command == "backup":
        assert capsys.readouterr().out == f"Backed up {other} to {extra[0]}\n"
    else:
        assert capsys.readouterr().err == expected


def test_backup_to_a_folder_that_does_not_exist(
    tmp_path: Path, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = tmp_path / "missing" / "kpi-backup.db"
    assert main(["backup", str(destination), "--db", str(warehouse)]) == 2
    assert capsys.readouterr().err == (
        f"kpiflow: the folder {tmp_path / 'missing'} does not exist; create it first or give "
        "another destination.\n"
    )
    assert main(["backup", str(tmp_path), "--db", str(warehouse)]) == 2
    assert capsys.readouterr().err == (
        f"kpiflow: {tmp_path} is a folder; give the backup's file name, such as "
        f"{tmp_path / 'kpi-backup.db'}.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_status_reads_without_writing(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = warehouse.read_bytes()
    assert main(["status", "--db", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("  dec.xlsx")
    assert warehouse.read_bytes() == before


def test_samples_into_a_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("notes")
    assert main(["samples", str(readme)]) == 2
    assert capsys.readouterr() == ("", (
        f"kpiflow: {readme} is a file, not a folder; give a folder for the sample returns (the "
        "default is inbox/).\n"
    ))  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "sentence"),
    [
        (["--cron", "every month"],
         "--cron must be five cron fields, minute hour day month weekday, such as '0 6 2 * *' "
         "(06:00 on the 2nd), not 'every month' (it has 2 fields)."),
        (["--cron", "0 6 31 13 *"],
         "--cron must be five cron fields, minute hour day month weekday, such as '0 6 2 * *' "
         "(06:00 on the 2nd), not '0 6 31 13 *' (month '13' is not 1-12)."),
        (["--poll-seconds", "-5"], "--poll-seconds must be a number of seconds above 0, not -5."),
        (["--poll-seconds", "0"], "--poll-seconds must be a number of seconds above 0, not 0."),
    ],
    ids=["cron-in-words", "cron-out-of-range", "negative-poll", "zero-poll"],
)  # fmt: skip
def test_serve_checks_its_options_before_starting_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], sentence: str
) -> None:
    args = ["--inbox", str(tmp_path / "inbox"), "--db", str(tmp_path / "kpi.db")]
    assert main(["serve", *args, *flags]) == 2
    assert capsys.readouterr() == ("", f"kpiflow: {sentence}\n")
    assert list(tmp_path.iterdir()) == []  # not even the inbox was made


def test_serve_checks_its_environment_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KPIFLOW_POLL_SECONDS", "often")
    assert main(["serve", "--inbox", str(tmp_path / "inbox")]) == 2
    assert capsys.readouterr().err == (
        "kpiflow: KPIFLOW_POLL_SECONDS must be a number of seconds above 0, not 'often'.\n"
    )
    monkeypatch.delenv("KPIFLOW_POLL_SECONDS")
    monkeypatch.setenv("KPIFLOW_SERVER_PORT", "99999")
    assert main(["serve", "--inbox", str(tmp_path / "inbox")]) == 2
    assert capsys.readouterr().err == (
        "kpiflow: KPIFLOW_SERVER_PORT must be a port number (1-65535), not '99999'.\n"
    )


def test_a_bad_setting_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "inbox").mkdir()
    monkeypatch.setenv("KPIFLOW_READER_TIMEOUT", "a minute")
    assert main(["run", "--plain", "--inbox", str(tmp_path / "inbox")]) == 2
    assert capsys.readouterr().err == (
        "kpiflow: KPIFLOW_READER_TIMEOUT must be a number of seconds above 0, not 'a minute'.\n"
    )


def test_a_bad_catalogue_is_named_by_file_line_and_kpi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "schemas" / "catalogue.toml").read_text(encoding="utf-8")
    bad = tmp_path / "catalogue.toml"
    bad.write_text(text.replace('unit = "percent"', 'unit = "percnt"', 1), encoding="utf-8")
    line = text.splitlines().index('unit = "percent"') + 1
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "dec.xlsx").write_bytes(b"")
    monkeypatch.setenv("KPIFLOW_CATALOGUE", str(bad))
    assert main(["run", "--plain", "--inbox", str(inbox), "--db", str(tmp_path / "kpi.db")]) == 2
    assert capsys.readouterr().err == (
        f"kpiflow: {bad}, line {line} (PSSP KPI STS-K-009): unit 'percnt' is not one of "
        "percent, days, count, score.\n"
    )
    assert (inbox / "dec.xlsx").is_file()
    assert not (tmp_path / "kpi.db").exists()


def test_validate_escapes_what_the_workbook_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([
        ["ICT KPI Performance"], [], list(ICT_HEADER),
        list(ict_row(7, "\x1b]0;title\x07")), list(ict_row(3, 91)),
    ])  # fmt: skip
    path = tmp_path / "dec\x1b[2J.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    assert lines[0] == (
        "dec\\x1b[2J.csv: 2 figures read from 1 tables; 1 errors, 19 warnings, 1 info"
    )
    assert lines[1] == (
        "error   value-unreadable             dec\\x1b[2J!H4 [\\x1b]0;title\\x07]: The value "
        "'\\x1b]0;title\\x07' for ICT KPI 7 for Dec-16 is neither a number nor a recognised "
        "marker."
    )
