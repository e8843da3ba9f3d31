"""Turn the located tables of a workbook into long rows with their cell addresses.

Tables are found from the catalogue's refs outward (``extractors.tables``);
this module reads each one's figures, the supplier's own summary and count
rows, and then checks coverage: every ref cell is part of a figure read or
named by an exception, so a layout the locator half-understands can never
load a partial return in silence.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.checks import (
    FORMATS_UNAVAILABLE,
    FORMULA_NOT_CALCULATED,
    HIDDEN_SHEET_READ,
    NO_KPI_TABLE,
    PERIOD_UNKNOWN,
    REFS_LISTED_ONLY,
    SUMMARY_PERIOD_UNKNOWN,
    TABLE_NOT_READ,
    VALUE_MISSING,
)
from core.model import Extraction, Observation, SectionCount, SummaryCount, TableInfo
from core.periods import (
    month_label,
    month_of_cell,
    row_period,
    year_and_month,
    year_of_cell,
)
from core.records import ExceptionRecord
from core.refs import RefBook
from extractors.grid import SheetGrid, Uncalculated, Workbook, address
from extractors.locate import (
    ACTUAL,
    AREA,
    CRITERIA,
    DESCRIPTION,
    DETRIMENT,
    FAILURE,
    FREQUENCY,
    NOTES,
    RAG,
    TARGET,
    SummaryHeader,
    classify_summary_header,
    header_text,
)
from extractors.tables import PeriodColumns, RefCell, TableLayout, context_period, locate_tables
from extractors.unread import unread_columns, unread_merged_rows, unread_rows
from extractors.values import cell_text, normalise
from extractors.view import View

LOOKED_FOR = (
    "cells holding KPI refs from the catalogue (e.g. 'R&B-K-001', 'ICT KPI 7', or numbers "
    "under a 'Ref' header) with months or an Actual column beside them"
)


def default_ref_book() -> RefBook:
    """The bundled catalogue's refs (for callers that do not pass their own)."""
    from core.catalogue import load_catalogue

    return load_catalogue().ref_book()


def extract_workbook(
    workbook: Workbook, file_name: str = "", book: RefBook | None = None
) -> Extraction:
    """Extract every KPI table and every summary table from a workbook.

    Never raises for bad content: what cannot be read becomes an
    ``ExceptionRecord`` in the result. When no ref of any contract is found
    the result has one ``no-kpi-table`` error naming what was looked for.
    """
    book = book or default_ref_book()
    result = Extraction(format=workbook.format, styles_available=workbook.styles_available)
    if not workbook.formats_known:
        result.problems.append(FORMATS_UNAVAILABLE.record(fmt=workbook.format))
    summaries: list[tuple[View, SummaryHeader, int]] = []
    mentioned: set[str] = set()
    unread: list[TableLayout] = []
    found_any = False
    tableless: list[SheetGrid] = []
    for sheet in workbook.sheets:
        tables = locate_tables(sheet, book)
        if sheet.hidden:
            # A hidden sheet's unreadable ref lists are lookups, not returns.
            tables = [t for t in tables if not t.unread]
        found_any = found_any or bool(tables)
        if sheet.hidden and tables:
            result.problems.append(HIDDEN_SHEET_READ.record(sheet=sheet.name))
        elif sheet.hidden:
            continue
        named = book.contracts_named_in(sheet.name) | book.contracts_named_in(_sheet_title(sheet))
        if not tables and named:
            tableless.append(sheet)
        mentioned |= named
        for table in tables:
            mentioned.add(table.contract)
            mentioned |= book.contracts_named_in(table.title)
            if table.unread and not table.unpinned:
                unread.append(table)  # decided once every sheet is read
                continue
            _read_table(table, file_name, result)
        summaries.extend(_summary_headers(sheet, tables))
    if found_any:
        # A return whose other sheets hold tables: a sheet named for a contract, with no
        # table but uncalculated formulas, may be one whose refs are formulas. (With no
        # table anywhere, no-kpi-table says so.)
        for sheet in tableless:
            _uncalculated_sheet(sheet, result)
    read = {(o.contract, o.kpi_ref) for o in result.observations}
    for table in unread:
        result.problems.append(_listed_only(table, read) or _not_read(table, table.unread))
    known_periods = sorted({o.period for o in result.observations})
    for view, header, end in summaries:
        _extract_summary(view, header, end, known_periods, book, result)
    result.contracts = sorted(c for c in mentioned if c in book.contracts)
    if not found_any:
        result.problems.append(NO_KPI_TABLE.record(looked_for=LOOKED_FOR))
    return result


def _uncalculated_sheet(sheet: SheetGrid, result: Extraction) -> None:
    """A sheet with no table but formulas saved without results: its refs may be formulas."""
    cells = sorted(pos for pos, c in sheet.cells.items() if isinstance(c.value, Uncalculated))
    if not cells:
        return
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    first, last = address(min(rows), min(cols)), address(max(rows), max(cols))
    result.problems.append(
        FORMULA_NOT_CALCULATED.record(
            "sheet",
            sheet=sheet.name,
            cell=first if first == last else f"{first}:{last}",
            value=str(sheet.cells[cells[0]].value),
            count=len(cells),
        )
    )


# --- one table ---------------------------------------------------------------------


@dataclass(slots=True)
class _Reading:
    """What reading one table produced, to check its coverage."""

    rows_with_figures: set[int]
    rows_named: set[int]


def _read_table(table: TableLayout, file_name: str, result: Extraction) -> None:
    view = table.view
    for unpinned in table.unpinned:
        result.problems.append(_period_unknown(table, unpinned.cell, unpinned.text, unpinned.why))
    if table.unread:
        return  # its period-unknown errors name the cells
    if table.kind == "single":
        period, source = context_period(table, file_name)
        if period is None:
            cell = table.single_period_cell or (table.first_row, table.ref_col)
            why = (
                "its title names several months"
                if source == "several"
                else "no month named in its header, its title, the sheet name or the file name"
            )
            result.problems.append(_single_period_unknown(table, cell, why))
            return
        cols = {role: table.fixed[role] for role in (ACTUAL, TARGET, DETRIMENT, FAILURE, RAG)
                if role in table.fixed}  # fmt: skip
        if table.role_col is not None and ACTUAL not in cols:
            result.problems.append(_not_read(table, "its rows say Target / Actual but no "
                                             "column holds their values"))  # fmt: skip
            return
        months = [PeriodColumns(period, cols)]
    else:
        months = table.periods
    colours = _colour_key(table)
    result.colour_key.update(colours)
    reading = _Reading(set(), set())
    area = ""
    for row, ref in _value_rows(table):
        area = _service_area(table, ref.row) or area
        if table.kind == "long":
            _read_long_row(table, row, ref, area, colours, result, reading)
            continue
        for month in months:
            _read_figure(table, row, ref, area, month, colours, result, reading)
    _section_counts(table, result)
    _check_coverage(table, reading, result)
    _name_unread(table, [row for row, _ in _value_rows(table)], months, result)
    periods = sorted({o.period for o in result.observations if o.sheet == view.name}) if (
        table.kind == "long") else [m.period for m in months]  # fmt: skip
    result.tables.append(
        TableInfo(
            contract=table.contract,
            sheet=view.name,
            header_row=table.header_row,
            first_row=table.first_row,
            last_row=table.last_row,
            periods=tuple(periods),
            orientation="across" if view.transposed else "down",
            ref_range=table.ref_range(),
            kind=table.kind,
            header_cells=tuple(view.address(*m.header) for m in months if m.header is not None),
        )
    )


def _value_rows(table: TableLayout) -> list[tuple[int, RefCell]]:
    """The rows holding figures, each with its KPI: every ref row, or the Actual rows."""
    if table.row_roles:
        return [(row, table.row_refs[row]) for row, role in sorted(table.row_roles.items())
                if role == ACTUAL]  # fmt: skip
    return [(r.row, r) for r in table.refs]


def _role_row(table: TableLayout, ref: RefCell, role: str) -> int | None:
    """Alternating rows: the row holding ``role`` for the KPI at ``ref``."""
    for row, owner in table.row_refs.items():
        if owner is ref and table.row_roles.get(row) == role:
            return row
    return None


def _cell_for(table: TableLayout, row: int, ref: RefCell, role: str, col: int | None,
              month: PeriodColumns | None) -> tuple[int, int] | None:  # fmt: skip
    """Where a figure's target / detriment / failure / RAG sits, whatever the layout."""
    if table.row_roles and role in (TARGET, DETRIMENT, FAILURE):
        other = _role_row(table, ref, role)
        if other is not None and month is not None:
            return (other, month.cols[ACTUAL])
    if month is not None and role in month.cols:
        return (row, month.cols[role])
    if role in table.fixed:
        return (row, table.fixed[role])
    return None


def _read_figure(
    table: TableLayout,
    row: int,
    ref: RefCell,
    area: str,
    month: PeriodColumns,
    colours: dict[str, str],
    result: Extraction,
    reading: _Reading,
) -> None:
    view = table.view
    col = month.cols[ACTUAL]
    cell = view.cell(row, col)
    kpi_ref = ref.match.ref
    where = {"sheet": view.name, "cell": view.address(row, col), "contract": table.contract,
             "kpi_ref": kpi_ref, "period": month.period}  # fmt: skip
    if cell is not None and isinstance(cell.value, Uncalculated):
        reading.rows_named.add(ref.row)
        result.problems.append(_not_calculated(cell.value, where))
        return
    merged = _merged_across_months(table, row, col)
    if merged is not None:
        # One figure over several months' cells: which month it is cannot be told.
        reading.rows_named.add(ref.row)
        first, last, months = merged
        if first == col:
            result.problems.append(
                PERIOD_UNKNOWN.record(
                    "merged",
                    **{**where, "cell": view.range((row, first), (row, last))},
                    value=cell_text(view.value(row, first)),
                    months=f"{month_label(months[0])} to {month_label(months[-1])}",
                )
            )
        return
    # A lone dash is how many returns leave a cell empty on purpose.
    if cell is None or cell_text(cell.value).strip(" -–—") == "":
        reading.rows_named.add(ref.row)
        result.problems.append(VALUE_MISSING.record(**where, month=month_label(month.period)))
        return
    reading.rows_with_figures.add(ref.row)
    result.observations.append(
        _observation(table, row, ref, area, month.period, col, colours, month)
    )


def _merged_across_months(
    table: TableLayout, row: int, col: int
) -> tuple[int, int, list[str]] | None:
    """The merged cell holding (row, col) when it spans other months' columns too."""
    view = table.view
    anchor_row, first = view.anchor(row, col)
    last = view.span_end(anchor_row, first) if anchor_row == row else None
    if last is None or last == first:
        return None
    months = sorted(m.period for m in table.periods if first <= m.cols[ACTUAL] <= last)
    return (first, last, months) if len(months) > 1 else None


def _read_long_row(
    table: TableLayout,
    row: int,
    ref: RefCell,
    area: str,
    colours: dict[str, str],
    result: Extraction,
    reading: _Reading,
) -> None:
    view = table.view
    assert table.period_col is not None
    period, _ = row_period(view.value(row, table.period_col))
    if table.year_col is not None:
        year = year_of_cell(view.value(row, table.year_col))
        month_cell = month_of_cell(view.value(row, table.period_col))
        period = year_and_month(year, month_cell) if year and month_cell else None
    if period is None:
        reading.rows_named.add(ref.row)
        text = cell_text(view.value(row, table.period_col))
        result.problems.append(
            _period_unknown(
                table,
                (row, table.period_col),
                text,
                "a quarter, accounting period or week is not a calendar month"
                if text
                else "the row's period cell is blank",
                kpi_ref=ref.match.ref,
            )
        )
        return
    month = PeriodColumns(period, {role: table.fixed[role] for role in
                                   (ACTUAL, TARGET, DETRIMENT, FAILURE, RAG)
                                   if role in table.fixed})  # fmt: skip
    _read_figure(table, row, ref, area, month, colours, result, reading)


def _text_at(view: View, position: tuple[int, int] | None) -> str:
    if position is None:
        return ""
    cell = view.cell(*position)
    if cell is None or isinstance(cell.value, Uncalculated):
        return ""
    return " ".join(cell_text(cell.value, cell.number_format).split())


def _observation(
    table: TableLayout,
    row: int,
    ref: RefCell,
    area: str,
    period: str,
    col: int,
    colours: dict[str, str],
    month: PeriodColumns,
) -> Observation:
    view = table.view
    cell = view.cell(row, col)
    assert cell is not None
    value = normalise(cell.value, cell.number_format)
    target_at = _cell_for(table, row, ref, TARGET, None, month)
    target_cell = view.cell(*target_at) if target_at else None
    target = (
        normalise(target_cell.value, target_cell.number_format)
        if target_cell is not None and not isinstance(target_cell.value, Uncalculated)
        else None
    )
    fill_cell = view.cell(*view.anchor(row, col)) or cell
    rag_at = _cell_for(table, row, ref, RAG, None, month)
    rag = _text_at(view, rag_at)
    about = _row_texts(table, ref.row, row)
    return Observation(
        contract=table.contract,
        kpi_ref=ref.match.ref,
        period=period,
        sheet=view.name,
        cell=view.address(row, col),
        raw=value.raw,
        actual=value.number,
        marker=value.marker,
        target_raw=target.raw if target is not None else "",
        target=target.number if target is not None else None,
        target_cell=view.address(*target_at) if target_cell is not None and target_at else "",
        detriment_raw=_text_at(view, _cell_for(table, row, ref, DETRIMENT, None, month)),
        failure_raw=_text_at(view, _cell_for(table, row, ref, FAILURE, None, month)),
        service_area=area,
        description=about.description,
        frequency=about.frequency,
        frequency_cell=about.frequency_cell,
        criteria=about.criteria,
        criteria_cell=about.criteria_cell,
        note=about.note,
        fill=fill_cell.fill,
        colour_label=colours.get(fill_cell.fill) if fill_cell.fill else None,
        rag=rag,
        rag_cell=view.address(*rag_at) if rag_at and rag else "",
    )


@dataclass(frozen=True, slots=True)
class _RowTexts:
    """What a KPI's row says about it, the same for each of its months."""

    description: str
    frequency: str
    frequency_cell: str
    criteria: str
    criteria_cell: str
    note: str


def _row_texts(table: TableLayout, ref_row: int, row: int) -> _RowTexts:
    key = (ref_row, row)
    cached: _RowTexts | None = table.row_texts.get(key)
    if cached is not None:
        return cached
    view, fixed = table.view, table.fixed

    def at(role: str, on: int) -> tuple[str, str]:
        if role not in fixed:
            return "", ""
        text = _text_at(view, (on, fixed[role]))
        return text, view.address(on, fixed[role]) if text else ""

    criteria, criteria_cell = at(CRITERIA, ref_row)
    found = table.row_texts[key] = _RowTexts(
        at(DESCRIPTION, ref_row)[0], at(FREQUENCY, ref_row)[0],
        view.address(ref_row, fixed[FREQUENCY]) if FREQUENCY in fixed else "",
        criteria, criteria_cell, at(NOTES, row)[0],
    )  # fmt: skip
    return found


def _service_area(table: TableLayout, row: int) -> str:
    col = table.fixed.get(AREA)
    if col is None:
        return ""
    return cell_text(table.view.shown(row, col))


def _colour_key(table: TableLayout) -> dict[str, str]:
    """Read a colour key ("Key" then labelled swatches) above a table."""
    key: dict[str, str] = {}
    view = table.view
    if view.transposed:
        return key
    top = table.header_rows[0] if table.header_rows else table.first_row
    for row in range(max(1, top - 12), table.first_row):
        cells = view.row(row)
        if not any(header_text(c.value) == "key" for c in cells):
            continue
        for cell in cells:
            label = cell_text(cell.value)
            if cell.fill and label and header_text(label) != "key":
                key.setdefault(cell.fill, label)
    return key


def _count_row(view: View, row: int) -> tuple[int, str] | None:
    """A row holding a single whole number (the supplier's count of KPIs above)."""
    cells = [c for c in view.row(row) if cell_text(c.value)]
    if len(cells) != 1:
        return None
    value = normalise(cells[0].value)
    if value.number is None or not value.number.is_integer() or value.number < 0:
        return None
    return int(value.number), view.address(cells[0].row, cells[0].col)


def _section_counts(table: TableLayout, result: Extraction) -> None:
    """Count rows under a service area's KPIs ("9" under STS)."""
    view = table.view
    if view.transposed or AREA not in table.fixed:
        return
    ref_rows = {r.row: r for r in table.refs}
    area = ""
    for row in range(table.first_row, table.last_row + 2):
        if row in ref_rows:
            area = _service_area(table, row) or area
            continue
        count = _count_row(view, row)
        if count is not None and area:
            result.section_counts.append(
                SectionCount(table.contract, area, count[0], view.name, count[1])
            )
            area = ""


# --- coverage ---------------------------------------------------------------------


def _check_coverage(table: TableLayout, reading: _Reading, result: Extraction) -> None:
    """Every ref row gave a figure or was named; name the ones that were not."""
    owners = {o.row for o in table.row_refs.values()}
    unread = [
        r for r in table.refs
        if r.row not in reading.rows_with_figures and r.row not in reading.rows_named
        and (not table.row_roles or r.row in owners)
        # A long export's Target or Forecast row is that KPI-month's, not a figure.
        and not (table.kind == "long" and table.row_roles.get(r.row, ACTUAL) != ACTUAL)
    ]  # fmt: skip
    if not unread:
        return
    if len(unread) == len(table.refs):
        result.problems.append(_not_read(table, "no figure could be read from any of its rows"))
        return
    view = table.view
    for ref in unread:
        result.problems.append(
            TABLE_NOT_READ.record(
                "row",
                sheet=view.name,
                cell=view.address(ref.row, ref.col),
                contract=table.contract,
                kpi_ref=ref.match.ref,
            )
        )


def _name_unread(
    table: TableLayout, rows: list[int], months: list[PeriodColumns], result: Extraction
) -> None:
    """Name the figures inside the table that its months and roles passed over."""
    view = table.view
    # A transposed table's columns are the sheet's rows.
    column, row = ("row", "column") if view.transposed else ("column", "row")
    for unread in unread_columns(table, rows):
        first, last = unread.rows[0], unread.rows[-1]
        result.problems.append(
            TABLE_NOT_READ.record(
                "cells",
                sheet=view.name,
                cell=view.range((first, unread.col), (last, unread.col)),
                value=unread.header,
                contract=table.contract,
                why=unread.why.replace("{column}", column),
            )
        )
    for extra in unread_rows(table):
        result.problems.append(
            TABLE_NOT_READ.record(
                "cells",
                sheet=view.name,
                cell=view.range((extra.row, extra.cols[0]), (extra.row, extra.cols[-1])),
                value=extra.label,
                contract=table.contract,
                why=f"their {row}{f' ({extra.label!r})' if extra.label else ''} sits among the "
                f"KPI {row}s but holds no ref kpiflow knows (write the catalogue's ref)",
            )
        )
    period_of = {month.cols[ACTUAL]: month.period for month in months if ACTUAL in month.cols}
    refs = {(r.row, r.col): r for r in table.refs}
    for extra in unread_merged_rows(table):
        ref = refs[extra.ref_cell]
        for col in extra.cols:
            period = period_of.get(col)
            if period is None:
                continue
            result.problems.append(
                TABLE_NOT_READ.record(
                    "merged-row",
                    sheet=view.name,
                    cell=view.range((ref.row, col), (extra.row, col)),
                    contract=table.contract,
                    kpi_ref=ref.match.ref,
                    period=period,
                    month=month_label(period),
                )
            )


# --- records ------------------------------------------------------------------------


def _not_read(table: TableLayout, why: str) -> ExceptionRecord:
    view = table.view
    refs = sorted({r.match.ref for r in table.refs}, key=lambda r: (len(r), r))
    shown = ", ".join(refs[:6]) + (f" and {len(refs) - 6} more" if len(refs) > 6 else "")
    return TABLE_NOT_READ.record(
        "table",
        sheet=view.name,
        cell=table.ref_range(),
        contract=table.contract,
        refs=shown,
        why=why,
        looked_for=LOOKED_FOR,
    )


def _sheet_title(sheet: SheetGrid, rows: int = 5) -> str:
    """The text of a sheet's first rows: its title, which may name the contracts it covers."""
    return " | ".join(
        cell.value
        for (row, _), cell in sheet.cells.items()
        if row <= rows and isinstance(cell.value, str) and len(cell.value) <= 200
    )


def _listed_only(table: TableLayout, read: set[tuple[str, str]]) -> ExceptionRecord | None:
    """A contents list (refs, no figure column) whose KPIs' figures were all read elsewhere."""
    if table.periods or table.period_col is not None or table.kind != "wide":
        return None
    if not all((table.contract, r.match.ref) in read for r in table.refs):
        return None
    view = table.view
    return REFS_LISTED_ONLY.record(sheet=view.name, cell=table.ref_range(), contract=table.contract)


def _period_unknown(
    table: TableLayout, cell: tuple[int, int], text: str, why: str, kpi_ref: str = ""
) -> ExceptionRecord:
    view = table.view
    return PERIOD_UNKNOWN.record(
        "header",
        sheet=view.name,
        cell=view.address(*cell),
        value=text,
        contract=table.contract,
        kpi_ref=kpi_ref,
        why=why,
    )


def _single_period_unknown(table: TableLayout, cell: tuple[int, int], why: str) -> ExceptionRecord:
    view = table.view
    return PERIOD_UNKNOWN.record(
        "one-month",
        sheet=view.name,
        cell=view.address(*cell),
        contract=table.contract,
        why=why,
    )


def _not_calculated(value: Uncalculated, where: dict[str, str]) -> ExceptionRecord:
    return FORMULA_NOT_CALCULATED.record(
        **where, value=str(value), month=month_label(where["period"])
    )


# --- summary tables ------------------------------------------------------------------


def _summary_headers(
    sheet: SheetGrid, tables: list[TableLayout]
) -> list[tuple[View, SummaryHeader, int]]:
    """Summary tables (Service Area | Sept Target | Sept Hit ...) outside the KPI tables."""
    # The sheet as its tables see it down the columns, else built for this.
    view = next((t.view for t in tables if not t.view.transposed), None) or View.of(sheet)
    inside = {
        row
        for t in tables
        if not t.view.transposed
        for row in range(t.header_rows[0] if t.header_rows else t.first_row, t.last_row + 1)
    }
    starts = sorted(
        {
            t.header_rows[0] if t.header_rows else t.first_row
            for t in tables
            if not t.view.transposed
        }
    )
    found: list[tuple[View, SummaryHeader]] = []
    for row in view.row_numbers():
        if row in inside:
            continue
        header = classify_summary_header(row, view.row(row))
        if header is not None:
            found.append((view, header))
    out = []
    last = max(sheet.cells, default=(0, 0))[0]
    for i, (v, header) in enumerate(found):
        ends = [s - 1 for s in starts if s > header.row]
        if i + 1 < len(found):
            ends.append(found[i + 1][1].row - 1)
        out.append((v, header, min(ends, default=last)))
    return out


def _extract_summary(
    view: View,
    header: SummaryHeader,
    end: int,
    known_periods: list[str],
    book: RefBook,
    result: Extraction,
) -> None:
    periods: dict[int, str | None] = {}
    for column in header.columns:
        matches = [p for p in known_periods if int(p[5:]) == column.month]
        periods[column.month] = matches[0] if len(matches) == 1 else None
    for month, period in periods.items():
        if period is None:
            col = next(c.col for c in header.columns if c.month == month)
            result.problems.append(
                SUMMARY_PERIOD_UNKNOWN.record(
                    sheet=view.name, cell=address(header.row, col), month_number=month
                )
            )
    seen_data = False
    for row in range(header.row + 1, end + 1):
        area = cell_text(view.value(row, header.area_col))
        if not area or area.isdigit():
            continue
        counts: dict[str, dict[str, tuple[int | None, str]]] = {}
        for column in header.columns:
            period = periods.get(column.month)
            if period is None:
                continue
            cell = view.cell(row, column.col)
            number = normalise(cell.value).number if cell is not None else None
            counts.setdefault(period, {})[column.kind] = (
                int(number) if number is not None and number.is_integer() else None,
                address(row, column.col),
            )
        if not any(n is not None for kinds in counts.values() for n, _ in kinds.values()):
            # A title or note row: the table ended above it.
            if seen_data:
                break
            continue
        seen_data = True
        contract = book.contract_of_area(area)
        for period, kinds in counts.items():
            indicators, ind_cell = kinds.get("indicators", (None, ""))
            hits, hit_cell = kinds.get("hits", (None, ""))
            result.summaries.append(
                SummaryCount(
                    contract,
                    area,
                    period,
                    indicators,
                    hits,
                    view.name,
                    cell=hit_cell or ind_cell,
                    indicators_cell=ind_cell,
                )
            )
