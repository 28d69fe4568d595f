"""Nothing reaches back up the flow (issue 10, item 4): files -> scenario -> model -> evaluate ->
optimise -> analyses -> results -> report -> API -> command line.

Read from the source with `ast`, every import counts, including those inside functions (deferred
to keep start-up quick, but still a dependency): the stages below the report never import the
report, the API or the command line; the report never imports the API or the command line; io/
never imports the scenario; cli_analysis.py builds on cli_common.py, not on cli.py. Among the
imports run when a module is loaded (its top-level statements) there is no cycle at all."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mtfs_align"

LOWER_STAGES = ("io", "scenario", "schema", "model", "evaluate", "optimise", "analysis")
ABOVE_THE_ANALYSES = ("report", "results", "api", "pipeline", "settings", "cli", "cli_common", "cli_analysis")
ABOVE_THE_REPORT = ("api", "pipeline", "cli", "cli_common", "cli_analysis")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, top_level_only: bool = False) -> set[str]:
    """The mtfs_align modules that module `name` imports (`from pkg import sub` names `pkg.sub`)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else _walk_run_time(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in MODULES else module)
    return {m for m in found if m in MODULES and m != name}


def _walk_run_time(tree: ast.AST):
    """Every node, except those under `if TYPE_CHECKING:` (read by type checkers, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in [child, *_walk_run_time(child)])
            continue
        yield node
        yield from _walk_run_time(node)


def _in(name: str, stages: tuple[str, ...]) -> bool:
    return any(name == f"mtfs_align.{s}" or name.startswith(f"mtfs_align.{s}.") for s in stages)


def _violations(sources: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{name} imports {other}"
        for name in MODULES
        if _in(name, sources)
        for other in _imports(name)
        if _in(other, targets)
    )


def test_the_stages_never_import_the_report_the_api_or_the_command_line():
    assert _violations(LOWER_STAGES, ABOVE_THE_ANALYSES) == []


def test_the_report_never_imports_the_api_or_the_command_line():
    assert _violations(("report",), ABOVE_THE_REPORT) == []


def test_io_never_imports_the_scenario():
    assert _violations(("io",), ("scenario",)) == []


def test_cli_analysis_builds_on_cli_common_not_on_cli():
    assert "mtfs_align.cli" not in _imports("mtfs_align.cli_analysis")
    assert "mtfs_align.cli_analysis" not in _imports("mtfs_align.cli_common")


def test_no_cycle_among_the_imports_a_module_runs_when_loaded():
    graph = {name: _imports(name, top_level_only=True) for name in MODULES}
    assert _cycles(graph) == []


def test_the_checks_see_imports_inside_functions():
    """The rules above would be empty if the reader missed deferred imports: the CLI defers every
    import of the API to inside its commands."""
    assert "mtfs_align.api" in _imports("mtfs_align.cli_common")
    assert "mtfs_align.api" not in _imports("mtfs_align.cli_common", top_level_only=True)


@pytest.mark.parametrize("module", ["mtfs_align.analysis.risk", "mtfs_align.analysis.frontier", "mtfs_align.progress"])
def test_the_analyses_run_without_click(module):
    """Progress reaches an analysis as a callable: click stays with the command line."""
    code = f"import sys, {module}; sys.exit('click' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, str] = {}
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                cycles.append(path[path.index(other) :] + [other] if other in path else [name, other])
            elif other not in state:
                visit(other, [*path, other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_cycle_in_the_optimiser_even_through_imports_inside_functions():
    """Issue 10 item 3: an import deferred into a function only to break a cycle is still a cycle.
    Among the optimiser's modules every import counts, and the dependencies run one way."""
    inside = {name for name in MODULES if _in(name, ("optimise",))}
    graph = {name: _imports(name) & inside for name in inside}
    assert _cycles(graph) == []


def test_no_cycle_anywhere_even_through_imports_inside_functions():
    """Issue 10 item 3, package-wide: every import a module can run counts, deferred or not (only
    `if TYPE_CHECKING:` blocks, which never run, are left out)."""
    graph = {name: _imports(name) for name in MODULES}
    assert _cycles(graph) == []


def test_type_checking_imports_are_left_out_and_deferred_ones_kept():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nelse:\n    import b\n"
        "def f():\n    import c\n"
    )
    names = {alias.name for node in _walk_run_time(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert names == {"b", "c"}


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
