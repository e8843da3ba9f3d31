"""Zero silent partial loads: every ref cell a reviewer can see is read or named.

For every file of the layout corpus and the bundled samples (and, in
``tests/test_zoo.py``, every file of the workbook zoo),
each cell on a visible sheet that holds a catalogue ref written as a ref
("R&B-K-001", "RB-K-9A", "ICT KPI 7") must be part of a figure read, or be
named by an error (its cell, a range holding it, or its KPI on its sheet), or
be a KPI row whose cells are blank (a ``value-missing`` warning names each).
Bare numbers are refs only where the layout says so, so they are left to the
locator's own tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.catalogue import Catalogue
from core.model import Extraction
from core.records import ExceptionRecord
from core.refs import RefBook
from extractors.extract import extract_workbook
from extractors.grid import Workbook
from extractors.preflight import preflight
from extractors.readers import read_workbook
from flows.process import check_file
from flows.settings import Settings
from samples.generate import write_samples
from tests.corpus import CASES, LayoutCase

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _position(cell: str) -> tuple[int, int]:
    match = _CELL.match(cell)
    assert match, cell
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


def _in(cell: tuple[int, int], named: str) -> bool:
    """Whether ``named`` ("B7" or "A5:A27") is or holds the cell."""
    if not named:
        return False
    first, _, last = named.partition(":")
    if not _CELL.match(first) or (last and not _CELL.match(last)):
        return False
    (r1, c1), (r2, c2) = _position(first), _position(last or first)
    return min(r1, r2) <= cell[0] <= max(r1, r2) and min(c1, c2) <= cell[1] <= max(c1, c2)


def unaccounted(
    workbook: Workbook, extraction: Extraction, records: list[ExceptionRecord], book: RefBook
) -> list[str]:
    """The ref cells on visible sheets that no figure, error or blank-row warning accounts for."""
    read = {(o.sheet, o.kpi_ref) for o in extraction.observations}
    blank = {(r.sheet, r.kpi_ref) for r in records if r.code == "value-missing"}
    # Errors name what was not read; a contents list's info names refs read elsewhere.
    errors = [r for r in records if r.severity == "error" or r.code == "refs-listed-only"]
    missed: list[str] = []
    for sheet in workbook.sheets:
        if sheet.hidden:
            continue
        for (row, col), cell in sheet.cells.items():
            # A ref written as the whole cell; a note that starts with one is a mention.
            strong = [m for m in book.match(cell.value) if m.strong and not m.head]
            if not strong:
                continue
            refs = {m.ref for m in strong}
            if any((sheet.name, ref) in read or (sheet.name, ref) in blank for ref in refs):
                continue
            if any(
                r.sheet == sheet.name and (_in((row, col), r.cell) or r.kpi_ref in refs)
                for r in errors
            ) or any(not r.sheet and r.code in ("no-kpi-table",) for r in errors):
                continue
            missed.append(f"{sheet.name}!{cell.address} ({cell.value!r})")
    return missed


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_ref_cell_of_the_corpus_is_read_or_named(
    case: LayoutCase, tmp_path: Path, catalogue: Catalogue
) -> None:
    path = case.write(tmp_path)
    settings = Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "r")
    checked = check_file(path, catalogue, settings, file_name=case.file_name)
    assert checked.extraction is not None
    fmt, _ = preflight(path)
    workbook = read_workbook(path, fmt)
    assert unaccounted(workbook, checked.extraction, list(checked.records),
                       catalogue.ref_book()) == []  # fmt: skip


def test_every_ref_cell_of_the_samples_is_read(tmp_path: Path, catalogue: Catalogue) -> None:
    book = catalogue.ref_book()
    for path in write_samples(tmp_path):
        workbook = read_workbook(path, "xlsx")
        extraction = extract_workbook(workbook, path.name, book)
        assert unaccounted(workbook, extraction, extraction.problems, book) == [], path.name
        assert not [p for p in extraction.problems if p.severity == "error"], path.name


def test_the_check_finds_a_ref_cell_nothing_accounts_for(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    # Proves the check above can fail: the same sheet, with nothing read from it.
    book = catalogue.ref_book()
    [path, _] = write_samples(tmp_path)
    workbook = read_workbook(path, "xlsx")
    nothing = Extraction(format="xlsx")
    missed = unaccounted(workbook, nothing, [], book)
    assert "PSSP KPIs!B7 ('STS-K-009')" in missed
    assert len(missed) == 23
