"""The committee pack on the bundled returns: the seed's tables, recomputed and checked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.cli import main
from flows.pack import write_pack
from reports.pack import CommitteePack, PackException, render_pack_html, write_pack_xlsx
from samples.seeds import SUMMARY_JUL_AUG
from tests.sample_warehouse import samples_warehouse
from warehouse.db import open_warehouse
from warehouse.pack import financial_year, gather_pack, one_month

HOSTILE = "<script>document.title='pwned'</script>"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, catalogue) -> Path:  # type: ignore[no-untyped-def]
    return samples_warehouse(tmp_path_factory.mktemp("pack"), sample_dir, catalogue).db


def pack_for(db_path: Path, year: str) -> CommitteePack:
    title, months = financial_year(year)
    return gather_pack(open_warehouse(db_path), year, title, months, "now")


def test_march_2017_shared_transactional_services_is_9_and_6(db_path: Path) -> None:
    assert open_warehouse(db_path).execute(
        "SELECT indicators, hits FROM service_area_summary WHERE contract='PSSP' "
        "AND service_area='Shared Transactional Services' AND period='2017-03'"
    ).fetchall() == [(9, 6)]


def test_the_august_column_matches_the_seeds_summary(db_path: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    _, months = one_month("2017-08")
    pack = gather_pack(open_warehouse(db_path), "2017-08", "August 2017", months, "now")
    assert pack.months == ("2017-08",)
    ours = {
        (row.service_area, row.cells[0].indicators, row.cells[0].hits)
        for row in pack.summary
        if row.contract == "PSSP" and row.cells[0] is not None
    }
    seed = {
        (catalogue.area_name(area), int(indicators), int(hits))
        for area, _, _, indicators, hits in SUMMARY_JUL_AUG
    }
    assert ours == seed
    assert pack.disagreements() == []


def test_the_year_pack_shows_the_march_disagreement(db_path: Path, tmp_path: Path) -> None:
    html_path, xlsx_path = write_pack(db_path, tmp_path, year="2016-17")
    assert (html_path.name, xlsx_path.name) == ("pack-2016-17.html", "pack-2016-17.xlsx")
    html = html_path.read_text(encoding="utf-8")
    sentence = (
        "PSSP Shared Transactional Services, Mar-17: the supplier's summary gives 8 targets "
        "hit; the detail shows 6."
    )
    assert sentence.replace("'", "&#39;") in html
    assert '<td class="num differs">6<span class="supplier">supplier: 8</span></td>' in html
    assert "@page { size: A4 landscape;" in html
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == ["Summary", "PSSP", "ICT", "Open exceptions", "Waivers"]
    summary = wb["Summary"]
    assert sentence in [summary.cell(row=r, column=1).value for r in range(1, 30)]
    assert wb["PSSP"].page_setup.orientation == "landscape"


def test_pssp_and_ict_tables_carry_rag_and_travel(db_path: Path) -> None:
    title, months = financial_year("2017-18")
    pack = gather_pack(open_warehouse(db_path), "2017-18", title, months, "now")
    assert pack.months == ("2017-04", "2017-07", "2017-08")
    calls = next(line for line in pack.lines("PSSP") if line.ref == "CS-K-002")
    august = calls.figures[2]
    assert august is not None
    assert (august.actual, august.target, august.rag) == (76.0, 86.0, "R")
    assert august.travel is not None
    assert (august.travel.way, august.travel.against, august.travel.describe()) == (
        "worse", "2017-07", "worse than Jul-17 (82)",
    )  # fmt: skip
    year = pack_for(db_path, "2016-17")
    ict = {line.ref: line for line in year.lines("ICT")}
    december = year.months.index("2016-12")
    assert (ict["7"].figures[december].rag, ict["3"].figures[december].rag) == ("R", "A")  # type: ignore[union-attr]
    assert (ict["3"].target_text, ict["3"].detriment_text, ict["3"].failure_text) == (
        "90.0%", "87.0%", "84.0%",
    )  # fmt: skip
    assert year.open_exceptions and all(e.state == "open" for e in year.open_exceptions)


def test_pack_text_is_escaped_and_the_xlsx_holds_no_formula(tmp_path: Path) -> None:
    item = PackException(
        short_id="abcdef12", severity="warning", code="target-not-met", contract="PSSP",
        kpi_ref=HOSTILE, period="2017-03", file_name=HOSTILE, location="A1", value=HOSTILE,
        message=HOSTILE, state="waived", note='=HYPERLINK("http://evil.example","x")',
        reviewer="@admin",
    )  # fmt: skip
    pack = CommitteePack("2017-03", "March 2017", "now", ("2017-03",), (), (), (item,), (item,))
    html = render_pack_html(pack)
    assert HOSTILE not in html and "<script" not in html
    assert "&lt;script&gt;" in html
    path = write_pack_xlsx(pack, tmp_path / "pack.xlsx")
    with zipfile.ZipFile(path) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in package.read(n) for n in sheets)
    ws = load_workbook(path)["Waivers"]
    assert ws["H2"].value == '=HYPERLINK("http://evil.example","x")'
    assert ws["H2"].data_type == "s" and ws["H2"].quotePrefix
    assert ws["I2"].value == "@admin" and ws["I2"].quotePrefix


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--year", "2016-18"],
            "kpiflow: '2016-18' is not a financial year: write it as 2016-17 (April 2016 to "
            "March 2017)\n",
        ),
        (
            ["--month", "2017-13"],
            "kpiflow: '2017-13' is not a month: write it as YYYY-MM, e.g. 2017-08\n",
        ),
        (
            ["--year", "2030-31"],
            "kpiflow: the warehouse holds no figures for Financial year "
            "2030-31 (April 2030 to March 2031)\n",
        ),
    ],
    ids=["bad-year", "bad-month", "no-figures"],
)
def test_a_bad_scope_is_one_sentence(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["pack", *args, "--db", str(db_path), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == message
    assert list(tmp_path.iterdir()) == []


def test_the_cli_writes_both_files(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", "--month", "2017-08", "--db", str(db_path), "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        str(tmp_path / "pack-2017-08.html"), str(tmp_path / "pack-2017-08.xlsx"),
    ]  # fmt: skip
