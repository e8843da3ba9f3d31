"""What the checks made of one file: the extraction, its assessment and every record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.catalogue import Catalogue
from core.model import Extraction
from core.records import ExceptionRecord
from schemas.rules import Assessment

if TYPE_CHECKING:
    from reports import MeasurementRow


@dataclass(frozen=True, slots=True)
class Checked:
    """What the checks made of one file, before anything is written."""

    format: str
    extraction: Extraction | None
    assessment: Assessment
    records: tuple[ExceptionRecord, ...]
    rejection: str = ""
    rejection_code: str = ""

    @property
    def rejected(self) -> bool:
        return bool(self.rejection)

    @property
    def rows_extracted(self) -> int:
        return len(self.extraction.observations) if self.extraction else 0

    def target_cells(self) -> dict[tuple[str, str, str], str]:
        """Where each figure's target sits in the workbook."""
        return {a.key: a.observation.target_cell for a in self.assessment.assessed}

    def counts(self) -> dict[str, int]:
        """Exceptions per severity, every severity present."""
        out = dict.fromkeys(("error", "warning", "info"), 0)
        for record in self.records:
            out[record.severity] += 1
        return out

    def rows(self, catalogue: Catalogue) -> list[MeasurementRow]:
        """Every figure read, with its computed and claimed status (for reports)."""
        return _rows(self.assessment, catalogue)

    def clean(self, rows: list[MeasurementRow]) -> list[MeasurementRow]:
        """The figures that may be loaded: no error against their KPI and month."""
        if self.rejected:
            return []
        bad = {(r.contract, r.kpi_ref, r.period) for r in self.records if r.severity == "error"}
        clean: dict[tuple[str, str, str], MeasurementRow] = {}
        for row in rows:
            # The same figure twice (same value) is loaded once.
            if row_key(row) not in bad:
                clean.setdefault(row_key(row), row)
        return list(clean.values())


def row_key(row: MeasurementRow) -> tuple[str, str, str]:
    return (row.contract, row.kpi_ref, row.period)


def _rows(assessment: Assessment, catalogue: Catalogue) -> list[MeasurementRow]:
    from reports import MeasurementRow

    rows = []
    for item in assessment.assessed:
        obs = item.observation
        kpi = catalogue.get(obs.contract, obs.kpi_ref)
        rows.append(
            MeasurementRow(
                contract=obs.contract,
                kpi_ref=obs.kpi_ref,
                period=obs.period,
                target=obs.target,
                actual=obs.actual,
                marker=obs.marker,
                raw=obs.raw,
                status=item.status,
                supplier_status=item.supplier_status,
                sheet=obs.sheet,
                cell=obs.cell,
                description=kpi.description if kpi else obs.description,
                unit=kpi.unit if kpi else "percent",
            )
        )
    return rows
