"""Run a reader in a child process with time and memory caps.

python-calamine aborts the interpreter (SIGABRT, a Rust allocation failure)
on crafted files, openpyxl can run for minutes or exhaust memory; no
``except`` helps with either. ``run_isolated`` runs one picklable top-level
function in a reader process started by a *forkserver* (plain fork is
unsafe: the parent runs Prefect threads) that has the readers preloaded. A
reader answers call after call (no fork, no cold start per file) until a
call crashes it, overruns, runs out of memory or it has held too much; then
it is retired and the next call gets a fresh one. A call whose reader had
served earlier calls and dies or runs out of memory under it is tried once
more in a fresh one, so a file's verdict never depends on the files before
it. In the reader the address space (RLIMIT_AS) and each call's CPU time
(RLIMIT_CPU) are capped and stderr goes to a temporary file the parent reads
when it dies.

Outcomes in the parent:

- the function's return value;
- an ``UnreadableFile`` raised in the child, unchanged;
- ``reader-crashed`` when the child dies by a signal or exits early;
- ``reader-timeout`` when it overruns ``timeout_s`` (it is killed) or its CPU cap;
- ``too-large`` when it runs out of memory (MemoryError, or a Rust
  "memory allocation ... failed" abort);
- any other exception the function raised, re-raised as itself when it
  pickles (with the child's traceback as a note), else as ``RuntimeError``.

A reader never outlives the run: an idle one exits when the run hangs up,
the forkserver exits when the run's process does (even on SIGKILL), and
each reader asks Linux for SIGKILL when the forkserver dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing import forkserver, spawn
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar, cast

from core.checks import READER_CRASHED, READER_TIMEOUT, TOO_LARGE
from core.errors import UnreadableFile

T = TypeVar("T")

#: Modules the forkserver imports once, so every child starts with them loaded
#: (each child imported the last two of the first line itself: 1 ms a file);
#: importing ``extractors.warmup`` reads a sample, warming what a first read builds.
PRELOAD = [
    "extractors.readers", "core.sandbox", "extractors.openpyxl_private", "openpyxl",
    "python_calamine", "multiprocessing.popen_forkserver", "encodings.cp437",
    "extractors.warmup",
]  # fmt: skip

_CONTEXT: Any = None
_PR_SET_PDEATHSIG = 1
_STDERR_TAIL = 4096
_LOCAL = threading.local()
_PATCHED: list[Callable[..., Any]] = []


_SETUP_LOCK = threading.Lock()


def _context() -> Any:
    global _CONTEXT
    with _SETUP_LOCK:
        if _CONTEXT is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _skip_main_in_children()
            _CONTEXT = ctx
    return _CONTEXT


def _skip_main_in_children() -> None:
    """Stop our children from re-running the parent's ``__main__`` module.

    multiprocessing re-imports the parent's main module (a Prefect flow
    script, pytest...) in every child so that functions defined there can be
    unpickled: 0.15 s per call for a main that imports pandas, 1.4 s for one
    that imports Prefect. ``run_isolated`` only takes functions from
    importable modules, so for the processes it starts (flagged per thread)
    the main-module entries are dropped from the preparation data. Other
    users of multiprocessing are unaffected.
    """
    if _PATCHED:
        return
    original = spawn.get_preparation_data

    def get_preparation_data(name: str) -> dict[str, Any]:
        data: dict[str, Any] = original(name)
        if getattr(_LOCAL, "skip_main", False):
            data.pop("init_main_from_name", None)
            data.pop("init_main_from_path", None)
        return data

    _PATCHED.append(original)
    spawn.get_preparation_data = get_preparation_data


def start_forkserver() -> None:
    """Start the forkserver now, so it loads the readers while the caller does other work.

    The forkserver is a fresh interpreter that imports openpyxl and calamine
    (0.2 s here) before it can fork a reader. Started first thing, it does
    that on the other core while the caller imports pandas and pandera, so a
    one-file ``kpiflow validate`` does not wait for it. Harmless when it is
    already running.
    """
    _context()  # the preload list and the main-module patch, as run_isolated sets them
    forkserver.ensure_running()


def run_isolated(func: Callable[..., T], *args: Any, timeout_s: float, memory_bytes: int) -> T:
    """Call ``func(*args)`` in a capped child process and return its result.

    ``func`` and ``args`` must pickle (a module-level function; plain data).
    Raises ``UnreadableFile`` as described in the module docstring.
    """
    return start_isolated(func, *args, timeout_s=timeout_s, memory_bytes=memory_bytes).result()


def start_isolated(
    func: Callable[..., T], *args: Any, timeout_s: float, memory_bytes: int, fork: bool = False
) -> Isolated[T]:
    """Start ``func(*args)`` in a capped child process now; ``.result()`` waits for it.

    ``fork=True`` forks this process itself rather than asking the
    forkserver, when that is safe: only while this process runs no other
    thread (a fork copies one thread, and any lock another thread held stays
    locked in the child). ``kpiflow validate`` reads its one file so before it
    imports pandas, and so never starts the forkserver's interpreter, which
    would load the readers a second time. Otherwise the forkserver is used.
    """
    return Isolated(func, args, timeout_s, memory_bytes, fork and threading.active_count() == 1)


class _Worker:
    """A reader process that runs calls one after another until it is retired.

    Forking a reader per file cost ~7 ms of CPU (the fork, multiprocessing's
    start-up, and the child touching, so copying, the memory it inherited)
    and every file started with cold caches: ~40% of a return's reading. A
    worker answers call after call; whatever goes wrong in one (a crash, a
    hang, memory running out) retires it, so the next call gets a fresh one.
    """

    def __init__(self, memory_bytes: int, fork: bool) -> None:
        ctx = multiprocessing.get_context("fork") if fork else _context()
        self.memory_bytes = memory_bytes
        self.calls = 0
        self.disposable = fork  # a forked reader serves one call, never the pool
        fd, self.stderr_path = tempfile.mkstemp(prefix="kpiflow-reader-", suffix=".log")
        os.close(fd)
        ours, theirs = ctx.Pipe(duplex=True)
        self.connection: Connection = ours
        self.process = ctx.Process(
            target=_worker_main, args=(theirs, memory_bytes, self.stderr_path), daemon=True
        )
        try:
            # Readers come from importable modules: the child needs no __main__.
            _LOCAL.skip_main = True
            try:
                self.process.start()
            finally:
                _LOCAL.skip_main = False
        except BaseException:
            self.retire()
            raise
        finally:
            theirs.close()

    def stderr_size(self) -> int:
        try:
            return os.stat(self.stderr_path).st_size
        except OSError:
            return 0

    def retire(self) -> None:
        """Stop the process (killed if it still runs) and release what it holds."""
        process = self.process
        with contextlib.suppress(ValueError, AssertionError, AttributeError):
            if process.is_alive():
                process.kill()
                process.join()
        self.connection.close()
        with contextlib.suppress(OSError):
            os.unlink(self.stderr_path)
        with contextlib.suppress(ValueError, AttributeError):
            process.close()


class _Pool:
    """Idle workers of this process, by memory cap; two suffice for the read-ahead."""

    KEEP = 2
    #: A worker is retired after this many calls or once it has held this share
    #: of its memory cap, so one file's heap never crowds a later file's cap.
    MAX_CALLS = 200
    MAX_SHARE = 0.25

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def take(self, memory_bytes: int) -> _Worker:
        dead: list[_Worker] = []
        found: _Worker | None = None
        with self._lock:
            if self._pid != os.getpid():  # a forked copy of this process: not its workers
                self._idle, self._pid = [], os.getpid()
            for worker in list(self._idle):
                if not worker.process.is_alive():
                    self._idle.remove(worker)
                    dead.append(worker)
                elif found is None and worker.memory_bytes == memory_bytes:
                    self._idle.remove(worker)
                    found = worker
        for worker in dead:
            worker.retire()
        return found or _Worker(memory_bytes, fork=False)

    def give_back(self, worker: _Worker, peak_bytes: int) -> None:
        worn = (
            worker.disposable
            or worker.calls >= self.MAX_CALLS
            or peak_bytes > worker.memory_bytes * self.MAX_SHARE
        )
        retired = [worker]
        with self._lock:
            if not worn and self._pid == os.getpid():
                # The newest are kept: a run asks with one cap throughout.
                self._idle.append(worker)
                retired = self._idle[: -self.KEEP]
                del self._idle[: -self.KEEP]
        for old in retired:
            old.retire()


_POOL = _Pool()


class Isolated(Generic[T]):
    """One call running in a capped reader process; ``result()`` collects it (once)."""

    def __init__(
        self,
        func: Callable[..., T],
        args: tuple[Any, ...],
        timeout_s: float,
        memory_bytes: int,
        fork: bool,
    ) -> None:
        self._call = (func, args, timeout_s, memory_bytes)
        self._fork = fork
        self._worker: _Worker | None = None
        self._start()

    def _start(self, fresh: bool = False) -> None:
        func, args, timeout_s, memory_bytes = self._call
        if self._fork or fresh:
            # A forked reader serves this one call; so does a fresh one asked for a retry.
            worker = _Worker(memory_bytes, fork=self._fork)
            worker.disposable = True
        else:
            worker = _POOL.take(memory_bytes)
        self._worker = worker
        self._stderr_from = worker.stderr_size()
        self._started = time.monotonic()
        try:
            worker.connection.send((func, args, timeout_s))
        except BaseException:
            # The worker died while idle (or the call does not pickle): not this call's doing.
            worker.retire()
            if fresh or self._fork:
                raise
            self._start(fresh=True)
            return
        worker.calls += 1

    def result(self) -> T:
        """Wait for the call; return its result or raise as ``run_isolated`` does."""
        worker = self._worker
        assert worker is not None, "result() is collected once"
        self._worker = None
        _, _, timeout_s, _ = self._call
        waited = time.monotonic() - self._started
        message = _receive(worker.connection, max(0.0, timeout_s - waited))
        if message is _TIMED_OUT:
            worker.retire()
            raise READER_TIMEOUT.refuse("clock", seconds=timeout_s)
        if message is None:
            worker.process.join(2.0)
            tail = _tail(worker.stderr_path, self._stderr_from)
            exitcode = worker.process.exitcode
            worker.retire()
            if worker.calls > 1:
                # A reader that served earlier calls died: a fresh one decides this call.
                self._start(fresh=True)
                return self.result()
            raise _death(exitcode, tail)
        kind, payload, peak_bytes, keep = message
        if keep and kind in ("ok", "raise"):
            _POOL.give_back(worker, peak_bytes)
        else:
            worker.retire()  # out of memory, or an answer that would not pickle
            if kind == "memory" and worker.calls > 1:
                # Earlier calls' leftovers may have taken the room: a fresh reader decides.
                self._start(fresh=True)
                return self.result()
        return cast(T, _unpack((kind, payload)))

    def cancel(self) -> None:
        """Stop the call if it still runs and release what it holds (a result is lost)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.retire()


_TIMED_OUT: Any = object()


def _receive(receiver: Connection, timeout_s: float) -> Any:
    """Return the child's message, None if it died first, _TIMED_OUT on timeout."""
    if not receiver.poll(timeout_s):
        return _TIMED_OUT
    try:
        return receiver.recv()
    except (EOFError, OSError):
        return None  # the child died before (or while) sending
    except Exception as exc:  # the message arrived but does not unpickle here
        return ("error", f"the reader's answer could not be decoded: {exc!r}")


def _unpack(message: tuple[str, Any]) -> Any:
    kind, payload = message
    if kind == "ok":
        return payload
    if kind == "memory":
        raise _too_large()
    if kind == "raise":
        exc, child_traceback = payload
        if isinstance(exc, BaseException):
            if not isinstance(exc, UnreadableFile):
                exc.add_note(f"Raised in the isolated reader process:\n{child_traceback}")
            raise exc
    if kind == "error":
        raise RuntimeError(f"isolated reader failed: {payload}")
    raise RuntimeError(f"unexpected message from the reader process: {kind!r}")


def _too_large() -> UnreadableFile:
    return TOO_LARGE.refuse("memory")


def _death(exitcode: int | None, stderr_tail: str) -> UnreadableFile:
    if "memory allocation of" in stderr_tail or "MemoryError" in stderr_tail:
        return _too_large()
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if name == "SIGXCPU":
            return READER_TIMEOUT.refuse("cpu")
        how = f"signal {name}"
    else:
        how = f"exit code {exitcode}"
    return _crashed(how)


def _crashed(how: str) -> UnreadableFile:
    return READER_CRASHED.refuse(how=how)


def _tail(path: str, start: int = 0) -> str:
    """The start and the end of what the child wrote to stderr from ``start`` (a panic's
    message comes first, before a long backtrace)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            head = fh.read(_STDERR_TAIL)
            fh.seek(0, os.SEEK_END)
            fh.seek(max(start + len(head), fh.tell() - _STDERR_TAIL))
            return (head + fh.read()).decode("utf-8", "replace")
    except OSError:
        return ""


# --- in the child -------------------------------------------------------------


def _limit(kind: int, soft: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (soft, hard))


def _die_with_parent() -> None:
    """Have Linux SIGKILL this reader if the forkserver that forked it dies.

    The forkserver exits when the last holder of its "alive" pipe closes it.
    Each child is handed a copy; closing it here leaves the run's process as
    the only holder, so the forkserver exits as soon as the run does (even
    on SIGKILL) and its children follow it: a reader never outlives its run.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]
    if os.getppid() == 1:  # the forkserver died before the signal was asked for
        os._exit(1)


def _worker_main(connection: Connection, memory_bytes: int, stderr_path: str) -> None:
    """Answer calls until the parent hangs up or a call leaves this process unfit."""
    _die_with_parent()
    with contextlib.suppress(OSError):
        fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 2)
        os.close(fd)
    _limit(resource.RLIMIT_AS, memory_bytes)
    while True:
        try:
            func, args, timeout_s = connection.recv()
        except (EOFError, OSError):
            os._exit(0)  # the parent is gone or retired us
        # RLIMIT_CPU counts the process's whole life: the cap is this call's share on top.
        used = resource.getrusage(resource.RUSAGE_SELF)
        _limit(resource.RLIMIT_CPU, math.ceil(used.ru_utime + used.ru_stime + timeout_s) + 2)
        keep = _answer(connection, func, args)
        if not keep:
            os._exit(0)


def _answer(connection: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    """Run one call and send its message; False when this process should not take another."""
    message: tuple[str, Any]
    keep = True
    try:
        message = ("ok", func(*args))
    except MemoryError:
        message, keep = ("memory", None), False
    except Exception as exc:
        message = ("raise", (exc, traceback.format_exc()))
    except BaseException as exc:  # a Rust panic (pyo3 PanicException), sys.exit()...
        message, keep = ("raise", (_crashed(type(exc).__name__), traceback.format_exc())), False
    # ru_maxrss is in KiB on Linux: the most this process has held, for the pool to judge.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        connection.send((*message, peak, keep))
    except MemoryError:
        connection.send(("memory", None, peak, False))
        return False
    except Exception as exc:  # the result or the exception does not pickle
        kind, payload = message
        if kind == "raise":
            failed = cast(tuple[BaseException, str], payload)[0]
            connection.send(("error", f"{type(failed).__name__}: {failed}", peak, keep))
        else:
            connection.send(("error", f"result could not be sent back: {exc}", peak, keep))
    return keep
