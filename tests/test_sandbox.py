"""The sandbox turns crashes, hangs and memory blow-ups into ``UnreadableFile``.

The child functions are real top-level functions (the child imports this
module to unpickle them); nothing is mocked.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from core.errors import UnreadableFile
from core.sandbox import run_isolated, start_isolated
from extractors.files import extract_file
from tests.faults import ROOT, command_line, descendants, wait_until_dead
from tests.workbooks import read_isolated

MiB = 1024 * 1024
MEMORY = 1024 * MiB


def add(a: int, b: int) -> int:
    return a + b


def abort_now() -> None:
    os.abort()


def exit_early() -> None:
    os._exit(3)


def sleep_for(seconds: float) -> None:
    time.sleep(seconds)


def raise_unreadable() -> None:
    raise UnreadableFile("unreadable-workbook", "The file is odd in a way the reader explains.")


def raise_value_error() -> None:
    raise ValueError("boom")


class Panic(BaseException):
    """Like pyo3's PanicException: not an Exception subclass."""


def raise_panic() -> None:
    raise Panic("assertion failed")


def eat_memory() -> int:
    return len(bytearray(8 * 1024 * MiB))


def read_with_calamine(path: str) -> list[Any]:
    """What a calamine-based reader does: every sheet's values."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    return [workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names]


def test_result_comes_back() -> None:
    assert run_isolated(add, 2, 3, timeout_s=30, memory_bytes=MEMORY) == 5


def test_abort_becomes_reader_crashed_and_parent_survives() -> None:
    me = os.getpid()
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(abort_now, timeout_s=30, memory_bytes=MEMORY)
    assert caught.value.code == "reader-crashed"
    assert "SIGABRT" in caught.value.reason
    assert os.getpid() == me
    assert run_isolated(add, 1, 1, timeout_s=30, memory_bytes=MEMORY) == 2


def test_early_exit_becomes_reader_crashed() -> None:
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(exit_early, timeout_s=30, memory_bytes=MEMORY)
    assert caught.value.code == "reader-crashed"
    assert "exit code 3" in caught.value.reason


def test_hang_becomes_reader_timeout_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(sleep_for, 60, timeout_s=0.5, memory_bytes=MEMORY)
    elapsed = time.perf_counter() - started
    assert caught.value.code == "reader-timeout"
    assert elapsed < 3.0, f"took {elapsed:.1f} s"


_WHO_IS_MY_PARENT = """
import os, sys, threading
from core.sandbox import start_isolated
if sys.argv[1] == "with-a-thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
pending = start_isolated(os.getppid, timeout_s=30, memory_bytes=2**30, fork=True)
print("forked from me" if pending.result() == os.getpid() else "forkserver")
"""


@pytest.mark.parametrize(
    ("threads", "expected"),
    [("one-thread", "forked from me"), ("with-a-thread", "forkserver")],
    ids=["forks-itself", "falls-back-to-the-forkserver"],
)
def test_fork_only_while_the_process_has_one_thread(threads: str, expected: str) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _WHO_IS_MY_PARENT, threads],
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert done.stdout.strip() == expected


def test_a_started_call_times_out_from_its_start() -> None:
    pending = start_isolated(sleep_for, 60, timeout_s=0.5, memory_bytes=MEMORY)
    time.sleep(0.6)
    waited = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        pending.result()
    assert caught.value.code == "reader-timeout"
    assert time.perf_counter() - waited < 2.0


def test_memory_error_becomes_too_large() -> None:
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(eat_memory, timeout_s=30, memory_bytes=512 * MiB)
    assert caught.value.code == "too-large"


def test_unreadable_file_arrives_unchanged() -> None:
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(raise_unreadable, timeout_s=30, memory_bytes=MEMORY)
    assert type(caught.value) is UnreadableFile
    assert (caught.value.code, caught.value.reason) == (
        "unreadable-workbook",
        "The file is odd in a way the reader explains.",
    )


def test_base_exception_becomes_reader_crashed() -> None:
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(raise_panic, timeout_s=30, memory_bytes=MEMORY)
    assert caught.value.code == "reader-crashed"
    assert "Panic" in caught.value.reason


def test_other_exceptions_keep_their_type() -> None:
    with pytest.raises(ValueError, match="boom"):
        run_isolated(raise_value_error, timeout_s=30, memory_bytes=MEMORY)


@pytest.fixture
def sparse_bomb(tmp_path: Path) -> Path:
    """A few KB: cells at A1 and XFD1048576, so the sheet claims A1:XFD1048576."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "KPI"
    wb.active["XFD1048576"] = "far away"
    path = tmp_path / "sparse.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    return path


def test_calamine_on_sparse_bomb_cannot_take_the_run_down(sparse_bomb: Path) -> None:
    me = os.getpid()
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(read_with_calamine, str(sparse_bomb), timeout_s=30, memory_bytes=2048 * MiB)
    elapsed = time.perf_counter() - started
    print(f"calamine on the sparse bomb: {caught.value.code} in {elapsed:.2f} s")
    assert caught.value.code in {"reader-crashed", "too-large"}
    assert os.getpid() == me
    assert run_isolated(add, 2, 2, timeout_s=30, memory_bytes=MEMORY) == 4


def test_sparse_bomb_is_refused_in_preflight_before_any_reader(sparse_bomb: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        extract_file(sparse_bomb)
    assert caught.value.code == "too-large"
    assert "A1:XFD1048576" in caught.value.reason


def test_a_workbook_is_read_in_the_child(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "KPI"
    wb.active["B1"] = 0.95
    path = tmp_path / "June.xls"  # really .xlsx: a warning, still read
    wb.save(path)
    workbook, records = read_isolated(path)
    assert workbook.sheets[0].value(1, 2) == 0.95
    assert [r.code for r in records] == ["format-mismatch"]


def test_csv_gets_styles_unavailable_note(tmp_path: Path) -> None:
    path = tmp_path / "return.csv"
    path.write_bytes(b"KPI,Value\nCalls,95\n")
    workbook, _ = read_isolated(path)
    assert workbook.sheets[0].value(2, 2) == "95"
    [note] = [p for p in extract_file(path).problems if p.code == "styles-unavailable"]
    assert (note.code, note.severity) == ("styles-unavailable", "info")
    assert note.message == (
        "Colours were not available for this .csv file; the supplier's colour coding was not "
        "checked."
    )


def test_per_call_overhead_is_small(tmp_path: Path) -> None:
    """Overhead of one call with a preloaded function (as the pipeline's readers are).

    A function defined in a test module costs more: the child imports the
    module (and pytest with it) to unpickle it.
    """
    run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY)  # forkserver started
    times = []
    for _ in range(10):
        started = time.perf_counter()
        assert run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY) != os.getpid()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    path = tmp_path / "small.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "KPI"
    wb.save(path)
    started = time.perf_counter()
    read_isolated(path)
    small = time.perf_counter() - started
    print(
        f"run_isolated overhead: median {median * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; "
        f"preflight and isolated reading of a one-cell xlsx: {small * 1000:.1f} ms"
    )
    assert median < 0.5


@pytest.mark.slow
def test_a_reader_never_outlives_its_run_even_killed() -> None:
    # A run (its own process) waits on a reader that sleeps; the run is SIGKILLed.
    script = (
        "from core.sandbox import run_isolated\n"
        "from tests.test_sandbox import sleep_for\n"
        "run_isolated(sleep_for, 120, timeout_s=300, memory_bytes=1 << 30)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        family: set[int] = set()
        # The run's children: the resource tracker, the forkserver, and the reader under it.
        while len(family) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
            family = descendants(run.pid)
        assert len(family) >= 3, {p: command_line(p) for p in family}
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert wait_until_dead(family, 5) == set(), {p: command_line(p) for p in family}


_SERVED: list[int] = []


def serve_then_run_out() -> int:
    """Run out of memory in a reader that has served a call before; else give the pid."""
    if _SERVED:
        raise MemoryError
    _SERVED.append(os.getpid())
    return os.getpid()


_SERVED_ONCE: list[int] = []


def serve_then_die() -> int:
    """Die in a reader that has served a call before; else give the pid."""
    if _SERVED_ONCE:
        os._exit(3)
    _SERVED_ONCE.append(os.getpid())
    return os.getpid()


def touch_memory(mib: int) -> int:
    """Hold ``mib`` MiB of written (resident) memory for a moment; give the pid."""
    held = b"x" * (mib * MiB)
    return os.getpid() + 0 * len(held)


def test_a_reader_answers_call_after_call() -> None:
    first = run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY)
    assert run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY) == first
    assert first != os.getpid()


@pytest.mark.parametrize(
    ("call", "args", "code"),
    [(abort_now, (), "reader-crashed"), (sleep_for, (60,), "reader-timeout"),
     (raise_panic, (), "reader-crashed"), (eat_memory, (), "too-large")],
    ids=["crash", "timeout", "panic", "memory"],
)  # fmt: skip
def test_a_call_that_goes_wrong_retires_its_reader(
    call: Any, args: tuple[Any, ...], code: str
) -> None:
    before = run_isolated(os.getpid, timeout_s=30, memory_bytes=512 * MiB)
    with pytest.raises(UnreadableFile) as caught:
        run_isolated(call, *args, timeout_s=1, memory_bytes=512 * MiB)
    assert caught.value.code == code
    after = run_isolated(os.getpid, timeout_s=30, memory_bytes=512 * MiB)
    assert after != before
    assert run_isolated(os.getpid, timeout_s=30, memory_bytes=512 * MiB) == after


def test_an_exception_in_a_call_keeps_its_reader() -> None:
    before = run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY)
    with pytest.raises(UnreadableFile):
        run_isolated(raise_unreadable, timeout_s=30, memory_bytes=MEMORY)
    assert run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY) == before


def test_out_of_memory_after_earlier_calls_is_decided_by_a_fresh_reader() -> None:
    first = run_isolated(serve_then_run_out, timeout_s=30, memory_bytes=MEMORY)
    # The same reader runs out; a fresh one, with nothing left over, answers.
    second = run_isolated(serve_then_run_out, timeout_s=30, memory_bytes=MEMORY)
    assert second not in (first, os.getpid())


def test_a_death_after_earlier_calls_is_decided_by_a_fresh_reader() -> None:
    first = run_isolated(serve_then_die, timeout_s=30, memory_bytes=MEMORY)
    second = run_isolated(serve_then_die, timeout_s=30, memory_bytes=MEMORY)
    assert second not in (first, os.getpid())


def test_a_reader_that_held_much_of_its_cap_is_retired() -> None:
    before = run_isolated(touch_memory, 8, timeout_s=30, memory_bytes=MEMORY)
    assert run_isolated(touch_memory, 8, timeout_s=30, memory_bytes=MEMORY) == before
    run_isolated(touch_memory, 300, timeout_s=30, memory_bytes=MEMORY)  # over a quarter of 1 GiB
    assert run_isolated(os.getpid, timeout_s=30, memory_bytes=MEMORY) != before
