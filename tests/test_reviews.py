"""The exception lifecycle: decisions, the open list, waivers carried over, queries closed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.records import fingerprint
from flows.cli import main
from flows.review import ACTIONS
from tests.sample_warehouse import (
    ANNUAL,
    RESUBMITTED,
    T_ANNUAL,
    T_RESUBMITTED,
    resubmission,
    settings_in,
    take,
)
from warehouse.db import open_warehouse
from warehouse.reviews import record_decision
from warehouse.views import ACTION_STATES

# Problems the bundled annual return raises (contract, ref, month, code).
FAILED_7 = fingerprint("ICT", "7", "2016-12", "kpi-failure")
MISSED_009A = fingerprint("PSSP", "R&B-K-009a", "2017-03", "target-not-met")
MISSED_17 = fingerprint("ICT", "17", "2017-03", "target-not-met")
DETRIMENT_9 = fingerprint("ICT", "9", "2016-12", "kpi-detriment")
SUMMARY = fingerprint("PSSP", "", "2017-03", "summary-mismatch")


def states(db_path: Path) -> dict[str, tuple[str, ...]]:
    """Each current problem's states (one per exception with that fingerprint)."""
    db = open_warehouse(db_path)
    out: dict[str, tuple[str, ...]] = {}
    for row in db.query("SELECT fingerprint, state FROM current_exceptions ORDER BY id"):
        out[row["fingerprint"]] = (*out.get(row["fingerprint"], ()), row["state"])
    return out


def open_ids(db_path: Path) -> set[str]:
    db = open_warehouse(db_path)
    return {row["fingerprint"] for row in db.query("SELECT fingerprint FROM open_exceptions")}


def test_the_cli_actions_are_the_warehouse_actions() -> None:
    assert tuple(ACTION_STATES) == ACTIONS


def test_acknowledge_query_waive_resolve_and_a_resubmission(
    tmp_path: Path,
    sample_dir: Path,
    catalogue,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    settings = settings_in(tmp_path)
    first = take(settings, catalogue, sample_dir / ANNUAL, ANNUAL, T_ANNUAL)
    db = str(settings.db)
    assert {MISSED_009A, FAILED_7, MISSED_17, DETRIMENT_9, SUMMARY} <= open_ids(settings.db)

    assert main(["review", "--db", db, "--kpi", "r&b-k-009A"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["id", "severity", "state", "code", "KPI", "month", "file"]
    assert listing[1:5] == [
        f"{fingerprint('PSSP', 'R&B-K-009a', '2017-03', 'colour-claims-better')[:8]}  warning   "
        f"open          colour-claims-better        PSSP R&B-K-009a     2017-03   {ANNUAL}",
        "          PSSP KPI R&B-K-009a in Mar-17 is coloured 'Target Met' by the supplier, but "
        "30.01 is not met.",
        f"{MISSED_009A[:8]}  warning   open          target-not-met              "
        f"PSSP R&B-K-009a     2017-03   {ANNUAL}",
        "          PSSP KPI R&B-K-009a was 30.01 in Mar-17: worse than the target (lower is "
        "better; target 26 days).",
    ]
    assert listing[-1] == (
        "2 open exceptions. Decide with: kpiflow review acknowledge|query|waive|resolve ID "
        "--by NAME"
    )

    decisions = [
        ["acknowledge", MISSED_17[:8], "--by", "Ann Reviewer"],
        ["query", FAILED_7[:8], "--note", "58.89 looks like a typo for 88.59", "--by", "Ann"],
        ["waive", MISSED_009A[:8], "--note", "Agreed at the March contract meeting", "--by",
         "Bob"],
        ["resolve", DETRIMENT_9[:8], "--note", "Service credits paid", "--by", "Bob"],
    ]  # fmt: skip
    for args in decisions:
        assert main(["review", *args, "--db", db]) == 0
    out = capsys.readouterr().out
    assert (
        f"{MISSED_009A[:8]}  #" in out and "target-not-met PSSP R&B-K-009a 2017-03: waived" in out
    )
    assert states(settings.db)[MISSED_17] == ("acknowledged",)
    assert states(settings.db)[FAILED_7] == ("queried",)
    assert states(settings.db)[MISSED_009A] == ("waived",)
    assert states(settings.db)[DETRIMENT_9] == ("resolved",)
    still_open = open_ids(settings.db)
    assert {MISSED_17, FAILED_7} <= still_open
    assert MISSED_009A not in still_open and DETRIMENT_9 not in still_open

    # The supplier resubmits the return with KPI 7's December figure corrected.
    fixed = resubmission(sample_dir, tmp_path / "v2.xlsx", J11=91)
    second = take(settings, catalogue, fixed, RESUBMITTED, T_RESUBMITTED)
    assert second.submission_id != first.submission_id

    now = states(settings.db)
    # Only the resubmission's exceptions are current now.
    current = (
        open_warehouse(settings.db)
        .execute("SELECT DISTINCT submission_id FROM current_exceptions")
        .fetchall()
    )
    assert current == [(second.submission_id,)]
    # The waiver carried over; acknowledging and resolving do not.
    assert now[MISSED_009A] == ("waived",)
    assert now[MISSED_17] == ("open",)
    assert now[DETRIMENT_9] == ("open",)
    assert FAILED_7 not in now  # 91 meets the target: the problem is gone.
    assert MISSED_009A not in open_ids(settings.db)

    wh = open_warehouse(settings.db)
    waiver, carried = wh.execute(
        "SELECT r.id, c.carried_from FROM exception_reviews r, exception_reviews c "
        "WHERE r.fingerprint = ? AND r.action = 'waive' AND c.carried_from IS NOT NULL "
        "AND c.fingerprint = r.fingerprint",
        [MISSED_009A],
    ).fetchone()
    assert carried == waiver
    assert wh.execute(
        "SELECT note, reviewer FROM current_exceptions WHERE fingerprint = ?", [MISSED_009A]
    ).fetchall() == [("Agreed at the March contract meeting", "Bob")]

    # The query on KPI 7 was closed by the data, and says so.
    (old_exception,) = wh.execute(
        "SELECT id FROM exceptions WHERE fingerprint = ? AND submission_id = ?",
        [FAILED_7, first.submission_id],
    ).fetchone()
    assert wh.execute(
        "SELECT action, reviewer, note FROM latest_reviews WHERE exception_id = ?",
        [old_exception],
    ).fetchall() == [(
        "resolve", "kpiflow",
        f"Resolved by the data: {RESUBMITTED} restates the figure as 91 (previously 58.89 "
        f"({ANNUAL}, ICT KPIs!J11)) and no longer raises it.",
    )]  # fmt: skip
    # Every decision is still there: the table is append-only.
    assert wh.execute(
        "SELECT action, reviewer FROM exception_reviews ORDER BY id"
    ).fetchall() == [
        ("acknowledge", "Ann Reviewer"), ("query", "Ann"), ("waive", "Bob"), ("resolve", "Bob"),
        ("waive", "Bob"), ("resolve", "kpiflow"),
    ]  # fmt: skip

    # The new report shows the waiver apart, and the CSV gives each state.
    assert second.report_path is not None
    html = Path(second.report_path).read_text(encoding="utf-8")
    waived_section = html[html.index('<section id="waived">') :]
    assert "Waived (1)" in waived_section
    assert "PSSP R&amp;B-K-009a" in waived_section
    assert "Agreed at the March contract meeting (Bob" in waived_section
    problems = html[html.index('<section id="problems">') : html.index('<section id="waived">')]
    assert MISSED_009A[:8] not in problems
    assert '<span class="state state-open">Open</span> <span class="short-id" ' in problems
    with Path(second.report_path).with_suffix(".csv").open(encoding="utf-8-sig") as handle:
        rows = {(r["short_id"], r["code"]): r for r in csv.DictReader(handle)}
    waived_row = rows[(MISSED_009A[:8], "target-not-met")]
    assert (waived_row["state"], waived_row["review_note"]) == (
        "waived", "Agreed at the March contract meeting",
    )  # fmt: skip
    assert rows[(MISSED_17[:8], "target-not-met")]["state"] == "open"


def test_a_query_stays_open_when_the_restatement_does_not_fix_it(
    tmp_path: Path,
    sample_dir: Path,
    catalogue,  # type: ignore[no-untyped-def]
) -> None:
    settings = settings_in(tmp_path)
    take(settings, catalogue, sample_dir / ANNUAL, ANNUAL, T_ANNUAL)
    record_decision(
        open_warehouse(settings.db), [FAILED_7[:8]], "query", note="why?", reviewer="Ann"
    )
    # Restated, but still at the failure level: the new exception is open, nothing resolved.
    worse = resubmission(sample_dir, tmp_path / "v2.xlsx", J11=50)
    take(settings, catalogue, worse, RESUBMITTED, T_RESUBMITTED)
    assert states(settings.db)[FAILED_7] == ("open",)
    assert open_warehouse(settings.db).execute(
        "SELECT action FROM exception_reviews ORDER BY id"
    ).fetchall() == [("query",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["waive", MISSED_009A[:8], "--by", "Bob"],
            "kpiflow: a decision to waive needs a note saying why (--note TEXT)\n",
        ),
        (
            ["query", MISSED_009A[:8], "--note", "x", "--by", "  "],
            "kpiflow: say who decided with --by NAME\n",
        ),
        (
            ["resolve", "0000000000", "--by", "Bob"],
            "kpiflow: no current exception has the short id 0000000000\n",
        ),
        (
            ["resolve", "R&B", "--by", "Bob"],
            "kpiflow: 'R&B' is not a short id: give the 8 letters and digits `kpiflow review` "
            "shows (at least 6)\n",
        ),
        (
            ["acknowledge", MISSED_17[:8], "0000000000", "--by", "Bob"],
            "kpiflow: no current exception has the short id 0000000000\n",
        ),
    ],
    ids=["waive-without-note", "no-reviewer", "unknown-id", "not-an-id", "all-or-nothing"],
)
def test_a_bad_decision_records_nothing_and_says_why(
    tmp_path: Path,
    sample_dir: Path,
    catalogue,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
    args: list[str],
    message: str,
) -> None:
    settings = settings_in(tmp_path)
    take(settings, catalogue, sample_dir / ANNUAL, ANNUAL, T_ANNUAL)
    capsys.readouterr()
    assert main(["review", *args, "--db", str(settings.db)]) == 2
    assert capsys.readouterr().err == message
    assert open_warehouse(settings.db).execute(
        "SELECT count(*) FROM exception_reviews"
    ).fetchone() == (0,)
