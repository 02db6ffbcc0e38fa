"""The import graph of a package, read with ``ast`` (nothing is imported), and its cycles.

Every ``import`` / ``from ... import`` counts, wherever it sits: module level, under
``if TYPE_CHECKING:``, inside functions. An import names one module of the package: ``from .a
import b`` is an edge to ``pkg.a.b`` when that is a module, else to ``pkg.a`` (``b`` is a name in
it); ``import pkg.a.b`` is an edge to the longest module prefix. Parent packages are not added
as implicit edges (their ``__init__`` runs first, but it is a dependency of its own).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

Graph = dict[str, set[str]]


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under ``package_dir`` (a package's own
    name is its ``__init__.py``; folders without one are namespace packages)."""
    root = package_dir.parent
    names: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name ``from <level dots><module>`` means inside ``importer``."""
    if level == 0:
        return module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _targets(node: ast.AST, importer: str, is_package: bool, modules: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            target = _known(alias.name, modules)
            if target is not None:
                yield target
    elif isinstance(node, ast.ImportFrom):
        base = _resolve(importer, is_package, node.level, node.module)
        for alias in node.names:
            full = f"{base}.{alias.name}"
            target = full if full in modules else _known(base, modules)
            if target is not None:
                yield target


def import_graph(package_dir: Path) -> Graph:
    """Module -> the package's modules it imports (anywhere in its source)."""
    modules = module_names(package_dir)
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for target in _targets(node, name, is_package, modules):
                if target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (``a -> b -> ... -> a``) for every strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(start: str) -> None:  # Tarjan, iterative (no recursion limit)
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            connect(name)
    return [_cycle_in(group, graph) for group in groups]


def _cycle_in(group: list[str], graph: Graph) -> list[str]:
    """A shortest cycle through the first module of ``group`` (breadth-first)."""
    members = set(group)
    start = group[0]
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if child not in parents:
                    parents[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle in {group}")
