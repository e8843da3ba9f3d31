"""A contract added by catalogue alone gets its own pack section, sheet and ``--contract``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.catalogue import DEFAULT_PATH as BUNDLED
from core.catalogue import load_catalogue
from flows.cli import main
from flows.runner import run_once
from flows.settings import Settings
from reports.pack import sheet_title
from tests.conftest import ROOT
from tests.sample_warehouse import MONTHLY
from tests.workbooks import WASTE_CONTRACT
from warehouse.metadata import catalogue_common


def waste_return(path: Path) -> Path:
    """April and May 2016, target and actual per month, beside the bundled April-May return."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Waste"
    ws.append(["Refuse and Recycling: KPI return April-May 2016"])
    ws.append([])
    ws.append(["Ref", "Measure", "Apr-16 Target", "Apr-16 Actual", "May-16 Target",
               "May-16 Actual"])  # fmt: skip
    ws.append(["WC-01", "Bins collected on the scheduled day", 99.5, 99.7, 99.5, 99.1])
    ws.append(["WC-02", "Days to replace a damaged bin", 5, 4, 5, 6])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def waste(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Settings:
    """The bundled April-May return and a waste return, loaded by a real run."""
    root = tmp_path_factory.mktemp("waste")
    catalogue = root / "catalogue.toml"
    catalogue.write_text(BUNDLED.read_text(encoding="utf-8") + WASTE_CONTRACT, encoding="utf-8")
    settings = Settings(inbox=root / "inbox", db=root / "kpi.db", reports=root / "reports",
                        catalogue=catalogue, stable_seconds=0)  # fmt: skip
    settings.inbox.mkdir()
    shutil.copyfile(sample_dir / MONTHLY, settings.inbox / MONTHLY)
    waste_return(settings.inbox / "waste_2016-04_05.xlsx")
    result = run_once(settings)
    assert sorted((o.file_name, o.status, o.rows_loaded) for o in result.outcomes) == [
        (MONTHLY, "loaded_with_exceptions", 86),
        ("waste_2016-04_05.xlsx", "loaded_with_exceptions", 4),
    ]
    return settings


@pytest.fixture
def uses(waste: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The commands below read the waste catalogue, as KPIFLOW_CATALOGUE says."""
    monkeypatch.setenv("KPIFLOW_CATALOGUE", str(waste.catalogue))
    return waste


class Rows(HTMLParser):
    """The text of every table row inside one element (by id) of a page."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.rows: list[list[str]] = []
        self.heading = ""
        self._cell: list[str] | None = None
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag == "section"
        elif tag == "section" and ("id", self.element_id) in attrs:
            self.depth = 1
        if not self.depth:
            return
        if tag == "h2":
            self._in_h2 = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "section":
            self.depth -= 1
        elif tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.heading += data
        elif self._cell is not None:
            self._cell.append(data + " ")


def section(html: str, element_id: str) -> tuple[str, list[list[str]]]:
    parser = Rows(element_id)
    parser.feed(html)
    return parser.heading, parser.rows


def test_the_third_contract_has_its_own_section_in_the_pack(uses: Settings, tmp_path: Path) -> None:
    argv = ["pack", "--year", "2016-17", "--db", str(uses.db), "--out", str(tmp_path)]
    assert main(argv) == 0
    html = (tmp_path / "pack-2016-17.html").read_text(encoding="utf-8")
    order = [html.index(f'<section id="contract-{c}"') for c in ("pssp", "ict", "wc")]
    assert order == sorted(order) and order[-1] < html.index('<section id="open-exceptions"')
    assert section(html, "contract-wc") == (
        "WC – Waste collection",
        [
            ["Ref", "Description", "Frequency", "Apr-16", "May-16"],
            ["Target", "Actual", "Target", "Actual"],
            ["Collections"],
            ["WC-01", "Bins collected on the scheduled day", "monthly",
             "99.5", "99.7 G", "99.5", "99.1 R ▼ worse"],
            ["WC-02", "Days to replace a damaged bin", "monthly",
             "5", "4 G", "5", "6 R ▼ worse"],
        ],
    )  # fmt: skip
    assert section(html, "contract-ict")[0] == "ICT – ICT managed service"
    assert (
        '<table class="levels">'
        in html.split('<section id="contract-ict"')[1].split("</section>")[0]
    )

    wb = load_workbook(tmp_path / "pack-2016-17.xlsx")
    assert wb.sheetnames == ["Summary", "PSSP", "ICT", "WC", "Open exceptions", "Waivers"]
    ws = wb["WC"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["WC – Waste collection"] + [None] * 11,
        ["Service area", "Ref", "Description", "Frequency",
         "Apr-16 target", "Apr-16 actual", "Apr-16 RAG", "Apr-16 travel",
         "May-16 target", "May-16 actual", "May-16 RAG", "May-16 travel"],
        ["Collections", "WC-01", "Bins collected on the scheduled day", "monthly",
         99.5, 99.7, "Green", None, 99.5, 99.1, "Red", "▼ worse than Apr-16 (99.7, exceeded)"],
        ["Collections", "WC-02", "Days to replace a damaged bin", "monthly",
         5, 4, "Green", None, 5, 6, "Red", "▼ worse than Apr-16 (4, exceeded)"],
    ]  # fmt: skip
    summary = [[c.value for c in row][:6] for row in wb["Summary"].iter_rows(min_row=5, max_row=20)]
    assert [r[:2] for r in summary if r[0]][-2:] == [["ICT", "ICT"], ["WC", "Collections"]]
    assert ["WC", "Collections", 2, 2, None, 2] in summary


def test_history_takes_the_catalogues_contracts(
    uses: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "WC-01", "--contract", "wc", "--db", str(uses.db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "WC WC-01: Bins collected on the scheduled day",
        "monthly, percent, higher is better; target 99.5%",
    ]
    assert [line.split()[:4] for line in out[3:]] == [
        ["2016-04", "99.7", "99.5", "exceeded"], ["2016-05", "99.1", "99.5", "not_met"],
    ]  # fmt: skip
    assert main(["review", "--contract", "Refuse and Recycling", "--db", str(uses.db)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[4:6] for line in listed[1:-1] if not line.startswith(" ")] == [
        ["WC", "WC-01"], ["WC", "WC-02"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "catalogue", "message"),
    [
        (["history", "WC-01", "--contract", "XX"], "waste",
         "kpiflow: --contract 'XX' is not a contract in the KPI catalogue: give PSSP, ICT or WC\n"),
        (["review", "--contract", "WC"], "bundled",
         "kpiflow: --contract 'WC' is not a contract in the KPI catalogue: give PSSP or ICT\n"),
    ],
    ids=["history-unknown", "review-not-in-bundled"],
)  # fmt: skip
def test_a_contract_the_catalogue_lacks_is_a_usage_error(
    waste: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    catalogue: str,
    message: str,
) -> None:
    path = waste.catalogue if catalogue == "waste" else BUNDLED
    monkeypatch.setenv("KPIFLOW_CATALOGUE", str(path))
    assert main([*command, "--db", str(waste.db)]) == 2
    assert capsys.readouterr() == ("", message)


def test_help_does_not_read_a_broken_catalogue(tmp_path: Path) -> None:
    broken = tmp_path / "catalogue.toml"
    broken.write_text("[contracts.WC\n", encoding="utf-8")
    env = {**os.environ, "KPIFLOW_CATALOGUE": str(broken)}
    for command in (["--help"], ["history", "--help"], ["review", "--help"]):
        done = subprocess.run([sys.executable, "-m", "flows.cli", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert (done.returncode, done.stderr) == (0, ""), command
    assert "--contract NAME" in done.stdout


def test_the_metadata_names_the_catalogues_contracts(waste: Settings) -> None:
    common = catalogue_common(load_catalogue(waste.catalogue))
    assert common["contract"].endswith("; ICT (ICT managed service); WC (Waste collection).")
    assert common["kpi_ref"] == (
        "The KPI's reference as the KPI catalogue spells it "
        "(e.g. STS-K-009 for PSSP, 1 for ICT, WC-01 for WC)."
    )


@pytest.mark.parametrize(
    ("contract", "taken", "title"),
    [
        ("WC", set(), "WC"),
        ("Summary", {"summary", "open exceptions", "waivers"}, "Summary 2"),
        ("Roads/Lighting: [north]", set(), "Roads_Lighting_ _north_"),
        ("x" * 40, {"x" * 31}, "x" * 29 + " 2"),
    ],
    ids=["plain", "clashes-with-summary", "forbidden-characters", "too-long-and-taken"],
)
def test_a_contracts_sheet_name_is_one_excel_accepts(
    contract: str, taken: set[str], title: str
) -> None:
    assert sheet_title(contract, taken) == title
    Workbook().create_sheet(title)  # openpyxl refuses names Excel refuses
