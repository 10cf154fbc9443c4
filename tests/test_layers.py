"""The package's import graph, read from the source with `ast`: no cycle, and every import points down
the layers declared here and in docs/architecture.md.

Imports at module level and inside functions both count: a function-level import that hides a cycle is
still the cycle. Imports under `if TYPE_CHECKING:` are read separately: they never run, so they may name
a type from a higher layer, but each such name is listed below on purpose.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

GATE = Path(__file__).resolve().parents[1] / "gate"

# Bottom to top. A module belongs to the layer of its longest listed prefix; it may import modules of
# its own layer or of a lower one, never of a higher one.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "gate",
            "gate.data",
            "gate.errors",
            "gate.invisible",
            "gate.sanitize",
            "gate.fence",
            "gate.wording",
            "gate.syntax",
            "gate.redact",
            "gate.findings",
            "gate.config",
            "gate.diff.model",
            "gate.context.model",
            "gate.context.commit_id",
            "gate.provenance.model",
            "gate.github.limits",
            "gate.schema",
            "gate.memory",
            "gate.collector",
            "gate.once",
        ),
    ),
    ("run types", ("gate.run",)),
    (
        "inputs and analysis",
        ("gate.context", "gate.diff", "gate.provenance", "gate.analyzers", "gate.models", "gate.specs"),
    ),
    ("model stages", ("gate.review", "gate.regen", "gate.intent")),
    ("decision", ("gate.policy", "gate.worker", "gate.deadline", "gate.pipeline")),
    ("reports", ("gate.report",)),
    ("github", ("gate.github",)),
    (
        "entry points",
        (
            "gate.app",
            "gate.stages",
            "gate.replay",
            "gate.github.action",
            "gate.github.publish",
            "gate.cli",
            "gate.__main__",
        ),
    ),
)

# Names imported for annotations only from a higher layer: the services `RunContext` carries.
TYPE_ONLY_UPWARD = frozenset(
    {
        ("gate.run", "gate.models.budget"),
        ("gate.run", "gate.models.interface"),
        ("gate.run", "gate.models.trace"),
        ("gate.run", "gate.review.state"),
        ("gate.run", "gate.intent.sources"),
        ("gate.run", "gate.specs.model"),
    }
)


@dataclass
class Graph:
    modules: dict[str, Path]
    runtime: dict[str, set[str]] = field(default_factory=dict)
    type_only: dict[str, set[str]] = field(default_factory=dict)


def _module_names() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(GATE.rglob("*.py")):
        parts = ["gate", *path.relative_to(GATE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return inside


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement loads: `from pkg import sub` loads pkg.sub when sub is a
    module (the caller resolves a name that is not a module to the module that defines it)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        yield f"{base}.{alias.name}"


def build_graph() -> Graph:
    modules = _module_names()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = Graph(modules)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        type_checking = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _imported(node, module, path.name == "__init__.py")
            targets = {t for t in map(resolve, names) if t is not None and t.startswith("gate")}
            targets.discard(module)
            edges = graph.type_only if id(node) in type_checking else graph.runtime
            edges.setdefault(module, set()).update(targets)
    return graph


def layer_of(module: str) -> int:
    matches = [
        (len(prefix), index)
        for index, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or (prefix != "gate" and module.startswith(prefix + "."))
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return max(matches)[1]


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


@pytest.fixture(scope="module")
def graph() -> Graph:
    """Read when a test asks: a worker that collects this module without running it skips the reading."""
    return build_graph()


def test_the_graph_is_read_from_the_source(graph: Graph) -> None:
    # A few edges known to exist, so that a broken reader cannot pass the tests below by finding nothing.
    assert "gate.run" in graph.runtime["gate.pipeline"]
    assert "gate.policy" in graph.runtime["gate.pipeline"]
    assert "gate.findings" in graph.runtime["gate.policy"]
    assert "gate.app" in graph.runtime["gate.cli"]  # imported inside a function
    assert "gate.models.trace" in graph.type_only["gate.run"]


def test_no_import_cycle_among_the_modules_of_gate(graph: Graph) -> None:
    assert _cycle(graph.runtime) is None, " -> ".join(_cycle(graph.runtime) or [])


def test_every_import_points_down_the_layers(graph: Graph) -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in sorted(graph.runtime.items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_type_only_imports_of_a_higher_layer_are_the_listed_ones(graph: Graph) -> None:
    upward = {
        (module, target)
        for module, targets in graph.type_only.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    }
    assert upward == TYPE_ONLY_UPWARD


def test_every_module_has_a_layer(graph: Graph) -> None:
    for module in graph.modules:
        layer_of(module)


def test_the_run_types_import_nothing_above_the_foundation(graph: Graph) -> None:
    assert {layer_of(t) for t in graph.runtime.get("gate.run", set())} <= {0}


def test_the_layers_are_documented() -> None:
    text = (GATE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, prefixes in LAYERS:
        assert name in text, f"docs/architecture.md does not name the layer {name!r}"
        for prefix in prefixes:
            assert f"`{prefix}`" in text or prefix == "gate", f"docs/architecture.md does not place {prefix}"
