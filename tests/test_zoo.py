"""Every workbook of the zoo ends read or refused with a reason, never a crash.

The zoo (``../shared/workbook-zoo`` from the repository root, when present)
holds 132 odd, broken, hostile and password-protected files from the test
suite of calamine, the Rust spreadsheet reader; the two tests over all of it
skip without it. The named cases below use the copies in ``tests/data/zoo``
(``tests/data/README.md``) and always run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest

from core.catalogue import Catalogue
from core.errors import UnreadableFile
from extractors.extract import extract_workbook
from extractors.grid import Workbook
from tests.test_coverage import unaccounted
from tests.workbooks import read_isolated

ZOO = Path(__file__).resolve().parents[1].parent / "shared" / "workbook-zoo"
DATA = Path(__file__).resolve().parent / "data" / "zoo"
KEBAB = re.compile(r"^[a-z]+(-[a-z]+)*$")


def zoo_files() -> list[Path]:
    if not ZOO.is_dir():
        return []
    return sorted(p for p in ZOO.iterdir() if p.is_file() and not p.name.startswith("README"))


def outcome(path: Path) -> Workbook | UnreadableFile:
    try:
        workbook, _ = read_isolated(path)
    except UnreadableFile as refused:
        return refused
    return workbook


@pytest.mark.zoo
@pytest.mark.skipif(not ZOO.is_dir(), reason=f"the workbook zoo is not at {ZOO}")
def test_every_zoo_file_is_read_or_refused_with_a_reason(catalogue: Catalogue) -> None:
    me = os.getpid()
    files = zoo_files()
    assert len(files) >= 100
    times: list[tuple[float, str]] = []
    refused: dict[str, list[str]] = {}
    # Zero silent partial loads: a ref cell no figure or error accounts for.
    partial: dict[str, list[str]] = {}
    book = catalogue.ref_book()
    read = 0
    started = time.perf_counter()
    for path in files:
        t0 = time.perf_counter()
        result = outcome(path)
        elapsed = time.perf_counter() - t0
        times.append((elapsed, path.name))
        if isinstance(result, UnreadableFile):
            assert KEBAB.match(result.code), path.name
            assert result.reason.strip() and "\n" not in result.reason, path.name
            refused.setdefault(result.code, []).append(path.name)
            print(f"{elapsed * 1000:8.1f} ms  {path.name}: refused {result.code}: {result.reason}")
        else:
            read += 1
            # Extraction only walks the cells read in the capped child: safe here.
            extraction = extract_workbook(result, path.name, book)
            missed = unaccounted(result, extraction, extraction.problems, book)
            if missed:
                partial[path.name] = missed[:5]
            cells = sum(len(s.cells) for s in result.sheets)
            print(
                f"{elapsed * 1000:8.1f} ms  {path.name}: read {result.format}, "
                f"{len(result.sheets)} sheets, {cells} cells"
            )
    total = time.perf_counter() - started
    slowest = sorted(times, reverse=True)[:3]
    print(
        f"\n{len(files)} files in {total:.1f} s: {read} read; refused: "
        + ", ".join(f"{code} {len(names)}" for code, names in sorted(refused.items()))
    )
    print("slowest: " + ", ".join(f"{name} {t * 1000:.0f} ms" for t, name in slowest))
    assert os.getpid() == me
    assert read + sum(len(v) for v in refused.values()) == len(files)
    assert partial == {}
    assert total < 60.0


EXPECTED_REFUSALS = [
    ("pass_protected.xlsx", "password-protected"),
    ("pass_protected.xlsb", "password-protected"),
    ("pass_protected.ods", "password-protected"),
    ("issue_594_dos.ods", "too-large"),
    ("issue_174.xlsx", "too-large"),
    ("too_small.xls", "not-a-workbook"),
]


@pytest.mark.parametrize(("name", "code"), EXPECTED_REFUSALS, ids=[n for n, _ in EXPECTED_REFUSALS])
def test_known_hostile_files_are_refused(name: str, code: str) -> None:
    result = outcome(DATA / name)
    assert isinstance(result, UnreadableFile)
    assert result.code == code
    if code == "password-protected":
        assert "password-protected; send an unprotected copy" in result.reason


def test_xls_merged_ranges() -> None:
    result = outcome(DATA / "merge_cells.xls")
    assert isinstance(result, Workbook) and result.format == "xls"
    assert result.sheets[0].merged == [(1, 1, 1, 2), (2, 1, 4, 1), (2, 2, 4, 4)]
    assert result.styles_available is False


@pytest.mark.parametrize(
    "name", ["any_sheets.xls", "any_sheets.xlsb", "any_sheets.xlsx"], ids=["xls", "xlsb", "xlsx"]
)
def test_hidden_sheets_and_chartsheets(name: str) -> None:
    result = outcome(DATA / name)
    assert isinstance(result, Workbook)
    assert [(s.name, s.hidden) for s in result.sheets] == [
        ("Visible", False),
        ("Hidden", True),
        ("VeryHidden", True),
    ]


def test_xls_dates_are_datetimes() -> None:
    result = outcome(DATA / "date.xls")
    assert isinstance(result, Workbook)
    assert result.sheets[0].value(1, 1) == dt.datetime(2021, 1, 1)


@pytest.mark.parametrize(
    "name", ["strict_iso_paths.xlsx", "pivots.xlsx"], ids=["strict-open-xml", "pivot-tables"]
)
def test_openpyxl_failures_are_read_by_calamine(name: str) -> None:
    result = outcome(DATA / name)
    assert isinstance(result, Workbook)
    assert result.sheets and any(s.cells for s in result.sheets)
    assert result.styles_available is False


def test_ods_is_read() -> None:
    result = outcome(DATA / "merged_cells.ods")
    assert isinstance(result, Workbook) and result.format == "ods"
    assert result.sheets[0].value(1, 1) == "A"


def test_rust_panic_in_calamine_becomes_unreadable_workbook(tmp_path: Path) -> None:
    """A truncated .xls makes calamine panic (pyo3 PanicException, a BaseException)."""
    path = tmp_path / "cut-short.xls"
    path.write_bytes((DATA / "date.xls").read_bytes()[:946])
    result = outcome(path)
    assert isinstance(result, UnreadableFile)
    assert result.code == "unreadable-workbook"
    assert "PanicException" in result.reason


@pytest.mark.zoo
@pytest.mark.skipif(not ZOO.is_dir(), reason=f"the workbook zoo is not at {ZOO}")
def test_the_whole_zoo_through_the_pipeline(tmp_path: Path) -> None:
    """Every zoo file dropped in an inbox ends loaded or rejected, byte-identical, recorded."""
    import hashlib
    import shutil

    import sqlite_utils

    from flows.runner import run_once
    from flows.settings import Settings

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    digests = {}
    for path in zoo_files():
        copy = Path(shutil.copy2(path, inbox / path.name))
        digests[path.name] = hashlib.sha256(copy.read_bytes()).hexdigest()
    settings = Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "reports",
                        stable_seconds=0)  # fmt: skip

    started = time.perf_counter()
    result = run_once(settings)
    elapsed = time.perf_counter() - started
    print(f"zoo through the pipeline: {len(digests)} files in {elapsed:.1f} s")

    assert sorted(o.file_name for o in result.outcomes) == sorted(digests)
    ended = {p.name: p for folder in ("processed", "rejected")
             for p in (inbox / folder).glob("*") if not p.name.endswith(".reason.txt")}  # fmt: skip
    assert sorted(ended) == sorted(digests)
    for name, path in ended.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digests[name], name
    for outcome_ in result.outcomes:
        assert outcome_.status in ("loaded", "loaded_with_exceptions", "rejected", "duplicate")
        if outcome_.status == "rejected":
            reason = (inbox / "rejected" / f"{outcome_.file_name}.reason.txt").read_text()
            assert reason.splitlines()[0] == outcome_.reason and outcome_.reason, outcome_.file_name
    db = sqlite_utils.Database(settings.db)
    assert db.execute("SELECT count(*) FROM submissions").fetchone() == (len(digests),)
    assert elapsed < 60, "the issue asks for the whole zoo in under a minute"
