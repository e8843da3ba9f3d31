"""What a user would write instead of kpiflow, and the floor no reader can beat.

``NaiveLoader``: ``pandas.read_excel`` of every sheet, keep the sheets with a
"Performance Measure Ref" column, melt the month columns into long rows,
validate with a pandera schema, ``DataFrame.to_sql`` into SQLite. No cell
positions, no colours, no rules, no reports, no sandbox.

``LeanLoader``: the same with ``read_excel`` (openpyxl engine) asked for the
two KPI sheets only (the first two of the benchmark's returns), nothing else
read: the leanest loader a user who knows the template would write.

``calamine_floor``: python-calamine reading every cell of every sheet into
Python values, nothing else.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

_MONTH = re.compile(r"^[A-Z][a-z]{2}-\d{2}$")


def calamine_floor(path: Path) -> int:
    """Read every cell of every sheet with python-calamine; return the cell count."""
    import python_calamine as pc

    workbook = pc.CalamineWorkbook.from_path(str(path))
    cells = 0
    try:
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            cells += sum(len(row) for row in rows)
    finally:
        workbook.close()
    return cells


class NaiveLoader:
    """pandas + pandera + to_sql, one file at a time, into one SQLite file."""

    #: What ``read_excel`` is asked for: every sheet.
    sheets: ClassVar[list[int] | None] = None

    def __init__(self, db: Path) -> None:
        import pandera.pandas as pa

        self.connection = sqlite3.connect(db)
        self.schema = pa.DataFrameSchema(
            {
                "file": pa.Column(str),
                "sheet": pa.Column(str),
                "kpi_ref": pa.Column(str, pa.Check.str_length(1, 24)),
                "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$")),
                "actual": pa.Column(float, pa.Check.ge(0), nullable=True),
                "raw": pa.Column(str),
            },
            coerce=True,
        )

    def load(self, path: Path) -> int:
        """Load one workbook; return the number of rows written."""
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheets: dict[Any, Any] = pd.read_excel(
                path, sheet_name=self.sheets, header=4, engine="openpyxl"
            )
        written = 0
        for name, frame in sheets.items():
            ref = "Performance Measure Ref"
            if ref not in frame.columns:
                continue
            frame = frame[frame[ref].notna()]
            months = {c: _period(c) for c in frame.columns if _is_month(c)}
            long = frame.melt(id_vars=[ref], value_vars=list(months), var_name="month")
            out = pd.DataFrame(
                {
                    "file": path.name,
                    "sheet": str(name),
                    "kpi_ref": long[ref].astype(str),
                    "period": long["month"].map(months),
                    "actual": pd.to_numeric(long["value"], errors="coerce"),
                    "raw": long["value"].astype(str),
                }
            )
            out = self.schema.validate(out, lazy=True)
            out.to_sql("measurements", self.connection, if_exists="append", index=False)
            written += len(out)
        self.connection.commit()
        return written

    def close(self) -> None:
        self.connection.close()


class LeanLoader(NaiveLoader):
    """``NaiveLoader`` reading only the two KPI sheets (PSSP and ICT)."""

    sheets: ClassVar[list[int] | None] = [0, 1]


def _is_month(column: Any) -> bool:
    return isinstance(column, datetime) or (isinstance(column, str) and bool(_MONTH.match(column)))


def _period(column: Any) -> str:
    if isinstance(column, datetime):
        return column.strftime("%Y-%m")
    return datetime.strptime(column, "%b-%y").strftime("%Y-%m")
