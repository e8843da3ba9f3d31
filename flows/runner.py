"""One pass over the inbox, as a plain function the Prefect flow also uses.

``run_once`` adopts files of runs that died, claims every ready file,
takes each through ``flows.process.process_claimed`` and records the run in
the warehouse. ``kpiflow run --plain`` calls it without Prefect; the Prefect
flow calls it inside one flow run.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.catalogue import Catalogue, load_catalogue
from flows.crash import crash_point
from flows.errors import environment_problem, folder_problem
from flows.failures import file_failed, settled
from flows.heap import sparing_long_lived
from flows.inbox import CLAIMED, ClaimArea, scan_inbox
from flows.process import FileOutcome, process_claimed
from flows.readahead import ReadAhead, ReadFile
from flows.reporting import history_of
from flows.safe_text import kpiflow_logger
from flows.settings import Settings
from flows.summary import RunResult, write_run_summary
from warehouse.db import open_warehouse
from warehouse.loader import record_run, sync_catalogue

if TYPE_CHECKING:
    import sqlite_utils

    from reports import HistoryPoint
    from warehouse.history import CurrentFigures

log = kpiflow_logger()

BeforeFile = Callable[[str], None]
AfterFile = Callable[[FileOutcome], None]


def check_outputs(settings: Settings, warehouse: bool = True) -> None:
    """Make sure a run can write where it must, before it claims anything.

    The inbox (for its claim area), the reports folder and, with
    ``warehouse``, the warehouse (opened, made if new, and written to under
    the busy timeout). Raises an ``EnvironmentProblem`` or ``UsageProblem``
    naming the path.
    """
    for folder, named, what, flag in (
        (settings.inbox / CLAIMED, settings.inbox, "inbox", "--inbox or KPIFLOW_INBOX"),
        (settings.reports, settings.reports, "reports folder", "--reports or KPIFLOW_REPORTS"),
        (settings.db.parent, settings.db.parent, "warehouse's folder", "--db or KPIFLOW_DB"),
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".kpiflow-probe-"):
                pass
        except OSError as exc:
            raise folder_problem(exc, named, what, flag) from exc
    if not warehouse:
        return
    try:
        open_warehouse(settings.db, settings.busy_timeout).close()
    except (sqlite3.Error, OSError) as exc:
        problem = environment_problem(exc, settings.db, settings.busy_timeout)
        if problem is None:
            raise
        raise problem from exc


def run_once(
    settings: Settings,
    *,
    before_file: BeforeFile | None = None,
    after_file: AfterFile | None = None,
    log_ref: str | None = None,
) -> RunResult:
    """Take every ready file in the inbox through the pipeline; never the same file twice.

    One catalogue and one warehouse connection serve the whole run: what a
    run costs beyond its files is paid once per inbox scan. The next file is
    read while the current one is checked (``flows.readahead``). ``before_file``
    (given the file's name) and ``after_file`` (given its outcome) are called
    around each file: the Prefect flow logs through them, the benchmark
    times with them. ``log_ref`` names where this run's log is (the Prefect
    flow run); a failed file's reason points there.

    A file kpiflow fails on is that file's outcome (``flows.failures``); a
    problem of the machine (a locked or full warehouse, an unwritable folder)
    stops the run with an ``EnvironmentProblem``, leaving the file it was on
    claimed for the next run.
    """
    try:
        return _run(settings, before_file, after_file, log_ref)
    except (sqlite3.Error, OSError) as exc:
        problem = environment_problem(exc, settings.db, settings.busy_timeout)
        if problem is None:
            raise
        raise problem from exc


def _run(
    settings: Settings,
    before_file: BeforeFile | None,
    after_file: AfterFile | None,
    log_ref: str | None,
) -> RunResult:
    started = _now()
    catalogue = load_catalogue(settings.catalogue)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    check_outputs(settings, warehouse=False)
    db = open_warehouse(settings.db, settings.busy_timeout)
    try:
        sync_catalogue(db, catalogue)
        # One for the run: each file's trend charts read what the one before read.
        history = history_of(db)
        outcomes: list[FileOutcome] = []
        ignored: list[str] = []
        waiting: list[str] = []
        with ClaimArea(settings.inbox) as area, ReadAhead(catalogue.ref_book()) as read:
            # Files a run that died had claimed come first: they arrived earlier.
            work = [(path, True) for path in area.adopt_orphans()]
            for path, _ in work:
                log.info("event=adopted file=%s reason=left by an interrupted run", path.name)
            for candidate in scan_inbox(settings.inbox, settings.stable_seconds):
                if not candidate.take:
                    kind = ignored if candidate.why_not.startswith("ignored") else waiting
                    kind.append(candidate.path.name)
                    continue
                if area.holds(candidate.path.name):
                    log.warning(
                        "event=deferred file=%s reason=a file of the same name is already in "
                        "this run; the next run takes it", candidate.path.name,
                    )  # fmt: skip
                    continue
                claimed = area.claim(candidate.path)
                if claimed is None:
                    log.info(
                        "event=skipped file=%s reason=taken by another run", candidate.path.name
                    )
                    continue
                log.info("event=claimed file=%s", candidate.path.name)
                crash_point("after-claim", candidate.path.name)
                work.append((claimed, False))
            reference = log_ref or f"kpiflow run {area.run_id}"
            with _progress(len(work)) as advance, sparing_long_lived() as spare:
                for index, (path, recovering) in enumerate(work):
                    if before_file is not None:
                        before_file(path.name)
                    if index + 1 < len(work):
                        following = work[index + 1][0]
                        read.start(following, following.name, settings)
                    outcome = _one_file(
                        path, recovering, catalogue, settings, db, read, area, reference, history
                    )
                    outcomes.append(outcome)
                    # The first file has loaded every module a file needs.
                    spare()
                    if after_file is not None:
                        after_file(outcome)
                    advance()
        result = RunResult(
            started_at=started,
            finished_at=_now(),
            outcomes=tuple(outcomes),
            ignored=tuple(ignored),
            waiting=tuple(waiting),
        )
        summary_path = write_run_summary(result, settings.reports)
        result = replace(result, summary_path=str(summary_path))
        summary = result.as_summary()
        severities = summary.exceptions_by_severity()
        record_run(
            db,
            started_at=result.started_at,
            finished_at=result.finished_at,
            files=summary.seen,
            loaded=summary.loaded,
            rejected=summary.rejected,
            duplicates=summary.duplicates,
            ignored=summary.ignored,
            errors=severities["error"],
            warnings=severities["warning"],
            summary_path=str(summary_path),
        )
    finally:
        db.close()
    return result


def _one_file(
    path: Path,
    recovering: bool,
    catalogue: Catalogue,
    settings: Settings,
    db: sqlite_utils.Database,
    read: ReadFile,
    area: ClaimArea,
    log_ref: str,
    history: CurrentFigures[HistoryPoint] | None,
) -> FileOutcome:
    """One file's outcome: what ``process_claimed`` made of it, or ``failed``.

    Only a problem of the machine escapes, stopping the run.
    """
    try:
        outcome = process_claimed(
            path, path.name, catalogue, settings, db, recovering=recovering, read=read,
            history=history,
        )  # fmt: skip
    except Exception as exc:
        problem = environment_problem(exc, settings.db, settings.busy_timeout)
        if problem is not None:
            raise problem from exc
        return file_failed(
            path, path.name, exc, settings, db, claims=area.root, run=area.run_id,
            log_ref=log_ref,
        )  # fmt: skip
    settled(area.root, path.name, outcome.destination)
    return outcome


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar for long runs on a terminal; silent in logs and pipes."""
    if total < 10 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("Processing returns", total=total)
        yield lambda: progress.advance(task)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
