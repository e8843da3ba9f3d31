"""Micro-benchmark of one file's HTML report: its CPU against pandas writing the same figures.

    .venv/bin/python bench/html_report.py                 # 48 returns, the last 24 measured
    .venv/bin/python bench/html_report.py --returns 72 --rounds 9

The returns (``bench/returns.py``, cached in ``bench/results/data/``) go
through ``flows.runner.run_once`` in a temporary folder, with the report
writer wrapped to keep each file's ``SubmissionReport`` and the history read
wrapped to time it. The last half of the files, whose trend charts show a
full window of warehouse history, are then rendered again and again in this
process, in turns with the baseline, which is ``pandas.DataFrame(rows).to_html()``
of the same figures: the ratio of the two is what to compare between
commits, since the machine's own speed (and other load on it) divides out.
Every chart is also drawn both ways (``trend_chart`` and
``trend_svg(build_trend(...))``) and the two must be the same text.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def capture(n: int) -> tuple[list[Any], list[float]]:
    """Run ``n`` bench returns through ``run_once``; each file's report and history-read CPU."""
    import flows.process
    import flows.reporting
    import reports
    from bench.returns import write_returns
    from flows import runner
    from flows.settings import Settings

    paths = write_returns(ROOT / "bench" / "results" / "data" / "returns", n)
    kept: list[Any] = []
    history_cpu: list[float] = []
    write, read = reports.write_submission_html, flows.reporting.read_history

    def keep(report: Any, path: Any) -> Any:
        kept.append(report)
        return write(report, path)

    def timed_read(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return read(*args, **kwargs)
        finally:
            history_cpu.append(time.process_time() - started)

    reports.write_submission_html = keep  # type: ignore[assignment]
    flows.reporting.read_history = timed_read  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            inbox = work / "inbox"
            inbox.mkdir()
            for i, path in enumerate(paths):
                shutil.copyfile(path, inbox / f"{i:03d}-{path.name}")
            settings = Settings(
                inbox=inbox, db=work / "kpi.db", reports=work / "reports", stable_seconds=0
            )
            runner.run_once(settings)
    finally:
        reports.write_submission_html = write  # type: ignore[assignment]
        flows.reporting.read_history = read  # type: ignore[assignment]
    return kept, history_cpu


def per_file_ms(work: Callable[[], object], files: int, rounds: int) -> float:
    """The least CPU of ``rounds`` runs of ``work`` (over ``files`` files), per file, in ms."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best / files * 1000


def check_charts(kept: list[Any]) -> int:
    """Draw every chart of these reports both ways; they must be the same text."""
    import reports.html as html
    from reports.trend import build_trend
    from reports.trend_svg import trend_svg

    try:
        from reports.trend_svg import trend_chart
    except ImportError:  # a commit from before the one-pass chart: nothing to compare
        return 0

    charts: list[tuple[Any, Any]] = []
    draw = html.trend_chart
    html.trend_chart = lambda points, kpi: charts.append((points, kpi)) or draw(points, kpi)  # type: ignore[assignment]
    try:
        for report in kept:
            html.render_submission_html(report)
    finally:
        html.trend_chart = draw  # type: ignore[assignment]
    for points, kpi in charts:
        trend = build_trend(points, kpi)
        expected = None if trend is None else str(trend_svg(trend))
        drawn = trend_chart(points, kpi)
        assert (None if drawn is None else str(drawn)) == expected, (kpi, points)
    return len(charts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    import pandas as pd

    from reports import render_submission_html

    kept, history_cpu = capture(args.returns)
    steady = kept[len(kept) // 2 :]
    reads = history_cpu[len(history_cpu) // 2 :]
    rows = [[dataclasses.asdict(m) for m in r.measurements] for r in steady]
    files = len(steady)

    def report() -> None:
        for r in steady:
            render_submission_html(r)

    def baseline() -> None:
        for figures in rows:
            pd.DataFrame(figures).to_html()

    report(), baseline()  # warm: templates compiled, caches as a run's later files find them
    report_ms: list[float] = []
    baseline_ms: list[float] = []
    for _ in range(3):  # in turns, so load on the machine falls on both
        report_ms.append(per_file_ms(report, files, args.rounds))
        baseline_ms.append(per_file_ms(baseline, files, args.rounds))
    ours, theirs = min(report_ms), min(baseline_ms)
    history = sum(reads) / len(reads) * 1000
    charts = check_charts(steady)
    drawn = f"{charts} trend charts, drawn alike both ways" if charts else "charts not compared"
    print(f"files measured: {files} (of {len(kept)}); {drawn}")
    print(f"figures per file: {sum(len(r) for r in rows) / files:.0f}; history points per file: "
          f"{sum(len(r.history) for r in steady) / files:.0f}")  # fmt: skip
    print(f"HTML report (render_submission_html): {ours:.2f} ms CPU per file")
    print(f"baseline (pandas DataFrame.to_html of the figures): {theirs:.2f} ms CPU per file")
    print(f"ratio report / baseline: {ours / theirs:.2f}x")
    print(f"history read for the trends (read_history, once per file in the run): {history:.2f} ms")


if __name__ == "__main__":
    main()
