"""The probe's layouts (``tests.corpus_probe``) through a real run into a real warehouse.

``tests/test_layout_corpus.py`` checks what is read; this checks what is
loaded: no passed-over figure, forecast, target or half of a split KPI lands
in ``measurements``, and the errors naming them are in ``exceptions``.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from openpyxl import Workbook

from flows.runner import run_once
from flows.settings import Settings
from tests.corpus import ICT_MONTHS, ICT_ROWS, PSSP_MONTHS, period
from tests.corpus_probe import PROBE_CASES


def _loaded(tmp_path: Path) -> tuple[dict[str, set[tuple[str, str, str]]], set[tuple[str, ...]]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for case in PROBE_CASES:
        case.write(inbox)
    settings = Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                        stable_seconds=0)  # fmt: skip
    run_once(settings)
    db = sqlite_utils.Database(settings.db)
    rows: dict[str, set[tuple[str, str, str]]] = {}
    for file_name, contract, ref, month in db.execute(
        "SELECT s.file_name, m.contract, m.kpi_ref, m.period FROM measurements m "
        "JOIN submissions s ON s.id = m.submission_id"
    ).fetchall():
        rows.setdefault(file_name, set()).add((contract, ref, month))
    errors = {
        tuple(row)
        for row in db.execute(
            "SELECT s.file_name, e.code, e.sheet, e.cell, e.kpi_ref, e.period FROM exceptions e "
            "JOIN submissions s ON s.id = e.submission_id WHERE e.severity = 'error'"
        ).fetchall()
    }
    return rows, errors


def test_passed_over_figures_are_not_loaded_and_are_named(tmp_path: Path) -> None:
    rows, errors = _loaded(tmp_path)
    cases = {c.id: c for c in PROBE_CASES}

    provisional = cases["month-header-unread-word"]
    assert {m for _, _, m in rows[provisional.file_name]} == {period(m) for m in ICT_MONTHS[4:6]}
    (problem,) = provisional.errors
    assert (provisional.file_name, "table-not-read", "ICT", problem.cell, "", "") in errors

    split = cases["submeasures-under-merged-ref"]
    months = {period(m) for m in ICT_MONTHS[4:7]}
    assert not {m for _, ref, m in rows[split.file_name] if ref == "7"}
    assert len(rows[split.file_name]) == (len(ICT_ROWS) - 1) * len(months)
    assert {(e[3], e[5]) for e in errors if e[0] == split.file_name and e[4] == "7"} == {
        (p.cell, m) for p, m in zip(sorted(split.errors, key=lambda p: p.cell),
                                    sorted(months), strict=True)
    }  # fmt: skip

    forecast = cases["forecast-group-over-months"]
    assert {m for _, _, m in rows[forecast.file_name]} == {period(m) for m in ICT_MONTHS[3:6]}
    assert not [e for e in errors if e[0] == forecast.file_name]

    targets = cases["targets-table-above-actuals"]
    assert {m for _, _, m in rows[targets.file_name]} == {period(m) for m in PSSP_MONTHS[:3]}
    assert {(e[1], e[3]) for e in errors if e[0] == targets.file_name} == {
        ("table-not-read", p.cell) for p in targets.errors
    }


def test_excel_error_values_are_not_markers(tmp_path: Path) -> None:
    # "#N/A" is a formula that failed to look something up, not the supplier's "N/A".
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ICT"
    ws.append(["ICT KPI Performance"])
    ws.append(["KPI Ref", "Sep-16"])
    for ref, value in (("KPI 3", "#N/A"), ("KPI 4", "N/A"), ("KPI 5", "#DIV/0!"), ("KPI 6", 97.1)):
        ws.append([ref, value])
    assert ws["B3"].data_type == "e"  # written as Excel writes an error value
    wb.save(inbox / "ict_errors.xlsx")
    settings = Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                        stable_seconds=0)  # fmt: skip
    run_once(settings)
    db = sqlite_utils.Database(settings.db)
    loaded = db.execute("SELECT kpi_ref, actual, marker, cell FROM measurements ORDER BY cell")
    assert loaded.fetchall() == [("4", None, "not_applicable", "B4"), ("6", 97.1, None, "B6")]
    errors = db.execute(
        "SELECT code, cell, value FROM exceptions WHERE severity = 'error' ORDER BY cell"
    ).fetchall()
    assert errors == [("value-unreadable", "B3", "#N/A"), ("value-unreadable", "B5", "#DIV/0!")]
