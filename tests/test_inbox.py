"""The drop folder: what is taken, what is left alone, and names that try tricks."""

from __future__ import annotations

import hashlib
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
    ids=[
        "excel-owner",
        "libreoffice-lock",
        "tmp",
        "partial-download",
        "hidden",
        "xlsx",
        "xls",
        "csv",
    ],
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


def _reason(reason: str, name: str, sha256: str) -> str:
    return f"{reason}\n\nfile: {name}\nsha256: {sha256}\n"


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
    assert (inbox / "rejected" / "return.xlsx.reason.txt").read_text() == _reason(
        "Broken.", "return.xlsx", "a" * 64
    )
    assert (inbox / "rejected" / "return__bbbbbbbbbbbb.xlsx.reason.txt").read_text() == (
        _reason("Also broken.", "return.xlsx", "b" * 64)
    )
    assert sorted(p.name for p in (inbox / ".claimed").iterdir()) == []


def test_the_same_name_dropped_eight_times_makes_eight_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drops = [b"A", b"B", b"A", b"A", b"C", b"B", b"A", b"D"]
    with ClaimArea(inbox) as area:
        for content in drops:
            (inbox / "return.xlsx").write_bytes(content)
            claimed = area.claim(inbox / "return.xlsx")
            assert claimed is not None
            settle(claimed, inbox / "processed", hashlib.sha256(content).hexdigest())
    kept = {p.name: p.read_bytes() for p in (inbox / "processed").iterdir()}
    a, b = hashlib.sha256(b"A").hexdigest()[:12], hashlib.sha256(b"B").hexdigest()[:12]
    c = hashlib.sha256(b"C").hexdigest()[:12]
    d = hashlib.sha256(b"D").hexdigest()[:12]
    assert kept == {
        "return.xlsx": b"A",
        f"return__{b}.xlsx": b"B",
        f"return__{a}.xlsx": b"A",
        f"return__{a}-2.xlsx": b"A",
        f"return__{c}.xlsx": b"C",
        f"return__{b}-2.xlsx": b"B",
        f"return__{a}-3.xlsx": b"A",
        f"return__{d}.xlsx": b"D",
    }


def test_a_name_too_long_for_the_filesystem_is_shortened_deterministically(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    longest = os.pathconf(inbox, "PC_NAME_MAX")
    name = "é" + "x" * (longest - len(".xlsx") - 2) + ".xlsx"  # exactly the longest name
    assert len(os.fsencode(name)) == longest
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    kept = []
    with ClaimArea(inbox) as area:
        for content in (b"first", b"second"):
            (inbox / name).write_bytes(content)
            claimed = area.claim(inbox / name)
            assert claimed is not None
            sha = hashlib.sha256(content).hexdigest()
            kept.append(settle(claimed, inbox / "rejected", sha, reason="Broken."))
    first, second = kept
    room = longest - len(".reason.txt")
    assert first.name == name[: room - len(f"~{digest}.xlsx") - 1] + f"~{digest}.xlsx"
    assert len(os.fsencode(first.name)) == room
    sha = hashlib.sha256(b"second").hexdigest()
    assert second.name.endswith(f"~{digest}__{sha[:12]}.xlsx")
    assert len(os.fsencode(second.name)) == room
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
    reason = Path(f"{second}.reason.txt").read_text(encoding="utf-8")
    assert reason == _reason("Broken.", name, sha)


def test_a_move_cut_short_after_the_link_is_finished(tmp_path: Path) -> None:
    # A run killed between linking the file into processed/ and unlinking its
    # claim leaves it in both places; the next settle finishes, no second copy.
    inbox = tmp_path / "inbox"
    (inbox / "processed").mkdir(parents=True)
    with ClaimArea(inbox) as area:
        (inbox / "return.xlsx").write_bytes(b"bytes")
        claimed = area.claim(inbox / "return.xlsx")
        assert claimed is not None
        os.link(claimed, inbox / "processed" / "return.xlsx")
        moved = settle(claimed, inbox / "processed", "c" * 64)
    assert moved == inbox / "processed" / "return.xlsx"
    assert [p.name for p in (inbox / "processed").iterdir()] == ["return.xlsx"]
    assert not claimed.exists()


def test_a_folder_holding_a_file_keeps_its_lock_file_for_the_next_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"a")
    with ClaimArea(inbox) as area:
        area.claim(inbox / "a.xlsx")
        run_id = area.run_id
    claims = inbox / ".claimed"
    assert sorted(p.name for p in claims.iterdir()) == [run_id, f"{run_id}.lock"]
    with ClaimArea(inbox) as later:
        adopted = later.adopt_orphans()
        assert [p.name for p in adopted] == ["a.xlsx"]
        assert sorted(p.name for p in claims.iterdir()) == [later.run_id, f"{later.run_id}.lock"]
        settle(adopted[0], inbox / "processed", "d" * 64)
    assert list(claims.iterdir()) == []


def test_a_lock_less_claim_folder_of_an_older_version_is_adopted(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    stranded = inbox / ".claimed" / "4242-0ld0ld00"
    stranded.mkdir(parents=True)
    (stranded / "b.xlsx").write_bytes(b"b")
    (stranded / "a.xlsx").write_bytes(b"a")
    with ClaimArea(inbox) as area:
        adopted = area.adopt_orphans()
        assert [p.name for p in adopted] == ["a.xlsx", "b.xlsx"]
        assert [p.parent for p in adopted] == [area.folder, area.folder]
        assert not stranded.exists()
        assert not (inbox / ".claimed" / "4242-0ld0ld00.lock").exists()


def test_a_live_runs_claims_are_never_adopted(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"a")
    with ClaimArea(inbox) as busy:
        busy.claim(inbox / "a.xlsx")
        with ClaimArea(inbox) as other:
            assert other.adopt_orphans() == []
        assert (busy.folder / "a.xlsx").read_bytes() == b"a"
