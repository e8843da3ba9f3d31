"""Map pandera's ``failure_cases`` to exception records, in one place.

Every check in ``MeasurementSchema`` has an entry here: its stable code, its
severity, the rule in words and a sentence built from the observation that
failed, so the reviewer sees the file's sheet and cell, never a pandas index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import pandas as pd
import pandera.pandas as pa

from core.catalogue import Catalogue
from core.model import Observation
from core.periods import month_label
from core.records import ExceptionRecord, Severity
from schemas.measurement import SCORE_SCALE, observation_frame, schema_for

Sentence = Callable[[Observation], str]


def _kpi(obs: Observation) -> str:
    return f"{obs.contract} KPI {obs.kpi_ref} for {month_label(obs.period)}"


# check name (or column for built-in checks) -> (code, severity, rule, sentence)
CHECKS: dict[str, tuple[str, Severity, str, Sentence]] = {
    "known_kpi": (
        "unknown-kpi",
        "error",
        "the ref is in the KPI catalogue",
        lambda o: f"KPI ref '{o.kpi_ref}' is not in the {o.contract} catalogue.",
    ),
    "value_or_marker": (
        "value-unreadable",
        "error",
        "a number or a recognised marker (e.g. 'Not Measurable', 'N/A', 'No Data')",
        lambda o: f"The value '{o.raw}' for {_kpi(o)} is neither a number nor a recognised marker.",
    ),
    "percent_in_range": (
        "value-out-of-range",
        "error",
        "a percentage between 0 and 100",
        lambda o: f"The value {o.raw} for {_kpi(o)} is not a possible percentage.",
    ),
    "not_negative": (
        "value-out-of-range",
        "error",
        "days and counts are 0 or more",
        lambda o: f"The value {o.raw} for {_kpi(o)} is negative.",
    ),
    "count_is_whole": (
        "value-out-of-range",
        "error",
        "a count is a whole number",
        lambda o: f"The value {o.raw} for {_kpi(o)} is a count but not a whole number.",
    ),
    "score_in_scale": (
        "value-out-of-range",
        "error",
        f"a score between {SCORE_SCALE[0]:g} and {SCORE_SCALE[1]:g}",
        lambda o: f"The score {o.raw} for {_kpi(o)} is outside its scale.",
    ),
    "contract": (
        "unknown-contract",
        "error",
        "a contract declared in the KPI catalogue",
        lambda o: f"The contract '{o.contract}' is not one the KPI catalogue declares.",
    ),
    "period": (
        "period-invalid",
        "error",
        "a month written YYYY-MM",
        lambda o: f"The period '{o.period}' of KPI {o.kpi_ref} is not a month.",
    ),
    "kpi_ref": (
        "unknown-kpi",
        "error",
        "a KPI ref of 1 to 24 characters",
        lambda o: f"The KPI ref '{o.kpi_ref}' is not a usable reference.",
    ),
    "marker": (
        "value-unreadable",
        "error",
        "a recognised marker",
        lambda o: f"The marker '{o.raw}' for {_kpi(o)} is not recognised.",
    ),
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
        schema_for(catalogue).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return failure_cases_to_records(errors.failure_cases, observations)
    return []


def _as_catalogued(obs: Observation, catalogue: Catalogue) -> Observation:
    kpi = catalogue.get(obs.contract, obs.kpi_ref)
    if kpi is None or kpi.ref == obs.kpi_ref:
        return obs
    return replace(obs, kpi_ref=kpi.ref)


def failure_cases_to_records(
    failure_cases: pd.DataFrame, observations: Sequence[Observation]
) -> list[ExceptionRecord]:
    """Turn pandera failure cases into one record per (check, observation)."""
    records: list[ExceptionRecord] = []
    seen: set[tuple[str, int]] = set()
    for case in failure_cases.to_dict("records"):
        check = str(case["check"])
        name = check if check in CHECKS else str(case["column"])
        index = case["index"]
        if name not in CHECKS or index is None or pd.isna(index):
            raise RuntimeError(f"pandera check {check!r} has no mapping in schemas.adapter")
        position = int(index)
        if (CHECKS[name][0], position) in seen:
            continue
        seen.add((CHECKS[name][0], position))
        code, severity, rule, sentence = CHECKS[name]
        obs = observations[position]
        records.append(
            ExceptionRecord(
                code=code,
                severity=severity,
                message=sentence(obs),
                sheet=obs.sheet,
                cell=obs.cell,
                value=obs.raw,
                contract=obs.contract,
                kpi_ref=obs.kpi_ref,
                period=obs.period,
                rule=rule,
            )
        )
    return records
