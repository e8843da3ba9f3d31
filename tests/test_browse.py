"""``kpiflow browse``: Datasette over the warehouse, read-only, on loopback, every canned query."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.browse import HOST, build_datasette, columns_of
from tests.sample_warehouse import (
    RESUBMITTED,
    T_RESUBMITTED,
    resubmission,
    samples_warehouse,
    take,
)
from warehouse.metadata import QUERIES, TABLES, describe

PARAMS = {
    "open_exceptions_for_month": {"month": "2017-03"},
    "kpi_history": {"ref": "r&b-k-009B"},
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, catalogue) -> Path:  # type: ignore[no-untyped-def]
    """Both samples, then the annual return resubmitted with ICT 7's December restated."""
    root = tmp_path_factory.mktemp("browse")
    settings = samples_warehouse(root, sample_dir, catalogue)
    fixed = resubmission(sample_dir, root / "v2.xlsx", J11=91)
    take(settings, catalogue, fixed, RESUBMITTED, T_RESUBMITTED)
    return settings.db


def get(path: Path, url: str) -> Any:
    async def fetch() -> Any:
        response = await build_datasette(path).client.get(url)
        assert response.status_code == 200, response.text
        return response.json()

    return asyncio.run(fetch())


def test_every_table_view_and_column_is_described(warehouse: Path) -> None:
    columns = columns_of(warehouse)
    assert set(columns) == set(TABLES)
    missing = [f"{t}.{c}" for t, names in columns.items() for c in names if not describe(t, c)]
    assert missing == []
    metadata = get(warehouse, "/-/metadata.json")
    tables = metadata["databases"]["kpi"]["tables"]
    assert tables["open_exceptions"]["columns"]["state"] == (
        "open, acknowledged, queried, waived or resolved: the latest decision."
    )
    # The contracts and example refs come from the catalogue, not from code.
    assert tables["measurements"]["columns"]["kpi_ref"] == (
        "The KPI's reference as the KPI catalogue spells it (e.g. STS-K-009 for PSSP, 1 for ICT)."
    )
    assert tables["kpis"]["columns"]["contract"].startswith(
        "The contract's short name, as the KPI catalogue declares it: PSSP (Peterborough Serco "
    )


@pytest.mark.parametrize("query", list(QUERIES), ids=list(QUERIES))
def test_every_canned_query_returns_rows(warehouse: Path, query: str) -> None:
    params = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in PARAMS.get(query, {}).items())
    rows = get(warehouse, f"/kpi/{query}.json?_shape=array&{params}")
    assert rows, f"{query} returned no rows"
    if query == "restatements":
        assert [(r["kpi_ref"], r["period"], r["raw"], r["standing"]) for r in rows] == [
            ("7", "2016-12", "58.89", "replaced"), ("7", "2016-12", "91", "current"),
        ]  # fmt: skip
    if query == "service_area_summary":
        march = [r for r in rows if r["period"] == "2017-03" and r["service_area"]
                 == "Shared Transactional Services"]  # fmt: skip
        assert [(r["indicators"], r["hits"], r["supplier_hits"], r["supplier_check"])
                for r in march] == [(9, 6, 8, "supplier disagrees")]  # fmt: skip
    if query == "kpi_history":
        # Two months from the monthly return, five from the annual one and five again
        # from its resubmission: that one's are current.
        assert len(rows) == 12
        assert [r["file_name"] for r in rows if r["standing"] == "current"] == [
            "pssp_ict_2016-04_05.xlsx"
        ] * 2 + [RESUBMITTED] * 5


def test_it_cannot_write(warehouse: Path) -> None:
    async def attempt() -> Any:
        return await build_datasette(warehouse).client.get(
            "/kpi.json?sql=" + urllib.parse.quote("DELETE FROM exceptions")
        )

    response = asyncio.run(attempt())
    assert response.status_code == 400
    assert response.json()["error"] == "Statement must be a SELECT"
    # Datasette's own connections are read-only (SQLite's ?mode=ro), not just its SQL page.
    connection = build_datasette(warehouse).databases["kpi"].connect()
    with pytest.raises(sqlite3.OperationalError, match="attempt to write a readonly database"):
        connection.execute("DELETE FROM exceptions")
    connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(warehouse: Path) -> Iterator[str]:
    """``kpiflow browse`` as a real process; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "browse", "--db", str(warehouse), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1)
                break
            except OSError:
                assert process.poll() is None, process.communicate()
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_browse_serves_on_loopback(served: str) -> None:
    with urllib.request.urlopen(f"{served}/kpi/service_area_summary.json?_shape=array") as r:
        rows = __import__("json").load(r)
    assert served.startswith("http://127.0.0.1:")
    assert {"contract", "service_area", "period", "indicators", "hits"} <= set(rows[0])


@pytest.mark.browser
@pytest.mark.slow
def test_a_canned_query_in_headless_chromium(served: str, tmp_path: Path) -> None:
    """One screenshot of a reviewer's view, and the page's text as Chromium rendered it."""
    from tests.cdp import CHROMIUM, Browser
    from tests.test_reports_browser import ARTEFACTS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    url = f"{served}/kpi/open_exceptions_for_month?month=2017-03"
    with Browser(tmp_path / "profile") as browser:
        browser.open(url)
        text = browser.evaluate("document.body.innerText")
        assert "Open exceptions for a month" in text
        assert "summary-mismatch" in text and "PSSP" in text
        ARTEFACTS.mkdir(exist_ok=True)
        shot = ARTEFACTS / "browse-open-exceptions.png"
        shot.unlink(missing_ok=True)
        browser.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
