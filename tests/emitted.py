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
_FROM_WORKERS = pytest.StashKey[set[str]]()


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


def _never_emitted(emitted: set[str]) -> str:
    never = [code for code in CODES if code not in emitted]
    if not never:
        return ""
    return (
        f"declared in core.checks but emitted by no test: {', '.join(never)}; "
        "test the check through the code that emits it, or remove it"
    )


@pytest.fixture(scope="session", autouse=True)
def every_declared_code_is_emitted(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the whole suite: every code ``core.checks`` declares was emitted by some test.

    Run by ``pytest -n`` (pytest-xdist), each worker runs part of the suite:
    the workers hand their codes to the controller, which checks the union
    (``pytest_sessionfinish`` below).
    """
    yield
    if hasattr(request.config, "workerinput") or not whole_suite(request.session):
        return
    message = _never_emitted(set(EMITTED))
    assert not message, message


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist's controller: a worker finished; keep the codes it emitted."""
    output = getattr(node, "workeroutput", {})
    config = getattr(node, "config")  # noqa: B009 - xdist's WorkerController
    config.stash.setdefault(_FROM_WORKERS, set()).update(output.get("emitted", ()))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput"):
        config.workeroutput["emitted"] = sorted(EMITTED)  # type: ignore[attr-defined]
        return
    if _FROM_WORKERS not in config.stash or exitstatus != 0 or not whole_suite(session):
        return
    message = _never_emitted(config.stash[_FROM_WORKERS])
    if message:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ERROR: {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
