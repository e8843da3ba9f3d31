"""The Prefect flow: one run takes every ready file in the inbox, exactly once.

Flows orchestrate, functions compute: each task here is a thin wrapper over
``flows.inbox`` and ``flows.process``. Prefect's own cost (the flow run, its
API calls) is paid once per inbox scan, plus one task run per file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.inbox import claim, claimed_files, scan_inbox
from flows.process import FileOutcome, process_claimed
from flows.settings import Settings
from flows.summary import RunResult, summary_markdown, summary_table, write_run_summary
from schemas.catalogue import load_catalogue
from warehouse.db import open_warehouse
from warehouse.loader import sync_catalogue


@task(name="process-file", retries=0)
def process_file_task(
    claimed: str, original_name: str, settings: Settings, recovering: bool
) -> FileOutcome:
    """Process one claimed file: extract, check, load, report, move."""
    logger = get_run_logger()
    catalogue = load_catalogue(settings.catalogue)
    db = open_warehouse(settings.db)
    try:
        logger.info("claimed %s", original_name)
        outcome = process_claimed(
            Path(claimed), original_name, catalogue, settings, db, recovering=recovering
        )
    finally:
        db.close()
    logger.info(
        "%s: %s; %d rows extracted, %d loaded, %d errors, %d warnings; moved to %s",
        outcome.file_name, outcome.status, outcome.rows_extracted, outcome.rows_loaded,
        outcome.errors, outcome.warnings, outcome.destination,
    )  # fmt: skip
    return outcome


@flow(name="kpiflow-run", log_prints=False)
def run_inbox(
    inbox: str | None = None, db: str | None = None, reports: str | None = None
) -> RunResult:
    """Take every ready file in the inbox through the pipeline, then publish the summary."""
    settings = Settings.build(inbox=inbox, db=db, reports=reports)
    logger = get_run_logger()
    started = datetime.now(UTC)
    warehouse = open_warehouse(settings.db)
    try:
        sync_catalogue(warehouse, load_catalogue(settings.catalogue))
    finally:
        warehouse.close()

    outcomes: list[FileOutcome] = []
    # Files a stopped run had claimed but not finished come first.
    for leftover in claimed_files(settings.inbox):
        logger.info("resuming %s left by an interrupted run", leftover.name)
        outcomes.append(process_file_task(str(leftover), leftover.name, settings, True))
    ignored: list[str] = []
    waiting: list[str] = []
    for candidate in scan_inbox(settings.inbox, settings.stable_seconds):
        if not candidate.take:
            (ignored if candidate.why_not.startswith("ignored") else waiting).append(
                candidate.path.name
            )
            continue
        claimed = claim(candidate.path)
        if claimed is None:
            logger.info("%s was taken by another run", candidate.path.name)
            continue
        outcomes.append(process_file_task(str(claimed), candidate.path.name, settings, False))

    result = RunResult(
        started_at=started.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        outcomes=tuple(outcomes),
        ignored=tuple(ignored),
        waiting=tuple(waiting),
    )
    summary_path = write_run_summary(result, settings.reports)
    create_markdown_artifact(
        markdown=summary_markdown(result, summary_path),
        key="kpiflow-run-summary",
        description="kpiflow run summary",
    )
    create_table_artifact(
        table=summary_table(result),
        key="kpiflow-run-files",
        description="Files taken by this run",
    )
    return result
