"""Turn the located tables of a workbook into long rows with their cell addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.grid import CellData, SheetGrid, Workbook, address
from extractors.locate import (
    ACTUAL,
    AREA,
    CRITERIA,
    DESCRIPTION,
    DETRIMENT,
    FAILURE,
    FREQUENCY,
    LOOKED_FOR,
    NOTES,
    REF,
    TARGET,
    KpiHeader,
    MonthColumns,
    SummaryHeader,
    find_headers,
    header_text,
    looks_like_ref,
    normalise_ref,
)
from extractors.model import Extraction, Observation, SectionCount, SummaryCount, TableInfo
from extractors.periods import month_label, period_in_text
from extractors.values import cell_text, normalise
from schemas.records import ExceptionRecord

_PSSP_REF = re.compile(r"^[A-Za-z&]+-K-\d+[A-Za-z]?$", re.IGNORECASE)


@dataclass(slots=True)
class _Region:
    sheet: SheetGrid
    header: KpiHeader | SummaryHeader
    start: int  # first row after the previous table (title block included)
    end: int  # last row before the next header


def extract_workbook(workbook: Workbook, file_name: str = "") -> Extraction:
    """Extract every PSSP and ICT table and every summary table from a workbook.

    Never raises for bad content: what cannot be read becomes an
    ``ExceptionRecord`` in the result. When no KPI table is found at all the
    result has no observations and one ``no-kpi-table`` error naming what was
    looked for.
    """
    result = Extraction(format=workbook.format, styles_available=workbook.styles_available)
    summaries: list[tuple[_Region, SummaryHeader]] = []
    found_kpi_header = False
    for sheet in workbook.sheets:
        regions = _regions(sheet)
        kpi_regions = [r for r in regions if isinstance(r.header, KpiHeader)]
        found_kpi_header = found_kpi_header or bool(kpi_regions)
        if sheet.hidden and kpi_regions:
            result.problems.append(
                ExceptionRecord(
                    "hidden-sheet-read",
                    "info",
                    f"The hidden sheet '{sheet.name}' holds a KPI table; "
                    "it was read like the others.",
                    sheet=sheet.name,
                )
            )
        elif sheet.hidden:
            continue
        for region in regions:
            if isinstance(region.header, KpiHeader):
                _extract_kpi_table(region, region.header, file_name, result)
            else:
                summaries.append((region, region.header))
    known_periods = sorted({o.period for o in result.observations})
    for region, header in summaries:
        _extract_summary(region, header, known_periods, result)
    # A KPI header that was found but could not be read (a lone Target/Actual
    # pair with no month) has its own error; "no KPI table was found" would
    # contradict it and send the supplier looking for the wrong fault.
    if not result.tables and not found_kpi_header:
        result.problems.append(
            ExceptionRecord(
                "no-kpi-table",
                "error",
                f"No PSSP or ICT KPI table was found: looked on every sheet for {LOOKED_FOR}.",
                rule=LOOKED_FOR,
            )
        )
    return result


def _regions(sheet: SheetGrid) -> list[_Region]:
    headers = find_headers(sheet)
    regions = []
    previous_end = 0
    last_row = sheet.max_row
    for i, header in enumerate(headers):
        end = headers[i + 1].row - 1 if i + 1 < len(headers) else last_row
        regions.append(_Region(sheet, header, previous_end + 1, end))
        previous_end = header.row
    # Rows between one table's data and the next header are the next title
    # block; tables end where the next header's title block begins.
    for i in range(len(regions) - 1):
        regions[i].end = _last_data_row(regions[i]) or regions[i].end
        regions[i + 1].start = regions[i].end + 1
    return regions


def _last_data_row(region: _Region) -> int | None:
    header = region.header
    if not isinstance(header, KpiHeader):
        return None
    ref_col = header.roles[REF]
    last = None
    for row in range(header.row + 1, region.end + 1):
        ref = normalise_ref(region.sheet.value(row, ref_col))
        if looks_like_ref(ref):
            last = row
    # A count row closing the last service area ("2" under PROC) belongs to
    # this table even when it sits outside the ref column (column A): without
    # this it would fall into the next table's title block and be lost.
    while last is not None and last < region.end and _count_row(region.sheet, last + 1):
        last += 1
    return last


def _title_text(region: _Region) -> str:
    """The text of the title block above a header (and the sheet name)."""
    parts = [region.sheet.name]
    for row in range(region.start, region.header.row):
        parts.extend(c.value for c in region.sheet.row(row) if isinstance(c.value, str))
    return " ".join(parts)


def _contract(refs: list[str], title: str) -> str:
    if refs:
        numeric = sum(r.isdigit() for r in refs)
        pssp = sum(bool(_PSSP_REF.match(r)) for r in refs)
        if numeric >= 0.8 * len(refs):
            return "ICT"
        if pssp >= 0.8 * len(refs):
            return "PSSP"
    words = set(re.findall(r"[a-z]+", title.lower()))
    if "ict" in words:
        return "ICT"
    return "PSSP"


def _colour_key(region: _Region) -> dict[str, str]:
    """Read a colour key ("Key" then labelled swatches) in the title block above a table."""
    key: dict[str, str] = {}
    sheet = region.sheet
    for row in range(region.start, region.header.row):
        cells = sheet.row(row)
        if not any(header_text(c.value) == "key" for c in cells):
            continue
        for cell in cells:
            label = cell_text(cell.value)
            if cell.fill and label and header_text(label) != "key":
                key.setdefault(cell.fill, label)
    return key


def _extract_kpi_table(
    region: _Region, header: KpiHeader, file_name: str, result: Extraction
) -> None:
    sheet = region.sheet
    roles = header.roles
    title = _title_text(region)
    months = header.months
    if header.needs_period:
        period = period_in_text(title) or period_in_text(file_name)
        if period is None:
            result.problems.append(
                ExceptionRecord(
                    "period-unknown",
                    "error",
                    f"The table on '{sheet.name}' has one Target/Actual pair but no month: "
                    "name the month in a title cell (e.g. 'Reporting period: July 2017') "
                    "or in the file name.",
                    sheet=sheet.name,
                    cell=address(header.row, roles[ACTUAL]),
                )
            )
            return
        months = [MonthColumns(period, roles[ACTUAL], roles.get(TARGET))]
    rows = _kpi_rows(region, header)
    refs = [ref for _, ref in rows]
    contract = _contract(refs, title)
    colours = _colour_key(region)
    result.colour_key.update(colours)
    area = ""
    area_rows: list[int] = []
    for row in range(header.row + 1, region.end + 1):
        ref = normalise_ref(sheet.value(row, roles[REF]))
        if not looks_like_ref(ref) or not _has_content(sheet, row, header, months):
            count = _count_row(sheet, row)
            if count is not None and area:
                value, cell = count
                result.section_counts.append(
                    SectionCount(contract, area, value, sheet.name, cell.address)
                )
                area = ""
            continue
        area = _service_area(sheet, row, roles.get(AREA)) or area
        area_rows.append(row)
        for month in months:
            obs = _observation(sheet, row, ref, contract, area, header, month, colours)
            if obs is not None:
                result.observations.append(obs)
            else:
                result.problems.append(
                    ExceptionRecord(
                        "value-missing",
                        "warning",
                        f"No value was given for {contract} KPI {ref} in "
                        f"{month_label(month.period)}.",
                        sheet=sheet.name,
                        cell=address(row, month.actual_col),
                        contract=contract,
                        kpi_ref=ref,
                        period=month.period,
                        rule="each KPI has a value or a marker for each month",
                    )
                )
    result.tables.append(
        TableInfo(
            contract=contract,
            sheet=sheet.name,
            header_row=header.row,
            first_row=area_rows[0] if area_rows else header.row + 1,
            last_row=area_rows[-1] if area_rows else header.row,
            periods=tuple(m.period for m in months),
        )
    )


def _kpi_rows(region: _Region, header: KpiHeader) -> list[tuple[int, str]]:
    rows = []
    for row in range(header.row + 1, region.end + 1):
        ref = normalise_ref(region.sheet.value(row, header.roles[REF]))
        if looks_like_ref(ref):
            rows.append((row, ref))
    return rows


def _has_content(
    sheet: SheetGrid, row: int, header: KpiHeader, months: Iterable[MonthColumns]
) -> bool:
    """A KPI row has a description or at least one month filled in."""
    if DESCRIPTION in header.roles and sheet.value(row, header.roles[DESCRIPTION]) is not None:
        return True
    return any(sheet.value(row, m.actual_col) is not None for m in months)


def _count_row(sheet: SheetGrid, row: int) -> tuple[int, CellData] | None:
    """A row holding a single whole number (the supplier's count of KPIs above)."""
    cells = [c for c in sheet.row(row) if cell_text(c.value)]
    if len(cells) != 1:
        return None
    value = normalise(cells[0].value)
    if value.number is None or not value.number.is_integer() or value.number < 0:
        return None
    return int(value.number), cells[0]


def _service_area(sheet: SheetGrid, row: int, col: int | None) -> str:
    if col is None:
        return ""
    anchor = sheet.merged_anchor(row, col)
    return cell_text(sheet.value(*anchor))


def _text(sheet: SheetGrid, row: int, col: int | None) -> str:
    if col is None:
        return ""
    cell = sheet.cells.get((row, col))
    return "" if cell is None else " ".join(cell_text(cell.value, cell.number_format).split())


def _observation(
    sheet: SheetGrid,
    row: int,
    ref: str,
    contract: str,
    area: str,
    header: KpiHeader,
    month: MonthColumns,
    colours: dict[str, str],
) -> Observation | None:
    roles = header.roles
    cell = sheet.cells.get((row, month.actual_col))
    if cell is None or cell_text(cell.value) == "":
        return None
    value = normalise(cell.value, cell.number_format)
    target_col = month.target_col if month.target_col is not None else roles.get(TARGET)
    target_cell = sheet.cells.get((row, target_col)) if target_col is not None else None
    target = (
        normalise(target_cell.value, target_cell.number_format)
        if target_cell is not None
        else None
    )
    fill_cell = sheet.cells.get(sheet.merged_anchor(row, month.actual_col), cell)
    return Observation(
        contract=contract,
        kpi_ref=ref,
        period=month.period,
        sheet=sheet.name,
        cell=cell.address,
        raw=value.raw,
        actual=value.number,
        marker=value.marker,
        target_raw=target.raw if target is not None else "",
        target=target.number if target is not None else None,
        target_cell=target_cell.address if target_cell is not None else "",
        detriment_raw=_text(sheet, row, roles.get(DETRIMENT)),
        failure_raw=_text(sheet, row, roles.get(FAILURE)),
        service_area=area,
        description=_text(sheet, row, roles.get(DESCRIPTION)),
        frequency=_text(sheet, row, roles.get(FREQUENCY)),
        frequency_cell=address(row, roles[FREQUENCY]) if FREQUENCY in roles else "",
        criteria=_text(sheet, row, roles.get(CRITERIA)),
        note=_text(sheet, row, roles.get(NOTES)),
        fill=fill_cell.fill,
        colour_label=colours.get(fill_cell.fill) if fill_cell.fill else None,
    )


def _extract_summary(
    region: _Region, header: SummaryHeader, known_periods: list[str], result: Extraction
) -> None:
    sheet = region.sheet
    periods: dict[int, str | None] = {}
    for column in header.columns:
        matches = [p for p in known_periods if int(p[5:]) == column.month]
        periods[column.month] = matches[0] if len(matches) == 1 else None
    for month, period in periods.items():
        if period is None:
            col = next(c.col for c in header.columns if c.month == month)
            result.problems.append(
                ExceptionRecord(
                    "summary-period-unknown",
                    "warning",
                    f"The summary on '{sheet.name}' has counts for month {month} but the "
                    "detail tables do not report exactly one such month, so they were not checked.",
                    sheet=sheet.name,
                    cell=address(header.row, col),
                )
            )
    seen_data = False
    for row in range(header.row + 1, region.end + 1):
        area = cell_text(sheet.value(row, header.area_col))
        if not area or area.isdigit():
            continue
        counts: dict[str, dict[str, tuple[int | None, str]]] = {}
        for column in header.columns:
            period = periods.get(column.month)
            if period is None:
                continue
            cell = sheet.cells.get((row, column.col))
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
        for period, kinds in counts.items():
            indicators, ind_cell = kinds.get("indicators", (None, ""))
            hits, hit_cell = kinds.get("hits", (None, ""))
            contract = "ICT" if header_text(area) == "ict" else "PSSP"
            result.summaries.append(
                SummaryCount(
                    contract,
                    area,
                    period,
                    indicators,
                    hits,
                    sheet.name,
                    cell=hit_cell or ind_cell,
                    indicators_cell=ind_cell,
                )
            )
