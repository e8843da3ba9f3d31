"""The drop folder: what is taken, what is left alone, and names that try tricks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.inbox import ClaimArea, is_ignored_name, safe_stem, scan_inbox, settle


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("~$PSSP return.xlsx", True),
        (".~lock.PSSP return.xlsx#", True),
        ("upload.tmp", True),
        ("report.xlsx.crdownload", True),
        (".DS_Store", True),
        ("PSSP return.xlsx", False),
        ("ICT return May.xls", False),
        ("returns.csv", False),
    ],
    ids=["excel-owner", "libreoffice-lock", "tmp", "partial-download", "hidden", "xlsx", "xls",
         "csv"],
)
def test_ignored_names(name: str, ignored: bool) -> None:
    assert is_ignored_name(name) is ignored


def test_scan_takes_stable_files_oldest_first(tmp_path: Path) -> None:
    now = 1_700_000_000.0
    for name, age in (("b.xlsx", 100), ("a.xlsx", 50), ("fresh.xlsx", 2), ("~$a.xlsx", 100)):
        path = tmp_path / name
        path.write_bytes(b"x")
        os.utime(path, (now - age, now - age))
    (tmp_path / "processed").mkdir()
    found = [(c.path.name, c.take, c.why_not) for c in scan_inbox(tmp_path, 5, now=now)]
    assert found == [
        ("b.xlsx", True, ""),
        ("~$a.xlsx", False, "ignored (temporary or hidden)"),
        ("a.xlsx", True, ""),
        ("fresh.xlsx", False, "still being written"),
    ]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("PSSP return July 2017.xlsx", "PSSP_return_July_2017"),
        ("../../etc/passwd.xlsx", "passwd"),
        ("..\\..\\windows\\evil.xlsx", "evil"),
        ("<img src=x onerror=alert(1)>.xlsx", "img_src_x_onerror_alert_1"),
        ("line\nbreak.xlsx", "line_break"),
        ("....xlsx", "file"),
    ],
    ids=["plain", "posix-traversal", "windows-traversal", "html", "newline", "dots-only"],
)
def test_report_names_are_safe(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_settle_never_overwrites_and_keeps_bytes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with ClaimArea(inbox) as area:
        first = inbox / "return.xlsx"
        first.write_bytes(b"first")
        moved = settle(area.claim(first), inbox / "rejected", "a" * 64, reason="Broken.")  # type: ignore[arg-type]
        second = inbox / "return.xlsx"
        second.write_bytes(b"second")
        again = settle(area.claim(second), inbox / "rejected", "b" * 64, reason="Also broken.")  # type: ignore[arg-type]
    assert (moved.name, moved.read_bytes()) == ("return.xlsx", b"first")
    assert (again.name, again.read_bytes()) == ("return__bbbbbbbbbbbb.xlsx", b"second")
    assert (inbox / "rejected" / "return.xlsx.reason.txt").read_text() == "Broken.\n"
    assert (inbox / "rejected" / "return__bbbbbbbbbbbb.xlsx.reason.txt").read_text() == (
        "Also broken.\n"
    )
    assert sorted(p.name for p in (inbox / ".claimed").iterdir()) == []
