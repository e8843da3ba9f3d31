"""Settings: flags, then environment, then defaults; one frozen object."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from core.catalogue import DEFAULT_PATH
from flows.settings import Settings


def test_defaults() -> None:
    assert Settings.build(env={}) == Settings(
        inbox=Path("inbox"), db=Path("warehouse/kpi.db"), reports=Path("warehouse/reports"),
        catalogue=DEFAULT_PATH, stable_seconds=5.0, reader_timeout=60.0, reader_memory_mb=2048,
    )  # fmt: skip


def test_environment_over_defaults_and_flags_over_environment() -> None:
    env = {"KPIFLOW_INBOX": "/srv/in", "KPIFLOW_DB": "/srv/kpi.db",
           "KPIFLOW_STABLE_SECONDS": "2.5", "KPIFLOW_READER_MEMORY_MB": "512"}  # fmt: skip
    from_env = Settings.build(env=env)
    assert (from_env.inbox, from_env.db, from_env.stable_seconds, from_env.reader_memory_mb) == (
        Path("/srv/in"), Path("/srv/kpi.db"), 2.5, 512,
    )  # fmt: skip
    flagged = Settings.build(env=env, inbox=Path("/tmp/in"), db=None)
    assert (flagged.inbox, flagged.db) == (Path("/tmp/in"), Path("/srv/kpi.db"))


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().inbox = Path("elsewhere")  # type: ignore[misc]
    assert (Settings().processed, Settings().rejected) == (
        Path("inbox/processed"), Path("inbox/rejected"),
    )  # fmt: skip
