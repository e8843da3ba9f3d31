"""The exceptions CSV: exact bytes, fixed columns, formula injection neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.records import ExceptionRecord
from reports import EXCEPTION_COLUMNS, ExceptionState, neutralise, write_exceptions_csv

RECORDS = [
    ExceptionRecord(
        code="below-target",
        severity="info",
        message="The supplier added a note.",
        file="r.xlsx",
        sheet="PSSP",
        cell="H4",
        value="Credit of £1,200 agreed",
        contract="PSSP",
        kpi_ref="STS1",
        period="2016-04",
    ),
    ExceptionRecord(
        code="formula-not-calculated",
        severity="error",
        message='Cell holds "=SUM(A1)" as text.',
        file="r.xlsx",
        sheet="ICT KPIs",
        cell="F7",
        value="=SUM(A1:A9)",
        contract="ICT",
        kpi_ref="10",
        period="2016-05",
        rule="a number between 0 and 100",
    ),
    ExceptionRecord(
        code="value-out-of-range",
        severity="error",
        message="A count cannot be negative.",
        file="r.xlsx",
        sheet="ICT KPIs",
        cell="F8",
        value="-1.5",
        contract="ICT",
        kpi_ref="2",
        period="2016-05",
        rule="0 or more",
    ),
    ExceptionRecord(
        code="summary-period-unknown",
        severity="warning",
        message="@mention, in a sheet name.",
        file="r.xlsx",
        sheet="\tNotes",
        value="+44 1733",
    ),
]

GOLDEN = (
    "\ufeff"
    "file,severity,code,contract,kpi_ref,period,sheet,cell,value,rule,message,state,"
    "review_note,short_id\r\n"
    "r.xlsx,error,value-out-of-range,ICT,2,2016-05,ICT KPIs,F8,'-1.5,0 or more,"
    "A count cannot be negative.,open,,SHORT0\r\n"
    "r.xlsx,error,formula-not-calculated,ICT,10,2016-05,ICT KPIs,F7,'=SUM(A1:A9),"
    'a number between 0 and 100,"Cell holds ""=SUM(A1)"" as text.",waived,'
    '"\'=HYPERLINK(""x"") agreed",SHORT1\r\n'
    "r.xlsx,warning,summary-period-unknown,,,,'\tNotes,,'+44 1733,,\"'@mention, in a sheet name.\","
    "open,,SHORT2\r\n"
    'r.xlsx,info,below-target,PSSP,STS1,2016-04,PSSP,H4,"Credit of £1,200 agreed",,'
    "The supplier added a note.,open,,SHORT3\r\n"
)
# The short id is the first 8 hex digits of each record's fingerprint.
for _n, _record in enumerate([RECORDS[2], RECORDS[1], RECORDS[3], RECORDS[0]]):
    GOLDEN = GOLDEN.replace(f"SHORT{_n}", _record.fingerprint[:8])

# A waiver carried over to the formula-not-calculated problem; its note is neutralised too.
STATES = {RECORDS[1].fingerprint: ExceptionState("waived", '=HYPERLINK("x") agreed', "Ann")}


def test_golden_text(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.csv"
    assert write_exceptions_csv(RECORDS, path, STATES) == 4
    assert path.read_bytes().decode("utf-8") == GOLDEN
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_columns_are_fixed() -> None:
    assert EXCEPTION_COLUMNS == (
        "file",
        "severity",
        "code",
        "contract",
        "kpi_ref",
        "period",
        "sheet",
        "cell",
        "value",
        "rule",
        "message",
        "state",
        "review_note",
        "short_id",
    )


def test_round_trip_reads_back_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.csv"
    write_exceptions_csv(RECORDS, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(EXCEPTION_COLUMNS)
    assert [r["value"] for r in rows] == [
        "'-1.5",
        "'=SUM(A1:A9)",
        "'+44 1733",
        "Credit of £1,200 agreed",
    ]


def test_empty_list_writes_header_only(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.csv"
    assert write_exceptions_csv([], path) == 0
    assert path.read_text(encoding="utf-8-sig") == ",".join(EXCEPTION_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1.5", "'-1.5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("92.5", "92.5"),
        ("a=b", "a=b"),
        ("", ""),
        ("'already", "'already"),
    ],
    ids=[
        "equals",
        "plus",
        "negative-number",
        "at",
        "tab",
        "carriage-return",
        "number",
        "equals-inside",
        "empty",
        "leading-quote",
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected
