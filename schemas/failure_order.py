"""The order records take from pandera's failure cases: the order they have always had.

pandera (0.35) lists a lazy validation's failure cases column checks first,
then dataframe checks, each dataframe check's failing rows once per column
of the frame, and sorts that list by schema context with an unstable sort:
where two failures of the same context land depends on how many rows the
list has. Until December 2026 the frame had eleven columns and missing
values were left out of the list; that order decided which of two failures
of one code on one figure worded its record (a negative fractional count:
"negative" or "fraction") and how reports order records that tie on their
sort key. The frame is leaner now, so this module lists the failures as
pandera listed them for that frame and sorts the list as pandera does:
nothing a reviewer sees changes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import pandas as pd

from core.model import Observation

# The frame's columns in that listing, and whether a row has a value in each:
# text and flags always do; a figure's number, marker and unit may be missing.
LISTED_COLUMNS: tuple[tuple[str, Callable[[Observation, bool], bool]], ...] = (
    ("contract", lambda obs, known: True),
    ("kpi_ref", lambda obs, known: True),
    ("period", lambda obs, known: True),
    ("actual", lambda obs, known: obs.actual is not None and not math.isnan(obs.actual)),
    ("marker", lambda obs, known: obs.marker is not None),
    ("raw", lambda obs, known: True),
    ("unit", lambda obs, known: known),
    ("known", lambda obs, known: True),
    ("off_month", lambda obs, known: True),
    ("due_now", lambda obs, known: True),
    ("written_percent", lambda obs, known: True),
)
Case = dict[Hashable, Any]
"""One failure case: a row of pandera's ``failure_cases`` as a dict."""
_COLUMN_ORDER = {name: i for i, (name, _) in enumerate(LISTED_COLUMNS)}


def in_listed_order(
    failure_cases: pd.DataFrame,
    observations: Sequence[Observation],
    known: Callable[[Observation], bool],
) -> list[Case]:
    """``failure_cases``' failures, each once, in the order records take.

    ``known`` says whether an observation's KPI is catalogued (it has a unit).
    """
    column_cases: list[Case] = []
    failing_rows: dict[int, set[int]] = defaultdict(set)
    first_case: dict[int, Case] = {}
    scalars: list[Case] = []
    fields = ("schema_context", "column", "check", "check_number", "failure_case", "index")
    # Column by column: a frame's to_dict costs more than the rest of this together.
    for values in zip(*(failure_cases[field].tolist() for field in fields), strict=True):
        case: Case = dict(zip(fields, values, strict=True))
        index = case["index"]
        if index is None or pd.isna(index):
            scalars.append(case)
        elif case["schema_context"] == "Column":
            column_cases.append(case)
        else:
            failing_rows[case["check_number"]].add(int(index))
            first_case.setdefault(case["check_number"], case)
    # Column checks by column, then row; each dataframe check's failing rows
    # once per column in which the row has a value, column by column.
    column_cases.sort(key=lambda c: (_COLUMN_ORDER[c["column"]], c["check_number"], c["index"]))
    listed = column_cases
    for number in sorted(failing_rows):
        rows = sorted(failing_rows[number])
        facts = [(observations[row], known(observations[row])) for row in rows]
        for _, has_value in LISTED_COLUMNS:
            listed += [
                first_case[number] | {"index": row}
                for row, (obs, catalogued) in zip(rows, facts, strict=True)
                if has_value(obs, catalogued)
            ]
    listed += scalars
    # pandera's sort: the same call on the same contexts gives the same order.
    contexts = pd.Series([case["schema_context"] for case in listed], dtype="str")
    return [listed[i] for i in contexts.sort_values(ascending=False).index]
