"""Extraction that survives real supplier workbooks.

Each test writes a real workbook (openpyxl) or CSV into ``tmp_path`` in a
layout suppliers really send, runs ``extract_file`` on it and asserts the
exact rows: contract, KPI ref, period, sheet, cell, raw text, number,
marker and target, or the exact problem records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from core.model import Extraction, SectionCount, SummaryCount, TableInfo
from core.records import ExceptionRecord
from extractors.files import extract_file
from extractors.grid import column_letter
from samples.generate import ANNUAL_FILE

# --------------------------------------------------------------------------
# Building workbooks
# --------------------------------------------------------------------------

GREEN, DARK_GREEN, RED, GREY = "FF92D050", "FF00B050", "FFFF0000", "FFBFBFBF"


@dataclass(frozen=True)
class Styled:
    """A cell value with a number format and/or a solid ARGB fill."""

    value: Any
    fmt: str = ""
    fill: str | None = None


@dataclass(frozen=True)
class Sheet:
    """One sheet: ``rows[0]`` is row 1, ``[]`` a blank row; merged ranges as "A7:A9"."""

    name: str
    rows: list[list[Any]]
    merged: tuple[str, ...] = ()
    hidden: bool = False


def write_xlsx(path: Path, *sheets: Sheet) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for r, values in enumerate(spec.rows, start=1):
            for c, value in enumerate(values, start=1):
                styled = value if isinstance(value, Styled) else Styled(value)
                if styled.value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=styled.value)
                fmt = styled.fmt or ("mmm-yy" if isinstance(styled.value, datetime) else "")
                if fmt:
                    cell.number_format = fmt
                if styled.fill:
                    cell.fill = PatternFill(
                        fill_type="solid", start_color=styled.fill, end_color=styled.fill
                    )
        for cells in spec.merged:
            ws.merge_cells(cells)
        if spec.hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def extract(path: Path) -> Extraction:
    return extract_file(path, isolate=False)


class Fact(NamedTuple):
    """The facts of one observation every test checks exactly."""

    contract: str
    kpi_ref: str
    period: str
    sheet: str
    cell: str
    raw: str
    actual: float | None
    marker: str | None = None
    target: float | None = None


def facts(result: Extraction) -> list[Fact]:
    return [
        Fact(o.contract, o.kpi_ref, o.period, o.sheet, o.cell, o.raw, o.actual, o.marker, o.target)
        for o in result.observations
    ]


NO_KPI_TABLE_RULE = (
    "cells holding KPI refs from the catalogue (e.g. 'R&B-K-001', 'ICT KPI 7', or numbers "
    "under a 'Ref' header) with months or an Actual column beside them"
)
NO_KPI_TABLE = ExceptionRecord(
    "no-kpi-table",
    "error",
    f"No KPI table was found: looked on every sheet for {NO_KPI_TABLE_RULE}.",
    rule=NO_KPI_TABLE_RULE,
)
STYLES_UNAVAILABLE_CSV = ExceptionRecord(
    "styles-unavailable",
    "info",
    "Colours were not available for this .csv file; the supplier's colour coding was not checked.",
)

# --------------------------------------------------------------------------
# 1. The header row anywhere
# --------------------------------------------------------------------------

PSSP_HEADER = ["Service Area", "Performance Measure Ref", "Description", "Sep-16", "Oct-16"]
PSSP_ROWS = [
    ["STS", "R&B-K-001", "Council Tax collected", 97.65, 98.1],
    [None, "R&B-K-002", "Business rates collected", 95.5, "Not Measurable"],
]


def pssp_facts(sheet: str, header_row: int) -> list[Fact]:
    r1, r2 = header_row + 1, header_row + 2
    return [
        Fact("PSSP", "R&B-K-001", "2016-09", sheet, f"D{r1}", "97.65", 97.65),
        Fact("PSSP", "R&B-K-001", "2016-10", sheet, f"E{r1}", "98.1", 98.1),
        Fact("PSSP", "R&B-K-002", "2016-09", sheet, f"D{r2}", "95.5", 95.5),
        Fact("PSSP", "R&B-K-002", "2016-10", sheet, f"E{r2}", "Not Measurable", None,
             "not_measurable"),
    ]  # fmt: skip


SEVEN_ROW_TITLE: list[list[Any]] = [
    ["Serco"],
    ["Peterborough Serco Strategic Partnership"],
    ["Monthly KPI return"],
    [],
    ["Prepared by: Performance Team"],
    ["Issued: 5 October 2016"],
    [],
]
GROUP_TITLE: list[list[Any]] = [
    ["KPI Performance"],
    [],
    ["Summary of Performance Measures", None, None, "Actual Performance"],
]
COVER = Sheet("Cover", [["Serco monthly KPI return"], ["Contract", "PSSP"], ["Month", "Sep-16"]])
CONTENTS = Sheet("Contents", [["Sheet", "Holds"], ["Cover", "Who sent it"], ["PSSP", "The KPIs"]])

# (id, sheets before the table's sheet, sheet name, title block, extra merged ranges)
HEADER_PLACES: list[tuple[str, list[Sheet], str, list[list[Any]], tuple[str, ...]]] = [
    ("title-0-rows", [], "PSSP KPIs", [], ()),
    ("title-1-row", [], "PSSP", [["PSSP KPI Performance"]], ()),
    ("title-7-rows", [], "PSSP KPI Performance - 2016", SEVEN_ROW_TITLE, ()),
    ("merged-group-header", [], "KPIs March 2017", GROUP_TITLE, ("A3:C3", "D3:E3")),
    ("third-sheet", [COVER, CONTENTS], "PSSP", [["PSSP KPIs"]], ()),
]


@pytest.mark.parametrize(
    ("before", "sheet", "title", "merged"),
    [p[1:] for p in HEADER_PLACES],
    ids=[p[0] for p in HEADER_PLACES],
)
def test_header_row_anywhere(
    tmp_path: Path,
    before: list[Sheet],
    sheet: str,
    title: list[list[Any]],
    merged: tuple[str, ...],
) -> None:
    header_row = len(title) + 1
    area = f"A{header_row + 1}:A{header_row + 2}"
    rows = [*title, PSSP_HEADER, *PSSP_ROWS]
    path = write_xlsx(tmp_path / "return.xlsx", *before, Sheet(sheet, rows, (*merged, area)))

    result = extract(path)

    assert facts(result) == pssp_facts(sheet, header_row)
    assert [o.service_area for o in result.observations] == ["STS"] * 4
    assert [o.description for o in result.observations] == [
        "Council Tax collected", "Council Tax collected",
        "Business rates collected", "Business rates collected",
    ]  # fmt: skip
    assert result.tables == [
        TableInfo("PSSP", sheet, header_row, header_row + 1, header_row + 2,
                  ("2016-09", "2016-10")),
    ]  # fmt: skip
    assert result.problems == []


# --------------------------------------------------------------------------
# 2. Column names that vary, columns in any order
# --------------------------------------------------------------------------

KPIS: list[dict[str, Any]] = [
    {"ref": "R&B-K-001", "description": "Council Tax collected", "frequency": "Monthly",
     "criteria": "%", "month": 97.65, "notes": "On track"},
    {"ref": "R&B-K-002", "description": "Invoices paid within 30 days", "frequency": "Quarterly",
     "criteria": "%", "month": "Not measured as qtrly report", "notes": None},
]  # fmt: skip

# (id, the header as (role, text) pairs left to right)
COLUMN_LAYOUTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("long-names", [("ref", "Performance Measure Ref"), ("description", "Description"),
                    ("frequency", "Measure Frequency"), ("criteria", "Measure Criteria"),
                    ("month", "Sep-16"), ("notes", "Notes")]),
    ("kpi-names", [("ref", "KPI Ref"), ("description", "KPI Description"),
                   ("frequency", "Frequency"), ("criteria", "Unit"), ("month", "Sep-16"),
                   ("notes", "Comments")]),
    ("short-names", [("ref", "Ref"), ("description", "Measure"), ("frequency", "Frequency"),
                     ("criteria", "Unit"), ("month", "Sep-16"), ("notes", "Comments")]),
    ("ref-last-but-one", [("description", "Description"), ("criteria", "Unit"),
                          ("month", "Sep-16"), ("frequency", "Frequency"), ("ref", "KPI Ref"),
                          ("notes", "Notes")]),
    ("line-breaks", [("ref", "Performance\nMeasure Ref"), ("description", "KPI\nDescription"),
                     ("frequency", "Measure\nFrequency"), ("criteria", "Measure\nCriteria"),
                     ("month", "Sep-16"), ("notes", "Notes")]),
]  # fmt: skip


@pytest.mark.parametrize(
    "layout", [c[1] for c in COLUMN_LAYOUTS], ids=[c[0] for c in COLUMN_LAYOUTS]
)
def test_columns_found_by_meaning(tmp_path: Path, layout: list[tuple[str, str]]) -> None:
    roles = [role for role, _ in layout]
    rows = [["PSSP KPI Return"], [text for _, text in layout]]
    rows += [[kpi[role] for role in roles] for kpi in KPIS]
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("PSSP", rows))
    month = column_letter(roles.index("month") + 1)
    frequency = column_letter(roles.index("frequency") + 1)

    result = extract(path)

    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", "2016-09", "PSSP", f"{month}3", "97.65", 97.65),
        Fact("PSSP", "R&B-K-002", "2016-09", "PSSP", f"{month}4",
             "Not measured as qtrly report", None, "not_due"),
    ]  # fmt: skip
    assert [
        (o.description, o.frequency, o.frequency_cell, o.criteria, o.note)
        for o in result.observations
    ] == [
        ("Council Tax collected", "Monthly", f"{frequency}3", "%", "On track"),
        ("Invoices paid within 30 days", "Quarterly", f"{frequency}4", "%", ""),
    ]
    assert result.problems == []


# --------------------------------------------------------------------------
# 3. Months: text, dates, paired targets, a lone Target/Actual pair
# --------------------------------------------------------------------------

MONTH_HEADERS: list[tuple[str, Any, Any]] = [
    ("text-mmm-yy", "Sep-16", "Oct-16"),
    ("text-month-yyyy", "September 2016", "October 2016"),
    ("text-sept-yy", "Sept 16", "Oct 16"),
    ("date-cells-mmm-yy", datetime(2016, 9, 1), datetime(2016, 10, 1)),
]


@pytest.mark.parametrize(
    ("september", "october"), [m[1:] for m in MONTH_HEADERS], ids=[m[0] for m in MONTH_HEADERS]
)
def test_month_headers(tmp_path: Path, september: Any, october: Any) -> None:
    rows = [
        ["Performance Measure Ref", "Description", september, october],
        ["R&B-K-001", "Council Tax collected", 97.65, 98.1],
    ]
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("PSSP", rows))

    result = extract(path)

    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", "2016-09", "PSSP", "C2", "97.65", 97.65),
        Fact("PSSP", "R&B-K-001", "2016-10", "PSSP", "D2", "98.1", 98.1),
    ]
    assert [t.periods for t in result.tables] == [("2016-09", "2016-10")]


@pytest.mark.parametrize(
    ("september", "october"),
    [("Sep-16", "Oct-16"), (datetime(2016, 9, 1), datetime(2016, 10, 1))],
    ids=["text-months", "date-months"],
)
def test_paired_target_columns(tmp_path: Path, september: Any, october: Any) -> None:
    rows = [
        ["Performance Measure Ref", "Description", "September Performance Target/Profile",
         september, "October Performance Target", october],
        ["R&B-K-001", "Council Tax collected", Styled(97, "0.00"), Styled(97.65, "0.00"),
         Styled(98, "0.00"), Styled(96.1, "0.00")],
        ["R&B-K-008", "Days to process claims", 10, 9.5, 10, "Not Measurable"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("PSSP", rows))

    result = extract(path)

    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", "2016-09", "PSSP", "D2", "97.65", 97.65, None, 97.0),
        Fact("PSSP", "R&B-K-001", "2016-10", "PSSP", "F2", "96.1", 96.1, None, 98.0),
        Fact("PSSP", "R&B-K-008", "2016-09", "PSSP", "D3", "9.5", 9.5, None, 10.0),
        Fact("PSSP", "R&B-K-008", "2016-10", "PSSP", "F3", "Not Measurable", None,
             "not_measurable", 10.0),
    ]  # fmt: skip
    assert [o.target_cell for o in result.observations] == ["C2", "E2", "C3", "E3"]


PAIR_HEADER = ["Performance Measure Ref", "Description", "Target", "Actual"]
PAIR_ROWS = [
    ["R&B-K-001", "Council Tax collected", 97, 97.65],
    ["R&B-K-002", "Business rates collected", 98, "n/a"],
]

# (id, file name, sheet name, title block, the month they name)
PERIOD_PLACES: list[tuple[str, str, str, list[list[Any]], str]] = [
    ("title-cell", "kpi_return.xlsx", "PSSP",
     [["PSSP KPI Return"], ["Reporting period: July 2017"], []], "2017-07"),
    ("file-name", "kpi_return_2017-07.xlsx", "PSSP", [["PSSP KPI Return"], [], []], "2017-07"),
    ("sheet-name", "kpi_return.xlsx", "KPIs March 2017", [["PSSP KPI Return"], [], []],
     "2017-03"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "sheet", "title", "period"),
    [p[1:] for p in PERIOD_PLACES],
    ids=[p[0] for p in PERIOD_PLACES],
)
def test_target_actual_pair_takes_its_month_from_title_or_file_name(
    tmp_path: Path, name: str, sheet: str, title: list[list[Any]], period: str
) -> None:
    path = write_xlsx(tmp_path / name, Sheet(sheet, [*title, PAIR_HEADER, *PAIR_ROWS]))

    result = extract(path)

    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", period, sheet, "D5", "97.65", 97.65, None, 97.0),
        Fact("PSSP", "R&B-K-002", period, sheet, "D6", "n/a", None, "not_applicable", 98.0),
    ]
    assert [o.target_cell for o in result.observations] == ["C5", "C6"]
    assert result.tables == [TableInfo("PSSP", sheet, 4, 5, 6, (period,))]
    assert result.problems == []


TWO_ROW_DATA: list[list[Any]] = [
    ["STS", "R&B-K-001", "Council Tax collected", 97, 97.65, 98, 96.1],
    [None, "R&B-K-002", "Business rates collected", 98, 99.1, 98, "Not Measurable"],
]
MONTHS_OVER_PAIRS: list[Any] = [None, None, None, "Sep-16", None, datetime(2016, 10, 1), None]
PAIR_LABELS: list[Any] = [None, None, None, "Target", "Actual", "Target", "Actual"]
REF_COLUMNS = ["Service Area", "Performance Measure Ref", "Description"]

# (id, rows under a title row, merged ranges, the header row the table reports)
TWO_ROW_HEADERS: list[tuple[str, list[list[Any]], tuple[str, ...], int]] = [
    ("months-merged-over-labels",
     [[*REF_COLUMNS, *MONTHS_OVER_PAIRS[3:]], PAIR_LABELS, *TWO_ROW_DATA],
     ("D2:E2", "F2:G2", "A2:A3", "B2:B3", "C2:C3"), 2),
    ("months-unmerged-over-labels",
     [[*REF_COLUMNS, *MONTHS_OVER_PAIRS[3:]], PAIR_LABELS, *TWO_ROW_DATA], (), 2),
    ("labels-in-the-ref-row",
     [MONTHS_OVER_PAIRS, [*REF_COLUMNS, *PAIR_LABELS[3:]], *TWO_ROW_DATA],
     ("D2:E2", "F2:G2"), 3),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "merged", "header_row"),
    [t[1:] for t in TWO_ROW_HEADERS],
    ids=[t[0] for t in TWO_ROW_HEADERS],
)
def test_months_over_target_actual_pairs(
    tmp_path: Path, rows: list[list[Any]], merged: tuple[str, ...], header_row: int
) -> None:
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("PSSP", [["PSSP KPIs"], *rows], merged))

    result = extract(path)

    # Each month's actual is the cell under "Actual", never its target.
    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", "2016-09", "PSSP", "E4", "97.65", 97.65, None, 97.0),
        Fact("PSSP", "R&B-K-001", "2016-10", "PSSP", "G4", "96.1", 96.1, None, 98.0),
        Fact("PSSP", "R&B-K-002", "2016-09", "PSSP", "E5", "99.1", 99.1, None, 98.0),
        Fact("PSSP", "R&B-K-002", "2016-10", "PSSP", "G5", "Not Measurable", None,
             "not_measurable", 98.0),
    ]  # fmt: skip
    assert [o.target_cell for o in result.observations] == ["D4", "F4", "D5", "F5"]
    assert result.tables == [TableInfo("PSSP", "PSSP", header_row, 4, 5, ("2016-09", "2016-10"))]
    assert result.problems == []


def test_target_actual_pair_without_a_month_is_period_unknown(tmp_path: Path) -> None:
    rows = [["PSSP KPI Return"], [], [], PAIR_HEADER, *PAIR_ROWS]
    path = write_xlsx(tmp_path / "kpi_return.xlsx", Sheet("PSSP", rows))

    result = extract(path)

    assert result.observations == []
    assert result.tables == []
    # Only period-unknown: a table *was* found, so "no KPI table" would mislead.
    assert result.problems == [
        ExceptionRecord(
            "period-unknown",
            "error",
            "The PSSP table on 'PSSP' has one Actual column and no month named in its header, "
            "its title, the sheet name or the file name; name the month in a title cell "
            "(e.g. 'Reporting period: July 2017') or in the sheet name.",
            sheet="PSSP",
            cell="D4",
            contract="PSSP",
            rule="every figure's month can be read from the table, its title or the sheet name",
        )
    ]


# --------------------------------------------------------------------------
# 4. PSSP and ICT stacked on one sheet
# --------------------------------------------------------------------------

STACK_HEADER = ["Service Area", "Performance Measure Ref", "Description", "Target", "Sep-16"]


def stacked_sheet(ict_refs: list[Any]) -> Sheet:
    rows: list[list[Any]] = [
        ["PSSP KPI Performance"],
        STACK_HEADER,
        ["STS", "R&B-K-001", "Council Tax collected", 97, 97.65],
        ["STS", "R&B-K-002", "Business rates collected", 98, 99.1],
        [2],
        [],
        ["ICT KPI Performance"],
        STACK_HEADER,
        ["ICT", ict_refs[0], "Priority 1 incidents fixed on time", "0 failures", 0],
        [None, ict_refs[1], "Service desk calls answered", "> 90%", 93.2],
        [None, ict_refs[2], "Network availability", "99.5%", "N/A"],
    ]
    return Sheet("KPIs", rows, ("A9:A11",))


@pytest.mark.parametrize("ict_refs", [[1, 2, 3], ["1 ", "2", " 3"]], ids=["int-refs", "text-refs"])
def test_pssp_and_ict_stacked_on_one_sheet(tmp_path: Path, ict_refs: list[Any]) -> None:
    path = write_xlsx(tmp_path / "return.xlsx", stacked_sheet(ict_refs))

    result = extract(path)

    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", "2016-09", "KPIs", "E3", "97.65", 97.65, None, 97.0),
        Fact("PSSP", "R&B-K-002", "2016-09", "KPIs", "E4", "99.1", 99.1, None, 98.0),
        Fact("ICT", "1", "2016-09", "KPIs", "E9", "0", 0.0),
        Fact("ICT", "2", "2016-09", "KPIs", "E10", "93.2", 93.2),
        Fact("ICT", "3", "2016-09", "KPIs", "E11", "N/A", None, "not_applicable", 99.5),
    ]
    assert [(o.target_raw, o.target_cell, o.service_area) for o in result.observations] == [
        ("97", "D3", "STS"), ("98", "D4", "STS"),
        ("0 failures", "D9", "ICT"), ("> 90%", "D10", "ICT"), ("99.5%", "D11", "ICT"),
    ]  # fmt: skip
    assert result.tables == [
        TableInfo("PSSP", "KPIs", 2, 3, 4, ("2016-09",)),
        TableInfo("ICT", "KPIs", 8, 9, 11, ("2016-09",)),
    ]
    # The count row closing the upper table belongs to it, not to the next title block.
    assert result.section_counts == [SectionCount("PSSP", "STS", 2, "KPIs", "A5")]
    assert result.problems == []


# --------------------------------------------------------------------------
# 5. Service areas, section and count rows, spacers, colour key, hidden sheets
# --------------------------------------------------------------------------


def annual_style_sheet() -> Sheet:
    rows: list[list[Any]] = [
        ["KPI Performance - PSSP Sep 2016"],
        ["Key", Styled("Target Met", fill=GREEN), Styled("Exceeded", fill=DARK_GREEN),
         Styled("Not Met", fill=RED), Styled("Not Measurable", fill=GREY)],
        [],
        ["Summary of Performance Measures", None, None, None, "Measurement Criteria"],
        ["Service Area", "Performance Measure Ref", "Description", "Measure Criteria",
         "September Performance Target", datetime(2016, 9, 1)],
        ["KPI's"],
        ["STS", "R&B-K-001", "Council Tax collected", "%", 97,
         Styled(97.65, "0.00", DARK_GREEN)],
        [None, "R&B-K-002", "Business rates collected", "%", 98, Styled(98, "0.00", GREEN)],
        [None, "R&B-K-008", "Days to process new claims", "days", 10,
         Styled(11.5, "0.00", RED)],
        [3],
        ["BS", "BS-K-001", "Invoices paid within 30 days", "%", 95,
         Styled("Not Measurable", fill=GREY)],
        [None, "BS-K-002", "Purchase orders raised", "%", 90, Styled(92.5, "0.00", DARK_GREEN)],
        [None, "2"],
        [],
        ["BTSI", "BTSI-K-001", "Projects delivered on time", "%", 100,
         Styled(100, "0.00", GREEN)],
        [],
        ["CS", "CS-K-001", "Calls answered in 60 seconds", "%", 80,
         Styled(0.8125, "0.00%", DARK_GREEN)],
    ]  # fmt: skip
    return Sheet("PSSP KPIs", rows, ("A1:F1", "A4:D4", "E4:F4", "A7:A9", "A11:A12"))


def test_service_areas_section_and_count_rows_spacers_and_colour_key(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "return.xlsx", annual_style_sheet())

    result = extract(path)

    s = "PSSP KPIs"
    assert facts(result) == [
        Fact("PSSP", "R&B-K-001", "2016-09", s, "F7", "97.65", 97.65, None, 97.0),
        Fact("PSSP", "R&B-K-002", "2016-09", s, "F8", "98", 98.0, None, 98.0),
        Fact("PSSP", "R&B-K-008", "2016-09", s, "F9", "11.5", 11.5, None, 10.0),
        Fact("PSSP", "BS-K-001", "2016-09", s, "F11", "Not Measurable", None, "not_measurable",
             95.0),
        Fact("PSSP", "BS-K-002", "2016-09", s, "F12", "92.5", 92.5, None, 90.0),
        Fact("PSSP", "BTSI-K-001", "2016-09", s, "F15", "100", 100.0, None, 100.0),
        Fact("PSSP", "CS-K-001", "2016-09", s, "F17", "81.25%", 81.25, None, 80.0),
    ]  # fmt: skip
    assert [(o.service_area, o.criteria, o.colour_label) for o in result.observations] == [
        ("STS", "%", "Exceeded"), ("STS", "%", "Target Met"), ("STS", "days", "Not Met"),
        ("BS", "%", "Not Measurable"), ("BS", "%", "Exceeded"),
        ("BTSI", "%", "Target Met"), ("CS", "%", "Exceeded"),
    ]  # fmt: skip
    assert result.observations[0].fill == f"rgb:{DARK_GREEN}"
    assert result.colour_key == {
        f"rgb:{GREEN}": "Target Met", f"rgb:{DARK_GREEN}": "Exceeded",
        f"rgb:{RED}": "Not Met", f"rgb:{GREY}": "Not Measurable",
    }  # fmt: skip
    assert result.section_counts == [
        SectionCount("PSSP", "STS", 3, s, "A10"),
        SectionCount("PSSP", "BS", 2, s, "B13"),
    ]
    assert result.tables == [TableInfo("PSSP", s, 5, 7, 17, ("2016-09",))]
    assert result.problems == []


def test_count_row_as_text_nine_under_sts(tmp_path: Path) -> None:
    kpis = [["STS" if i == 1 else None, f"R&B-K-00{i}", f"KPI {i}", 90 + i] for i in range(1, 10)]
    rows = [PSSP_HEADER[:4], *kpis, ["9"], ["BS", "BS-K-001", "Invoices paid", 95]]
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("PSSP", rows, ("A2:A10",)))

    result = extract(path)

    assert result.section_counts == [SectionCount("PSSP", "STS", 9, "PSSP", "A11")]
    assert [(o.kpi_ref, o.service_area, o.cell) for o in result.observations] == [
        *[(f"R&B-K-00{i}", "STS", f"D{i + 1}") for i in range(1, 10)],
        ("BS-K-001", "BS", "D12"),
    ]


ICT_HIDDEN = Sheet(
    "ICT (old)",
    [["ICT KPI Performance"], STACK_HEADER, ["ICT", 1, "Priority 1 incidents", "0 failures", 0]],
    hidden=True,
)
LOOKUPS_HIDDEN = Sheet(
    "Lookups",
    [["Frequency", "Unit"], ["Monthly", "%"], ["Quarterly", "days"], ["R&B-K-001", "Sep-16"]],
    hidden=True,
)
PSSP_VISIBLE = Sheet("PSSP", [PSSP_HEADER, *PSSP_ROWS])


def test_hidden_sheet_with_kpi_table_is_read_and_noted(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "return.xlsx", PSSP_VISIBLE, ICT_HIDDEN)

    result = extract(path)

    assert facts(result) == [
        *pssp_facts("PSSP", 1),
        Fact("ICT", "1", "2016-09", "ICT (old)", "E3", "0", 0.0),
    ]
    assert result.problems == [
        ExceptionRecord(
            "hidden-sheet-read",
            "info",
            "The hidden sheet 'ICT (old)' holds a KPI table; it was read like the others.",
            sheet="ICT (old)",
        )
    ]


def test_hidden_sheet_without_kpi_table_gives_nothing(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "return.xlsx", PSSP_VISIBLE, LOOKUPS_HIDDEN)

    result = extract(path)

    assert facts(result) == pssp_facts("PSSP", 1)
    assert result.section_counts == []
    assert result.problems == []


# --------------------------------------------------------------------------
# 6. Values
# --------------------------------------------------------------------------

# (id, ref as written, value as written, number format, kpi_ref, raw, actual, marker)
VALUES: list[tuple[str, Any, Any, str, str, str, float | None, str | None]] = [
    ("number", "R&B-K-001", 97.65, "0.00", "R&B-K-001", "97.65", 97.65, None),
    ("number-as-text", "R&B-K-001", "97.65", "", "R&B-K-001", "97.65", 97.65, None),
    ("padded-number-text", "R&B-K-001", " 97.65 ", "", "R&B-K-001", "97.65", 97.65, None),
    ("percent-format-fraction", "R&B-K-001", 0.9065, "0.00%", "R&B-K-001", "90.65%", 90.65,
     None),
    ("percent-text", "R&B-K-001", "93.2%", "", "R&B-K-001", "93.2%", 93.2, None),
    ("ref-trailing-space", "R&B-K-001 ", 97.65, "", "R&B-K-001", "97.65", 97.65, None),
    ("not-measurable-lower", "R&B-K-001", "not measurable", "", "R&B-K-001", "not measurable",
     None, "not_measurable"),
    ("N/a", "R&B-K-001", "N/a", "", "R&B-K-001", "N/a", None, "not_applicable"),
    ("n/a", "R&B-K-001", "n/a", "", "R&B-K-001", "n/a", None, "not_applicable"),
    ("no-data-trailing-space", "R&B-K-001", "No data ", "", "R&B-K-001", "No data", None,
     "no_data"),
    ("not-measured-qtrly", "R&B-K-001", "NOT MEASURED AS QTRLY REPORT", "", "R&B-K-001",
     "NOT MEASURED AS QTRLY REPORT", None, "not_due"),
    ("unrecognised-text", "R&B-K-001", "tbc", "", "R&B-K-001", "tbc", None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ref", "value", "fmt", "kpi_ref", "raw", "actual", "marker"),
    [v[1:] for v in VALUES],
    ids=[v[0] for v in VALUES],
)
def test_values(
    tmp_path: Path,
    ref: Any,
    value: Any,
    fmt: str,
    kpi_ref: str,
    raw: str,
    actual: float | None,
    marker: str | None,
) -> None:
    rows = [
        ["Performance Measure Ref", "Description", "Sep-16"],
        [ref, "Council Tax collected", Styled(value, fmt)],
    ]
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("PSSP", rows))

    result = extract(path)

    assert facts(result) == [Fact("PSSP", kpi_ref, "2016-09", "PSSP", "C2", raw, actual, marker)]
    # Unrecognised text is not an extraction problem: the schema flags it later.
    assert result.problems == []


# --------------------------------------------------------------------------
# 7. No recognisable header
# --------------------------------------------------------------------------

NO_HEADER: list[tuple[str, list[list[Any]]]] = [
    ("prose-only", [["Monthly report"], ["All KPIs were met this month."]]),
    ("months-without-ref", [["Description", "Sep-16", "Oct-16"], ["Council Tax", 97.65, 98]]),
]


@pytest.mark.parametrize("rows", [n[1] for n in NO_HEADER], ids=[n[0] for n in NO_HEADER])
def test_no_recognisable_header_is_no_kpi_table(tmp_path: Path, rows: list[list[Any]]) -> None:
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("Sheet1", rows))

    result = extract(path)

    assert result.observations == []
    assert result.tables == []
    assert result.problems == [NO_KPI_TABLE]


def test_refs_without_months_are_a_table_not_read(tmp_path: Path) -> None:
    rows = [["KPI Ref", "Description", "Owner"], ["R&B-K-001", "Tax", "Jo"]]
    path = write_xlsx(tmp_path / "return.xlsx", Sheet("Sheet1", rows))

    result = extract(path)

    assert result.observations == []
    assert result.tables == []
    assert result.problems == [
        ExceptionRecord(
            "table-not-read",
            "error",
            "The PSSP KPIs at 'Sheet1'!A2 (R&B-K-001) were not read: no month columns and no "
            "Actual column were found beside the refs.",
            sheet="Sheet1",
            cell="A2",
            contract="PSSP",
            rule=NO_KPI_TABLE_RULE,
        )
    ]


# --------------------------------------------------------------------------
# 8. CSV exports
# --------------------------------------------------------------------------

CSV_ROWS: list[list[str]] = [
    ["PSSP KPI Return", "", "", "", ""],
    ["", "", "", "", ""],
    ["Performance Measure Ref", "Description", "Measure Frequency", "Sep-16", "Oct-16"],
    ["R&B-K-001", "Council Tax collected (£m)", "Monthly", "97.65", "98.10"],
    ["R&B-K-002 ", "Cost per invoice under £2", "Monthly", "N/a", "93.2%"],
]
CSV_FACTS = [
    Fact("PSSP", "R&B-K-001", "2016-09", "pssp_kpi_return", "D4", "97.65", 97.65),
    Fact("PSSP", "R&B-K-001", "2016-10", "pssp_kpi_return", "E4", "98.10", 98.1),
    Fact("PSSP", "R&B-K-002", "2016-09", "pssp_kpi_return", "D5", "N/a", None, "not_applicable"),
    Fact("PSSP", "R&B-K-002", "2016-10", "pssp_kpi_return", "E5", "93.2%", 93.2),
]


def write_csv(path: Path, encoding: str) -> Path:
    text = "\r\n".join(",".join(row) for row in CSV_ROWS) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"], ids=["utf8-bom", "cp1252-pound"])
def test_csv_export_of_one_table(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "pssp_kpi_return.csv", encoding)

    result = extract(path)

    assert facts(result) == CSV_FACTS
    assert [o.description for o in result.observations] == [
        "Council Tax collected (£m)", "Council Tax collected (£m)",
        "Cost per invoice under £2", "Cost per invoice under £2",
    ]  # fmt: skip
    assert result.tables == [TableInfo("PSSP", "pssp_kpi_return", 3, 4, 5, ("2016-09", "2016-10"))]
    assert result.problems == [STYLES_UNAVAILABLE_CSV]


def test_csv_gives_the_same_observations_as_the_workbook(tmp_path: Path) -> None:
    from_csv = extract(write_csv(tmp_path / "pssp_kpi_return.csv", "cp1252"))
    sheet = Sheet("pssp_kpi_return", [[v or None for v in row] for row in CSV_ROWS])
    from_xlsx = extract(write_xlsx(tmp_path / "pssp_kpi_return.xlsx", sheet))

    assert from_csv.observations == from_xlsx.observations


# --------------------------------------------------------------------------
# 9. The summary table
# --------------------------------------------------------------------------


def test_annual_summary_gives_thirty_counts(sample_dir: Path) -> None:
    result = extract(sample_dir / ANNUAL_FILE)

    summaries = result.summaries
    assert len(summaries) == 30
    areas = {s.service_area for s in summaries}
    periods = {s.period for s in summaries}
    assert len(areas) == 6
    assert periods == {"2016-09", "2016-12", "2017-03", "2017-07", "2017-08"}
    assert {(s.service_area, s.period) for s in summaries} == {
        (a, p) for a in areas for p in periods
    }
    by_key = {(s.service_area, s.period): s for s in summaries}
    assert by_key["Shared Transactional Services", "2017-03"] == SummaryCount(
        "PSSP", "Shared Transactional Services", "2017-03", 9, 8, "Summary", "G4", "F4"
    )
    assert by_key["Business Support", "2016-12"] == SummaryCount(
        "PSSP", "Business Support", "2016-12", 2, 1, "Summary", "E5", "D5"
    )
    assert by_key["Customer Services", "2017-07"] == SummaryCount(
        "PSSP", "Customer Services", "2017-07", 2, 1, "Summary", "C16", "B16"
    )
    assert by_key["Procurement", "2017-08"] == SummaryCount(
        "PSSP", "Procurement", "2017-08", 4, 4, "Summary", "E19", "D19"
    )
    assert not [p for p in result.problems if p.code == "summary-period-unknown"]


# --------------------------------------------------------------------------
# The isolated child gives the same result
# --------------------------------------------------------------------------


def _stacked(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "return.xlsx", stacked_sheet([1, 2, 3]))


def _hidden(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "return.xlsx", PSSP_VISIBLE, ICT_HIDDEN)


def _csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "pssp_kpi_return.csv", "cp1252")


@pytest.mark.parametrize("build", [_stacked, _hidden, _csv], ids=["stacked", "hidden", "csv"])
def test_isolated_extraction_matches_in_process(tmp_path: Path, build: Any) -> None:
    path = build(tmp_path)

    isolated = extract_file(path, isolate=True)

    assert isolated == extract(path)
    assert isolated.observations
