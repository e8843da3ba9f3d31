"""Build real warehouses from the bundled samples, as runs would (no Prefect)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from openpyxl import load_workbook

from core.catalogue import Catalogue
from flows.inbox import ClaimArea
from flows.process import FileOutcome, process_claimed
from flows.settings import Settings
from warehouse.db import open_warehouse
from warehouse.loader import sync_catalogue

ANNUAL = "pssp_ict_annual_2016-17.xlsx"
MONTHLY = "pssp_ict_2016-04_05.xlsx"
RESUBMITTED = "pssp_ict_annual_2016-17 v2.xlsx"

# Received times (seconds since the epoch): the order a reviewer saw them in.
T_MONTHLY, T_ANNUAL, T_RESUBMITTED = 1_465_000_000, 1_508_000_000, 1_509_000_000


def settings_in(root: Path) -> Settings:
    settings = Settings(inbox=root / "inbox", db=root / "kpi.db", reports=root / "reports")
    settings.inbox.mkdir(parents=True, exist_ok=True)
    return settings


def take(
    settings: Settings, catalogue: Catalogue, source: Path, name: str, received: float
) -> FileOutcome:
    """Drop ``source`` in the inbox as ``name`` received at ``received``, and process it."""
    dropped = settings.inbox / name
    shutil.copyfile(source, dropped)
    os.utime(dropped, (received, received))
    db = open_warehouse(settings.db)
    sync_catalogue(db, catalogue)
    with ClaimArea(settings.inbox) as area:
        claimed = area.claim(dropped)
        assert claimed is not None
        return process_claimed(claimed, name, catalogue, settings, db)


def resubmission(sample_dir: Path, target: Path, **cells: float) -> Path:
    """The annual return again with some ICT cells changed (e.g. J11=91): new bytes."""
    wb = load_workbook(sample_dir / ANNUAL)
    for cell, value in cells.items():
        wb["ICT KPIs"][cell] = value
    wb.save(target)
    return target


def samples_warehouse(root: Path, sample_dir: Path, catalogue: Catalogue) -> Settings:
    """Both bundled returns loaded, in the order they were received."""
    settings = settings_in(root)
    take(settings, catalogue, sample_dir / MONTHLY, MONTHLY, T_MONTHLY)
    take(settings, catalogue, sample_dir / ANNUAL, ANNUAL, T_ANNUAL)
    return settings
