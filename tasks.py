#!/usr/bin/env python3
"""Set up and run kpiflow with nothing but Python 3.11+ and pip.

    python3 tasks.py demo    # set up .venv, write the sample returns into inbox/, run
    python3 tasks.py test    # set up .venv, then ruff (lint, format), mypy and pytest (CI runs it)
    python3 tasks.py bench   # set up .venv, then the benchmark (not part of the tests)

Set-up is skipped when .venv is already up to date with pyproject.toml and
constraints.txt.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".kpiflow-installed"


def _sh(*args: str | Path, **env: str) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env={**os.environ, **env})


def setup() -> None:
    """Create .venv and install the project with its pinned dependencies."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs before anything is installed
        sys.exit(f"kpiflow needs Python 3.11 or newer, not {sys.version.split()[0]}")
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    _sh(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _sh(
        BIN / "python", "-m", "pip", "install", "--quiet",
        "-c", "constraints.txt", "-e", ".[dev]",
    )  # fmt: skip
    # Create Prefect's local database once, before any run can race for it.
    _sh(BIN / "kpiflow", "init")
    STAMP.write_text(wanted)


def demo() -> None:
    setup()
    (ROOT / "inbox").mkdir(exist_ok=True)
    _sh(BIN / "kpiflow", "samples", "inbox")
    # The samples were written a moment ago: take them now rather than
    # waiting for them to look stable.
    # Not check=True: exit status 1 means "a file needs attention", still a finished run.
    run = subprocess.run([str(BIN / "kpiflow"), "run", "--stable-seconds", "0"], cwd=ROOT)
    print(
        "\nOpen the reports in a browser, or query the warehouse, e.g.\n"
        "  sqlite3 warehouse/kpi.db 'select * from current_measurements limit 5'"
    )
    if run.returncode:
        sys.exit(run.returncode)


def test() -> None:
    setup()
    _sh(BIN / "ruff", "check", ".")
    _sh(BIN / "ruff", "format", "--check", ".")
    _sh(BIN / "mypy")
    # Two workers, a test file each at a time: Prefect's servers and the
    # subprocess tests mostly wait, so the suite takes about half as long.
    _sh(BIN / "python", "-m", "pytest", "-n", "2", "--dist", "loadfile")


def bench() -> None:
    setup()
    _sh(BIN / "python", "bench/run.py", *sys.argv[2:])


if __name__ == "__main__":
    commands = {"setup": setup, "demo": demo, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(commands)}}}")
    try:
        commands[sys.argv[1]]()
    except subprocess.CalledProcessError as failed:
        sys.exit(failed.returncode)
