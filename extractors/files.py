"""Extract a file from disk: preflight in this process, parse in an isolated child.

Reading untrusted bytes happens in a child process with memory and time
limits, so a reader that aborts the interpreter (python-calamine on crafted
files), hangs or runs out of memory costs one rejection, never the run.
The caps (preflight's and the child's time and memory) come in one
``core.limits.Limits``; the run passes the one its settings make.
"""

from __future__ import annotations

from pathlib import Path

from core.checks import STYLES_UNAVAILABLE
from core.limits import DEFAULT_LIMITS, Limits
from core.model import Extraction
from core.records import ExceptionRecord
from core.refs import RefBook
from core.sandbox import Isolated, start_isolated
from extractors.extract import extract_workbook
from extractors.preflight import preflight
from extractors.readers import read_workbook


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
    limits: Limits = DEFAULT_LIMITS,
    book: RefBook | None = None,
) -> Extraction:
    """Preflight, read and extract one file; raise ``UnreadableFile`` to refuse it.

    ``book`` holds the catalogue's refs (the bundled catalogue's when None).
    """
    if isolate:
        pending = start_extract_file(path, file_name=file_name, limits=limits, book=book)
        return pending.result()
    fmt, warnings = preflight(path, limits)
    extraction = read_and_extract(str(path), fmt, file_name or path.name, book)
    extraction.problems[:0] = [*warnings, *_styles_note(fmt, extraction.styles_available)]
    return extraction


def start_extract_file(
    path: Path,
    *,
    file_name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    fork: bool = False,
    book: RefBook | None = None,
) -> PendingExtraction:
    """Preflight ``path`` and start reading it in the sandbox now; collect it with ``result()``.

    Never raises: a preflight refusal, or anything else that stops the read
    from starting, is raised by ``result()``, as ``extract_file`` raises it.
    ``fork``: see ``core.sandbox.start_isolated``.
    """
    name = file_name or path.name
    try:
        fmt, warnings = preflight(path, limits)
        isolated = start_isolated(
            read_and_extract, str(path), fmt, name, book, timeout_s=limits.reader_timeout_s,
            memory_bytes=limits.reader_memory_bytes, fork=fork,
        )  # fmt: skip
    except Exception as failure:
        return PendingExtraction(failure=failure)
    return PendingExtraction(isolated, fmt, warnings)


class PendingExtraction:
    """A file preflighted and being read in its sandboxed child."""

    def __init__(
        self,
        isolated: Isolated[Extraction] | None = None,
        fmt: str = "",
        warnings: list[ExceptionRecord] | None = None,
        *,
        failure: Exception | None = None,
    ) -> None:
        self._isolated, self._fmt, self._warnings = isolated, fmt, warnings or []
        self._failure = failure

    def result(self) -> Extraction:
        """Wait for the child; the extraction, or ``UnreadableFile`` (or what failed) raised."""
        if self._failure is not None:
            raise self._failure
        assert self._isolated is not None
        extraction = self._isolated.result()
        notes = _styles_note(self._fmt, extraction.styles_available)
        extraction.problems[:0] = [*self._warnings, *notes]
        return extraction

    def cancel(self) -> None:
        """Stop the read if it still runs; the file is left as it is."""
        if self._isolated is not None:
            self._isolated.cancel()


def _styles_note(fmt: str, styles_available: bool) -> list[ExceptionRecord]:
    if styles_available:
        return []
    return [STYLES_UNAVAILABLE.record(fmt=fmt)]
