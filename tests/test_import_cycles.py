"""The library's layering, checked from the source: no package module imports another in a cycle,
and the library packages never import the application (imports inside functions count too)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ("minigrad", "nn", "optim", "data")
APPLICATION = ("minigrad_app",)


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(packages):
    return {module_name(path): path for package in packages for path in (ROOT / package).rglob("*.py")}


def imported(path, known):
    """The known modules that ``path`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in known)
    return found


def graph(packages):
    known = modules(packages)
    return {name: imported(path, known) - {name} for name, path in known.items()}


def find_cycle(edges):
    """One import cycle as a list of modules, or None (iterative depth-first search)."""
    state = {}
    for start in sorted(edges):
        if start in state:
            continue
        stack = [(start, iter(sorted(edges[start])))]
        state[start] = "open"
        path = [start]
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == "open":
                    return path[path.index(child):] + [child]
                if child not in state:
                    state[child] = "open"
                    path.append(child)
                    stack.append((child, iter(sorted(edges.get(child, ())))))
                    break
            else:
                state[node] = "done"
                path.pop()
                stack.pop()
    return None


def without_package_inits(edges):
    """A package's __init__ re-exporting its submodules is not a cycle with them: drop init -> own submodule."""
    return {name: {child for child in children if not child.startswith(name + ".")} for name, children in
            edges.items()}


@pytest.mark.parametrize("packages", [("minigrad",), LIBRARY + APPLICATION], ids=["engine", "everything"])
def test_no_import_cycles(packages):
    cycle = find_cycle(without_package_inits(graph(packages)))
    assert cycle is None, " -> ".join(cycle)


def test_the_library_never_imports_the_application():
    edges = graph(LIBRARY + APPLICATION)
    offenders = sorted(f"{name} imports {child}" for name, children in edges.items() if name.split(".")[0] in
                       LIBRARY for child in children if child.split(".")[0] in APPLICATION)
    assert not offenders, offenders


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
