"""The Python API (issue 10, items 1-3): each command a function returning the results in memory,
the tables those of the output folder with the declared dtypes, nothing written without `out=`,
errors carrying the command line's located problems; docs/python-api.md runs as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

import mtfs_align
from mtfs_align import defaults
from mtfs_align.cli import cli
from mtfs_align.cli_common import SETTING_OPTIONS
from mtfs_align.io.result_tables import DTYPES, TABLES, UNDECLARED, spec
from mtfs_align.results import read_results

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
PROPOSAL = ROOT / "scenarios" / "proposal.yaml"
CENTRAL = ROOT / "scenarios" / "central.yaml"


def test_all_names_the_commands_and_the_error_types():
    wanted = {"load_scenario", "check", "optimise", "frontier", "risk", "robust", "compare", "run"}
    wanted |= {"MtfsError", "InputError", "ContradictionError", "SolverError"}
    assert wanted <= set(mtfs_align.__all__)
    for name in mtfs_align.__all__:
        assert getattr(mtfs_align, name) is not None


def test_optimise_is_callable_even_once_its_package_is_imported():
    import mtfs_align.optimise as optimiser

    assert callable(optimiser.prepare) and callable(mtfs_align.optimise)
    results = mtfs_align.optimise(CENTRAL)
    assert results.command == "optimise" and results.exit_code == 0


def test_check_budget_is_budget_csv(tmp_path):
    results = mtfs_align.check(PROPOSAL, out=tmp_path / "out")
    written = (tmp_path / "out" / "budget.csv").read_bytes()
    assert results.text("budget").encode("utf-8") == written
    assert results.budget.equals(read_results(tmp_path / "out").budget)
    assert str(results.budget["gap_k"].dtype) == "float64"
    assert results.budget["year"].tolist() == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert results.budget["unidentified_k"].tolist() == [0.0, 0.0, 0.0, 8250.464]


def test_every_table_has_the_declared_dtypes():
    results = mtfs_align.check(PROPOSAL)
    assert set(results.tables) == {
        "budget",
        "activities",
        "plan",
        "outcomes",
        "alignment",
        "savings_summary",
        "breaches",
        "screened",
    }
    for name, frame in results.tables.items():
        declared = spec(name)
        for column in frame.columns:
            assert str(frame[column].dtype) == DTYPES[declared.kind(column)], (name, column)


def test_nothing_is_written_without_an_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mtfs_align.check(PROPOSAL)
    mtfs_align.risk(PROPOSAL, draws=200)
    mtfs_align.robust(CENTRAL, samples=2)
    assert list(tmp_path.iterdir()) == []


def test_errors_carry_the_problems_the_command_line_prints(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(PROPOSAL.read_text(encoding="utf-8").replace("extends: central.yaml", "extends: nowhere.yaml"))
    with pytest.raises(mtfs_align.InputError) as caught:
        mtfs_align.check(broken)
    printed = CliRunner().invoke(cli, ["check", str(broken), "--out", str(tmp_path / "o")])
    assert printed.exit_code == 2
    assert caught.value.problems
    for problem in caught.value.problems:
        assert f"  - {problem}" in printed.output


def test_bad_settings_are_input_errors_and_unknown_ones_type_errors():
    with pytest.raises(mtfs_align.InputError) as caught:
        mtfs_align.frontier(CENTRAL, points=1, seed=-1)
    assert [p.field for p in caught.value.problems] == ["--points", "--seed"]
    with pytest.raises(TypeError, match="draw"):
        mtfs_align.risk(CENTRAL, draw=10)
    with pytest.raises(mtfs_align.InputError, match="at least two"):
        mtfs_align.compare(CENTRAL)


def test_a_folder_read_back_is_the_results_that_wrote_it(tmp_path):
    done = mtfs_align.frontier(PROPOSAL, points=3, out=tmp_path / "f")
    again = read_results(tmp_path / "f") if (tmp_path / "f" / "budget.csv").is_file() else None
    assert again is None  # frontier writes no budget.csv: not a folder `brief` can rebuild
    checked = mtfs_align.risk(PROPOSAL, draws=300, out=tmp_path / "r")
    again = read_results(tmp_path / "r")
    assert set(again.tables) == set(checked.tables)
    for name, frame in checked.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], frame, check_exact=True)
    assert again.manifest == checked.manifest
    assert done.frontier["point"].tolist() == [1, 2, 3]


def test_the_declaration_covers_every_column_the_tool_writes():
    """Every CSV of the golden record (every command on every bundled scenario) is declared, and
    each of its columns is a declared column or matches a declared pattern."""
    for path in sorted(GOLDEN.rglob("*.csv")):
        relative = path.relative_to(GOLDEN).as_posix().split("/", 1)[1]
        declared = spec(relative)
        assert declared is not UNDECLARED, relative
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        named = {column for column, _ in declared.columns}
        for column in header:
            matched = column in named or any(re.fullmatch(p, column) for p, _ in declared.patterns)
            assert matched or relative == "compare_options.csv", (relative, column)
    assert set(TABLES) >= {"budget", "activities", "plan", "frontier", "risk", "resilience", "core_index"}


def test_the_settings_defaults_are_declared_once():
    settings = mtfs_align.Settings()
    assert (settings.seed, settings.draws, settings.points, settings.samples) == (
        defaults.SEED,
        defaults.DRAWS,
        defaults.POINTS,
        defaults.SAMPLES,
    )
    for command in cli.commands.values():
        for param in command.params:
            if param.name in SETTING_OPTIONS and param.name in ("seed", "draws", "points", "samples"):
                assert param.default == getattr(defaults, param.name.upper()), (command.name, param.name)


@pytest.mark.parametrize("points, words", [("1", "too few points"), ("500", "more than a frontier needs")])
def test_run_checks_points_as_frontier_does(points, words, tmp_path):
    outputs = []
    for command in ("run", "frontier"):
        result = CliRunner().invoke(cli, [command, str(CENTRAL), "--points", points, "--out", str(tmp_path / command)])
        assert result.exit_code == 2 and words in result.output, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert not (tmp_path / "run").exists()


def test_every_command_has_help_text():
    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (name, param.name)


def test_the_python_api_page_runs_as_written(tmp_path, monkeypatch):
    """Every ```python block of docs/python-api.md, in order, in one namespace, in a copy of the
    bundled example (its asserts are part of the page)."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "data" / "westshire", tmp_path / "data" / "westshire")
    monkeypatch.chdir(tmp_path)
    page = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) >= 8
    namespace: dict = {}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"docs/python-api.md, block {number}", "exec"), namespace)
    assert (tmp_path / "outputs" / "notebook-run" / "results.xlsx").is_file()
