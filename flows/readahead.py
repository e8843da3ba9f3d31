"""Read the next file of a run while the current one is checked, loaded and reported.

A file's reading happens in a child process (``extractors.sandbox``) while
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

from extractors import extract_file
from extractors.files import start_extract_file
from extractors.model import Extraction
from flows.settings import Settings

ReadFile = Callable[[Path, str, Settings], Extraction]
"""Read one file: (claimed path, the name it arrived under, settings) -> its extraction."""


def read_file(path: Path, name: str, settings: Settings) -> Extraction:
    """Preflight, read (isolated, with the settings' caps) and extract one file."""
    return extract_file(
        path,
        file_name=name,
        timeout_s=settings.reader_timeout,
        memory_bytes=settings.reader_memory_mb * 1024 * 1024,
    )


def read_early(path: Path, name: str, settings: Settings) -> ReadFile:
    """Start reading ``path`` now, in a child forked from this process; return the reader.

    For ``kpiflow validate``, called before pandas and pandera are imported:
    the child reads the file on the other core while this process imports
    them, and no forkserver interpreter (which would load the readers again)
    is started for one file. The returned function gives that file's
    extraction; asked for any other file, it reads it as ``read_file`` does.
    """
    finish = start_extract_file(
        path,
        file_name=name,
        timeout_s=settings.reader_timeout,
        memory_bytes=settings.reader_memory_mb * 1024 * 1024,
        fork=True,
    )

    def read(other: Path, other_name: str, other_settings: Settings) -> Extraction:
        if (other, other_name) == (path, name):
            return finish()
        return read_file(other, other_name, other_settings)

    return read


class ReadAhead:
    """``read_file`` with one file read ahead in a background thread.

    ``start`` begins reading a file; ``__call__`` (same signature as
    ``read_file``) returns its extraction, or raises what reading it raised,
    reading it now if it was not started.
    """

    def __init__(self) -> None:
        # One thread: it only waits on a reader process, whose work is the
        # one thing worth overlapping.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpiflow-read-ahead")
        self._started: dict[tuple[Path, str], Future[Extraction]] = {}

    def start(self, path: Path, name: str, settings: Settings) -> None:
        """Begin reading ``path`` in the background, unless already begun."""
        key = (path, name)
        if key not in self._started:
            self._started[key] = self._pool.submit(read_file, path, name, settings)

    def __call__(self, path: Path, name: str, settings: Settings) -> Extraction:
        started = self._started.pop((path, name), None)
        if started is None:
            return read_file(path, name, settings)
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
