"""The library's import order: each folder imports only from the folders before it (and from
itself), so no arrow runs back up the pipeline and no two modules import each other."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "streetseg"
# Bottom to top; docs/architecture.md draws the same order.
LAYERS = ["common", "labels", "demo", "data", "model", "inference", "evaluation", "report"]


def _imports(path: Path) -> set[str]:
    """The streetseg modules a file imports, at any depth of the file (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("streetseg"):
            found.update(
                f"{node.module}.{alias.name}" if node.module.count(".") == 1 else node.module
                for alias in node.names
            )
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("streetseg"))
    return found


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def _graph() -> dict[str, set[str]]:
    return {_module(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def test_every_module_sits_in_a_layer():
    loose = [name for name in _graph() if name.count(".") >= 1 and name.split(".")[1] not in LAYERS]
    assert loose == []


def test_no_import_runs_back_up_the_pipeline():
    upward = []
    for module, imported in _graph().items():
        if module == "streetseg":
            continue
        own = LAYERS.index(module.split(".")[1])
        for target in imported:
            layer = target.split(".")[1] if target.count(".") else None
            if layer in LAYERS and LAYERS.index(layer) > own:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycles():
    graph = _graph()
    modules = set(graph)

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    edges = {
        m: {resolve(t) for t in targets} - {None, m, "streetseg"} for m, targets in graph.items()
    }
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(
                    " -> ".join(trail[trail.index(nxt) :] + [node, nxt])
                    if nxt in trail
                    else f"{node} -> {nxt}"
                )
            elif nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [])
    assert cycles == []


def _compared_strings(tree) -> list[tuple[int, str]]:
    """(line, text) of every string constant a comparison (==, !=, in) holds, in tuples too."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                parts = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                found += [
                    (side.lineno, part.value)
                    for part in parts
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                ]
    return found


def test_no_format_name_is_tested_outside_the_format_modules():
    # A format's knowledge lives in its module and the registry: code elsewhere asks the
    # registry (registry.get(name).multi_image, .decode, ...) instead of comparing names.
    from streetseg.labels.formats import registry

    names = set(registry.formats())
    formats = PACKAGE / "labels" / "formats"
    files = [p for p in PACKAGE.rglob("*.py") if formats not in p.parents]
    files += list((REPO / "scripts").glob("*.py")) + list((REPO / "tools").glob("*.py"))
    tested = [
        f"{path.relative_to(REPO)}:{line}: {text}"
        for path in files
        for line, text in _compared_strings(ast.parse(path.read_text()))
        if text in names
    ]
    assert tested == []
    # The check sees a comparison with a format name.
    assert _compared_strings(ast.parse("fmt in ('coco_json', 'x')")) == [(1, "coco_json"), (1, "x")]
