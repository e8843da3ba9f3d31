"""Find KPI tables and summary tables in a sheet by what their headers mean.

Suppliers move things about: title blocks of any height, group headers over
the real header, columns in any order and under different names, months as
dates or text. The locator reads each row's cells as header roles and keeps
the rows that look like a KPI header (a reference column plus months or an
actual column) or a summary header (service area plus monthly counts).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from core.periods import month_of_target, month_only, period_of
from extractors.grid import CellData, SheetGrid

# Role names a header cell can take. Months are handled apart.
REF, AREA, DESCRIPTION, FREQUENCY, CRITERIA = "ref", "area", "description", "frequency", "criteria"
TARGET, DETRIMENT, FAILURE, NOTES, ACTUAL = "target", "detriment", "failure", "notes", "actual"
RAG, PERIOD, YTD, YEAR = "rag", "period", "ytd", "year"

_EXACT: dict[str, str] = {
    "performance measure ref": REF, "kpi ref": REF, "ref": REF, "ref no": REF,
    "kpi no": REF, "kpi number": REF, "measure ref": REF, "reference": REF,
    "kpi reference": REF, "pi ref": REF, "kpi id": REF,
    "service area": AREA, "service": AREA, "area": AREA,
    "description": DESCRIPTION, "kpi description": DESCRIPTION, "measure": DESCRIPTION,
    "measure description": DESCRIPTION, "performance measure": DESCRIPTION,
    "kpi name": DESCRIPTION, "indicator": DESCRIPTION,
    "measure frequency": FREQUENCY, "frequency": FREQUENCY, "reporting frequency": FREQUENCY,
    "measure criteria": CRITERIA, "unit": CRITERIA, "units": CRITERIA, "criteria": CRITERIA,
    "unit of measure": CRITERIA,
    "target": TARGET, "performance target": TARGET, "target value": TARGET,
    "detriment": DETRIMENT, "detriment level": DETRIMENT,
    "failure": FAILURE, "failure level": FAILURE,
    "notes": NOTES, "note": NOTES, "comments": NOTES, "comment": NOTES, "commentary": NOTES,
    "actual": ACTUAL, "actual performance": ACTUAL, "result": ACTUAL,
    "indicator code": REF, "kpi code": REF, "measure code": REF, "pi code": REF, "code": REF,
    "kpi": REF, "pi": REF, "indicator ref": REF,
    "value": ACTUAL, "actual value": ACTUAL, "outturn": ACTUAL, "performance": ACTUAL,
    "rag": RAG, "rag status": RAG, "rag rating": RAG, "status": RAG, "red amber green": RAG,
    "period": PERIOD, "month": PERIOD, "reporting period": PERIOD, "reporting month": PERIOD,
    "date": PERIOD, "year month": PERIOD,
    "year": YEAR, "financial year": YEAR, "fy": YEAR, "fin year": YEAR, "calendar year": YEAR,
    "ytd": YTD, "year to date": YTD, "cumulative": YTD, "ytd actual": YTD,
    "tgt": TARGET, "targets": TARGET, "act": ACTUAL, "actuals": ACTUAL, "result achieved": ACTUAL,
}  # fmt: skip

LOOKED_FOR = (
    "a header row with a KPI reference column (e.g. 'Performance Measure Ref', 'KPI Ref', "
    "'Ref') and month columns (e.g. 'Sep-16') or a Target/Actual pair"
)

# A KPI reference holds a digit and no spaces: "R&B-K-009a", "STS-K-009", "7".
_REF = re.compile(r"^[A-Za-z0-9&]+(?:[-./][A-Za-z0-9&]+)*$")


def header_text(value: Any) -> str:
    """Normalise a header cell for matching: lower case, words only."""
    if not isinstance(value, str):
        return ""
    if len(value) <= 100:
        return _header_text_cached(value)
    return _header_text(value)


def _header_text(value: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", value.lower()).split())


_NOT_WORD = re.compile(r"[^a-z0-9&]+")
# The locator reads the same labels in every row, table and file; short ones are
# remembered (a bounded number: a warm reader's memory does not grow with its files).
_header_text_cached = functools.lru_cache(maxsize=8192)(_header_text)


def role_of(value: Any) -> str | None:
    """The role a header cell names ("KPI Ref" -> ref, "RAG" -> rag), or None."""
    return _role_of_text(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=8192)
def _role_of_text(value: str) -> str | None:
    text = header_text(value)
    role = _EXACT.get(text)
    if role is None and text.endswith(" ref"):
        role = REF
    return role


def normalise_ref(value: Any) -> str:
    """Return a KPI reference as text: 7.0 -> "7", " R&B-K-001 " -> "R&B-K-001"."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def looks_like_ref(text: str) -> bool:
    """True for text shaped like a KPI reference (has a digit, no spaces, short)."""
    return (
        bool(text) and len(text) <= 24 and any(c.isdigit() for c in text) and bool(_REF.match(text))
    )


@dataclass(frozen=True, slots=True)
class MonthColumns:
    """The cells of one reported month: where its actual and its own target sit."""

    period: str
    actual_col: int
    target_col: int | None = None


@dataclass(slots=True)
class KpiHeader:
    """A located KPI table header: roles by column, and the month columns."""

    row: int
    roles: dict[str, int] = field(default_factory=dict)
    months: list[MonthColumns] = field(default_factory=list)
    # A lone Target/Actual pair whose month is elsewhere (title, file name).
    needs_period: bool = False


@dataclass(frozen=True, slots=True)
class SummaryColumn:
    """One count column of a summary table: month number and what it counts."""

    col: int
    month: int
    kind: str  # "indicators" or "hits"


@dataclass(slots=True)
class SummaryHeader:
    """A located summary table: service area column and monthly count columns."""

    row: int
    area_col: int
    columns: list[SummaryColumn] = field(default_factory=list)


def classify_kpi_header(row: int, cells: list[CellData]) -> KpiHeader | None:
    """Return the KPI header this row holds, or None when it is not one."""
    if not any(role_of(cell.value) == REF for cell in cells):
        # No cell can give the ref role below: most rows, asked without reading months.
        return None
    header = KpiHeader(row=row)
    target_months: dict[int, int] = {}
    actual_months: list[tuple[int, str]] = []
    for cell in cells:
        period = period_of(cell.value)
        if period is not None:
            actual_months.append((cell.col, period))
            continue
        month = month_of_target(cell.value)
        if month is not None:
            target_months.setdefault(month, cell.col)
            continue
        role = role_of(cell.value)
        if role is not None:
            header.roles.setdefault(role, cell.col)
    if REF not in header.roles:
        return None
    for col, period in actual_months:
        month = int(period[5:])
        target_col = target_months.get(month)
        # A month's own target column stands to the left of its actual.
        if target_col is not None and target_col > col:
            target_col = None
        header.months.append(MonthColumns(period, col, target_col))
    if not header.months:
        if ACTUAL not in header.roles:
            return None
        header.needs_period = True
    return header


def classify_summary_header(row: int, cells: list[CellData]) -> SummaryHeader | None:
    """Return the summary header this row holds ("Service Area", "Sept Hit"...), or None."""
    area_col = None
    columns: list[SummaryColumn] = []
    last_month: int | None = None
    for cell in cells:
        text = header_text(cell.value)
        if _EXACT.get(text) == AREA:
            area_col = cell.col
            continue
        month = month_only(cell.value)
        kind = _count_kind(text)
        if month is not None and kind is not None:
            columns.append(SummaryColumn(cell.col, month, kind))
            last_month = month
        elif kind == "hits" and last_month is not None:
            # "July Indicators" | "Number Achieved": the hits belong to July.
            columns.append(SummaryColumn(cell.col, last_month, kind))
    if area_col is None or not columns:
        return None
    return SummaryHeader(row=row, area_col=area_col, columns=columns)


def _count_kind(text: str) -> str | None:
    words = set(text.split())
    if words & {"hit", "hits", "achieved", "met"}:
        return "hits"
    if words & {"target", "targets", "indicators", "indicator", "measures"}:
        return "indicators"
    return None


def find_headers(sheet: SheetGrid) -> list[KpiHeader | SummaryHeader]:
    """Return every KPI and summary header on the sheet, top to bottom."""
    found: list[KpiHeader | SummaryHeader] = []
    for row, cells in sorted(sheet.rows().items()):
        kpi = classify_kpi_header(row, cells)
        if kpi is not None:
            pair_months(sheet, kpi)
            found.append(kpi)
            continue
        summary = classify_summary_header(row, cells)
        if summary is not None:
            found.append(summary)
    return found


def pair_months(sheet: SheetGrid, header: KpiHeader) -> None:
    """Read a two-row header: each month over its own "Target" and "Actual" columns.

    Two shapes, both common: the months sit in the header row and the labels
    in the row below (the month cell merged across its pair), or the labels
    sit in the header row and the months in the row above. Read as one row,
    the first shape would take each month's target for its actual, and the
    second would keep only the first month.
    """
    if header.months:
        month_row, label_row = header.row, header.row + 1
        months = [(m.actual_col, m.period) for m in header.months]
    elif header.needs_period:
        month_row, label_row = header.row - 1, header.row
        months = [
            (cell.col, period)
            for cell in sheet.row(month_row)
            if (period := period_of(cell.value)) is not None
        ]
    else:
        return
    labels = {
        cell.col: role
        for cell in sheet.row(label_row)
        if (role := _EXACT.get(header_text(cell.value))) in (TARGET, ACTUAL)
    }
    if not months or ACTUAL not in labels.values():
        return
    paired: list[MonthColumns] = []
    for i, (col, period) in enumerate(months):
        last = _span_end(sheet, month_row, col, months[i + 1][0] if i + 1 < len(months) else None)
        span = [c for c in sorted(labels) if col <= c <= last]
        actual = next((c for c in span if labels[c] == ACTUAL), None)
        if actual is None:
            return  # not one shape throughout: leave the header as it was read
        target = next((c for c in span if labels[c] == TARGET), None)
        paired.append(MonthColumns(period, actual, target))
    header.months = paired
    header.needs_period = False


def _span_end(sheet: SheetGrid, row: int, col: int, next_month_col: int | None) -> int:
    """The last column under a month header cell: its merged range, else up to the next month."""
    for min_r, min_c, max_r, max_c in sheet.merged:
        if min_r <= row <= max_r and min_c == col:
            return max_c
    if next_month_col is not None:
        return next_month_col - 1
    return col + 1  # an unmerged last month covers its own column and the next
