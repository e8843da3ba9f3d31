"""CPU per file of the annotated copy, against a copy-and-open baseline in the same process.

Usage: .venv/bin/python bench/annotate.py [--returns 24] [--reps 5]

The records of each bench return are the pipeline's own: ``run_once`` takes
the returns through once, with ``annotate_workbook`` wrapped to keep its
arguments. Then, in turns (so load on the machine falls on both alike),
``annotate_workbook`` writes each file's copy and the baseline copies the file
with ``shutil.copyfile`` and opens it with openpyxl's
``load_workbook(read_only=True)`` (what any tool touching the file pays at
least); each figure is the best of ``--reps`` rounds of CPU
(``time.process_time``) per file, and the ratio of the two is the figure to
compare between checkouts: it divides out how fast the machine is today.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def captured_calls(paths: list[Path], work: Path) -> list[tuple[Path, list[Any], dict[str, Any]]]:
    """(source, records, keyword arguments) of each annotated copy ``run_once`` writes."""
    import reports
    from flows import runner
    from flows.settings import Settings

    calls: list[tuple[Path, list[Any], dict[str, Any]]] = []
    original = reports.annotate_workbook
    kept = work / "sources"
    kept.mkdir()

    def keep(source: Path, records: Any, dest: Path, **kwargs: Any) -> Any:
        records = list(records)
        # run_once moves the source away afterwards: keep a copy to replay.
        copy = kept / f"{len(calls):04d}{Path(source).suffix}"
        shutil.copyfile(source, copy)
        calls.append((copy, records, kwargs))
        return original(source, records, dest, **kwargs)

    inbox = work / "inbox"
    inbox.mkdir()
    for i, path in enumerate(paths):
        shutil.copyfile(path, inbox / f"{i:03d}-{path.name}")
    reports.annotate_workbook = keep
    try:
        settings = Settings(
            inbox=inbox, db=work / "kpi.db", reports=work / "reports", stable_seconds=0
        )
        runner.run_once(settings)
    finally:
        reports.annotate_workbook = original
    return calls


def cpu_per_file(run_one: Callable[[int, int], None], files: int, rep: int) -> float:
    """CPU seconds per file of one round over ``files`` files."""
    started = time.process_time()
    for i in range(files):
        run_one(rep, i)
    return (time.process_time() - started) / files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=24)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    from openpyxl import load_workbook

    from bench.run import generate
    from reports import annotate_workbook

    paths, _ = generate(args.returns, 10000)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        calls = captured_calls(paths, work)
        out = work / "out"
        out.mkdir()

        def annotate(rep: int, i: int) -> None:
            source, records, kwargs = calls[i]
            # A fresh name each time, as the run writes: replacing a file costs more.
            annotate_workbook(source, records, out / f"{rep}-{i}.annotated.xlsx", **kwargs)

        def baseline(rep: int, i: int) -> None:
            source = calls[i][0]
            dest = out / f"{rep}-{i}.copy{source.suffix}"
            shutil.copyfile(source, dest)
            load_workbook(dest, read_only=True).close()

        # One round of each first: imports, caches.
        annotate(-1, 0)
        baseline(-1, 0)
        ours, base = [], []
        for rep in range(args.reps):
            ours.append(cpu_per_file(annotate, len(calls), rep))
            base.append(cpu_per_file(baseline, len(calls), rep))
            for leftover in out.iterdir():
                leftover.unlink()
    best, floor = min(ours), min(base)
    cells = sum(len(records) for _, records, _ in calls) / max(len(calls), 1)
    print(f"files: {len(calls)} (records per file: {cells:.1f}), best of {args.reps} rounds")
    print(f"annotated copy (annotate_workbook):                  {best * 1000:6.2f} ms CPU/file")
    print(f"baseline (copyfile + load_workbook(read_only=True)): {floor * 1000:6.2f} ms CPU/file")
    print(f"ratio annotated / baseline:                          {best / floor:6.2f}x")


if __name__ == "__main__":
    main()
