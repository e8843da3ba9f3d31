"""Extract a file from disk: preflight in this process, parse in an isolated child.

Reading untrusted bytes happens in a child process with memory and time
limits, so a reader that aborts the interpreter (python-calamine on crafted
files), hangs or runs out of memory costs one rejection, never the run.
"""

from __future__ import annotations

from pathlib import Path

from core.checks import STYLES_UNAVAILABLE
from core.model import Extraction
from core.records import ExceptionRecord
from core.refs import RefBook
from core.sandbox import run_isolated
from extractors.extract import extract_workbook
from extractors.grid import Workbook
from extractors.preflight import DEFAULT_LIMITS, Limits, preflight
from extractors.readers import read_workbook

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3


def read_and_extract(
    path: str, fmt: str, file_name: str, book: RefBook | None = None
) -> Extraction:
    """Read a preflighted file and extract its tables (runs inside the child).

    Big sheets with no table header and no ref are not read (``only_tables``):
    the extraction is the same as from the whole workbook.
    """
    workbook = read_workbook(Path(path), fmt, only_tables=True, book=book)
    return extract_workbook(workbook, file_name, book)


def extract_file(
    path: Path,
    *,
    file_name: str | None = None,
    isolate: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    book: RefBook | None = None,
) -> Extraction:
    """Preflight, read and extract one file; raise ``UnreadableFile`` to refuse it.

    ``book`` holds the catalogue's refs (the bundled catalogue's when None).
    """
    name = file_name or path.name
    fmt, warnings = preflight(path)
    if isolate:
        extraction = run_isolated(
            read_and_extract,
            str(path),
            fmt,
            name,
            book,
            timeout_s=timeout_s,
            memory_bytes=memory_bytes,
        )
    else:
        extraction = read_and_extract(str(path), fmt, name, book)
    extraction.problems[:0] = [*warnings, *_styles_note(fmt, extraction.styles_available)]
    return extraction


def load_workbook_safely(
    path: str | Path, *, isolate: bool = True, limits: Limits = DEFAULT_LIMITS
) -> tuple[Workbook, list[ExceptionRecord]]:
    """Preflight and read every sheet of a file, without extracting; or raise ``UnreadableFile``.

    For callers that need the ``Workbook`` itself (the zoo test reads every
    sheet of every file with it). ``isolate=False`` reads in this process:
    only for files already known to be harmless, since calamine can abort the
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
    return workbook, [*warnings, *_styles_note(fmt, workbook.styles_available)]


def _styles_note(fmt: str, styles_available: bool) -> list[ExceptionRecord]:
    if styles_available:
        return []
    return [STYLES_UNAVAILABLE.record(fmt=fmt)]
