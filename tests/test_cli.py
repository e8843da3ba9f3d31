"""The kpiflow command line: exact messages, exit statuses, lazy imports."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main
from tests.workbooks import ICT_HEADER, ict_row, write_table

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(*code: str) -> set[str]:
    script = "\n".join(
        ["import sys", *code, "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"]
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(done.stdout.split())


def test_help_lists_commands_and_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kpiflow [-h] COMMAND ...")
    for line in (
        "    run       process every ready file in the inbox (one Prefect flow run)",
        "    validate  check one file and say what a run would report; loads nothing",
        "  0  every file was loaded (with or without warnings)",
        "  1  a file was rejected, failed or has errors: read its report",
        "  2  usage or configuration error",
        "  3  the machine stopped the run (warehouse locked, read-only or full, a folder",
    ):
        assert line in out.splitlines()


def test_help_imports_neither_pandas_nor_prefect() -> None:
    loaded = _modules_after(
        "from flows.cli import main",
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    )
    assert {"pandas", "prefect", "openpyxl", "pandera"} & loaded == set()


def test_validate_never_imports_prefect(tmp_path: Path) -> None:
    path = write_table(tmp_path / "dec.xlsx", ICT_HEADER, [ict_row(7, 91)])
    loaded = _modules_after("from flows.cli import main", f"main(['validate', {str(path)!r}])")
    assert "prefect" not in loaded
    assert "pandera" in loaded


def test_validate_prints_every_exception(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_table(tmp_path / "dec.xlsx", ICT_HEADER, [ict_row(7, 58.89), ict_row(3, "tbc")])
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "dec.xlsx: 2 figures read from 1 tables; 1 errors, 20 warnings, 0 info",
        "error   value-unreadable             ICT KPIs!H5 [tbc]: The value 'tbc' for ICT KPI 3 "
        "for Dec-16 is neither a number nor a recognised marker.",
    ]
    assert (
        "warning kpi-failure                  ICT KPIs!H4 [58.89]: ICT KPI 7 was 58.89 in Dec-16: "
        "at or worse than the failure level (higher is better; target 90%)."
    ) in lines
    assert len(lines) == 1 + 21  # 19 catalogue KPIs missing from a two-KPI return


def test_validate_reports_a_refused_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == (
        "empty.xlsx: rejected: The file is empty (0 bytes), so the upload or copy probably "
        "failed; send it again.\n"
    )


def test_validate_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert capsys.readouterr().err == f"kpiflow: no such file: {tmp_path / 'nope.xlsx'}\n"


@pytest.mark.usefixtures("prefect_harness")
def test_run_status_and_history(
    tmp_path: Path, sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy2(sample_dir / "pssp_ict_annual_2016-17.xlsx", inbox)
    db = tmp_path / "kpi.db"
    args = ["--inbox", str(inbox), "--db", str(db), "--reports", str(tmp_path / "reports")]
    assert main(["run", *args, "--stable-seconds", "0"]) == 0
    out = capsys.readouterr().out
    report = tmp_path / "reports" / "pssp_ict_annual_2016-17-"
    assert out.splitlines()[0].split() == ["file", "status", "rows", "errors", "warnings", "report"]
    assert out.splitlines()[1].split()[:5] == [
        "pssp_ict_annual_2016-17.xlsx", "loaded_with_exceptions", "248", "0", "46",
    ]  # fmt: skip
    assert out.splitlines()[1].split()[5].startswith(str(report))
    assert out.splitlines()[2:4] == [f"Warehouse: {db}", f"Reports:   {tmp_path / 'reports'}"]
    [summary_line] = out.splitlines()[4:]
    summary = Path(summary_line.removeprefix("Summary:   "))
    assert summary.parent == tmp_path / "reports" and summary.name.startswith("run-")
    assert summary.is_file()

    assert main(["status", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "Runs",
        "  id  started                   files loaded rejected  dup ignored  err warn",
    ]
    assert lines[2].split()[2:] == ["1", "1", "0", "0", "0", "0", "46"]
    assert lines[3:6] == [
        "",
        "Submissions",
        "  id  processed                 status                   rows  err warn  file",
    ]
    assert lines[6].split()[2:] == [
        "loaded_with_exceptions", "248", "0", "46", "pssp_ict_annual_2016-17.xlsx",
    ]  # fmt: skip

    assert main(["history", "7", "--contract", "ICT", "--db", str(db)]) == 0
    history = capsys.readouterr().out.splitlines()
    assert len(history) == 3 + 7
    backup = tmp_path / "backup.db"
    assert main(["backup", str(backup), "--db", str(db)]) == 0
    assert capsys.readouterr().out == f"Backed up {db} to {backup}\n"
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT count(*) FROM measurements").fetchone() == (248,)
    copy.close()

    assert history[:3] == [
        "ICT 7: Fulfillment of priority 3 service requests (4 business days)",
        "monthly, percent, higher is better; target / detriment / failure 90% / 87% / 84%",
        "month    figure  target  status        #  file                          cell",
    ]
    assert history[5] == (
        "2016-12  58.89   90      failure       1  pssp_ict_annual_2016-17.xlsx  ICT KPIs!J11"
    )
