"""One pass over the inbox, as a plain function the Prefect flow also uses.

``run_once`` adopts files of runs that died, claims every ready file,
hands each to ``process`` (by default ``flows.process.process_claimed``; the
flow passes a Prefect task) and records the run in the warehouse. ``kpiflow
run --plain`` calls it without Prefect.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from flows.crash import crash_point
from flows.inbox import ClaimArea, scan_inbox
from flows.process import FileOutcome, process_claimed
from flows.settings import Settings
from flows.summary import RunResult, write_run_summary
from schemas.catalogue import load_catalogue
from warehouse.db import open_warehouse
from warehouse.loader import record_run, sync_catalogue

log = logging.getLogger("kpiflow")

# process(claimed path, original name, settings, recovering) -> outcome
Process = Callable[[Path, str, Settings, bool], FileOutcome]


def process_with_warehouse(
    claimed: Path, original_name: str, settings: Settings, recovering: bool
) -> FileOutcome:
    """Process one claimed file with its own warehouse connection (safe in any thread)."""
    catalogue = load_catalogue(settings.catalogue)
    db = open_warehouse(settings.db)
    try:
        return process_claimed(
            claimed, original_name, catalogue, settings, db, recovering=recovering
        )
    finally:
        db.close()


def run_once(settings: Settings, process: Process = process_with_warehouse) -> RunResult:
    """Take every ready file in the inbox through ``process``; never the same file twice."""
    started = _now()
    db = open_warehouse(settings.db)
    try:
        sync_catalogue(db, load_catalogue(settings.catalogue))
    finally:
        db.close()
    outcomes: list[FileOutcome] = []
    ignored: list[str] = []
    waiting: list[str] = []
    settings.inbox.mkdir(parents=True, exist_ok=True)
    with ClaimArea(settings.inbox) as area:
        # Files a run that died had claimed come first: they arrived earlier.
        work = [(path, True) for path in area.adopt_orphans()]
        for path, _ in work:
            log.info("event=adopted file=%s reason=left by an interrupted run", path.name)
        for candidate in scan_inbox(settings.inbox, settings.stable_seconds):
            if not candidate.take:
                kind = ignored if candidate.why_not.startswith("ignored") else waiting
                kind.append(candidate.path.name)
                continue
            claimed = area.claim(candidate.path)
            if claimed is None:
                log.info("event=skipped file=%s reason=taken by another run", candidate.path.name)
                continue
            log.info("event=claimed file=%s", candidate.path.name)
            crash_point("after-claim")
            work.append((claimed, False))
        with _progress(len(work)) as advance:
            for path, recovering in work:
                outcomes.append(process(path, path.name, settings, recovering))
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
    db = open_warehouse(settings.db)
    try:
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
