"""The layers import one way (design.md, "Import directions").

Every import of ours counts, the ones inside functions too: a lazy import still ties two layers
together and can still close a cycle. The graph is read from the source with ``ast``, so the test
needs no import side effects and names the offending module and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Source folder of each installed package (pyproject.toml's package-dir mapping).
FOLDERS = {
    "openclaw_audit": ROOT / "openclaw_audit",
    "openclaw_audit.static_checks": ROOT / "static_checks",
    "openclaw_audit.probes": ROOT / "probes",
}


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    line: int


def _modules() -> dict[str, Path]:
    mods: dict[str, Path] = {}
    for pkg, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            mods[".".join([pkg, *parts])] = path
    return mods


MODULES = _modules()


def _edges(name: str, path: Path) -> Iterator[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                target = sub if sub in MODULES else module
                if target in MODULES and target != name:
                    yield Edge(name, target, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.name != name:
                    yield Edge(name, alias.name, node.lineno)


EDGES = [e for name, path in MODULES.items() for e in _edges(name, path)]


def _layer(module: str) -> str:
    """``openclaw_audit.facts.agents`` -> ``facts``; top-level modules are their own layer."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "openclaw_audit"


# Foundation modules every layer may use: they import nothing of ours but each other.
FOUNDATION = {"errors", "textsafe", "redaction", "lazyre"}
# The report model imports nothing of ours, so every layer may build findings and locations.
SHARED = {"openclaw_audit.report.model"}

# layer -> layers it must never import.
FORBIDDEN: dict[str, set[str]] = {
    "static_checks": {"probes", "face", "render", "fix"},
    "probes": {"static_checks", "face", "render", "fix"},
    "facts": {"static_checks", "probes", "face", "render", "fix"},
    "render": {"static_checks", "probes", "face", "fix", "engine", "facts"},
    "fix": {"static_checks", "probes", "face", "render"},
    "engine": {"face", "render", "fix", "static_checks"},
    "report": {"face", "render", "fix", "static_checks", "probes"},
    "config": {"face", "render", "fix", "static_checks", "probes", "engine", "facts", "report"},
    "state": {"face", "render", "fix", "static_checks", "probes", "engine", "facts", "report"},
    "advisories": {
        "face",
        "render",
        "fix",
        "static_checks",
        "probes",
        "engine",
        "facts",
        "report",
        "config",
        "state",
    },
}


def _by_layer_rule() -> list[str]:
    broken = []
    for e in EDGES:
        src, dst = _layer(e.source), _layer(e.target)
        if src in FOUNDATION and dst not in FOUNDATION:
            broken.append(f"{e.source}:{e.line} imports {e.target} (foundation imports none)")
        if dst in FORBIDDEN.get(src, set()) and e.target not in SHARED:
            broken.append(f"{e.source}:{e.line} imports {e.target} ({src} -> {dst})")
    return broken


def test_layers_import_one_way() -> None:
    assert _by_layer_rule() == []


def test_the_report_model_imports_nothing_of_ours() -> None:
    model = "openclaw_audit.report.model"
    assert [e for e in EDGES if e.source == model] == []


def test_static_checks_hold_only_checks() -> None:
    helpers = sorted(p.name for p in FOLDERS["openclaw_audit.static_checks"].glob("_*.py"))
    assert helpers == ["__init__.py"]


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for e in EDGES:
        # A package __init__ that only re-exports is not a layer of its own.
        graph[e.source].add(e.target)
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_cycle_finder_finds_cycles(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(graph) == expected


def test_rule_checker_sees_a_forbidden_import(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Edge("openclaw_audit.static_checks.gateway", "openclaw_audit.probes.runner", 1)
    before = set(_by_layer_rule())
    monkeypatch.setattr(f"{__name__}.EDGES", [*EDGES, fake])
    assert set(_by_layer_rule()) - before == {
        "openclaw_audit.static_checks.gateway:1 imports openclaw_audit.probes.runner "
        "(static_checks -> probes)"
    }
