"""Preflight refuses hostile and broken files quickly, with a plain reason.

Every hostile file is built here with zipfile/openpyxl/msoffcrypto-tool.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from core.errors import UnreadableFile
from extractors.preflight import PROTECTED_REASON, Limits, preflight
from tests.workbooks import ods_bytes

KEBAB = re.compile(r"^[a-z]+(-[a-z]+)*$")


def xlsx_bytes(**cells: object) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KPIs"
    for ref, value in (cells or {"A1": "KPI", "B1": 95.5}).items():
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info))
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
        for name, body in replace.items():
            if name not in src.namelist():
                dst.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_xml(dimension: str = "A1:B2", extra: str = "", rows: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData>{extra}</worksheet>'
    ).encode()


def with_sheet(xml: bytes) -> bytes:
    return rezip(xlsx_bytes(), {"xl/worksheets/sheet1.xml": xml})


def understated_size() -> bytes:
    """A zip whose directory says sheet1.xml is smaller than it is."""
    data = bytearray(xlsx_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    name = info.filename.encode()
    # (header signature, offset of its uncompressed size, offset of its file name)
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, info.file_size - 40)
            at = data.find(signature, at + 4)
    return bytes(data)


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
        f'{entities}]>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return rezip(xlsx_bytes(), {"xl/sharedStrings.xml": xml.encode()})


def utf16_doctype() -> bytes:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><sst/>'
    return rezip(xlsx_bytes(), {"xl/sharedStrings.xml": xml.encode("utf-16")})


def encrypted() -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx_bytes())).encrypt("secret", out)
    return out.getvalue()


def ods(content: str) -> bytes:
    return ods_bytes(content)


ODS_REPEATED_CONTENT = (
    '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
    'table:number-columns-repeated="1000" office:value-type="string"><text:p>X</text:p>'
    "</table:table-cell></table:table-row>"
)
# What LibreOffice writes for a small sheet: the empty remainder as huge repeats.
ODS_LIBREOFFICE_STYLE = (
    '<table:table-column table:number-columns-repeated="16384"/>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>KPI</text:p>'
    '</table:table-cell><table:table-cell table:number-columns-repeated="16383"/>'
    '</table:table-row><table:table-row table:number-rows-repeated="1048575">'
    '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
)


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def many_members() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(50):
            zf.writestr(f"x/{i}.xml", "<a/>")
    return out.getvalue()


def ratio_bomb_small() -> bytes:
    """A 2 MB part of zeros: under the total cap, over the ratio cap."""
    return rezip(xlsx_bytes(), {"xl/media/padding.bin": bytes(2 * 1024 * 1024)})


def merged_everything() -> bytes:
    return with_sheet(
        sheet_xml(extra='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
    )


HOSTILE: list[tuple[str, str, Callable[[], bytes], str, Limits]] = [
    # (id, file name, builder, expected code, limits)
    ("zero-byte", "return.xlsx", lambda: b"", "empty-file", Limits()),
    ("truncated-zip", "return.xlsx", lambda: xlsx_bytes()[:-200], "corrupt-package", Limits()),
    ("half-a-zip", "return.xlsx", lambda: xlsx_bytes()[:2000], "corrupt-package", Limits()),
    ("understated-size-bad-crc", "return.xlsx", understated_size, "corrupt-package", Limits()),
    (
        "html-saved-as-xlsx",
        "return.xlsx",
        lambda: b"<html><body><table><tr><td>KPI</td></tr></table></body></html>",
        "not-a-workbook",
        Limits(),
    ),
    ("word-document", "return.xlsx", docx, "not-a-workbook", Limits()),
    ("pdf", "return.xls", lambda: b"%PDF-1.4\n\x00\x01\x02binary", "not-a-workbook", Limits()),
    ("billion-laughs", "return.xlsx", billion_laughs, "xml-entities", Limits()),
    ("doctype-utf16", "return.xlsx", utf16_doctype, "xml-entities", Limits()),
    (
        "dimension-whole-sheet",
        "return.xlsx",
        lambda: with_sheet(sheet_xml("A1:XFD1048576")),
        "too-large",
        Limits(),
    ),
    (
        "dimension-million-rows",
        "return.xlsx",
        lambda: with_sheet(sheet_xml("A1:B1048576")),
        "too-large",
        Limits(),
    ),
    ("merged-whole-sheet", "return.xlsx", merged_everything, "too-large", Limits()),
    (
        "ods-repeated-content",
        "return.ods",
        lambda: ods(ODS_REPEATED_CONTENT),
        "too-large",
        Limits(),
    ),
    ("encrypted", "return.xlsx", encrypted, "password-protected", Limits()),
    ("file-over-size-cap", "return.xlsx", xlsx_bytes, "too-large", Limits(max_file_bytes=1000)),
    ("too-many-parts", "return.xlsx", many_members, "zip-bomb", Limits(max_zip_members=20)),
    ("ratio-bomb", "return.xlsx", ratio_bomb_small, "zip-bomb", Limits()),
    ("csv-too-many-rows", "return.csv", lambda: b"a,b\n" * 300, "too-large", Limits(max_rows=100)),
]


@pytest.mark.parametrize(
    ("name", "build", "code", "limits"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_is_refused(
    tmp_path: Path, name: str, build: Callable[[], bytes], code: str, limits: Limits
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        preflight(path, limits)
    assert time.perf_counter() - started < 1.0
    assert caught.value.code == code
    reason = caught.value.reason
    assert KEBAB.match(caught.value.code)
    assert reason[0].isupper() and reason.endswith(".") and "\n" not in reason
    assert "Traceback" not in reason


def test_encrypted_reason_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(encrypted())
    with pytest.raises(UnreadableFile) as caught:
        preflight(path)
    assert caught.value.code == "password-protected"
    assert "password-protected; send an unprotected copy" in caught.value.reason
    assert caught.value.reason == PROTECTED_REASON


@pytest.mark.parametrize(
    ("make", "cause"),
    [(lambda p: None, "No such file or directory"), (Path.mkdir, "Is a directory")],
    ids=["vanished", "a-folder"],
)
def test_a_file_that_cannot_be_opened_is_refused_saying_why(
    tmp_path: Path, make: Callable[[Path], None], cause: str
) -> None:
    # A file taken from the inbox can vanish, or turn out to be a folder named .xlsx.
    path = tmp_path / "return.xlsx"
    make(path)
    with pytest.raises(UnreadableFile) as caught:
        preflight(path)
    assert (caught.value.code, caught.value.reason) == (
        "unreadable-file",
        f"The file could not be opened: {cause}.",
    )


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 MB of zeros as sheet1.xml, compressed to about 300 KB (streamed)."""
    path = tmp_path_factory.mktemp("bomb") / "return.xlsx"
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info, source.read(info))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            zeros = bytes(1024 * 1024)
            for _ in range(300):
                fh.write(zeros)
    return path


def test_zip_bomb_is_refused_fast(zip_bomb: Path) -> None:
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        preflight(zip_bomb)
    elapsed = time.perf_counter() - started
    assert caught.value.code == "zip-bomb"
    assert elapsed < 1.0, f"preflight of the bomb took {elapsed:.2f} s"
    print(f"zip bomb refused in {elapsed * 1000:.1f} ms")


def test_zip_bomb_under_total_cap_is_refused_by_ratio(zip_bomb: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        preflight(zip_bomb, Limits(max_total_uncompressed_bytes=10**12))
    assert caught.value.code == "zip-bomb"
    assert "times" in caught.value.reason


ACCEPTED: list[tuple[str, str, Callable[[], bytes], str]] = [
    ("plain-xlsx", "return.xlsx", xlsx_bytes, "xlsx"),
    (
        "call-log-dimension-100k-x-20",
        "calls.xlsx",
        lambda: with_sheet(sheet_xml("A1:T100001")),
        "xlsx",
    ),
    ("one-full-row", "wide.xlsx", lambda: with_sheet(sheet_xml("A1:XFD1")), "xlsx"),
    (
        "small-merges",
        "merged.xlsx",
        lambda: with_sheet(
            sheet_xml(
                extra='<mergeCells count="2"><mergeCell ref="A1:C1"/>'
                '<mergeCell ref="A2:A9"/></mergeCells>'
            )
        ),
        "xlsx",
    ),
    ("ods-libreoffice-repeats", "return.ods", lambda: ods(ODS_LIBREOFFICE_STYLE), "ods"),
    ("csv", "return.csv", lambda: "KPI,Cost\nRepairs,£12\n".encode("cp1252"), "csv"),
]


@pytest.mark.parametrize(
    ("name", "build", "fmt"), [a[1:] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED]
)
def test_ordinary_file_passes(
    tmp_path: Path, name: str, build: Callable[[], bytes], fmt: str
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    assert preflight(path) == (fmt, [])


def test_mismatched_extension_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "June.xls"
    path.write_bytes(xlsx_bytes())
    fmt, warnings = preflight(path)
    assert fmt == "xlsx"
    assert [(w.code, w.severity) for w in warnings] == [("format-mismatch", "warning")]


def test_limits_are_one_frozen_dataclass() -> None:
    limits = Limits()
    with pytest.raises(AttributeError):
        limits.max_rows = 5  # type: ignore[misc]
    assert limits.max_rows >= 100_001 and limits.max_cells >= 100_001 * 20
    assert limits.max_cells < 1_048_576 * 16_384
