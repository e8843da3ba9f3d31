"""What a run did, for people: the CLI table, the HTML page, Prefect artifacts."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flows.process import FileOutcome
from flows.safe_text import shown
from reports import RunRow, RunSummary, write_run_summary_html


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of one run over the inbox."""

    started_at: str
    finished_at: str
    outcomes: tuple[FileOutcome, ...] = ()
    ignored: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()
    summary_path: str = ""

    def needs_attention(self) -> bool:
        """True when a file was rejected, failed or loaded with errors (exit status 1)."""
        return any(o.status in ("rejected", "failed") or o.errors for o in self.outcomes)

    def as_summary(self) -> RunSummary:
        return RunSummary(
            started_at=self.started_at,
            finished_at=self.finished_at,
            rows=tuple(
                RunRow(
                    file_name=o.file_name,
                    status=o.status,
                    rows_loaded=o.rows_loaded,
                    errors=o.errors,
                    warnings=o.warnings,
                    report_path=o.report_path,
                    reason=o.reason,
                    infos=o.infos,
                    first_problem=o.first_problem,
                )
                for o in self.outcomes
            ),
            ignored=len(self.ignored),
            ignored_names=self.ignored,
        )


def write_run_summary(result: RunResult, reports: Path) -> Path:
    """Write the run's HTML summary next to the reports; return its path."""
    stamp = result.started_at.replace(":", "").replace("-", "").replace("+0000", "Z")
    # Two runs can start in the same second: the process id keeps them apart.
    path = reports / f"run-{stamp}-{os.getpid()}.html"
    reports.mkdir(parents=True, exist_ok=True)
    summary = result.as_summary()
    # Report paths are as the run named them (often relative to where it was
    # started): make them absolute so the page links them relative to itself.
    rows = tuple(
        replace(row, report_path=str(Path(row.report_path).resolve())) if row.report_path else row
        for row in summary.rows
    )
    write_run_summary_html(replace(summary, rows=rows), path)
    return path


TABLE_COLUMNS = ("file", "status", "rows", "errors", "warnings", "report")


def summary_table(result: RunResult) -> list[dict[str, Any]]:
    """One row per file, as the CLI and the Prefect table artifact show them.

    Names are shown with control characters escaped: a newline in a file
    name must not make a second row.
    """
    return [
        {
            "file": shown(o.file_name),
            "status": o.status,
            "rows": o.rows_loaded,
            "errors": o.errors,
            "warnings": o.warnings,
            "report": shown(o.report_path or ""),
        }
        for o in result.outcomes
    ]


def summary_markdown(result: RunResult) -> str:
    """The run summary as Markdown for the Prefect UI."""
    summary = result.as_summary()
    severities = summary.exceptions_by_severity()
    lines = [
        "# kpiflow run",
        "",
        f"Files seen: {summary.seen}; loaded: {summary.loaded}; rejected: {summary.rejected}; "
        f"duplicates: {summary.duplicates}; ignored: {summary.ignored}; "
        f"waiting (still being written): {len(result.waiting)}.",
        "",
        f"Exceptions: {severities['error']} errors, {severities['warning']} warnings, "
        f"{severities['info']} info.",
        "",
        "| file | status | rows | errors | warnings | reason or first problem |",
        "|---|---|---|---|---|---|",
    ]
    pairs = zip(summary.rows, result.outcomes, strict=True)
    for _, o in sorted(pairs, key=lambda pair: pair[0].severity_rank):
        name = shown(o.file_name).replace("|", "\\|")
        reason = shown(o.reason or o.first_problem).replace("|", "\\|")
        lines.append(
            f"| {name} | {o.status} | {o.rows_loaded} | {o.errors} | {o.warnings} | {reason} |"
        )
    if result.summary_path:
        lines += ["", f"Summary page: `{result.summary_path}`"]
    return "\n".join(lines) + "\n"
