"""CPU of ``validate_observations`` per file, as a ratio to the lean baseline's pandera schema.

    .venv/bin/python bench/validate.py [--returns 60] [--rounds 9]

The bench returns are read once (as a run reads them); then, in turns,
``schemas.adapter.validate_observations`` takes each file's observations and
the lean baseline's schema (``bench/baseline.py``, ``LeanLoader``: six columns,
three checks, coerced) validates the same figures in the frame that loader
builds. Each round is CPU time (``time.process_time``) over every file; the
medians are printed with their ratio. The ratio, not the milliseconds, is what
to compare between runs and machines: both sides share the process, the
machine's load and pandas' speed.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def observations_of(paths: list[Path]) -> list[list[Any]]:
    """Each return's observations, read as ``kpiflow run`` reads them."""
    from core.catalogue import load_catalogue
    from flows.readahead import read_file
    from flows.settings import Settings

    catalogue = load_catalogue()
    settings = Settings(inbox=ROOT / "inbox", db=ROOT / "unused.db", stable_seconds=0)
    return [
        list(read_file(path, path.name, settings, catalogue.ref_book()).observations)
        for path in paths
    ]


def baseline_frame(path: Path, observations: list[Any]) -> Any:
    """The frame ``LeanLoader`` validates for these figures (its columns, its dtypes)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "file": path.name,
            "sheet": [o.sheet for o in observations],
            "kpi_ref": [o.kpi_ref for o in observations],
            "period": [o.period for o in observations],
            "actual": pd.to_numeric(pd.Series([o.actual for o in observations]), errors="coerce"),
            "raw": [o.raw for o in observations],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=60, help="bench returns (default 60)")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds of each (default 9)")
    args = parser.parse_args()

    import pandera.pandas as pa

    from bench.baseline import LeanLoader
    from bench.run import generate
    from core.catalogue import load_catalogue
    from schemas.adapter import validate_observations

    paths, _ = generate(args.returns, 10000)
    figures = observations_of(paths)
    catalogue = load_catalogue()
    loader = LeanLoader(Path(":memory:"))
    frames = [baseline_frame(p, obs) for p, obs in zip(paths, figures, strict=True)]

    def ours() -> int:
        records = 0
        for observations in figures:
            records += len(validate_observations(observations, catalogue))
        return records

    def baseline() -> None:
        for frame in frames:
            # Lazy, as ours: a frame that fails its checks raises once, at the end.
            with contextlib.suppress(pa.errors.SchemaErrors):
                loader.schema.validate(frame, lazy=True)

    records = ours()  # warm: the schema is built once per catalogue
    baseline()
    spent: dict[str, list[float]] = {"validate_observations": [], "lean baseline schema": []}
    for _ in range(args.rounds):
        for label, run in (("validate_observations", ours), ("lean baseline schema", baseline)):
            started = time.process_time()
            run()
            spent[label].append((time.process_time() - started) * 1000 / len(figures))
    loader.close()

    n_obs = sum(map(len, figures))
    print(f"{len(figures)} returns, {n_obs / len(figures):.1f} figures and "
          f"{records / len(figures):.1f} schema records a file; {args.rounds} rounds")  # fmt: skip
    for label, times in spent.items():
        print(f"  {label:24s} {statistics.median(times):6.2f} ms CPU a file "
              f"(min {min(times):.2f}, max {max(times):.2f})")  # fmt: skip
    ratio = statistics.median(spent["validate_observations"]) / statistics.median(
        spent["lean baseline schema"]
    )
    print(f"  ratio                    {ratio:6.2f}x the lean baseline's schema")


if __name__ == "__main__":
    main()
