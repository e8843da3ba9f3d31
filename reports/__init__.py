"""Reports for contract officers: HTML pages, an exceptions CSV, annotated workbooks."""

from reports.annotate import ANNOTATABLE_FORMATS, annotate_workbook
from reports.csv_export import EXCEPTION_COLUMNS, neutralise, write_exceptions_csv
from reports.html import (
    render_run_summary_html,
    render_submission_html,
    write_run_summary_html,
    write_submission_html,
)
from reports.model import (
    ExceptionState,
    HistoryPoint,
    KpiInfo,
    MeasurementRow,
    RunRow,
    RunSummary,
    SubmissionReport,
)

__all__ = [
    "ANNOTATABLE_FORMATS",
    "EXCEPTION_COLUMNS",
    "ExceptionState",
    "HistoryPoint",
    "KpiInfo",
    "MeasurementRow",
    "RunRow",
    "RunSummary",
    "SubmissionReport",
    "annotate_workbook",
    "neutralise",
    "render_run_summary_html",
    "render_submission_html",
    "write_exceptions_csv",
    "write_run_summary_html",
    "write_submission_html",
]
