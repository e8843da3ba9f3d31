"""kpiflow's benchmark: the pipeline against a naive loader and against the reader floor.

    python3 tasks.py bench                 # 120 returns + a 100,000 x 20 call-log return
    python3 tasks.py bench --quick         # 12 returns, a 10,000-row call log, no test suite
    .venv/bin/python bench/run.py --returns 60 --out bench/results/latest.json

One command, one run: it generates the workbooks (cached in
``bench/results/data/``), measures, prints a table of times and ratios with
the issue's targets, and writes everything to a JSON file (default
``bench/results/latest.json``). See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.memory import TreeSampler, tree  # noqa: E402

PYTHON = sys.executable
KPIFLOW = str(Path(PYTHON).with_name("kpiflow"))
DATA = ROOT / "bench" / "results" / "data"
PREFECT_HOME = ROOT / "bench" / "results" / "prefect-home"
MB = 1024 * 1024


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    versions = {}
    for name in ("openpyxl", "python-calamine", "pandas", "pandera", "prefect", "sqlite-utils"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for measured processes: no Prefect server, a bench Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KPIFLOW_"))}
    # Cold starts as users get them: with cached bytecode (this sandbox sets
    # PYTHONDONTWRITEBYTECODE, which would recompile kpiflow on every start).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PREFECT_HOME"] = str(PREFECT_HOME)
    env.update(extra)
    return env


def wall(args: list[str], env: dict[str, str], reps: int) -> list[float]:
    """Wall-clock seconds of ``reps`` runs of a command (output discarded)."""
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)  # fmt: skip
        times.append(time.perf_counter() - started)
    return times


def in_child(mode: str, path: Path, timeout: float = 900) -> dict[str, Any]:
    """Run ``bench/heavy.py MODE PATH`` and sample its process tree's memory."""
    args = [PYTHON, str(ROOT / "bench" / "heavy.py"), mode, str(path)]
    process = subprocess.Popen(args, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE)
    with process, TreeSampler(process.pid, interval=0.05) as sampler:
        out, _ = process.communicate(timeout=timeout)
    result: dict[str, Any] = json.loads(out)
    result["peak_tree_mb"] = round(sampler.peak_total / MB)
    result["peak_process_mb"] = round(max(sampler.peak_by_pid.values(), default=0) / MB)
    return result


def tree_cpu_seconds() -> float:
    """User + system CPU seconds of this process and its living descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree(os.getpid()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_until_idle(limit: float = 120.0) -> None:
    """Wait until this process tree uses under 6% of a core over half a second."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = tree_cpu_seconds()
        time.sleep(0.5)
        if tree_cpu_seconds() - before < 0.03:
            return


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------


def generate(n: int, heavy_rows: int) -> tuple[list[Path], Path]:
    from bench.returns import write_heavy, write_returns

    started = time.perf_counter()
    paths = write_returns(DATA / "returns", n)
    heavy = write_heavy(DATA, heavy_rows)
    log(f"workbooks ready in {time.perf_counter() - started:.1f} s ({DATA})")
    return paths, heavy


def prepare_prefect_home() -> None:
    """Create the bench's Prefect database once (what ``tasks.py`` does for .prefect/)."""
    if (PREFECT_HOME / "prefect.db").exists():
        return
    log("preparing the bench's Prefect home (once)")
    subprocess.run([KPIFLOW, "init"], cwd=ROOT, env=clean_env(), check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def measure_returns(paths: list[Path]) -> dict[str, Any]:
    """Floor, naive baseline and the plain pipeline over the same N returns, in this process."""
    from bench.baseline import NaiveLoader, calamine_floor
    from bench.pipeline import run_plain
    from core.sandbox import run_isolated

    n = len(paths)
    log(f"floor: calamine over {n} returns")
    started = time.perf_counter()
    cells = sum(calamine_floor(p) for p in paths)
    floor_s = time.perf_counter() - started

    log(f"baseline: pandas.read_excel + pandera + to_sql over {n} returns")
    baseline_files = []
    with tempfile.TemporaryDirectory() as tmp:
        loader = NaiveLoader(Path(tmp) / "naive.db")
        for path in paths:
            started = time.perf_counter()
            loader.load(path)
            baseline_files.append(time.perf_counter() - started)
        loader.close()

    log(f"pipeline: kpiflow run --plain's loop over {n} returns")
    started = time.perf_counter()
    run_isolated(os.getpid, timeout_s=60, memory_bytes=2 * 1024**3)
    forkserver_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for path in paths:
            shutil.copy(path, inbox / path.name)
        pipeline = run_plain(inbox, Path(tmp))
    per_file = pipeline["files_s"] / n
    baseline_per_file = sum(baseline_files) / n
    return {
        "n": n,
        "cells": cells,
        "floor": {"total_s": floor_s, "per_file_s": floor_s / n},
        "baseline": {
            "total_s": sum(baseline_files),
            "per_file_s": baseline_per_file,
            "per_file_median_s": median(baseline_files),
        },
        "pipeline": {
            "total_s": pipeline["total_s"],
            "fixed_s": pipeline["fixed_s"],
            "forkserver_start_s": forkserver_s,
            "files_s": pipeline["files_s"],
            "per_file_s": per_file,
            "per_file_median_s": median(pipeline["per_file_s"]),
            "first_file_s": pipeline["per_file_s"][0] if pipeline["per_file_s"] else None,
            "phases_per_file_s": {k: v / n for k, v in pipeline["phases_s"].items()},
            "statuses": pipeline["statuses"],
        },
        "ratios": {
            "pipeline_vs_baseline": per_file / baseline_per_file,
            "pipeline_vs_floor": per_file / (floor_s / n),
        },
    }


def measure_real_runs(paths: list[Path], reps: int, prefect: bool) -> dict[str, Any]:
    """What a file costs a real ``kpiflow run`` (Prefect, ``--plain``) and the lean baseline.

    Each round runs the lean baseline over the N returns in this process,
    then ``kpiflow run --plain`` and ``kpiflow run`` as the commands users
    run, each over the same N returns in a fresh warehouse. A run's cost per
    file is the time between consecutive files' reports, and the CPU its
    whole process tree spends per file in the steady state
    (``bench/realrun.py``); the one-off start is left out, as the baseline's
    imports are. Ratios are taken within a round (other work on a shared
    machine comes and goes between rounds), then the median over the rounds.
    """
    from bench.baseline import LeanLoader
    from bench.realrun import kpiflow_run, per_file

    n = len(paths)
    env = clean_env()
    rounds: list[dict[str, Any]] = []
    kinds = ["plain", "prefect"] if prefect else ["plain"]
    for rep in range(reps):
        log(f"real runs {rep + 1}/{reps}: lean baseline, then kpiflow run {' and '.join(kinds)}")
        done: dict[str, Any] = {}
        with tempfile.TemporaryDirectory() as tmp:
            loader = LeanLoader(Path(tmp) / "lean.db")
            loader.load(paths[0])  # imports and first-call costs, as the runs' start
            started, cpu = time.perf_counter(), time.process_time()
            for path in paths:
                loader.load(path)
            done["lean"] = {"per_file_s": (time.perf_counter() - started) / n,
                            "cpu_per_file_s": (time.process_time() - cpu) / n}  # fmt: skip
            loader.close()
        for kind in kinds:
            run = kpiflow_run(KPIFLOW, paths, env, plain=kind == "plain")
            per = per_file(run["report_times_s"])
            done[kind] = {"wall_s": run["wall_s"], "per_file_s": per,
                          "cpu_per_file_s": run["cpu_per_file_s"],
                          "one_off_s": run["wall_s"] - per * n}  # fmt: skip
        rounds.append(done)
    out: dict[str, Any] = {"n": n, "reps": reps, "rounds": rounds}
    for kind in ["lean", *kinds]:
        out[kind] = {key: median([r[kind][key] for r in rounds]) for key in rounds[0][kind]}
        if kind != "lean":
            out[kind]["vs_lean"] = median(
                [r[kind]["per_file_s"] / r["lean"]["per_file_s"] for r in rounds]
            )
            out[kind]["cpu_vs_lean"] = median(
                [r[kind]["cpu_per_file_s"] / r["lean"]["cpu_per_file_s"] for r in rounds]
            )
    return out


def measure_heavy(path: Path) -> dict[str, Any]:
    """The heavy workbook, each measurement in a process of its own."""
    out: dict[str, Any] = {"file": path.name, "bytes": path.stat().st_size}
    for mode in ("floor", "extract", "pipeline", "baseline"):
        log(f"heavy: {mode}")
        out[mode] = in_child(mode, path)
    out["cells"] = out["floor"]["cells"]
    floor = out["floor"]["seconds"]
    out["ratios"] = {
        "extract_vs_floor": out["extract"]["seconds"] / floor,
        "pipeline_vs_floor": out["pipeline"]["seconds"] / floor,
        "pipeline_vs_baseline": out["pipeline"]["seconds"] / out["baseline"]["seconds"],
    }
    return out


_PROBE = (
    "import json, sys\n"
    "from flows.cli import main\n"
    "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
    "mods = ('pandas', 'pandera', 'openpyxl', 'prefect')\n"
    "print(json.dumps({m: m in sys.modules for m in mods}), file=sys.stderr)\n"
)


def imported_by(args: list[str]) -> dict[str, bool]:
    """Which heavy modules a kpiflow command imports."""
    done = subprocess.run([PYTHON, "-c", _PROBE, *args], cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, check=False)  # fmt: skip
    return dict(json.loads(done.stderr.strip().splitlines()[-1]))


def measure_cold(sample: Path, reps: int, prefect_reps: int) -> dict[str, Any]:
    """Whole processes, started cold: imports, --help, validate, run with and without Prefect."""
    env = clean_env()
    log("cold start: import floors, --help, validate")
    wall([KPIFLOW, "validate", str(sample)], env, 1)  # writes bytecode caches, not timed
    floor = wall([PYTHON, "-c", "import openpyxl, pandas, pandera.pandas"], env, reps)
    prefect = wall([PYTHON, "-c", "import prefect"], env, reps)
    help_ = wall([KPIFLOW, "--help"], env, reps)
    validate = wall([KPIFLOW, "validate", str(sample)], env, reps)
    out: dict[str, Any] = {
        "import_floor_s": median(floor),
        "import_prefect_s": median(prefect),
        "help_s": median(help_),
        "help_imports": imported_by(["--help"]),
        "validate_s": median(validate),
        "validate_imports": imported_by(["validate", str(sample)]),
    }

    def run_once(plain: bool) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            inbox = Path(tmp) / "inbox"
            inbox.mkdir()
            shutil.copy(sample, inbox / sample.name)
            args = [KPIFLOW, "run", "--inbox", str(inbox), "--db", f"{tmp}/kpi.db",
                    "--reports", f"{tmp}/reports", "--stable-seconds", "0"]  # fmt: skip
            return wall([*args, "--plain"] if plain else args, env, 1)[0]

    log("cold start: kpiflow run --plain and kpiflow run (temporary Prefect server)")
    out["run_plain_s"] = median([run_once(True) for _ in range(reps)])
    out["run_prefect_s"] = median([run_once(False) for _ in range(prefect_reps)])
    return out


_SERVER_START = (
    "import time\n"
    "from prefect.server.api.server import SubprocessASGIServer\n"
    "server = SubprocessASGIServer()\n"
    "started = time.perf_counter()\n"
    "server.start()\n"
    "print(time.perf_counter() - started)\n"
    "server.stop()\n"
)


def measure_prefect(paths: list[Path], reps: int) -> dict[str, Any]:
    """Prefect: the temporary server's start, then in this process a flow run's cost.

    The flow runs no task per file, so Prefect's cost should be one flow run
    per inbox scan. Checked on the N returns: the same files through the plain
    loop (``run_once``) and through the flow, each timed and charged the CPU
    the whole process tree spends until idle again (the server records a
    run's events after it ends); what the flow costs beyond the plain loop and
    beyond an empty flow run, divided by N, is Prefect's cost per file.
    """
    log("prefect: temporary server start (its own process)")
    env = clean_env(PREFECT_SERVER_ANALYTICS_ENABLED="false",
                    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")  # fmt: skip
    starts = []
    for _ in range(reps):
        done = subprocess.run([PYTHON, "-c", _SERVER_START], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)  # fmt: skip
        starts.append(float(done.stdout.strip().splitlines()[-1]))

    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_HOME"] = str(PREFECT_HOME)
    from flows.cli import prepare_prefect

    prepare_prefect()
    log("prefect: import, empty runs, then the N returns plain and in one flow run")
    started = time.perf_counter()
    import prefect  # noqa: F401

    import_s = time.perf_counter() - started
    from flows.monthly import run_inbox
    from flows.runner import run_once
    from flows.settings import Settings

    def over(files: list[Path], use_flow: bool) -> tuple[float, float]:
        """Wall time of one run over ``files``, and the CPU its process tree spends until idle."""
        with tempfile.TemporaryDirectory() as tmp:
            inbox = Path(tmp) / "inbox"
            inbox.mkdir()
            for path in files:
                shutil.copy(path, inbox / path.name)
            wait_until_idle()
            cpu = tree_cpu_seconds()
            started = time.perf_counter()
            settings = Settings(inbox=inbox, db=Path(tmp) / "kpi.db",
                                reports=Path(tmp) / "reports", stable_seconds=0)  # fmt: skip
            if use_flow:
                run_inbox(settings.parameters())
            else:
                run_once(settings)
            wall = time.perf_counter() - started
            wait_until_idle()
            return wall, tree_cpu_seconds() - cpu

    n = len(paths)
    first, _ = over([], True)  # starts this process's temporary server
    empty = [over([], True) for _ in range(reps)]
    plain_wall, plain_cpu = over(paths, False)
    flow_wall, flow_cpu = over(paths, True)
    empty_wall = median([w for w, _ in empty])
    empty_cpu = median([c for _, c in empty])
    return {
        "server_start_s": median(starts),
        "server_start_all_s": starts,
        "import_s": import_s,
        "first_flow_s": first,
        "empty_flow_s": empty_wall,
        "empty_flow_all_s": [w for w, _ in empty],
        "empty_flow_cpu_s": empty_cpu,
        "n": n,
        "plain_n_s": plain_wall,
        "plain_n_cpu_s": plain_cpu,
        "flow_n_s": flow_wall,
        "flow_n_cpu_s": flow_cpu,
        "per_file_s": (flow_wall - empty_wall - plain_wall) / n,
        "cpu_per_file_s": (flow_cpu - empty_cpu - plain_cpu) / n,
    }


def measure_suite() -> dict[str, Any]:
    log("test suite: pytest -n 2 --dist loadfile (as tasks.py test runs it)")
    args = [PYTHON, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env={**os.environ}, capture_output=True, text=True,
                          check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    summary = next((x for x in reversed(lines) if re.search(r"\d+ (passed|failed)", x)), "")
    failed = [x for x in lines if x.startswith(("FAILED", "ERROR"))]
    return {
        "seconds": seconds,
        "returncode": done.returncode,
        "summary": summary.strip("= ") or f"exit status {done.returncode}",
        "failed": failed,
    }


def profile_returns(paths: list[Path], out: Path) -> None:
    """cProfile of the plain pipeline over the returns (a separate pass: it slows the run)."""
    import cProfile
    import io
    import pstats

    from bench.pipeline import run_plain

    log(f"profile: cProfile of the pipeline over {len(paths)} returns -> {out}")
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for path in paths:
            shutil.copy(path, inbox / path.name)
        profiler = cProfile.Profile()
        profiler.enable()
        run_plain(inbox, Path(tmp))
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.strip_dirs().sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    out.write_text(text.getvalue())


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    out = []

    def target(name: str, value: float, limit: float, unit: str, note: str = "") -> None:
        out.append({"target": name, "value": value, "limit": limit, "unit": unit,
                    "met": value <= limit, "note": note})  # fmt: skip

    ret = r["returns"]
    target("pipeline per file / naive baseline per file (N returns)",
           ret["ratios"]["pipeline_vs_baseline"], 1.5, "x")  # fmt: skip
    real = r.get("real_runs")
    if real:
        for kind, label in (("plain", "kpiflow run --plain"), ("prefect", "kpiflow run (Prefect)")):
            if kind in real:
                target(f"real `{label}` per file / lean baseline per file, wall",
                       real[kind]["vs_lean"], 1.5, "x")  # fmt: skip
                if real[kind]["cpu_vs_lean"] == real[kind]["cpu_vs_lean"]:  # too few files: NaN
                    target(f"real `{label}` per file / lean baseline per file, CPU",
                           real[kind]["cpu_vs_lean"], 1.5, "x")  # fmt: skip
    if "prefect" in r:
        target("Prefect CPU per file (flow over N - plain run - empty flow, / N)",
               r["prefect"]["cpu_per_file_s"] * 1000, 5.0, "ms",
               "Prefect's per-run cost is printed above")  # fmt: skip
    heavy = r.get("heavy")
    if heavy:
        target("heavy: extraction / calamine floor", heavy["ratios"]["extract_vs_floor"], 3.0, "x")
        target("heavy: extraction peak memory (process tree)",
               heavy["extract"]["peak_tree_mb"], 1024, "MB")  # fmt: skip
        target("heavy: whole pipeline / calamine floor", heavy["ratios"]["pipeline_vs_floor"],
               3.0, "x")  # fmt: skip
        target("heavy: whole pipeline peak memory (process tree)",
               heavy["pipeline"]["peak_tree_mb"], 1024, "MB")  # fmt: skip
    cold = r["cold_start"]
    target("kpiflow validate cold start / import floor",
           cold["validate_s"] / cold["import_floor_s"], 1.3, "x",
           f"Prefect imported: {cold['validate_imports']['prefect']}")  # fmt: skip
    target("kpiflow --help imports pandas", float(cold["help_imports"]["pandas"]), 0.0, "bool")
    target("kpiflow validate imports Prefect", float(cold["validate_imports"]["prefect"]), 0.0,
           "bool")  # fmt: skip
    if "suite" in r:
        target("test suite", r["suite"]["seconds"], 120.0, "s",
               r["suite"]["summary"])  # fmt: skip
    out.extend(r.get("growth", {}).get("targets", []))
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def print_report(r: dict[str, Any]) -> None:
    m = r["machine"]
    ret = r["returns"]
    lines = [
        "",
        f"kpiflow bench, {m['date']}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, {m['os']}",
        "versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        "",
        f"{'measure':<58}{'total':>12}{'per file':>12}  ratio / note",
        "-" * 110,
    ]

    def row(name: str, total: str, per: str = "", note: str = "") -> None:
        lines.append(f"{name:<58}{total:>12}{per:>12}  {note}".rstrip())

    n = ret["n"]
    row(f"{n} returns: calamine floor ({ret['cells']:,} cells)",
        secs(ret["floor"]["total_s"]), ms(ret["floor"]["per_file_s"]))  # fmt: skip
    row(f"{n} returns: naive baseline (read_excel+pandera+to_sql)",
        secs(ret["baseline"]["total_s"]), ms(ret["baseline"]["per_file_s"]),
        f"median {ms(ret['baseline']['per_file_median_s'])}")  # fmt: skip
    p = ret["pipeline"]
    row(
        f"{n} returns: kpiflow pipeline (plain), files",
        secs(p["files_s"]),
        ms(p["per_file_s"]),
        f"{ret['ratios']['pipeline_vs_baseline']:.2f}x baseline, "
        f"{ret['ratios']['pipeline_vs_floor']:.0f}x floor; median {ms(p['per_file_median_s'])}",
    )
    row(
        "  fixed start-up: run bookkeeping + reader forkserver",
        secs(p["fixed_s"] + p["forkserver_start_s"]),
        "",
        f"run {secs(p['fixed_s'])}, forkserver {secs(p['forkserver_start_s'])}",
    )
    phases = sorted(p["phases_per_file_s"].items(), key=lambda kv: -kv[1])
    for name, seconds in phases:
        row(f"    {name}", "", ms(seconds))
    real = r.get("real_runs")
    if real:
        n, lean = real["n"], real["lean"]
        row(f"{n} returns: lean baseline (2 KPI sheets: read_excel+pandera+to_sql)", "",
            ms(lean["per_file_s"]), f"CPU {ms(lean['cpu_per_file_s'])}; rounds "
            + ", ".join(ms(x["lean"]["per_file_s"]) for x in real["rounds"]))  # fmt: skip
        for kind, label in (("plain", "kpiflow run --plain"), ("prefect", "kpiflow run")):
            if kind in real:
                k = real[kind]
                row(f"{n} returns: real `{label}`, per file (reports' times)",
                    secs(k["wall_s"]), ms(k["per_file_s"]),
                    f"{k['vs_lean']:.2f}x lean; CPU {ms(k['cpu_per_file_s'])}, "
                    f"{k['cpu_vs_lean']:.2f}x; one-off {secs(k['one_off_s'])}; rounds "
                    + ", ".join(ms(x[kind]["per_file_s"]) for x in real["rounds"]))  # fmt: skip
    heavy = r.get("heavy")
    if heavy:
        cells = f"{heavy['cells']:,} cells"
        row(f"heavy ({cells}): calamine floor", secs(heavy["floor"]["seconds"]), "",
            f"peak {heavy['floor']['peak_tree_mb']} MB")  # fmt: skip
        row("heavy: naive baseline", secs(heavy["baseline"]["seconds"]), "",
            f"peak {heavy['baseline']['peak_tree_mb']} MB")  # fmt: skip
        row("heavy: kpiflow extraction (preflight + sandboxed read)",
            secs(heavy["extract"]["seconds"]), "",
            f"{heavy['ratios']['extract_vs_floor']:.2f}x floor, "
            f"peak {heavy['extract']['peak_tree_mb']} MB (tree)")  # fmt: skip
        row("heavy: kpiflow pipeline (plain)", secs(heavy["pipeline"]["seconds"]), "",
            f"{heavy['ratios']['pipeline_vs_floor']:.2f}x floor, "
            f"{heavy['ratios']['pipeline_vs_baseline']:.2f}x baseline, "
            f"peak {heavy['pipeline']['peak_tree_mb']} MB (tree)")  # fmt: skip
        for name, seconds in sorted(heavy["pipeline"]["phases"].items(), key=lambda kv: -kv[1])[:3]:
            row(f"    {name}", secs(seconds))
    c = r["cold_start"]
    row("cold: python -c 'import openpyxl, pandas, pandera.pandas'", secs(c["import_floor_s"]))
    row("cold: python -c 'import prefect'", secs(c["import_prefect_s"]))
    row("cold: kpiflow --help", secs(c["help_s"]), "",
        f"imports pandas: {c['help_imports']['pandas']}")  # fmt: skip
    row("cold: kpiflow validate FILE", secs(c["validate_s"]), "",
        f"{c['validate_s'] / c['import_floor_s']:.2f}x import floor; "
        f"imports Prefect: {c['validate_imports']['prefect']}")  # fmt: skip
    row("cold: kpiflow run --plain (1 file)", secs(c["run_plain_s"]))
    row("cold: kpiflow run (1 file, temporary Prefect server)", secs(c["run_prefect_s"]), "",
        f"+{secs(c['run_prefect_s'] - c['run_plain_s'])} for Prefect")  # fmt: skip
    pf = r.get("prefect")
    if pf:
        row("prefect: temporary server start (own process, median)",
            secs(pf["server_start_s"]), "",
            "runs: " + ", ".join(secs(x) for x in pf["server_start_all_s"]))  # fmt: skip
        row("prefect: import (in process)", secs(pf["import_s"]))
        row("prefect: first flow run in a process (server start incl.)",
            secs(pf["first_flow_s"]))  # fmt: skip
        row("prefect: one flow run, empty inbox (median)", secs(pf["empty_flow_s"]), "",
            "runs: " + ", ".join(secs(x) for x in pf["empty_flow_all_s"]))  # fmt: skip
        row(f"prefect: the {pf['n']} returns, plain run_once", secs(pf["plain_n_s"]), "",
            f"CPU until idle {secs(pf['plain_n_cpu_s'])}")  # fmt: skip
        row(f"prefect: the {pf['n']} returns, one flow run", secs(pf["flow_n_s"]), "",
            f"CPU until idle {secs(pf['flow_n_cpu_s'])}")  # fmt: skip
        row("prefect: per file beyond the plain run and an empty flow", "",
            ms(pf["per_file_s"]), f"CPU {ms(pf['cpu_per_file_s'])}")  # fmt: skip
    if "suite" in r:
        row("test suite: pytest -n 2 --dist loadfile", secs(r["suite"]["seconds"]), "",
            r["suite"]["summary"])  # fmt: skip
    if "growth" in r:
        from bench.growth import report_lines

        lines += report_lines(r["growth"])
    lines += ["", "targets:"]
    for t in r["targets"]:
        mark = "met    " if t["met"] else "NOT met"
        value = t["value"]
        shown = f"{value:.2f}" if t["unit"] != "bool" else str(bool(value))
        limit = f"{t['limit']:g}" if t["unit"] != "bool" else "False"
        note = f"  ({t['note']})" if t["note"] else ""
        lines.append(f"  [{mark}] {t['target']}: {shown} (limit {limit} {t['unit']}){note}")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--returns", type=int, default=None, help="monthly returns (default 120)")
    parser.add_argument(
        "--heavy-rows",
        type=int,
        default=None,
        help="rows of the heavy return's call log (default 100000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="12 returns, a 10,000-row call log, fewer repeats, no test suite",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--no-prefect", action="store_true", help="skip the Prefect measurements")
    parser.add_argument("--no-heavy", action="store_true", help="skip the heavy workbook")
    parser.add_argument("--no-suite", action="store_true", help="skip timing the test suite")
    parser.add_argument("--growth", type=int, nargs="?", const=2000, default=0,
                        help="also the growth scenario: N distinct returns (default 2,000) "
                        "through one warehouse, plain and in a real `kpiflow run`")  # fmt: skip
    parser.add_argument("--profile", type=Path, nargs="?", const=ROOT / "bench" / "results" /
                        "profile.txt", help="also write a cProfile of the pipeline over the "
                        "returns (default bench/results/profile.txt)")  # fmt: skip
    args = parser.parse_args(argv)
    n = args.returns or (12 if args.quick else 120)
    heavy_rows = args.heavy_rows or (10_000 if args.quick else 100_000)
    reps = 3 if args.quick else 5
    os.chdir(ROOT)

    result: dict[str, Any] = {
        "machine": machine(),
        "config": {"returns": n, "heavy_rows": heavy_rows, "quick": args.quick},
    }
    paths, heavy = generate(n, heavy_rows)
    if not args.no_prefect:
        prepare_prefect_home()
    if not args.no_heavy:
        result["heavy"] = measure_heavy(heavy)
    result["returns"] = measure_returns(paths)
    result["real_runs"] = measure_real_runs(paths, 1 if args.quick else 3, not args.no_prefect)
    if args.profile:
        profile_returns(paths, args.profile)
    result["cold_start"] = measure_cold(paths[min(38, n - 1)], reps,
                                        0 if args.no_prefect else 2)  # fmt: skip
    if not (args.quick or args.no_suite):
        # Before Prefect starts a server in this process: the suite wants both cores.
        wait_until_idle()
        result["suite"] = measure_suite()
    if args.no_prefect:
        result["cold_start"]["run_prefect_s"] = float("nan")
    else:
        reps_prefect = 2 if args.quick else 3
        result["prefect"] = measure_prefect(paths, reps_prefect)
    if args.growth:
        from bench.growth import measure as measure_growth

        wait_until_idle()
        result["growth"] = measure_growth(args.growth, min(200, args.growth // 10),
                                          prefect=not args.no_prefect, kpiflow=KPIFLOW,
                                          env=clean_env())  # fmt: skip
    result["targets"] = targets(result)
    print_report(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
