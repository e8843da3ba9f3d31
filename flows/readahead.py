"""Read the next file of a run while the current one is checked, loaded and reported.

A file's reading happens in a child process (``core.sandbox``); the
checks, the reports and the load that follow run in this process. The next
file's child is started (preflight, then a fork) before the current file is
checked, so with two cores it reads while this process works, and a run of
many returns costs about the larger of the two, not their sum. No thread is
involved: this process only starts the child and later takes its answer. (A
thread that waited on the child had to win the interpreter lock back from the
busy main thread after each blocking step, up to 5 ms a time: with the lock
handed over within 0.2 ms instead, a file took 32 ms rather than 40.)
Reading ahead only reads: the file stays claimed and untouched, and a run
killed meanwhile loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from core.model import Extraction
from core.refs import RefBook
from extractors.files import PendingExtraction, start_extract_file
from flows.settings import Settings

ReadFile = Callable[[Path, str, Settings, RefBook], Extraction]
"""Read one file: (claimed path, the name it arrived under, settings, the catalogue's refs)."""


def read_file(path: Path, name: str, settings: Settings, book: RefBook) -> Extraction:
    """Preflight, read (isolated, with the settings' caps) and extract one file."""
    return wait_read(begin_read(path, name, settings, book))


def begin_read(
    path: Path, name: str, settings: Settings, book: RefBook, *, fork: bool = False
) -> PendingExtraction:
    """Preflight ``path`` and start its sandboxed read with the settings' caps; never raises."""
    return start_extract_file(
        path,
        file_name=name,
        limits=settings.reader_limits,
        fork=fork,
        book=book,
    )


def wait_read(pending: PendingExtraction) -> Extraction:
    """The extraction of a read begun with ``begin_read``, or its refusal raised."""
    return pending.result()


def read_early(path: Path, name: str, settings: Settings, book: RefBook) -> ReadFile:
    """Start reading ``path`` now, in a child forked from this process; return the reader.

    For ``kpiflow validate``, called before pandas and pandera are imported:
    the child reads the file on the other core while this process imports
    them, and no forkserver interpreter (which would load the readers again)
    is started for one file. The returned function gives that file's
    extraction; asked for any other file, it reads it as ``read_file`` does.
    """
    pending = begin_read(path, name, settings, book, fork=True)

    def read(
        other: Path, other_name: str, other_settings: Settings, other_book: RefBook
    ) -> Extraction:
        if (other, other_name) == (path, name):
            return wait_read(pending)
        return read_file(other, other_name, other_settings, other_book)

    return read


class ReadAhead:
    """``read_file`` with files' reads begun ahead of time.

    ``start`` begins reading a file (its child runs meanwhile); ``__call__``
    (same signature as ``read_file``) returns its extraction, or raises what
    reading it raised, reading it now if it was not started.
    """

    def __init__(self, book: RefBook) -> None:
        self._book = book
        self._started: dict[tuple[Path, str], PendingExtraction] = {}

    def start(self, path: Path, name: str, settings: Settings) -> None:
        """Begin reading ``path`` in its child, unless already begun."""
        key = (path, name)
        if key not in self._started:
            self._started[key] = begin_read(path, name, settings, self._book)

    def __call__(self, path: Path, name: str, settings: Settings, book: RefBook) -> Extraction:
        started = self._started.pop((path, name), None)
        if started is None:
            return read_file(path, name, settings, book)
        return wait_read(started)

    def close(self) -> None:
        """Stop reads still running; their files are left as they are."""
        for pending in self._started.values():
            pending.cancel()
        self._started.clear()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
