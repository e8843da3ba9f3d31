"""Growth counted, not timed: a real ``kpiflow run`` over 2,000 returns under valgrind.

    .venv/bin/python bench/counted_run.py                  # Prefect, 2,000 returns (~30 min)
    .venv/bin/python bench/counted_run.py --plain --returns 600 --window 100

Times on a shared 2-core machine wander: the same work took 17 to 25 ms a
file in 100-file stretches of one run, so a ratio of the last 200 files'
time to the first 200's moves by a third from run to run. Instructions do
not wander. This runs ``kpiflow run`` (a real Prefect flow run with its
temporary server, or ``--plain``) over the growth returns
(``bench/growth.py``: each a month of its own, one warehouse) under
callgrind, and has callgrind dump its count when the first file's report is
written, after the first window, before the last window and after it: the
instructions per file of the last window against the first, in the run's
own process (the flow, Prefect's client and logging included). The reader
and Prefect's server are processes of their own, not counted: the reader's
work depends on the file alone, the server's on time.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[counted] {message}", file=sys.stderr, flush=True)


def _reports(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(1 for p in folder.glob("*.html") if not p.name.startswith("run-"))


def counted_run(n: int, size: int, *, plain: bool) -> dict[str, Any]:
    """Instructions per file of ``kpiflow run`` over n growth returns: first and last windows."""
    from bench.growth import growth_returns
    from bench.realrun import fill_inbox
    from bench.run import clean_env, prepare_prefect_home

    if not plain:
        prepare_prefect_home()
    paths = growth_returns(n)
    # Dumps when this many reports are written: the first file (the run's start),
    # then around each window; the last file's report is followed by the summary.
    marks = [1, 1 + size, n - 1 - size, n - 1]
    with tempfile.TemporaryDirectory(prefix="kpiflow-counted-") as tmp:
        work = Path(tmp)
        fill_inbox(work / "inbox", paths)
        reports = work / "reports"
        args = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/cg.%p",
                sys.executable, "-m", "flows.cli", "run", "--inbox", str(work / "inbox"),
                "--db", str(work / "kpi.db"), "--reports", str(reports),
                "--stable-seconds", "0", *(["--plain"] if plain else [])]  # fmt: skip
        # A fixed hash seed: set and dict orders, and so the work, are the same each time.
        env = clean_env(PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
        log(f"{'kpiflow run --plain' if plain else 'kpiflow run'} over {n} returns under valgrind")
        started = time.monotonic()
        with (work / "output.txt").open("w+") as output:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=output,
                                       stderr=subprocess.STDOUT)  # fmt: skip
            done_at: list[int] = []
            while process.poll() is None:
                done = _reports(reports)
                if len(done_at) < len(marks) and done >= marks[len(done_at)]:
                    # Not waited for: callgrind takes the dump at its next check.
                    subprocess.Popen(["callgrind_control", "-d", f"mark{len(done_at)}",
                                      str(process.pid)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)  # fmt: skip
                    done_at.append(done)
                    log(f"{done} files after {time.monotonic() - started:.0f} s")
                time.sleep(0.1)
            if process.returncode not in (0, 1) or len(done_at) < len(marks):
                output.seek(0)
                raise RuntimeError(f"kpiflow run failed ({process.returncode}): "
                                   f"{output.read()[-2000:]}")  # fmt: skip
        counts = _dumps(work, process.pid)
    # Dump k holds what ran since dump k-1: files done_at[k-1]+1 .. done_at[k].
    first = counts[1] / (done_at[1] - done_at[0])
    last = counts[3] / (done_at[3] - done_at[2])
    return {
        "n": n,
        "window": size,
        "plain": plain,
        "files_at_dumps": done_at,
        "first_per_file": first,
        "middle_per_file": counts[2] / (done_at[2] - done_at[1]),
        "last_per_file": last,
        "ratio": last / first,
        "minutes": round((time.monotonic() - started) / 60, 1),
    }


def _dumps(work: Path, pid: int) -> dict[int, int]:
    """Instructions in each dump, by mark number."""
    counts = {}
    for path in work.glob(f"cg.{pid}.*"):
        text = path.read_text(errors="replace")
        mark = re.search(r"^desc: Trigger: dump mark(\d+)", text, re.MULTILINE)
        total = re.search(r"^summary: (\d+)", text, re.MULTILINE)
        if mark and total:
            counts[int(mark.group(1))] = int(total.group(1))
    return counts


def target(result: dict[str, Any]) -> dict[str, Any]:
    what = "`kpiflow run --plain`" if result["plain"] else "`kpiflow run` (Prefect)"
    size, value = result["window"], result["ratio"]
    return {"target": f"growth (real {what}, instructions of its process per file, valgrind): "
            f"last {size} / first {size}", "value": value, "limit": 1.2, "unit": "x",
            "met": value <= 1.2, "note": f"{result['first_per_file'] / 1e6:.1f}M / "
            f"{result['last_per_file'] / 1e6:.1f}M"}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--returns", type=int, default=2000)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--plain", action="store_true", help="kpiflow run --plain (no Prefect)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "counted.json")
    args = parser.parse_args(argv)
    if args.returns < 2 * args.window + 3:
        parser.error("--returns must be at least twice --window plus 3")
    result = counted_run(args.returns, args.window, plain=args.plain)
    result["targets"] = [target(result)]
    for t in result["targets"]:
        mark = "met    " if t["met"] else "NOT met"
        print(f"  [{mark}] {t['target']}: {t['value']:.3f} (limit {t['limit']:g}x; {t['note']})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
