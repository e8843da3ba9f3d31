"""Peak resident memory of a process tree, sampled from /proc (Linux).

The pipeline reads workbooks in a sandboxed child forked by a forkserver, so
the reader's memory is not in the parent's ``ru_maxrss`` (nor in its
``RUSAGE_CHILDREN``: the forkserver reaps the readers). ``TreeSampler``
polls the resident set of a root process and all its descendants.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        out[int(entry.name)] = int(fields[1])
    return out


def tree(root: int) -> list[int]:
    """The root and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss(pid: int) -> int:
    """Resident bytes of one process (0 if it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler:
    """Sample the tree's total resident memory every ``interval`` seconds."""

    def __init__(self, root: int | None = None, interval: float = 0.02) -> None:
        self.root = root if root is not None else os.getpid()
        self.interval = interval
        self.peak_total = 0
        self.peak_by_pid: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        total = 0
        for pid in tree(self.root):
            size = rss(pid)
            total += size
            if size > self.peak_by_pid.get(pid, 0):
                self.peak_by_pid[pid] = size
        self.peak_total = max(self.peak_total, total)

    def __enter__(self) -> TreeSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_child(self) -> int:
        """The largest peak of any one process other than the root."""
        return max((v for pid, v in self.peak_by_pid.items() if pid != self.root), default=0)
