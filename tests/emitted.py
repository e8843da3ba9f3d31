"""The whole suite fails when a declared code was never emitted.

``core.checks`` declares every code; ``core.records.EMITTED`` collects the
codes this process emitted through their checks (or received from a reader
child). When the whole suite ran (no ``-k``, ``-m``, ``--lf``, deselection,
ignored paths or a subset of files) and every test passed, a code no test
emitted fails the session at teardown: a check nothing exercises is either
untested or dead. ``tests/conftest.py`` imports its hook and fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.codes import CODES
from core.records import EMITTED

_DESELECTED = pytest.StashKey[int]()


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        config = items[0].config
        config.stash[_DESELECTED] = config.stash.get(_DESELECTED, 0) + len(items)


def whole_suite(session: pytest.Session) -> bool:
    """Whether this session ran every test of the suite, and all of them passed."""
    config = session.config
    option = config.option
    if session.testsfailed or session.shouldstop or session.shouldfail:
        return False
    if option.keyword or option.markexpr or config.stash.get(_DESELECTED, 0):
        return False
    if getattr(option, "lf", False) or getattr(option, "stepwise", False):
        return False
    if option.ignore or option.ignore_glob or option.deselect:
        return False
    here = config.invocation_params.dir
    roots = {(config.rootpath / p).resolve() for p in config.getini("testpaths")}
    roots.add(config.rootpath.resolve())
    args = [Path(here, arg.split("::")[0]).resolve() for arg in config.args]
    return bool(args) and all("::" not in arg for arg in config.args) and set(args) <= roots


@pytest.fixture(scope="session", autouse=True)
def every_declared_code_is_emitted(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the whole suite: every code ``core.checks`` declares was emitted by some test."""
    yield
    if not whole_suite(request.session):
        return
    never = [code for code in CODES if code not in EMITTED]
    assert never == [], (
        f"declared in core.checks but emitted by no test: {', '.join(never)}; "
        "test the check through the code that emits it, or remove it"
    )
