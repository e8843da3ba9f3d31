"""Layouts that once lost or invented figures in silence (the probe of novel layouts).

Each case is built from ``samples.seeds`` like ``tests.corpus`` and states, by
the same rule of thumb, every figure a reviewer reads without doubt and the
exact layout errors where kpiflow cannot read a figure with certainty:

- ``month-header-unread-word``: the last month is headed "Aug-17 (provisional)".
  Its column was passed over with no error; now a ``table-not-read`` names
  its figures' cells.
- ``submeasures-under-merged-ref``: ICT KPI 7 given as two rows, (a) and (b),
  under one ref cell merged over both. Row (b) was dropped and row (a)
  loaded as KPI 7; now each month's pair of cells is a ``table-not-read``
  error, which keeps KPI 7 out of the warehouse for those months.
- ``forecast-group-over-months``: "Actual" merged over three month columns
  and "Forecast" over the next two. The forecasts were loaded as actuals;
  now they are passed over (a forecast is not a month's figure).
- ``targets-table-above-actuals``: a "PSSP Targets 2016/17" table of the
  months' targets above a "PSSP Actuals 2016/17" table. The targets were read
  as actuals (months only in the target table loaded as figures, the others
  refused as duplicates); now the target table is a ``table-not-read`` error
  naming its refs, and every actual is read.
- ``blank-month-header``: the middle month's header left blank: its figures
  were passed over; now a ``table-not-read`` names them.
- ``words-under-months``: "%" and "(%)" under two months (the months'
  figures: they were all passed over, the table reported unread) and "Perf."
  under the third (passed over in silence; now named).
- ``lettered-subrefs``: "KPI 7a" and "KPI 7b" rows among the KPI rows,
  refs the catalogue does not have: they were skipped in silence; now each
  row's figures are named.
- ``years-as-numbers-over-months``: 2016 and 2017 typed as numbers, merged
  over "Apr".."Dec" and "Jan".."Mar": every month was ``period-unknown``;
  now they are read.
- ``title-year-ending``: "year ending March 2017" over bare "Apr".."Mar":
  Apr..Dec were filed under 2017 in silence; now under 2016.
- ``calendar-title-months-past-december``: "2016" over "Apr".."Mar": Jan..Mar
  were filed under 2016 (before April) in silence; now each is
  ``period-unknown``.
- ``side-by-side-no-spacer``: a PSSP table and, in the very next column, an
  ICT table: the ICT table took the PSSP months' columns as its own and loaded
  PSSP figures as ICT KPIs' in silence; now each table reads its own.
- ``target-row-under-each-kpi``: a "Target" row (no ref) under each KPI's
  row: the targets are not figures, and are not named as passed over.
- ``quarter-value-merged-across-months``: PRO-K-002's one figure in a cell
  merged across Jul-16..Sep-16: it was filed under July in silence (the
  quarter's figure is due in September); now ``period-unknown`` names the
  merged cells and it is not loaded.
- ``target-and-actual-blocks``: "Target" merged over three month columns and
  "Actual" over the same three months again: only the actuals are figures
  (a "Target" group label is not a title saying the table holds targets).
- ``refs-as-uncalculated-formulas``: a good PSSP sheet, and a sheet named "ICT"
  whose refs are formulas (="KPI "&7) saved without their results: the ICT
  sheet was skipped with only kpi-missing warnings; now a
  ``formula-not-calculated`` error names the formula cells.
- ``long-export-with-forecast-rows``: a long export whose Measure column says
  Target / Actual / Forecast row by row: every row was read as an actual, so
  every figure was refused as a duplicate; now only the Actual rows are read.
- ``section-summary-rows``: "Incident KPIs met" count rows among the KPI rows
  are the supplier's summary, not passed-over figures (no error).
"""

from __future__ import annotations

from typing import Any

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
    _ict_fy_rows,
    _pssp_fy_rows,
    address,
    case,
    figure,
    fy_columns,
    ict_actual,
    ict_cell,
    ict_figure,
    month_cell,
    pssp_actual,
    pssp_cell,
    pssp_figure,
    pssp_target,
)


def _is_number(cell: Any) -> bool:
    return isinstance(cell, Cell) and isinstance(cell.value, int | float)


def month_header_unread_word() -> LayoutCase:
    read, last = ICT_MONTHS[4:6], ICT_MONTHS[6]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in read), f"{last} (provisional)")
    figures: list[Figure] = []
    numbers: list[int] = []
    for kpi in ICT_ROWS:
        cells = [ict_cell(ict_actual(kpi, m)) for m in (*read, last)]
        row = ws.line(int(kpi.ref), kpi.description, kpi.target, *cells)
        figures += [ict_figure(kpi, m) for m in read]
        if _is_number(cells[-1]):
            numbers.append(row)
    col = 4 + len(read)
    unread = f"{address(numbers[0], col)}:{address(numbers[-1], col)}"
    return case("month-header-unread-word", "ict_provisional_month.xlsx", [ws], figures,
                errors=[Problem("table-not-read", "ICT", unread)])  # fmt: skip


def submeasures_under_merged_ref() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    errors: list[Problem] = []
    for kpi in ICT_ROWS:
        row = ws.line(int(kpi.ref), kpi.description, kpi.target,
                      *(ict_cell(ict_actual(kpi, m)) for m in months))  # fmt: skip
        figures += [ict_figure(kpi, m) for m in months]
        if kpi.ref == "7":
            # The same KPI's second measure, under the ref cell merged over both rows.
            ws.line(None, "(b) within 8 business days", kpi.target,
                    *(Cell(97.5 - i) for i in range(len(months))))  # fmt: skip
            ws.merge(row, 1, row + 1, 1)
            errors += [Problem("table-not-read", "ICT",
                               f"{address(row, 4 + i)}:{address(row + 1, 4 + i)}")
                       for i in range(len(months))]  # fmt: skip
    return case("submeasures-under-merged-ref", "ict_submeasures.xlsx", [ws], figures,
                errors=errors)  # fmt: skip


def forecast_group_over_months() -> LayoutCase:
    actual, forecast = ICT_MONTHS[3:6], ICT_MONTHS[6:]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    group = ws.line(None, None, None, "Actual", None, None, "Forecast")
    ws.merge(group, 4, group, 3 + len(actual))
    ws.merge(group, 4 + len(actual), group, 3 + len(actual) + len(forecast))
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in (*actual, *forecast)))
    figures: list[Figure] = []
    for kpi in ICT_ROWS:
        ws.line(int(kpi.ref), kpi.description, kpi.target,
                *(ict_cell(ict_actual(kpi, m)) for m in (*actual, *forecast)))  # fmt: skip
        figures += [ict_figure(kpi, m) for m in actual]
    return case("forecast-group-over-months", "ict_actual_and_forecast.xlsx", [ws], figures)


def targets_table_above_actuals() -> LayoutCase:
    ws = Sheet("PSSP")
    ws.line("PSSP Targets 2016/17")
    ws.line("Ref", "Description", *(month_cell(m) for m in PSSP_MONTHS))
    first = ws.row + 1
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_target(kpi, m)) for m in PSSP_MONTHS))
    targets = f"{address(first, 1)}:{address(ws.row, 1)}"
    ws.skip(2)
    ws.line("PSSP Actuals 2016/17")
    # The actual table reports only the first months: the targets run on to the year's end.
    months = PSSP_MONTHS[:3]
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months))
        figures += [pssp_figure(kpi, m) for m in months]
    return case("targets-table-above-actuals", "pssp_targets_then_actuals.xlsx", [ws], figures,
                errors=[Problem("table-not-read", "PSSP", targets)])  # fmt: skip


def blank_month_header() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    # The middle month's header was left blank.
    ws.line("Ref", "Description", "Target", month_cell(months[0]), None, month_cell(months[2]))
    figures: list[Figure] = []
    numbers: list[int] = []
    for kpi in ICT_ROWS:
        cells = [ict_cell(ict_actual(kpi, m)) for m in months]
        row = ws.line(int(kpi.ref), kpi.description, kpi.target, *cells)
        figures += [ict_figure(kpi, m) for m in (months[0], months[2])]
        if _is_number(cells[1]):
            numbers.append(row)
    unread = f"{address(numbers[0], 5)}:{address(numbers[-1], 5)}"
    return case("blank-month-header", "ict_blank_month_header.xlsx", [ws], figures,
                errors=[Problem("table-not-read", "ICT", unread)])  # fmt: skip


def words_under_months() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in months))
    # A unit under a month is its figure; a word kpiflow does not read is named.
    ws.line(None, None, None, "%", "(%)", "Perf.")
    figures: list[Figure] = []
    numbers: list[int] = []
    for kpi in ICT_ROWS:
        cells = [ict_cell(ict_actual(kpi, m)) for m in months]
        row = ws.line(int(kpi.ref), kpi.description, kpi.target, *cells)
        figures += [ict_figure(kpi, m) for m in months[:2]]
        if _is_number(cells[2]):
            numbers.append(row)
    unread = f"{address(numbers[0], 6)}:{address(numbers[-1], 6)}"
    return case("words-under-months", "ict_words_under_months.xlsx", [ws], figures,
                errors=[Problem("table-not-read", "ICT", unread)])  # fmt: skip


def lettered_subrefs() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", "Target", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    errors: list[Problem] = []
    for kpi in ICT_ROWS:
        if kpi.ref != "7":
            ws.line(f"KPI {kpi.ref}", kpi.description, kpi.target,
                    *(ict_cell(ict_actual(kpi, m)) for m in months))  # fmt: skip
            figures += [ict_figure(kpi, m) for m in months]
            continue
        # KPI 7 split into 7a and 7b: refs the catalogue does not have.
        for part, less in (("a", 0.0), ("b", 1.5)):
            row = ws.line(f"KPI 7{part}", kpi.description, kpi.target,
                          *(Cell(95.0 - less - i) for i in range(len(months))))  # fmt: skip
            cells = f"{address(row, 4)}:{address(row, 3 + len(months))}"
            errors.append(Problem("table-not-read", "ICT", cells))
    return case("lettered-subrefs", "ict_lettered_subrefs.xlsx", [ws], figures, errors=errors)


def years_as_numbers_over_months() -> LayoutCase:
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    years = ws.line(None, None, 2016, *([None] * 8), 2017)
    ws.merge(years, 3, years, 11)
    ws.merge(years, 12, years, 14)
    ws.line("Ref", "Description", *FY_MONTHS)
    figures = _pssp_fy_rows(ws, fy_columns(2016), 3)
    return case("years-as-numbers-over-months", "pssp_year_numbers.xlsx", [ws], figures)


def title_year_ending() -> LayoutCase:
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance - year ending March 2017")
    ws.skip()
    ws.line("Ref", "Description", *FY_MONTHS)
    figures = _pssp_fy_rows(ws, fy_columns(2016), 3)
    return case("title-year-ending", "pssp_year_ending.xlsx", [ws], figures)


def calendar_title_months_past_december() -> LayoutCase:
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance 2016")
    ws.skip()
    header = ws.line("Ref", "Description", "Target", *FY_MONTHS)
    figures = [f for f in _ict_fy_rows(ws, fy_columns(2016), 4) if f.period < "2017"]
    # Jan..Mar after Dec under a "2016" title: not in the year it names.
    errors = [Problem("period-unknown", "ICT", address(header, 4 + i)) for i in range(9, 12)]
    return case("calendar-title-months-past-december", "ict_calendar_title.xlsx", [ws], figures,
                errors=errors)  # fmt: skip


def side_by_side_no_spacer() -> LayoutCase:
    pssp_months, ict_months = PSSP_MONTHS[:3], ICT_MONTHS[4:7]
    ws = Sheet("KPIs")
    ws.line("Monthly KPI return")
    ws.skip()
    right = 3 + len(pssp_months)  # the ICT table starts in the next column: no spacer
    header = ws.line("Ref", "Description", *(month_cell(m) for m in pssp_months))
    ws.put(header, right, "ICT KPI")
    ws.put(header, right + 1, "Description")
    for i, m in enumerate(ict_months):
        ws.put(header, right + 2 + i, month_cell(m))
    figures: list[Figure] = []
    for kpi in PSSP_ROWS:
        ws.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in pssp_months))
        figures += [pssp_figure(kpi, m) for m in pssp_months]
    for i, ict in enumerate(ICT_ROWS):
        row = header + 1 + i
        ws.put(row, right, f"KPI {ict.ref}")
        ws.put(row, right + 1, ict.description)
        for j, m in enumerate(ict_months):
            ws.put(row, right + 2 + j, ict_cell(ict_actual(ict, m)))
        figures += [ict_figure(ict, m) for m in ict_months]
    return case("side-by-side-no-spacer", "pssp_ict_no_spacer.xlsx", [ws], figures)


def target_row_under_each_kpi() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    for kpi in ICT_ROWS:
        ws.line(f"KPI {kpi.ref}", kpi.description, *(ict_cell(ict_actual(kpi, m)) for m in months))
        ws.line(None, "Target", *([kpi.target] * len(months)))
        figures += [ict_figure(kpi, m) for m in months]
    return case("target-row-under-each-kpi", "ict_target_rows.xlsx", [ws], figures)


def quarter_value_merged_across_months() -> LayoutCase:
    months = ("Jul-16", "Aug-16", "Sep-16")
    ws = Sheet("PSSP")
    ws.line("PSSP KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    errors: list[Problem] = []
    for kpi in PSSP_ROWS:
        text = pssp_actual(kpi, "Sep-16")
        if kpi.ref != "PRO-K-002":
            ws.line(kpi.ref, kpi.description, *([pssp_cell(text)] * len(months)))
            figures += [figure("PSSP", kpi.ref, m, text) for m in months]
            continue
        # The quarterly KPI's one figure, in a cell merged across the quarter's months.
        row = ws.line(kpi.ref, kpi.description, pssp_cell(text))
        ws.merge(row, 3, row, 2 + len(months))
        errors.append(Problem("period-unknown", "PSSP", f"C{row}:{address(row, 2 + len(months))}"))
    return case("quarter-value-merged-across-months", "pssp_merged_quarter.xlsx", [ws], figures,
                errors=errors)  # fmt: skip


def target_and_actual_blocks() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    group = ws.line(None, None, "Target", None, None, "Actual")
    ws.merge(group, 3, group, 2 + len(months))
    ws.merge(group, 3 + len(months), group, 2 + 2 * len(months))
    ws.line("Ref", "Description", *(month_cell(m) for m in (*months, *months)))
    figures: list[Figure] = []
    for kpi in ICT_ROWS:
        ws.line(f"KPI {kpi.ref}", kpi.description, *([kpi.target] * len(months)),
                *(ict_cell(ict_actual(kpi, m)) for m in months))  # fmt: skip
        figures += [ict_figure(kpi, m) for m in months]
    return case("target-and-actual-blocks", "ict_target_actual_blocks.xlsx", [ws], figures)


def refs_as_uncalculated_formulas() -> LayoutCase:
    months = PSSP_MONTHS[:3]
    pssp = Sheet("PSSP")
    pssp.line("PSSP KPI Performance")
    pssp.skip()
    pssp.line("Ref", "Description", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    for kpi in PSSP_ROWS:
        pssp.line(kpi.ref, kpi.description, *(pssp_cell(pssp_actual(kpi, m)) for m in months))
        figures += [pssp_figure(kpi, m) for m in months]
    ict = Sheet("ICT")
    ict.line("ICT KPI Performance")
    ict.skip()
    ict.line("Ref", "Description", *(month_cell(m) for m in ICT_MONTHS[4:7]))
    first = ict.row + 1
    for kpi in ICT_ROWS:
        # Refs built by formulas, saved by a program that never calculated them.
        ict.line(f'="KPI "&{kpi.ref}', kpi.description,
                 *(ict_cell(ict_actual(kpi, m)) for m in ICT_MONTHS[4:7]))  # fmt: skip
    cells = f"{address(first, 1)}:{address(ict.row, 1)}"
    return case("refs-as-uncalculated-formulas", "pssp_ict_formula_refs.xlsx", [pssp, ict],
                figures, errors=[Problem("formula-not-calculated", "ICT", cells)])  # fmt: skip


def long_export_with_forecast_rows() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("Export")
    ws.line("KPI Ref", "Month", "Measure", "Value")
    figures: list[Figure] = []
    for kpi in ICT_ROWS:
        for m in months:
            actual = ict_cell(ict_actual(kpi, m))
            ws.line(f"KPI {kpi.ref}", month_cell(m), "Target", kpi.target)
            ws.line(f"KPI {kpi.ref}", month_cell(m), "Actual", actual)
            ws.line(f"KPI {kpi.ref}", month_cell(m), "Forecast", Cell(50))
            figures.append(ict_figure(kpi, m))
    return case("long-export-with-forecast-rows", "ict_export_forecast_rows.xlsx", [ws], figures)


def section_summary_rows() -> LayoutCase:
    months = ICT_MONTHS[4:7]
    ws = Sheet("ICT")
    ws.line("ICT KPI Performance")
    ws.skip()
    ws.line("Ref", "Description", *(month_cell(m) for m in months))
    figures: list[Figure] = []
    for kpi in ICT_ROWS:
        ws.line(f"KPI {kpi.ref}", kpi.description, *(ict_cell(ict_actual(kpi, m)) for m in months))
        figures += [ict_figure(kpi, m) for m in months]
        if kpi.ref in ("4", "11"):
            # The supplier's own count under a group of KPIs: not a KPI's row.
            ws.line(None, "Incident KPIs met", *(Cell(3) for _ in months))
    return case("section-summary-rows", "ict_section_summaries.xlsx", [ws], figures)


PROBE_CASES: list[LayoutCase] = [
    month_header_unread_word(),
    submeasures_under_merged_ref(),
    forecast_group_over_months(),
    targets_table_above_actuals(),
    blank_month_header(),
    words_under_months(),
    lettered_subrefs(),
    years_as_numbers_over_months(),
    title_year_ending(),
    calendar_title_months_past_december(),
    side_by_side_no_spacer(),
    target_row_under_each_kpi(),
    quarter_value_merged_across_months(),
    target_and_actual_blocks(),
    refs_as_uncalculated_formulas(),
    long_export_with_forecast_rows(),
    section_summary_rows(),
]

assert len({c.id for c in PROBE_CASES}) == len(PROBE_CASES), "case ids must be unique"
