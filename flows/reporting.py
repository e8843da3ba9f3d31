"""Turn what the checks found into the plain data the report writers read.

``kpiflow run`` and ``kpiflow validate --html`` build a file's report the
same way here: the catalogue's words for each KPI (its target as the
contract writes it, and in plain words), the warehouse's history of those
KPIs for the trend charts, and how many figures were loaded. The reports
package never opens the warehouse; this module reads it for them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.catalogue import Catalogue, Kpi
from core.checks import ANNOTATION_REVIEW_ONLY
from schemas.expected import expected_text
from schemas.thresholds import bands_for

if TYPE_CHECKING:
    import sqlite_utils

    from flows.checked import Checked
    from reports import (
        ExceptionState,
        HistoryPoint,
        KpiInfo,
        MeasurementRow,
        SubmissionReport,
    )
    from warehouse.history import CurrentFigures

#: The columns a trend chart draws, in ``HistoryPoint``'s order.
_HISTORY_COLUMNS = (
    "contract", "kpi_ref", "period", "actual", "marker", "target", "status", "raw", "file_name",
)  # fmt: skip


def kpi_infos(catalogue: Catalogue, keys: Iterable[tuple[str, str]]) -> tuple[KpiInfo, ...]:
    """What the catalogue says about each (contract, ref) the file reports."""
    out = []
    for contract, ref in sorted(set(keys)):
        kpi = catalogue.get(contract, ref)
        if kpi is not None:
            out.append(_kpi_info(kpi))
    return tuple(out)


# Every file of a run asks after the same KPIs; the catalogue's entries do not change.
@lru_cache(maxsize=1024)
def _kpi_info(kpi: Kpi) -> KpiInfo:
    from reports import KpiInfo

    try:
        bands, problems = bands_for(
            kpi.target, kpi.detriment, kpi.failure,
            unit=kpi.unit, direction=kpi.direction,  # type: ignore[arg-type]
        )  # fmt: skip
        expected = "" if problems else expected_text(bands, kpi.unit)
    except ValueError:
        expected = ""
    return KpiInfo(
        contract=kpi.contract, ref=kpi.ref, description=kpi.description, unit=kpi.unit,
        direction=kpi.direction, target=kpi.target, detriment=kpi.detriment,
        failure=kpi.failure, expected=expected, profiled=kpi.profiled,
    )  # fmt: skip


def history_of(db: sqlite_utils.Database | None) -> CurrentFigures[HistoryPoint] | None:
    """What ``read_history`` reads the warehouse's trend history through (None: no warehouse).

    A run keeps one for all its files: it remembers what it read.
    """
    from reports import HistoryPoint
    from warehouse.history import CurrentFigures

    def point(row: tuple[Any, ...]) -> HistoryPoint:
        c, k, p, actual, marker, target, status, raw, f = row
        return HistoryPoint(
            c, k, p, actual, marker, target, status or "not_assessed", raw or "", f or ""
        )

    return None if db is None else CurrentFigures(db, _HISTORY_COLUMNS, point)


def read_history(
    history: CurrentFigures[HistoryPoint] | None,
    keys: Iterable[tuple[str, str]],
    periods: Iterable[str] = (),
) -> tuple[HistoryPoint, ...]:
    """The warehouse's current figures of these KPIs, as far back as a trend chart shows.

    ``periods`` are the file's months: a chart ends at the newest month it
    knows, so nothing older than the file's first month less the chart's
    window is read.
    """
    from reports.trend import WINDOW_MONTHS, month_index

    if history is None:
        return ()
    months = [m for m in (month_index(p) for p in periods) if m is not None]
    since = ""
    if months:
        first = min(months) - WINDOW_MONTHS
        since = f"{first // 12:04d}-{first % 12 + 1:02d}"
    return tuple(history.rows(keys, since))


def open_history_readonly(path: Path) -> sqlite_utils.Database | None:
    """The warehouse opened read-only for its history, or None when there is none yet."""
    import sqlite_utils

    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        db = sqlite_utils.Database(conn)
        if "measurements" not in db.table_names():
            conn.close()
            return None
    except sqlite3.Error:
        return None
    return db


def submission_report(
    checked: Checked,
    rows: Sequence[MeasurementRow],
    *,
    file_name: str,
    sha256: str,
    received_at: str,
    status: str,
    catalogue: Catalogue,
    history: tuple[HistoryPoint, ...] = (),
    figures_loaded: int | None = None,
    annotated_copy: str | None = None,
    states: Mapping[str, ExceptionState] | None = None,
) -> SubmissionReport:
    """The report data for one checked file."""
    from reports import SubmissionReport

    note = next((r.message for r in checked.records if r.code == ANNOTATION_REVIEW_ONLY.code), "")
    return SubmissionReport(
        file_name=file_name,
        sha256=sha256,
        received_at=received_at,
        status=status,
        reason=checked.rejection,
        source_format=checked.format or "unknown",
        measurements=tuple(rows),
        exceptions=checked.records,
        annotated_copy=annotated_copy,
        kpis=kpi_infos(
            catalogue,
            [(r.contract, r.kpi_ref) for r in rows]
            + [(r.contract, r.kpi_ref) for r in checked.records if r.kpi_ref],
        ),
        history=history,
        figures_loaded=figures_loaded,
        annotation_note=note,
        states=states or {},
    )
