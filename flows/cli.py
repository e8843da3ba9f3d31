"""The ``kpiflow`` command line.

Heavy modules (pandas, pandera, openpyxl, Prefect) are imported inside the
commands that need them, so ``kpiflow --help`` is instant and
``kpiflow validate`` never imports Prefect.

Exit status: 0 when every file was loaded (warnings allowed); 1 when a file
was rejected, failed or has errors; 2 for a usage or configuration error; 3
when the machine stops the run (``flows.errors``). Problems are mapped to
their status here, at the edge (``main``), and said in one sentence; the
trace goes to the log with ``--verbose``. Below the edge, code raises typed
problems and returns nothing but a command's own 0 or 1.

The settings (``flows.settings``) are built once here, from the flags and
the environment, and passed down to every command; their flags and the
"environment:" help are generated from them.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.access import existing_warehouse, warehouse_read
from flows.errors import (
    EXIT_ATTENTION,
    EXIT_OK,
    EXIT_USAGE,
    EnvironmentProblem,
    KpiflowProblem,
    UsageProblem,
    disk_problem,
    environment_problem,
    folder_problem,
)
from flows.safe_text import kpiflow_logger, shown
from flows.settings import Settings, add_flags, environment_help, given_flags

if TYPE_CHECKING:
    from flows.summary import RunResult

EPILOG = """\
exit status:
  0  every file was loaded (with or without warnings)
  1  a file was rejected, failed or has errors: read its report
  2  usage or configuration error
  3  the machine stopped the run (warehouse locked, read-only or full, a folder
     not writable, Prefect unreachable); the files it had claimed wait for the next run

""" + environment_help()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpiflow",
        description="Load suppliers' monthly KPI returns into a SQLite warehouse, with "
        "exception reports a reviewer can read.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="process every ready file in the inbox (one Prefect flow run)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_flags(run, "inbox", "db", "reports", "stable_seconds")
    run.add_argument("--verbose", action="store_true", help="show Prefect's log lines")
    run.add_argument(
        "--plain",
        action="store_true",
        help="run without Prefect (same pipeline, no flow run, no server)",
    )

    validate = commands.add_parser(
        "validate",
        help="check one file and say what a run would report; loads nothing",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("file", type=Path)
    validate.add_argument(
        "--format", choices=("text", "json"), default="text",
        help="text lines (default) or one JSON document with a 'valid' flag",
    )  # fmt: skip
    validate.add_argument(
        "--html", type=Path, metavar="OUT", help="also write the HTML report a run would write"
    )

    samples = commands.add_parser("samples", help="write the bundled sample returns")
    samples.add_argument("directory", type=Path, nargs="?", default=Path("inbox"))

    status = commands.add_parser("status", help="show the latest submissions")
    add_flags(status, "db")
    status.add_argument("--limit", type=int, default=20)

    from flows import contracts

    history = commands.add_parser("history", help="show one KPI's figures month by month")
    history.add_argument("kpi_ref", help="a KPI ref in any case; quote it: 'R&B-K-009b'")
    history.add_argument("--contract", metavar="NAME", help=contracts.HELP)
    add_flags(history, "db")

    serve = commands.add_parser(
        "serve",
        help="serve the monthly run and the inbox poll (a long-running Prefect deployment)",
    )
    add_flags(serve, "inbox", "db", "reports", "monthly_cron", "poll_seconds")

    backup = commands.add_parser(
        "backup", help="copy the warehouse safely while it is in use (SQLite online backup)"
    )
    backup.add_argument("destination", type=Path)
    add_flags(backup, "db")

    commands.add_parser("init", help="prepare Prefect's local home (run once at set-up)")

    from flows import browse, pack, review

    review.add_arguments(
        commands.add_parser("review", help="list open exceptions; record a reviewer's decision")
    )
    pack.add_arguments(
        commands.add_parser("pack", help="write the committee pack (HTML and .xlsx) for a year "
                            "or a month")
    )  # fmt: skip
    browse.add_arguments(
        commands.add_parser("browse", help="open the warehouse read-only in Datasette (loopback)")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print(
            "kpiflow: interrupted; any file it had claimed stays claimed and the next run "
            "takes it.",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:
        problem = _explained(exc)
        if getattr(args, "verbose", False):
            kpiflow_logger().error("trace of: %s", problem.sentence, exc_info=exc)
        print(f"kpiflow: {problem.sentence}", file=sys.stderr)
        return problem.exit_status
    finally:
        _stop_logging_to_stderr()


def _command(args: argparse.Namespace) -> int:
    # These two take no settings: a bad KPIFLOW_* value does not stop them.
    if args.command == "samples":
        return _samples(args.directory)
    if args.command == "init":
        return _init()
    # Built once, here, and passed down: nothing below reads a KPIFLOW_* variable.
    settings = Settings.build(**given_flags(args))
    if args.command == "run":
        return _run(args, settings)
    if args.command == "validate":
        return _validate(args.file, settings, args.format, args.html)
    if args.command == "status":
        return _status(settings, args.limit)
    if args.command == "history":
        return _history(args.kpi_ref, args.contract, settings)
    if args.command == "serve":
        return _serve(settings)
    if args.command == "backup":
        return _backup(args.destination, settings)
    if args.command in ("review", "pack", "browse"):
        from importlib import import_module

        return int(import_module(f"flows.{args.command}").run(args, settings))
    return EXIT_USAGE


def _explained(exc: BaseException) -> KpiflowProblem:
    """The one-sentence problem ``exc`` stands for (exit status 1 for a kpiflow bug)."""
    from core.catalogue import CatalogueError

    if isinstance(exc, KpiflowProblem):
        return exc
    if isinstance(exc, CatalogueError):
        return UsageProblem(str(exc))
    if isinstance(exc, OSError) and exc.errno is not None:
        problem = environment_problem(exc, Path("?"))
        if problem is not None:
            return problem
    if type(exc).__module__.split(".")[0] in ("httpx", "httpcore"):
        return EnvironmentProblem(
            f"The Prefect API stopped answering ({type(exc).__name__}: {shown(exc)}); files "
            "already done are done and any file in progress stays claimed for the next run; "
            "run again, or run with --plain to run without Prefect."
        )
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return KpiflowProblem(
        f"internal error ({type(exc).__name__}{': ' + text if text else ''}); this is a bug "
        "in kpiflow: run again with --verbose for the trace and report it."
    )


def prepare_prefect(verbose: bool = False, console: bool = True) -> None:
    """Point Prefect at a home inside the project and keep it quiet and offline.

    Must run before ``prefect`` is imported. Values already set in the
    environment are kept. With ``console`` off (``kpiflow run`` without
    ``--verbose``) Prefect prints nothing on the terminal: kpiflow says what
    happened in its own table and sentences. Without ``verbose`` Prefect
    keeps only warnings and errors (its UI too); ``kpiflow serve`` keeps INFO.
    """
    from flows.settings import PROJECT_ROOT

    root = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()
    defaults = {
        "PREFECT_HOME": str(root / ".prefect"),
        # The temporary server needs longer than the default 20 s on 2 cores.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_EXTRA_LOGGERS": "kpiflow",
        "PREFECT_LOGGING_LEVEL": "INFO" if verbose else "WARNING",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "NOTSET" if console or verbose else "CRITICAL",
        # Prefect's own workers report on stderr through this one.
        "PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL": "NOTSET" if console or verbose else "CRITICAL",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    _log_to_stderr(args.verbose)
    if not settings.inbox.is_dir():
        raise UsageProblem(f"the inbox {settings.inbox} does not exist")
    from core.catalogue import load_catalogue

    # Everything a run needs is checked before anything starts, the cheap first.
    load_catalogue(settings.catalogue)
    if not args.plain:
        from flows.prefect_api import check_prefect

        prepare_prefect(args.verbose, console=False)
        check_prefect(settings.api_timeout)
    from core.sandbox import start_forkserver

    # The readers' process starts on the other core while pandas and pandera load.
    start_forkserver()
    from flows.runner import check_outputs

    check_outputs(settings)
    if args.plain:
        from flows.runner import run_once

        result = run_once(settings)
    else:
        result = _run_in_prefect(settings, args.verbose)
    _print_run(result, settings)
    return EXIT_ATTENTION if result.needs_attention() else EXIT_OK


def _run_in_prefect(settings: Settings, verbose: bool) -> RunResult:
    """One flow run against the configured API (checked) or a temporary server."""
    prepare_prefect(verbose, console=False)
    # One retry (after 2 s) rather than Prefect's five (a minute per call): an API
    # that went away fails the run in seconds, not minutes. A run needs the API only
    # at its start and its end, and a failed run is simply run again.
    os.environ.setdefault("PREFECT_CLIENT_MAX_RETRIES", "1")
    if not verbose:
        # Prefect's log shipper reports a lost API on stderr itself; the sentence says it.
        logging.raiseExceptions = False
    from flows.prefect_api import prefect_api

    with prefect_api(settings.api_timeout):
        from flows.monthly import run_inbox

        state: Any = run_inbox(settings=settings.parameters(), return_state=True)
        _flush_prefect_logs()
    if state.is_failed():
        failure = state.result(raise_on_failure=False)
        if isinstance(failure, BaseException):
            raise failure
        raise EnvironmentProblem(f"the Prefect flow run failed: {state.message}")
    result: RunResult = state.result()
    return result


def _flush_prefect_logs() -> None:
    """Send the run's last log lines while its API is still up."""
    from prefect.logging.handlers import APILogHandler

    with contextlib.suppress(Exception):
        APILogHandler().flush()


def _log_to_stderr(verbose: bool) -> None:
    """Send kpiflow's own log lines to stderr (Prefect captures them too in a flow)."""
    logger = kpiflow_logger()
    _stop_logging_to_stderr()
    handler = logging.StreamHandler()
    handler.kpiflow_cli = True  # type: ignore[attr-defined]
    form = "%(asctime)s %(levelname)s %(message)s"
    handler.setFormatter(logging.Formatter(form) if verbose else _OneLineFormatter(form))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def _stop_logging_to_stderr() -> None:
    """Remove the handler ``_log_to_stderr`` added (``main`` may run again in a process)."""
    logger = kpiflow_logger()
    for old in [h for h in logger.handlers if getattr(h, "kpiflow_cli", False)]:
        logger.removeHandler(old)
        logger.setLevel(logging.NOTSET)


class _OneLineFormatter(logging.Formatter):
    """Log lines without their traces: those are for --verbose and the Prefect UI."""

    def formatException(self, ei: Any) -> str:
        return ""


def _print_run(result: RunResult, settings: Settings) -> None:
    from flows.summary import TABLE_COLUMNS, summary_table

    rows = [[shown(row[c]) for c in TABLE_COLUMNS] for row in summary_table(result)]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title="kpiflow run")
        for column in TABLE_COLUMNS:
            table.add_column(column, overflow="fold")
        for row in rows:
            # Text, not markup: a file named "[red]x" is shown as it is.
            table.add_row(*(Text(cell) for cell in row))
        Console().print(table)
    else:
        # Plain columns for logs and pipes: no box drawing, no wrapping.
        widths = [max(len(r[i]) for r in [list(TABLE_COLUMNS), *rows]) for i in range(6)]
        for row in [list(TABLE_COLUMNS), *rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not result.outcomes:
        print("No files were ready in the inbox.")
    for outcome in result.outcomes:
        if outcome.status == "failed":
            print(f"{shown(outcome.file_name)}: {shown(outcome.reason)}")
    if result.waiting:
        waiting = ", ".join(shown(name) for name in result.waiting)
        print(f"Left for the next run (still being written): {waiting}")
    print(f"Warehouse: {settings.db}")
    print(f"Reports:   {settings.reports}")
    if result.summary_path:
        print(f"Summary:   {result.summary_path}")


def _validate(path: Path, settings: Settings, fmt: str = "text", html: Path | None = None) -> int:
    if not path.is_file():
        raise UsageProblem(f"no such file: {shown(path)}")
    from core.catalogue import load_catalogue
    from flows.readahead import read_early

    catalogue = load_catalogue(settings.catalogue)
    # The file is read in a child forked now, on the other core, while pandas
    # and pandera load here.
    read = read_early(path, path.name, settings, catalogue.ref_book())
    from flows.process import check_file

    checked = check_file(path, catalogue, settings, read=read)
    counts = checked.counts()
    status = EXIT_ATTENTION if checked.rejected or counts["error"] else EXIT_OK
    if html is not None:
        from flows.validate import write_html

        write_html(path, checked, catalogue, settings, html)
    if fmt == "json":
        from flows.validate import document, dumps

        print(dumps(document(path, checked, catalogue)))
        return status
    if html is not None:
        print(f"Report: {shown(html)}")
    name = shown(path.name)
    if checked.rejected:
        print(f"{name}: rejected: {shown(checked.rejection)}")
        return EXIT_ATTENTION
    tables = len(checked.extraction.tables) if checked.extraction else 0
    print(
        f"{name}: {checked.rows_extracted} figures read from {tables} tables; "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    )
    for record in checked.records:
        # Sheet names, cell text and messages quoting them come from the workbook.
        where = shown(record.location) or "-"
        value = f" [{shown(record.value)}]" if record.value else ""
        print(f"{record.severity:<7} {record.code:<28} {where}{value}: {shown(record.message)}")
    return status


def _samples(directory: Path) -> int:
    from samples.generate import write_samples

    if directory.exists() and not directory.is_dir():
        raise UsageProblem(
            f"{shown(directory)} is a file, not a folder; give a folder for the sample returns "
            "(the default is inbox/)."
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise folder_problem(exc, directory, "samples folder", "the command") from None
    for path in write_samples(directory):
        print(shown(path))
    return EXIT_OK


def _status(settings: Settings, limit: int) -> int:
    db = existing_warehouse(settings.db)
    with warehouse_read(settings.db):
        runs = list(db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))
        rows = list(
            db.query(
                "SELECT id, file_name, status, rows_loaded, errors, warnings, processed_at "
                "FROM submissions ORDER BY id DESC LIMIT ?",
                [limit],
            )
        )
    print("Runs")
    print(f"{'id':>4}  {'started':<25} {'files':>5} {'loaded':>6} {'rejected':>8} "
          f"{'dup':>4} {'ignored':>7} {'err':>4} {'warn':>4}")  # fmt: skip
    for r in runs:
        print(
            f"{r['id']:>4}  {r['started_at']:<25} {r['files']:>5} {r['loaded']:>6} "
            f"{r['rejected']:>8} {r['duplicates']:>4} {r['ignored']:>7} {r['errors']:>4} "
            f"{r['warnings']:>4}"
        )
    print("\nSubmissions")
    print(f"{'id':>4}  {'processed':<25} {'status':<23} {'rows':>5} {'err':>4} {'warn':>4}  file")
    for r in rows:
        print(
            f"{r['id']:>4}  {r['processed_at']:<25} {r['status']:<23} {r['rows_loaded']:>5} "
            f"{r['errors']:>4} {r['warnings']:>4}  {shown(r['file_name'])}"
        )
    return EXIT_OK


def _history(kpi_ref: str, contract: str | None, settings: Settings) -> int:
    from flows.history import show_history

    with warehouse_read(settings.db):
        return show_history(kpi_ref, contract, settings)


def _serve(settings: Settings) -> int:
    from flows.serve import check_schedules, serve

    _log_to_stderr(verbose=True)
    # Checked before anything starts: the settings (built), the schedules, the
    # catalogue, the folders. A served run is unattended: its log, each file's
    # line included, is its record in the Prefect UI and the service's journal.
    prepare_prefect(verbose=True)
    check_schedules(settings)
    from core.catalogue import load_catalogue
    from flows.runner import check_outputs

    load_catalogue(settings.catalogue)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    check_outputs(settings)
    from flows.prefect_api import check_prefect

    check_prefect(settings.api_timeout)
    print(
        f"Serving kpiflow: inbox poll every {settings.poll_seconds:g} s, monthly run "
        f"'{settings.monthly_cron}' (Europe/London); Ctrl-C to stop.",
        flush=True,
    )
    # systemd stops services with SIGTERM: unwind like Ctrl-C so the local
    # Prefect server is stopped too.
    signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _backup(destination: Path, settings: Settings) -> int:
    import sqlite3

    source = existing_warehouse(settings.db)
    if destination.is_dir():
        raise UsageProblem(
            f"{shown(destination)} is a folder; give the backup's file name, such as "
            f"{shown(destination / 'kpi-backup.db')}."
        )
    if not destination.parent.is_dir():
        raise UsageProblem(
            f"the folder {shown(destination.parent)} does not exist; create it first or give "
            "another destination."
        )
    if destination.exists() and destination.resolve() == settings.db.resolve():
        raise UsageProblem(f"{shown(destination)} is the warehouse itself; give another file.")
    try:
        target = sqlite3.connect(destination)
    except sqlite3.Error as exc:
        raise EnvironmentProblem(
            f"kpiflow cannot write the backup {shown(destination)} ({exc}); check that the "
            "folder is writable."
        ) from None
    try:
        # The online backup API copies a consistent snapshot even while a run writes.
        with warehouse_read(settings.db):
            source.conn.backup(target)
    except OSError as exc:
        raise disk_problem(exc) from None
    finally:
        target.close()
        source.close()
    print(f"Backed up {shown(settings.db)} to {shown(destination)}")
    return EXIT_OK


def _init() -> int:
    from flows.prefect_api import check_home

    prepare_prefect()
    check_home()
    # Creating the schema once here avoids racing migrations when several
    # first runs start together on an empty Prefect home.
    import asyncio

    from prefect.server.database import provide_database_interface

    async def migrate() -> None:
        db = provide_database_interface()
        await db.create_db()

    asyncio.run(migrate())
    print(f"Prefect home ready: {os.environ['PREFECT_HOME']}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
