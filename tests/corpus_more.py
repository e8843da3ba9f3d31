"""More layout cases for issue 12: variants the first corpus (``tests.corpus``) never showed.

Each case is built from ``samples.seeds`` with ``tests.corpus``'s helpers and
states, like that corpus, every figure a reviewer reads without doubt and the
exact layout errors where a reviewer could only guess. The same rule of thumb
holds (see ``tests.corpus``'s docstring); the families here are variations
within and across its families, and new ones:

- Where the header sits: ``header-row-one-no-title``, ``title-merged-across``,
  ``table-at-f12`` (logo and address block above, table from F12),
  ``summary-table-above-kpi-table`` (a service-area summary with counts above).
- How a header is typed: ``header-line-breaks-trailing-spaces``
  ("Performance\\nMeasure Ref ", "Sep-16\\nActual "), ``month-dates-number-formats``
  (date cells shown "mmmm yyyy", "dd/mm/yyyy", month-end dates),
  ``month-text-spellings`` ("Sept 2016", "Dec 2016", "Mar '17", "2017-07-01",
  "Aug-17 Actual %"), ``months-descending``, ``text-everywhere`` (numbers and
  "01/09/2016" month headers stored as text, as an .xls re-saved as .xlsx).
- Columns that are not months: ``ytd-column-beside-months`` ("YTD 2017/18"),
  ``rag-column-per-month`` ("Dec-16 RAG" after each month, one claim better
  than the figure earns), ``target-actual-variance-per-month`` (a merged month
  over Target | Actual | Variance), ``notes-column-mentions-refs`` (notes
  such as "R&B-K-009a: restated" beside the figures).
- Several tables on a sheet: ``stacked-contracts-one-blank-row`` (PSSP, one
  blank row, ICT numbers under "KPI No"), ``pssp-ict-side-by-side`` (ICT bare
  numbers under "Ref"), ``data-sheet-mixed-contracts`` (sheet "Data", PSSP and
  "ICT n" refs in one column with no break), ``two-single-month-tables-stacked``
  ("August 2017" table above a "July 2017" table, one Actual column each).
- Refs: ``refs-merged-across-two-columns``, ``ict-refs-compact``
  ("ICT01", "KPI-07", "KPI07", "ICT KPI 03"), ``ict-refs-float-under-ref-header``
  (7.0 shown "7.0"), ``ict-ref-and-description-in-one-cell`` ("KPI 7 - ...").
- Alternating rows: ``alternating-rows-ref-only-on-target`` (the Actual row's
  ref cell blank, not merged), ``alternating-rows-actual-first``.
- Long exports: ``long-export-contract-column-kpi-no`` (a Contract column,
  PSSP refs and bare ICT numbers under "KPI No"), ``long-export-period-dates``
  (month-end date cells), ``long-export-month-text`` ("Aug-17" under "Month",
  "KPI 7" refs).
- Years elsewhere: ``transposed-fy-title`` (months "Apr".."Mar" down, "2016/17"
  in the title), ``fy-in-sheet-name`` (sheet "ICT 2016-17"),
  ``bare-months-no-year`` ("Apr".."Aug" and no year anywhere: each month
  header is ``period-unknown``).
- Values: ``xlsx-percentage-cells`` (0.9765 shown "97.65%"),
  ``values-percent-text`` ("97.65%", non-breaking spaces), ``blank-cells``
  (blank actuals: no figure, no layout error), ``csv-bom-semicolons``
  (UTF-8 BOM, ";" separators), ``csv-semicolon-decimal-comma`` ("97,65").
- Workbooks: ``cover-sheet-refs-only`` (a cover sheet listing the refs: its
  refs are ``table-not-read``, as ``refs-without-period-axis``; the data
  sheet is read), ``hidden-lookup-column-and-row`` (a hidden column of
  "PSSP|R&B-K-001" lookup keys and a hidden spacer row).
- More of the same: ``refs-with-footnote-markers`` ("R&B-K-001*", "STS-K-009 (1)"),
  ``service-area-heading-rows`` ("STS - Service Area" rows in the ref column),
  ``long-export-year-and-month-columns`` (2017 | 8),
  ``long-export-fy-and-month-name-columns`` ("2017/18" | "August"),
  ``transposed-target-actual-rows`` ("Jul-17 Target" / "Jul-17 Actual" rows),
  ``sheet-per-month-long-names`` (sheets "Sept 16", "December 2016", "Mar 2017").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from samples import generate, seeds
from tests.corpus import (
    FY_MONTHS,
    ICT_MONTHS,
    ICT_ROWS,
    PSSP_MONTHS,
    PSSP_ROWS,
    Cell,
    Figure,
    LayoutCase,
    Problem,
    Sheet,
    address,
    case,
    fy_columns,
    ict_actual,
    ict_cell,
    ict_figure,
    ict_rag,
    month_cell,
    pssp_actual,
    pssp_cell,
    pssp_figure,
    pssp_rag,
    pssp_target,
    unique,
)


def _text(month: str, spelling: str) -> str:
    return generate.month_date(month).strftime(spelling)


def _pssp_rows(ws: Sheet, months: Sequence[str], *, col: int = 1,
               spell: Callable[[str], Any] = lambda r: r) -> list[Figure]:  # fmt: skip
    """Ref, description, one actual per month, from column ``col``."""
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(spell(kpi.ref), kpi.description,
                *(pssp_cell(pssp_actual(kpi, m)) for m in months), col=col)  # fmt: skip
        figures += [pssp_figure(kpi, m) for m in months]
    return figures


def _ict_rows(ws: Sheet, months: Sequence[str], *, col: int = 1,
              spell: Callable[[str], Any] = int) -> list[Figure]:  # fmt: skip
    """Ref, description, target, one actual per month, from column ``col``."""
    figures = []
    for kpi in ICT_ROWS:
        ws.line(spell(kpi.ref), kpi.description, kpi.target,
                *(ict_cell(ict_actual(kpi, m)) for m in months), col=col)  # fmt: skip
        figures += [ict_figure(kpi, m) for m in months]
    return figures


# --------------------------------------------------------------------------
# Extra writers: hidden rows and columns, CSV dialects
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Hidden:
    """Rows and columns to hide on one sheet (by sheet name)."""

    sheet: str
    rows: tuple[int, ...] = ()
    cols: tuple[str, ...] = ()


def _write_xlsx_hidden(file_name: str, sheets: tuple[Sheet, ...], hidden: Hidden,
                       directory: Path) -> Path:  # fmt: skip
    wb = generate.new_workbook()
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for (row, col), cell in sorted(spec.cells.items()):
            target = ws.cell(row=row, column=col, value=cell.value)
            if cell.fmt:
                target.number_format = cell.fmt
        for row, col, last_row, last_col in spec.merged:
            ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
        if spec.name == hidden.sheet:
            for row in hidden.rows:
                ws.row_dimensions[row].hidden = True
            for letter in hidden.cols:
                ws.column_dimensions[letter].hidden = True
    return generate.save(wb, Path(directory) / file_name)


def _write_csv_dialect(file_name: str, sheet: Sheet, delimiter: str, bom: bool,
                       directory: Path) -> Path:  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in range(1, sheet.row + 1):
        cells = [sheet.cells.get((row, col)) for col in range(1, sheet.max_col + 1)]
        writer.writerow(["" if c is None else str(c.value) for c in cells])
    path = Path(directory) / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8", newline="")
    return path


def _custom(case_id: str, file_name: str, write: Callable[[Path], Path],
            figures: Iterable[Figure], errors: Iterable[Problem] = ()) -> LayoutCase:  # fmt: skip
    return LayoutCase(id=case_id, file_name=file_name, write=write, figures=unique(figures),
                      errors=frozenset(errors))  # fmt: skip


# --------------------------------------------------------------------------
# Where the header sits
# --------------------------------------------------------------------------


def header_row_one_no_title() -> LayoutCase:
    ws = Sheet("Sheet1")
    ws.line("Ref", "Description", *(month_cell(m) for m in PSSP_MONTHS))
    figures = _pssp_rows(ws, PSSP_MONTHS)
    return case("header-row-one-no-title", "pssp_no_title.xlsx", [ws], figures)


def title_merged_across() -> LayoutCase:
    months = ("Jun-16", "Sep-16", "Dec-16", "Mar-17")
    ws = Sheet("ICT")
    ws.line("ICT Managed Service - KPI Performance Report")
    ws.merge(1, 1, 1, 3 + len(months))
    ws.line("Supplier: Serco    Period covered: June 2016 to March 2017")
    ws.merge(2, 1, 2, 3 + len(months))
    ws.skip()
    ws.line("KPI", "Description", "Target", *(month_cell(m) for m in months))
    figures = _ict_rows(ws, months)
    return case("title-merged-across", "ict_report_merged_title.xlsx", [ws], figures)


def table_at_f12() -> LayoutCase:
    ws = Sheet("Return")
    ws.line("Serco Ltd")
    ws.line("Performance & Contract Management")
    ws.line("Tel: 01234 567890")
    ws.skip(2)
    ws.line("Return for: July and August 2017")
    ws.line("Version 3 - 04/09/2017")
    ws.skip(3)
    ws.row = 10
    ws.line("PSSP KPI Table", col=6)
    ws.line("Ref", "Description", month_cell("Jul-17"), month_cell("Aug-17"), col=6)
    figures = _pssp_rows(ws, ("Jul-17", "Aug-17"), col=6)
    return case("table-at-f12", "pssp_return_f12.xlsx", [ws], figures)


def summary_table_above_kpi_table() -> LayoutCase:
    month = "Dec-16"
    ws = Sheet("PSSP Dec-16")
    ws.line("PSSP KPI Performance - December 2016")
    ws.skip()
    ws.line("Service Area", "KPIs", "Met", "Not met")
    for area in seeds.ANNUAL_PSSP:
        met = sum(pssp_rag(k, month) == "Green" for k in area.rows)
        ws.line(area.area, len(area.rows), met, len(area.rows) - met)
    ws.line("Total", len(PSSP_ROWS))
    ws.skip()
    ws.line("Ref", "Description", "Target", "Actual")
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, pssp_cell(pssp_target(kpi, month)),
                pssp_cell(pssp_actual(kpi, month)))  # fmt: skip
        figures.append(pssp_figure(kpi, month))
    return case("summary-table-above-kpi-table", "pssp_dec16_summary.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# How a header is typed
# --------------------------------------------------------------------------


def header_line_breaks_trailing_spaces() -> LayoutCase:
    months = ("Sep-16", "Dec-16", "Mar-17")
    ws = Sheet("PSSP KPIs ")
    ws.line("PSSP KPI Performance ")
    ws.skip()
    ws.line("Performance\nMeasure Ref ", "Description\n", *(f"{m}\nActual " for m in months))
    figures = _pssp_rows(ws, months)
    return case("header-line-breaks-trailing-spaces", "pssp_wrapped_headers.xlsx", [ws], figures)


def month_dates_number_formats() -> LayoutCase:
    """Date headers shown five ways, two of them month-end dates."""
    formats = ("mmmm yyyy", "dd/mm/yyyy", "mmm yyyy", "yyyy-mm", "mmm-yy")
    months = ("Jun-16", "Sep-16", "Dec-16", "Mar-17", "Apr-17")
    headers = []
    for i, (month, fmt) in enumerate(zip(months, formats, strict=True)):
        when = generate.month_date(month)
        if i in (1, 3):  # month-end dates, as a period-end column is often typed
            when = (when + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        headers.append(Cell(when, fmt))
    ws = Sheet("ICT KPIs")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *headers)
    figures = _ict_rows(ws, months)
    return case("month-dates-number-formats", "ict_date_formats.xlsx", [ws], figures)


def month_text_spellings() -> LayoutCase:
    spellings = {"Sep-16": "Sept 2016", "Dec-16": "Dec 2016", "Mar-17": "Mar '17",
                 "Jul-17": "2017-07-01", "Aug-17": "Aug-17 Actual %"}  # fmt: skip
    ws = Sheet("PSSP KPIs")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(spellings[m] for m in PSSP_MONTHS))
    figures = _pssp_rows(ws, PSSP_MONTHS)
    return case("month-text-spellings", "pssp_month_spellings.xlsx", [ws], figures)


def months_descending() -> LayoutCase:
    months = tuple(reversed(PSSP_MONTHS))
    ws = Sheet("PSSP KPIs")
    ws.line("PSSP KPI Performance (latest month first)")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = _pssp_rows(ws, months)
    return case("months-descending", "pssp_latest_first.xlsx", [ws], figures)


def text_everywhere() -> LayoutCase:
    """An old .xls re-saved as .xlsx: every cell text, months "01/09/2016"."""
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(_text(m, "%d/%m/%Y") for m in PSSP_MONTHS))
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_actual(kpi, m) for m in PSSP_MONTHS))
        figures += [pssp_figure(kpi, m) for m in PSSP_MONTHS]
    return case("text-everywhere", "pssp_old_xls_resaved.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# Columns that are not months
# --------------------------------------------------------------------------


def ytd_column_beside_months() -> LayoutCase:
    months = ("Apr-17", "Jul-17", "Aug-17")
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in months), "YTD 2017/18")
    figures = []
    for kpi in ICT_ROWS:
        row = ws.line(int(kpi.ref), kpi.description, kpi.target,
                      *(ict_cell(ict_actual(kpi, m)) for m in months))  # fmt: skip
        ws.put(row, 4 + len(months), ict_cell(ict_actual(kpi, "Aug-17")))
        figures += [ict_figure(kpi, m) for m in months]
    return case("ytd-column-beside-months", "ict_with_ytd.xlsx", [ws], figures)


def rag_column_per_month() -> LayoutCase:
    months = ("Sep-16", "Dec-16", "Mar-17")
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    header: list[Any] = ["Ref", "Description", "Target", "Detriment", "Failure"]
    for m in months:
        header += [month_cell(m), f"{m} RAG"]
    ws.line(*header)
    figures, warnings = [], []
    claimed = None
    for kpi in ICT_ROWS:
        row = ws.line(int(kpi.ref), kpi.description, kpi.target, kpi.detriment, kpi.failure)
        for i, m in enumerate(months):
            ws.put(row, 6 + 2 * i, ict_cell(ict_actual(kpi, m)))
            rag = ict_rag(kpi, m)
            # KPIs 1 and 2 print 100 for "no failures": not graded, so not claimed on.
            if rag == "Red" and claimed is None and kpi.ref not in {"1", "2"}:
                claimed = ws.put(row, 7 + 2 * i, "Green")
                warnings.append(Problem("rag-claims-better", ws.name, claimed))
            else:
                ws.put(row, 7 + 2 * i, rag)
            figures.append(ict_figure(kpi, m))
    assert claimed is not None
    return case("rag-column-per-month", "ict_rag_per_month.xlsx", [ws], figures, warnings=warnings)


def target_actual_variance_per_month() -> LayoutCase:
    months = ("Jul-17", "Aug-17")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    top = ws.line("", "", *[x for m in months for x in (_text(m, "%B %Y"), None, None)])
    for i in range(len(months)):
        ws.merge(top, 3 + 3 * i, top, 5 + 3 * i)
    ws.line("Ref", "Description", *(["Target", "Actual", "Variance"] * len(months)))
    figures = []
    for kpi in PSSP_ROWS:
        row = ws.line(kpi.ref, kpi.description)
        for i, m in enumerate(months):
            target, actual = pssp_target(kpi, m), pssp_actual(kpi, m)
            ws.put(row, 3 + 3 * i, pssp_cell(target))
            ws.put(row, 4 + 3 * i, pssp_cell(actual))
            t, a = generate.number(target), generate.number(actual)
            if t is not None and a is not None:
                ws.put(row, 5 + 3 * i, Cell(float(Decimal(actual) - Decimal(target)), "0.00"))
            figures.append(pssp_figure(kpi, m))
    return case("target-actual-variance-per-month", "pssp_variance.xlsx", [ws], figures)


def notes_column_mentions_refs() -> LayoutCase:
    months = ("Jul-17", "Aug-17")
    notes = {
        "R&B-K-009": "R&B-K-009a: restated after audit",
        "R&B-K-009b": "R&B-K-011 - see note 2",
        "CS-K-001": "CS-K-002 (survey) not run in August",
        "PRO-K-005": "PRO-K-004: see commentary",
    }
    ws = Sheet("PSSP KPIs")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months), "Notes")
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months),
                notes.get(kpi.ref))  # fmt: skip
        figures += [pssp_figure(kpi, m) for m in months]
    return case("notes-column-mentions-refs", "pssp_with_notes_column.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# Several tables on a sheet
# --------------------------------------------------------------------------


def stacked_contracts_one_blank_row() -> LayoutCase:
    months = ("Jul-17", "Aug-17")
    ws = Sheet("KPIs")
    ws.line("Serco KPI return - July and August 2017")
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = _pssp_rows(ws, months)
    ws.skip()
    ws.line("KPI No", "Indicator", "Target", *(month_cell(m) for m in months))
    figures += _ict_rows(ws, months)
    return case("stacked-contracts-one-blank-row", "serco_kpis_stacked.xlsx", [ws], figures)


def pssp_ict_side_by_side() -> LayoutCase:
    months = ("Jul-17", "Aug-17")
    ws = Sheet("Performance")
    ws.line("PSSP KPIs", None, None, None, None, "ICT KPIs")
    ws.line("Ref", "Description", *(month_cell(m) for m in months), None,
            "Ref", "Description", "Target", *(month_cell(m) for m in months))  # fmt: skip
    figures = []
    top = ws.row
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months))
        figures += [pssp_figure(kpi, m) for m in months]
    for i, kpi in enumerate(ICT_ROWS, start=1):
        ws.put(top + i, 6, int(kpi.ref))
        ws.put(top + i, 7, kpi.description)
        ws.put(top + i, 8, kpi.target)
        for j, m in enumerate(months):
            ws.put(top + i, 9 + j, ict_cell(ict_actual(kpi, m)))
        figures.append(ict_figure(kpi, months[0]))
        figures.append(ict_figure(kpi, months[1]))
    ws.row = max(ws.row, top + len(ICT_ROWS))
    return case("pssp-ict-side-by-side", "pssp_ict_side_by_side.xlsx", [ws], figures)


def data_sheet_mixed_contracts() -> LayoutCase:
    months = ("Mar-17", "Jul-17", "Aug-17")
    ws = Sheet("Data")
    ws.line("KPI", "Description", *(month_cell(m) for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months))
        figures += [pssp_figure(kpi, m) for m in months]
    for row in ICT_ROWS:
        ws.line(f"ICT {row.ref}", row.description,
                *(ict_cell(ict_actual(row, m)) for m in months))  # fmt: skip
        figures += [ict_figure(row, m) for m in months]
    return case("data-sheet-mixed-contracts", "kpi_data.xlsx", [ws], figures)


def two_single_month_tables_stacked() -> LayoutCase:
    ws = Sheet("ICT")
    figures = []
    for month, title in (("Aug-17", "August 2017"), ("Jul-17", "July 2017")):
        ws.line(title)
        ws.line("Ref", "Description", "Target", "Actual")
        for kpi in ICT_ROWS:
            ws.line(int(kpi.ref), kpi.description, kpi.target, ict_cell(ict_actual(kpi, month)))
            figures.append(ict_figure(kpi, month))
        ws.skip(2)
    return case("two-single-month-tables-stacked", "ict_two_months.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# Refs
# --------------------------------------------------------------------------


def refs_merged_across_two_columns() -> LayoutCase:
    months = ("Sep-16", "Dec-16")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    header = ws.line("Ref", None, "Description", *(month_cell(m) for m in months))
    ws.merge(header, 1, header, 2)
    figures = []
    for kpi in PSSP_ROWS:
        row = ws.line(kpi.ref, None, kpi.description,
                      *(pssp_cell(pssp_actual(kpi, m)) for m in months))  # fmt: skip
        ws.merge(row, 1, row, 2)
        figures += [pssp_figure(kpi, m) for m in months]
    return case("refs-merged-across-two-columns", "pssp_merged_refs.xlsx", [ws], figures)


def ict_refs_compact() -> LayoutCase:
    styles = ("ICT{:02d}", "KPI-{:02d}", "KPI{:02d}", "ICT KPI {:02d}")
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("KPI", "Description", "Target", *(month_cell(m) for m in ("Jul-17", "Aug-17")))
    figures = []
    for i, kpi in enumerate(ICT_ROWS):
        spelt = styles[i % len(styles)].format(int(kpi.ref))
        ws.line(spelt, kpi.description, kpi.target,
                *(ict_cell(ict_actual(kpi, m)) for m in ("Jul-17", "Aug-17")))  # fmt: skip
        figures += [ict_figure(kpi, m) for m in ("Jul-17", "Aug-17")]
    return case("ict-refs-compact", "ict_compact_refs.xlsx", [ws], figures)


def ict_refs_float_under_ref_header() -> LayoutCase:
    months = ("Dec-16", "Mar-17")
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in months))
    figures = _ict_rows(ws, months, spell=lambda r: Cell(float(r), "0.0"))
    return case("ict-refs-float-under-ref-header", "ict_float_refs.xlsx", [ws], figures)


def ict_ref_and_description_in_one_cell() -> LayoutCase:
    months = ("Mar-17", "Apr-17")
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("KPI", "Target", *(month_cell(m) for m in months))
    figures = []
    for kpi in ICT_ROWS:
        ws.line(f"KPI {kpi.ref} - {kpi.description}", kpi.target,
                *(ict_cell(ict_actual(kpi, m)) for m in months))  # fmt: skip
        figures += [ict_figure(kpi, m) for m in months]
    return case("ict-ref-and-description-in-one-cell", "ict_ref_description.xlsx", [ws],
                figures)  # fmt: skip


# --------------------------------------------------------------------------
# Alternating rows
# --------------------------------------------------------------------------


def alternating_rows_ref_only_on_target() -> LayoutCase:
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Measure", *(month_cell(m) for m in PSSP_MONTHS))
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, "Target",
                *(pssp_cell(pssp_target(kpi, m)) for m in PSSP_MONTHS))  # fmt: skip
        ws.line(None, None, "Actual", *(pssp_cell(pssp_actual(kpi, m)) for m in PSSP_MONTHS))
        figures += [pssp_figure(kpi, m) for m in PSSP_MONTHS]
    return case("alternating-rows-ref-only-on-target", "pssp_rows_ref_once.xlsx", [ws], figures)


def alternating_rows_actual_first() -> LayoutCase:
    months = ("Jul-17", "Aug-17")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "", *(_text(m, "%b %Y") for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, "Actual",
                *(pssp_cell(pssp_actual(kpi, m)) for m in months))  # fmt: skip
        ws.line(None, None, "Target", *(pssp_cell(pssp_target(kpi, m)) for m in months))
        figures += [pssp_figure(kpi, m) for m in months]
    return case("alternating-rows-actual-first", "pssp_rows_actual_first.xlsx", [ws], figures)


# --------------------------------------------------------------------------
# Long exports
# --------------------------------------------------------------------------


def long_export_contract_column_kpi_no() -> LayoutCase:
    ws = Sheet("Export")
    ws.line("Contract", "KPI No", "Period", "Target", "Actual")
    figures = []
    for month in ("Jul-17", "Aug-17"):
        for kpi in PSSP_ROWS:
            ws.line("PSSP", kpi.ref, _text(month, "%b-%y"), pssp_target(kpi, month),
                    pssp_cell(pssp_actual(kpi, month)))  # fmt: skip
            figures.append(pssp_figure(kpi, month))
        for row in ICT_ROWS:
            ws.line("ICT", int(row.ref), _text(month, "%b-%y"), row.target,
                    ict_cell(ict_actual(row, month)))  # fmt: skip
            figures.append(ict_figure(row, month))
    return case("long-export-contract-column-kpi-no", "contracts_export.xlsx", [ws], figures)


def long_export_period_dates() -> LayoutCase:
    ws = Sheet("Export")
    ws.line("Indicator Code", "Period End", "Target", "Actual", "RAG")
    figures = []
    for month in PSSP_MONTHS:
        start = generate.month_date(month)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        for kpi in PSSP_ROWS:
            ws.line(kpi.ref, Cell(end, "dd/mm/yyyy"), pssp_cell(pssp_target(kpi, month)),
                    pssp_cell(pssp_actual(kpi, month)), pssp_rag(kpi, month))  # fmt: skip
            figures.append(pssp_figure(kpi, month))
    return case("long-export-period-dates", "pssp_export_dates.xlsx", [ws], figures)


def long_export_month_text() -> LayoutCase:
    ws = Sheet("ICT export")
    ws.line("KPI", "Month", "Target", "Actual")
    figures = []
    for month in ICT_MONTHS:
        for row in ICT_ROWS:
            ws.line(f"KPI {row.ref}", month, row.target, ict_actual(row, month))
            figures.append(ict_figure(row, month))
    return case("long-export-month-text", "ict_export_months.csv", [ws], figures)


# --------------------------------------------------------------------------
# Years elsewhere
# --------------------------------------------------------------------------


def transposed_fy_title() -> LayoutCase:
    columns = fy_columns(2016)
    ws = Sheet("ICT by month")
    ws.line("ICT KPI Performance 2016/17")
    ws.line("Month", *(f"KPI {kpi.ref}" for kpi in ICT_ROWS))
    figures = []
    for label, month in zip(FY_MONTHS, columns, strict=True):
        if month not in ICT_MONTHS:
            continue
        ws.line(label, *(ict_cell(ict_actual(kpi, month)) for kpi in ICT_ROWS))
        figures += [ict_figure(kpi, month) for kpi in ICT_ROWS]
    return case("transposed-fy-title", "ict_transposed_fy.xlsx", [ws], figures)


def fy_in_sheet_name() -> LayoutCase:
    columns = fy_columns(2016)
    ws = Sheet("ICT 2016-17")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *FY_MONTHS)
    figures = []
    for kpi in ICT_ROWS:
        row = ws.line(int(kpi.ref), kpi.description, kpi.target)
        for col, month in enumerate(columns, start=4):
            if month in ICT_MONTHS:
                ws.put(row, col, ict_cell(ict_actual(kpi, month)))
                figures.append(ict_figure(kpi, month))
    return case("fy-in-sheet-name", "ict_fy_sheet.xlsx", [ws], figures)


def bare_months_no_year() -> LayoutCase:
    """ "Apr" .. "Aug" with no year in the title, the sheet or the file name."""
    months = ("Apr-17", "May-17", "Jun-17", "Jul-17", "Aug-17")
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    header = ws.line("Ref", "Description", "Target", *(m[:3] for m in months))
    for kpi in ICT_ROWS:
        ws.line(
            int(kpi.ref),
            kpi.description,
            kpi.target,
            *(ict_cell(ict_actual(kpi, m)) if m in ICT_MONTHS else None for m in months),
        )
    errors = [Problem("period-unknown", ws.name, address(header, 4 + i)) for i in range(5)]
    return case("bare-months-no-year", "ict_kpis_no_year.xlsx", [ws], [], errors=errors)


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


def xlsx_percentage_cells() -> LayoutCase:
    months = ("Sep-16", "Dec-16", "Mar-17")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        cells: list[Any] = []
        for m in months:
            text = pssp_actual(kpi, m)
            if generate.number(text) is not None and kpi.criteria == "%":
                cells.append(Cell(float(Decimal(text) / 100), "0.00%"))
            else:
                cells.append(pssp_cell(text))
            figures.append(pssp_figure(kpi, m))
        ws.line(kpi.ref, kpi.description, *cells)
    return case("xlsx-percentage-cells", "pssp_percent_cells.xlsx", [ws], figures)


def values_percent_text() -> LayoutCase:
    months = ("Jul-17", "Aug-17")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        cells: list[Any] = []
        for m in months:
            text = pssp_actual(kpi, m)
            if generate.number(text) is not None and kpi.criteria == "%":
                cells.append(f"{text}%")
            elif generate.number(text) is not None:
                cells.append(f"\u00a0{text} ")
            else:
                cells.append(text)
            figures.append(pssp_figure(kpi, m))
        ws.line(kpi.ref, kpi.description, *cells)
    return case("values-percent-text", "pssp_percent_text.xlsx", [ws], figures)


def blank_cells() -> LayoutCase:
    months = ("Sep-16", "Dec-16", "Mar-17")
    blank = {("R&B-K-001", "Mar-17"), ("CS-K-006", "Mar-17"), ("PRO-K-007", "Dec-16")}
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description,
                *(None if (kpi.ref, m) in blank else pssp_cell(pssp_actual(kpi, m))
                  for m in months))  # fmt: skip
        figures += [pssp_figure(kpi, m) for m in months if (kpi.ref, m) not in blank]
    return case("blank-cells", "pssp_blanks.xlsx", [ws], figures)


def _csv_sheet(decimal_comma: bool) -> tuple[Sheet, list[Figure]]:
    months = ("Jul-17", "Aug-17")
    ws = Sheet("export")
    ws.line("Ref", "Description", *months)
    figures = []
    for kpi in PSSP_ROWS:
        values = [pssp_actual(kpi, m) for m in months]
        if decimal_comma:
            values = [v.replace(".", ",") for v in values]
        ws.line(kpi.ref, kpi.description, *values)
        figures += [pssp_figure(kpi, m) for m in months]
    return ws, figures


def csv_bom_semicolons() -> LayoutCase:
    ws, figures = _csv_sheet(decimal_comma=False)
    name = "pssp_export_semicolon.csv"
    return _custom("csv-bom-semicolons", name,
                   partial(_write_csv_dialect, name, ws, ";", True), figures)  # fmt: skip


def csv_semicolon_decimal_comma() -> LayoutCase:
    ws, figures = _csv_sheet(decimal_comma=True)
    name = "pssp_export_decimal_comma.csv"
    return _custom("csv-semicolon-decimal-comma", name,
                   partial(_write_csv_dialect, name, ws, ";", True), figures)  # fmt: skip


# --------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------


def cover_sheet_refs_only() -> LayoutCase:
    cover = Sheet("Cover")
    cover.line("Serco PSSP KPI Return")
    cover.line("Contents: the KPIs reported in this return")
    cover.skip()
    cover.line("Ref", "Description")
    for kpi in PSSP_ROWS:
        cover.line(kpi.ref, kpi.description)
    data = Sheet("Data")
    data.line("PSSP KPI Performance")
    data.skip()
    data.line("Ref", "Description", *(month_cell(m) for m in ("Jul-17", "Aug-17")))
    figures = _pssp_rows(data, ("Jul-17", "Aug-17"))
    # A contents list whose KPIs' figures are all read elsewhere is not unread figures:
    # it gets an info record (refs-listed-only), never an error.
    return case("cover-sheet-refs-only", "pssp_return_with_cover.xlsx", [cover, data], figures)


def hidden_lookup_column_and_row() -> LayoutCase:
    months = ("Sep-16", "Dec-16")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Lookup", "Ref", "Description", *(month_cell(m) for m in months))
    figures = []
    spacer = 0
    for i, kpi in enumerate(PSSP_ROWS):
        ws.line(f"PSSP|{kpi.ref}", kpi.ref, kpi.description,
                *(pssp_cell(pssp_actual(kpi, m)) for m in months))  # fmt: skip
        figures += [pssp_figure(kpi, m) for m in months]
        if i == 8:
            ws.skip()
            spacer = ws.row
    name = "pssp_hidden_lookup.xlsx"
    hidden = Hidden(ws.name, rows=(spacer,), cols=("A",))
    return _custom("hidden-lookup-column-and-row", name,
                   partial(_write_xlsx_hidden, name, (ws,), hidden), figures)  # fmt: skip


# --------------------------------------------------------------------------
# More of the same families
# --------------------------------------------------------------------------


def refs_with_footnote_markers() -> LayoutCase:
    """ "R&B-K-001*", "STS-K-009 (1)": a footnote mark after a few refs."""
    marks = {"STS-K-009": "STS-K-009 (1)", "R&B-K-001": "R&B-K-001*", "CS-K-002": "CS-K-002 **",
             "SP-K-009": "SP-K-009 [2]"}  # fmt: skip
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in ("Jul-17", "Aug-17")))
    figures = _pssp_rows(ws, ("Jul-17", "Aug-17"), spell=lambda r: marks.get(r, r))
    ws.skip()
    ws.line("* cumulative from April; ** survey based; (1) statutory; [2] removed by NoC 041")
    return case("refs-with-footnote-markers", "pssp_footnote_marks.xlsx", [ws], figures)


def service_area_heading_rows() -> LayoutCase:
    """A heading row per service area in the ref column between the groups."""
    months = ("Sep-16", "Dec-16", "Mar-17")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance 2016/17")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures = []
    for area in seeds.ANNUAL_PSSP:
        ws.line(f"{area.area} - Service Area")
        for kpi in area.rows:
            ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months))
            figures += [pssp_figure(kpi, m) for m in months]
    return case("service-area-heading-rows", "pssp_area_headings.xlsx", [ws], figures)


def long_export_year_and_month_columns() -> LayoutCase:
    """Separate "Year" (2017) and "Month" (8) columns: together they are the period."""
    ws = Sheet("Export")
    ws.line("KPI Ref", "Year", "Month", "Target", "Actual")
    figures = []
    for month in PSSP_MONTHS:
        when = generate.month_date(month)
        for kpi in PSSP_ROWS:
            ws.line(kpi.ref, when.year, when.month, pssp_cell(pssp_target(kpi, month)),
                    pssp_cell(pssp_actual(kpi, month)))  # fmt: skip
            figures.append(pssp_figure(kpi, month))
    return case("long-export-year-and-month-columns", "pssp_export_year_month.xlsx", [ws],
                figures)  # fmt: skip


def long_export_fy_and_month_name_columns() -> LayoutCase:
    """ "Financial Year" ("2017/18") and "Month" ("August") columns."""
    ws = Sheet("Export")
    ws.line("KPI", "Financial Year", "Month", "Target", "Actual")
    figures = []
    for month in ICT_MONTHS:
        when = generate.month_date(month)
        start = when.year if when.month >= 4 else when.year - 1
        for row in ICT_ROWS:
            ws.line(f"ICT {row.ref}", f"{start}/{(start + 1) % 100:02d}", when.strftime("%B"),
                    row.target, ict_cell(ict_actual(row, month)))  # fmt: skip
            figures.append(ict_figure(row, month))
    return case("long-export-fy-and-month-name-columns", "ict_export_fy_month.xlsx", [ws],
                figures)  # fmt: skip


def transposed_target_actual_rows() -> LayoutCase:
    """Refs across; "Jul-17 Target" and "Jul-17 Actual" rows down column A."""
    months = ("Jul-17", "Aug-17")
    ws = Sheet("Across")
    ws.line("PSSP KPI Performance")
    ws.line("Month", *(kpi.ref for kpi in PSSP_ROWS))
    figures = []
    for month in months:
        ws.line(f"{month} Target", *(pssp_cell(pssp_target(kpi, month)) for kpi in PSSP_ROWS))
        ws.line(f"{month} Actual", *(pssp_cell(pssp_actual(kpi, month)) for kpi in PSSP_ROWS))
        figures += [pssp_figure(kpi, month) for kpi in PSSP_ROWS]
    return case("transposed-target-actual-rows", "pssp_across_pairs.xlsx", [ws], figures)


def sheet_per_month_long_names() -> LayoutCase:
    """Sheets "Sept 16", "December 2016", "Mar 2017": one Actual column each, no title."""
    names = {"Sep-16": "Sept 16", "Dec-16": "December 2016", "Mar-17": "Mar 2017"}
    sheets, figures = [], []
    for month, name in names.items():
        ws = Sheet(name)
        ws.line("KPI", "Description", "Target", "Actual")
        for kpi in ICT_ROWS:
            ws.line(f"KPI {kpi.ref}", kpi.description, kpi.target,
                    ict_cell(ict_actual(kpi, month)))  # fmt: skip
            figures.append(ict_figure(kpi, month))
        sheets.append(ws)
    return case("sheet-per-month-long-names", "ict_tabs_long_names.xlsx", sheets, figures)


MORE_CASES: list[LayoutCase] = [
    header_row_one_no_title(),
    title_merged_across(),
    table_at_f12(),
    summary_table_above_kpi_table(),
    header_line_breaks_trailing_spaces(),
    month_dates_number_formats(),
    month_text_spellings(),
    months_descending(),
    text_everywhere(),
    ytd_column_beside_months(),
    rag_column_per_month(),
    target_actual_variance_per_month(),
    notes_column_mentions_refs(),
    stacked_contracts_one_blank_row(),
    pssp_ict_side_by_side(),
    data_sheet_mixed_contracts(),
    two_single_month_tables_stacked(),
    refs_merged_across_two_columns(),
    ict_refs_compact(),
    ict_refs_float_under_ref_header(),
    ict_ref_and_description_in_one_cell(),
    alternating_rows_ref_only_on_target(),
    alternating_rows_actual_first(),
    long_export_contract_column_kpi_no(),
    long_export_period_dates(),
    long_export_month_text(),
    transposed_fy_title(),
    fy_in_sheet_name(),
    bare_months_no_year(),
    xlsx_percentage_cells(),
    values_percent_text(),
    blank_cells(),
    csv_bom_semicolons(),
    csv_semicolon_decimal_comma(),
    cover_sheet_refs_only(),
    hidden_lookup_column_and_row(),
    refs_with_footnote_markers(),
    service_area_heading_rows(),
    long_export_year_and_month_columns(),
    long_export_fy_and_month_name_columns(),
    transposed_target_actual_rows(),
    sheet_per_month_long_names(),
]
"""Every further layout case, in the order the docstring lists the families."""

assert len({c.id for c in MORE_CASES}) == len(MORE_CASES), "case ids must be unique"
assert len({c.file_name for c in MORE_CASES}) == len(MORE_CASES), "file names must be unique"
