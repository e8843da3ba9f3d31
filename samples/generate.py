"""Write the seed figures (``samples.seeds``) as the workbooks a supplier sends.

``python -m samples.generate DIR`` writes both files into DIR.

Cell positions of the default layout (1-based rows; every sheet has its
title in row 1, the colour key in row 2, a blank row 3, the group header in
row 4, the real header in row 5 and the "KPI's" section row in row 6):

=====================================  ======  =====  =====  ====================================
workbook / sheet                       header  first  last   month columns (target / actual)
=====================================  ======  =====  =====  ====================================
pssp_ict_annual_2016-17.xlsx
  "PSSP KPIs" (A:O)                    5       7      35     Sep-16 F/G, Dec-16 H/I, Mar-17 J/K,
                                                             Jul-17 L/M, Aug-17 N/O (date cells)
  "ICT KPIs" (A:N)                     5       7      25     Target E, Detriment F, Failure G;
                                                             Jun-16 H, Sep-16 I, Dec-16 J,
                                                             Mar-17 K, Apr-17 L, Jul-17 M,
                                                             Aug-17 N (date cells)
  "Summary" (A:G)                      3       4      9      Sept/Dec/Mar table; title "July and
                                       13      14     19     August 2017" in A12, its table below
pssp_ict_2016-04_05.xlsx
  "PSSP KPI Performance - 2016" (A:J)  5       7      32     Apr-16 F/G, May-16 H/I (text
                                                             headers), Notes J
  "ICT KPI Performance" (A:K)          5       7      27     Target F, Detriment G, Failure H;
                                                             Apr-16 I, May-16 J (text), Notes K
=====================================  ======  =====  =====  ====================================

Columns A-E of every KPI sheet are Service Area, Performance Measure Ref,
Description, Measure Frequency and Measure Criteria (the annual ICT sheet has
no Measure Criteria: its E is Target). Landmarks: annual "PSSP KPIs" STS rows
7-15 (A7:A15 merged "STS"), count rows 16 (A), 19 (A), 23 (A), 28 (B) and
34 (B), blank spacer 25 after BTSI, SP-K-009 in row 35; R&B-K-009b Mar-17 is
K14. Annual "ICT KPIs": A7:A25 merged "ICT", KPI 7 in row 11 so its Dec-16 is
J11. April-May 2016 PSSP: blank spacers in rows 18, 22 and 27, the stray "%"
in E24. ``POSITIONS`` holds the same facts for tests.

Every actual cell is filled with a colour from its sheet's key. PSSP:
"Exceeded" when strictly better than the month's target, "Target Met" when
equal, "Not Met" when worse (days: lower is better), "Not Measurable" for
text markers; except where ``seeds.ANNUAL_PSSP_SUPPLIER_COLOURS`` records the
supplier's own (inferred) colour. ICT: "met" when the target is met (a
"< 5%" / "> 3.5" target strictly), "missed" at or worse than the failure
level or below a target without levels, "detriment" otherwise (between the
target and the failure level), "no data" for text markers. Failure counts
compare the printed figure as a count, so 100 against "0 failures" is missed.
"""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from extractors.openpyxl_private import write_package
from samples import seeds

ANNUAL_FILE = "pssp_ict_annual_2016-17.xlsx"
MONTHLY_FILE = "pssp_ict_2016-04_05.xlsx"

FIXED_TIME = datetime(2017, 10, 20, 9, 0, 0)
"""Creation and modification time written into every workbook's properties."""

PSSP_KEY: dict[str, str] = {
    "Target Met": "FF92D050",
    "Exceeded": "FF00B050",
    "Within 'Tolerance'": "FFFFC000",
    "Not Met": "FFFF0000",
    "Not Measurable": "FFBFBFBF",
}
"""The PSSP colour key: label -> ARGB fill, in the order the key row shows them."""

ICT_KEY: dict[str, str] = {
    "detriment": "FFFFC000",
    "missed": "FFFF0000",
    "no data": "FFBFBFBF",
    "met": "FF92D050",
}
"""The ICT colour key: label -> ARGB fill, in the order the key row shows them."""

PSSP_ANNUAL_HEADER: tuple[str, ...] = (
    "Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
    "Measure Criteria",
)  # fmt: skip
ICT_ANNUAL_HEADER: tuple[str, ...] = (
    "Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
    "Target", "Detriment", "Failure",
)  # fmt: skip
PSSP_MONTHLY_HEADER: tuple[str, ...] = (
    *PSSP_ANNUAL_HEADER,
    "April Performance Target/Profile", "Apr-16", "May Performance Target/Profile", "May-16",
    "Notes",
)  # fmt: skip
ICT_MONTHLY_HEADER: tuple[str, ...] = (
    "Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
    "Measure Criteria", "Target", "Detriment", "Failure", "Apr-16", "May-16", "Notes",
)  # fmt: skip

HEADER_ROW = 5
FIRST_DATA_ROW = 7

POSITIONS: dict[str, dict[str, Any]] = {
    "annual PSSP": {
        "file": ANNUAL_FILE, "sheet": "PSSP KPIs", "header_row": 5, "first_row": 7,
        "last_row": 35,
        "months": {"Sep-16": ("F", "G"), "Dec-16": ("H", "I"), "Mar-17": ("J", "K"),
                   "Jul-17": ("L", "M"), "Aug-17": ("N", "O")},
    },
    "annual ICT": {
        "file": ANNUAL_FILE, "sheet": "ICT KPIs", "header_row": 5, "first_row": 7,
        "last_row": 25, "thresholds": ("E", "F", "G"),
        "months": {"Jun-16": "H", "Sep-16": "I", "Dec-16": "J", "Mar-17": "K",
                   "Apr-17": "L", "Jul-17": "M", "Aug-17": "N"},
    },
    "annual summary": {
        "file": ANNUAL_FILE, "sheet": "Summary", "header_rows": (3, 13),
        "first_rows": (4, 14), "last_rows": (9, 19),
    },
    "monthly PSSP": {
        "file": MONTHLY_FILE, "sheet": "PSSP KPI Performance - 2016", "header_row": 5,
        "first_row": 7, "last_row": 32, "notes": "J",
        "months": {"Apr-16": ("F", "G"), "May-16": ("H", "I")},
    },
    "monthly ICT": {
        "file": MONTHLY_FILE, "sheet": "ICT KPI Performance", "header_row": 5,
        "first_row": 7, "last_row": 27, "thresholds": ("F", "G", "H"), "notes": "K",
        "months": {"Apr-16": "I", "May-16": "J"},
    },
}  # fmt: skip
"""The documented positions above as data (column letters, 1-based rows)."""

MonthHeaders = Literal["date", "text"]

_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_THRESHOLD = re.compile(r"^(?P<cmp>[<>])?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|failures?)?$")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_MIDDLE = Alignment(vertical="center")


# --------------------------------------------------------------------------
# Status rules (what colour the supplier would use)
# --------------------------------------------------------------------------


def number(text: str) -> int | float | None:
    """Return the number printed as ``text`` ("100" -> 100, "0.00" -> 0.0), else None."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    return float(text) if "." in text else int(text)


def pssp_status(target: str, actual: str, criteria: str) -> str:
    """Return the PSSP key label for ``actual`` against the month's ``target``."""
    if number(actual) is None or number(target) is None:
        return "Not Measurable"
    value, goal = Decimal(actual.strip()), Decimal(target.strip())
    if value == goal:
        return "Target Met"
    lower_is_better = criteria.strip().lower() == "days"
    better = value < goal if lower_is_better else value > goal
    return "Exceeded" if better else "Not Met"


def ict_status(target: str, detriment: str, failure: str, actual: str) -> str:
    """Return the ICT key label for ``actual`` against the three printed levels."""
    goal = _threshold(target)
    if number(actual) is None or goal is None:
        return "no data"
    value = Decimal(actual.strip())
    comparator, level, unit = goal
    lower_is_better = comparator == "<" or unit.startswith("failure")

    def better(limit: Decimal) -> bool:
        return value < limit if lower_is_better else value > limit

    # "< 5%" and "> 3.5" are pass marks: equal to them does not meet them.
    if better(level) or (value == level and not comparator):
        return "met"
    worst = _threshold(failure)
    if worst is not None and not better(worst[1]):
        return "missed"
    if worst is None and _threshold(detriment) is None:
        return "missed"
    return "detriment"


def _threshold(text: str) -> tuple[str, Decimal, str] | None:
    match = _THRESHOLD.match(text.strip())
    if match is None:
        return None
    return match["cmp"] or "", Decimal(match["num"]), (match["unit"] or "").lower()


# --------------------------------------------------------------------------
# Cell helpers
# --------------------------------------------------------------------------


def solid(argb: str) -> PatternFill:
    """Return a solid fill of one ARGB colour ("FF92D050")."""
    return PatternFill(fill_type="solid", start_color=argb, end_color=argb)


def month_date(text: str) -> datetime:
    """Return the first day of a "Sep-16" style month."""
    return datetime.strptime(text, "%b-%y")


def _put(ws: Worksheet, row: int, col: int, value: Any, *, fmt: str = "") -> Any:
    cell = ws.cell(row=row, column=col, value=value)
    if fmt:
        cell.number_format = fmt
    return cell


def _put_figure(ws: Worksheet, row: int, col: int, text: str, *, two_places: bool) -> Any:
    """Write a printed figure: a number when it is one, else the text as printed.

    ``two_places`` uses "0.00" for every number (PSSP); otherwise "0.00" only
    where General would not show the printed text (ICT "0.00").
    """
    value = number(text)
    if value is None:
        return _put(ws, row, col, text or None)
    shown_by_general = str(value) == text if isinstance(value, int) else f"{value:g}" == text
    fmt = "0.00" if two_places or not shown_by_general else ""
    return _put(ws, row, col, value, fmt=fmt)


def _merge_down(ws: Worksheet, col: int, first: int, last: int, text: str) -> None:
    _put(ws, first, col, text).alignment = _MIDDLE
    if last > first:
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)


def _merge_across(ws: Worksheet, row: int, first: int, last: int, text: str) -> None:
    _put(ws, row, first, text).font = _BOLD
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _title_and_key(ws: Worksheet, top: int, title: str, width: int, key: dict[str, str]) -> None:
    _merge_across(ws, top, 1, width, title)
    _put(ws, top + 1, 1, "Key").font = _BOLD
    for col, (label, argb) in enumerate(key.items(), start=2):
        _put(ws, top + 1, col, label).fill = solid(argb)


def _header(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    for col, value in enumerate(values, start=1):
        cell = _put(ws, row, col, value, fmt="mmm-yy" if isinstance(value, datetime) else "")
        cell.font = _BOLD
        cell.alignment = _WRAP


def _month_header(text: str, style: MonthHeaders) -> datetime | str:
    return month_date(text) if style == "date" else text


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width


# --------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------


def write_summary_sheet(ws: Worksheet, *, top: int = 1) -> None:
    """Write section 4.3's two tables (title in row ``top``)."""
    _put(ws, top, 1, seeds.ANNUAL_SUMMARY_TITLE).font = _BOLD
    row = top + 2
    _header(ws, row, seeds.SUMMARY_SEP_DEC_MAR_HEADER)
    for area, *counts in seeds.SUMMARY_SEP_DEC_MAR:
        row += 1
        _put(ws, row, 1, area)
        for col, count in enumerate(counts, start=2):
            _put(ws, row, col, int(count))
    row += 3
    _put(ws, row, 1, seeds.SUMMARY_JUL_AUG_TITLE).font = _BOLD
    row += 1
    _header(ws, row, seeds.SUMMARY_JUL_AUG_HEADER)
    for area, *counts in seeds.SUMMARY_JUL_AUG:
        row += 1
        _put(ws, row, 1, area)
        for col, count in enumerate(counts, start=2):
            _put(ws, row, col, int(count))
    _widths(ws, {"A": 32})


def write_annual_pssp_sheet(
    ws: Worksheet,
    areas: Sequence[seeds.PsspAnnualArea] = seeds.ANNUAL_PSSP,
    *,
    top: int = 1,
    month_headers: MonthHeaders = "date",
    supplier_colours: dict[tuple[str, str], str] | None = None,
) -> None:
    """Write the annual PSSP table; ``top`` is the title row (1 in the default layout)."""
    colours = seeds.ANNUAL_PSSP_SUPPLIER_COLOURS if supplier_colours is None else supplier_colours
    months = seeds.ANNUAL_PSSP_MONTHS
    fixed = len(PSSP_ANNUAL_HEADER)
    width = fixed + 2 * len(months)
    _title_and_key(ws, top, seeds.ANNUAL_PSSP_TITLE, width, PSSP_KEY)
    _merge_across(ws, top + 3, 1, fixed, "Summary of Performance Measures")
    _merge_across(ws, top + 3, fixed + 1, width, "Measurement Criteria")
    header: list[Any] = list(PSSP_ANNUAL_HEADER)
    for month, target_header in months:
        header += [target_header, _month_header(month, month_headers)]
    header_row = top + 4
    _header(ws, header_row, header)
    _put(ws, header_row + 1, 1, "KPI's").font = _BOLD

    row = header_row + 2
    for block in areas:
        _merge_down(ws, 1, row, row + len(block.rows) - 1, block.area)
        for kpi in block.rows:
            for col, text in enumerate((kpi.ref, kpi.description, kpi.frequency), start=2):
                _put(ws, row, col, text)
            _put(ws, row, fixed, kpi.criteria)
            for i, ((month, _), (target, actual)) in enumerate(
                zip(months, kpi.figures, strict=True)
            ):
                col = fixed + 1 + 2 * i
                _put_figure(ws, row, col, target, two_places=True)
                status = colours.get((kpi.ref, month)) or pssp_status(target, actual, kpi.criteria)
                cell = _put_figure(ws, row, col + 1, actual, two_places=True)
                cell.fill = solid(PSSP_KEY[status])
            row += 1
        # The count row, or (BTSI) the blank spacer the seed shows instead.
        if block.count:
            _put(ws, row, 1 if block.count_column == "A" else 2, int(block.count))
        if block.count or block is not areas[-1]:
            row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _widths(ws, {"B": 13, "C": 60, "D": 11, "E": 9})


def write_annual_ict_sheet(
    ws: Worksheet,
    rows: Sequence[seeds.IctAnnualRow] = seeds.ANNUAL_ICT,
    *,
    top: int = 1,
    month_headers: MonthHeaders = "date",
) -> None:
    """Write the annual ICT table; ``top`` is the title row (1 in the default layout)."""
    months = seeds.ANNUAL_ICT_MONTHS
    fixed = len(ICT_ANNUAL_HEADER)
    width = fixed + len(months)
    _title_and_key(ws, top, seeds.ANNUAL_ICT_TITLE, width, ICT_KEY)
    _merge_across(ws, top + 3, 1, fixed, "Summary of Performance Measures")
    _merge_across(ws, top + 3, fixed + 1, width, "Measurement Criteria")
    header_row = top + 4
    month_cells = [_month_header(month, month_headers) for month in months]
    _header(ws, header_row, [*ICT_ANNUAL_HEADER, *month_cells])
    _put(ws, header_row + 1, 1, "KPI's").font = _BOLD

    first = header_row + 2
    _merge_down(ws, 1, first, first + len(rows) - 1, "ICT")
    for row, kpi in enumerate(rows, start=first):
        _put(ws, row, 2, int(kpi.ref))
        texts = (kpi.description, kpi.frequency, kpi.target, kpi.detriment, kpi.failure)
        for col, text in enumerate(texts, start=3):
            _put(ws, row, col, text or None)
        for col, actual in enumerate(kpi.actuals, start=fixed + 1):
            cell = _put_figure(ws, row, col, actual, two_places=False)
            status = ict_status(kpi.target, kpi.detriment, kpi.failure, actual)
            cell.fill = solid(ICT_KEY[status])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _widths(ws, {"B": 13, "C": 55, "D": 11})


def write_monthly_pssp_sheet(
    ws: Worksheet,
    areas: Sequence[seeds.PsspMonthlyArea] = seeds.MONTHLY_PSSP,
    *,
    top: int = 1,
    month_headers: MonthHeaders = "text",
) -> None:
    """Write the April-May 2016 PSSP table; ``top`` is the title row."""
    header: list[Any] = list(PSSP_MONTHLY_HEADER)
    header[6] = _month_header("Apr-16", month_headers)
    header[8] = _month_header("May-16", month_headers)
    width = len(header)
    _title_and_key(ws, top, seeds.MONTHLY_PSSP_TITLE, width, PSSP_KEY)
    _merge_across(ws, top + 3, 1, 3, "Summary of Performance Measures")
    _merge_across(ws, top + 3, 4, 5, "Measurement Criteria")
    _merge_across(ws, top + 3, 6, 9, "Actual Performance")
    header_row = top + 4
    _header(ws, header_row, header)
    _put(ws, header_row + 1, 1, "KPI's").font = _BOLD

    row = header_row + 2
    for block in areas:
        _merge_down(ws, 1, row, row + len(block.rows) - 1, block.area)
        for kpi in block.rows:
            for col, text in enumerate((kpi.ref, kpi.description, kpi.frequency, kpi.criteria), 2):
                _put(ws, row, col, text)
            months = ((kpi.april_target, kpi.april), (kpi.may_target, kpi.may))
            for col, (target, actual) in zip((6, 8), months, strict=True):
                _put_figure(ws, row, col, target, two_places=True)
                cell = _put_figure(ws, row, col + 1, actual, two_places=True)
                cell.fill = solid(PSSP_KEY[pssp_status(target, actual, kpi.criteria)])
            _put(ws, row, 10, kpi.notes or None)
            row += 1
        if block.stray_criteria_after:
            _put(ws, row, 5, block.stray_criteria_after)
            row += 1
        elif block.spacer_after:
            row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _widths(ws, {"A": 22, "B": 13, "C": 45, "D": 11, "E": 9, "J": 40})


def write_monthly_ict_sheet(
    ws: Worksheet,
    rows: Sequence[seeds.IctMonthlyRow] = seeds.MONTHLY_ICT,
    *,
    top: int = 1,
    month_headers: MonthHeaders = "text",
) -> None:
    """Write the April-May 2016 ICT table; ``top`` is the title row."""
    header: list[Any] = list(ICT_MONTHLY_HEADER)
    header[8] = _month_header("Apr-16", month_headers)
    header[9] = _month_header("May-16", month_headers)
    width = len(header)
    _title_and_key(ws, top, seeds.MONTHLY_ICT_TITLE, width, ICT_KEY)
    _merge_across(ws, top + 3, 1, 3, "Summary of Performance Measures")
    _merge_across(ws, top + 3, 4, 8, "Measurement Criteria")
    _merge_across(ws, top + 3, 9, 10, "Actual Performance")
    header_row = top + 4
    _header(ws, header_row, header)
    _put(ws, header_row + 1, 1, "KPI's").font = _BOLD

    first = header_row + 2
    _merge_down(ws, 1, first, first + len(rows) - 1, "ICT")
    for row, kpi in enumerate(rows, start=first):
        _put(ws, row, 2, int(kpi.ref))
        texts = (kpi.description, kpi.frequency, kpi.criteria, kpi.target, kpi.detriment,
                 kpi.failure)  # fmt: skip
        for col, text in enumerate(texts, start=3):
            _put(ws, row, col, text or None)
        for col, actual in zip((9, 10), (kpi.april, kpi.may), strict=True):
            cell = _put_figure(ws, row, col, actual, two_places=False)
            cell.fill = solid(ICT_KEY[ict_status(kpi.target, kpi.detriment, kpi.failure, actual)])
        _put(ws, row, 11, kpi.notes or None)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _widths(ws, {"B": 13, "C": 45, "D": 11, "K": 40})


# --------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------


def new_workbook() -> Workbook:
    """Return an empty workbook (no sheets) with fixed document times."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "Serco"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save(wb: Workbook, path: Path) -> Path:
    """Save ``wb`` with fixed times, so the same figures always give the same bytes.

    ``Workbook.save`` stamps "now" into the document properties and the zip
    stamps each member: a sample written twice would be a new submission, not
    a duplicate.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    written = io.BytesIO()
    with ZipFile(written, "w", ZIP_DEFLATED) as archive:
        write_package(wb, archive)
    with ZipFile(written) as src, ZipFile(path, "w", ZIP_DEFLATED) as out:
        for item in src.infolist():
            member = ZipInfo(item.filename, FIXED_TIME.timetuple()[:6])
            member.compress_type = ZIP_DEFLATED
            out.writestr(member, src.read(item.filename))
    return path


def write_annual_return(
    path: Path,
    *,
    pssp: Sequence[seeds.PsspAnnualArea] = seeds.ANNUAL_PSSP,
    ict: Sequence[seeds.IctAnnualRow] = seeds.ANNUAL_ICT,
    summary: bool = True,
    top: int = 1,
    month_headers: MonthHeaders = "date",
    supplier_colours: dict[tuple[str, str], str] | None = None,
    sheet_names: tuple[str, str, str] = ("Summary", "PSSP KPIs", "ICT KPIs"),
) -> Path:
    """Write the annual 2016-17 return (or a variant of it) to ``path``.

    ``top`` moves every table's title row down (e.g. ``top=4`` puts the
    header in row 8); ``month_headers="text"`` writes "Sep-16" as text;
    ``supplier_colours`` replaces the inferred supplier colours (``{}`` for
    honest colours everywhere); ``summary=False`` leaves the Summary out.
    """
    wb = new_workbook()
    if summary:
        write_summary_sheet(wb.create_sheet(sheet_names[0]), top=top)
    write_annual_pssp_sheet(
        wb.create_sheet(sheet_names[1]), pssp, top=top, month_headers=month_headers,
        supplier_colours=supplier_colours,
    )  # fmt: skip
    write_annual_ict_sheet(
        wb.create_sheet(sheet_names[2]), ict, top=top, month_headers=month_headers
    )
    return save(wb, path)


def write_monthly_return(
    path: Path,
    *,
    pssp: Sequence[seeds.PsspMonthlyArea] = seeds.MONTHLY_PSSP,
    ict: Sequence[seeds.IctMonthlyRow] = seeds.MONTHLY_ICT,
    top: int = 1,
    month_headers: MonthHeaders = "text",
    sheet_names: tuple[str, str] = ("PSSP KPI Performance - 2016", "ICT KPI Performance"),
) -> Path:
    """Write the April-May 2016 return (or a variant of it) to ``path``.

    Options as for ``write_annual_return``; month headers are text by default.
    """
    wb = new_workbook()
    write_monthly_pssp_sheet(wb.create_sheet(sheet_names[0]), pssp, top=top,
                             month_headers=month_headers)  # fmt: skip
    write_monthly_ict_sheet(wb.create_sheet(sheet_names[1]), ict, top=top,
                            month_headers=month_headers)  # fmt: skip
    return save(wb, path)


def write_samples(directory: Path) -> list[Path]:
    """Write both sample workbooks into ``directory`` and return their paths."""
    directory = Path(directory)
    return [
        write_annual_return(directory / ANNUAL_FILE),
        write_monthly_return(directory / MONTHLY_FILE),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m samples.generate DIR``."""
    parser = argparse.ArgumentParser(
        description="Write the sample KPI returns made from the seeds."
    )
    parser.add_argument("directory", type=Path, help="folder to write the workbooks into")
    args = parser.parse_args(argv)
    for path in write_samples(args.directory):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
