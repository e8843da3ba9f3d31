"""The ``kpiflow`` command line.

Heavy modules (pandas, pandera, openpyxl, Prefect) are imported inside the
commands that need them, so ``kpiflow --help`` is instant and
``kpiflow validate`` never imports Prefect.

Exit status: 0 when every file was loaded (warnings allowed); 1 when a file
was rejected or has errors; 2 for a usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.settings import Settings
    from flows.summary import RunResult

EXIT_OK, EXIT_ATTENTION, EXIT_USAGE = 0, 1, 2

EPILOG = """\
exit status:
  0  every file was loaded (with or without warnings)
  1  a file was rejected or has errors: read its report
  2  usage or configuration error

environment:
  KPIFLOW_INBOX, KPIFLOW_DB, KPIFLOW_REPORTS, KPIFLOW_CATALOGUE,
  KPIFLOW_STABLE_SECONDS, KPIFLOW_READER_TIMEOUT, KPIFLOW_READER_MEMORY_MB
  (flags win over the environment, the environment over the defaults)
"""


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
    _paths(run)
    run.add_argument(
        "--stable-seconds",
        type=float,
        help="leave files changed in the last N seconds for the next run (default 5)",
    )
    run.add_argument("--verbose", action="store_true", help="show Prefect's log lines")
    run.add_argument(
        "--plain",
        action="store_true",
        help="run without Prefect (same pipeline, no flow run, no server)",
    )

    validate = commands.add_parser(
        "validate",
        help="check one file and print what a run would report; writes nothing",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("file", type=Path)

    samples = commands.add_parser("samples", help="write the bundled sample returns")
    samples.add_argument("directory", type=Path, nargs="?", default=Path("inbox"))

    status = commands.add_parser("status", help="show the latest submissions")
    status.add_argument("--db", type=Path)
    status.add_argument("--limit", type=int, default=20)

    history = commands.add_parser("history", help="show one KPI's figures month by month")
    history.add_argument("kpi_ref")
    history.add_argument("--contract", choices=("PSSP", "ICT"))
    history.add_argument("--db", type=Path)

    serve = commands.add_parser(
        "serve",
        help="serve the monthly run and the inbox poll (a long-running Prefect deployment)",
    )
    _paths(serve)
    serve.add_argument("--cron", help="monthly run schedule (default '0 6 2 * *', Europe/London)")
    serve.add_argument(
        "--poll-seconds", type=float, help="how often to look in the inbox (default 300)"
    )

    backup = commands.add_parser(
        "backup", help="copy the warehouse safely while it is in use (SQLite online backup)"
    )
    backup.add_argument("destination", type=Path)
    backup.add_argument("--db", type=Path)

    commands.add_parser("init", help="prepare Prefect's local home (run once at set-up)")
    return parser


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inbox", type=Path, help="drop folder (default inbox/)")
    parser.add_argument("--db", type=Path, help="warehouse file (default warehouse/kpi.db)")
    parser.add_argument("--reports", type=Path, help="reports folder (default warehouse/reports/)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "validate":
            return _validate(args.file)
        if args.command == "samples":
            return _samples(args.directory)
        if args.command == "status":
            return _status(args.db, args.limit)
        if args.command == "history":
            return _history(args.kpi_ref, args.contract, args.db)
        if args.command == "serve":
            return _serve(args)
        if args.command == "backup":
            return _backup(args.destination, args.db)
        if args.command == "init":
            return _init()
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (OSError, ValueError) as problem:
        print(f"kpiflow: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def prepare_prefect(verbose: bool = False) -> None:
    """Point Prefect at a home inside the project and keep it quiet and offline.

    Must run before ``prefect`` is imported. Values already set in the
    environment are kept.
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
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def _run(args: argparse.Namespace) -> int:
    from flows.settings import Settings

    if args.stable_seconds is not None:
        os.environ["KPIFLOW_STABLE_SECONDS"] = str(args.stable_seconds)
    _log_to_stderr(args.verbose)
    settings = Settings.build(inbox=args.inbox, db=args.db, reports=args.reports)
    if not settings.inbox.is_dir():
        print(f"kpiflow: the inbox {settings.inbox} does not exist", file=sys.stderr)
        return EXIT_USAGE
    from extractors.sandbox import start_forkserver

    start_forkserver()
    if args.plain:
        from flows.runner import run_once

        result = run_once(settings)
    else:
        prepare_prefect(args.verbose)
        from flows.monthly import run_inbox

        ran = run_inbox(
            inbox=str(settings.inbox), db=str(settings.db), reports=str(settings.reports)
        )
        assert ran is not None
        result = ran
    _print_run(result, settings)
    return EXIT_ATTENTION if result.needs_attention() else EXIT_OK


def _log_to_stderr(verbose: bool) -> None:
    """Send kpiflow's own log lines to stderr (Prefect captures them too in a flow)."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("kpiflow")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def _print_run(result: RunResult, settings: Settings) -> None:
    from flows.summary import TABLE_COLUMNS, summary_table

    rows = [[str(row[c]) for c in TABLE_COLUMNS] for row in summary_table(result)]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title="kpiflow run")
        for column in TABLE_COLUMNS:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
    else:
        # Plain columns for logs and pipes: no box drawing, no wrapping.
        widths = [max(len(r[i]) for r in [list(TABLE_COLUMNS), *rows]) for i in range(6)]
        for row in [list(TABLE_COLUMNS), *rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not result.outcomes:
        print("No files were ready in the inbox.")
    if result.waiting:
        print(f"Left for the next run (still being written): {', '.join(result.waiting)}")
    print(f"Warehouse: {settings.db}")
    print(f"Reports:   {settings.reports}")


def _validate(path: Path) -> int:
    if not path.is_file():
        print(f"kpiflow: no such file: {path}", file=sys.stderr)
        return EXIT_USAGE
    from flows.readahead import read_early
    from flows.settings import Settings

    settings = Settings.build()
    # The file is read in a child forked now, on the other core, while pandas
    # and pandera load here.
    read = read_early(path, path.name, settings)
    from flows.process import check_file
    from schemas.catalogue import load_catalogue

    checked = check_file(path, load_catalogue(settings.catalogue), settings, read=read)
    counts = checked.counts()
    if checked.rejected:
        print(f"{path.name}: rejected: {checked.rejection}")
        return EXIT_ATTENTION
    tables = len(checked.extraction.tables) if checked.extraction else 0
    print(
        f"{path.name}: {checked.rows_extracted} figures read from {tables} tables; "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    )
    for record in checked.records:
        where = record.location or "-"
        value = f" [{record.value}]" if record.value else ""
        print(f"{record.severity:<7} {record.code:<28} {where}{value}: {record.message}")
    return EXIT_ATTENTION if counts["error"] else EXIT_OK


def _samples(directory: Path) -> int:
    from samples.generate import write_samples

    for path in write_samples(directory):
        print(path)
    return EXIT_OK


def _status(db_path: Path | None, limit: int) -> int:
    from flows.settings import Settings
    from warehouse.db import open_warehouse

    settings = Settings.build(db=db_path)
    db = open_warehouse(settings.db)
    print("Runs")
    print(f"{'id':>4}  {'started':<25} {'files':>5} {'loaded':>6} {'rejected':>8} "
          f"{'dup':>4} {'ignored':>7} {'err':>4} {'warn':>4}")  # fmt: skip
    for r in db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]):
        print(
            f"{r['id']:>4}  {r['started_at']:<25} {r['files']:>5} {r['loaded']:>6} "
            f"{r['rejected']:>8} {r['duplicates']:>4} {r['ignored']:>7} {r['errors']:>4} "
            f"{r['warnings']:>4}"
        )
    rows = db.query(
        "SELECT id, file_name, status, rows_loaded, errors, warnings, processed_at "
        "FROM submissions ORDER BY id DESC LIMIT ?",
        [limit],
    )
    print("\nSubmissions")
    print(f"{'id':>4}  {'processed':<25} {'status':<23} {'rows':>5} {'err':>4} {'warn':>4}  file")
    for r in rows:
        print(
            f"{r['id']:>4}  {r['processed_at']:<25} {r['status']:<23} {r['rows_loaded']:>5} "
            f"{r['errors']:>4} {r['warnings']:>4}  {r['file_name']}"
        )
    return EXIT_OK


def _history(kpi_ref: str, contract: str | None, db_path: Path | None) -> int:
    from flows.settings import Settings
    from warehouse.db import open_warehouse

    settings = Settings.build(db=db_path)
    db = open_warehouse(settings.db)
    sql = (
        "SELECT m.contract, m.period, m.actual, m.marker, m.raw, m.target, m.status, "
        "s.id AS submission, s.file_name, m.sheet, m.cell "
        "FROM measurements m JOIN submissions s ON s.id = m.submission_id "
        "WHERE m.kpi_ref = ? AND (? IS NULL OR m.contract = ?) "
        "ORDER BY m.contract, m.period, s.received_at, s.id"
    )
    rows = list(db.query(sql, [kpi_ref, contract, contract]))
    if not rows:
        print(f"No figures for KPI {kpi_ref} in {settings.db}.")
        return EXIT_OK
    previous: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["contract"], r["period"])
        note = f"  (restated; was {previous[key]})" if key in previous else ""
        previous[key] = r["raw"]
        print(
            f"{r['contract']:<5} {r['period']}  {r['raw']:<40.40} target {r['target']!s:<8} "
            f"{r['status']:<13} #{r['submission']} {r['file_name']} {r['sheet']}!{r['cell']}{note}"
        )
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from flows.serve import ServeOptions, serve
    from flows.settings import Settings

    _log_to_stderr(verbose=True)
    settings = Settings.build(inbox=args.inbox, db=args.db, reports=args.reports)
    options = ServeOptions.build(cron=args.cron, poll_seconds=args.poll_seconds)
    print(
        f"Serving kpiflow: inbox poll every {options.poll_seconds:g} s, monthly run "
        f"'{options.cron}' (Europe/London); Ctrl-C to stop.",
        flush=True,
    )
    # systemd stops services with SIGTERM: unwind like Ctrl-C so the local
    # Prefect server is stopped too.
    signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings, options)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _backup(destination: Path, db_path: Path | None) -> int:
    import sqlite3

    from flows.settings import Settings

    settings = Settings.build(db=db_path)
    if not settings.db.is_file():
        print(f"kpiflow: no warehouse at {settings.db}", file=sys.stderr)
        return EXIT_USAGE
    source = sqlite3.connect(settings.db)
    target = sqlite3.connect(destination)
    try:
        # The online backup API copies a consistent snapshot even while a run writes.
        source.backup(target)
    finally:
        target.close()
        source.close()
    print(f"Backed up {settings.db} to {destination}")
    return EXIT_OK


def _init() -> int:
    prepare_prefect()
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
