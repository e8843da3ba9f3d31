"""One frozen settings object, built once at the edge (the CLI or the flow).

Each value comes from the command-line flag, else the environment, else the
default. Environment variables:

- ``KPIFLOW_INBOX``: the drop folder (default ``inbox``)
- ``KPIFLOW_DB``: the SQLite warehouse file (default ``warehouse/kpi.db``)
- ``KPIFLOW_REPORTS``: where reports are written (default ``warehouse/reports``)
- ``KPIFLOW_CATALOGUE``: the KPI catalogue TOML (default: the bundled ``schemas/catalogue.toml``)
- ``KPIFLOW_STABLE_SECONDS``: a file changed more recently than this is left for the
  next run, as it may still be being copied (default 5)
- ``KPIFLOW_READER_TIMEOUT``: seconds one workbook may take to read (default 60)
- ``KPIFLOW_READER_MEMORY_MB``: memory cap of the reader process (default 2048)
- ``KPIFLOW_BUSY_TIMEOUT``: seconds a run waits for another writer's lock on the
  warehouse before it stops with exit status 3 (default 30)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from core.catalogue import DEFAULT_PATH as DEFAULT_CATALOGUE

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Settings:
    """Where kpiflow reads and writes, and how patient its readers are."""

    inbox: Path = Path("inbox")
    db: Path = Path("warehouse/kpi.db")
    reports: Path = Path("warehouse/reports")
    catalogue: Path = DEFAULT_CATALOGUE
    stable_seconds: float = 5.0
    reader_timeout: float = 60.0
    reader_memory_mb: int = 2048
    busy_timeout: float = 30.0

    @property
    def processed(self) -> Path:
        return self.inbox / "processed"

    @property
    def rejected(self) -> Path:
        return self.inbox / "rejected"

    @classmethod
    def build(
        cls, env: Mapping[str, str] | None = None, **flags: Any
    ) -> Settings:
        """Combine flags (None means not given), then ``KPIFLOW_*`` variables, then defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            given = flags.get(f.name)
            if given is None:
                given = env.get(f"KPIFLOW_{f.name.upper()}")
            if given is None or given == "":
                continue
            # Flags arrive typed; environment values are text to convert.
            convert: Any = type(f.default)
            try:
                values[f.name] = convert(given)
            except ValueError:
                kind = "a whole number" if convert is int else "a number"
                raise ValueError(
                    f"KPIFLOW_{f.name.upper()} must be {kind}, not {given!r}"
                ) from None
        return cls(**values)
