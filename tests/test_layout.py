"""The shape of the reading stage (issue 10): files -> io/ -> schema -> scenario -> model, nothing
reaching back. io/ never imports the scenario stage; the model does not import the scenario at run
time (it takes one as input, and the scenario's checks use the model's arithmetic); the scenario
package is split along the input files, each module under 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mtfs_align"


def runtime_imports(path: Path) -> set[str]:
    """The modules `path` imports when it runs (imports under `if TYPE_CHECKING:` aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", None) == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py"))


@pytest.mark.parametrize(
    "path", modules("io") + modules("io/tracker") + modules("schema"), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_io_and_the_schema_do_not_import_the_scenario_or_later_stages(path):
    later = ("mtfs_align.scenario", "mtfs_align.model", "mtfs_align.report", "mtfs_align.cli", "mtfs_align.optimise")
    assert not [m for m in runtime_imports(path) if m.startswith(later)]


def test_the_model_does_not_import_the_scenario_at_run_time():
    assert not [m for m in runtime_imports(PACKAGE / "model.py") if m.startswith("mtfs_align.scenario")]


@pytest.mark.parametrize("path", modules("scenario") + modules("schema"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_module_of_the_reading_stage_is_under_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500


@pytest.mark.parametrize("path", modules("scenario"), ids=lambda p: p.name)
def test_the_scenario_stage_does_not_import_later_stages(path):
    later = ("mtfs_align.evaluate", "mtfs_align.optimise", "mtfs_align.analysis", "mtfs_align.report", "mtfs_align.cli")
    assert not [m for m in runtime_imports(path) if m.startswith(later)]
