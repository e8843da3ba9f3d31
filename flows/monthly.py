"""The Prefect flow: one run takes every ready file in the inbox, exactly once.

Flows orchestrate, functions compute: the loop is ``flows.runner.run_once``,
called inside one flow run, with one log line per file through the run's
logger (at INFO: served runs and ``kpiflow run --verbose`` keep it) and the
run summary published as artifacts. Files are not Prefect tasks: a task run
costs about 36 ms of CPU (the API calls and the events the server records),
as much as a file's own work, so Prefect's cost is paid once per inbox scan
and the UI shows a file's story in the run's table artifact and log.

The settings arrive as the flow's one ``settings`` parameter, the JSON-able
``Settings.parameters()`` (for a served deployment, stored with it), and are
rebuilt and checked inside: the flow never reads the environment for them.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext
from prefect.states import Failed

from core.catalogue import CatalogueError
from flows.errors import KpiflowProblem, UsageProblem
from flows.process import FileOutcome
from flows.runner import run_once
from flows.safe_text import shown
from flows.settings import Settings
from flows.summary import summary_markdown, summary_table


def _log_outcome(outcome: FileOutcome) -> None:
    get_run_logger().info(
        "file=%s status=%s rows_extracted=%d rows_loaded=%d errors=%d warnings=%d moved_to=%s",
        shown(outcome.file_name), outcome.status, outcome.rows_extracted, outcome.rows_loaded,
        outcome.errors, outcome.warnings, shown(outcome.destination),
    )  # fmt: skip


def _log_ref() -> str | None:
    """Where this run's log is: the Prefect flow run, by name and id."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return None
    return f"Prefect flow run '{context.flow_run.name}' ({context.flow_run.id})"


@flow(name="kpiflow-run", log_prints=False)
def run_inbox(settings: dict[str, str], only_if_ready: bool = False) -> Any:
    """Take every ready file in the inbox through the pipeline, then publish the summary.

    ``settings`` is ``Settings.parameters()``: each ``KPIFLOW_*`` variable's
    text (one left out takes its default). With ``only_if_ready`` (the inbox
    poll) a run that finds nothing to take returns at once and publishes
    nothing. A problem kpiflow can explain (a bad setting, a locked
    warehouse, an unwritable folder, a bad catalogue) ends the flow
    run ``Failed`` with its one sentence as the state's message (and the
    problem as its data, for ``kpiflow run`` to report), not a traceback.
    """
    try:
        built = Settings.from_parameters(settings)
        if only_if_ready and not inbox_has_work(built):
            get_run_logger().info("nothing new and stable in %s", built.inbox)
            return None
        result = run_once(built, after_file=_log_outcome, log_ref=_log_ref())
    except KpiflowProblem as problem:
        get_run_logger().error("%s", problem.sentence)
        return Failed(message=problem.sentence, data=problem)
    except CatalogueError as bad_catalogue:
        get_run_logger().error("%s", bad_catalogue)
        return Failed(message=str(bad_catalogue), data=UsageProblem(str(bad_catalogue)))
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
