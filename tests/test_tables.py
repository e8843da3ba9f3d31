"""The locator (``extractors.tables``) on layouts beyond the corpus's families.

Each test writes a real workbook and checks the exact figures and problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from core.catalogue import Catalogue
from core.model import Extraction
from extractors.files import extract_file
from flows.process import check_file
from flows.settings import Settings
from tests.workbooks import rewrite_package


def write(path: Path, rows: list[list[Any]], sheet: str = "KPIs") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def figures(result: Extraction) -> list[tuple[str, str, str, str, float | None]]:
    return [(o.contract, o.kpi_ref, o.period, o.cell, o.actual) for o in result.observations]


def test_tables_side_by_side_read_only_their_own_months(tmp_path: Path) -> None:
    path = write(tmp_path / "two.xlsx", [
        ["PSSP", None, None, None, "ICT"],
        ["Ref", "Sep-16", "Oct-16", None, "Ref", "Sep-16", "Oct-16"],
        ["STS-K-009", 100, 99, None, 3, 90.5, 91],
        ["PAY-K-001", 98, 97, None, 4, 95, 96],
    ])  # fmt: skip
    assert figures(extract_file(path, isolate=False)) == [
        ("PSSP", "STS-K-009", "2016-09", "B3", 100.0), ("PSSP", "STS-K-009", "2016-10", "C3", 99.0),
        ("PSSP", "PAY-K-001", "2016-09", "B4", 98.0), ("PSSP", "PAY-K-001", "2016-10", "C4", 97.0),
        ("ICT", "3", "2016-09", "F3", 90.5), ("ICT", "3", "2016-10", "G3", 91.0),
        ("ICT", "4", "2016-09", "F4", 95.0), ("ICT", "4", "2016-10", "G4", 96.0),
    ]  # fmt: skip


def test_a_month_written_twice_is_read_twice_and_refused_when_it_differs(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = write(tmp_path / "twice.xlsx", [
        ["Ref", "Sep-16", "Sep-16"],
        ["STS-K-009", 100, 97],
    ])  # fmt: skip
    settings = Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "r")
    checked = check_file(path, catalogue, settings)
    assert checked.extraction is not None
    assert figures(checked.extraction) == [
        ("PSSP", "STS-K-009", "2016-09", "B2", 100.0), ("PSSP", "STS-K-009", "2016-09", "C2", 97.0)
    ]  # fmt: skip
    assert [(r.code, r.cell) for r in checked.records if r.severity == "error"] == [
        ("duplicate-kpi-value", "B2"),
        ("duplicate-kpi-value", "C2"),
    ]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("STS-K-009 - Completion of statutory returns", "STS-K-009"),
        ("PRO-K-4 (Procurement savings)", "PRO-K-004"),
        ("ICT KPI 7: Fulfilment of P3 requests", "7"),
    ],
    ids=["dash", "bracket", "colon"],
)
def test_a_ref_and_its_description_in_one_cell(tmp_path: Path, ref: str, expected: str) -> None:
    path = write(tmp_path / "one-cell.xlsx", [["KPI", "Aug-17"], [ref, 96]])
    result = extract_file(path, isolate=False)
    assert [(o.kpi_ref, o.period, o.actual) for o in result.observations] == [
        (expected, "2017-08", 96.0)
    ]


def test_a_note_naming_a_kpi_under_a_table_is_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path / "note.xlsx", [
        ["Ref", "Aug-17"], ["STS-K-009", 100], [], ["KPI 7: the call system failed on 3 Aug"],
    ])  # fmt: skip
    result = extract_file(path, isolate=False)
    assert figures(result) == [("PSSP", "STS-K-009", "2017-08", "B2", 100.0)]
    assert result.problems == []


def test_tgt_and_act_under_each_month(tmp_path: Path) -> None:
    path = write(tmp_path / "tgt.xlsx", [
        ["Ref", "Jul-17", None, "Aug-17", None],
        [None, "Tgt", "Act", "Tgt", "Act"],
        ["STS-K-009", 100, 99, 100, 100],
    ])  # fmt: skip
    result = extract_file(path, isolate=False)
    assert [(o.period, o.cell, o.actual, o.target_cell) for o in result.observations] == [
        ("2017-07", "C3", 99.0, "B3"),
        ("2017-08", "E3", 100.0, "D3"),
    ]


def test_a_generators_placeholder_results_are_not_figures(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    # As xlsxwriter writes formulas: a stored result of 0 and "recalculate on opening".
    source = write(tmp_path / "src.xlsx", [["Ref", "Aug-17"], ["STS-K-009", "=SUM(1,99)"],
                                           ["PAY-K-001", 98]])  # fmt: skip

    def placeholder(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"<v></v>", b"<v>0</v>").replace(b"<v />", b"<v>0</v>")
        return data

    path = rewrite_package(source, tmp_path / "generated.xlsx", placeholder)
    settings = Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "r")
    checked = check_file(path, catalogue, settings)
    assert checked.extraction is not None
    assert figures(checked.extraction) == [("PSSP", "PAY-K-001", "2017-08", "B3", 98.0)]
    assert [(r.code, r.cell, r.value) for r in checked.records if r.severity == "error"] == [
        ("formula-not-calculated", "B2", "=SUM(1,99)")
    ]


def test_variance_and_year_to_date_columns_are_not_the_months_figures(tmp_path: Path) -> None:
    path = write(tmp_path / "var.xlsx", [
        ["Ref", "Jul-17", None, None, "Aug-17", None, None, "YTD Aug-17"],
        [None, "Target", "Actual", "Variance", "Target", "Actual", "Variance", None],
        ["STS-K-009", 100, 99, -1, 100, 100, 0, 99.5],
    ])  # fmt: skip
    result = extract_file(path, isolate=False)
    assert [(o.period, o.cell, o.actual, o.target_cell) for o in result.observations] == [
        ("2017-07", "C3", 99.0, "B3"),
        ("2017-08", "F3", 100.0, "E3"),
    ]
    assert result.problems == []


def test_a_contents_list_of_kpis_read_elsewhere_is_noted_not_an_error(tmp_path: Path) -> None:
    wb = Workbook()
    contents = wb.active
    assert contents is not None
    contents.title = "Contents"
    for row in (["Ref", "Description"], ["STS-K-009", "Statutory returns"],
                ["PAY-K-001", "Payroll accuracy"]):  # fmt: skip
        contents.append(row)
    data = wb.create_sheet("Data")
    for row in (["Ref", "Aug-17"], ["STS-K-009", 100], ["PAY-K-001", 99.8]):
        data.append(row)
    wb.save(tmp_path / "with-contents.xlsx")

    result = extract_file(tmp_path / "with-contents.xlsx", isolate=False)

    assert figures(result) == [
        ("PSSP", "STS-K-009", "2017-08", "B2", 100.0), ("PSSP", "PAY-K-001", "2017-08", "B3", 99.8)
    ]  # fmt: skip
    assert [(p.code, p.severity, p.sheet, p.cell, p.message) for p in result.problems] == [
        ("refs-listed-only", "info", "Contents", "A2:A3",
         "The PSSP KPIs listed at 'Contents'!A2:A3 have no figures there (a list of contents); "
         "each one's figures were read from another sheet."),
    ]  # fmt: skip


def test_a_dash_is_an_empty_cell_and_a_cover_title_names_the_contracts(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Serco monthly return: PSSP and ICT"])
    data = wb.create_sheet("PSSP")
    for row in (["Ref", "Jul-17", "Aug-17"], ["STS-K-009", 100, "-"]):
        data.append(row)
    wb.save(tmp_path / "cover.xlsx")
    settings = Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "r")

    checked = check_file(tmp_path / "cover.xlsx", catalogue, settings)

    assert checked.extraction is not None
    assert figures(checked.extraction) == [("PSSP", "STS-K-009", "2017-07", "B2", 100.0)]
    assert [(r.code, r.cell) for r in checked.records if r.code == "value-missing"] == [
        ("value-missing", "C2")
    ]
    missing = {(r.contract, r.kpi_ref) for r in checked.records if r.code == "kpi-missing"}
    # The cover names ICT too: all of its KPIs are missing, as are PSSP's others.
    assert {ref for contract, ref in missing if contract == "ICT"} == {
        k.ref for k in catalogue.of_contract("ICT") if not k.removed
    }
    assert ("PSSP", "STS-K-009") not in missing


@pytest.mark.parametrize(
    ("rag", "claimed"),
    [
        ("Green", "met"),
        ("amber - within tolerance", "detriment"),
        ("R", "not_met"),
        ("A note on the figure", None),
        ("tbc", None),
        ("", None),
    ],
    ids=["green", "amber-words", "letter", "a-sentence", "unknown", "blank"],
)
def test_rag_text_is_read_as_the_suppliers_claim(rag: str, claimed: str | None) -> None:
    from core.model import Observation
    from schemas.rules import rag_status_of

    obs = Observation("ICT", "7", "2017-08", "ICT", "D4", "96", actual=96.0, rag=rag)
    assert rag_status_of(obs) == claimed
