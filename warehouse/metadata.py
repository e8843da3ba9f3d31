"""What every table, view and column of the warehouse means, and reviewers' canned queries.

``datasette_metadata`` turns these into Datasette's metadata (``kpiflow
browse``), naming the catalogue's contracts and example refs where it is
given the catalogue; a test checks that every table, view and column of a
real warehouse is described here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warehouse.views import ACCEPTED

if TYPE_CHECKING:
    from core.catalogue import Catalogue

# Columns that mean the same wherever they appear.
COMMON: dict[str, str] = {
    "id": "Row id.",
    "submission_id": "The submission (row of submissions) this came from.",
    "contract": "The contract's short name, as the KPI catalogue declares it.",
    "kpi_ref": "The KPI's reference as the KPI catalogue spells it.",
    "period": "The month, YYYY-MM (a kpi-missing exception lists every month its return covers).",
    "service_area": "The KPI's service area, as the catalogue names it.",
    "file_name": "The return's file name as it was dropped in the inbox.",
    "received_at": "When the return was received (the file's modification time, UTC).",
    "sheet": "Sheet of the supplier's workbook.",
    "cell": "Cell of the supplier's workbook.",
    "target": "The month's target as printed in the return (a number in the KPI's unit).",
    "actual": "The reported figure in the KPI's unit; empty when a marker stands instead.",
    "marker": "What the supplier wrote instead of a figure (not_measurable, no_data, ...).",
    "raw": "The cell as the supplier showed it.",
    "status": "kpiflow's assessment: exceeded, met, below_target, detriment, failure, not_met "
    "or not_assessed.",
    "supplier_status": "The status the supplier's cell colour claims, where it has one.",
    "severity": "error (not loaded / rejected), warning (needs a reviewer) or info.",
    "code": "The kind of problem (see the README's table of exception codes).",
    "value": "The value in the workbook the problem is about.",
    "rule": "The band or rule that was broken.",
    "message": "One plain sentence saying what is wrong.",
    "fingerprint": "The problem's identity across returns: contract, KPI, month and code.",
    "short_id": "The first 8 characters of the fingerprint: what `kpiflow review` takes.",
    "state": "open, acknowledged, queried, waived or resolved: the latest decision.",
    "decision_id": "The latest decision (row of exception_reviews), if any.",
    "note": "The reviewer's note on the latest decision.",
    "reviewer": "Who took the latest decision (kpiflow for a query closed by a restatement).",
    "decided_at": "When the latest decision was taken (UTC).",
    "carried_from": "For a waiver carried over to a resubmitted return: the decision it repeats.",
    "indicators": "KPIs of the service area with a figure assessed against a target that month.",
    "hits": "Of those, how many met or exceeded their target.",
    "description": "What the KPI measures, in the contract's words.",
    "frequency": "monthly, quarterly, six-monthly or annual.",
    "unit": "percent, days, count or score.",
    "direction": "higher or lower: which way is better.",
    "sort_key": "The KPI's place in the catalogue, a number: KPI 2 sorts before KPI 10.",
}

_DECISION = {
    "exception_id": "The exception decided on.",
    "action": "acknowledge, query, waive or resolve.",
    "note": "Why.",
    "reviewer": "Who decided (kpiflow for a query closed by a restatement).",
    "at": "When (UTC).",
}

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "submissions": (
        "One row per file taken from the inbox, whatever became of it.",
        {
            "sha256": "SHA-256 of the file's bytes (unique among accepted submissions).",
            "processed_at": "When kpiflow processed the file (UTC).",
            "status": "loaded, loaded_with_exceptions, rejected or duplicate.",
            "reason": "Why the file was rejected, or what it duplicates.",
            "format": "The format detected from the bytes: xlsx, xlsm, xls, xlsb, ods or csv.",
            "rows_extracted": "Figures read from the file.",
            "rows_loaded": "Figures loaded (those without an error).",
            "errors": "Exceptions of severity error.",
            "warnings": "Exceptions of severity warning.",
            "report_path": "The HTML report written for the file.",
            "contracts": "The contracts the return covers (a JSON list).",
            "periods": "The months the return covers (a JSON list of YYYY-MM).",
        },
    ),
    "runs": (
        "One row per run over the inbox.",
        {
            "started_at": "When the run started (UTC).",
            "finished_at": "When it finished (UTC).",
            "files": "Files seen.",
            "loaded": "Files loaded.",
            "rejected": "Files rejected.",
            "duplicates": "Files identical to one loaded before.",
            "ignored": "Temporary, lock or hidden files left alone.",
            "errors": "Exceptions of severity error, all files.",
            "warnings": "Exceptions of severity warning, all files.",
            "summary_path": "The run's HTML summary.",
        },
    ),
    "kpis": (
        "The KPI catalogue (schemas/catalogue.toml), refreshed at every run.",
        {
            "ref": "The KPI's reference.",
            "target": "The contract's target as written (95.8%, 14, 0 failures, < 5%).",
            "detriment": "The detriment level, where the contract sets one.",
            "failure": "The service failure level, where the contract sets one.",
            "profiled": "1 when the month's target is a profile towards an annual target.",
            "due_months": "Quarterly and six-monthly KPIs: the months a figure is due (JSON).",
            "removed": "The notice of change that removed the KPI from the contract, if any.",
        },
    ),
    "measurements": (
        "Every figure loaded, never overwritten: a restated figure adds a row.",
        {"target_cell": "Cell of the month's target in the workbook."},
    ),
    "exceptions": (
        "Every problem found in every file, with where it is and why it matters.",
        {},
    ),
    "submission_coverage": (
        "The contracts and months each return covers (one row per contract and month).",
        {},
    ),
    "supplier_summaries": (
        "The supplier's own summary counts (indicators and hits per service area per month).",
        {
            "printed_as": "The service area as the return printed it (STS, BTSI...).",
            "indicators": "The supplier's count of indicators.",
            "hits": "The supplier's count of targets hit.",
            "cell": "Cell of the hits count (or of the indicators when there are no hits).",
            "indicators_cell": "Cell of the indicators count.",
        },
    ),
    "layouts": (
        "Each accepted return's layout per contract, to say when the next one's differs.",
        {
            "layout": "JSON: each table's sheet, orientation, kind, header row and first ref cell.",
        },
    ),
    "exception_reviews": (
        "Reviewers' decisions on exceptions, append-only: the latest one is the state.",
        _DECISION,
    ),
    "current_measurements": (
        "One row per KPI and month: the figure from the most recently received accepted return.",
        {},
    ),
    "current_coverage": (
        "For each contract and month, the return that is current for it (the latest received).",
        {},
    ),
    "latest_reviews": ("The latest decision on each exception that has one.", _DECISION),
    "current_exceptions": (
        "The exceptions of current returns (a resubmission replaces the months it covers), "
        "with their state.",
        {"id": "The exception's row id."},
    ),
    "open_exceptions": (
        "Current exceptions not waived or resolved: what is left to deal with.",
        {"id": "The exception's row id."},
    ),
    "measurements_detail": (
        "Current figures with their KPI's service area, description, unit, direction and "
        "thresholds: no joins needed.",
        {
            "target_text": "The contract's target as written in the catalogue.",
            "detriment_text": "The detriment level as written, where the contract sets one.",
            "failure_text": "The failure level as written, where the contract sets one.",
        },
    ),
    "service_area_summary": (
        "Per contract, service area and month: indicators assessed and targets hit, from the "
        "current figures.",
        {},
    ),
    "supplier_summary_check": (
        "The supplier's own summary counts beside kpiflow's, from the current returns.",
        {
            "indicators": "kpiflow's count of indicators (from service_area_summary).",
            "hits": "kpiflow's count of targets hit.",
            "supplier_indicators": "The supplier's count of indicators.",
            "supplier_hits": "The supplier's count of targets hit.",
            "disagrees": "1 when the supplier's counts differ from kpiflow's.",
        },
    ),
}

_ACCEPTED = f"{ACCEPTED!r}"

QUERIES: dict[str, dict[str, str]] = {
    "open_exceptions_for_month": {
        "title": "Open exceptions for a month",
        "description": "Errors and warnings (and information) about one month that no reviewer "
        "has waived or resolved. Month as YYYY-MM.",
        "sql": (
            "SELECT short_id, severity, state, code, contract, kpi_ref, period, file_name, "
            "sheet, cell, value, message, note, reviewer\n"
            "FROM open_exceptions\n"
            "WHERE period = :month OR instr(period, :month) > 0\n"
            "ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, "
            "contract, kpi_ref"
        ),
    },
    "failed_or_detriment_by_month": {
        "title": "KPIs that failed or hit detriment, by month",
        "description": "Current figures at the failure or detriment level, or short of a "
        "target with no such levels (not_met).",
        "sql": (
            "SELECT period, contract, service_area, kpi_ref, description, raw AS actual, "
            "target, target_text, detriment_text, failure_text, status, file_name\n"
            "FROM measurements_detail\n"
            "WHERE status IN ('failure', 'detriment', 'not_met')\n"
            "ORDER BY period, contract DESC, sort_key"
        ),
    },
    "restatements": {
        "title": "Restatements",
        "description": "Every figure reported differently by a later return: each version, "
        "oldest first, and which one is current.",
        "sql": (
            "SELECT m.contract, m.kpi_ref, m.period, m.raw, m.status, s.file_name, "
            "s.received_at,\n"
            "       CASE WHEN s.id = c.submission_id THEN 'current' ELSE 'replaced' END "
            "AS standing\n"
            "FROM measurements m\n"
            "JOIN submissions s ON s.id = m.submission_id\n"
            "JOIN current_measurements c\n"
            "  ON c.contract = m.contract AND c.kpi_ref = m.kpi_ref AND c.period = m.period\n"
            f"WHERE s.status IN {_ACCEPTED} AND (m.contract, m.kpi_ref, m.period) IN (\n"
            "    SELECT x.contract, x.kpi_ref, x.period FROM measurements x\n"
            "    JOIN submissions y ON y.id = x.submission_id\n"
            f"    WHERE y.status IN {_ACCEPTED}\n"
            "    GROUP BY x.contract, x.kpi_ref, x.period\n"
            "    HAVING COUNT(DISTINCT COALESCE(CAST(x.actual AS TEXT), x.marker)) > 1)\n"
            "ORDER BY m.period, m.contract, m.kpi_ref, s.received_at, s.id"
        ),
    },
    "kpi_history": {
        "title": "One KPI's history",
        "description": "Every figure loaded for one KPI ref (any case), month by month, "
        "restatements included.",
        "sql": (
            "SELECT m.contract, m.period, m.raw, m.target, m.status, s.file_name, "
            "s.received_at, m.sheet, m.cell,\n"
            "       CASE WHEN s.id = c.submission_id THEN 'current' ELSE 'replaced' END "
            "AS standing\n"
            "FROM measurements m\n"
            "JOIN submissions s ON s.id = m.submission_id\n"
            "LEFT JOIN current_measurements c\n"
            "  ON c.contract = m.contract AND c.kpi_ref = m.kpi_ref AND c.period = m.period\n"
            f"WHERE s.status IN {_ACCEPTED} AND lower(m.kpi_ref) = lower(trim(:ref))\n"
            "ORDER BY m.contract, m.period, s.received_at, s.id"
        ),
    },
    "service_area_summary": {
        "title": "Service-area summary",
        "description": "Indicators and targets hit per service area per month, with the "
        "supplier's own counts where its return gives them.",
        "sql": (
            "SELECT a.contract, a.service_area, a.period, a.indicators, a.hits, "
            "c.supplier_indicators, c.supplier_hits,\n"
            "       CASE WHEN c.disagrees THEN 'supplier disagrees' ELSE '' END "
            "AS supplier_check\n"
            "FROM service_area_summary a\n"
            "LEFT JOIN supplier_summary_check c\n"
            "  ON c.contract = a.contract AND c.service_area = a.service_area "
            "AND c.period = a.period\n"
            "ORDER BY a.contract DESC, a.period, a.service_area"
        ),
    },
}


def describe(table: str, column: str, common: dict[str, str] | None = None) -> str | None:
    """The description of one column of one table or view, or None when there is none.

    ``common`` replaces the shared descriptions (``catalogue_common`` makes them).
    """
    own = TABLES.get(table, ("", {}))[1]
    return own.get(column) or (COMMON if common is None else common).get(column)


def catalogue_common(catalogue: Catalogue) -> dict[str, str]:
    """The shared descriptions, ``contract`` and ``kpi_ref`` naming what the catalogue holds."""
    contracts = []
    examples = []
    for name in catalogue.contract_names:
        declared = catalogue.contracts.get(name)
        contracts.append(f"{name} ({declared.description})" if declared and declared.description
                         else name)  # fmt: skip
        kpis = [k.ref for k in catalogue.of_contract(name)]
        if kpis:
            examples.append(f"{kpis[0]} for {name}")
    common = dict(COMMON)
    if contracts:
        common["contract"] = f"{COMMON['contract'][:-1]}: {'; '.join(contracts)}."
    if examples:
        common["kpi_ref"] = f"{COMMON['kpi_ref'][:-1]} (e.g. {', '.join(examples)})."
    return common


def datasette_metadata(
    database: str, columns: dict[str, list[str]], catalogue: Catalogue | None = None
) -> dict[str, Any]:
    """Datasette metadata for the warehouse opened as ``database``.

    ``columns`` lists each table's and view's columns (from the file itself);
    with ``catalogue``, the contract and ref columns name its contracts.
    """
    common = COMMON if catalogue is None else catalogue_common(catalogue)
    tables: dict[str, Any] = {}
    for name, names in columns.items():
        entry: dict[str, Any] = {
            "description": TABLES.get(name, ("", {}))[0],
            "columns": {c: describe(name, c, common) or "" for c in names},
        }
        tables[name] = entry
    return {
        "title": "kpiflow warehouse",
        "description": "Suppliers' monthly KPI returns: figures, exceptions and reviewers' "
        "decisions. Read-only.",
        "databases": {
            database: {
                "description": "The kpiflow warehouse (read-only).",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }
