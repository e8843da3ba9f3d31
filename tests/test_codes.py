"""Checks declared once: the registry, the generated codes and README table, and emission.

Every code, severity and wording lives in ``core.checks``; ``core/codes.py``
and the README's table are generated from it. A code not declared there
cannot be emitted (``UndeclaredCode``); a declared code no test emits fails
the whole suite (``tests/emitted.py``).
"""

from __future__ import annotations

import ast
import pickle
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.checks import (
    CHECKS,
    PLACES,
    TOO_LARGE,
    VALUE_MISSING,
    Check,
    codes_module,
    markdown_table,
)
from core.codes import CODES
from core.errors import UnreadableFile
from core.records import EMITTED, ExceptionRecord, UndeclaredCode

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "extractors", "schemas", "reports", "warehouse", "flows", "samples")
# Only these build records and refusals; everything else asks a declared check.
BUILDERS = {"core/checks.py", "core/errors.py", "core/records.py"}


@pytest.fixture
def unemitted() -> Iterator[None]:
    """Records this test builds by hand do not count as emitted by the suite."""
    before = set(EMITTED)
    yield
    EMITTED.intersection_update(before)


def test_readme_table_is_generated_from_the_checks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- codes:start -->\n")[1].split("\n<!-- codes:end -->")[0]
    assert block == markdown_table(), "run: .venv/bin/python -m core.checks"


def test_codes_module_is_generated_from_the_checks() -> None:
    generated = (ROOT / "core" / "codes.py").read_text(encoding="utf-8")
    assert generated == codes_module(), "run: .venv/bin/python -m core.checks"
    assert {c.code: (c.severity, c.meaning) for c in CHECKS.values()} == CODES


@pytest.mark.parametrize("check", CHECKS.values(), ids=list(CHECKS))
def test_every_wording_of_a_check_fills_from_its_placeholders(
    check: Check, unemitted: None
) -> None:
    forms = list(check.forms) or [""]
    if check.message and check.forms:
        forms.append("")
    for form in forms:
        facts = {name: _sample(name) for name in check.placeholders}
        record = check.record(form, **facts)
        assert (record.code, record.severity) == (check.code, check.severity)
        assert record.message.strip() and "{" not in record.message + record.rule


def _sample(name: str) -> object:
    numbers = {"cells", "rows", "max_rows", "max_cells", "merged", "limit", "megabytes",
               "limit_megabytes", "seconds", "low", "high", "attempts", "most", "listed",
               "computed", "month_number"}  # fmt: skip
    if name in numbers:
        return 3
    return "ICT" if name == "contract" else f"<{name}>"


def test_records_and_refusals_refuse_an_undeclared_code() -> None:
    with pytest.raises(UndeclaredCode, match="'made-up-code' is not declared"):
        ExceptionRecord("made-up-code", "error", "Something.")
    with pytest.raises(UndeclaredCode, match="'made-up-code' is not declared"):
        UnreadableFile("made-up-code", "Something.")


def test_a_record_takes_its_declared_severity() -> None:
    with pytest.raises(UndeclaredCode, match="'value-missing' is declared as warning, not error"):
        ExceptionRecord("value-missing", "error", "No value.")


def test_a_check_outside_the_registry_cannot_record() -> None:
    stray = Check("value-missing", "error", "A stray copy.", "No value for {month}.")
    with pytest.raises(UndeclaredCode, match=r"not declared in core\.checks"):
        stray.record(month="May 2016")


def test_a_check_words_its_record_and_takes_places_as_given(unemitted: None) -> None:
    record = VALUE_MISSING.record(
        sheet="ICT KPIs", cell="F7", contract="ICT", kpi_ref="7", period="2016-05",
        month="May 2016",
    )  # fmt: skip
    assert record == ExceptionRecord(
        "value-missing", "warning", "No value was given for ICT KPI 7 in May 2016.",
        sheet="ICT KPIs", cell="F7", contract="ICT", kpi_ref="7", period="2016-05",
        rule="each KPI has a value or a marker for each month",
    )  # fmt: skip


def test_a_fact_no_template_names_is_refused() -> None:
    with pytest.raises(TypeError, match="value-missing has no placeholder mnth"):
        VALUE_MISSING.record(contract="ICT", kpi_ref="7", mnth="May 2016")


def test_a_refusal_is_worded_by_its_form(unemitted: None) -> None:
    refusal = TOO_LARGE.refuse("csv", rows=200_001, cells=400_002, max_rows=100_000,
                               max_cells=2_000_000)  # fmt: skip
    assert (refusal.code, refusal.reason) == (
        "too-large",
        "The CSV file has about 200,001 rows and 400,002 values, more than the 100,000 rows "
        "or 2,000,000 cells this pipeline accepts; split it and send it again.",
    )
    assert refusal.record(file="big.csv") == ExceptionRecord(
        "too-large", "error", refusal.reason, file="big.csv"
    )
    with pytest.raises(ValueError, match="too-large has no form 'huge'"):
        TOO_LARGE.refuse("huge")


@pytest.mark.parametrize("kind", ["record", "refusal"], ids=["record", "refusal"])
def test_what_arrives_from_a_reader_child_counts_as_emitted(kind: str) -> None:
    # Records and refusals cross from the sandboxed reader by pickle.
    code = "hidden-sheet-read" if kind == "record" else "reader-crashed"
    sent: object = (
        ExceptionRecord(code, "info", "Hidden.", sheet="Old")
        if kind == "record"
        else UnreadableFile(code, "Crashed.")
    )
    had = code in EMITTED
    EMITTED.discard(code)
    try:
        received = pickle.loads(pickle.dumps(sent))
        assert code in EMITTED
    finally:
        if not had:
            EMITTED.discard(code)
    if kind == "record":
        assert received == sent
    else:
        assert (received.code, received.reason) == ("reader-crashed", "Crashed.")


def _builds(path: Path) -> list[str]:
    """Calls in ``path`` that build a record or refusal, or re-code one, directly."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in ("ExceptionRecord", "UnreadableFile"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)")
        recoded = {k.arg for k in node.keywords} & {"code", "severity"}
        if name == "replace" and recoded:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} replace({recoded.pop()}=...)")
    return found


def test_only_declared_checks_build_records_and_refusals() -> None:
    sources = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    direct = [
        call
        for path in sources
        if str(path.relative_to(ROOT)) not in BUILDERS
        for call in _builds(path)
    ]
    assert direct == []


def test_place_fields_are_the_records_own() -> None:
    fields = set(ExceptionRecord.__dataclass_fields__)
    assert fields >= PLACES and not PLACES & {"code", "severity", "message", "rule"}


def test_placeholders_are_parsed_from_every_wording() -> None:
    names = {n for _, n, _, _ in string.Formatter().parse(TOO_LARGE.forms["sheet"].message) if n}
    assert names <= TOO_LARGE.placeholders


CONFTEST = """
from tests.emitted import (  # noqa: F401
    every_declared_code_is_emitted,
    pytest_deselected,
    pytest_sessionfinish,
    pytest_testnodedown,
)
"""
EMITS = """
from core.codes import CODES
from core.records import EMITTED

def test_emits_every_code_but_one():
    EMITTED.update(code for code in CODES if code != "zip-bomb")

def test_another():
    pass
"""


def _inner_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntestpaths = suite\n", encoding="utf-8")
    suite = tmp_path / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (suite / "test_emits.py").write_text(EMITS, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.mark.slow
def test_the_whole_suite_fails_when_a_declared_code_is_never_emitted(tmp_path: Path) -> None:
    whole = _inner_pytest(tmp_path)
    assert whole.returncode == 1, whole.stdout + whole.stderr
    assert "2 passed, 1 error" in whole.stdout
    assert "declared in core.checks but emitted by no test: zip-bomb;" in whole.stdout
    # A selection is not the whole suite: what it does not run it cannot be blamed for.
    for selection in (["-k", "another or emits"], ["suite/test_emits.py"]):
        part = _inner_pytest(tmp_path, *selection)
        assert part.returncode == 0, part.stdout + part.stderr
        assert "2 passed" in part.stdout and "error" not in part.stdout


@pytest.mark.slow
def test_the_check_holds_when_workers_share_the_suite(tmp_path: Path) -> None:
    # With pytest-xdist each worker runs part of the suite: the controller checks the union.
    whole = _inner_pytest(tmp_path, "-n", "2")
    assert whole.returncode == 1, whole.stdout + whole.stderr
    assert "2 passed" in whole.stdout
    assert "declared in core.checks but emitted by no test: zip-bomb;" in whole.stdout
    part = _inner_pytest(tmp_path, "-n", "2", "-k", "another or emits")
    assert part.returncode == 0, part.stdout + part.stderr
