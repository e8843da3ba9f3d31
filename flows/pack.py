"""``kpiflow pack``: write the committee pack (HTML and .xlsx) for a financial year or a month.

Nothing heavy is imported at module level: the CLI builds its parser from here.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.limits import BUSY_TIMEOUT_S

if TYPE_CHECKING:
    from core.catalogue import Catalogue
    from flows.settings import Settings


def add_arguments(pack: argparse.ArgumentParser) -> None:
    scope = pack.add_mutually_exclusive_group(required=True)
    scope.add_argument("--year", help="a financial year, April to March, e.g. 2016-17")
    scope.add_argument("--month", help="one month, YYYY-MM, e.g. 2017-08")
    from flows.settings import add_flags

    add_flags(pack, "db")
    pack.add_argument("--out", type=Path, help="folder for the pack (default: the reports folder)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write ``pack-SCOPE.html`` and ``pack-SCOPE.xlsx``; print where they are."""
    from core.catalogue import load_catalogue
    from flows.errors import UsageProblem

    catalogue = load_catalogue(settings.catalogue)
    try:
        paths = write_pack(
            settings.db, args.out or settings.reports, year=args.year, month=args.month,
            catalogue=catalogue, busy_timeout=settings.busy_timeout,
        )  # fmt: skip
    except ValueError as bad:  # a scope that is not a year or month, or has no figures
        raise UsageProblem(str(bad)) from None
    for path in paths:
        print(path)
    return 0


def write_pack(
    db_path: Path,
    out: Path,
    *,
    year: str | None = None,
    month: str | None = None,
    catalogue: Catalogue | None = None,
    busy_timeout: float = BUSY_TIMEOUT_S,
) -> list[Path]:
    """Gather and write the pack; raise ValueError for a bad scope or an empty warehouse.

    The contracts' order and descriptions come from ``catalogue`` (by default
    the bundled one; ``kpiflow pack`` passes the settings' catalogue).
    """
    from core.catalogue import load_catalogue
    from flows.access import require_warehouse
    from reports.pack import write_pack_html, write_pack_xlsx
    from warehouse.db import open_warehouse
    from warehouse.pack import financial_year, gather_pack, one_month

    if year:
        title, months = financial_year(year)
        scope = year.strip()
    elif month:
        title, months = one_month(month)
        scope = month.strip()
    else:
        raise ValueError("give --year 2016-17 or --month 2017-08")
    require_warehouse(db_path)
    db = open_warehouse(db_path, busy_timeout)
    generated = datetime.now(UTC).strftime("%d %b %Y, %H:%M UTC")
    if catalogue is None:
        catalogue = load_catalogue()
    pack = gather_pack(db, scope, title, months, generated, catalogue)
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_pack_html(pack, out / f"pack-{scope}.html"),
        write_pack_xlsx(pack, out / f"pack-{scope}.xlsx"),
    ]
