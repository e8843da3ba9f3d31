"""The layout corpus of issue 12: the seed figures laid out as suppliers really send them.

Every case writes one file (xlsx, csv or ods) built from ``samples.seeds`` and
states exactly what a reviewer reads off it. ``tests/test_layout_corpus.py``
runs each file through ``flows.process.check_file`` and compares.

Rule of thumb: what a reviewer reads *without doubt* (the KPI, the month and
the value or marker, from the cells alone) is an expected ``Figure``; anything
a reviewer could only guess (a period with no calendar, a table with no period
or actual axis, a formula with no value) is an expected error ``Problem``
naming the exact sheet and cell(s), never a figure. A table whose period
headers are each named by ``period-unknown`` is accounted for by those errors
(no ``table-not-read`` besides); ``table-not-read`` is for a block of ref cells
with no period or actual axis at all. Layout warnings listed in a
case must be present; other warnings (``kpi-missing``, ``value-missing``...)
are not checked here. Expected cells are computed from where the generator
wrote them.

Seed text becomes a figure as ``samples.generate`` and ``extractors.values``
do: "100.00" -> 100.0 in the KPI's unit (percentages in points), text -> its
marker code (``core.markers.marker_code``); a month "Sep-16" -> "2016-09".

Families (case ids):

- Months over Target/Actual column pairs: ``month-target-actual-pairs``
  ("Jul-17 Target | Jul-17 Actual | Aug-17 Target | Aug-17 Actual"),
  ``month-actual-target-pairs-five-months`` (actual first, a merged group header).
- ICT refs spelt as words: ``ref-kpi-n`` ("KPI 7"), ``ref-ict-kpi-n`` ("ICT KPI 3"),
  ``ref-ict-n`` ("ICT 7").
- Target and Actual as alternating rows: ``alternating-rows-ref-then-measure``
  (a Ref cell merged over a "Target" and an "Actual" row of a Measure column),
  ``alternating-rows-ref-in-measure`` ("R&B-K-001 Target" / "R&B-K-001 Actual").
  Only the Actual rows are figures.
- ``ods-percentage-cells``: percentage-typed ODS cells (office:value 0.9548,
  shown 95.48%) are 95.48.
- ``accounting-periods-second-sheet``: a good PSSP sheet, and an ICT sheet
  headed "P4 | P5": one ``period-unknown`` per P header cell.
- ``formulas-without-cached-values``: formulas written by openpyxl (no cached
  value) in the Aug-17 column: one ``formula-not-calculated`` per formula cell.
- Long exports (one row per KPI and period): ``long-export-xlsx-month-names``
  ("Aug 2017"), ``long-export-csv-mm-yyyy`` ("07/2017"),
  ``long-export-csv-financial-year-month`` ("2017/18 M5" = Aug 2017, M1 =
  April), ``long-export-xlsx-iso`` ("2017-08", a run date in the title),
  ``long-export-run-date-in-file-name`` ("... run 2017-09-05.csv", rows name
  their months: nothing under 2017-09).
- Ref spellings a reviewer maps without doubt: ``ref-spelling-variants``
  ("R&B K 009a", "RB-K-009B", "CS-K-02", "PRO-K-4"),
  ``ref-case-and-spacing-variants`` ("r&b-k-009a", "R and B-K-001", "STS-K-9"...).
- Transposed: ``transposed-pssp`` (refs across, month dates down column A,
  a description row), ``transposed-ict`` ("KPI 1" across, a Target row).
- Bare months with the financial year elsewhere: ``fy-in-title-slash``
  ("2016/17" in the title), ``fy-in-title-fy-dash`` ("FY 2017-18"),
  ``fy-merged-year-header`` (a merged "2016/17" above "April".."March"),
  ``fy-two-years-24-months`` (two merged year headers over 24 months).
  Apr-Dec are the first calendar year, Jan-Mar the next.
- One sheet per month: ``sheet-per-month-pssp`` ("Sep 2016"... sheets, a
  Target/Actual table, a different date in the file name),
  ``sheet-per-month-ict`` ("Jun-16"... sheets).
- ``footnotes-under-table``: footnotes "1", "2" under a PSSP table are not
  figures and raise no error.
- ``rag-text-column``: a text RAG column; "Amber" on ICT 7 at the failure level
  and "Green" on ICT 8 below target are ``rag-claims-better`` warnings.
- ``unit-column-contradicts-catalogue``: "%" in the Unit column for days KPIs
  (R&B-K-009a, R&B-K-011): ``unit-differs`` warnings on those Unit cells.
- ``period-header-quarter``: a "Q3" column beside month columns: the months
  are figures, the Q3 header cell is ``period-unknown``.
- ``refs-without-period-axis``: a KPI definitions list (refs, descriptions,
  no month or actual column): one ``table-not-read`` naming the ref cells'
  range, no figures (and no ``no-kpi-table``: a table was found, not read).
- The bundled samples: ``bundled-annual-sample``, ``bundled-monthly-sample``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from openpyxl.utils.cell import get_column_letter

from core.markers import marker_code
from samples import generate, seeds
from tests.workbooks import ods_bytes

# --------------------------------------------------------------------------
# What a case expects
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure as a reviewer reads it."""

    contract: str  # "PSSP" / "ICT"
    ref: str  # the catalogue's canonical ref, e.g. "R&B-K-009a", "7"
    period: str  # "YYYY-MM"
    value: float | None  # in the KPI's unit, percentages in points; None when a marker
    marker: str | None  # marker code from core/markers.py, or None


@dataclass(frozen=True)
class Problem:
    """An exception the pipeline must raise, exactly."""

    code: str
    sheet: str
    cell: str  # "B7", or a range "A5:A27" for a block


@dataclass(frozen=True)
class LayoutCase:
    """One corpus file: how to write it and what a reviewer reads off it."""

    id: str  # pytest id
    file_name: str  # the name the file is saved under (file-name dates matter)
    write: Callable[[Path], Path]  # writes the file into a directory, returns its path
    figures: frozenset[Figure]  # every figure a reviewer reads without doubt
    errors: frozenset[Problem] = frozenset()  # the exact error-severity layout records
    warnings: frozenset[Problem] = frozenset()  # layout warnings that must be present


# --------------------------------------------------------------------------
# Seed text -> cells and figures
# --------------------------------------------------------------------------

PSSP_MONTHS: tuple[str, ...] = tuple(month for month, _ in seeds.ANNUAL_PSSP_MONTHS)
PSSP_ROWS: tuple[seeds.PsspAnnualRow, ...] = tuple(
    row for area in seeds.ANNUAL_PSSP for row in area.rows
)
ICT_MONTHS: tuple[str, ...] = seeds.ANNUAL_ICT_MONTHS
ICT_ROWS: tuple[seeds.IctAnnualRow, ...] = seeds.ANNUAL_ICT

FY_MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
FY_MONTH_NAMES = ("April", "May", "June", "July", "August", "September", "October",
                  "November", "December", "January", "February", "March")  # fmt: skip


def period(month: str) -> str:
    """ "Sep-16" -> "2016-09"."""
    return generate.month_date(month).strftime("%Y-%m")


def reading(text: str) -> tuple[float | None, str | None]:
    """What a reviewer reads from seed text: (number, None) or (None, marker code)."""
    value = generate.number(text)
    if value is not None:
        return float(value), None
    code = marker_code(text)
    if code is None:
        raise ValueError(f"seed text {text!r} is neither a number nor a marker")
    return None, code


def figure(contract: str, ref: str, month: str, text: str) -> Figure:
    """The figure seed ``text`` gives for ``ref`` in ``month`` ("Sep-16")."""
    value, marker = reading(text)
    return Figure(contract, ref, period(month), value, marker)


def pssp_target(kpi: seeds.PsspAnnualRow, month: str) -> str:
    return kpi.figures[PSSP_MONTHS.index(month)][0]


def pssp_actual(kpi: seeds.PsspAnnualRow, month: str) -> str:
    return kpi.figures[PSSP_MONTHS.index(month)][1]


def ict_actual(kpi: seeds.IctAnnualRow, month: str) -> str:
    return kpi.actuals[ICT_MONTHS.index(month)]


def pssp_figure(kpi: seeds.PsspAnnualRow, month: str) -> Figure:
    return figure("PSSP", kpi.ref, month, pssp_actual(kpi, month))


def ict_figure(kpi: seeds.IctAnnualRow, month: str) -> Figure:
    return figure("ICT", kpi.ref, month, ict_actual(kpi, month))


def unique(figures: Iterable[Figure]) -> frozenset[Figure]:
    """The figures as a set; a KPI read twice for one month is a bug in the case."""
    figures = list(figures)
    seen: set[tuple[str, str, str]] = set()
    for item in figures:
        key = (item.contract, item.ref, item.period)
        if key in seen:
            raise ValueError(f"two figures for {key}")
        seen.add(key)
    return frozenset(figures)


def pssp_rag(kpi: seeds.PsspAnnualRow, month: str) -> str:
    """The honest RAG text for a PSSP figure ("" for a marker)."""
    status = generate.pssp_status(pssp_target(kpi, month), pssp_actual(kpi, month), kpi.criteria)
    return {"Exceeded": "Green", "Target Met": "Green", "Not Met": "Red"}.get(status, "")


def ict_rag(kpi: seeds.IctAnnualRow, month: str) -> str:
    """The honest RAG text for an ICT figure ("" for a marker)."""
    status = generate.ict_status(kpi.target, kpi.detriment, kpi.failure, ict_actual(kpi, month))
    return {"met": "Green", "detriment": "Amber", "missed": "Red"}.get(status, "")


# --------------------------------------------------------------------------
# Laying out sheets
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A cell's value with its number format ("" = General) and, for ODS, its shown text."""

    value: Any
    fmt: str = ""
    shown: str = ""


def address(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


class Sheet:
    """One sheet being laid out: cells by (row, col), merged ranges, the last row written."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[tuple[int, int], Cell] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.row = 0

    def put(self, row: int, col: int, value: Any) -> str:
        """Write one cell (None or "" leaves it empty); return its address."""
        if value is not None and value != "":
            self.cells[(row, col)] = value if isinstance(value, Cell) else Cell(value)
        return address(row, col)

    def line(self, *values: Any, col: int = 1) -> int:
        """Write the next row from column ``col``; return its number."""
        self.row += 1
        for i, value in enumerate(values):
            self.put(self.row, col + i, value)
        return self.row

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def merge(self, row: int, col: int, last_row: int, last_col: int) -> None:
        if (row, col) != (last_row, last_col):
            self.merged.append((row, col, last_row, last_col))

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)


def pssp_cell(text: str) -> Any:
    """A PSSP figure as the samples write it: a "0.00" number, else the text."""
    value = generate.number(text)
    return text if value is None else Cell(value, "0.00")


def ict_cell(text: str) -> Any:
    """An ICT figure as the samples write it: "0.00" only where General would not show it."""
    value = generate.number(text)
    if value is None:
        return text
    shown = str(value) == text if isinstance(value, int) else f"{value:g}" == text
    return Cell(value, "" if shown else "0.00")


def month_cell(month: str) -> Cell:
    """A month header as a date cell shown "Sep-16"."""
    return Cell(generate.month_date(month), "mmm-yy")


# --------------------------------------------------------------------------
# Writing files (byte for byte the same every time)
# --------------------------------------------------------------------------

Format = Literal["xlsx", "csv", "ods"]


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write the sheets with openpyxl (formulas get no cached value), fixed times."""
    wb = generate.new_workbook()
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for (row, col), cell in sorted(spec.cells.items()):
            target = ws.cell(row=row, column=col, value=cell.value)
            if cell.fmt:
                target.number_format = cell.fmt
        for row, col, last_row, last_col in spec.merged:
            ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
    return generate.save(wb, path)


def write_csv(path: Path, sheet: Sheet) -> Path:
    """Write one sheet of text cells as a CSV (CRLF line ends, as exports do)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    width = sheet.max_col
    for row in range(1, sheet.row + 1):
        cells = [sheet.cells.get((row, col)) for col in range(1, width + 1)]
        writer.writerow(["" if cell is None else str(cell.value) for cell in cells])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def _ods_cell(cell: Cell | None) -> str:
    if cell is None:
        return "<table:table-cell/>"
    value = cell.value
    if isinstance(value, datetime):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value:%Y-%m-%d}">'
            f"<text:p>{value:%b-%y}</text:p></table:table-cell>"
        )
    if isinstance(value, (int, float)):
        kind = "percentage" if "%" in cell.fmt else "float"
        return (
            f'<table:table-cell office:value-type="{kind}" office:value="{value!r}">'
            f"<text:p>{escape(cell.shown or repr(value))}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def write_ods(path: Path, sheet: Sheet) -> Path:
    """Write one sheet as a hand-made ODS with typed cells (zip times fixed)."""
    width = sheet.max_col
    rows = "".join(
        "<table:table-row>"
        + "".join(_ods_cell(sheet.cells.get((row, col))) for col in range(1, width + 1))
        + "</table:table-row>"
        for row in range(1, sheet.row + 1)
    )
    restamped = io.BytesIO()
    stamp = generate.FIXED_TIME.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(ods_bytes(rows, sheet=sheet.name))) as src,
        zipfile.ZipFile(restamped, "w") as out,
    ):
        for item in src.infolist():
            member = zipfile.ZipInfo(item.filename, stamp)
            member.compress_type = item.compress_type
            out.writestr(member, src.read(item.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(restamped.getvalue())
    return path


def _write(file_name: str, sheets: tuple[Sheet, ...], fmt: Format, directory: Path) -> Path:
    path = Path(directory) / file_name
    if fmt == "csv":
        return write_csv(path, sheets[0])
    if fmt == "ods":
        return write_ods(path, sheets[0])
    return write_xlsx(path, sheets)


def case(
    case_id: str,
    file_name: str,
    sheets: Sequence[Sheet],
    figures: Iterable[Figure],
    *,
    errors: Iterable[Problem] = (),
    warnings: Iterable[Problem] = (),
) -> LayoutCase:
    """A case whose file is the given sheets, written in the format of its extension."""
    fmt: Format = "csv" if file_name.endswith(".csv") else "ods" if file_name.endswith(".ods") \
        else "xlsx"  # fmt: skip
    return LayoutCase(
        id=case_id,
        file_name=file_name,
        write=partial(_write, file_name, tuple(sheets), fmt),
        figures=unique(figures),
        errors=frozenset(errors),
        warnings=frozenset(warnings),
    )


# --------------------------------------------------------------------------
# Months over Target/Actual column pairs
# --------------------------------------------------------------------------


def month_target_actual_pairs() -> LayoutCase:
    """ "Jul-17 Target | Jul-17 Actual | Aug-17 Target | Aug-17 Actual", service areas merged."""
    months = ("Jul-17", "Aug-17")
    ws = Sheet("PSSP KPIs")
    ws.line("Serco - PSSP KPI return")
    ws.line("Prepared by the Performance Team")
    ws.skip()
    pairs = [f"{m} {kind}" for m in months for kind in ("Target", "Actual")]
    ws.line("Service Area", "Ref", "Description", "Frequency", *pairs)
    figures = []
    for area in seeds.ANNUAL_PSSP:
        first = ws.row + 1
        for kpi in area.rows:
            row = ws.line(None, kpi.ref, kpi.description, kpi.frequency)
            for i, month in enumerate(months):
                ws.put(row, 5 + 2 * i, pssp_cell(pssp_target(kpi, month)))
                ws.put(row, 6 + 2 * i, pssp_cell(pssp_actual(kpi, month)))
                figures.append(pssp_figure(kpi, month))
        ws.put(first, 1, area.area)
        ws.merge(first, 1, ws.row, 1)
        ws.skip()  # a blank spacer after each service area
    return case("month-target-actual-pairs", "pssp_jul_aug_2017.xlsx", [ws], figures)


def month_actual_target_pairs_five_months() -> LayoutCase:
    """ "Sep-16 Actual | Sep-16 Target" for five months under a merged group header."""
    ws = Sheet("KPI Performance")
    ws.line("KPI Performance - PSSP")
    ws.line("Partnership: Serco and the Council")
    ws.skip()
    group = ws.line("", "", "Performance against target")
    ws.merge(group, 3, group, 2 + 2 * len(PSSP_MONTHS))
    pairs = [f"{m} {kind}" for m in PSSP_MONTHS for kind in ("Actual", "Target")]
    ws.line("Ref", "Description", *pairs)
    figures = []
    for kpi in PSSP_ROWS:
        row = ws.line(kpi.ref, kpi.description)
        for i, month in enumerate(PSSP_MONTHS):
            ws.put(row, 3 + 2 * i, pssp_cell(pssp_actual(kpi, month)))
            ws.put(row, 4 + 2 * i, pssp_cell(pssp_target(kpi, month)))
            figures.append(pssp_figure(kpi, month))
    return case("month-actual-target-pairs-five-months", "pssp_2016-17_pairs.xlsx", [ws],
                figures)  # fmt: skip


# --------------------------------------------------------------------------
# ICT refs written as words
# --------------------------------------------------------------------------


def ict_spelt_refs(
    case_id: str,
    file_name: str,
    spell: Callable[[str], str],
    *,
    title: str,
    ref_header: str,
    description_header: str,
    months: Sequence[str],
    month_header: Callable[[str], Any],
    thresholds: bool,
) -> LayoutCase:
    ws = Sheet("ICT")
    ws.line(title)
    ws.skip()
    levels = ("Target", "Detriment", "Failure") if thresholds else ()
    ws.line(ref_header, description_header, *levels, *(month_header(m) for m in months))
    figures = []
    for kpi in ICT_ROWS:
        row = ws.line(spell(kpi.ref), kpi.description)
        if thresholds:
            for col, text in enumerate((kpi.target, kpi.detriment, kpi.failure), start=3):
                ws.put(row, col, text)
        for col, month in enumerate(months, start=3 + len(levels)):
            ws.put(row, col, ict_cell(ict_actual(kpi, month)))
            figures.append(ict_figure(kpi, month))
    return case(case_id, file_name, [ws], figures)


def ref_kpi_n() -> LayoutCase:
    return ict_spelt_refs(
        "ref-kpi-n", "ict_kpis_2016.xlsx", lambda ref: f"KPI {ref}",
        title="ICT KPI Performance", ref_header="KPI", description_header="Description",
        months=("Jun-16", "Sep-16", "Dec-16"), month_header=month_cell, thresholds=True,
    )  # fmt: skip


def ref_ict_kpi_n() -> LayoutCase:
    return ict_spelt_refs(
        "ref-ict-kpi-n", "managed_service_kpis.xlsx", lambda ref: f"ICT KPI {ref}",
        title="Managed service KPIs", ref_header="Ref", description_header="Description",
        months=("Mar-17", "Apr-17"), month_header=str, thresholds=False,
    )  # fmt: skip


def ref_ict_n() -> LayoutCase:
    return ict_spelt_refs(
        "ref-ict-n", "monthly_performance_report.xlsx", lambda ref: f"ICT {ref}",
        title="Monthly performance report", ref_header="KPI Ref",
        description_header="Indicator", months=("Jul-17", "Aug-17"),
        month_header=lambda m: generate.month_date(m).strftime("%b %Y"), thresholds=True,
    )  # fmt: skip


# --------------------------------------------------------------------------
# Target and Actual as alternating rows
# --------------------------------------------------------------------------


def alternating_rows_ref_then_measure() -> LayoutCase:
    """A Ref cell merged over a "Target" row and an "Actual" row of the Measure column."""
    ws = Sheet("PSSP")
    ws.line(seeds.ANNUAL_PSSP_TITLE)
    ws.skip()
    ws.line("Ref", "Description", "Measure", *(month_cell(m) for m in PSSP_MONTHS))
    figures = []
    for kpi in PSSP_ROWS:
        targets = [pssp_cell(pssp_target(kpi, m)) for m in PSSP_MONTHS]
        actuals = [pssp_cell(pssp_actual(kpi, m)) for m in PSSP_MONTHS]
        first = ws.line(kpi.ref, kpi.description, "Target", *targets)
        ws.line(None, None, "Actual", *actuals)
        ws.merge(first, 1, first + 1, 1)
        ws.merge(first, 2, first + 1, 2)
        figures += [pssp_figure(kpi, m) for m in PSSP_MONTHS]
    return case("alternating-rows-ref-then-measure", "pssp_target_actual_rows.xlsx", [ws],
                figures)  # fmt: skip


def alternating_rows_ref_in_measure() -> LayoutCase:
    """One Measure column: "R&B-K-001 Target" then "R&B-K-001 Actual"."""
    ws = Sheet("STS")
    ws.line("Shared Transactional Services - KPI Performance")
    ws.skip()
    ws.line("Measure", *PSSP_MONTHS)
    figures = []
    for kpi in seeds.ANNUAL_PSSP[0].rows:
        ws.line(f"{kpi.ref} Target", *(pssp_cell(pssp_target(kpi, m)) for m in PSSP_MONTHS))
        ws.line(f"{kpi.ref} Actual", *(pssp_cell(pssp_actual(kpi, m)) for m in PSSP_MONTHS))
        figures += [pssp_figure(kpi, m) for m in PSSP_MONTHS]
    return case("alternating-rows-ref-in-measure", "sts_measures.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# Values as typed
# --------------------------------------------------------------------------


def ods_percentage_cells() -> LayoutCase:
    """Percentage KPIs as percentage-typed cells (0.9548 shown 95.48%), days as floats."""
    ws = Sheet("PSSP KPIs")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Performance Measure Ref", "Description", *(month_cell(m) for m in PSSP_MONTHS))
    figures = []
    for area in seeds.ANNUAL_PSSP[:3]:  # STS, BS, CS
        for kpi in area.rows:
            cells: list[Any] = []
            for month in PSSP_MONTHS:
                text = pssp_actual(kpi, month)
                if generate.number(text) is None:
                    cells.append(text)
                elif kpi.criteria == "%":
                    cells.append(Cell(float(Decimal(text) / 100), "0.00%", f"{text}%"))
                else:
                    cells.append(Cell(float(text), "0.00", text))
                figures.append(pssp_figure(kpi, month))
            ws.line(kpi.ref, kpi.description, *cells)
    return case("ods-percentage-cells", "pssp_kpis.ods", [ws], figures)


def formulas_without_cached_values() -> LayoutCase:
    """The Aug-17 actuals are formulas openpyxl saved with no cached value."""
    ws = Sheet("PSSP KPIs")
    ws.line(seeds.ANNUAL_PSSP_TITLE)
    ws.skip()
    ws.line("Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
            "Measure Criteria", *(month_cell(m) for m in PSSP_MONTHS))  # fmt: skip
    figures, errors = [], []
    formula_col = 6 + PSSP_MONTHS.index("Aug-17")
    for area in seeds.ANNUAL_PSSP[:2]:  # STS, BS: every Aug-17 actual is a number
        first = ws.row + 1
        for kpi in area.rows:
            row = ws.line(None, kpi.ref, kpi.description, kpi.frequency, kpi.criteria)
            for col, month in enumerate(PSSP_MONTHS, start=6):
                text = pssp_actual(kpi, month)
                if col == formula_col:
                    cell = ws.put(row, col, Cell(f"=ROUND({text},2)", "0.00"))
                    errors.append(Problem("formula-not-calculated", ws.name, cell))
                else:
                    ws.put(row, col, pssp_cell(text))
                    figures.append(pssp_figure(kpi, month))
        ws.put(first, 1, area.area)
        ws.merge(first, 1, ws.row, 1)
    return case("formulas-without-cached-values", "pssp_generated.xlsx", [ws], figures,
                errors=errors)  # fmt: skip


# --------------------------------------------------------------------------
# Periods a reviewer cannot pin
# --------------------------------------------------------------------------


def accounting_periods_second_sheet() -> LayoutCase:
    """A good PSSP sheet, then an ICT sheet headed "P4 | P5" (no calendar anywhere)."""
    months = ("Jul-17", "Aug-17")
    pssp = Sheet("PSSP KPIs")
    pssp.line("PSSP KPI Performance")
    pssp.skip()
    pssp.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        pssp.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months))
        figures += [pssp_figure(kpi, m) for m in months]
    ict = Sheet("ICT KPIs")
    ict.line("ICT KPI Performance")
    ict.skip()
    header = ict.line("Ref", "Description", "P4", "P5")
    for row in ICT_ROWS:
        ict.line(int(row.ref), row.description, *(ict_cell(ict_actual(row, m)) for m in months))
    errors = [Problem("period-unknown", ict.name, address(header, col)) for col in (3, 4)]
    return case("accounting-periods-second-sheet", "serco_kpi_return.xlsx", [pssp, ict],
                figures, errors=errors)  # fmt: skip


def period_header_quarter() -> LayoutCase:
    """Month columns and a "Q3" column: the months are read, Q3 is named."""
    months = ("Jun-16", "Sep-16", "Dec-16")
    ws = Sheet("ICT KPIs")
    ws.line(seeds.ANNUAL_ICT_TITLE)
    ws.skip()
    header = ws.line("Ref", "Description", "Target", *(month_cell(m) for m in months), "Q3")
    figures = []
    for kpi in ICT_ROWS:
        ws.line(int(kpi.ref), kpi.description, kpi.target,
                *(ict_cell(ict_actual(kpi, m)) for m in (*months, "Mar-17")))  # fmt: skip
        figures += [ict_figure(kpi, m) for m in months]
    q3 = address(header, 4 + len(months))
    return case("period-header-quarter", "ict_quarterly.xlsx", [ws], figures,
                errors=[Problem("period-unknown", ws.name, q3)])  # fmt: skip


def refs_without_period_axis() -> LayoutCase:
    """A KPI definitions list: refs and descriptions, no month and no actual column."""
    ws = Sheet("KPI definitions")
    ws.line("PSSP KPI definitions")
    ws.line("Source: contract schedule 3")
    ws.skip()
    ws.line("Ref", "Description", "Frequency", "Unit")
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, kpi.frequency, kpi.criteria)
    refs = f"{address(ws.row - len(PSSP_ROWS) + 1, 1)}:{address(ws.row, 1)}"
    return case("refs-without-period-axis", "pssp_kpi_definitions.xlsx", [ws], [],
                errors=[Problem("table-not-read", ws.name, refs)])  # fmt: skip


# --------------------------------------------------------------------------
# Long exports: one row per KPI and period
# --------------------------------------------------------------------------

LONG_HEADER = ("Indicator Code", "Period", "Target", "Actual", "RAG")


def _month_text(month: str, spelling: str) -> str:
    return generate.month_date(month).strftime(spelling)


def fy_month(month: str) -> str:
    """ "Aug-17" -> "2017/18 M5": the financial year starts in April (M1)."""
    when = generate.month_date(month)
    start = when.year if when.month >= 4 else when.year - 1
    return f"{start}/{(start + 1) % 100:02d} M{(when.month - 4) % 12 + 1}"


def long_pssp(
    ws: Sheet,
    kpis: Sequence[seeds.PsspAnnualRow],
    spell: Callable[[str], str],
    *,
    as_text: bool,
    description: bool = False,
) -> list[Figure]:
    """Append one row per month and KPI (sorted by month, as exports are)."""
    figures = []
    for month in PSSP_MONTHS:
        for kpi in kpis:
            target, actual = pssp_target(kpi, month), pssp_actual(kpi, month)
            values = [target, actual] if as_text else [pssp_cell(target), pssp_cell(actual)]
            names = [kpi.description] if description else []
            ws.line(kpi.ref, *names, spell(month), *values, pssp_rag(kpi, month))
            figures.append(pssp_figure(kpi, month))
    return figures


def long_export_xlsx_month_names() -> LayoutCase:
    ws = Sheet("Export")
    ws.line("Indicator Code", "Indicator", "Period", "Target", "Actual", "RAG")
    figures = long_pssp(ws, PSSP_ROWS, partial(_month_text, spelling="%b %Y"), as_text=False,
                        description=True)  # fmt: skip
    return case("long-export-xlsx-month-names", "performance_export.xlsx", [ws], figures)


def long_export_csv_mm_yyyy() -> LayoutCase:
    ws = Sheet("export")
    ws.line(*LONG_HEADER)
    kpis = [kpi for area in seeds.ANNUAL_PSSP[:2] for kpi in area.rows]
    figures = long_pssp(ws, kpis, partial(_month_text, spelling="%m/%Y"), as_text=True)
    return case("long-export-csv-mm-yyyy", "kpi_export.csv", [ws], figures)


def long_export_csv_financial_year_month() -> LayoutCase:
    """ICT rows coded "ICT 7", periods "2016/17 M3" ... "2017/18 M5"."""
    ws = Sheet("export")
    ws.line(*LONG_HEADER)
    figures = []
    for month in ICT_MONTHS:
        for row in ICT_ROWS:
            ws.line(f"ICT {row.ref}", fy_month(month), row.target, ict_actual(row, month),
                    ict_rag(row, month))  # fmt: skip
            figures.append(ict_figure(row, month))
    return case("long-export-csv-financial-year-month", "ict_kpi_export.csv", [ws], figures)


def long_export_xlsx_iso() -> LayoutCase:
    """Periods "2017-08" as text, under a title block holding the export's run date."""
    ws = Sheet("Export")
    ws.line("Performance system export")
    ws.line("Exported 05/09/2017 08:14")
    ws.skip()
    ws.line(*LONG_HEADER)
    figures = long_pssp(ws, PSSP_ROWS, period, as_text=False)
    return case("long-export-xlsx-iso", "kpi_export_iso.xlsx", [ws], figures)


def long_export_run_date_in_file_name() -> LayoutCase:
    """ "... run 2017-09-05.csv" whose rows name their months: nothing under 2017-09."""
    ws = Sheet("export")
    ws.line("KPI Ref", "Period", "Target", "Actual", "RAG")
    kpis = [kpi for area in seeds.ANNUAL_PSSP if area.area in ("CS", "PROC") for kpi in area.rows]
    figures = long_pssp(ws, kpis, partial(_month_text, spelling="%B %Y"), as_text=True)
    return case("long-export-run-date-in-file-name", "PSSP KPI export run 2017-09-05.csv",
                [ws], figures)  # fmt: skip


# --------------------------------------------------------------------------
# Ref spellings
# --------------------------------------------------------------------------


def pssp_spelt_refs(
    case_id: str, file_name: str, spellings: dict[str, str], months: Sequence[str],
    month_header: Callable[[str], Any],
) -> LayoutCase:  # fmt: skip
    assert set(spellings) <= {kpi.ref for kpi in PSSP_ROWS}
    ws = Sheet("PSSP KPIs")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Performance Measure Ref", "Description", *(month_header(m) for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(spellings.get(kpi.ref, kpi.ref), kpi.description,
                *(pssp_cell(pssp_actual(kpi, m)) for m in months))  # fmt: skip
        figures += [pssp_figure(kpi, m) for m in months]
    return case(case_id, file_name, [ws], figures)


def ref_spelling_variants() -> LayoutCase:
    spellings = {"R&B-K-009a": "R&B K 009a", "R&B-K-009b": "RB-K-009B", "CS-K-002": "CS-K-02",
                 "PRO-K-004": "PRO-K-4"}  # fmt: skip
    return pssp_spelt_refs("ref-spelling-variants", "pssp_refs.xlsx", spellings,
                           ("Sep-16", "Dec-16", "Mar-17"), month_cell)  # fmt: skip


def ref_case_and_spacing_variants() -> LayoutCase:
    spellings = {"R&B-K-009a": "r&b-k-009a", "R&B-K-001": "R and B-K-001",
                 "STS-K-009": "STS-K-9", "PAY-K-001": "pay-k-001", "BS-K-002": "BS K 002",
                 "FS-K-002": "FS-K-2"}  # fmt: skip
    return pssp_spelt_refs("ref-case-and-spacing-variants", "pssp_refs_jul_aug.xlsx", spellings,
                           ("Jul-17", "Aug-17"), str)  # fmt: skip


# --------------------------------------------------------------------------
# Transposed: refs across, months down
# --------------------------------------------------------------------------


def transposed_pssp() -> LayoutCase:
    ws = Sheet("By month")
    ws.line("PSSP KPI Performance by month")
    ws.skip()
    ws.line("Month", *(kpi.ref for kpi in PSSP_ROWS))
    ws.line("Description", *(kpi.description for kpi in PSSP_ROWS))
    figures = []
    for month in PSSP_MONTHS:
        ws.line(month_cell(month), *(pssp_cell(pssp_actual(kpi, month)) for kpi in PSSP_ROWS))
        figures += [pssp_figure(kpi, month) for kpi in PSSP_ROWS]
    return case("transposed-pssp", "pssp_by_month.xlsx", [ws], figures)


def transposed_ict() -> LayoutCase:
    """ "KPI 1" ... across, a Target row, then one row per month ("Jun-16" as text)."""
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.line("Period", *(f"KPI {kpi.ref}" for kpi in ICT_ROWS))
    ws.line("Target", *(kpi.target for kpi in ICT_ROWS))
    figures = []
    for month in ICT_MONTHS:
        ws.line(month, *(ict_cell(ict_actual(kpi, month)) for kpi in ICT_ROWS))
        figures += [ict_figure(kpi, month) for kpi in ICT_ROWS]
    return case("transposed-ict", "ict_by_month.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# Bare months with the financial year elsewhere
# --------------------------------------------------------------------------


def fy_columns(start_year: int, years: int = 1) -> list[str]:
    """The "Sep-16" months of ``years`` financial years from April ``start_year``."""
    out = []
    for offset in range(years * 12):
        month = (3 + offset) % 12 + 1
        year = start_year + (3 + offset) // 12
        out.append(datetime(year, month, 1).strftime("%b-%y"))
    return out


def _pssp_fy_rows(ws: Sheet, columns: Sequence[str], first_col: int) -> list[Figure]:
    figures = []
    for kpi in PSSP_ROWS:
        row = ws.line(kpi.ref, kpi.description)
        for col, month in enumerate(columns, start=first_col):
            if month in PSSP_MONTHS:
                ws.put(row, col, pssp_cell(pssp_actual(kpi, month)))
                figures.append(pssp_figure(kpi, month))
    return figures


def _ict_fy_rows(ws: Sheet, columns: Sequence[str], first_col: int) -> list[Figure]:
    figures = []
    for kpi in ICT_ROWS:
        row = ws.line(int(kpi.ref), kpi.description, kpi.target)
        for col, month in enumerate(columns, start=first_col):
            if month in ICT_MONTHS:
                ws.put(row, col, ict_cell(ict_actual(kpi, month)))
                figures.append(ict_figure(kpi, month))
    return figures


def fy_in_title_slash() -> LayoutCase:
    """ "Apr" .. "Mar" with "2016/17" only in the title; Sep, Dec, Mar filled in."""
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance 2016/17")
    ws.skip()
    ws.line("Ref", "Description", *FY_MONTHS)
    figures = _pssp_fy_rows(ws, fy_columns(2016), 3)
    return case("fy-in-title-slash", "pssp_kpis_year.xlsx", [ws], figures)


def fy_in_title_fy_dash() -> LayoutCase:
    """ "Apr" .. "Aug" (year to date) with "FY 2017-18" only in the title."""
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance FY 2017-18")
    ws.skip()
    ws.line("Ref", "Description", "Target", *FY_MONTHS[:5])
    figures = _ict_fy_rows(ws, fy_columns(2017)[:5], 4)
    return case("fy-in-title-fy-dash", "ict_kpis_ytd.xlsx", [ws], figures)


def fy_merged_year_header() -> LayoutCase:
    """A merged "2016/17" above "April" .. "March"; no year anywhere else."""
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    years = ws.line(None, None, "2016/17")
    ws.merge(years, 3, years, 14)
    ws.line("Ref", "Description", *FY_MONTH_NAMES)
    figures = _pssp_fy_rows(ws, fy_columns(2016), 3)
    return case("fy-merged-year-header", "pssp_kpis_merged_year.xlsx", [ws], figures)


def fy_two_years_24_months() -> LayoutCase:
    """Merged "2016/17" and "2017/18" over two runs of "Apr" .. "Mar"."""
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    years = ws.line(None, None, None, "2016/17", *([None] * 11), "2017/18")
    ws.merge(years, 4, years, 15)
    ws.merge(years, 16, years, 27)
    ws.line("Ref", "Description", "Target", *FY_MONTHS, *FY_MONTHS)
    figures = _ict_fy_rows(ws, fy_columns(2016, years=2), 4)
    return case("fy-two-years-24-months", "ict_kpis_two_years.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# One sheet per month
# --------------------------------------------------------------------------


def sheet_per_month_pssp() -> LayoutCase:
    """Sheets "Sep 2016" ...; each a Target/Actual table; another date in the file name."""
    sheets, figures = [], []
    for month in PSSP_MONTHS:
        ws = Sheet(generate.month_date(month).strftime("%b %Y"))
        ws.line("PSSP KPI Performance")
        ws.skip()
        ws.line("Ref", "Description", "Target", "Actual")
        for kpi in PSSP_ROWS:
            ws.line(kpi.ref, kpi.description, pssp_cell(pssp_target(kpi, month)),
                    pssp_cell(pssp_actual(kpi, month)))  # fmt: skip
            figures.append(pssp_figure(kpi, month))
        sheets.append(ws)
    return case("sheet-per-month-pssp", "pssp_returns_2017-10-02.xlsx", sheets, figures)


def sheet_per_month_ict() -> LayoutCase:
    """Sheets "Jun-16" ...; KPI, thresholds and one Actual column, no title."""
    sheets, figures = [], []
    for month in ICT_MONTHS:
        ws = Sheet(month)
        ws.line("KPI", "Description", "Target", "Detriment", "Failure", "Actual")
        for kpi in ICT_ROWS:
            ws.line(int(kpi.ref), kpi.description, kpi.target, kpi.detriment, kpi.failure,
                    ict_cell(ict_actual(kpi, month)))  # fmt: skip
            figures.append(ict_figure(kpi, month))
        sheets.append(ws)
    return case("sheet-per-month-ict", "ict_monthly_tabs.xlsx", sheets, figures)


# --------------------------------------------------------------------------
# Cells near a table that are not figures, and columns that check figures
# --------------------------------------------------------------------------


def footnotes_under_table() -> LayoutCase:
    """Footnotes numbered 1 and 2 in the ref column under the table, text beside them."""
    months = ("Jul-17", "Aug-17")
    ws = Sheet("PSSP KPIs")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Service Area", "Performance Measure Ref", "Description",
            *(month_cell(m) for m in months))  # fmt: skip
    figures = []
    for area in seeds.ANNUAL_PSSP:
        first = ws.row + 1
        for kpi in area.rows:
            ws.line(None, kpi.ref, kpi.description,
                    *(pssp_cell(pssp_actual(kpi, m)) for m in months))  # fmt: skip
            figures += [pssp_figure(kpi, m) for m in months]
        ws.put(first, 1, area.area)
        ws.merge(first, 1, ws.row, 1)
    ws.skip()
    ws.line(None, "Notes")
    ws.line(None, 1, "Collection rates (R&B-K-001 to R&B-K-008) are cumulative from April.")
    ws.line(None, 2, "SP-K-009 was removed from the contract by NoC 041.")
    return case("footnotes-under-table", "pssp_with_notes.xlsx", [ws], figures)


def rag_text_column() -> LayoutCase:
    """A text RAG column; two claims better than the figure earns."""
    month = "Dec-16"
    claimed = {"7": "Amber", "8": "Green"}  # 7 is at the failure level, 8 below target
    ws = Sheet("ICT KPIs")
    ws.line("ICT KPI Performance - December 2016")
    ws.skip()
    ws.line("Ref", "Description", "Target", "Detriment", "Failure", "Actual", "RAG")
    figures, warnings = [], []
    for kpi in ICT_ROWS:
        row = ws.line(int(kpi.ref), kpi.description, kpi.target, kpi.detriment, kpi.failure,
                      ict_cell(ict_actual(kpi, month)))  # fmt: skip
        rag = ws.put(row, 7, claimed.get(kpi.ref, ict_rag(kpi, month)))
        figures.append(ict_figure(kpi, month))
        if kpi.ref in claimed:
            assert claimed[kpi.ref] != ict_rag(kpi, month)
            warnings.append(Problem("rag-claims-better", ws.name, rag))
    return case("rag-text-column", "ict_dec_2016_rag.xlsx", [ws], figures, warnings=warnings)


def unit_column_contradicts_catalogue() -> LayoutCase:
    """A Unit column saying "%" for R&B-K-009a and R&B-K-011 (days in the catalogue)."""
    wrong = {"R&B-K-009a", "R&B-K-011"}
    ws = Sheet("STS")
    ws.line("Shared Transactional Services KPIs")
    ws.skip()
    ws.line("Ref", "Description", "Unit", *(month_cell(m) for m in PSSP_MONTHS))
    figures, warnings = [], []
    for kpi in seeds.ANNUAL_PSSP[0].rows:
        assert (kpi.ref in wrong) <= (kpi.criteria == "days")
        row = ws.line(kpi.ref, kpi.description)
        unit = ws.put(row, 3, "%" if kpi.ref in wrong else kpi.criteria)
        for col, month in enumerate(PSSP_MONTHS, start=4):
            ws.put(row, col, pssp_cell(pssp_actual(kpi, month)))
            figures.append(pssp_figure(kpi, month))
        if kpi.ref in wrong:
            warnings.append(Problem("unit-differs", ws.name, unit))
    return case("unit-column-contradicts-catalogue", "sts_units.xlsx", [ws], figures,
                warnings=warnings)  # fmt: skip


# --------------------------------------------------------------------------
# The bundled samples
# --------------------------------------------------------------------------


def bundled_annual_sample() -> LayoutCase:
    figures = [pssp_figure(kpi, m) for kpi in PSSP_ROWS for m in PSSP_MONTHS]
    figures += [ict_figure(kpi, m) for kpi in ICT_ROWS for m in ICT_MONTHS]
    return LayoutCase(
        id="bundled-annual-sample",
        file_name=generate.ANNUAL_FILE,
        write=lambda directory: generate.write_annual_return(
            Path(directory) / generate.ANNUAL_FILE
        ),
        figures=unique(figures),
    )


def bundled_monthly_sample() -> LayoutCase:
    figures = []
    for area in seeds.MONTHLY_PSSP:
        for kpi in area.rows:
            figures += [figure("PSSP", kpi.ref, "Apr-16", kpi.april),
                        figure("PSSP", kpi.ref, "May-16", kpi.may)]  # fmt: skip
    for row in seeds.MONTHLY_ICT:
        figures += [figure("ICT", row.ref, "Apr-16", row.april),
                    figure("ICT", row.ref, "May-16", row.may)]  # fmt: skip
    return LayoutCase(
        id="bundled-monthly-sample",
        file_name=generate.MONTHLY_FILE,
        write=lambda directory: generate.write_monthly_return(
            Path(directory) / generate.MONTHLY_FILE
        ),
        figures=unique(figures),
    )


CASES: list[LayoutCase] = [
    month_target_actual_pairs(),
    month_actual_target_pairs_five_months(),
    ref_kpi_n(),
    ref_ict_kpi_n(),
    ref_ict_n(),
    alternating_rows_ref_then_measure(),
    alternating_rows_ref_in_measure(),
    ods_percentage_cells(),
    accounting_periods_second_sheet(),
    formulas_without_cached_values(),
    long_export_xlsx_month_names(),
    long_export_csv_mm_yyyy(),
    long_export_csv_financial_year_month(),
    long_export_xlsx_iso(),
    long_export_run_date_in_file_name(),
    ref_spelling_variants(),
    ref_case_and_spacing_variants(),
    transposed_pssp(),
    transposed_ict(),
    fy_in_title_slash(),
    fy_in_title_fy_dash(),
    fy_merged_year_header(),
    fy_two_years_24_months(),
    sheet_per_month_pssp(),
    sheet_per_month_ict(),
    footnotes_under_table(),
    rag_text_column(),
    unit_column_contradicts_catalogue(),
    period_header_quarter(),
    refs_without_period_axis(),
    bundled_annual_sample(),
    bundled_monthly_sample(),
]
"""Every layout case, in the order the docstring lists the families."""

assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
assert len({c.file_name for c in CASES}) == len(CASES), "file names must be unique"
