"""The imports of ``rag/`` form a DAG, lazy imports inside functions included, and the
leaf modules import nothing from ``rag`` (README, "Layering")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RAG = Path(__file__).resolve().parents[1] / "rag"
LEAVES = (
    "filters", "text", "settings", "presenting", "bm25", "feedback", "embedding", "rerank",
    "use_torch",
)  # fmt: skip


def imports() -> dict[str, set[str]]:
    """``{module: rag modules it imports anywhere in its source}``."""
    graph: dict[str, set[str]] = {}
    for path in sorted(RAG.glob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found.update(n.split(".")[1] for n in names if n.startswith("rag.") and n != "rag")
        graph[path.stem] = found - {path.stem}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each as the path that closes it (depth-first search)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_rag_imports_form_a_dag() -> None:
    graph = imports()
    assert len(graph) > 10 and "retrieval" in graph["answering"]
    assert cycles(graph) == []


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaf_modules_import_nothing_from_rag(leaf: str) -> None:
    allowed = {"text", "use_torch"}  # leaves that import nothing from rag at all
    assert imports()[leaf] <= allowed
