"""The dependency contract: packages import only the layers below them, and no module cycles.

    flows       the edge: CLI, Prefect flow, settings, inbox
    warehouse   SQLite tables, views, loader, the pack's figures
    reports     HTML, CSV, annotated copies, the pack's documents
    schemas     the pandera schema, its adapter, the contract manager's rules
    extractors  readers, preflight, the table locator        samples: the sample returns
    core        records, observation model, vocabularies, catalogue, sandbox

Every import counts, at module level or inside a function (a lazy import is
still a dependency), as an import-linter "layers" contract would check.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS: dict[str, int] = {
    "core": 0, "extractors": 1, "samples": 1, "schemas": 2, "reports": 3, "warehouse": 4,
    "flows": 5,
}  # fmt: skip


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, name: str) -> set[str]:
    """Every project module ``path`` imports (relative imports resolved)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in out if m.split(".")[0] in LAYERS}


MODULES = _modules()
GRAPH = {name: {m for m in _imports(path, name) if m in MODULES} for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES), ids=sorted(MODULES))
def test_a_module_imports_only_its_own_layer_and_below(module: str) -> None:
    level = LAYERS[module.split(".")[0]]
    upward = sorted(m for m in GRAPH[module] if LAYERS[m.split(".")[0]] > level)
    assert upward == [], f"{module} imports upward: {upward}"


def test_core_imports_no_other_package() -> None:
    outside = {
        name: sorted(m for m in GRAPH[name] if not m.startswith("core"))
        for name in MODULES
        if name.startswith("core")
    }
    assert {name: found for name, found in outside.items() if found} == {}


def test_no_module_cycles() -> None:
    # Package __init__ modules re-export their modules: an edge to them is not a cycle.
    edges = {n: {m for m in deps if "." in m} for n, deps in GRAPH.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert cycles == []
