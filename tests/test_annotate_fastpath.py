"""The package editor's short cuts write what the long way writes, byte for byte."""

from __future__ import annotations

import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from reports import annotate_package as package
from reports.annotate import _marked, _note, _requests, review_sheet
from tests.test_annotate import RECORDS, build_workbook, record

BODY = b"<sst>" + b"".join(b"<si><t>text %d</t></si>" % i for i in range(400)) + b"</sst>"


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _copy_all(source: Path, dest: Path, *, raw: bool) -> list[bool]:
    """Copy every member the raw way (where it may) or the long way; which went raw."""
    went_raw = []
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            done = raw and package._copy_raw(src, info, out)
            if not done:
                package._copy_member(src, info, out)
            went_raw.append(done)
    return went_raw


def _source(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("xl/sharedStrings.xml", (2020, 1, 2, 3, 4, 6)), BODY,
                   compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        z.writestr("stored.bin", b"\x00\x01" * 300, compress_type=zipfile.ZIP_STORED)
        z.writestr("tight.xml", BODY, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        z.writestr("fast.xml", BODY, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        z.writestr("dossier/é.xml", BODY, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("folder/", b"")
    return path


def test_raw_copy_writes_the_long_ways_bytes(tmp_path: Path) -> None:
    # A member deflated as zipfile deflates (openpyxl's, the bench's) copies to the same bytes.
    source = _source(tmp_path / "source.zip")
    assert _copy_all(source, tmp_path / "raw.zip", raw=True) == [True] * 5 + [False]
    _copy_all(source, tmp_path / "long.zip", raw=False)
    raw, long = (tmp_path / "raw.zip").read_bytes(), (tmp_path / "long.zip").read_bytes()
    assert _members(tmp_path / "raw.zip") == _members(tmp_path / "long.zip")
    with zipfile.ZipFile(tmp_path / "raw.zip") as a, zipfile.ZipFile(tmp_path / "long.zip") as b:
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert (x.filename, x.date_time, x.compress_type, x.external_attr, x.CRC) == (
                y.filename, y.date_time, y.compress_type, y.external_attr, y.CRC,
            )  # fmt: skip
            assert a.testzip() is None
    # Another deflater's stream (here zlib's levels 1 and 9) is kept as it was: the
    # member is the same, its compressed bytes are the source's.
    assert raw != long
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(tmp_path / "raw.zip") as out:
        for name in ("tight.xml", "fast.xml"):
            assert out.getinfo(name).compress_size == src.getinfo(name).compress_size


def test_a_member_that_does_not_check_out_goes_the_long_way(tmp_path: Path) -> None:
    source = tmp_path / "bad.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", BODY)
    data = bytearray(source.read_bytes())
    # Flip one bit of the deflate stream: the CRC no longer matches what it inflates to.
    stream = data.index(zlib.compressobj(-1, zlib.DEFLATED, -15).compress(BODY)[:8])
    data[stream + 40] ^= 0x04
    source.write_bytes(bytes(data))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(tmp_path / "out.zip", "w") as out:
        assert package._copy_raw(src, src.getinfo("a.xml"), out) is False
        with pytest.raises((zipfile.BadZipFile, zlib.error)):
            package._copy_member(src, src.getinfo("a.xml"), out)


def _annotated(source: Path, dest: Path) -> dict[str, bytes]:
    records = [*RECORDS, record("error", "value-out-of-range", "C9")]
    package.annotate_package(source, dest, _requests(_marked(records)), fmt="xlsx", note=_note,
                             review=review_sheet(records, source.name))  # fmt: skip
    return _members(dest)


def test_the_replayed_edit_is_the_streamed_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One parse (the survey's events replayed) against two (the sheet streamed again).
    source = build_workbook(tmp_path / "kpis.xlsx")
    once = _annotated(source, tmp_path / "once.xlsx")
    monkeypatch.setattr(package, "_KEEP_BUDGET", 0)
    twice = _annotated(source, tmp_path / "twice.xlsx")
    assert once == twice
    assert once["xl/worksheets/sheet1.xml"] != _members(source)["xl/worksheets/sheet1.xml"]


@pytest.mark.parametrize("size", [0, 1, 5_000, 300_000])
def test_one_call_deflate_writes_what_zipfile_writes(tmp_path: Path, size: int) -> None:
    data = (BODY * (size // len(BODY) + 1))[:size]
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2021, 5, 6, 7, 8, 10))
    with zipfile.ZipFile(tmp_path / "ours.zip", "w") as out:
        assert package._deflate(out, package._fresh_info(info), data, zip64=False)
        assert package._deflate(out, package._fresh_info(zipfile.ZipInfo("new.xml")), data,
                                zip64=True)  # fmt: skip
    with zipfile.ZipFile(tmp_path / "theirs.zip", "w") as out:
        out.writestr(package._fresh_info(info), data)
        with out.open(package._fresh_info(zipfile.ZipInfo("new.xml")), "w",
                      force_zip64=True) as sink:  # fmt: skip
            for at in range(0, len(data), 7_000):
                sink.write(data[at : at + 7_000])
    assert (tmp_path / "ours.zip").read_bytes() == (tmp_path / "theirs.zip").read_bytes()


def test_a_member_that_inflates_past_its_size_is_not_inflated_whole(tmp_path: Path) -> None:
    # A directory that understates a member's size (a bomb's trick): the check stops
    # at the stated size and leaves the member to zipfile's reader, which refuses it.
    source = tmp_path / "bomb.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", b"\x00" * 5_000_000)
    with zipfile.ZipFile(source) as src:
        info = src.getinfo("a.xml")
        info.file_size = 1000
        assert src.fp is not None
        tracemalloc.start()
        try:
            assert package._raw_member(src.fp, info) is None
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1_000_000
        with zipfile.ZipFile(tmp_path / "out.zip", "w") as out:
            assert package._copy_raw(src, info, out) is False
            with pytest.raises(zipfile.BadZipFile):
                package._copy_member(src, info, out)


def test_zipfiles_writer_internals_are_all_there(tmp_path: Path) -> None:
    # Were one gone (a newer Python), copies would silently take the slow way.
    with zipfile.ZipFile(tmp_path / "probe.zip", "w") as out:
        missing = [name for name in package.ZIP_WRITER_INTERNALS if not hasattr(out, name)]
    assert missing == []
    assert hasattr(zipfile.ZipInfo, "FileHeader")
