"""Extract a file from disk: preflight in this process, parse in an isolated child.

Reading untrusted bytes happens in a child process with memory and time
limits, so a reader that aborts the interpreter (python-calamine on crafted
files), hangs or runs out of memory costs one rejection, never the run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from extractors.errors import UnreadableFile
from extractors.extract import extract_workbook
from extractors.model import Extraction
from extractors.preflight import preflight
from extractors.readers import read_workbook
from extractors.sandbox import start_isolated
from schemas.records import ExceptionRecord

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3


def read_and_extract(path: str, fmt: str, file_name: str) -> Extraction:
    """Read a preflighted file and extract its tables (runs inside the child).

    Big sheets with no table header are not read (``only_tables``): the
    extraction is the same as from the whole workbook.
    """
    return extract_workbook(read_workbook(Path(path), fmt, only_tables=True), file_name)


def extract_file(
    path: Path,
    *,
    file_name: str | None = None,
    isolate: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> Extraction:
    """Preflight, read and extract one file; raise ``UnreadableFile`` to refuse it."""
    if isolate:
        finish = start_extract_file(
            path, file_name=file_name, timeout_s=timeout_s, memory_bytes=memory_bytes
        )
        return finish()
    fmt, warnings = preflight(path)
    extraction = read_and_extract(str(path), fmt, file_name or path.name)
    extraction.problems[:0] = [*warnings, *_styles_note(fmt, extraction.styles_available)]
    return extraction


def start_extract_file(
    path: Path,
    *,
    file_name: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    fork: bool = False,
) -> Callable[[], Extraction]:
    """Preflight ``path`` and start reading it in the sandbox now; return what waits for it.

    The returned function gives the extraction, or raises ``UnreadableFile``
    (a preflight refusal included) as ``extract_file`` does. ``fork``: see
    ``extractors.sandbox.start_isolated``.
    """
    name = file_name or path.name
    try:
        fmt, warnings = preflight(path)
    except UnreadableFile as refused:
        return functools.partial(_raise, refused)
    pending = start_isolated(
        read_and_extract, str(path), fmt, name,
        timeout_s=timeout_s, memory_bytes=memory_bytes, fork=fork,
    )  # fmt: skip

    def finish() -> Extraction:
        extraction = pending.result()
        extraction.problems[:0] = [*warnings, *_styles_note(fmt, extraction.styles_available)]
        return extraction

    return finish


def _raise(refusal: UnreadableFile) -> Extraction:
    raise refusal


def _styles_note(fmt: str, styles_available: bool) -> list[ExceptionRecord]:
    if styles_available:
        return []
    return [
        ExceptionRecord(
            "styles-unavailable",
            "info",
            f"Colours were not available for this .{fmt} file; the supplier's colour "
            "coding was not checked.",
        )
    ]
