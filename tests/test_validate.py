"""``kpiflow validate --format json`` and ``--html``: what a run would say, for tools and people."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flows.cli import main
from tests.planted import REFUSED, write_planted_return
from tests.workbooks import ICT_HEADER, ict_row, write_table


def test_json_document_for_a_return_with_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_table(tmp_path / "dec.xlsx", ICT_HEADER, [ict_row(7, 58.89), ict_row(3, "tbc")])
    assert main(["validate", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == [
        "file",
        "format",
        "valid",
        "status",
        "rejection",
        "counts",
        "figures",
        "exceptions",
    ]
    assert (doc["file"], doc["format"], doc["valid"], doc["status"], doc["rejection"]) == (
        "dec.xlsx",
        "xlsx",
        False,
        "loaded_with_exceptions",
        None,
    )
    assert doc["counts"] == {"error": 1, "warning": 20, "info": 0}
    figures = doc["figures"]
    assert (figures["read"], figures["loadable"], figures["refused"]) == (2, 1, 1)
    assert figures["items"][0] == {
        "contract": "ICT", "kpi_ref": "7", "period": "2016-12", "actual": 58.89,
        "marker": None, "raw": "58.89", "target": 90.0, "status": "failure",
        "supplier_status": None, "sheet": "ICT KPIs", "cell": "H4", "refused": False,
    }  # fmt: skip
    assert doc["exceptions"][0] == {
        "severity": "error", "code": "value-unreadable", "contract": "ICT", "kpi_ref": "3",
        "period": "2016-12", "sheet": "ICT KPIs", "cell": "H5", "value": "tbc",
        "rule": "a number or a recognised marker (e.g. 'Not Measurable', 'N/A', 'No Data')",
        "message": "The value 'tbc' for ICT KPI 3 for Dec-16 is neither a number nor a "
        "recognised marker.",
    }  # fmt: skip
    failure = next(e for e in doc["exceptions"] if e["code"] == "kpi-failure")
    assert failure["rule"] == "at least 90 %; 87 % or less is a detriment, 84 % or less a failure"


def test_json_for_a_clean_return_is_valid(
    tmp_path: Path, sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(sample_dir / "pssp_ict_annual_2016-17.xlsx"),
                 "--format", "json"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert (doc["valid"], doc["counts"], doc["figures"]["read"], doc["figures"]["loadable"]) == (
        True,
        {"error": 0, "warning": 46, "info": 2},
        248,
        248,
    )


def test_json_for_a_rejected_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert main(["validate", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["valid"], doc["status"], doc["rejection"]["code"]) == (
        False,
        "rejected",
        "empty-file",
    )
    assert doc["figures"] == {"read": 0, "loadable": 0, "refused": 0, "items": []}
    assert [e["code"] for e in doc["exceptions"]] == ["empty-file"]


def test_html_is_the_report_a_run_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No warehouse yet: the report still renders, with no history.
    monkeypatch.setenv("KPIFLOW_DB", str(tmp_path / "none.db"))
    path = write_planted_return(tmp_path)
    out = tmp_path / "out" / "report.html"
    assert main(["validate", str(path), "--html", str(out), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["figures"]["refused"] == len(REFUSED) == 8
    assert {f"{e['sheet']}!{e['cell']}" for e in doc["exceptions"] if e["severity"] == "error"} == (
        set(REFUSED)
    )
    html = out.read_text(encoding="utf-8")
    assert "<title>KPI return check: pssp_ict_2017-09.xlsx</title>" in html
    assert "35 of 43 figures were loaded; 8 were refused" in html
    assert html.count('<td class="cell refused"') == 7  # the duplicate is one cell
    assert not (tmp_path / "none.db").exists()


def test_text_output_names_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_table(tmp_path / "dec.xlsx", ICT_HEADER, [ict_row(7, 91)])
    out = tmp_path / "dec.html"
    main(["validate", str(path), "--html", str(out)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Report: {out}"
    assert re.match(r"dec\.xlsx: 1 figures read from 1 tables; 0 errors, \d+ warnings", lines[1])
    assert out.is_file()
