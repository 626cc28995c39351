"""The layers hold: `make lint` checks the import-linter contracts in pyproject.toml;
these tests keep the same promises inside the suite, with what a newcomer would
want to know when one breaks: no import circle anywhere, and the contracts kept."""

from __future__ import annotations

import subprocess
import sys

import grimp

from core.infra.config import PROJECT_ROOT

PACKAGES = ("core", "web", "cli", "portal", "backoffice", "partner")


def import_circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES)
    assert import_circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert import_circles(graph) == [["a.x", "a.y"]]


def test_the_import_contracts_are_kept():
    linter = PROJECT_ROOT / ".venv" / "bin" / "lint-imports"
    command = [str(linter)] if linter.exists() else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
