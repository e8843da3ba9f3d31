"""The pandera schema: each rule reported on a crafted figure, the frame in the declared dtypes."""

from __future__ import annotations

from dataclasses import replace

import pandera.pandas as pa
import pytest
from pandera.config import ValidationDepth, config_context

from core.catalogue import Catalogue
from core.model import Observation
from schemas.adapter import CHECKS, validate_observations
from schemas.measurement import observation_frame, schema_for


def figure(
    contract: str, ref: str, raw: str, actual: float | None, *, period: str = "2016-04", **kw: str
) -> Observation:
    return Observation(contract, ref, period, "KPIs", "D7", raw, actual=actual, **kw)


# One figure breaking each rule (by its check's name), and every check pandera
# reports for it at full validation depth.
BROKEN: dict[str, tuple[Observation, set[str]]] = {
    "known_kpi": (figure("PSSP", "ZZZ-K-999", "50", 50.0), {"known_kpi"}),
    "value_or_marker": (figure("PSSP", "STS-K-009", "abc", None), {"value_or_marker"}),
    "percent_in_range": (figure("PSSP", "STS-K-009", "150", 150.0), {"percent_in_range"}),
    "not_negative": (figure("PSSP", "R&B-K-009", "-2", -2.0), {"not_negative"}),
    "count_is_whole": (figure("ICT", "1", "2.5", 2.5), {"count_is_whole"}),
    "score_in_scale": (figure("ICT", "19", "7", 7.0), {"score_in_scale"}),
    "reported_only_when_due": (
        figure("PSSP", "PRO-K-002", "100", 100.0),
        {"reported_only_when_due"},
    ),
    "not_due_only_when_not_due": (
        figure("PSSP", "PRO-K-002", "Not measured", None, period="2016-06", marker="not_due"),
        {"not_due_only_when_not_due"},
    ),
    "percent_only_on_percent_kpis": (
        figure("PSSP", "R&B-K-009", "5%", 5.0),
        {"percent_only_on_percent_kpis"},
    ),
    "count_reads_as_count": (figure("ICT", "1", "53", 53.0), {"count_reads_as_count"}),
    # An empty ref is never catalogued either: both checks report it.
    "ref_usable": (figure("PSSP", "", "50", 50.0), {"ref_usable", "known_kpi"}),
    "marker_recognised": (
        figure("PSSP", "STS-K-009", "tbc", None, marker="tbc"),
        {"marker_recognised"},
    ),
}


def failed_checks(frame_of: list[Observation], catalogue: Catalogue) -> set[str]:
    """The checks pandera reports, at full depth: the frame's dtypes and nulls checked too."""
    frame = observation_frame(frame_of, catalogue)
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema_for(catalogue).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as errors:
            return set(errors.failure_cases["check"])
    return set()


def test_every_mapped_check_has_a_broken_figure() -> None:
    assert set(BROKEN) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_schema_reports_each_rule_and_the_adapter_records_it(
    name: str, catalogue: Catalogue
) -> None:
    obs, reported = BROKEN[name]
    assert failed_checks([obs], catalogue) == reported
    check, _ = CHECKS[name]
    records = validate_observations([obs], catalogue)
    assert [(r.code, r.cell, r.value) for r in records] == [(check.code, "D7", obs.raw)]


def test_a_clean_figure_passes_every_check(catalogue: Catalogue) -> None:
    clean = [
        figure("PSSP", "STS-K-009", "99.5%", 99.5),
        figure("PSSP", "R&B-K-009", "Not Measurable", None, marker="not_measurable"),
        figure("ICT", "1", "0", 0.0),
        figure("ICT", "19", "4.2", 4.2),
        figure("PSSP", "PRO-K-002", "Not measured as quarterly", None, marker="not_due"),
    ]
    assert failed_checks(clean, catalogue) == set()
    assert validate_observations(clean, catalogue) == []


def test_the_frame_has_the_dtypes_the_schema_declares(catalogue: Catalogue) -> None:
    # validate_observations skips pandera's schema-level checks (dtypes, nulls):
    # the frame is built in the declared dtypes, and this is what says it is.
    figures = [obs for obs, _ in BROKEN.values()]
    frame = observation_frame(figures, catalogue)
    schema = schema_for(catalogue)
    assert not schema.coerce
    with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
        schema.validate(frame, lazy=True)
    assert frame["marker"].isna().sum() == 10 and frame["unit"].isna().sum() == 2
    # The same depth refuses figures held as text, or a missing fact.
    frame["actual"] = frame["actual"].astype(str)
    frame["kpi_ref"] = frame["kpi_ref"].where(frame.index > 0)
    with (
        config_context(validation_depth=ValidationDepth.SCHEMA_ONLY),
        pytest.raises(pa.errors.SchemaErrors) as refused,
    ):
        schema.validate(frame, lazy=True)
    cases = refused.value.failure_cases
    assert set(zip(cases["column"], cases["check"], strict=True)) == {
        ("actual", "dtype('float64')"),
        ("kpi_ref", "not_nullable"),
    }


def test_records_come_figure_by_figure_in_the_declared_order(catalogue: Catalogue) -> None:
    # Five negative fractional counts (each fails "negative" and "fraction", one
    # code), a percentage over 100, an unknown ref: one record per figure and code,
    # by figure, worded by the first check declared (``schemas.adapter.CHECKS``).
    figures = [figure("ICT", "1", "-1.5", -1.5) for _ in range(5)]
    figures += [figure("PSSP", "STS-K-009", "150", 150.0), figure("PSSP", "ZZ-1", "5", 5.0)]
    figures = [replace(obs, cell=f"D{row}") for row, obs in enumerate(figures)]
    records = validate_observations(figures, catalogue)
    assert [(r.cell, r.rule) for r in records] == [
        *[(f"D{row}", "days and counts are 0 or more") for row in range(5)],
        ("D5", "a percentage between 0 and 100"),
        ("D6", "the ref is in the KPI catalogue"),
    ]
    # Alone, the same figure is worded the same: nothing else in the file decides it.
    alone = validate_observations(figures[:1], catalogue)
    assert [(r.cell, r.rule) for r in alone] == [("D0", "days and counts are 0 or more")]


@pytest.mark.parametrize(
    ("obs", "check", "message"),
    [
        (
            figure("ZZ", "STS-K-009", "50", 50.0),
            "contract_declared",
            "an extracted figure's contract 'ZZ' is not a contract the KPI catalogue declares",
        ),
        (
            figure("PSSP", "STS-K-009", "50", 50.0, period="2016-13"),
            "period_is_a_month",
            "an extracted figure's period '2016-13' is not a month written YYYY-MM",
        ),
    ],
    ids=["contract", "period"],
)
def test_what_kpiflow_fills_itself_is_an_invariant_raised(
    obs: Observation, check: str, message: str, catalogue: Catalogue
) -> None:
    assert check in failed_checks([obs], catalogue)
    with pytest.raises(RuntimeError) as raised:
        validate_observations([obs], catalogue)
    assert str(raised.value) == f"{message}: the extractor broke its own rule"
