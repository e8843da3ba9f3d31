"""A September 2017 return with planted problems, the way a reviewer would try the reports.

The figures are the annual sample's August 2017 ones (``samples.seeds``),
carried on a month, in the layout the supplier uses, with these planted:

========================  ============================  =========================
cell                      what                          exception
========================  ============================  =========================
PSSP KPIs!G7              -1 (a percentage)             value-out-of-range
PSSP KPIs!G10             approx 90                     value-unreadable
PSSP KPIs!G12             -3 (days)                     value-out-of-range
PSSP KPIs!G16             150 (a percentage)            value-out-of-range
PSSP KPIs!G17, G18        BS-K-002 twice: 98.12, 97.5   duplicate-kpi-value (2)
PSSP KPIs!G23             @SUM(A1:A9)                   value-unreadable
ICT KPIs!H17              1.5 failures                  value-out-of-range
ICT KPIs!H13              74.5, coloured "met"          kpi-detriment, colour-claims-better
ICT KPIs!H24, H25         N/a with no note              marker-without-note
========================  ============================  =========================

Eight figures are refused; the PSSP "Exceeded" figures are coloured
"Target Met" and the ICT ones "met" (the same claim: no disagreement).
``REFUSED`` and ``PLANTED`` hold the same facts for tests.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl.styles import Font

from samples import seeds
from samples.generate import ICT_KEY, PSSP_KEY, new_workbook, number, save, solid

FILE = "pssp_ict_2017-09.xlsx"
PERIOD = "2017-09"

#: (sheet, ref) -> the text written instead of the carried-on figure.
PLANTED: dict[tuple[str, str], str] = {
    ("PSSP", "STS-K-009"): "-1",
    ("PSSP", "R&B-K-007"): "approx 90",
    ("PSSP", "R&B-K-009"): "-3",
    ("PSSP", "PAY-K-001"): "150",
    ("PSSP", "BS-K-002"): "98.12",
    ("PSSP", "FS-K-001"): "@SUM(A1:A9)",
    ("ICT", "13"): "1.5",
    ("ICT", "9"): "74.5",
}

#: The refused figures' cells and the error each gets.
REFUSED: dict[str, str] = {
    "PSSP KPIs!G7": "value-out-of-range",
    "PSSP KPIs!G10": "value-unreadable",
    "PSSP KPIs!G12": "value-out-of-range",
    "PSSP KPIs!G16": "value-out-of-range",
    "PSSP KPIs!G17": "duplicate-kpi-value",
    "PSSP KPIs!G18": "duplicate-kpi-value",
    "PSSP KPIs!G23": "value-unreadable",
    "ICT KPIs!H17": "value-out-of-range",
}

_BOLD = Font(bold=True)


def _title(ws: Any, title: str, key: dict[str, str]) -> None:
    ws.cell(row=1, column=1, value=title).font = _BOLD
    ws.cell(row=2, column=1, value="Key").font = _BOLD
    for col, (label, argb) in enumerate(key.items(), start=2):
        ws.cell(row=2, column=col, value=label).fill = solid(argb)


def _figure(ws: Any, row: int, col: int, text: str) -> Any:
    value = number(text)
    if value is None:
        try:
            value = float(text)
        except ValueError:
            return ws.cell(row=row, column=col, value=text)
    cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = "0.00"
    return cell


def _pssp_label(target: str, actual: str, criteria: str) -> str:
    value, goal = number(actual), number(target)
    if value is None or goal is None:
        return "Not Measurable" if value is None and actual[:1].isalpha() else "Target Met"
    lower = criteria.strip().lower() == "days"
    if value == goal or (value < goal if lower else value > goal):
        # The supplier colours exceeded figures "Target Met": the same claim.
        return "Target Met"
    return "Not Met"


def write_pssp(ws: Any) -> None:
    """The PSSP sheet: one month (September 2017), target and actual."""
    _title(ws, "KPI Performance - PSSP September 2017", PSSP_KEY)
    header = ["Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
              "Measure Criteria", "September Performance Target", datetime(2017, 9, 1)]  # fmt: skip
    for col, value in enumerate(header, start=1):
        cell = ws.cell(row=5, column=col, value=value)
        cell.font = _BOLD
        if isinstance(value, datetime):
            cell.number_format = "mmm-yy"
    ws.cell(row=6, column=1, value="KPI's").font = _BOLD
    row = 7
    for block in seeds.ANNUAL_PSSP:
        for kpi in block.rows:
            target, actual = kpi.figures[-1]
            copies = [PLANTED.get(("PSSP", kpi.ref), actual)]
            if kpi.ref == "BS-K-002":
                copies.append("97.50")
            for text in copies:
                for col, value in enumerate(
                    (block.area, kpi.ref, kpi.description, kpi.frequency, kpi.criteria), start=1
                ):
                    ws.cell(row=row, column=col, value=value)
                _figure(ws, row, 6, target)
                cell = _figure(ws, row, 7, text)
                cell.fill = solid(PSSP_KEY[_pssp_label(target, text, kpi.criteria)])
                row += 1
    ws.column_dimensions["C"].width = 50


def write_ict(ws: Any) -> None:
    """The ICT sheet: target, detriment, failure and September 2017."""
    _title(ws, "ICT KPI Performance", ICT_KEY)
    header = ["Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
              "Target", "Detriment", "Failure", datetime(2017, 9, 1)]  # fmt: skip
    for col, value in enumerate(header, start=1):
        cell = ws.cell(row=5, column=col, value=value)
        cell.font = _BOLD
        if isinstance(value, datetime):
            cell.number_format = "mmm-yy"
    ws.cell(row=6, column=1, value="KPI's").font = _BOLD
    for row, kpi in enumerate(seeds.ANNUAL_ICT, start=7):
        values = ("ICT", int(kpi.ref), kpi.description, kpi.frequency, kpi.target or None,
                  kpi.detriment or None, kpi.failure or None)  # fmt: skip
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
        text = PLANTED.get(("ICT", kpi.ref), kpi.actuals[-1])
        cell = _figure(ws, row, 8, text)
        # Every figure is coloured "met", except the text markers ("no data").
        cell.fill = solid(ICT_KEY["no data" if text[:1].isalpha() else "met"])
    ws.column_dimensions["C"].width = 50


def write_planted_return(directory: Path) -> Path:
    """Write the September 2017 return with its planted problems; return its path."""
    wb = new_workbook()
    write_pssp(wb.create_sheet("PSSP KPIs"))
    write_ict(wb.create_sheet("ICT KPIs"))
    return save(wb, Path(directory) / FILE)


def run_annual_then_planted(root: Path, sample_dir: Path, catalogue: Any) -> tuple[Any, Any]:
    """Load the annual sample, then the planted return, into a warehouse under ``root``.

    Returns both files' outcomes (``flows.process.FileOutcome``); reports are
    in ``root / "reports"``.
    """
    import shutil

    from flows.inbox import ClaimArea
    from flows.process import process_claimed
    from flows.settings import Settings
    from warehouse.db import open_warehouse

    settings = Settings(inbox=root / "inbox", db=root / "kpi.db", reports=root / "reports")
    settings.inbox.mkdir(parents=True)
    sources = [
        Path(shutil.copy2(sample_dir / "pssp_ict_annual_2016-17.xlsx", settings.inbox)),
        write_planted_return(settings.inbox),
    ]
    db = open_warehouse(settings.db)
    outcomes = []
    try:
        with ClaimArea(settings.inbox) as area:
            for source in sources:
                claimed = area.claim(source)
                assert claimed is not None
                outcomes.append(process_claimed(claimed, source.name, catalogue, settings, db))
    finally:
        db.close()
    return outcomes[0], outcomes[1]
