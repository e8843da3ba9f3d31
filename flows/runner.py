"""One pass over the inbox, as a plain function the Prefect flow also uses.

``run_once`` adopts files of runs that died, claims every ready file,
takes each through ``flows.process.process_claimed`` and records the run in
the warehouse. ``kpiflow run --plain`` calls it without Prefect; the Prefect
flow calls it inside one flow run.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

from flows.crash import crash_point
from flows.inbox import ClaimArea, scan_inbox
from flows.process import FileOutcome, process_claimed
from flows.readahead import ReadAhead
from flows.settings import Settings
from flows.summary import RunResult, write_run_summary
from schemas.catalogue import load_catalogue
from warehouse.db import open_warehouse
from warehouse.loader import record_run, sync_catalogue

log = logging.getLogger("kpiflow")

BeforeFile = Callable[[str], None]
AfterFile = Callable[[FileOutcome], None]


def run_once(
    settings: Settings,
    *,
    before_file: BeforeFile | None = None,
    after_file: AfterFile | None = None,
) -> RunResult:
    """Take every ready file in the inbox through the pipeline; never the same file twice.

    One catalogue and one warehouse connection serve the whole run: what a
    run costs beyond its files is paid once per inbox scan. The next file is
    read while the current one is checked (``flows.readahead``). ``before_file``
    (given the file's name) and ``after_file`` (given its outcome) are called
    around each file: the Prefect flow logs through them, the benchmark
    times with them.
    """
    started = _now()
    catalogue = load_catalogue(settings.catalogue)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    db = open_warehouse(settings.db)
    try:
        sync_catalogue(db, catalogue)
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
                claimed = area.claim(candidate.path)
                if claimed is None:
                    log.info(
                        "event=skipped file=%s reason=taken by another run", candidate.path.name
                    )
                    continue
                log.info("event=claimed file=%s", candidate.path.name)
                crash_point("after-claim")
                work.append((claimed, False))
            with _progress(len(work)) as advance:
                for index, (path, recovering) in enumerate(work):
                    if before_file is not None:
                        before_file(path.name)
                    if index + 1 < len(work):
                        following = work[index + 1][0]
                        read.start(following, following.name, settings)
                    outcome = process_claimed(
                        path, path.name, catalogue, settings, db, recovering=recovering, read=read
                    )
                    outcomes.append(outcome)
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
