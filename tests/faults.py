"""Real faults for the fault tests: unwritable folders, process trees, the CLI as a process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def unwritable(path: Path) -> Iterator[str]:
    """Make a folder (or file) really unwritable for this process; yield the error's text.

    As a normal user, ``chmod a-w`` does it ("Permission denied"). Root
    ignores permission bits, so as root it is made immutable with
    ``chattr +i`` ("Operation not permitted"), which stops root too; where
    that is not possible (no chattr, a filesystem without the attribute, no
    CAP_LINUX_IMMUTABLE) the test is skipped, saying why.
    """
    if not path.exists():
        path.mkdir(parents=True)
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield "Permission denied"
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root, where chmod does not stop writes, and chattr is missing")
    made = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"running as root and chattr +i is refused here: {made.stderr.strip()}")
    try:
        yield "Operation not permitted"
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def kpiflow(*args: str, **env: str) -> subprocess.Popen[str]:
    """``kpiflow ARGS`` as its own process, stdout and stderr captured apart."""
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command may hold spaces and parentheses: the fields follow the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        out[int(entry)] = int(fields[1])
    return out


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, grandchildren...)."""
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return {p for p in found if alive(p)}


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """True unless the process is gone or a zombie (dead, waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until_dead(pids: set[int], seconds: float) -> set[int]:
    """Wait up to ``seconds`` for ``pids`` to die; return those still alive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if alive(p)}
        if not left:
            return set()
        time.sleep(0.1)
    return {p for p in pids if alive(p)}
