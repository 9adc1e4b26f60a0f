"""Check the package's shape: imports point one way (clients → evaluation → service → answer →
retrieval → index → ingest → the shared records/settings/errors), no module imports itself back
through others (no cycles, lazy imports included), no module is over ``MAX_LINES`` lines.

    python tools/import_layers.py        # prints the package graph; exit 1 on a problem
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "assistant"
LAYERS = ["base", "ingest", "index", "retrieval", "answer", "service", "evaluation", "clients", "api"]
BASE = {"assistant.settings", "assistant.errors", "assistant.records"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "assistant":
        return "api"
    if module == "assistant.service":
        return "service"
    return module.split(".")[1]


def imports(path: Path, known: set[str]) -> set[str]:
    """Every assistant module this file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name.startswith("assistant"):
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    edges = {}
    for module, path in files.items():
        parents = {module.rsplit(".", i)[0] for i in range(1, module.count(".") + 1)}  # a package's __init__ runs first
        edges[module] = imports(path, known) - {module} - parents
    return edges


def violations(edges: dict[str, set[str]]) -> list[str]:
    order = {name: i for i, name in enumerate(LAYERS)}
    return [f"{a} ({layer(a)}) imports {b} ({layer(b)})" for a, targets in sorted(edges.items()) for b in sorted(targets)
            if order[layer(b)] > order[layer(a)]]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def long_modules() -> list[str]:
    return [f"{module_name(p)}: {n} lines" for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]


def main() -> int:
    edges = graph()
    by_layer: dict[str, set[str]] = defaultdict(set)
    for a, targets in edges.items():
        by_layer[layer(a)].update(layer(b) for b in targets if layer(b) != layer(a))
    print("layers, each importing only those listed (lower ones):")
    for name in LAYERS:
        print(f"  {name:<11} → {', '.join(sorted(by_layer[name], key=LAYERS.index)) or '-'}")
    problems = violations(edges) + [" → ".join(c) + " (cycle)" for c in cycles(edges)] + long_modules()
    for problem in problems:
        print("problem:", problem)
    print(f"{len(edges)} modules; " + ("no upward import, no cycle, none over "
                                       f"{MAX_LINES} lines" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
