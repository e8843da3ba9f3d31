"""The checks a contract manager makes, as small named functions.

Each rule takes plain data (observations, the catalogue, the supplier's own
counts) and returns exception records; ``assess_extraction`` runs them all
and says which figures are clean enough to load. Each check's code,
severity and wording are declared in ``core.checks``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from core.catalogue import Catalogue, Kpi
from core.checks import (
    BELOW_TARGET,
    COLOUR_CLAIMS_BETTER,
    DUPLICATE_KPI_VALUE,
    FORMULA_NOT_CALCULATED,
    FREQUENCY_DIFFERS,
    KPI_DETRIMENT,
    KPI_FAILURE,
    KPI_MISSING,
    MARKER_WITHOUT_NOTE,
    PERIOD_UNKNOWN,
    RAG_CLAIMS_BETTER,
    RESTATEMENT,
    SECTION_COUNT_MISMATCH,
    SUMMARY_MISMATCH,
    TABLE_NOT_READ,
    TARGET_DIFFERS,
    TARGET_NOT_MET,
    UNIT_DIFFERS,
    VALUE_CONTRADICTS_UNIT,
    VALUE_MISSING,
    Check,
)
from core.model import Extraction, Observation, SectionCount, SummaryCount
from core.periods import month_label
from core.records import ExceptionRecord
from schemas.colours import colour_key_from_labels, supplier_claims_better
from schemas.expected import UNIT_PHRASES, expected_text, quantity
from schemas.status import Status, compute_status
from schemas.thresholds import Bands, Direction, Unit, bands_for, parse_threshold

Key = tuple[str, str, str]  # (contract, kpi_ref, period)
Records = list[ExceptionRecord]

# Markers that explain themselves need no note; the others do on a monthly KPI.
# Records saying a listed KPI's figure for a month could not be taken: the KPI
# is in the return, so it is not also "missing".
LISTED_WITHOUT_FIGURE = frozenset(
    c.code for c in (VALUE_MISSING, FORMULA_NOT_CALCULATED, PERIOD_UNKNOWN, TABLE_NOT_READ)
)

SELF_EXPLAINING_MARKERS = frozenset({"no_activity", "no_survey", "not_due", "removed"})


# Ways a return prints a frequency -> the catalogue's word for it.
FREQUENCY_WORDS: dict[str, str] = {
    "monthly": "monthly",
    "quarterly": "quarterly",
    "qtrly": "quarterly",
    "six-monthly": "six-monthly",
    "six monthly": "six-monthly",
    "6 monthly": "six-monthly",
    "6-monthly": "six-monthly",
    "half yearly": "six-monthly",
    "half-yearly": "six-monthly",
    "annual": "annual",
    "annually": "annual",
    "yearly": "annual",
}

#: The check a figure's status below its target finds.
STATUS_FINDINGS: dict[str, Check] = {
    "failure": KPI_FAILURE,
    "detriment": KPI_DETRIMENT,
    "not_met": TARGET_NOT_MET,
    "below_target": BELOW_TARGET,
}


@dataclass(frozen=True, slots=True)
class Assessed:
    """An observation with its computed status and the supplier's claimed one."""

    observation: Observation
    status: Status
    supplier_status: Status | None
    bands: Bands | None = None

    @property
    def key(self) -> Key:
        o = self.observation
        return (o.contract, o.kpi_ref, o.period)


@dataclass(slots=True)
class Assessment:
    """Every figure with its status, every problem, and which keys may load."""

    assessed: list[Assessed] = field(default_factory=list)
    records: list[ExceptionRecord] = field(default_factory=list)


def _where(obs: Observation, **fields: Any) -> dict[str, Any]:
    return {
        "sheet": obs.sheet,
        "cell": obs.cell,
        "value": obs.raw,
        "contract": obs.contract,
        "kpi_ref": obs.kpi_ref,
        "period": obs.period,
        **fields,
    }


def _kpi_name(obs: Observation) -> str:
    return f"{obs.contract} KPI {obs.kpi_ref}"


# --- one observation -------------------------------------------------------


def bands_of(obs: Observation, kpi: Kpi) -> tuple[Bands, list[ExceptionRecord]]:
    """Read the bands the return states for this figure, falling back to the catalogue."""
    unit: Unit = kpi.unit  # type: ignore[assignment]
    direction: Direction = kpi.direction  # type: ignore[assignment]
    if obs.target_raw:
        target, detriment, failure = obs.target_raw, obs.detriment_raw, obs.failure_raw
        cell = obs.target_cell
    else:
        target, detriment, failure = kpi.target, kpi.detriment, kpi.failure
        cell = ""
    bands, problems = bands_for(target, detriment, failure, unit=unit, direction=direction)
    located = [
        replace(
            p,
            sheet=obs.sheet,
            cell=cell or obs.cell,
            contract=obs.contract,
            kpi_ref=obs.kpi_ref,
            period=obs.period,
            message=f"{_kpi_name(obs)} ({month_label(obs.period)}): {p.message}",
        )
        for p in problems
    ]
    return bands, located


def check_target_against_catalogue(obs: Observation, kpi: Kpi, bands: Bands) -> Records:
    """A non-profiled KPI's target in the return must be the contract's target."""
    if kpi.profiled or bands.target is None:
        return []
    try:
        contract_target = parse_threshold(kpi.target)
    except ValueError:
        return []
    if contract_target is None or abs(contract_target.value - bands.target.value) < 1e-9:
        return []
    return [
        TARGET_DIFFERS.record(
            **_where(obs, cell=obs.target_cell or obs.cell, value=bands.target.text),
            month=month_label(obs.period),
            contract_target=kpi.target,
        )
    ]


def _target_words(bands: Bands, unit: str) -> str:
    """The target as the return writes it, with its unit when it is a bare number ("26 days")."""
    target = bands.target
    assert target is not None
    if target.comparator is None and target.unit_hint is None:
        return quantity(target.value, unit)
    return " ".join(str(target.text).split())


def check_status(obs: Observation, status: Status, bands: Bands, unit: str) -> Records:
    """A figure below its target is reported, with the band it fell in."""
    finding = STATUS_FINDINGS.get(status)
    if finding is None or bands.target is None:
        return []
    return [
        finding.record(
            **_where(obs),
            month=month_label(obs.period),
            better="lower" if bands.direction == "lower" else "higher",
            target=_target_words(bands, unit),
            expected=expected_text(bands, unit),
        )
    ]


# RAG words a return writes beside a figure -> the colour-key label they amount to.
RAG_WORDS: dict[str, str] = {
    "blue": "exceeded", "b": "exceeded", "green": "met", "g": "met",
    "amber": "within tolerance", "a": "within tolerance", "yellow": "within tolerance",
    "red": "not met", "r": "not met",
}  # fmt: skip

# Ways a return prints a KPI's unit -> the catalogue's unit.
UNIT_WORDS: dict[str, str] = {
    "%": "percent", "percent": "percent", "percentage": "percent", "pct": "percent",
    "days": "days", "day": "days", "working days": "days", "calendar days": "days",
    "no": "count", "no.": "count", "number": "count", "count": "count", "failures": "count",
    "score": "score", "rating": "score",
}  # fmt: skip


def rag_status_of(obs: Observation) -> Status | None:
    """The status the supplier's RAG text for this figure claims ("Amber", "G", "Red - missed")."""
    words = re.findall(r"[a-z]+", obs.rag.lower())
    label = RAG_WORDS.get(words[0]) if words else None
    if label is None or (len(words[0]) == 1 and len(words) > 1):
        return None  # "A note" is not a RAG rating
    return colour_key_from_labels({"cell": label}).get("cell")


def supplier_status_of(obs: Observation) -> Status | None:
    """Translate the supplier's colour-key label (else its RAG text) for this cell into a status."""
    if not obs.colour_label:
        return rag_status_of(obs)
    return colour_key_from_labels({"cell": obs.colour_label}).get("cell")


def check_rag(obs: Observation, status: Status) -> Records:
    """The supplier's RAG text must not claim a better result than the figure earns."""
    claimed = rag_status_of(obs)
    if claimed is None or not supplier_claims_better(claimed, status):
        return []
    return [
        RAG_CLAIMS_BETTER.record(
            **_where(obs, cell=obs.rag_cell or obs.cell, value=obs.rag),
            month=month_label(obs.period),
            figure=obs.raw,
            status=status.replace("_", " "),
        )
    ]


def check_unit_label(obs: Observation, kpi: Kpi) -> Records:
    """The unit a return prints for a KPI (its Unit column) matches the catalogue's."""
    printed = UNIT_WORDS.get(" ".join(obs.criteria.lower().split()))
    if printed is None or printed == kpi.unit:
        return []
    return [
        UNIT_DIFFERS.record(
            **_where(obs, period="", cell=obs.criteria_cell or obs.cell, value=obs.criteria),
            measured=UNIT_PHRASES.get(kpi.unit, "as a percentage"),
            unit=kpi.unit,
        )
    ]


def check_colour(obs: Observation, status: Status, supplier: Status | None) -> Records:
    """The supplier's colour must not claim a better result than the figure earns."""
    if supplier is None or not supplier_claims_better(supplier, status):
        return []
    return [
        COLOUR_CLAIMS_BETTER.record(
            **_where(obs),
            month=month_label(obs.period),
            colour=obs.colour_label,
            status=status.replace("_", " "),
        )
    ]


def check_marker_note(obs: Observation, kpi: Kpi) -> Records:
    """A marker on a monthly KPI needs a note, unless it explains itself.

    Whether a figure or "not due" suits the month is the schema's rule
    (``schemas.measurement``): the catalogue's due months decide it.
    """
    if (
        obs.marker
        and kpi.frequency == "monthly"
        and not obs.note
        and obs.marker not in SELF_EXPLAINING_MARKERS
    ):
        return [MARKER_WITHOUT_NOTE.record(**_where(obs), month=month_label(obs.period))]
    return []


def check_frequency_label(obs: Observation, kpi: Kpi) -> Records:
    """The frequency printed in the return matches the catalogue's."""
    normal = " ".join(obs.frequency.lower().split())
    printed = FREQUENCY_WORDS.get(normal, normal)
    if not printed or printed == kpi.frequency:
        return []
    return [
        FREQUENCY_DIFFERS.record(
            **_where(obs, period="", cell=obs.frequency_cell or obs.cell, value=obs.frequency),
            frequency=kpi.frequency,
        )
    ]


# --- across a submission ---------------------------------------------------


def check_duplicates(observations: Sequence[Observation]) -> Records:
    """The same KPI and month twice with different values: neither can be trusted."""
    seen: dict[Key, list[Observation]] = defaultdict(list)
    for obs in observations:
        seen[(obs.contract, obs.kpi_ref, obs.period)].append(obs)
    records = []
    for group in seen.values():
        if len(group) < 2 or len({(o.actual, o.marker) for o in group}) == 1:
            continue
        places = ", ".join(f"{o.sheet}!{o.cell} ({o.raw})" for o in group)
        for obs in group:
            records.append(
                DUPLICATE_KPI_VALUE.record(
                    **_where(obs), month=month_label(obs.period), places=places
                )
            )
    return records


def check_missing_kpis(
    observations: Sequence[Observation],
    catalogue: Catalogue,
    blank: Iterable[Key] = (),
    covered: Iterable[str] = (),
) -> Records:
    """A catalogue KPI absent from a return that covers its contract and months.

    ``blank`` holds the (contract, ref, period) of KPI rows the return lists
    without a figure (a blank cell, a formula never calculated, a month that
    could not be placed): those already have their own record and are not
    absent from the return. ``covered`` names contracts the workbook covers
    even where none of its figures could be read (its refs or its titles name
    them): their KPIs are missing too.
    """
    periods: dict[str, set[str]] = defaultdict(set)
    present: set[tuple[str, str]] = set()
    listed = [(o.contract, o.kpi_ref, o.period) for o in observations]
    for contract, ref, period in [*listed, *blank]:
        if period:
            periods[contract].add(period)
        else:
            periods.setdefault(contract, set())
        kpi = catalogue.get(contract, ref)
        present.add((contract, kpi.ref if kpi else ref))
    for contract in covered:
        periods.setdefault(contract, set())
    everything = sorted({p for months in periods.values() for p in months})
    records = []
    for contract, months in sorted(periods.items()):
        for kpi in catalogue.of_contract(contract):
            if (contract, kpi.ref) in present or kpi.removed:
                continue
            shown = ", ".join(month_label(p) for p in sorted(months or everything)) or (
                "no month that could be read"
            )
            records.append(
                KPI_MISSING.record(
                    contract=contract,
                    kpi_ref=kpi.ref,
                    # The months the return covers: a reviewer finds it by month.
                    period=", ".join(sorted(months)),
                    description=kpi.description[:60],
                    months=shown,
                )
            )
    return records


def check_section_counts(
    counts: Iterable[SectionCount], observations: Sequence[Observation]
) -> Records:
    """The count row under a service area matches the KPIs listed above it."""
    refs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for obs in observations:
        refs[(obs.contract, obs.sheet, obs.service_area)].add(obs.kpi_ref)
    records = []
    for count in counts:
        listed = len(refs.get((count.contract, count.sheet, count.service_area), set()))
        if listed != count.count:
            records.append(
                SECTION_COUNT_MISMATCH.record(
                    sheet=count.sheet,
                    cell=count.cell,
                    value=str(count.count),
                    contract=count.contract,
                    area=count.service_area,
                    listed=listed,
                )
            )
    return records


def check_summaries(
    summaries: Iterable[SummaryCount], assessed: Sequence[Assessed], catalogue: Catalogue
) -> Records:
    """The supplier's indicators/hits per service area and month match the detail."""
    indicators: dict[tuple[str, str, str], int] = defaultdict(int)
    hits: dict[tuple[str, str, str], int] = defaultdict(int)
    for item in assessed:
        obs = item.observation
        if obs.actual is None:
            continue
        kpi = catalogue.get(obs.contract, obs.kpi_ref)
        area = kpi.service_area if kpi else catalogue.area_name(obs.service_area)
        key = (obs.contract, area, obs.period)
        indicators[key] += 1
        if item.status in ("met", "exceeded"):
            hits[key] += 1
    records = []
    for summary in summaries:
        key = (summary.contract, catalogue.area_name(summary.service_area), summary.period)
        for label, claimed, computed, cell in (
            ("indicators", summary.indicators, indicators.get(key, 0),
             summary.indicators_cell or summary.cell),
            ("targets hit", summary.hits, hits.get(key, 0), summary.cell),
        ):  # fmt: skip
            if claimed is None or claimed == computed:
                continue
            if claimed == 1:
                label = label.replace("indicators", "indicator").replace("targets", "target")
            records.append(
                SUMMARY_MISMATCH.record(
                    sheet=summary.sheet,
                    cell=cell,
                    value=str(claimed),
                    contract=summary.contract,
                    period=summary.period,
                    area=summary.service_area,
                    label=label,
                    month=month_label(summary.period),
                    computed=computed,
                )
            )
    return records


def check_restatements(
    assessed: Iterable[Assessed],
    previous: Mapping[Key, Mapping[str, Any]],
    file_name: str,
) -> Records:
    """A figure already loaded from an earlier file and now reported differently."""
    records = []
    for item in assessed:
        old = previous.get(item.key)
        obs = item.observation
        if old is None or (old["actual"], old["marker"]) == (obs.actual, obs.marker):
            continue
        records.append(
            RESTATEMENT.record(
                **_where(obs),
                month=month_label(obs.period),
                old=old["raw"],
                old_file=old["file_name"],
                old_sheet=old["sheet"],
                old_cell=old["cell"],
                new_file=file_name,
            )
        )
    return records


def assess_extraction(
    extraction: Extraction, catalogue: Catalogue, invalid: frozenset[Key] = frozenset()
) -> Assessment:
    """Run every per-figure and per-submission rule over one extraction.

    ``invalid`` holds the (contract, ref, period) of figures the schema
    refused (a 105% percentage, a score of 7) or found in the wrong unit
    (``not_assessable``): they get no status, so no report shows an
    impossible figure as "exceeded".
    """
    result = Assessment()
    labels_seen: set[tuple[str, str, str]] = set()
    for obs in extraction.observations:
        kpi = catalogue.get(obs.contract, obs.kpi_ref)
        if kpi is None:
            result.assessed.append(Assessed(obs, "not_assessed", supplier_status_of(obs)))
            continue
        if kpi.ref != obs.kpi_ref:
            obs = replace(obs, kpi_ref=kpi.ref)
        bands, problems = bands_of(obs, kpi)
        supplier = supplier_status_of(obs)
        result.records.extend(problems)
        result.records.extend(check_target_against_catalogue(obs, kpi, bands))
        if (obs.contract, obs.kpi_ref, obs.period) in invalid:
            status: Status = "not_assessed"
        else:
            status = compute_status(obs.actual, bands)
            result.records.extend(check_status(obs, status, bands, kpi.unit))
            if obs.colour_label:
                result.records.extend(check_colour(obs, status, supplier))
            result.records.extend(check_rag(obs, status))
        result.records.extend(check_marker_note(obs, kpi))
        label_key = (obs.contract, obs.kpi_ref, obs.sheet)
        if label_key not in labels_seen:
            labels_seen.add(label_key)
            result.records.extend(check_frequency_label(obs, kpi))
            result.records.extend(check_unit_label(obs, kpi))
        result.assessed.append(Assessed(obs, status, supplier, bands))
    observations = [a.observation for a in result.assessed]
    result.records.extend(check_duplicates(observations))
    blank = [
        (p.contract, p.kpi_ref, p.period)
        for p in extraction.problems
        if p.code in LISTED_WITHOUT_FIGURE and p.kpi_ref
    ]
    result.records.extend(check_missing_kpis(observations, catalogue, blank, extraction.contracts))
    result.records.extend(check_section_counts(extraction.section_counts, observations))
    result.records.extend(check_summaries(extraction.summaries, result.assessed, catalogue))
    result.records = without_findings_on_refused(result.records, invalid)
    return result


#: Findings about how good a figure is: meaningless once the figure is refused.
JUDGEMENTS = frozenset(
    c.code
    for c in (*STATUS_FINDINGS.values(), COLOUR_CLAIMS_BETTER, RAG_CLAIMS_BETTER, RESTATEMENT)
)


#: Schema findings that leave a figure loadable but not bandable: 100 against
#: "0 failures" may mean 100% resolved, so it is not also called a failure.
UNBANDABLE = frozenset({VALUE_CONTRADICTS_UNIT.code})


def not_assessable(schema_records: Iterable[ExceptionRecord]) -> frozenset[Key]:
    """The figures the schema refused, or found in the wrong unit: they get no status."""
    return frozenset(
        (r.contract, r.kpi_ref, r.period)
        for r in schema_records
        if r.severity == "error" or r.code in UNBANDABLE
    )


def refused_keys(records: Iterable[ExceptionRecord]) -> set[Key]:
    """The (contract, ref, period) of figures an error keeps out of the warehouse."""
    return {
        (r.contract, r.kpi_ref, r.period) for r in records if r.severity == "error" and r.kpi_ref
    }


def without_findings_on_refused(records: Records, invalid: Iterable[Key] = ()) -> Records:
    """Drop judgements (below target, colour overclaims) on figures an error refuses.

    A figure sent twice with different values is refused; saying it also
    missed its target would judge a number kpiflow did not accept.
    """
    refused = refused_keys(records) | set(invalid)
    return [
        r for r in records
        if not (r.code in JUDGEMENTS and (r.contract, r.kpi_ref, r.period) in refused)
    ]  # fmt: skip
