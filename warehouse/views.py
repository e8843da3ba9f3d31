"""The warehouse's views: what reviewers query without writing joins.

Each view is defined here once, in the order they depend on each other;
``warehouse.db.ensure_schema`` (re)creates any whose definition changed, so
an existing warehouse picks up a new or corrected view in place.
"""

from __future__ import annotations

ACCEPTED = ("loaded", "loaded_with_exceptions")

#: Review actions and the state each leaves an exception in.
ACTION_STATES: dict[str, str] = {
    "acknowledge": "acknowledged",
    "query": "queried",
    "waive": "waived",
    "resolve": "resolved",
}

#: States that take an exception off the open list.
CLOSED_STATES = ("waived", "resolved")

_STATE = (
    "CASE d.action "
    + " ".join(f"WHEN '{action}' THEN '{state}'" for action, state in ACTION_STATES.items())
    + " ELSE 'open' END"
)

# One row per (contract, kpi_ref, period): the figure of the most recently
# received accepted submission (ties: the later submission id). Written as
# "no later accepted figure for the same key", not as ROW_NUMBER() over a
# window: SQLite flattens this view into the query that uses it, so a query
# by key searches the measurements_key index instead of ranking every figure
# ever loaded (which made each file's restatement lookup grow with the
# warehouse).
CURRENT_MEASUREMENTS = f"""
SELECT m.contract, m.kpi_ref, m.period, m.target, m.actual, m.marker, m.raw, m.status,
       m.supplier_status, m.sheet, m.cell, m.submission_id, s.file_name, s.received_at
FROM measurements m JOIN submissions s ON s.id = m.submission_id
WHERE s.status IN {ACCEPTED!r}
  AND NOT EXISTS (
    SELECT 1 FROM measurements later JOIN submissions ls ON ls.id = later.submission_id
    WHERE later.contract = m.contract AND later.kpi_ref = m.kpi_ref
      AND later.period = m.period AND ls.status IN {ACCEPTED!r}
      AND (ifnull(ls.received_at, ''), ls.id, later.id) > (ifnull(s.received_at, ''), s.id, m.id)
  )
"""

# A submission is current for a (contract, month) it covers until a more
# recently received accepted submission covers the same contract and month:
# the same order as current_measurements.
CURRENT_COVERAGE = f"""
SELECT c.submission_id, c.contract, c.period
FROM submission_coverage c JOIN submissions s ON s.id = c.submission_id
WHERE s.status IN {ACCEPTED!r}
  AND NOT EXISTS (
    SELECT 1 FROM submission_coverage o JOIN submissions n ON n.id = o.submission_id
    WHERE o.contract = c.contract AND o.period = c.period AND n.status IN {ACCEPTED!r}
      AND (n.received_at > s.received_at OR (n.received_at = s.received_at AND n.id > s.id))
  )
"""

LATEST_REVIEWS = """
SELECT r.* FROM exception_reviews r
WHERE r.id = (SELECT MAX(x.id) FROM exception_reviews x WHERE x.exception_id = r.exception_id)
"""

# An exception about a month (and contract) its file covers is current while
# that file is current for that month; one about the file, a contract or
# several months is current while the file is current for any month it
# covers (of that contract).
CURRENT_EXCEPTIONS = f"""
SELECT e.id, substr(e.fingerprint, 1, 8) AS short_id, e.fingerprint, e.submission_id,
       s.file_name, e.severity, e.code, e.contract, e.kpi_ref, e.period, e.sheet, e.cell,
       e.value, e.rule, e.message, {_STATE} AS state, d.id AS decision_id, d.note,
       d.reviewer, d.at AS decided_at, d.carried_from
FROM exceptions e
JOIN submissions s ON s.id = e.submission_id
LEFT JOIN latest_reviews d ON d.exception_id = e.id
WHERE EXISTS (
    SELECT 1 FROM current_coverage c
    WHERE c.submission_id = e.submission_id
      AND (c.contract = e.contract OR NOT EXISTS (
          SELECT 1 FROM submission_coverage x
          WHERE x.submission_id = e.submission_id AND x.contract = e.contract))
      AND (c.period = e.period OR NOT EXISTS (
          SELECT 1 FROM submission_coverage x
          WHERE x.submission_id = e.submission_id AND x.contract = c.contract
            AND x.period = e.period))
)
"""

OPEN_EXCEPTIONS = f"""
SELECT * FROM current_exceptions WHERE state NOT IN {CLOSED_STATES!r}
"""

MEASUREMENTS_DETAIL = """
SELECT m.contract, k.service_area, m.kpi_ref, k.sort_key, k.description, k.frequency, k.unit,
       k.direction, m.period, k.target AS target_text, k.detriment AS detriment_text,
       k.failure AS failure_text, m.target, m.actual, m.marker, m.raw, m.status,
       m.supplier_status, m.submission_id, m.file_name, m.received_at, m.sheet, m.cell
FROM current_measurements m
LEFT JOIN kpis k ON k.contract = m.contract AND k.ref = m.kpi_ref
"""

# Indicators: the KPIs with a figure kpiflow could assess against a target
# that month. A month shown as not due, not measured or not measurable has
# no figure and does not count; a KPI removed from the contract never does.
SERVICE_AREA_SUMMARY = """
SELECT m.contract, k.service_area, m.period,
       SUM(m.status != 'not_assessed') AS indicators,
       SUM(m.status IN ('met', 'exceeded')) AS hits
FROM current_measurements m
JOIN kpis k ON k.contract = m.contract AND k.ref = m.kpi_ref
WHERE COALESCE(k.removed, '') = ''
GROUP BY m.contract, k.service_area, m.period
"""

SUPPLIER_SUMMARY_CHECK = """
SELECT p.contract, p.service_area, p.period, c.indicators, c.hits,
       p.indicators AS supplier_indicators, p.hits AS supplier_hits,
       (p.indicators IS NOT NULL AND p.indicators != COALESCE(c.indicators, 0))
         OR (p.hits IS NOT NULL AND p.hits != COALESCE(c.hits, 0)) AS disagrees,
       p.submission_id, s.file_name, p.sheet, p.cell
FROM supplier_summaries p
JOIN current_coverage cc
  ON cc.submission_id = p.submission_id AND cc.contract = p.contract AND cc.period = p.period
JOIN submissions s ON s.id = p.submission_id
LEFT JOIN service_area_summary c
  ON c.contract = p.contract AND c.service_area = p.service_area AND c.period = p.period
"""

#: Every view, dependencies first.
VIEWS: dict[str, str] = {
    "current_measurements": CURRENT_MEASUREMENTS,
    "current_coverage": CURRENT_COVERAGE,
    "latest_reviews": LATEST_REVIEWS,
    "current_exceptions": CURRENT_EXCEPTIONS,
    "open_exceptions": OPEN_EXCEPTIONS,
    "measurements_detail": MEASUREMENTS_DETAIL,
    "service_area_summary": SERVICE_AREA_SUMMARY,
    "supplier_summary_check": SUPPLIER_SUMMARY_CHECK,
}
