"""Many real runs killed at their crash points, paying for the imports once.

    python -m tests.crashrun < cases.json

Reads a JSON list of ``{"inbox", "db", "reports", "crash_at"}``, imports the
pipeline once, then forks one child per case (this process has no threads,
so forking is safe) that runs ``run_once`` with ``KPIFLOW_CRASH_AT`` set: a
real process, really SIGKILLed at its point. Prints one JSON list: each
child's exit status as ``os.waitstatus_to_exitcode`` gives it (-9 for SIGKILL).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

from flows.runner import run_once
from flows.settings import Settings


def main() -> int:
    cases = json.load(sys.stdin)
    children = []
    for case in cases:
        pid = os.fork()
        if pid == 0:  # the child: one run, killed (or not) at its point
            os.environ["KPIFLOW_CRASH_AT"] = case["crash_at"]
            status = 0
            try:
                run_once(Settings(inbox=Path(case["inbox"]), db=Path(case["db"]),
                                  reports=Path(case["reports"]), stable_seconds=0))  # fmt: skip
            except BaseException:
                traceback.print_exc()
                status = 1
            finally:
                os._exit(status)
        children.append(pid)
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    print(json.dumps(statuses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
