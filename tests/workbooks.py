"""Small real workbooks for tests, written with openpyxl."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from core.records import ExceptionRecord
from core.sandbox import run_isolated
from extractors.grid import Workbook as Grid
from extractors.preflight import DEFAULT_LIMITS, preflight
from extractors.readers import read_workbook


def write_table(
    path: Path,
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "ICT KPIs",
    title: str | None = "ICT KPI Performance",
) -> Path:
    """Write one table (optional title row, blank row, header, rows) and return the path."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


ICT_HEADER = ("Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
              "Target", "Detriment", "Failure", "Dec-16")  # fmt: skip


def ict_row(ref: Any, actual: Any, target: str = "90%", detriment: str = "87%",
            failure: str = "84%") -> tuple[Any, ...]:  # fmt: skip
    """One ICT KPI row for ``ICT_HEADER`` (a December 2016 figure)."""
    return ("ICT", ref, f"KPI {ref}", "Monthly", target, detriment, failure, actual)


def rewrite_package(
    source: Path,
    dest: Path,
    edit: Callable[[str, bytes], bytes],
    *,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Copy a zip package member by member through ``edit(name, data)``, adding ``extra``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, edit(item.filename, src.read(item.filename)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return dest


def ods_bytes(table_xml: str, sheet: str = "Returns") -> bytes:
    """A minimal OpenDocument spreadsheet whose one sheet holds ``table_xml``."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{table_xml}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"/>',
        )
        zf.writestr("content.xml", content)
    return out.getvalue()


def read_isolated(path: Path) -> tuple[Grid, list[ExceptionRecord]]:
    """Preflight a file and read every sheet in the sandbox, as the pipeline's parts do.

    For tests that look at the reader-neutral ``Workbook`` itself (merged
    ranges, hidden sheets, values) rather than at an extraction. Returns the
    workbook and preflight's warnings; raises ``UnreadableFile`` to refuse.
    """
    fmt, warnings = preflight(path)
    workbook = run_isolated(
        read_workbook,
        str(path),
        fmt,
        timeout_s=DEFAULT_LIMITS.reader_timeout_s,
        memory_bytes=DEFAULT_LIMITS.reader_memory_bytes,
    )
    return workbook, warnings


WASTE_CONTRACT = """
[contracts.WC]
description = "Waste collection"
aliases = ["Waste Collection", "Refuse and Recycling"]

[[kpi]]
contract = "WC"
ref = "WC-01"
service_area = "Collections"
description = "Bins collected on the scheduled day"
frequency = "monthly"
unit = "percent"
direction = "higher"
target = "99.5%"

[[kpi]]
contract = "WC"
ref = "WC-02"
service_area = "Collections"
description = "Days to replace a damaged bin"
frequency = "monthly"
unit = "days"
direction = "lower"
target = "5"
"""
"""A third contract, declared by catalogue alone: append it to a copy of the bundled one."""
