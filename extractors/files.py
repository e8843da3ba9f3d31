"""Extract a file from disk: preflight in this process, parse in an isolated child.

Reading untrusted bytes happens in a child process with memory and time
limits, so a reader that aborts the interpreter (python-calamine on crafted
files), hangs or runs out of memory costs one rejection, never the run.
"""

from __future__ import annotations

from pathlib import Path

from extractors.extract import extract_workbook
from extractors.model import Extraction
from extractors.preflight import preflight
from extractors.readers import read_workbook
from extractors.sandbox import run_isolated
from schemas.records import ExceptionRecord

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3


def start_reader() -> None:
    """Start the reader processes' forkserver now; it loads its modules meanwhile.

    The forkserver is a fresh interpreter that imports openpyxl and calamine
    (0.2 s here) before it can fork a reader. Started first thing, it does
    that on the other core while the caller imports pandas and pandera, so a
    one-file ``kpiflow validate`` does not wait for it. Harmless when it is
    already running.
    """
    from multiprocessing import forkserver

    from extractors.sandbox import _context

    _context()  # the preload list and the main-module patch, as run_isolated sets them
    forkserver.ensure_running()


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
    name = file_name or path.name
    fmt, warnings = preflight(path)
    if isolate:
        extraction = run_isolated(
            read_and_extract, str(path), fmt, name, timeout_s=timeout_s, memory_bytes=memory_bytes
        )
    else:
        extraction = read_and_extract(str(path), fmt, name)
    notes = list(warnings)
    if not extraction.styles_available:
        notes.append(
            ExceptionRecord(
                "styles-unavailable",
                "info",
                f"Colours were not available for this .{fmt} file; the supplier's colour "
                "coding was not checked.",
            )
        )
    extraction.problems[:0] = notes
    return extraction
