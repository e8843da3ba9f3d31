"""One file through the pipeline without Prefect: real files, a real SQLite file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from flows.inbox import ClaimArea, sha256_of
from flows.process import FileOutcome, check_file, process_claimed
from flows.settings import Settings
from tests.sqlite_steps import vm_steps
from tests.workbooks import ICT_HEADER, ict_row, write_table
from warehouse.db import open_warehouse


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                    stable_seconds=0)  # fmt: skip


def _process(path: Path, settings: Settings, catalogue) -> FileOutcome:  # type: ignore[no-untyped-def]
    db = open_warehouse(settings.db)
    with ClaimArea(settings.inbox) as area:
        claimed = area.claim(path)
        assert claimed is not None
        return process_claimed(claimed, path.name, catalogue, settings, db)


def _reason_file(reason: str, name: str, content: bytes) -> str:
    """What ``NAME.reason.txt`` holds: the reason, then the original name and sha256."""
    return f"{reason}\n\nfile: {name}\nsha256: {hashlib.sha256(content).hexdigest()}\n"


def _codes(checked) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return [(r.code, r.kpi_ref, r.period, r.location) for r in checked.records]


def test_annual_return_findings(sample_dir: Path, catalogue, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    checked = check_file(sample_dir / "pssp_ict_annual_2016-17.xlsx", catalogue, settings)
    status = {(r.contract, r.kpi_ref, r.period): r.status for r in checked.rows(catalogue)}
    assert status[("ICT", "7", "2016-12")] == "failure"
    assert status[("ICT", "3", "2016-12")] == "detriment"
    assert status[("PSSP", "R&B-K-009b", "2017-03")] == "not_met"
    assert status[("PSSP", "R&B-K-009", "2017-03")] == "exceeded"
    assert status[("PSSP", "SP-K-009", "2017-03")] == "not_assessed"
    codes = _codes(checked)
    assert ("summary-mismatch", "", "2017-03", "Summary!G4") in codes
    assert ("kpi-failure", "7", "2016-12", "ICT KPIs!J11") in codes
    assert ("kpi-detriment", "3", "2016-12", "ICT KPIs!J9") in codes
    assert ("target-not-met", "R&B-K-009b", "2017-03", "PSSP KPIs!K14") in codes
    assert ("colour-claims-better", "R&B-K-009b", "2017-03", "PSSP KPIs!K14") in codes
    unit = sorted((k, p) for c, k, p, _ in codes if c == "value-contradicts-unit")
    assert unit == [
        ("1", "2016-06"), ("1", "2016-09"), ("1", "2017-08"),
        ("2", "2016-06"), ("2", "2016-09"), ("2", "2017-04"), ("2", "2017-08"),
    ]  # fmt: skip
    summary = next(r for r in checked.records if r.code == "summary-mismatch")
    assert summary.message == (
        "The summary says Shared Transactional Services had 8 targets hit in Mar-17, "
        "but the detail shows 6."
    )
    assert checked.counts() == {"error": 0, "warning": 46, "info": 2}


def test_annual_return_loads_every_figure(sample_dir: Path, catalogue, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    path = shutil.copy2(sample_dir / "pssp_ict_annual_2016-17.xlsx", settings.inbox)
    outcome = _process(Path(path), settings, catalogue)
    assert (outcome.status, outcome.rows_extracted, outcome.rows_loaded) == (
        "loaded_with_exceptions", 248, 248,
    )  # fmt: skip
    db = sqlite_utils.Database(settings.db)
    per_contract = db.execute(
        "SELECT contract, count(DISTINCT kpi_ref), count(DISTINCT period), count(*) "
        "FROM measurements GROUP BY contract ORDER BY contract"
    ).fetchall()
    assert per_contract == [("ICT", 19, 7, 133), ("PSSP", 23, 5, 115)]
    assert db.execute(
        "SELECT actual, marker, raw, sheet, cell FROM current_measurements "
        "WHERE kpi_ref = 'SP-K-009' AND period = '2016-09'"
    ).fetchone() == (None, "removed", "Removed from Contract through NoC 041", "PSSP KPIs", "G35")
    assert db.execute(
        "SELECT actual, target, status, sheet, cell FROM current_measurements "
        "WHERE contract = 'PSSP' AND kpi_ref = 'R&B-K-009b' AND period = '2017-03'"
    ).fetchone() == (61.71, 63.0, "not_met", "PSSP KPIs", "K14")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.xlsx", b"", "empty-file"),
        ("page.xlsx", b"<!DOCTYPE html><html><body>Sign in</body></html>", "not-a-workbook"),
    ],
    ids=["zero-byte", "web-page"],
)
def test_refused_files_are_kept_with_their_reason(
    settings: Settings,
    catalogue,
    name: str,
    content: bytes,
    code: str,  # type: ignore[no-untyped-def]
) -> None:
    path = settings.inbox / name
    path.write_bytes(content)
    outcome = _process(path, settings, catalogue)
    assert outcome.status == "rejected"
    kept = settings.rejected / name
    assert kept.read_bytes() == content
    assert (settings.rejected / f"{name}.reason.txt").read_text() == _reason_file(
        outcome.reason, name, content
    )
    db = sqlite_utils.Database(settings.db)
    assert db.execute("SELECT status, reason FROM submissions").fetchall() == [
        ("rejected", outcome.reason)
    ]
    assert db.execute("SELECT code FROM exceptions").fetchall() == [(code,)]
    assert db.execute("SELECT count(*) FROM measurements").fetchone() == (0,)


def test_a_workbook_without_a_kpi_table_is_rejected(settings: Settings, catalogue) -> None:  # type: ignore[no-untyped-def]
    path = write_table(settings.inbox / "notes.xlsx", ("Name", "Phone"), [("Ann", "0123")],
                       sheet="Contacts", title=None)  # fmt: skip
    outcome = _process(path, settings, catalogue)
    assert outcome.status == "rejected"
    assert outcome.reason.startswith("No KPI table was found: looked on every sheet")
    assert (settings.rejected / "notes.xlsx").is_file()


def test_rows_with_errors_are_not_loaded_but_their_exceptions_are(
    settings: Settings,
    catalogue,  # type: ignore[no-untyped-def]
) -> None:
    path = write_table(
        settings.inbox / "ict.xlsx", ICT_HEADER,
        [ict_row(7, 58.89), ict_row(3, "tbc"), ict_row(99, 90)],
    )  # fmt: skip
    outcome = _process(path, settings, catalogue)
    db = sqlite_utils.Database(settings.db)
    assert (outcome.status, outcome.rows_extracted, outcome.rows_loaded) == (
        "loaded_with_exceptions", 3, 1,
    )  # fmt: skip
    assert db.execute("SELECT kpi_ref, actual FROM measurements").fetchall() == [("7", 58.89)]
    errors = db.execute(
        "SELECT code, kpi_ref, cell, value FROM exceptions WHERE severity = 'error' ORDER BY code"
    ).fetchall()
    assert errors == [("unknown-kpi", "99", "H6", "90"), ("value-unreadable", "3", "H5", "tbc")]


def test_a_changed_figure_is_a_restatement(settings: Settings, catalogue) -> None:  # type: ignore[no-untyped-def]
    first = write_table(settings.inbox / "dec.xlsx", ICT_HEADER, [ict_row(7, 58.89)])
    _process(first, settings, catalogue)
    second = write_table(settings.inbox / "dec-v2.xlsx", ICT_HEADER, [ict_row(7, 60.5)])
    outcome = _process(second, settings, catalogue)
    db = sqlite_utils.Database(settings.db)
    assert db.execute(
        "SELECT s.file_name, m.actual FROM measurements m JOIN submissions s "
        "ON s.id = m.submission_id ORDER BY s.id"
    ).fetchall() == [("dec.xlsx", 58.89), ("dec-v2.xlsx", 60.5)]
    assert db.execute("SELECT actual FROM current_measurements WHERE kpi_ref = '7'").fetchall() == [
        (60.5,)
    ]
    restated = db.execute(
        "SELECT submission_id, severity, cell, message, rule FROM exceptions "
        "WHERE code = 'restatement'"
    ).fetchall()
    assert restated == [(
        outcome.submission_id, "warning", "H4",
        "ICT KPI 7 for Dec-16 was 58.89 in dec.xlsx and is now 60.5 in dec-v2.xlsx; "
        "the new value is current and the old one is kept.",
        "previously 58.89 (dec.xlsx, ICT KPIs!H4)",
    )]  # fmt: skip


def test_same_kpi_twice_with_different_values_loads_neither(
    settings: Settings,
    catalogue,  # type: ignore[no-untyped-def]
) -> None:
    path = write_table(settings.inbox / "twice.xlsx", ICT_HEADER,
                       [ict_row(7, 58.89), ict_row(7, 61), ict_row(3, 91)])  # fmt: skip
    outcome = _process(path, settings, catalogue)
    db = sqlite_utils.Database(settings.db)
    assert outcome.rows_loaded == 1
    assert db.execute("SELECT kpi_ref FROM measurements").fetchall() == [("3",)]
    assert db.execute(
        "SELECT kpi_ref, cell FROM exceptions WHERE code = 'duplicate-kpi-value' ORDER BY cell"
    ).fetchall() == [("7", "H4"), ("7", "H5")]


def _hostile() -> list[tuple[str, str, object, str]]:
    from extractors.preflight import Limits
    from tests.test_preflight import HOSTILE

    return [
        (i, name, build, code) for i, name, build, code, limits in HOSTILE if limits == Limits()
    ]


@pytest.mark.parametrize(
    ("name", "build", "code"),
    [h[1:] for h in _hostile()],
    ids=[h[0] for h in _hostile()],
)
def test_every_hostile_kind_ends_rejected_byte_identical(
    settings: Settings,
    catalogue,
    name: str,
    build,
    code: str,  # type: ignore[no-untyped-def]
) -> None:
    content = build()
    path = settings.inbox / name
    path.write_bytes(content)
    outcome = _process(path, settings, catalogue)
    assert (outcome.status, outcome.rows_loaded) == ("rejected", 0)
    assert (settings.rejected / name).read_bytes() == content
    assert (settings.rejected / f"{name}.reason.txt").read_text() == _reason_file(
        outcome.reason, name, content
    )
    db = sqlite_utils.Database(settings.db)
    assert db.execute("SELECT status, reason FROM submissions").fetchall() == [
        ("rejected", outcome.reason)
    ]
    assert db.execute("SELECT code FROM exceptions").fetchall() == [(code,)]


def test_every_loaded_figure_knows_its_target_cell(
    sample_dir: Path,
    catalogue,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    path = shutil.copy2(sample_dir / "pssp_ict_annual_2016-17.xlsx", settings.inbox)
    _process(Path(path), settings, catalogue)
    db = sqlite_utils.Database(settings.db)
    assert db.execute(
        "SELECT cell, target, target_cell FROM measurements WHERE "
        "(kpi_ref = 'R&B-K-009b' AND period = '2017-03') OR (kpi_ref = '7' AND period = '2016-12') "
        "ORDER BY contract"
    ).fetchall() == [("J11", 90.0, "E11"), ("K14", 63.0, "J14")]
    assert db.execute("SELECT count(*) FROM measurements WHERE target_cell = ''").fetchone() == (0,)


def test_a_copy_that_cannot_be_annotated_does_not_hold_up_the_load(
    sample_dir: Path,
    catalogue,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    path = Path(shutil.copy2(sample_dir / "pssp_ict_annual_2016-17.xlsx", settings.inbox))
    # Something already stands where the copy would go (a full disk fails the same way).
    blocker = settings.reports / f"pssp_ict_annual_2016-17-{sha256_of(path)[:8]}.annotated.xlsx"
    blocker.mkdir(parents=True)
    outcome = _process(path, settings, catalogue)
    assert (outcome.status, outcome.rows_loaded, outcome.infos) == (
        "loaded_with_exceptions", 248, 3,
    )  # fmt: skip
    db = sqlite_utils.Database(settings.db)
    assert db.execute(
        "SELECT severity, message FROM exceptions WHERE code = 'annotation-failed'"
    ).fetchall() == [
        (
            "info",
            "kpiflow could not write an annotated copy of this workbook (IsADirectoryError: "
            "Is a directory); use the sheet and cell given for each problem to find it in the "
            "original file.",
        )
    ]
    html = Path(outcome.report_path).read_text(encoding="utf-8")
    assert "No annotated copy was written for this file." in html
    assert list(blocker.iterdir()) == []


_OLD_LAYOUT = {"sheet": "Old", "orientation": "down", "kind": "wide", "header_row": 1,
               "ref_column": "A", "first_ref_row": 2}  # fmt: skip


def _vm_steps_of_one_file(tmp_path: Path, catalogue, earlier: int) -> int:  # type: ignore[no-untyped-def]
    """SQLite VM instructions one return costs a warehouse already holding ``earlier`` returns.

    The earlier returns are accepted, laid out, and report months a trend
    chart of December 2016 never shows, so every warehouse answers the
    file's questions alike: only its size differs.
    """
    from warehouse.loader import SubmissionRow, load_submission

    work = tmp_path / str(earlier)
    settings = Settings(inbox=work / "inbox", db=work / "kpi.db", reports=work / "reports",
                        stable_seconds=0)  # fmt: skip
    settings.inbox.mkdir(parents=True)
    db = open_warehouse(settings.db)
    for n in range(earlier):
        received = f"2001-01-01T00:00:00+00:00#{n:04d}"
        row = {
            "contract": "ICT", "kpi_ref": "7", "period": f"{1900 + n // 12}-{n % 12 + 1:02d}",
            "target": 90.0, "actual": 95.0, "marker": None, "raw": "95", "status": "met",
            "supplier_status": "", "sheet": "ICT KPIs", "cell": "H4",
        }  # fmt: skip
        submission = SubmissionRow(f"r{n}.xlsx", f"{n:064x}", received, received, "loaded",
                                   format="xlsx", rows_extracted=1)  # fmt: skip
        load_submission(db, submission, [row], [], layouts={"ICT": [_OLD_LAYOUT]})
    path = write_table(settings.inbox / "ict.xlsx", ICT_HEADER, [ict_row(7, 0.95), ict_row(9, 0.8)])
    with ClaimArea(settings.inbox) as area:
        claimed = area.claim(path)
        assert claimed is not None
        outcomes: list[FileOutcome] = []

        def one_file() -> None:
            outcomes.append(process_claimed(claimed, path.name, catalogue, settings, db))

        steps = vm_steps(db, one_file)
    (outcome,) = outcomes
    assert (outcome.status, outcome.rows_loaded) == ("loaded_with_exceptions", 2)
    layout = db.execute("SELECT value FROM exceptions WHERE code = 'layout-changed'").fetchall()
    assert layout == [("",)]  # the previous layout was found and compared
    return steps


def test_a_files_warehouse_work_does_not_grow_with_the_warehouse(tmp_path: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    """Flat cost, counted in SQLite's own instructions: everything one file asks of
    the warehouse (duplicate, restatement, layout, waiver and history lookups, the
    load) costs the same whether 20 or 200 returns came before it."""
    assert _vm_steps_of_one_file(tmp_path, catalogue, 200) == _vm_steps_of_one_file(
        tmp_path, catalogue, 20
    )
