"""``kpiflow pack``: write the committee pack (HTML and .xlsx) for a financial year or a month.

Nothing heavy is imported at module level: the CLI builds its parser from here.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.catalogue import Catalogue


def add_arguments(pack: argparse.ArgumentParser) -> None:
    scope = pack.add_mutually_exclusive_group(required=True)
    scope.add_argument("--year", help="a financial year, April to March, e.g. 2016-17")
    scope.add_argument("--month", help="one month, YYYY-MM, e.g. 2017-08")
    pack.add_argument("--db", type=Path, help="warehouse file (default warehouse/kpi.db)")
    pack.add_argument("--out", type=Path, help="folder for the pack (default: the reports folder)")


def run(args: argparse.Namespace) -> int:
    """Write ``pack-SCOPE.html`` and ``pack-SCOPE.xlsx``; print where they are."""
    from flows.errors import UsageProblem
    from flows.settings import Settings

    settings = Settings.build(db=args.db)
    try:
        paths = write_pack(
            settings.db, args.out or settings.reports, year=args.year, month=args.month
        )
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
) -> list[Path]:
    """Gather and write the pack; raise ValueError for a bad scope or an empty warehouse.

    The contracts' order and descriptions come from ``catalogue`` (by default
    the settings' catalogue: ``KPIFLOW_CATALOGUE`` or the bundled one).
    """
    from core.catalogue import load_catalogue
    from flows.access import require_warehouse
    from flows.settings import Settings
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
    db = open_warehouse(db_path)
    generated = datetime.now(UTC).strftime("%d %b %Y, %H:%M UTC")
    if catalogue is None:
        catalogue = load_catalogue(Settings.build().catalogue)
    pack = gather_pack(db, scope, title, months, generated, catalogue)
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_pack_html(pack, out / f"pack-{scope}.html"),
        write_pack_xlsx(pack, out / f"pack-{scope}.xlsx"),
    ]
