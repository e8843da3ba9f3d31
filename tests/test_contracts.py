"""Contracts come from the catalogue: a third one is added by catalogue alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlite_utils
from openpyxl import Workbook

from core.catalogue import DEFAULT_PATH as BUNDLED
from core.catalogue import Catalogue, load_catalogue
from core.model import Observation
from flows.process import check_file
from flows.runner import run_once
from flows.settings import Settings
from schemas.adapter import validate_observations
from tests.workbooks import WASTE_CONTRACT


@pytest.fixture
def waste_catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue.toml"
    path.write_text(BUNDLED.read_text(encoding="utf-8") + WASTE_CONTRACT, encoding="utf-8")
    return path


def waste_return(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Waste"
    ws.append(["Refuse and Recycling - monthly return"])
    ws.append([])
    ws.append(["Ref", "Measure", "Jul-17", "Aug-17"])
    ws.append(["WC 01", "Bins collected on the scheduled day", 99.7, 99.1])
    ws.append(["wc-2", "Days to replace a damaged bin", 4, 6])
    wb.save(path)
    return path


def test_the_catalogue_declares_the_contracts(waste_catalogue: Path) -> None:
    assert load_catalogue().contract_names == ("PSSP", "ICT")
    catalogue = load_catalogue(waste_catalogue)
    assert catalogue.contract_names == ("PSSP", "ICT", "WC")
    assert catalogue.contracts["WC"].description == "Waste collection"


def test_a_third_contract_is_read_checked_and_loaded(waste_catalogue: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    waste_return(inbox / "waste_2017-08.xlsx")
    settings = Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                        catalogue=waste_catalogue, stable_seconds=0)  # fmt: skip

    checked = check_file(inbox / "waste_2017-08.xlsx", load_catalogue(waste_catalogue), settings)
    assert checked.extraction is not None
    figures = [(o.contract, o.kpi_ref, o.period, o.actual) for o in checked.extraction.observations]
    assert figures == [
        ("WC", "WC-01", "2017-07", 99.7), ("WC", "WC-01", "2017-08", 99.1),
        ("WC", "WC-02", "2017-07", 4.0), ("WC", "WC-02", "2017-08", 6.0),
    ]  # fmt: skip
    assert [(r.code, r.kpi_ref, r.period, r.cell) for r in checked.records] == [
        ("target-not-met", "WC-01", "2017-08", "D4"),
        ("target-not-met", "WC-02", "2017-08", "D5"),
    ]

    run_once(settings)
    db = sqlite_utils.Database(settings.db)
    assert db.execute(
        "SELECT contract, kpi_ref, period, actual, status FROM current_measurements "
        "ORDER BY kpi_ref, period"
    ).fetchall() == [
        ("WC", "WC-01", "2017-07", 99.7, "exceeded"), ("WC", "WC-01", "2017-08", 99.1, "not_met"),
        ("WC", "WC-02", "2017-07", 4.0, "exceeded"), ("WC", "WC-02", "2017-08", 6.0, "not_met"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("contract", "period", "broken"),
    [("WC", "2017-08", "contract 'WC' is not a contract the KPI catalogue declares"),
     ("ICT", "2017-13", "period '2017-13' is not a month written YYYY-MM")],
    ids=["undeclared-contract", "not-a-month"],
)  # fmt: skip
def test_a_figure_the_extractor_could_not_have_read_is_a_bug_not_a_record(
    catalogue: Catalogue, contract: str, period: str, broken: str
) -> None:
    # The extractor takes contracts from the catalogue and months from the calendar:
    # a figure outside them is kpiflow's own fault, so it is raised, never blamed
    # on the supplier as a record.
    stray = Observation(contract, "WC-01", period, "Waste", "C4", "99.1", actual=99.1)
    with pytest.raises(RuntimeError, match=re.escape(broken)):
        validate_observations([stray], catalogue)
