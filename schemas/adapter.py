"""Map pandera's ``failure_cases`` to exception records, in one place.

Every check in ``MeasurementSchema`` that a supplier's figure can fail has an
entry here: the declared check (``core.checks``: code, severity, wording) and
the form of its wording, filled from the observation that failed, so the
reviewer sees the file's sheet and cell, never a pandas index. The columns
kpiflow itself fills (a catalogue contract, a YYYY-MM period) are invariants:
a failure there is a bug, raised, not a record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.config import ValidationDepth, config_context

from core.catalogue import Catalogue, Kpi
from core.checks import (
    MARKED_NOT_DUE,
    REPORTED_WHEN_NOT_DUE,
    UNKNOWN_KPI,
    VALUE_CONTRADICTS_UNIT,
    VALUE_OUT_OF_RANGE,
    VALUE_UNREADABLE,
    Check,
)
from core.model import Observation
from core.periods import month_label
from core.records import ExceptionRecord
from schemas.expected import UNIT_NOUNS, UNIT_PHRASES, due_in, schedule
from schemas.measurement import MAX_PLAUSIBLE_COUNT, SCORE_SCALE, checks_for, observation_frame

# check name -> the check and the form of its wording.
# The wording is declared with the check in ``core.checks``.
CHECKS: dict[str, tuple[Check, str]] = {
    "known_kpi": (UNKNOWN_KPI, "catalogue"),
    "value_or_marker": (VALUE_UNREADABLE, "value"),
    "percent_in_range": (VALUE_OUT_OF_RANGE, "percent"),
    "not_negative": (VALUE_OUT_OF_RANGE, "negative"),
    "count_is_whole": (VALUE_OUT_OF_RANGE, "fraction"),
    "score_in_scale": (VALUE_OUT_OF_RANGE, "score"),
    "reported_only_when_due": (REPORTED_WHEN_NOT_DUE, ""),
    "not_due_only_when_not_due": (MARKED_NOT_DUE, ""),
    "percent_only_on_percent_kpis": (VALUE_CONTRADICTS_UNIT, "percent"),
    "count_reads_as_count": (VALUE_CONTRADICTS_UNIT, "count"),
    "ref_usable": (UNKNOWN_KPI, "unusable"),
    "marker_recognised": (VALUE_UNREADABLE, "marker"),
}

# Checks of what the extractor fills from the catalogue and the calendar, never
# from the supplier's text: a failure there is kpiflow's bug, so it is raised.
# check name -> (the column, what it must hold)
INVARIANTS: dict[str, tuple[str, str]] = {
    "contract_declared": ("contract", "a contract the KPI catalogue declares"),
    "period_is_a_month": ("period", "a month written YYYY-MM"),
}


def validate_observations(
    observations: Sequence[Observation], catalogue: Catalogue
) -> list[ExceptionRecord]:
    """Validate every observation in one lazy pandera pass; return the failures as records.

    Records name the catalogue's spelling of a ref ("sts-k-009" -> "STS-K-009"),
    as the assessed rows do, so an error keeps its row out of the clean set.
    """
    if not observations:
        return []
    observations = [_as_catalogued(obs, catalogue) for obs in observations]
    frame = observation_frame(observations, catalogue)
    try:
        # The frame is built here, in the schema's dtypes (tests check it does):
        # only the checks on its values need running, on the frame itself.
        with config_context(validation_depth=ValidationDepth.DATA_ONLY):
            checks_for(catalogue).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return failure_cases_to_records(errors.failure_cases, observations, catalogue)
    return []


def _as_catalogued(obs: Observation, catalogue: Catalogue) -> Observation:
    kpi = catalogue.get(obs.contract, obs.kpi_ref)
    if kpi is None or kpi.ref == obs.kpi_ref:
        return obs
    return replace(obs, kpi_ref=kpi.ref)


def failure_cases_to_records(
    failure_cases: pd.DataFrame, observations: Sequence[Observation], catalogue: Catalogue
) -> list[ExceptionRecord]:
    """Turn pandera failure cases into one record per (check, observation).

    Cases are taken figure by figure, each figure's in the order ``CHECKS``
    declares (pandera lists them in an order that shifts with the frame's
    size): where two checks of one code fail a figure, the first declared
    words its record, whatever else the file holds.
    """
    records: list[ExceptionRecord] = []
    seen: set[tuple[str, int]] = set()
    for case in _in_declared_order(failure_cases):
        name = str(case["check"])
        index = case["index"]
        if name not in (*CHECKS, *INVARIANTS) or index is None or pd.isna(index):
            raise RuntimeError(f"pandera check {name!r} has no mapping in schemas.adapter")
        position = int(index)
        if name in INVARIANTS:
            column, rule = INVARIANTS[name]
            raise RuntimeError(
                f"an extracted figure's {column} {getattr(observations[position], column)!r} "
                f"is not {rule}: the extractor broke its own rule"
            )
        check, form = CHECKS[name]
        if (check.code, position) in seen:
            continue
        seen.add((check.code, position))
        obs = observations[position]
        facts = _facts(obs, catalogue.get(obs.contract, obs.kpi_ref))
        records.append(
            check.record(
                form,
                sheet=obs.sheet,
                cell=obs.cell,
                value=obs.raw,
                contract=obs.contract,
                kpi_ref=obs.kpi_ref,
                period=obs.period,
                # Each check takes the facts its wording names.
                **{name: fact() for name, fact in facts.items() if name in check.placeholders},
            )
        )
    return records


_DECLARED = {name: order for order, name in enumerate([*INVARIANTS, *CHECKS])}


def _in_declared_order(failure_cases: pd.DataFrame) -> list[dict[str, Any]]:
    """The failure cases by figure, then by the order their checks are declared in."""
    cases = [
        {"check": check, "index": index}
        for check, index in zip(
            failure_cases["check"].tolist(), failure_cases["index"].tolist(), strict=True
        )
    ]

    def key(case: dict[str, Any]) -> tuple[int, int]:
        index = case["index"]
        position = -1 if index is None or pd.isna(index) else int(index)
        return position, _DECLARED.get(str(case["check"]), len(_DECLARED))

    return sorted(cases, key=key)


def _facts(obs: Observation, kpi: Kpi | None) -> dict[str, Callable[[], object]]:
    """What a check's wording may name about a failed figure, worked out when it does."""
    facts: dict[str, Callable[[], object]] = {
        "month": lambda: month_label(obs.period),
        "low": lambda: SCORE_SCALE[0],
        "high": lambda: SCORE_SCALE[1],
        "most": lambda: MAX_PLAUSIBLE_COUNT,
    }
    if kpi is not None:
        facts |= {
            "target": lambda: kpi.target,
            "measured": lambda: UNIT_PHRASES[kpi.unit],
            "noun": lambda: UNIT_NOUNS[kpi.unit],
            "frequency": lambda: kpi.frequency,
            "due": lambda: due_in(kpi),
            "schedule": lambda: schedule(kpi),
        }
    return facts
