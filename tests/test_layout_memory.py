"""Layout memory: a return laid out differently from the last one says what moved."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from core.catalogue import Catalogue
from flows.inbox import ClaimArea
from flows.process import process_claimed
from flows.settings import Settings
from tests.workbooks import ICT_HEADER, ict_row, write_table
from warehouse.db import open_warehouse


def _load(path: Path, settings: Settings, catalogue: Catalogue) -> list[tuple[str, str, str]]:
    db = open_warehouse(settings.db)
    with ClaimArea(settings.inbox) as area:
        claimed = area.claim(path)
        assert claimed is not None
        outcome = process_claimed(claimed, path.name, catalogue, settings, db)
    rows = sqlite_utils.Database(settings.db).execute(
        "SELECT code, severity, message FROM exceptions WHERE submission_id = ? "
        "AND code = 'layout-changed'",
        [outcome.submission_id],
    )
    return [tuple(r) for r in rows.fetchall()]


def test_a_moved_table_is_noted_and_the_same_layout_is_not(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = Settings(inbox=inbox, db=tmp_path / "kpi.db", reports=tmp_path / "r",
                        stable_seconds=0)  # fmt: skip
    first = write_table(inbox / "dec.xlsx", ICT_HEADER, [ict_row(7, 91), ict_row(8, 92)])
    assert _load(first, settings, catalogue) == []
    same = write_table(inbox / "dec-v2.xlsx", ICT_HEADER, [ict_row(7, 93), ict_row(8, 92)])
    assert _load(same, settings, catalogue) == []
    moved = write_table(inbox / "jan.xlsx", ICT_HEADER, [ict_row(7, 95), ict_row(8, 96)],
                        sheet="ICT", title="ICT KPI Performance\nJanuary")  # fmt: skip
    assert _load(moved, settings, catalogue) == [
        (
            "layout-changed",
            "info",
            "The ICT tables are laid out differently from dec-v2.xlsx: then 'ICT KPIs' with "
            "refs from B4 down the sheet, header row 3; now 'ICT' with refs from B4 down the "
            "sheet, header row 3. Check that the figures were read as intended.",
        )
    ]
