"""The forkserver's warm-up reads the bundled sample, which is the monthly sample return."""

from __future__ import annotations

from pathlib import Path

from core.sandbox import PRELOAD
from extractors.warmup import WORKBOOK, warm_up
from samples.generate import write_monthly_return


def test_the_warm_up_workbook_is_the_monthly_sample(tmp_path: Path) -> None:
    written = write_monthly_return(tmp_path / WORKBOOK.name)
    assert written.read_bytes() == WORKBOOK.read_bytes()


def test_warm_up_reads_it() -> None:
    assert warm_up() is True


def test_the_forkserver_imports_it_last() -> None:
    assert PRELOAD[-1] == "extractors.warmup"
