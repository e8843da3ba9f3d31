"""Time a real ``kpiflow run`` (the command users run), file by file, from outside.

The command runs as its own process, exactly as a user starts it (with the
bench's Prefect home and no ``PREFECT_API_URL``, so the Prefect flow starts
Prefect's temporary server; ``--plain`` starts none). Nothing is patched
inside it: when each file is done is read from its HTML report's
modification time (a file's report is written after its checks and its
annotated copy, just before its load and move), so the time between two
consecutive reports is what one more file costs in a running ``kpiflow run``,
with the one-off start (imports, the temporary server, the flow run) left out.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def fill_inbox(inbox: Path, paths: list[Path]) -> None:
    """Copy the returns into ``inbox`` with increasing modification times (taken in order)."""
    inbox.mkdir(parents=True, exist_ok=True)
    base = time.time() - len(paths) - 60
    for index, path in enumerate(paths):
        copy = inbox / path.name
        shutil.copyfile(path, copy)
        os.utime(copy, (base + index, base + index))


def kpiflow_run(
    kpiflow: str, paths: list[Path], env: dict[str, str], *, plain: bool
) -> dict[str, Any]:
    """Run ``kpiflow run [--plain]`` once over ``paths`` in a fresh inbox and warehouse.

    Returns the run's wall time, when each file's report was written (seconds
    from the command's start, in processing order), the CPU one more file
    costs the command's whole process tree (the reader children and, for a
    flow, Prefect's server included) and the submissions' statuses.
    """
    with tempfile.TemporaryDirectory(prefix="kpiflow-bench-") as tmp:
        work = Path(tmp)
        fill_inbox(work / "inbox", paths)
        reports = work / "reports"
        args = [kpiflow, "run", "--inbox", str(work / "inbox"), "--db", str(work / "kpi.db"),
                "--reports", str(reports), "--stable-seconds", "0"]  # fmt: skip
        if plain:
            args.append("--plain")
        # Output to a file, not a pipe: nothing reads a pipe while the run is sampled.
        with (work / "output.txt").open("w+") as output:
            started = time.time()
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=output,
                                       stderr=subprocess.STDOUT)  # fmt: skip
            samples = _sample_while_running(process, reports)
            wall = time.time() - started
            if process.returncode not in (0, 1):
                output.seek(0)
                raise RuntimeError(
                    f"kpiflow run failed ({process.returncode}): {output.read()[-2000:]}"
                )
        written = sorted(
            p.stat().st_mtime_ns / 1e9 - started
            for p in reports.glob("*.html")
            if not p.name.startswith("run-")
        )
        with sqlite3.connect(work / "kpi.db") as db:
            statuses = dict(db.execute("SELECT status, count(*) FROM submissions GROUP BY status"))
    if len(written) != len(paths):
        raise RuntimeError(f"{len(written)} reports for {len(paths)} files")
    return {
        "wall_s": wall,
        "report_times_s": written,
        "cpu_per_file_s": _cpu_per_file(samples, len(paths)),
        "cpu_samples": samples,
        "statuses": statuses,
    }


def _tree_cpu(root: int) -> float:
    """CPU seconds of a process tree: each living process's own and its reaped children's."""
    from bench.memory import tree

    ticks = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _sample_while_running(
    process: subprocess.Popen[bytes], reports: Path, interval: float = 0.25
) -> list[tuple[int, float]]:
    """(reports written, tree CPU seconds) every ``interval`` while the command runs."""
    samples = []
    while process.poll() is None:
        cpu = _tree_cpu(process.pid)
        done = (
            sum(1 for p in reports.glob("*.html") if not p.name.startswith("run-"))
            if (reports.is_dir())
            else 0
        )
        samples.append((done, cpu))
        time.sleep(interval)
    return samples


def _cpu_per_file(samples: list[tuple[int, float]], n: int) -> float:
    """CPU per file between a tenth of the files and the last but one: the steady state."""
    return cpu_between(samples, max(2, n // 10), n - 1)


def cpu_between(samples: list[tuple[int, float]], start: int, end: int) -> float:
    """CPU per file from the sample with ``start`` reports written to the one with ``end``.

    The samples nearest inside [start, end] are used.
    """
    inside = [(done, cpu) for done, cpu in samples if start <= done <= end]
    if len(inside) < 2 or inside[-1][0] == inside[0][0]:
        return float("nan")
    (first, cpu_first), (last, cpu_last) = inside[0], inside[-1]
    return (cpu_last - cpu_first) / (last - first)


def per_file(report_times: list[float]) -> float:
    """What one more file costs in the run: the mean time between consecutive reports."""
    if len(report_times) < 2:
        return float("nan")
    return (report_times[-1] - report_times[0]) / (len(report_times) - 1)


def intervals(report_times: list[float]) -> list[float]:
    """Each file's time after the first: from the previous file's report to its own."""
    return [b - a for a, b in itertools.pairwise(report_times)]
