"""The pandera schema every extracted figure must pass before it is loaded.

Every rule about one figure that the catalogue decides lives here: its ref
is catalogued, its value is possible for its unit, it is reported only in a
month it is due, it is not written as a percentage when the KPI is not one.
The frame is built from observations joined to the catalogue so these run
in one lazy pass; the adapter in ``schemas.adapter`` turns pandera's
``failure_cases`` into the declared checks' records (``core.checks``), of
whatever severity they are declared.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from core.catalogue import Catalogue
from core.markers import MARKERS
from core.model import Observation

SCORE_SCALE = (0.0, 5.0)
"""Satisfaction scores are out of 5 (ICT KPI 19 targets "> 3.5")."""

MAX_PLAUSIBLE_COUNT = 20
"""A failure count above this in one month reads like a percentage, not a count."""

MAX_REF_LENGTH = 24
"""The longest text the locator takes for a ref (``extractors.locate``)."""

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class MeasurementSchema(pa.DataFrameModel):
    """One row per (contract, KPI ref, period) figure read from a return."""

    contract: Series[str]
    kpi_ref: Series[str]
    period: Series[str]
    actual: Series[float] = pa.Field(nullable=True)
    marker: Series[str] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(nullable=True)
    # From the catalogue: it declares the contract / it lists the ref for its contract.
    declared: Series[bool]
    known: Series[bool]
    # From the catalogue: the KPI has due months and this is not one of them /
    # the KPI is due this month (monthly, or one of its due months).
    off_month: Series[bool]
    due_now: Series[bool]
    written_percent: Series[bool]

    # The checks read their columns as numpy arrays: on a return's forty-odd
    # rows each pandas operation costs far more than its arithmetic. A missing
    # unit or marker is NaN, which equals no text. Each check says itself what
    # a missing value means, so pandera need not look for all-missing rows
    # (ignore_na=False). Every check is the frame's, none a column's: pandera
    # validates each checked column as a schema of its own, which cost a
    # return more than all the frame's checks together.

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def contract_declared(cls, df: pd.DataFrame) -> pd.Series:
        """The contract is one the catalogue declares."""
        return df["declared"]

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def period_is_a_month(cls, df: pd.DataFrame) -> pd.Series:
        """The period is a month written YYYY-MM."""
        (periods,) = _arrays(df, "period")
        return _rows(df, _each(periods, lambda p: _MONTH.fullmatch(p) is not None))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def ref_usable(cls, df: pd.DataFrame) -> pd.Series:
        """The ref is 1 to 24 characters long."""
        (refs,) = _arrays(df, "kpi_ref")
        return _rows(df, _each(refs, lambda ref: 1 <= len(ref) <= MAX_REF_LENGTH))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def marker_recognised(cls, df: pd.DataFrame) -> pd.Series:
        """A marker is one kpiflow knows."""
        (markers,) = _arrays(df, "marker")
        return _rows(df, _each(markers, lambda marker: marker in MARKERS))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def known_kpi(cls, df: pd.DataFrame) -> pd.Series:
        """The ref is in the catalogue for its contract."""
        return df["known"]

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def value_or_marker(cls, df: pd.DataFrame) -> pd.Series:
        """Each figure is a number or a recognised marker."""
        actual, marker = _arrays(df, "actual", "marker")
        return _rows(df, ~np.isnan(actual) | pd.notna(marker))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def percent_in_range(cls, df: pd.DataFrame) -> pd.Series:
        """A percentage lies between 0 and 100."""
        unit, actual = _arrays(df, "unit", "actual")
        return _rows(df, (unit != "percent") | np.isnan(actual) | _between(actual, 0, 100))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def not_negative(cls, df: pd.DataFrame) -> pd.Series:
        """Days and counts are never negative."""
        unit, actual = _arrays(df, "unit", "actual")
        counted = (unit == "days") | (unit == "count")
        return _rows(df, ~counted | np.isnan(actual) | (actual >= 0))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def count_is_whole(cls, df: pd.DataFrame) -> pd.Series:
        """A count is a whole number."""
        unit, actual = _arrays(df, "unit", "actual")
        with np.errstate(invalid="ignore"):  # inf % 1 is NaN: not whole
            whole = actual % 1 == 0
        return _rows(df, (unit != "count") | np.isnan(actual) | whole)

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def score_in_scale(cls, df: pd.DataFrame) -> pd.Series:
        """A score lies on its scale."""
        unit, actual = _arrays(df, "unit", "actual")
        return _rows(df, (unit != "score") | np.isnan(actual) | _between(actual, *SCORE_SCALE))

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def reported_only_when_due(cls, df: pd.DataFrame) -> pd.Series:
        """A quarterly or six-monthly KPI has a value only in a month it is due."""
        actual, off_month = _arrays(df, "actual", "off_month")
        return _rows(df, np.isnan(actual) | ~off_month)

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def not_due_only_when_not_due(cls, df: pd.DataFrame) -> pd.Series:
        """A KPI due this month is not marked as not due."""
        marker, due_now = _arrays(df, "marker", "due_now")
        return _rows(df, (marker != "not_due") | ~due_now)

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def percent_only_on_percent_kpis(cls, df: pd.DataFrame) -> pd.Series:
        """A days, count or score figure is not written as a percentage."""
        unit, actual, written_percent = _arrays(df, "unit", "actual", "written_percent")
        percent = pd.isna(unit) | (unit == "percent")
        return _rows(df, percent | np.isnan(actual) | ~written_percent)

    @pa.dataframe_check(ignore_na=False)
    @classmethod
    def count_reads_as_count(cls, df: pd.DataFrame) -> pd.Series:
        """A failure count is not so large it reads like a percentage (100 for 100%)."""
        unit, actual, written_percent = _arrays(df, "unit", "actual", "written_percent")
        plausible = actual <= MAX_PLAUSIBLE_COUNT
        return _rows(df, (unit != "count") | np.isnan(actual) | written_percent | plausible)

    class Config:
        # ``observation_frame`` builds every column in its declared dtype.
        coerce = False


def _arrays(df: pd.DataFrame, *columns: str) -> list[np.ndarray]:
    return [df[column].to_numpy() for column in columns]


def _each(values: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    """``test`` of each text; a missing value (NaN) passes, as pandera's own checks let it."""
    return np.fromiter(
        (not isinstance(v, str) or test(v) for v in values), dtype=bool, count=len(values)
    )


def _between(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return (values >= low) & (values <= high)


def _rows(df: pd.DataFrame, passed: np.ndarray) -> pd.Series:
    """A check's verdict per row, indexed as the frame (pandera maps failures by index)."""
    return pd.Series(passed, index=df.index)


@functools.cache
def _schema() -> pa.DataFrameSchema:
    return MeasurementSchema.to_schema()


def schema_for(catalogue: Catalogue) -> pa.DataFrameSchema:
    """The whole schema: each column's dtype and nullability, and every check.

    The catalogue's facts about each figure (``declared``, ``known``, its due
    months) are columns of the frame ``observation_frame`` builds from it.
    """
    return _schema()


@functools.cache
def _checks() -> pa.DataFrameSchema:
    schema = _schema()
    return schema.remove_columns(list(schema.columns))


def checks_for(catalogue: Catalogue) -> pa.DataFrameSchema:
    """``schema_for`` less its columns: the checks, which are what validates data.

    At pandera's data-only depth a column is only its dtype and nullability,
    which the frame is built to have (``tests/test_measurement.py`` checks
    them at full depth); the frame's checks see every column.
    """
    return _checks()


def observation_frame(observations: Sequence[Observation], catalogue: Catalogue) -> pd.DataFrame:
    """Build the frame the schema checks; the index is the observation's position.

    Each column has the dtype the schema declares (``str`` columns hold NaN
    where a marker or unit is missing), so nothing is coerced.
    """
    units: list[str | None] = []
    declared = catalogue.contract_names
    known: list[bool] = []
    off_month: list[bool] = []
    due_now: list[bool] = []
    for obs in observations:
        kpi = catalogue.get(obs.contract, obs.kpi_ref)
        units.append(kpi.unit if kpi else None)
        known.append(kpi is not None)
        month = int(obs.period[5:7]) if obs.period[5:7].isdigit() else 0
        off_month.append(bool(kpi and kpi.due_months and month not in kpi.due_months))
        due_now.append(bool(kpi and (kpi.frequency == "monthly" or month in kpi.due_months)))
    # Arrays, not Series: a frame of a few dozen rows is mostly construction overhead.
    return pd.DataFrame(
        {
            "contract": pd.array([o.contract for o in observations], dtype="str"),
            "kpi_ref": pd.array([o.kpi_ref for o in observations], dtype="str"),
            "period": pd.array([o.period for o in observations], dtype="str"),
            "actual": np.array([o.actual for o in observations], dtype="float64"),
            "marker": pd.array([o.marker for o in observations], dtype="str"),
            "unit": pd.array(units, dtype="str"),
            "declared": np.array([o.contract in declared for o in observations], dtype=bool),
            "known": np.array(known, dtype=bool),
            "off_month": np.array(off_month, dtype=bool),
            "due_now": np.array(due_now, dtype=bool),
            "written_percent": np.array(
                [o.raw.rstrip().endswith("%") for o in observations], dtype=bool
            ),
        },
        copy=False,
    )
