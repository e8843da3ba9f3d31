"""The benchmark's scripts run with ``bench/`` first on ``sys.path``: none may shadow the stdlib."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_bench_module_shadows_a_standard_module() -> None:
    # bench/html.py once hid the stdlib's html, and Prefect's import failed mid-benchmark.
    names = {path.stem for path in (ROOT / "bench").glob("*.py")}
    assert sorted(names & set(sys.stdlib_module_names)) == []
