"""The sample workbooks hold the seed figures at the documented cells; the catalogue is valid."""

from __future__ import annotations

import tomllib
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from core.catalogue import DEFAULT_PATH, DIRECTIONS, FREQUENCIES, UNITS, load_catalogue
from samples import generate, seeds
from samples.generate import ICT_KEY, POSITIONS, PSSP_KEY
from schemas.thresholds import bands_for

GREY = "FFBFBFBF"
HIT = {PSSP_KEY["Target Met"], PSSP_KEY["Exceeded"]}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate.write_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def annual(written: list[Path]) -> Workbook:
    return load_workbook(written[0])


@pytest.fixture(scope="module")
def monthly(written: list[Path]) -> Workbook:
    return load_workbook(written[1])


def _book(name: str, annual: Workbook, monthly: Workbook) -> Workbook:
    return annual if name == "annual" else monthly


def _fill(cell: Any) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def _figure(text: str) -> Any:
    value = generate.number(text)
    return text if value is None else value


# --------------------------------------------------------------------------
# Files and sheets
# --------------------------------------------------------------------------


def test_writes_both_files(written: list[Path]) -> None:
    assert [p.name for p in written] == [generate.ANNUAL_FILE, generate.MONTHLY_FILE]
    assert all(p.stat().st_size > 0 for p in written)


def test_sheet_names(annual: Workbook, monthly: Workbook) -> None:
    assert annual.sheetnames == ["Summary", "PSSP KPIs", "ICT KPIs"]
    assert monthly.sheetnames == ["PSSP KPI Performance - 2016", "ICT KPI Performance"]


def test_command_line_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [generate.ANNUAL_FILE, generate.MONTHLY_FILE]
    )
    assert generate.ANNUAL_FILE in capsys.readouterr().out


def test_document_times_are_fixed(annual: Workbook, monthly: Workbook) -> None:
    for book in (annual, monthly):
        assert book.properties.created == generate.FIXED_TIME
        assert book.properties.modified == generate.FIXED_TIME


def _snapshot(path: Path) -> list[Any]:
    book = load_workbook(path)
    shot: list[Any] = []
    for ws in book:
        shot.append((ws.title, sorted(str(r) for r in ws.merged_cells.ranges), ws.freeze_panes))
        for row in ws.iter_rows():
            shot += [(c.coordinate, c.value, c.number_format, _fill(c)) for c in row]
    return shot


def test_repeated_runs_give_identical_content(tmp_path: Path) -> None:
    first = generate.write_samples(tmp_path / "one")
    second = generate.write_samples(tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert _snapshot(a) == _snapshot(b)
        # Byte for byte: the demo run twice finds duplicates, not new submissions.
        assert a.read_bytes() == b.read_bytes()
        with zipfile.ZipFile(a) as package:
            stamps = {item.date_time for item in package.infolist()}
        assert stamps == {generate.FIXED_TIME.timetuple()[:6]}


# --------------------------------------------------------------------------
# Headers and layout
# --------------------------------------------------------------------------

HEADERS = [
    ("annual", "PSSP KPIs", 5, ["Service Area", "Performance Measure Ref", "Description",
     "Measure Frequency", "Measure Criteria", "September Performance Target",
     datetime(2016, 9, 1), "December Performance Target", datetime(2016, 12, 1),
     "March Performance Target", datetime(2017, 3, 1), "July Performance Target",
     datetime(2017, 7, 1), "August Performance Target", datetime(2017, 8, 1)]),
    ("annual", "ICT KPIs", 5, ["Service Area", "Performance Measure Ref", "Description",
     "Measure Frequency", "Target", "Detriment", "Failure", datetime(2016, 6, 1),
     datetime(2016, 9, 1), datetime(2016, 12, 1), datetime(2017, 3, 1), datetime(2017, 4, 1),
     datetime(2017, 7, 1), datetime(2017, 8, 1)]),
    ("annual", "Summary", 3, list(seeds.SUMMARY_SEP_DEC_MAR_HEADER)),
    ("annual", "Summary", 13, list(seeds.SUMMARY_JUL_AUG_HEADER)),
    ("monthly", "PSSP KPI Performance - 2016", 5, ["Service Area", "Performance Measure Ref",
     "Description", "Measure Frequency", "Measure Criteria", "April Performance Target/Profile",
     "Apr-16", "May Performance Target/Profile", "May-16", "Notes"]),
    ("monthly", "ICT KPI Performance", 5, ["Service Area", "Performance Measure Ref",
     "Description", "Measure Frequency", "Measure Criteria", "Target", "Detriment", "Failure",
     "Apr-16", "May-16", "Notes"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("book", "sheet", "row", "expected"), HEADERS, ids=[f"{h[1]}-row{h[2]}" for h in HEADERS]
)
def test_header_row(
    annual: Workbook, monthly: Workbook, book: str, sheet: str, row: int, expected: list[Any]
) -> None:
    ws = _book(book, annual, monthly)[sheet]
    cells = [c.value for c in ws[row]][: len(expected)]
    assert cells == expected
    assert ws.cell(row=row, column=len(expected) + 1).value is None


@pytest.mark.parametrize("sheet", ["PSSP KPIs", "ICT KPIs"], ids=["pssp", "ict"])
def test_annual_month_headers_are_dates_shown_as_months(annual: Workbook, sheet: str) -> None:
    dates = [c for c in annual[sheet][5] if isinstance(c.value, datetime)]
    assert dates
    assert all(c.number_format == "mmm-yy" and c.value.day == 1 for c in dates)


MERGED = [
    ("annual", "PSSP KPIs", "A1:O1"), ("annual", "PSSP KPIs", "A4:E4"),
    ("annual", "PSSP KPIs", "F4:O4"), ("annual", "PSSP KPIs", "A7:A15"),
    ("annual", "PSSP KPIs", "A17:A18"), ("annual", "PSSP KPIs", "A20:A22"),
    ("annual", "PSSP KPIs", "A26:A27"), ("annual", "PSSP KPIs", "A29:A33"),
    ("annual", "ICT KPIs", "A1:N1"), ("annual", "ICT KPIs", "A7:A25"),
    ("monthly", "PSSP KPI Performance - 2016", "A7:A15"),
    ("monthly", "PSSP KPI Performance - 2016", "A25:A26"),
    ("monthly", "PSSP KPI Performance - 2016", "A28:A32"),
    ("monthly", "ICT KPI Performance", "A7:A27"),
]  # fmt: skip


@pytest.mark.parametrize(("book", "sheet", "cells"), MERGED, ids=[f"{m[1]}-{m[2]}" for m in MERGED])
def test_merged_range(
    annual: Workbook, monthly: Workbook, book: str, sheet: str, cells: str
) -> None:
    ws = _book(book, annual, monthly)[sheet]
    assert cells in {str(r) for r in ws.merged_cells.ranges}


CELLS = [
    ("annual", "PSSP KPIs", "A1", "KPI Performance - PSSP Sep 2016 - Aug 2017"),
    ("annual", "PSSP KPIs", "A4", "Summary of Performance Measures"),
    ("annual", "PSSP KPIs", "F4", "Measurement Criteria"),
    ("annual", "PSSP KPIs", "A6", "KPI's"),
    ("annual", "PSSP KPIs", "A7", "STS"),
    ("annual", "PSSP KPIs", "B14", "R&B-K-009b"),
    ("annual", "PSSP KPIs", "K14", 61.71),
    ("annual", "PSSP KPIs", "K13", 30.01),
    ("annual", "PSSP KPIs", "K8", 95.48),
    ("annual", "PSSP KPIs", "A16", 9),
    ("annual", "PSSP KPIs", "A19", 2),
    ("annual", "PSSP KPIs", "A23", 3),
    ("annual", "PSSP KPIs", "A24", "BTSI"),
    ("annual", "PSSP KPIs", "A25", None),
    ("annual", "PSSP KPIs", "B28", 2),
    ("annual", "PSSP KPIs", "B34", 5),
    ("annual", "PSSP KPIs", "B35", "SP-K-009"),
    ("annual", "PSSP KPIs", "F35", "N/A"),
    ("annual", "PSSP KPIs", "G35", "Removed from Contract through NoC 041"),
    ("annual", "PSSP KPIs", "G18", "Not Measurable"),
    ("annual", "PSSP KPIs", "M30", 100),
    ("annual", "ICT KPIs", "A1", "ICT KPI Performance"),
    ("annual", "ICT KPIs", "A7", "ICT"),
    ("annual", "ICT KPIs", "B11", 7),
    ("annual", "ICT KPIs", "J11", 58.89),
    ("annual", "ICT KPIs", "J7", "N/A"),
    ("annual", "ICT KPIs", "E7", "0 failures"),
    ("annual", "ICT KPIs", "E14", "< 5%"),
    ("annual", "ICT KPIs", "E23", "> 3.5"),
    ("annual", "ICT KPIs", "F10", None),
    ("annual", "ICT KPIs", "N24", "N/a"),
    ("annual", "Summary", "A1", "Serco Annual Report 2016-17 - KPI summary"),
    ("annual", "Summary", "G4", 8),
    ("annual", "Summary", "A12", "July and August 2017"),
    ("annual", "Summary", "E16", 1),
    ("monthly", "PSSP KPI Performance - 2016", "A7", "Shared Transactional Services"),
    ("monthly", "PSSP KPI Performance - 2016", "G8", 10.96),
    ("monthly", "PSSP KPI Performance - 2016", "J8", "On track to meet annual target of 95.8%"),
    ("monthly", "PSSP KPI Performance - 2016", "A18", None),
    ("monthly", "PSSP KPI Performance - 2016", "A23",
     "Business Transformation and Service Improvement"),
    ("monthly", "PSSP KPI Performance - 2016", "E24", "%"),
    ("monthly", "PSSP KPI Performance - 2016", "A25", "Financial Services System"),
    ("monthly", "PSSP KPI Performance - 2016", "I26", "Not measurable no calls received"),
    ("monthly", "ICT KPI Performance", "E7", "Volume"),
    ("monthly", "ICT KPI Performance", "J7", 50),
    ("monthly", "ICT KPI Performance", "K7",
     "Both incidents resolved but one not updated on the system as per process"),
    ("monthly", "ICT KPI Performance", "E25", "Value"),
    ("monthly", "ICT KPI Performance", "I11", "No Data"),
    ("monthly", "ICT KPI Performance", "K26",
     "KPIs 20 and 21 due to be removed as the new system automatically generates responses."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("book", "sheet", "cell", "expected"), CELLS, ids=[f"{c[1]}!{c[2]}" for c in CELLS]
)
def test_cell_value(
    annual: Workbook, monthly: Workbook, book: str, sheet: str, cell: str, expected: Any
) -> None:
    assert _book(book, annual, monthly)[sheet][cell].value == expected


@pytest.mark.parametrize(
    ("cell", "fmt"),
    [("F7", "0.00"), ("G7", "0.00"), ("K14", "0.00"), ("A16", "General")],
    ids=["target", "actual", "mar-009b", "count"],
)
def test_pssp_number_formats(annual: Workbook, cell: str, fmt: str) -> None:
    assert annual["PSSP KPIs"][cell].number_format == fmt


def test_ict_zero_printed_with_decimals_keeps_them(annual: Workbook) -> None:
    ws = annual["ICT KPIs"]
    assert (ws["H16"].value, ws["H16"].number_format) == (0, "0.00")
    assert (ws["I16"].value, ws["I16"].number_format) == (0, "General")


@pytest.mark.parametrize("sheet", ["PSSP KPIs", "ICT KPIs"], ids=["pssp", "ict"])
def test_freeze_panes_below_header(annual: Workbook, sheet: str) -> None:
    assert annual[sheet].freeze_panes == "A6"


# --------------------------------------------------------------------------
# Every seed figure at its documented position
# --------------------------------------------------------------------------


def test_annual_pssp_figures_at_documented_columns(annual: Workbook) -> None:
    ws = annual["PSSP KPIs"]
    months = POSITIONS["annual PSSP"]["months"]
    rows = [kpi for area in seeds.ANNUAL_PSSP for kpi in area.rows]
    where = {ws[f"B{r}"].value: r for r in range(7, POSITIONS["annual PSSP"]["last_row"] + 1)}
    assert [k.ref for k in rows] == [r for r in where if isinstance(r, str)]
    for kpi in rows:
        row = where[kpi.ref]
        assert (ws[f"C{row}"].value, ws[f"D{row}"].value) == (kpi.description, kpi.frequency)
        for (month, _), (target, actual) in zip(seeds.ANNUAL_PSSP_MONTHS, kpi.figures, strict=True):
            target_col, actual_col = months[month]
            assert ws[f"{target_col}{row}"].value == _figure(target), (kpi.ref, month)
            assert ws[f"{actual_col}{row}"].value == _figure(actual), (kpi.ref, month)


def test_annual_ict_figures_at_documented_columns(annual: Workbook) -> None:
    ws = annual["ICT KPIs"]
    pos = POSITIONS["annual ICT"]
    for row, kpi in enumerate(seeds.ANNUAL_ICT, start=pos["first_row"]):
        assert ws[f"B{row}"].value == int(kpi.ref)
        levels = [ws[f"{col}{row}"].value or "" for col in pos["thresholds"]]
        assert levels == [kpi.target, kpi.detriment, kpi.failure]
        for month, actual in zip(seeds.ANNUAL_ICT_MONTHS, kpi.actuals, strict=True):
            assert ws[f"{pos['months'][month]}{row}"].value == _figure(actual), (kpi.ref, month)
    assert row == pos["last_row"]


def test_monthly_pssp_figures_at_documented_columns(monthly: Workbook) -> None:
    ws = monthly["PSSP KPI Performance - 2016"]
    pos = POSITIONS["monthly PSSP"]
    where = {ws[f"B{r}"].value: r for r in range(pos["first_row"], pos["last_row"] + 1)}
    rows = [kpi for area in seeds.MONTHLY_PSSP for kpi in area.rows]
    assert len(rows) == 22
    for kpi in rows:
        row = where[kpi.ref]
        for month, (target, actual) in (
            ("Apr-16", (kpi.april_target, kpi.april)),
            ("May-16", (kpi.may_target, kpi.may)),
        ):
            target_col, actual_col = pos["months"][month]
            assert ws[f"{target_col}{row}"].value == _figure(target), (kpi.ref, month)
            assert ws[f"{actual_col}{row}"].value == _figure(actual), (kpi.ref, month)
        assert ws[f"{pos['notes']}{row}"].value == (kpi.notes or None)


def test_monthly_ict_figures_at_documented_columns(monthly: Workbook) -> None:
    ws = monthly["ICT KPI Performance"]
    pos = POSITIONS["monthly ICT"]
    for row, kpi in enumerate(seeds.MONTHLY_ICT, start=pos["first_row"]):
        assert (ws[f"B{row}"].value, ws[f"E{row}"].value) == (int(kpi.ref), kpi.criteria)
        levels = [ws[f"{col}{row}"].value or "" for col in pos["thresholds"]]
        assert levels == [kpi.target, kpi.detriment, kpi.failure]
        assert ws[f"{pos['months']['Apr-16']}{row}"].value == _figure(kpi.april)
        assert ws[f"{pos['months']['May-16']}{row}"].value == _figure(kpi.may)
    assert row == pos["last_row"]


# --------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------

KEYS = [
    ("annual", "PSSP KPIs", PSSP_KEY), ("annual", "ICT KPIs", ICT_KEY),
    ("monthly", "PSSP KPI Performance - 2016", PSSP_KEY),
    ("monthly", "ICT KPI Performance", ICT_KEY),
]  # fmt: skip


@pytest.mark.parametrize(("book", "sheet", "key"), KEYS, ids=[k[1] for k in KEYS])
def test_colour_key_row(
    annual: Workbook, monthly: Workbook, book: str, sheet: str, key: dict[str, str]
) -> None:
    row = list(_book(book, annual, monthly)[sheet][2])
    assert row[0].value == "Key"
    swatches = {c.value: _fill(c) for c in row[1 : len(key) + 1]}
    assert swatches == key


def test_key_colours_as_specified() -> None:
    assert PSSP_KEY == {
        "Target Met": "FF92D050", "Exceeded": "FF00B050", "Within 'Tolerance'": "FFFFC000",
        "Not Met": "FFFF0000", "Not Measurable": "FFBFBFBF",
    }  # fmt: skip
    assert ICT_KEY == {
        "detriment": "FFFFC000", "missed": "FFFF0000", "no data": "FFBFBFBF", "met": "FF92D050",
    }  # fmt: skip


FILLS = [
    ("annual", "PSSP KPIs", "G7", "Target Met"),
    ("annual", "PSSP KPIs", "K8", "Not Met"),
    ("annual", "PSSP KPIs", "K9", "Exceeded"),
    ("annual", "PSSP KPIs", "G12", "Exceeded"),
    ("annual", "PSSP KPIs", "K13", "Target Met"),
    ("annual", "PSSP KPIs", "K14", "Target Met"),
    ("annual", "PSSP KPIs", "K15", "Exceeded"),
    ("annual", "PSSP KPIs", "G18", "Not Measurable"),
    ("annual", "PSSP KPIs", "I18", "Not Met"),
    ("annual", "PSSP KPIs", "O21", "Not Met"),
    ("annual", "PSSP KPIs", "G35", "Not Measurable"),
    ("annual", "ICT KPIs", "H7", "missed"),
    ("annual", "ICT KPIs", "J7", "no data"),
    ("annual", "ICT KPIs", "K7", "met"),
    ("annual", "ICT KPIs", "J9", "detriment"),
    ("annual", "ICT KPIs", "H11", "detriment"),
    ("annual", "ICT KPIs", "J11", "missed"),
    ("annual", "ICT KPIs", "J12", "missed"),
    ("annual", "ICT KPIs", "M14", "met"),
    ("annual", "ICT KPIs", "H21", "met"),
    ("annual", "ICT KPIs", "K21", "missed"),
    ("annual", "ICT KPIs", "J23", "missed"),
    ("monthly", "PSSP KPI Performance - 2016", "G8", "Not Met"),
    ("monthly", "PSSP KPI Performance - 2016", "I8", "Exceeded"),
    ("monthly", "PSSP KPI Performance - 2016", "G15", "Exceeded"),
    ("monthly", "PSSP KPI Performance - 2016", "G26", "Target Met"),
    ("monthly", "PSSP KPI Performance - 2016", "G23", "Not Measurable"),
    ("monthly", "ICT KPI Performance", "J7", "missed"),
    ("monthly", "ICT KPI Performance", "I9", "detriment"),
    ("monthly", "ICT KPI Performance", "J12", "met"),
    ("monthly", "ICT KPI Performance", "I11", "no data"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("book", "sheet", "cell", "label"), FILLS, ids=[f"{f[1]}!{f[2]}-{f[3]}" for f in FILLS]
)
def test_actual_fill(
    annual: Workbook, monthly: Workbook, book: str, sheet: str, cell: str, label: str
) -> None:
    key = ICT_KEY if "ICT" in sheet else PSSP_KEY
    assert _fill(_book(book, annual, monthly)[sheet][cell]) == key[label]


def test_target_cells_have_no_fill(annual: Workbook) -> None:
    ws = annual["PSSP KPIs"]
    for target_col, _ in POSITIONS["annual PSSP"]["months"].values():
        assert all(_fill(ws[f"{target_col}{r}"]) is None for r in range(7, 36))


def _pssp_tally(ws: Any, actual_col: str) -> dict[str, tuple[int, int]]:
    """Per full service-area name: (indicators measured, indicators hit) in one month."""
    catalogue = load_catalogue()
    tally: Counter[tuple[str, str]] = Counter()
    area = ""
    for row in range(7, POSITIONS["annual PSSP"]["last_row"] + 1):
        area = ws[f"A{row}"].value if isinstance(ws[f"A{row}"].value, str) else area
        if not isinstance(ws[f"B{row}"].value, str):
            continue
        fill = _fill(ws[f"{actual_col}{row}"])
        name = catalogue.area_name(area)
        if fill != GREY:
            tally[(name, "measured")] += 1
        if fill in HIT:
            tally[(name, "hit")] += 1
    names = {name for name, _ in tally}
    return {name: (tally[(name, "measured")], tally[(name, "hit")]) for name in names}


SUMMARY_MONTHS = [("Sep-16", 1), ("Dec-16", 3), ("Mar-17", 5)]


@pytest.mark.parametrize(("month", "offset"), SUMMARY_MONTHS, ids=[m for m, _ in SUMMARY_MONTHS])
def test_supplier_colours_agree_with_its_summary_sep_dec_mar(
    annual: Workbook, month: str, offset: int
) -> None:
    tally = _pssp_tally(annual["PSSP KPIs"], POSITIONS["annual PSSP"]["months"][month][1])
    catalogue = load_catalogue()
    for area, *counts in seeds.SUMMARY_SEP_DEC_MAR:
        target, hit = int(counts[offset - 1]), int(counts[offset])
        assert tally[catalogue.area_name(area)] == (target, hit), (area, month)


@pytest.mark.parametrize(("month", "offset"), [("Jul-17", 1), ("Aug-17", 3)], ids=["Jul", "Aug"])
def test_supplier_colours_agree_with_its_summary_jul_aug(
    annual: Workbook, month: str, offset: int
) -> None:
    tally = _pssp_tally(annual["PSSP KPIs"], POSITIONS["annual PSSP"]["months"][month][1])
    catalogue = load_catalogue()
    for area, *counts in seeds.SUMMARY_JUL_AUG:
        indicators, achieved = int(counts[offset - 1]), int(counts[offset])
        assert tally[catalogue.area_name(area)] == (indicators, achieved), (area, month)


def test_honest_colours_option_shows_three_sts_misses_in_march(tmp_path: Path) -> None:
    path = generate.write_annual_return(tmp_path / "honest.xlsx", supplier_colours={})
    ws = load_workbook(path)["PSSP KPIs"]
    assert _fill(ws["K13"]) == _fill(ws["K14"]) == PSSP_KEY["Not Met"]
    assert _pssp_tally(ws, "K")["Shared Transactional Services"] == (9, 6)


def test_ict_quarter_misses_match_the_report_text(annual: Workbook) -> None:
    """Section 4.4: five indicators not delivered in Q3 (Dec-16), one in Q4 (Mar-17, KPI 17)."""
    ws = annual["ICT KPIs"]
    missed = {}
    for month in ("Dec-16", "Mar-17"):
        col = POSITIONS["annual ICT"]["months"][month]
        missed[month] = [
            ws[f"B{r}"].value
            for r in range(7, 26)
            if _fill(ws[f"{col}{r}"]) not in (ICT_KEY["met"], ICT_KEY["no data"])
        ]
    assert missed == {"Dec-16": [3, 7, 8, 9, 19], "Mar-17": [17]}


# --------------------------------------------------------------------------
# Status helpers
# --------------------------------------------------------------------------

PSSP_CASES = [
    ("100.00", "100.00", "%", "Target Met"), ("95.80", "95.48", "%", "Not Met"),
    ("97.80", "97.90", "%", "Exceeded"), ("14.00", "10.66", "days", "Exceeded"),
    ("26.00", "30.01", "days", "Not Met"), ("97.00", "Not Measurable", "%", "Not Measurable"),
    ("N/A", "Removed from Contract through NoC 041", "%", "Not Measurable"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("target", "actual", "criteria", "label"),
    PSSP_CASES,
    ids=[f"{c[1][:14]}-vs-{c[0]}-{c[2]}" for c in PSSP_CASES],
)
def test_pssp_status(target: str, actual: str, criteria: str, label: str) -> None:
    assert generate.pssp_status(target, actual, criteria) == label


ICT_CASES = [
    ("0 failures", "1 failure", "2 failures", "0", "met"),
    ("0 failures", "1 failure", "2 failures", "1", "detriment"),
    ("0 failures", "1 failure", "2 failures", "100", "missed"),
    ("1 failure", "3 failures", "4 failures", "2", "detriment"),
    ("90.0%", "87.0%", "84.0%", "84.42", "detriment"),
    ("90.0%", "87.0%", "84.0%", "84.0", "missed"),
    ("90%", "87%", "84%", "88.61", "detriment"),
    ("90%", "", "", "78.5", "missed"),
    ("80%", "77%", "74%", "80", "met"),
    ("< 5%", "", "", "5", "missed"),
    ("< 5%", "", "", "2.07", "met"),
    ("> 3.5", "", "", "3.5", "missed"),
    (">3.5", "", "", "4.3", "met"),
    ("90%", "", "", "N/a", "no data"),
    ("90%", "87%", "84%", "No Data", "no data"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("target", "detriment", "failure", "actual", "label"),
    ICT_CASES,
    ids=[f"{c[3]}-vs-{c[0]}" for c in ICT_CASES],
)
def test_ict_status(target: str, detriment: str, failure: str, actual: str, label: str) -> None:
    assert generate.ict_status(target, detriment, failure, actual) == label


# --------------------------------------------------------------------------
# Variant builders
# --------------------------------------------------------------------------


def test_variant_moves_tables_down_and_writes_text_months(tmp_path: Path) -> None:
    path = generate.write_annual_return(
        tmp_path / "variant.xlsx", top=4, month_headers="text", summary=False
    )
    book = load_workbook(path)
    assert book.sheetnames == ["PSSP KPIs", "ICT KPIs"]
    ws = book["PSSP KPIs"]
    assert ws["A4"].value == seeds.ANNUAL_PSSP_TITLE
    assert ws["G8"].value == "Sep-16"
    assert ws["K17"].value == 61.71
    assert book["ICT KPIs"]["J14"].value == 58.89


def test_variant_with_other_rows(tmp_path: Path) -> None:
    rows = (seeds.ANNUAL_ICT[4],)
    path = generate.write_annual_return(tmp_path / "one.xlsx", ict=rows)
    ws = load_workbook(path)["ICT KPIs"]
    assert (ws["B7"].value, ws["J7"].value, ws["B8"].value) == (7, 58.89, None)


def test_monthly_variant_with_date_headers(tmp_path: Path) -> None:
    path = generate.write_monthly_return(tmp_path / "m.xlsx", month_headers="date")
    book = load_workbook(path)
    assert book["PSSP KPI Performance - 2016"]["G5"].value == datetime(2016, 4, 1)
    assert book["ICT KPI Performance"]["J5"].value == datetime(2016, 5, 1)


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------


def test_seed_counts() -> None:
    annual_pssp = [k.ref for a in seeds.ANNUAL_PSSP for k in a.rows]
    monthly_pssp = [k.ref for a in seeds.MONTHLY_PSSP for k in a.rows]
    assert len(annual_pssp) == len(set(annual_pssp)) == 23
    assert set(annual_pssp) - set(monthly_pssp) == {"SP-K-009"}
    assert len(monthly_pssp) == 22
    assert [k.ref for k in seeds.ANNUAL_ICT] == [str(n) for n in (1, 2, 3, 4, *range(7, 22))]
    assert [k.ref for k in seeds.MONTHLY_ICT] == [str(n) for n in range(1, 22)]
    for area in seeds.ANNUAL_PSSP:
        assert all(len(k.figures) == len(seeds.ANNUAL_PSSP_MONTHS) for k in area.rows)
        assert not area.count or int(area.count) == len(area.rows)
    assert all(len(k.actuals) == len(seeds.ANNUAL_ICT_MONTHS) for k in seeds.ANNUAL_ICT)


# --------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue_data() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_catalogue_counts(catalogue_data: dict[str, Any]) -> None:
    contracts = Counter(entry["contract"] for entry in catalogue_data["kpi"])
    assert contracts == {"PSSP": 23, "ICT": 21}
    keys = [(e["contract"], e["ref"]) for e in catalogue_data["kpi"]]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("field", "allowed"),
    [("frequency", FREQUENCIES), ("unit", UNITS), ("direction", DIRECTIONS)],
    ids=["frequency", "unit", "direction"],
)
def test_catalogue_enum_values(
    catalogue_data: dict[str, Any], field: str, allowed: tuple[str, ...]
) -> None:
    assert {e[field] for e in catalogue_data["kpi"]} <= set(allowed)


def test_catalogue_fields(catalogue_data: dict[str, Any]) -> None:
    areas = set(catalogue_data["service_areas"].values())
    for entry in catalogue_data["kpi"]:
        assert isinstance(entry["ref"], str)
        assert entry["service_area"] in areas, entry["ref"]
        assert entry["description"] and entry["target"]
        if "due_months" in entry:
            assert entry["frequency"] in ("quarterly", "six-monthly"), entry["ref"]
            assert all(1 <= m <= 12 for m in entry["due_months"])
        if entry["contract"] == "PSSP":
            assert "detriment" not in entry and "failure" not in entry


def test_catalogue_special_entries(catalogue_data: dict[str, Any]) -> None:
    by_ref = {(e["contract"], e["ref"]): e for e in catalogue_data["kpi"]}
    profiled = {ref for (_, ref), e in by_ref.items() if e.get("profiled")}
    assert profiled == {
        "R&B-K-001", "R&B-K-002", "R&B-K-007", "R&B-K-008", "R&B-K-009a", "R&B-K-009b",
        "CS-K-002",
    }  # fmt: skip
    due = {ref: e["due_months"] for (_, ref), e in by_ref.items() if "due_months" in e}
    assert due == {
        "PRO-K-002": [3, 6, 9, 12], "PRO-K-004": [1, 4, 7, 10], "CS-K-001": [3, 9],
        "SP-K-009": [3, 6, 9, 12],
    }  # fmt: skip
    assert {ref for (_, ref), e in by_ref.items() if "removed" in e} == {"SP-K-009"}
    assert by_ref[("PSSP", "SP-K-009")]["removed"] == "NoC 041"
    assert by_ref[("PSSP", "R&B-K-011")]["frequency"] == "annual"
    assert by_ref[("ICT", "10")]["direction"] == "lower"
    assert by_ref[("ICT", "19")]["unit"] == "score"
    for ref in ("12", "15", "18"):
        assert by_ref[("ICT", ref)]["frequency"] == "monthly"


def test_catalogue_service_areas(catalogue_data: dict[str, Any]) -> None:
    areas = catalogue_data["service_areas"]
    assert set(areas) >= {"STS", "BS", "CS", "BTSI", "FSS", "PROC", "SPS", "ICT"}
    assert areas["Financial Services System"] == areas["FSS"] == "Financial Systems Support"
    catalogue = load_catalogue()
    for name in [a.area for a in seeds.ANNUAL_PSSP] + [a.area for a in seeds.MONTHLY_PSSP]:
        assert catalogue.area_name(name) in set(areas.values()), name


def test_catalogue_covers_every_seed_kpi() -> None:
    catalogue = load_catalogue()
    pssp = {k.ref for a in seeds.ANNUAL_PSSP for k in a.rows}
    pssp |= {k.ref for m in seeds.MONTHLY_PSSP for k in m.rows}
    ict = {k.ref for k in seeds.ANNUAL_ICT} | {k.ref for k in seeds.MONTHLY_ICT}
    assert {k.ref for k in catalogue.of_contract("PSSP")} == pssp
    assert {k.ref for k in catalogue.of_contract("ICT")} == ict
    for area in seeds.ANNUAL_PSSP:
        for kpi in area.rows:
            entry = catalogue.get("PSSP", kpi.ref)
            assert entry is not None
            assert entry.description == kpi.description
            assert entry.service_area == catalogue.area_name(area.area)
    for row in seeds.ANNUAL_ICT:
        entry = catalogue.get("ICT", row.ref)
        assert entry is not None
        assert (entry.target, entry.detriment, entry.failure) == (
            row.target, row.detriment, row.failure,
        )  # fmt: skip


def test_catalogue_thresholds_are_readable() -> None:
    for kpi in load_catalogue().kpis.values():
        _, problems = bands_for(
            kpi.target, kpi.detriment or None, kpi.failure or None,
            unit=kpi.unit,  # type: ignore[arg-type]
            direction=kpi.direction,  # type: ignore[arg-type]
        )  # fmt: skip
        assert problems == [], kpi.ref
