"""The command line behaves like the ones people know: help in workflow order with an example for
every command, -V, no flag that does nothing, a word on which example is used, and `init`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtfs_align import __version__
from mtfs_align.cli import WORKFLOW, cli
from mtfs_align.examples import default_scenario
from mtfs_align.starter import starter_files

COMMANDS = sorted(cli.commands)


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_help_lists_the_commands_in_workflow_order():
    listed = re.findall(r"^  (\w+)  ", run("--help").output, flags=re.MULTILINE)
    assert listed[: len(WORKFLOW)] == WORKFLOW
    assert sorted(listed) == COMMANDS


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS]], ids=lambda c: c[0] if c else "group")
def test_every_help_ends_with_an_example_and_names_no_design_section(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    lines = result.output.rstrip().splitlines()
    assert lines[-1].strip().startswith("mtfs-align "), result.output
    assert "Example" in lines[-2]
    assert "DESIGN" not in result.output


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    result = run(flag)
    assert result.exit_code == 0 and result.output.strip() == f"mtfs-align, version {__version__}"


def test_validate_out_checks_the_folder_and_writes_nothing(tmp_path, monkeypatch):
    """validate --out is not a flag that does nothing: it refuses a folder a later run could not use."""
    monkeypatch.chdir(tmp_path)
    Path("mine").mkdir()
    Path("mine/notes.txt").write_text("keep", encoding="utf-8")
    result = run("validate", "--out", "mine", "-q")
    assert result.exit_code == 2 and "is not an mtfs_align output folder" in result.output
    assert run("validate", "--out", "fresh", "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


# --------------------------------------------------------------------------------------------
# With no scenario
# --------------------------------------------------------------------------------------------


def test_with_no_scenario_it_says_which_example_it_uses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0
    assert (
        f"Using the bundled example scenarios/proposal.yaml (installed at {default_scenario()}); give a "
        "scenario file to use your own."
    ) in result.stderr
    assert "This folder has scenarios/" not in result.stderr
    assert "Using the bundled" not in CliRunner().invoke(cli, ["validate", "-q"]).stderr


def test_a_folder_with_its_own_scenarios_is_told_how_to_use_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("scenarios").mkdir()
    Path("scenarios/central.yaml").write_text("name: mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate"])
    assert "This folder has scenarios/: give one, e.g. mtfs-align validate scenarios/central.yaml" in result.stderr


# --------------------------------------------------------------------------------------------
# init
# --------------------------------------------------------------------------------------------


def test_init_writes_a_starter_folder_that_validates_and_checks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "My Council")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "My Council"
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == sorted(starter_files("my_council", 2021))
    for table in ("activities.csv", "options.csv"):
        assert len((folder / "data" / "my_council" / table).read_text(encoding="utf-8").splitlines()) == 2
    monkeypatch.chdir(folder)
    result = run("validate", "scenarios/my_council.yaml")
    assert result.exit_code == 0, result.output
    assert "The scenario is valid" in result.output
    result = run("check", "scenarios/my_council.yaml", "-q")
    assert result.exit_code in (0, 1), result.output
    assert (folder / "outputs" / "my_council" / "check" / "budget.csv").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("mine").mkdir()
    Path("mine/notes.txt").write_text("keep", encoding="utf-8")
    result = run("init", "mine")
    assert result.exit_code == 2
    assert "mine is not empty, so nothing was written into it" in result.output
    assert sorted(p.name for p in Path("mine").iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # nothing half-made beside it


def test_init_into_an_empty_folder_with_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("empty").mkdir()
    result = run("init", "empty", "--name", "westvale")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "empty" / "scenarios" / "westvale.yaml").is_file()
    assert run("init", "other", "--name", "Bad Name").exit_code == 2
