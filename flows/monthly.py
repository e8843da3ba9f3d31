"""The Prefect flow: one run takes every ready file in the inbox, exactly once.

Flows orchestrate, functions compute: the loop is ``flows.runner.run_once``,
called inside one flow run, with one log line per file through the run's
logger and the run summary published as artifacts. Files are not Prefect
tasks: a task run costs about 36 ms of CPU (the API calls and the events the
server records), as much as a file's own work, so Prefect's cost is paid once
per inbox scan and the UI shows a file's story in the run's logs and its
table artifact.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.process import FileOutcome
from flows.runner import run_once
from flows.settings import Settings
from flows.summary import RunResult, summary_markdown, summary_table


def _log_outcome(outcome: FileOutcome) -> None:
    get_run_logger().info(
        "file=%s status=%s rows_extracted=%d rows_loaded=%d errors=%d warnings=%d moved_to=%s",
        outcome.file_name, outcome.status, outcome.rows_extracted, outcome.rows_loaded,
        outcome.errors, outcome.warnings, outcome.destination,
    )  # fmt: skip


@flow(name="kpiflow-run", log_prints=False)
def run_inbox(
    inbox: str | None = None,
    db: str | None = None,
    reports: str | None = None,
    only_if_ready: bool = False,
) -> RunResult | None:
    """Take every ready file in the inbox through the pipeline, then publish the summary.

    With ``only_if_ready`` (the inbox poll) a run that finds nothing to take
    returns at once and publishes nothing.
    """
    settings = Settings.build(inbox=inbox, db=db, reports=reports)
    if only_if_ready and not inbox_has_work(settings):
        get_run_logger().info("nothing new and stable in %s", settings.inbox)
        return None
    result = run_once(settings, after_file=_log_outcome)
    create_markdown_artifact(
        markdown=summary_markdown(result),
        key="kpiflow-run-summary",
        description="kpiflow run summary",
    )
    create_table_artifact(
        table=summary_table(result),
        key="kpiflow-run-files",
        description="Files taken by this run",
    )
    return result


def inbox_has_work(settings: Settings) -> bool:
    """True when a file is ready to take or a dead run left claimed files behind."""
    from flows.inbox import CLAIMED, scan_inbox

    if any(c.take for c in scan_inbox(settings.inbox, settings.stable_seconds)):
        return True
    claimed = settings.inbox / CLAIMED
    return claimed.is_dir() and any(p.is_dir() and any(p.iterdir()) for p in claimed.iterdir())
