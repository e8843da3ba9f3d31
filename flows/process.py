"""Process one claimed file end to end, as plain functions the flow orchestrates.

No Prefect here: ``kpiflow validate`` and the tests call these directly, and
``flows.monthly`` runs them inside one flow run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.catalogue import Catalogue
from core.checks import ANNOTATION_FAILED, NO_KPI_TABLE
from core.records import ExceptionRecord, sort_key
from extractors import UnreadableFile
from extractors.layout import layout_changes, layout_of
from flows.checked import Checked, row_key
from flows.crash import crash_point
from flows.inbox import safe_stem, settle, sha256_of
from flows.readahead import ReadFile, read_file
from flows.safe_text import kpiflow_logger
from flows.settings import Settings
from schemas.adapter import validate_observations
from schemas.rules import (
    Assessment,
    assess_extraction,
    check_restatements,
    not_assessable,
    without_findings_on_refused,
)

if TYPE_CHECKING:
    # Imported where used: ``kpiflow validate`` writes no report and no warehouse
    # row, and openpyxl, Jinja and sqlite-utils cost it a tenth of a second.
    import sqlite_utils

    from core.limits import Limits
    from reports import ExceptionState, HistoryPoint, MeasurementRow
    from warehouse.history import CurrentFigures
    from warehouse.loader import SubmissionRow

log = kpiflow_logger()


@dataclass(slots=True)
class FileOutcome:
    """How one file ended: recorded status, counts, where its outputs went."""

    file_name: str
    status: str
    reason: str = ""
    rows_extracted: int = 0
    rows_loaded: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    submission_id: int | None = None
    report_path: str | None = None
    destination: str = ""
    first_problem: str = ""


def check_file(
    path: Path,
    catalogue: Catalogue,
    settings: Settings,
    *,
    file_name: str | None = None,
    db: sqlite_utils.Database | None = None,
    read: ReadFile = read_file,
) -> Checked:
    """Extract, validate and assess one file; never raises for bad content.

    With ``db`` given, figures already loaded from earlier files are compared
    for restatements. ``read`` reads the file (a run passes its ``ReadAhead``).
    """
    name = file_name or path.name
    try:
        extraction = read(path, name, settings, catalogue.ref_book())
    except UnreadableFile as refused:
        record = refused.record(file=name)
        return Checked("", None, Assessment(), (record,), refused.reason, refused.code)
    records: list[ExceptionRecord] = list(extraction.problems)
    if not extraction.tables:
        # The first error says why no table could be used (no header at all,
        # or a Target/Actual table with no month).
        first = next((r for r in records if r.severity == "error"), None)
        reason = first.message if first else "No usable KPI table was found."
        code = first.code if first else NO_KPI_TABLE.code
        named = _named(records, name)
        return Checked(extraction.format, extraction, Assessment(), named, reason, code)
    schema_records = validate_observations(extraction.observations, catalogue)
    records.extend(schema_records)
    assessment = assess_extraction(extraction, catalogue, not_assessable(schema_records))
    records.extend(assessment.records)
    if db is not None:
        from warehouse.loader import current_values, previous_layouts

        previous = current_values(db, [a.key for a in assessment.assessed])
        records.extend(check_restatements(assessment.assessed, previous, name))
        layouts = layout_of(extraction)
        records.extend(layout_changes(previous_layouts(db, layouts), layouts))
    # A figure an error refuses is not judged (below target, restated): it was not taken.
    records = without_findings_on_refused(records)
    return Checked(extraction.format, extraction, assessment, _named(records, name))


def _named(records: list[ExceptionRecord], name: str) -> tuple[ExceptionRecord, ...]:
    return tuple(sorted((r.with_file(name) for r in records), key=sort_key))


def process_claimed(
    path: Path,
    original_name: str,
    catalogue: Catalogue,
    settings: Settings,
    db: sqlite_utils.Database,
    *,
    recovering: bool = False,
    read: ReadFile = read_file,
    history: CurrentFigures[HistoryPoint] | None = None,
) -> FileOutcome:
    """Take one claimed file to its end: warehouse rows, reports, and its final folder.

    ``history`` reads the trend charts' history from ``db`` (a run passes
    the one it keeps for all its files).
    """
    from flows.reporting import history_of
    from reports import ANNOTATABLE_FORMATS
    from reports.model import first_problem
    from warehouse.loader import (
        SubmissionRow,
        accepted_submission,
        coverage_of,
        load_submission,
        summary_rows,
    )

    sha256 = sha256_of(path)
    received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    if recovering:
        finished = _finish_interrupted(path, original_name, sha256, received_at, settings, db)
        if finished is not None:
            return finished
    earlier = accepted_submission(db, sha256)
    if earlier is not None:
        reason = (
            f"the same file (sha256 {sha256[:12]}) was loaded before as "
            f"'{earlier['file_name']}' (submission {earlier['id']})"
        )
        submission_id = load_submission(
            db,
            SubmissionRow(original_name, sha256, received_at, _now(), "duplicate", reason),
            [],
            [],
        )
        destination = settle(path, settings.processed, sha256, name=original_name)
        log.info("event=duplicate file=%s of_submission=%s", original_name, earlier["id"])
        return FileOutcome(
            original_name, "duplicate", reason, submission_id=submission_id,
            destination=str(destination),
        )  # fmt: skip

    checked = check_file(path, catalogue, settings, file_name=original_name, db=db, read=read)
    log.info(
        "event=extracted file=%s format=%s rows=%d exceptions=%d",
        original_name, checked.format, checked.rows_extracted, len(checked.records),
    )  # fmt: skip
    crash_point("after-extract", original_name)
    stem = f"{safe_stem(original_name)}-{sha256[:8]}"
    report_path = settings.reports / f"{stem}.html"
    annotated = (
        settings.reports / f"{stem}.annotated.{checked.format}"
        if checked.format in ANNOTATABLE_FORMATS and checked.records and not checked.rejected
        else None
    )
    if annotated is not None:
        annotated, checked = _annotate(
            path, original_name, checked, annotated, settings.reader_limits
        )
    all_rows = checked.rows(catalogue)
    rows = checked.clean(all_rows)
    counts = checked.counts()
    if checked.rejected:
        status = "rejected"
    elif counts["error"] or counts["warning"]:
        status = "loaded_with_exceptions"
    else:
        status = "loaded"
    n_extracted = checked.rows_extracted
    submission = SubmissionRow(
        file_name=original_name,
        sha256=sha256,
        received_at=received_at,
        processed_at=_now(),
        status=status,
        reason=checked.rejection,
        format=checked.format,
        rows_extracted=n_extracted,
        report_path=str(report_path),
    )
    # Reports first: a run killed before the load redoes them; one killed
    # after it finds them written and only has the move left to do.
    states = review_states(db, checked.records)
    _write_reports(
        checked, all_rows, submission, report_path, annotated, states,
        catalogue=catalogue, history=history or history_of(db), loaded=len(rows),
    )  # fmt: skip
    crash_point("after-reports", original_name)
    target_cells = checked.target_cells()
    try:
        submission_id = load_submission(
            db, submission, [_row_dict(r, target_cells) for r in rows], checked.records,
            coverage=coverage_of(checked.extraction),
            summaries=summary_rows(checked.extraction, catalogue),
            layouts=layout_of(checked.extraction) if checked.extraction else None,
        )  # fmt: skip
    except sqlite3.IntegrityError:
        # Another run loaded the same bytes under another name a moment ago.
        return process_claimed(
            path, original_name, catalogue, settings, db, read=read, history=history
        )
    log.info(
        "event=loaded file=%s submission=%s status=%s rows=%d errors=%d warnings=%d",
        original_name, submission_id, status, len(rows), counts["error"], counts["warning"],
    )  # fmt: skip
    crash_point("after-load", original_name)
    if checked.rejected:
        destination = settle(
            path, settings.rejected, sha256, reason=checked.rejection, name=original_name
        )
    else:
        destination = settle(path, settings.processed, sha256, name=original_name)
    log.info("event=moved file=%s to=%s", original_name, destination)
    return FileOutcome(
        file_name=original_name,
        status=status,
        reason=checked.rejection,
        rows_extracted=n_extracted,
        rows_loaded=len(rows),
        errors=counts["error"],
        warnings=counts["warning"],
        infos=counts["info"],
        submission_id=submission_id,
        report_path=str(report_path),
        destination=str(destination),
        first_problem=first_problem(checked.records),
    )


def _finish_interrupted(
    path: Path,
    name: str,
    sha256: str,
    received_at: str,
    settings: Settings,
    db: sqlite_utils.Database,
) -> FileOutcome | None:
    """Finish a file whose row an interrupted run already wrote; None if there is none.

    Only a file taken over from a run that stopped (or failed) can have one:
    the same bytes, name and modification time. It is moved where its row
    says, with the row's reason, and recorded nothing more.
    """
    from warehouse.loader import submission_of

    row = submission_of(db, sha256, name, received_at)
    if row is None:
        return None
    if row["status"] == "rejected":
        destination = settle(path, settings.rejected, sha256, reason=row["reason"], name=name)
    else:
        destination = settle(path, settings.processed, sha256, name=name)
    log.info("event=finished file=%s submission=%s to=%s", name, row["id"], destination)
    return FileOutcome(
        name, row["status"], row["reason"] or "finished moving after an interrupted run",
        rows_extracted=row["rows_extracted"] or 0, rows_loaded=row["rows_loaded"] or 0,
        errors=row["errors"] or 0, warnings=row["warnings"] or 0, submission_id=row["id"],
        report_path=row["report_path"] or None, destination=str(destination),
    )  # fmt: skip


def _annotate(
    source: Path, file_name: str, checked: Checked, dest: Path, limits: Limits
) -> tuple[Path | None, Checked]:
    """Write the annotated copy; if it cannot be written, say so in a record and go on.

    ``limits`` cap openpyxl's fallback round trip as they cap the readers.

    The copy is a convenience for the reviewer: the report and the warehouse
    name every problem's sheet and cell without it, so a workbook openpyxl
    cannot re-save (or a full disk) must not hold up the submission.
    """
    from reports import annotate_workbook

    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = annotate_workbook(
            source, checked.records, dest, source_format=checked.format, file_name=file_name,
            limits=limits,
        )  # fmt: skip
    except Exception as exc:
        log.warning("event=annotation-failed file=%s error=%r", file_name, exc)
        # An OSError's text names our own paths; the reviewer needs only the cause.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        note = ANNOTATION_FAILED.record(file=file_name, error=type(exc).__name__, reason=reason)
        return None, replace(checked, records=(*checked.records, note))
    if result.note is not None:
        # The copy holds the review sheet only: say why, in the report and the warehouse.
        return dest, replace(checked, records=(*checked.records, result.note.with_file(file_name)))
    return dest, checked


def _write_reports(
    checked: Checked,
    rows: list[MeasurementRow],
    submission: SubmissionRow,
    report_path: Path,
    annotated: Path | None,
    states: dict[str, ExceptionState] | None = None,
    *,
    catalogue: Catalogue,
    history: CurrentFigures[HistoryPoint] | None = None,
    loaded: int | None = None,
) -> None:
    from flows.reporting import read_history, submission_report
    from reports import write_exceptions_csv, write_submission_html

    report_path.parent.mkdir(parents=True, exist_ok=True)
    report = submission_report(
        checked, rows, file_name=submission.file_name, sha256=submission.sha256,
        received_at=submission.received_at, status=submission.status, catalogue=catalogue,
        history=read_history(
            history, {(r.contract, r.kpi_ref) for r in rows}, {r.period for r in rows}
        ),
        figures_loaded=loaded, annotated_copy=annotated.name if annotated else None,
        states=states,
    )  # fmt: skip
    write_submission_html(report, report_path)
    write_exceptions_csv(checked.records, report_path.with_suffix(".csv"), states)


def review_states(
    db: sqlite_utils.Database, records: tuple[ExceptionRecord, ...]
) -> dict[str, ExceptionState]:
    """Waivers standing for these problems (they carry over when the load commits)."""
    from reports import ExceptionState
    from warehouse.reviews import carried_waivers

    return {
        value: ExceptionState("waived", d.note, d.reviewer, d.at, carried_from=d.id)
        for value, d in carried_waivers(db, (r.fingerprint for r in records)).items()
    }


# Columns of ``measurements`` that a report row carries as they are.
_MEASUREMENT_COLUMNS = (
    "contract", "kpi_ref", "period", "target", "actual", "marker", "raw", "status",
    "supplier_status", "sheet", "cell",
)  # fmt: skip


def _row_dict(
    row: MeasurementRow, target_cells: dict[tuple[str, str, str], str]
) -> dict[str, object]:
    return {
        **{column: getattr(row, column) for column in _MEASUREMENT_COLUMNS},
        "target_cell": target_cells.get(row_key(row), ""),
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
