"""Growth: 2,000 distinct returns through one warehouse; does a file cost more as it fills?

    .venv/bin/python bench/growth.py                      # 2,000 returns, plain and Prefect runs
    .venv/bin/python bench/growth.py --returns 600 --no-prefect
    python3 tasks.py bench --growth                       # with the rest of the benchmark

The returns are the benchmark's monthly returns (``bench/returns.py``) for
2,000 consecutive months from April 2016, each with its month header as a date
(as text, "Apr-82" would be read as 2082 and meet the return of a century
earlier as a restatement). So every file is distinct, reports a month of its
own and costs the same to check: only the warehouse differs between the first
file and the last. Compared, in the same process and the same run: the
per-file time of the last 200 files against the first 200 (the first file,
which has no read-ahead and warms caches, left out), as a ratio.

- **plain**: ``flows.runner.run_once`` (what ``kpiflow run --plain`` runs) in
  this process, each file timed by the runner's hooks, wall and this
  process's CPU (the reader child's is not in it), with the phases of
  ``bench/pipeline.py``, so what grows can be named;
- **prefect**: a real ``kpiflow run`` (one Prefect flow run, its own process,
  the temporary Prefect server), each file's time from its report's
  modification time (``bench/realrun.py``);
- **instructions** (when valgrind is installed): what the run's own process
  executes per file, counted by valgrind rather than timed, in a warehouse
  holding the first 200 returns and in one holding all but the last 20
  (copies the plain run took on its way): ``run_once`` over 16 more files
  minus over 4, so imports and the run's start cancel out. The reader child
  is not counted; what it does depends on the file alone.

Times on a shared 2-core machine wander with other work: the same work, file
after file, took from 17 to 25 ms a file in 100-file stretches of one run.
The medians say more than the means; the instruction counts do not wander.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "results" / "data"


def log(message: str) -> None:
    print(f"[growth] {message}", file=sys.stderr, flush=True)


def growth_returns(n: int) -> list[Path]:
    """The n returns, every month header a date (cached in bench/results/data/growth)."""
    from bench.returns import write_returns

    started = time.perf_counter()
    paths = write_returns(DATA / "growth", n, date_headers=True)
    log(f"{n} returns ready in {time.perf_counter() - started:.1f} s")
    return paths


def _window(values: list[float], first: bool, size: int) -> list[float]:
    # The first file has no read-ahead and warms caches: the first window starts after it.
    return values[1 : 1 + size] if first else values[-size:]


def compare(values: list[float], size: int) -> dict[str, float]:
    """First and last windows of per-file seconds: means, medians, and last / first."""
    first, last = _window(values, True, size), _window(values, False, size)
    out = {
        "first_mean_s": statistics.fmean(first),
        "last_mean_s": statistics.fmean(last),
        "first_median_s": statistics.median(first),
        "last_median_s": statistics.median(last),
    }
    out["ratio_mean"] = out["last_mean_s"] / out["first_mean_s"]
    out["ratio_median"] = out["last_median_s"] / out["first_median_s"]
    return out


def plain_growth(
    paths: list[Path], size: int, snapshots: dict[int, Path] | None = None
) -> dict[str, Any]:
    """All the returns through ``run_once`` in this process, one warehouse; per-file times.

    ``snapshots`` maps a number of files to where a copy of the warehouse is
    saved once that many are loaded.
    """
    import sqlite3

    from bench.pipeline import phase_timers
    from bench.realrun import fill_inbox
    from flows import runner
    from flows.settings import Settings

    log(f"plain: {len(paths)} returns through run_once, one warehouse")
    walls: list[float] = []
    cpus: list[float] = []
    phases: list[dict[str, float]] = []
    statuses: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="kpiflow-growth-") as tmp:
        work = Path(tmp)
        fill_inbox(work / "inbox", paths)
        settings = Settings(inbox=work / "inbox", db=work / "kpi.db", reports=work / "reports",
                            stable_seconds=0)  # fmt: skip
        started: list[float] = [0.0, 0.0]

        with phase_timers() as spent:

            def before(_: str) -> None:
                started[:] = [time.perf_counter(), time.process_time()]

            def after(outcome: Any) -> None:
                walls.append(time.perf_counter() - started[0])
                cpus.append(time.process_time() - started[1])
                phases.append(dict(spent))
                statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
                copy = (snapshots or {}).get(len(walls))
                if copy is not None:
                    with sqlite3.connect(settings.db) as source, sqlite3.connect(copy) as dest:
                        source.backup(dest)

            run_started = time.perf_counter()
            runner.run_once(settings, before_file=before, after_file=after)
            total = time.perf_counter() - run_started
        db_bytes = (work / "kpi.db").stat().st_size
    return {
        "n": len(paths),
        "window": size,
        "total_s": total,
        "statuses": statuses,
        "warehouse_mb": round(db_bytes / 1024 / 1024, 1),
        "wall": compare(walls, size),
        "cpu": compare(cpus, size),
        "phases_first_ms": _phases(phases, 1, 1 + size),
        "phases_last_ms": _phases(phases, len(phases) - size, len(phases)),
        "per_file_wall_s": walls,
    }


def paired_growth(paths: list[Path], size: int) -> dict[str, Any]:
    """Each return through the pipeline twice, in turns: into the growing warehouse and a new one.

    ``process_claimed`` (reading included, none ahead) takes file i into the
    warehouse that already holds files 0..i-1, and, just before or after, into
    a new warehouse (a copy of an empty one, the catalogue synced). Whatever
    else the machine is doing falls on both alike, so the growing warehouse's
    time over the new one's, last files against first, is what the
    warehouse's size adds to a file, with other load divided out.
    """
    import shutil

    from core.catalogue import load_catalogue
    from flows.process import process_claimed
    from flows.readahead import read_file
    from flows.settings import Settings
    from warehouse.db import open_warehouse
    from warehouse.loader import sync_catalogue

    log(f"paired: {len(paths)} returns, each into the growing warehouse and into a new one")
    grown: list[float] = []
    new: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kpiflow-growth-") as tmp:
        work = Path(tmp)
        settings = {
            kind: Settings(
                inbox=work / kind,
                db=work / f"{kind}.db",
                reports=work / f"{kind}-reports",
                stable_seconds=0,
            )
            for kind in ("grown", "new")
        }
        catalogue = load_catalogue(settings["grown"].catalogue)
        empty = work / "empty.db"
        for path_db in (empty, settings["grown"].db):
            db = open_warehouse(path_db)
            sync_catalogue(db, catalogue)
            db.close()
        growing = open_warehouse(settings["grown"].db)
        for index, path in enumerate(paths):
            for kind in ("grown", "new") if index % 2 == 0 else ("new", "grown"):
                setup = settings[kind]
                setup.inbox.mkdir(exist_ok=True)
                copy = setup.inbox / path.name
                shutil.copyfile(path, copy)
                if kind == "grown":
                    db = growing
                else:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{setup.db}{suffix}").unlink(missing_ok=True)
                    shutil.copyfile(empty, setup.db)
                    db = open_warehouse(setup.db)
                started = time.perf_counter()
                process_claimed(copy, path.name, catalogue, setup, db, read=read_file)
                (grown if kind == "grown" else new).append(time.perf_counter() - started)
                if kind == "new":
                    db.close()
        growing.close()
    ratios = [g / n for g, n in zip(grown, new, strict=True)]
    return {
        "n": len(paths),
        "window": size,
        "grown": compare(grown, size),
        "new": compare(new, size),
        "grown_over_new": compare(ratios, size),
    }


def _phases(snapshots: list[dict[str, float]], start: int, end: int) -> dict[str, float]:
    """Mean milliseconds per file of each phase over files [start, end)."""
    before = snapshots[start - 1] if start > 0 else {}
    after = snapshots[end - 1]
    return {k: (v - before.get(k, 0.0)) / (end - start) * 1000 for k, v in after.items()}


def prefect_growth(
    paths: list[Path], size: int, kpiflow: str, env: dict[str, str]
) -> dict[str, Any]:
    """All the returns through one real ``kpiflow run`` (a Prefect flow run); per-file times."""
    from bench.realrun import cpu_between, intervals, kpiflow_run

    log(f"prefect: {len(paths)} returns through one real `kpiflow run`")
    run = kpiflow_run(kpiflow, paths, env, plain=False)
    gaps = intervals(run["report_times_s"])
    n = len(paths)
    cpu_first = cpu_between(run["cpu_samples"], 1, 1 + size)
    # Up to the last file but one: after the last report the run writes its summary and stops.
    cpu_last = cpu_between(run["cpu_samples"], n - size - 1, n - 1)
    # gaps[i] is file i+1's time: the first file (with the run's start) has none.
    return {
        "n": n,
        "window": size,
        "wall_s": run["wall_s"],
        "first_report_s": run["report_times_s"][0],
        "statuses": run["statuses"],
        "per_file": compare([float("nan"), *gaps], size),
        "cpu_first_s": cpu_first,
        "cpu_last_s": cpu_last,
        "cpu_ratio": cpu_last / cpu_first,
    }


#: Files ``run_once`` takes under valgrind: per file = (long - short) / (long - short files).
_SHORT, _LONG = 4, 16


def replay(db: Path, start: int, count: int) -> None:
    """``run_once`` over growth returns ``start`` to ``start + count`` into a copy of ``db``."""
    import shutil

    from bench.realrun import fill_inbox
    from flows import runner
    from flows.settings import Settings

    paths = growth_returns(start + count)[start:]
    with tempfile.TemporaryDirectory(prefix="kpiflow-growth-") as tmp:
        work = Path(tmp)
        fill_inbox(work / "inbox", paths)
        shutil.copyfile(db, work / "kpi.db")
        settings = Settings(inbox=work / "inbox", db=work / "kpi.db", reports=work / "reports",
                            stable_seconds=0)  # fmt: skip
        result = runner.run_once(settings)
    if len(result.outcomes) != count:
        raise RuntimeError(f"{len(result.outcomes)} files taken of {count}")


def _instructions(db: Path, start: int, count: int, *, count_them: bool = True) -> int:
    """Instructions valgrind counts in ``replay(db, start, count)``'s process (0: not counted)."""
    import re
    import subprocess

    from bench.run import clean_env

    args = [sys.executable, str(Path(__file__).resolve()), "--replay", str(db), str(start),
            str(count)]  # fmt: skip
    if count_them:
        args = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args]
    # A fixed hash seed: set and dict orders, and so the work, are the same each time.
    env = clean_env(PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if not count_them and done.returncode == 0:
        return 0
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(found.group(1))


def instruction_growth(snapshots: dict[int, Path]) -> dict[str, Any]:
    """Instructions per file of the run's process in each warehouse snapshot (by files held)."""
    out: dict[str, Any] = {"files": [_SHORT, _LONG]}
    for held, db in sorted(snapshots.items()):
        log(f"instructions: {_LONG} and {_SHORT} files into a warehouse of {held} (valgrind)")
        # Bytecode caches first: compiling kpiflow's modules is not a file's cost.
        _instructions(db, held, 1, count_them=False)
        short, long = (_instructions(db, held, count) for count in (_SHORT, _LONG))
        out[str(held)] = (long - short) / (_LONG - _SHORT)
    early, late = (out[str(held)] for held in sorted(snapshots))
    out["held"] = sorted(snapshots)
    out["ratio"] = late / early
    return out


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    paired = result.get("paired")
    if paired:
        value = paired["grown_over_new"]["ratio_median"]
        raw = paired["grown"]["ratio_median"]
        out.append({"target": f"growth (pipeline, paired with a new warehouse): last "
                    f"{paired['window']} / first {paired['window']} per-file time, median",
                    "value": value, "limit": 1.2, "unit": "x", "met": value <= 1.2,
                    "note": f"unpaired {raw:.2f}x"})  # fmt: skip
    counted = result.get("instructions")
    if counted:
        early, late = counted["held"]
        value = counted["ratio"]
        note = f"{counted[str(early)] / 1e6:.1f}M / {counted[str(late)] / 1e6:.1f}M"
        out.append({"target": f"growth (instructions of the run's process per file, valgrind): "
                    f"a warehouse of {late} returns against one of {early}",
                    "value": value, "limit": 1.2, "unit": "x", "met": value <= 1.2,
                    "note": note})  # fmt: skip
    plain = result.get("plain")
    if plain:
        for kind in ("wall", "cpu"):
            value = plain[kind]["ratio_median"]
            out.append({"target": f"growth (plain run_once): last {plain['window']} / first "
                        f"{plain['window']} per-file {kind}, median",
                        "value": value, "limit": 1.2, "unit": "x", "met": value <= 1.2,
                        "note": f"means {plain[kind]['ratio_mean']:.2f}x"})  # fmt: skip
    flow = result.get("prefect")
    if flow:
        value = flow["per_file"]["ratio_median"]
        out.append({"target": f"growth (real `kpiflow run`, Prefect): last {flow['window']} / "
                    f"first {flow['window']} per-file wall, median",
                    "value": value, "limit": 1.2, "unit": "x", "met": value <= 1.2,
                    "note": f"means {flow['per_file']['ratio_mean']:.2f}x"})  # fmt: skip
        value = flow["cpu_ratio"]
        out.append({"target": f"growth (real `kpiflow run`, Prefect): last {flow['window']} / "
                    f"first {flow['window']} per-file CPU of the process tree",
                    "value": value, "limit": 1.2, "unit": "x", "met": value <= 1.2,
                    "note": ""})  # fmt: skip
    return out


def report_lines(result: dict[str, Any]) -> list[str]:
    """The growth rows of the benchmark's table."""
    lines = []

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    plain = result.get("plain")
    if plain:
        w, c, size = plain["wall"], plain["cpu"], plain["window"]
        lines.append(
            f"growth, plain: {plain['n']} returns into one warehouse ({plain['warehouse_mb']} MB) "
            f"in {plain['total_s']:.0f} s"
        )
        lines.append(
            f"  per file, first {size} / last {size}: wall median {ms(w['first_median_s'])} / "
            f"{ms(w['last_median_s'])} ({w['ratio_median']:.2f}x; means {ms(w['first_mean_s'])} / "
            f"{ms(w['last_mean_s'])}, {w['ratio_mean']:.2f}x)"
        )
        lines.append(
            f"  this process's CPU per file: median {ms(c['first_median_s'])} / "
            f"{ms(c['last_median_s'])} ({c['ratio_median']:.2f}x; means {c['ratio_mean']:.2f}x)"
        )
        first, last = plain["phases_first_ms"], plain["phases_last_ms"]
        grown = sorted(first, key=lambda k: -(last.get(k, 0) - first[k]))
        lines.append(
            "  phases, first / last (ms per file): "
            + ", ".join(f"{k} {first[k]:.1f} / {last.get(k, 0):.1f}" for k in grown)
        )
    paired = result.get("paired")
    if paired:
        g, f, r = paired["grown"], paired["new"], paired["grown_over_new"]
        size = paired["window"]
        lines.append(
            f"growth, paired: {paired['n']} returns, each into the growing warehouse and a new one"
        )
        lines.append(
            f"  per file, first {size} / last {size} (medians): growing "
            f"{ms(g['first_median_s'])} / {ms(g['last_median_s'])} ({g['ratio_median']:.2f}x), "
            f"new {ms(f['first_median_s'])} / "
            f"{ms(f['last_median_s'])} ({f['ratio_median']:.2f}x); growing / new "
            f"{r['first_median_s']:.3f} / {r['last_median_s']:.3f} ({r['ratio_median']:.2f}x)"
        )
    counted = result.get("instructions")
    if counted:
        early, late = counted["held"]
        lines.append(
            f"growth, instructions of the run's process per file (valgrind): warehouse of {early} "
            f"returns {counted[str(early)] / 1e6:.1f}M, of {late} {counted[str(late)] / 1e6:.1f}M "
            f"({counted['ratio']:.2f}x)"
        )
    flow = result.get("prefect")
    if flow:
        p = flow["per_file"]
        lines.append(
            f"growth, real `kpiflow run` (Prefect): {flow['n']} returns in {flow['wall_s']:.0f} s "
            f"(first report after {flow['first_report_s']:.1f} s)"
        )
        lines.append(
            f"  per file, first {flow['window']} / last {flow['window']}: median "
            f"{ms(p['first_median_s'])} / {ms(p['last_median_s'])} ({p['ratio_median']:.2f}x; "
            f"means {ms(p['first_mean_s'])} / {ms(p['last_mean_s'])}, {p['ratio_mean']:.2f}x)"
        )
        lines.append(
            f"  CPU of the process tree per file, first / last: {ms(flow['cpu_first_s'])} / "
            f"{ms(flow['cpu_last_s'])} ({flow['cpu_ratio']:.2f}x)"
        )
    return lines


def measure(n: int, size: int, *, prefect: bool, kpiflow: str, env: dict[str, str]) -> dict:
    import shutil

    paths = growth_returns(n)
    result: dict[str, Any] = {"paired": paired_growth(paths, size)}
    counting = shutil.which("valgrind") is not None and n > size + _LONG
    if not counting:
        log("instructions: skipped (no valgrind, or too few returns)")
    with tempfile.TemporaryDirectory(prefix="kpiflow-growth-") as tmp:
        snapshots = {size: Path(tmp) / "early.db", n - _LONG: Path(tmp) / "late.db"}
        result["plain"] = plain_growth(paths, size, snapshots if counting else None)
        if counting:
            result["instructions"] = instruction_growth(snapshots)
    if prefect:
        result["prefect"] = prefect_growth(paths, size, kpiflow, env)
    result["targets"] = targets(result)
    return result


def main(argv: list[str] | None = None) -> int:
    from bench.run import KPIFLOW, clean_env, prepare_prefect_home

    if argv is None and sys.argv[1:2] == ["--replay"]:
        # What ``_instructions`` runs under valgrind: DB START COUNT.
        replay(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--returns", type=int, default=2000)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--no-prefect", action="store_true", help="the plain run only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "growth.json")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if not args.no_prefect:
        prepare_prefect_home()
    result = measure(args.returns, args.window, prefect=not args.no_prefect, kpiflow=KPIFLOW,
                     env=clean_env())  # fmt: skip
    print("\n".join(report_lines(result)))
    for t in result["targets"]:
        mark = "met    " if t["met"] else "NOT met"
        print(f"  [{mark}] {t['target']}: {t['value']:.2f} (limit {t['limit']:g}x; {t['note']})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
