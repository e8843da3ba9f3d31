"""Load one untrusted file safely: preflight here, read in a sandboxed child.

``load_workbook_safely`` is what a caller that only needs the ``Workbook``
uses; ``extractors.files.extract_file`` does the same and also extracts in
the child.
"""

from __future__ import annotations

from pathlib import Path

from extractors.grid import Workbook
from extractors.preflight import DEFAULT_LIMITS, Limits, preflight
from extractors.readers import read_workbook
from extractors.sandbox import run_isolated
from schemas.records import ExceptionRecord


def load_workbook_safely(
    path: str | Path, *, isolate: bool = True, limits: Limits = DEFAULT_LIMITS
) -> tuple[Workbook, list[ExceptionRecord]]:
    """Return the file's ``Workbook`` and its warnings, or raise ``UnreadableFile``.

    ``isolate=False`` reads in this process: only for files already known to
    be harmless (tests, the bundled samples), since calamine can abort the
    interpreter on crafted files.
    """
    p = Path(path)
    fmt, warnings = preflight(p, limits)
    if isolate:
        workbook = run_isolated(
            read_workbook,
            str(p),
            fmt,
            timeout_s=limits.reader_timeout_s,
            memory_bytes=limits.reader_memory_bytes,
        )
    else:
        workbook = read_workbook(p, fmt)
    records = list(warnings)
    if not workbook.styles_available:
        records.append(
            ExceptionRecord(
                code="styles-unavailable",
                severity="info",
                message=(
                    f"Colours were not available for this .{fmt} file; supplier colour "
                    "checks were skipped."
                ),
                file=p.name,
            )
        )
    return workbook, records
