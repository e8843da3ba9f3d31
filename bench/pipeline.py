"""Run kpiflow's pipeline over an inbox and time it, file by file and phase by phase.

``run_plain`` is ``flows.runner.run_once`` (the pipeline without Prefect)
with timing hooks around each file and on the functions ``flows.process`` calls,
so the run's fixed cost (catalogue sync, the run summary, the runs row) and
each file's cost are reported apart.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# (modules, function name, phase label): what process_claimed and its callers
# spend. The function is wrapped in the first module that has it: flows.process
# imports some of them where they are used, from the module named after it.
PHASES = (
    (("flows.runner",), "load_catalogue", "catalogue"),
    (("flows.runner",), "open_warehouse", "open warehouse"),
    (("flows.process",), "sha256_of", "sha256"),
    # The next file's read is begun (preflight, child started) before this one is
    # checked; its child reads meanwhile, and "wait" is what is left when it is taken.
    (("flows.readahead",), "begin_read", "read: preflight + start child"),
    (("flows.readahead",), "wait_read", "read: wait for the child"),
    (("flows.process",), "validate_observations", "validate (pandera)"),
    (("flows.process",), "assess_extraction", "rules"),
    (("flows.process", "warehouse.loader"), "current_values", "restatement lookup"),
    (("flows.process", "reports"), "annotate_workbook", "annotated copy"),
    (("flows.process", "reports"), "write_submission_html", "HTML report"),
    (("flows.process", "reports"), "write_exceptions_csv", "CSV"),
    (("flows.process", "warehouse.loader"), "load_submission", "load (sqlite-utils)"),
    (("flows.process",), "settle", "move file"),
)


@contextmanager
def phase_timers() -> Iterator[dict[str, float]]:
    """Wrap the phase functions with timers for the duration of the block."""
    import importlib

    spent: dict[str, float] = defaultdict(float)
    undo: list[tuple[Any, str, Any]] = []

    def timed(label: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        return wrapper

    for module_names, name, label in PHASES:
        for module_name in module_names:
            module = importlib.import_module(module_name)
            if hasattr(module, name):
                original = getattr(module, name)
                undo.append((module, name, original))
                setattr(module, name, timed(label, original))
                break
    try:
        yield spent
    finally:
        for module, name, original in undo:
            setattr(module, name, original)


def run_plain(inbox: Path, work: Path) -> dict[str, Any]:
    """Take every file in ``inbox`` through ``run_once``; warehouse and reports go in ``work``."""
    from flows import runner
    from flows.settings import Settings

    settings = Settings(inbox=inbox, db=work / "kpi.db", reports=work / "reports", stable_seconds=0)
    per_file: list[float] = []
    statuses: dict[str, int] = defaultdict(int)

    started_file = 0.0

    def before(name: str) -> None:
        nonlocal started_file
        started_file = time.perf_counter()

    def after(outcome: Any) -> None:
        per_file.append(time.perf_counter() - started_file)
        statuses[outcome.status] += 1

    with phase_timers() as spent:
        started = time.perf_counter()
        runner.run_once(settings, before_file=before, after_file=after)
        total = time.perf_counter() - started
    files = sum(per_file)
    return {
        "total_s": total,
        "files_s": files,
        "fixed_s": total - files,
        "per_file_s": per_file,
        "phases_s": dict(spent),
        "statuses": dict(statuses),
    }
