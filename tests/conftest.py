"""Shared fixtures: sample workbooks, a catalogue, and one Prefect test harness."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect reads its settings at import: keep tests off the user's Prefect home.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="kpiflow-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from tests.emitted import (  # noqa: F401
    every_declared_code_is_emitted,
    pytest_deselected,
    pytest_sessionfinish,
    pytest_testnodedown,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness for the whole session, flow heartbeats off."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=180),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample returns, written once per session (treat as read-only)."""
    from samples.generate import write_samples

    directory = tmp_path_factory.mktemp("samples")
    write_samples(directory)
    return directory


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    from core.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="session")
def annual_then_planted(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, catalogue):  # type: ignore[no-untyped-def]
    """The annual sample, then ``tests.planted``'s return, through one warehouse (read-only)."""
    from tests.planted import run_annual_then_planted

    return run_annual_then_planted(tmp_path_factory.mktemp("runs"), sample_dir, catalogue)
