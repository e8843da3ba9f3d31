"""Settings: every knob declared once; flags, then environment, then defaults; one frozen
object built at the edge and passed down; the README table and the CLI help generated."""

from __future__ import annotations

import dataclasses
import os
import re
import sqlite3
from pathlib import Path

import pytest

from core.catalogue import DEFAULT_PATH
from core.limits import DEFAULT_LIMITS, MiB
from flows.cli import _parser, main
from flows.errors import UsageProblem
from flows.settings import Settings, cron_problem, environment_help, knobs, markdown_table
from tests.workbooks import ICT_HEADER, ict_row, write_table

ROOT = Path(__file__).resolve().parents[1]


def test_defaults() -> None:
    assert Settings.build(env={}) == Settings(
        inbox=Path("inbox"), db=Path("warehouse/kpi.db"), reports=Path("warehouse/reports"),
        catalogue=DEFAULT_PATH, stable_seconds=5.0, reader_timeout=60.0, reader_memory_mb=2048,
        busy_timeout=30.0, api_timeout=5.0, monthly_cron="0 6 2 * *", poll_seconds=300.0,
        server_port=4200,
    )  # fmt: skip


def test_environment_over_defaults_and_flags_over_environment() -> None:
    env = {"KPIFLOW_INBOX": "/srv/in", "KPIFLOW_DB": "/srv/kpi.db",
           "KPIFLOW_STABLE_SECONDS": "2.5", "KPIFLOW_READER_MEMORY_MB": "512"}  # fmt: skip
    from_env = Settings.build(env=env)
    assert (from_env.inbox, from_env.db, from_env.stable_seconds, from_env.reader_memory_mb) == (
        Path("/srv/in"), Path("/srv/kpi.db"), 2.5, 512,
    )  # fmt: skip
    flagged = Settings.build(env=env, inbox=Path("/tmp/in"), db=None, stable_seconds=0.0)
    assert (flagged.inbox, flagged.db, flagged.stable_seconds) == (
        Path("/tmp/in"), Path("/srv/kpi.db"), 0.0,
    )  # fmt: skip
    # An empty variable is an unset one.
    assert Settings.build(env={"KPIFLOW_INBOX": ""}).inbox == Path("inbox")


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().inbox = Path("elsewhere")  # type: ignore[misc]
    assert (Settings().processed, Settings().rejected) == (
        Path("inbox/processed"), Path("inbox/rejected"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "flags", "sentence"),
    [
        ({"KPIFLOW_STABLE_SECONDS": "soon"}, {},
         "KPIFLOW_STABLE_SECONDS must be a number of seconds, 0 or more, not 'soon'."),
        ({}, {"stable_seconds": -1.0},
         "--stable-seconds must be a number of seconds, 0 or more, not -1."),
        ({"KPIFLOW_READER_TIMEOUT": "0"}, {},
         "KPIFLOW_READER_TIMEOUT must be a number of seconds above 0, not '0'."),
        ({"KPIFLOW_READER_MEMORY_MB": "1.5"}, {},
         "KPIFLOW_READER_MEMORY_MB must be a whole number of MB above 0, not '1.5'."),
        ({"KPIFLOW_BUSY_TIMEOUT": "nan"}, {},
         "KPIFLOW_BUSY_TIMEOUT must be a number of seconds, 0 or more, not 'nan'."),
        ({"KPIFLOW_API_TIMEOUT": "-5"}, {},
         "KPIFLOW_API_TIMEOUT must be a number of seconds above 0, not '-5'."),
        ({"KPIFLOW_POLL_SECONDS": "inf"}, {},
         "KPIFLOW_POLL_SECONDS must be a number of seconds above 0, not 'inf'."),
        ({"KPIFLOW_SERVER_PORT": "0"}, {},
         "KPIFLOW_SERVER_PORT must be a port number (1-65535), not '0'."),
        ({"KPIFLOW_MONTHLY_CRON": "0 6 2 * * *"}, {},
         "KPIFLOW_MONTHLY_CRON must be five cron fields, minute hour day month weekday, such "
         "as '0 6 2 * *' (06:00 on the 2nd), not '0 6 2 * * *' (it has 6 fields)."),
        # The flag is named even when the environment is wrong too.
        ({"KPIFLOW_POLL_SECONDS": "often"}, {"poll_seconds": 0.0},
         "--poll-seconds must be a number of seconds above 0, not 0."),
    ],
    ids=["stable-env", "stable-flag", "reader-timeout-zero", "memory-fraction", "busy-nan",
         "api-negative", "poll-infinite", "port-zero", "cron-six-fields", "flag-over-env"],
)  # fmt: skip
def test_a_bad_value_is_a_usage_problem_naming_its_flag_or_variable(
    env: dict[str, str], flags: dict[str, float], sentence: str
) -> None:
    with pytest.raises(UsageProblem) as bad:
        Settings.build(env=env, **flags)
    assert (bad.value.sentence, bad.value.exit_status) == (sentence, 2)


def test_the_flow_parameter_round_trips_every_setting() -> None:
    changed = Settings(
        inbox=Path("/srv/in"), db=Path("/srv/kpi.db"), reports=Path("/srv/r"),
        catalogue=Path("/srv/catalogue.toml"), stable_seconds=0.25, reader_timeout=12.5,
        reader_memory_mb=512, busy_timeout=0.3, api_timeout=2.0, monthly_cron="30 7 3 * mon",
        poll_seconds=0.1, server_port=4300,
    )  # fmt: skip
    assert {getattr(changed, name) == getattr(Settings(), name) for name, _ in knobs()} == {False}
    parameters = changed.parameters()
    assert all(isinstance(text, str) for text in parameters.values())
    assert Settings.from_parameters(parameters) == changed
    assert Settings.from_parameters({}) == Settings()


def test_every_knob_is_named_for_its_field() -> None:
    assert [knob.env for _, knob in knobs()] == [f"KPIFLOW_{name.upper()}" for name, _ in knobs()]


def test_the_reader_limits_come_from_the_settings() -> None:
    limits = Settings(reader_timeout=2.5, reader_memory_mb=64).reader_limits
    assert limits == dataclasses.replace(
        DEFAULT_LIMITS, reader_timeout_s=2.5, reader_memory_bytes=64 * MiB
    )
    assert Settings().reader_limits == DEFAULT_LIMITS


#: (cron, kpiflow accepts it, Prefect accepts it). kpiflow takes the five standard fields
#: only: Prefect's extras (a seconds field, L, #, @monthly) are refused before Prefect
#: loads; what kpiflow accepts Prefect always does.
CRONS = [
    ("0 6 2 * *", True, True), ("*/15 * * * *", True, True), ("5/15 * * * *", True, True),
    ("0 9-17/2 * * mon-fri", True, True), ("0 0 1 jan,JUL *", True, True),
    ("5 4 * * 7", True, True), ("0 17-9 * * *", True, True), ("0 6 2-1 * *", True, True),
    ("every month", False, False), ("", False, False), ("60 * * * *", False, False),
    ("0 24 * * *", False, False), ("0 6 0 * *", False, False), ("0 6 2 13 *", False, False),
    ("0 6 2 * 8", False, False), ("*/0 * * * *", False, False),
    ("0 6 2 * funday", False, False),
    ("0 6 2 * * *", False, True), ("0 6 L * *", False, True), ("0 6 2 * 1#2", False, True),
    ("@monthly", False, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cron", "ours", "prefects"), CRONS, ids=[c or "empty" for c, _, _ in CRONS]
)
def test_the_cron_check_never_lets_through_what_prefect_refuses(
    cron: str, ours: bool, prefects: bool
) -> None:
    from prefect.schedules import Cron

    try:
        Cron(cron)
        prefect_accepts = True
    except ValueError:
        prefect_accepts = False
    assert (cron_problem(cron) is None, prefect_accepts) == (ours, prefects)


def test_readme_table_is_generated_from_the_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:start -->\n")[1].split("\n<!-- settings:end -->")[0]
    assert block == markdown_table()


def test_the_cli_help_is_generated_from_the_settings() -> None:
    parser = _parser()
    assert parser.epilog is not None and parser.epilog.endswith(environment_help())
    for name, knob in knobs():
        assert re.search(rf"^  {knob.env} ", parser.epilog, re.MULTILINE), name
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    flags = {
        action.dest: action.help
        for command in ("run", "serve", "status")
        for action in commands[command]._actions
    }
    assert flags["stable_seconds"] == (
        "leave files changed in the last N seconds for the next run (default 5; "
        "KPIFLOW_STABLE_SECONDS)"
    )
    assert flags["monthly_cron"] == (
        "serve: the monthly run's schedule (Europe/London) (default 0 6 2 * *; "
        "KPIFLOW_MONTHLY_CRON)"
    )


def test_nothing_below_the_edge_reads_or_sets_a_setting_in_the_environment() -> None:
    # Settings.build reads the environment by its knobs' names, never a literal one.
    reads = re.compile(r"""(environ\b[^\n]{0,12}|getenv\()\s*[\[(]?\s*["']KPIFLOW_""")
    readers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("core", "extractors", "schemas", "reports", "warehouse", "flows")
        for path in (ROOT / folder).rglob("*.py")
        if reads.search(path.read_text(encoding="utf-8"))
    )
    # crash.py: the test suite's fault injection (KPIFLOW_CRASH_AT), not a setting.
    assert readers == ["flows/crash.py"]


def test_the_cli_passes_its_flags_and_limits_down_without_touching_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # Three thousand rows: no reader, however warm, reads them in a millisecond.
    write_table(inbox / "dec.xlsx", ICT_HEADER, [ict_row(7, 58.89)] * 3000)
    monkeypatch.setattr(os, "environ", os.environ.copy())
    monkeypatch.delenv("KPIFLOW_STABLE_SECONDS", raising=False)
    # Timing out says the readers got the setting.
    monkeypatch.setenv("KPIFLOW_READER_TIMEOUT", "0.001")
    paths = ["--inbox", str(inbox), "--db", str(tmp_path / "kpi.db"),
             "--reports", str(tmp_path / "reports")]  # fmt: skip
    assert main(["run", "--plain", *paths, "--stable-seconds", "0"]) == 1
    assert "KPIFLOW_STABLE_SECONDS" not in os.environ
    capsys.readouterr()
    with sqlite3.connect(tmp_path / "kpi.db") as db:
        rows = db.execute("SELECT file_name, status, reason FROM submissions").fetchall()
    assert rows == [(
        "dec.xlsx", "rejected",
        "Reading the workbook took longer than 0.001 seconds, so it was stopped; the file may "
        "be far larger than it looks or built to stall software: open it in Excel, save it as "
        "a new .xlsx and send that.",
    )]  # fmt: skip
