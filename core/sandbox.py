"""Run a reader in a disposable child process with time and memory caps.

python-calamine aborts the interpreter (SIGABRT, a Rust allocation failure)
on crafted files, openpyxl can run for minutes or exhaust memory; no
``except`` helps with either. ``run_isolated`` runs one picklable top-level
function in a child started by a *forkserver* (plain fork is unsafe: the
parent runs Prefect threads) that has the readers preloaded, so a call costs a
fork plus pickling, not a fresh interpreter. In the child the address space
(RLIMIT_AS) and CPU time (RLIMIT_CPU) are capped and stderr goes to a
temporary file the parent reads when the child dies.

Outcomes in the parent:

- the function's return value;
- an ``UnreadableFile`` raised in the child, unchanged;
- ``reader-crashed`` when the child dies by a signal or exits early;
- ``reader-timeout`` when it overruns ``timeout_s`` (it is killed) or its CPU cap;
- ``too-large`` when it runs out of memory (MemoryError, or a Rust
  "memory allocation ... failed" abort);
- any other exception the function raised, re-raised as itself when it
  pickles (with the child's traceback as a note), else as ``RuntimeError``.

A child never outlives the run: the forkserver exits when the run's process
does (even on SIGKILL), and each child asks Linux for SIGKILL when the
forkserver dies.
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


class Isolated(Generic[T]):
    """A capped child process running one call; ``result()`` collects it (once)."""

    def __init__(
        self,
        func: Callable[..., T],
        args: tuple[Any, ...],
        timeout_s: float,
        memory_bytes: int,
        fork: bool,
    ) -> None:
        ctx = multiprocessing.get_context("fork") if fork else _context()
        self._timeout_s = timeout_s
        self._started = time.monotonic()
        fd, self._stderr_path = tempfile.mkstemp(prefix="kpiflow-reader-", suffix=".log")
        os.close(fd)
        receiver, sender = ctx.Pipe(duplex=False)
        self._receiver: Connection = receiver
        self._process = ctx.Process(
            target=_child_main,
            args=(sender, func, args, memory_bytes, timeout_s, self._stderr_path),
            daemon=True,
        )
        try:
            # Functions from __main__ need the main module in the child.
            _LOCAL.skip_main = getattr(func, "__module__", "__main__") != "__main__"
            try:
                self._process.start()
            finally:
                _LOCAL.skip_main = False
        except BaseException:
            self._close()
            raise
        finally:
            sender.close()

    def result(self) -> T:
        """Wait for the child; return its result or raise as ``run_isolated`` does."""
        process, timeout_s = self._process, self._timeout_s
        try:
            waited = time.monotonic() - self._started
            message = _receive(self._receiver, max(0.0, timeout_s - waited))
            if message is _TIMED_OUT:
                process.kill()
                process.join()
            else:
                # Sent its answer (or died): it exits at once; a straggler is killed.
                process.join(2.0)
                if process.exitcode is None:
                    process.kill()
                    process.join()
            if message is _TIMED_OUT:
                raise READER_TIMEOUT.refuse("clock", seconds=timeout_s)
            if message is None:
                raise _death(process.exitcode, _tail(self._stderr_path))
            return cast(T, _unpack(message))
        finally:
            self._close()

    def cancel(self) -> None:
        """Stop the child if it still runs and release what it holds (a result is lost)."""
        self._close()

    def _close(self) -> None:
        process = self._process
        with contextlib.suppress(ValueError, AssertionError):
            if process.is_alive():
                process.kill()
                process.join()
        self._receiver.close()
        with contextlib.suppress(OSError):
            os.unlink(self._stderr_path)
        with contextlib.suppress(ValueError, AttributeError):
            process.close()


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


def _tail(path: str) -> str:
    """The start and the end of what the child wrote to stderr (a panic's message
    comes first, before a long backtrace)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_STDERR_TAIL)
            fh.seek(0, os.SEEK_END)
            fh.seek(max(len(head), fh.tell() - _STDERR_TAIL))
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


def _child_main(
    sender: Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_bytes: int,
    timeout_s: float,
    stderr_path: str,
) -> None:
    _die_with_parent()
    with contextlib.suppress(OSError):
        fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 2)
        os.close(fd)
    _limit(resource.RLIMIT_CPU, math.ceil(timeout_s) + 2)
    _limit(resource.RLIMIT_AS, memory_bytes)
    message: tuple[str, Any]
    try:
        message = ("ok", func(*args))
    except MemoryError:
        message = ("memory", None)
    except Exception as exc:
        message = ("raise", (exc, traceback.format_exc()))
    except BaseException as exc:  # a Rust panic (pyo3 PanicException), sys.exit()...
        message = ("raise", (_crashed(type(exc).__name__), traceback.format_exc()))
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("memory", None))
    except Exception as exc:  # the result or the exception does not pickle
        kind = message[0]
        payload: Any = message[1]
        if kind == "raise":
            failed = payload[0]
            sender.send(("error", f"{type(failed).__name__}: {failed}"))
        else:
            sender.send(("error", f"result could not be sent back: {exc}"))
    finally:
        sender.close()
