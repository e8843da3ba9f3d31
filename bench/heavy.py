"""One measurement on one workbook, in a process of its own (for its peak memory).

    python bench/heavy.py floor|baseline|extract|pipeline FILE

Prints one JSON object: ``seconds`` (the work itself, imports and the
reader's forkserver start excluded) and what the work reports. ``bench/run.py``
starts it and samples the memory of its whole process tree.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(mode: str, path: Path) -> dict[str, object]:
    if mode == "floor":
        from bench.baseline import calamine_floor

        started = time.perf_counter()
        cells = calamine_floor(path)
        return {"seconds": time.perf_counter() - started, "cells": cells}
    if mode == "baseline":
        from bench.baseline import NaiveLoader

        with tempfile.TemporaryDirectory() as tmp:
            loader = NaiveLoader(Path(tmp) / "naive.db")
            started = time.perf_counter()
            rows = loader.load(path)
            seconds = time.perf_counter() - started
            loader.close()
        return {"seconds": seconds, "rows": rows}
    from core.sandbox import run_isolated
    from extractors.files import extract_file

    run_isolated(os.getpid, timeout_s=60, memory_bytes=2 * 1024**3)  # start the forkserver
    if mode == "extract":
        started = time.perf_counter()
        extraction = extract_file(path)
        return {
            "seconds": time.perf_counter() - started,
            "observations": len(extraction.observations),
        }
    if mode == "pipeline":
        from bench.pipeline import run_plain

        with tempfile.TemporaryDirectory() as tmp:
            inbox = Path(tmp) / "inbox"
            inbox.mkdir()
            shutil.copy(path, inbox / path.name)
            result = run_plain(inbox, Path(tmp))
        return {
            "seconds": result["files_s"],
            "phases": result["phases_s"],
            "status": result["statuses"],
        }
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]))))
