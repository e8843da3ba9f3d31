"""Generate the benchmark's workbooks: N monthly returns and one heavy return.

Each monthly return is laid out like the bundled April-May 2016 sample (title,
colour key, group header, header row 5, merged service areas, coloured
actuals, notes) but reports one month, both contracts, with figures that
wander around the seeds' own, so every file is different (no duplicates) and
carries the usual mix of exceptions. The heavy return is a normal monthly
return plus a "Call log" tab of 100,000 rows by 20 columns, written in
openpyxl's write-only mode.

Files are cached under the output folder by name: a second run reuses them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl.styles import Font, PatternFill

from bench.sst import to_shared_strings
from samples import seeds
from samples.generate import (
    ICT_KEY,
    PSSP_KEY,
    ict_status,
    new_workbook,
    number,
    pssp_status,
    save,
    solid,
)

MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
FIRST_YEAR, FIRST_MONTH = 2016, 4
_BOLD = Font(bold=True)


def months(n: int) -> Iterator[tuple[int, int]]:
    """The n months from April 2016 on: (year, month)."""
    year, month = FIRST_YEAR, FIRST_MONTH
    for _ in range(n):
        yield year, month
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _jitter(text: str, rng: random.Random, *, percent: bool, places: int = 2) -> str:
    """A figure near the seed's: same kind (number or marker), a little different."""
    value = number(text)
    if value is None:
        return text
    if value == 0:
        return text if rng.random() < 0.8 else "1"
    wandered = float(value) * rng.uniform(0.93, 1.07)
    if percent:
        wandered = min(wandered, 100.0)
    if isinstance(value, int) and not percent:
        return str(max(0, round(wandered)))
    return f"{wandered:.{places}f}"


def _label(year: int, month: int) -> str:
    return datetime(year, month, 1).strftime("%b-%y")


def _put(ws: Any, row: int, col: int, value: Any, fmt: str = "", fill: PatternFill | None = None):
    cell = ws.cell(row=row, column=col, value=value)
    if fmt:
        cell.number_format = fmt
    if fill is not None:
        cell.fill = fill
    return cell


def _figure(ws: Any, row: int, col: int, text: str, fmt: str = "0.00") -> Any:
    value = number(text)
    return _put(ws, row, col, text or None) if value is None else _put(ws, row, col, value, fmt)


def _pssp_sheet(ws: Any, year: int, month: int, rng: random.Random, date_header: bool) -> None:
    label = _label(year, month)
    title = f"PSSP KPI Performance - {MONTH_NAMES[month]} {year}"
    _put(ws, 1, 1, title).font = _BOLD
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    _put(ws, 2, 1, "Key").font = _BOLD
    for col, (text, argb) in enumerate(PSSP_KEY.items(), start=2):
        _put(ws, 2, col, text, fill=solid(argb))
    for first, last, text in (
        (1, 3, "Summary of Performance Measures"),
        (4, 5, "Measurement Criteria"),
        (6, 7, "Actual Performance"),
    ):
        _put(ws, 4, first, text).font = _BOLD
        ws.merge_cells(start_row=4, start_column=first, end_row=4, end_column=last)
    header: list[Any] = [
        "Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
        "Measure Criteria", f"{MONTH_NAMES[month]} Performance Target/Profile",
        datetime(year, month, 1) if date_header else label, "Notes",
    ]  # fmt: skip
    for col, value in enumerate(header, start=1):
        _put(ws, 5, col, value, "mmm-yy" if isinstance(value, datetime) else "").font = _BOLD
    _put(ws, 6, 1, "KPI's").font = _BOLD
    row = 7
    for block in seeds.MONTHLY_PSSP:
        first = row
        for kpi in block.rows:
            _put(ws, row, 2, kpi.ref)
            _put(ws, row, 3, kpi.description)
            _put(ws, row, 4, kpi.frequency)
            _put(ws, row, 5, kpi.criteria)
            target = kpi.april_target if month % 2 else kpi.may_target
            seed = kpi.april if month % 2 else kpi.may
            actual = _jitter(seed, rng, percent=kpi.criteria == "%")
            _figure(ws, row, 6, target)
            cell = _figure(ws, row, 7, actual)
            cell.fill = solid(PSSP_KEY[pssp_status(target, actual, kpi.criteria)])
            if kpi.notes:
                _put(ws, row, 8, kpi.notes)
            row += 1
        _put(ws, first, 1, block.area)
        if row - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
        if block.stray_criteria_after:
            _put(ws, row, 5, block.stray_criteria_after)
            row += 1
        elif block.spacer_after:
            row += 1


def _ict_sheet(ws: Any, year: int, month: int, rng: random.Random, date_header: bool) -> None:
    label = _label(year, month)
    _put(ws, 1, 1, f"ICT KPI Performance - {MONTH_NAMES[month]} {year}").font = _BOLD
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
    _put(ws, 2, 1, "Key").font = _BOLD
    for col, (text, argb) in enumerate(ICT_KEY.items(), start=2):
        _put(ws, 2, col, text, fill=solid(argb))
    header: list[Any] = [
        "Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
        "Measure Criteria", "Target", "Detriment", "Failure",
        datetime(year, month, 1) if date_header else label, "Notes",
    ]  # fmt: skip
    for col, value in enumerate(header, start=1):
        _put(ws, 5, col, value, "mmm-yy" if isinstance(value, datetime) else "").font = _BOLD
    _put(ws, 6, 1, "KPI's").font = _BOLD
    first = 7
    for row, kpi in enumerate(seeds.MONTHLY_ICT, start=first):
        _put(ws, row, 2, int(kpi.ref))
        for col, text in enumerate(
            (kpi.description, kpi.frequency, kpi.criteria, kpi.target, kpi.detriment, kpi.failure),
            start=3,
        ):
            _put(ws, row, col, text or None)
        seed = kpi.april if month % 2 else kpi.may
        actual = _jitter(seed, rng, percent=kpi.criteria == "%")
        fmt = "0.00" if "." in actual else ""
        cell = _figure(ws, row, 9, actual, fmt)
        cell.fill = solid(ICT_KEY[ict_status(kpi.target, kpi.detriment, kpi.failure, actual)])
        if kpi.notes:
            _put(ws, row, 10, kpi.notes)
    _put(ws, first, 1, "ICT")
    ws.merge_cells(start_row=first, start_column=1, end_row=first + len(seeds.MONTHLY_ICT) - 1,
                   end_column=1)  # fmt: skip


def monthly_workbook(year: int, month: int, *, date_header: bool | None = None) -> Any:
    """One month's return, both contracts, deterministic for (year, month).

    The month header is a date cell, except (``date_header=None``) in every
    third month, which prints it as text ("Jun-16").
    """
    rng = random.Random(year * 100 + month)
    wb = new_workbook()
    if date_header is None:
        date_header = month % 3 != 0  # some returns print the month as text
    _pssp_sheet(wb.create_sheet(f"PSSP KPIs {_label(year, month)}"), year, month, rng,
                date_header)  # fmt: skip
    _ict_sheet(wb.create_sheet("ICT KPIs"), year, month, rng, date_header)
    return wb


def write_returns(folder: Path, n: int, *, date_headers: bool | None = None) -> list[Path]:
    """Write (or reuse) n monthly returns into ``folder``; return their paths.

    ``date_headers=True`` gives every return a date month header (a folder
    of its own: the files differ from the default ones).
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for year, month in months(n):
        path = folder / f"kpi_return_{year}-{month:02d}.xlsx"
        if not path.exists():
            save(monthly_workbook(year, month, date_header=date_headers), path)
            to_shared_strings(path)
        paths.append(path)
    return paths


CALL_LOG_HEADER = (
    "Call Ref", "Logged", "Closed", "Agent", "Team", "Category", "Sub-category", "Priority",
    "Channel", "Wait (s)", "Handle (s)", "Resolved first time", "Postcode district",
    "Ward", "Satisfaction", "Reopened", "Escalated to", "SLA met", "Cost", "Summary",
)  # fmt: skip
_AGENTS = [f"Agent {i:03d}" for i in range(80)]
_TEAMS = ["Revenues", "Benefits", "Council Tax", "Parking", "ICT Service Desk", "Payroll"]
_CATEGORIES = ["Enquiry", "Complaint", "Payment", "Change of address", "Password reset",
               "Hardware fault", "Access request", "Bill query"]  # fmt: skip
_SUBS = [f"Sub-category {i}" for i in range(40)]
_CHANNELS = ["Phone", "Email", "Web form", "Walk-in", "Chat"]
_WARDS = [f"Ward {chr(65 + i)}" for i in range(24)]
_SUMMARIES = [
    "Caller asked about the balance on their account and was given it",
    "Payment taken by card, receipt emailed",
    "Password reset after identity checks",
    "Appointment booked for a home visit",
    "Complaint logged and passed to the team leader",
    "Direct debit set up for the remaining instalments",
    "Printer fault: engineer visit arranged",
    "Caller transferred to the benefits team",
]


def _call_rows(rows: int, rng: random.Random) -> Iterator[list[Any]]:
    start = datetime(2019, 6, 1, 8, 0)
    for i in range(rows):
        logged = start + timedelta(seconds=i * 26 + rng.randrange(20))
        handle = rng.randrange(30, 1800)
        yield [
            f"CL{1_000_000 + i}",
            logged,
            logged + timedelta(seconds=handle),
            rng.choice(_AGENTS),
            rng.choice(_TEAMS),
            rng.choice(_CATEGORIES),
            rng.choice(_SUBS),
            rng.randrange(1, 5),
            rng.choice(_CHANNELS),
            round(rng.expovariate(1 / 25), 1),
            handle,
            rng.random() < 0.8,
            f"PE{rng.randrange(1, 30)}",
            rng.choice(_WARDS),
            rng.randrange(1, 6),
            rng.random() < 0.05,
            rng.choice(_TEAMS) if rng.random() < 0.1 else None,
            "Yes" if rng.random() < 0.9 else "No",
            round(rng.uniform(2, 40), 2),
            rng.choice(_SUMMARIES) + f" (ref {i})",
        ]


def write_heavy(folder: Path, rows: int = 100_000, year: int = 2019, month: int = 6) -> Path:
    """A normal return for (year, month) plus a call-log tab of ``rows`` x 20 columns.

    Dates in the log get openpyxl's default date format, as a supplier's
    export would carry one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"kpi_return_{year}-{month:02d}_with_call_log_{rows}.xlsx"
    if path.exists():
        return path
    wb = monthly_workbook(year, month)
    log = wb.create_sheet("Call log")
    rng = random.Random(7)
    log.append(list(CALL_LOG_HEADER))
    for values in _call_rows(rows, rng):
        log.append(values)
    save(wb, path)
    to_shared_strings(path)
    return path
