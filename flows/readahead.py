"""Read the next file of a run while the current one is checked, loaded and reported.

A file's reading happens in a child process (``core.sandbox``) while
the run waits; the checks, the reports and the load that follow run in this
process. With two cores the next file's child can read while this process
works on the current one, so a run of many returns costs about the larger of
the two, not their sum. Reading ahead only reads: the file stays claimed and
untouched, and a run killed meanwhile loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from core.model import Extraction
from core.refs import RefBook
from extractors import extract_file
from flows.settings import Settings

ReadFile = Callable[[Path, str, Settings, RefBook], Extraction]
"""Read one file: (claimed path, the name it arrived under, settings, the catalogue's refs)."""


def read_file(path: Path, name: str, settings: Settings, book: RefBook) -> Extraction:
    """Preflight, read (isolated, with the settings' caps) and extract one file."""
    return extract_file(
        path,
        file_name=name,
        timeout_s=settings.reader_timeout,
        memory_bytes=settings.reader_memory_mb * 1024 * 1024,
        book=book,
    )


class ReadAhead:
    """``read_file`` with one file read ahead in a background thread.

    ``start`` begins reading a file; ``__call__`` (same signature as
    ``read_file``) returns its extraction, or raises what reading it raised,
    reading it now if it was not started.
    """

    def __init__(self, book: RefBook) -> None:
        self._book = book
        # One thread: it only waits on a reader process, whose work is the
        # one thing worth overlapping.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpiflow-read-ahead")
        self._started: dict[tuple[Path, str], Future[Extraction]] = {}

    def start(self, path: Path, name: str, settings: Settings) -> None:
        """Begin reading ``path`` in the background, unless already begun."""
        key = (path, name)
        if key not in self._started:
            self._started[key] = self._pool.submit(read_file, path, name, settings, self._book)

    def __call__(self, path: Path, name: str, settings: Settings, book: RefBook) -> Extraction:
        started = self._started.pop((path, name), None)
        if started is None:
            return read_file(path, name, settings, book)
        return started.result()

    def close(self) -> None:
        """Wait for a read still running (its child is capped in time) and stop the thread."""
        for future in self._started.values():
            future.cancel()
        self._started.clear()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
