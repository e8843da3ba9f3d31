"""Format sniffing: decided by content, never by the file name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from extractors.formats import extension_format, format_mismatch, sniff

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "KPI"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(
    data: bytes,
    *,
    drop: frozenset[str] = frozenset(),
    add: dict[str, bytes] | None = None,
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """Copy a zip, dropping, replacing and adding members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = (replace or {}).get(info.filename, src.read(info))
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
        for name, body in (add or {}).items():
            dst.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xlsm_bytes() -> bytes:
    data = xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    return rezip(
        data,
        replace={"[Content_Types].xml": types},
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0fake-vba"},
    )


def xlsb_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="x"><Override PartName="/xl/workbook.bin" '
            'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


def ods_bytes(mimetype: str = ODS_MIMETYPE, manifest_extra: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", mimetype, zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/manifest.xml",
            f'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            f'manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">'
            f"{manifest_extra}</manifest:file-entry></manifest:manifest>",
        )
        zf.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def encrypted_bytes() -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx_bytes())).encrypt("secret", out)
    return out.getvalue()


def literal(data: bytes) -> Callable[[], bytes]:
    return lambda: data


CASES: list[tuple[str, str, Callable[[], bytes], str]] = [
    # (id, file name, content builder, expected format)
    ("xlsx", "return.xlsx", xlsx_bytes, "xlsx"),
    ("xlsx-named-xls", "return.xls", xlsx_bytes, "xlsx"),
    ("xlsx-no-extension", "return", xlsx_bytes, "xlsx"),
    ("xlsm", "return.xlsm", xlsm_bytes, "xlsm"),
    ("xlsb", "return.xlsb", xlsb_bytes, "xlsb"),
    ("ods", "return.ods", ods_bytes, "ods"),
    (
        "ods-encrypted",
        "return.ods",
        lambda: ods_bytes(manifest_extra="<manifest:encryption-data/>"),
        "encrypted",
    ),
    (
        "odt-not-spreadsheet",
        "letter.ods",
        lambda: ods_bytes("application/vnd.oasis.opendocument.text"),
        "unknown",
    ),
    ("docx-named-xlsx", "letter.xlsx", docx_bytes, "unknown"),
    ("encrypted-ooxml", "return.xlsx", encrypted_bytes, "encrypted"),
    ("truncated-zip", "return.xlsx", lambda: xlsx_bytes()[:900], "unknown"),
    ("empty", "return.xlsx", literal(b""), "empty"),
    ("csv-utf8", "return.csv", literal(b"KPI,Actual\nTime to answer,95%\n"), "csv"),
    ("csv-utf8-bom", "return.csv", literal("\ufeffKPI;Actual\nCafé;1\n".encode()), "csv"),
    ("csv-cp1252", "return.csv", literal("KPI,Cost\nRepairs,£12\n".encode("cp1252")), "csv"),
    ("csv-utf16", "return.txt", literal("KPI\tActual\nA\t1\n".encode("utf-16")), "csv"),
    ("csv-named-xlsx", "return.xlsx", literal(b"a,b\n1,2\n"), "csv"),
    (
        "html-saved-as-xlsx",
        "return.xlsx",
        literal(b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>"),
        "html",
    ),
    ("html-table-only", "return.xls", literal(b"\n  <table><tr><td>KPI</td></tr></table>"), "html"),
    (
        "xml-2003-spreadsheet",
        "return.xls",
        literal(
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
            b'spreadsheet"><Data>1,2</Data></Workbook>'
        ),
        "unknown",
    ),
    (
        "pdf",
        "return.xlsx",
        literal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>>\x00\x01"),
        "unknown",
    ),
    ("text-without-columns", "return.xls", literal(b"Attachment not found!\n"), "unknown"),
    ("binary-noise", "return.xls", literal(bytes(range(256)) * 4), "unknown"),
]


@pytest.mark.parametrize(
    ("name", "build", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_sniff_by_content(
    tmp_path: Path, name: str, build: Callable[[], bytes], expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    assert sniff(path) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.xlsx", "xlsx"),
        ("A.XLSM", "xlsm"),
        ("a.xltx", "xlsx"),
        ("a.xls", "xls"),
        ("a.xlsb", "xlsb"),
        ("a.ods", "ods"),
        ("a.csv", "csv"),
        ("a.txt", "csv"),
        ("a.html", "html"),
        ("a.pdf", "unknown"),
        ("noext", "unknown"),
    ],
    ids=[
        "xlsx",
        "upper-case",
        "template",
        "xls",
        "xlsb",
        "ods",
        "csv",
        "txt",
        "html",
        "pdf",
        "none",
    ],
)
def test_extension_format(name: str, expected: str) -> None:
    assert extension_format(name) == expected


def test_mismatch_warning_names_both_formats() -> None:
    record = format_mismatch("June return.xls", "xlsx")
    assert record is not None
    assert (record.code, record.severity, record.file) == (
        "format-mismatch",
        "warning",
        "June return.xls",
    )
    assert ".xls" in record.message and ".xlsx" in record.message
    assert record.message.endswith(".")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.xlsx", "xlsx"), ("a.txt", "csv"), ("a.xlsx", "encrypted"), ("a.xlsx", "unknown")],
    ids=["same", "txt-is-csv", "encrypted-is-refused-anyway", "unknown"],
)
def test_no_mismatch_warning(name: str, fmt: str) -> None:
    assert format_mismatch(name, fmt) is None


def test_mismatch_warning_without_extension() -> None:
    record = format_mismatch("return", "xlsx")
    assert record is not None and "does not say" in record.message
