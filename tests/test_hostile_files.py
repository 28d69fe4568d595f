"""Hostile files at the reading stage (issue 12, item 8): symlink loops, files too large to be an
input, damaged or malicious workbooks, and workbook content that Excel shows differently from what
it stores. Each must give a located message and exit 2: never exit 3, a traceback, a hang or
unbounded memory. Everything goes through the CLI."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner
from factory import Council

from mtfs_align.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def refused(result, *words):
    """Exit 2 with a message holding every word, and no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    for word in words:
        assert word in result.output, result.output


def loop(path):
    """Make `path` a symbolic link to itself."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    os.symlink(path.name, path)


# --------------------------------------------------------------------------------------------
# Symlink loops
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["options.csv", "activities.csv", "mtfs.yaml", "plan.yaml"])
def test_a_data_file_that_is_a_symlink_loop_is_named(tmp_path, name):
    c = Council()
    path = c.write(tmp_path)
    loop(c.data_dir(tmp_path) / name)
    refused(invoke("validate", path), name, "symbolic link that loops")


def test_a_two_link_loop_is_named(tmp_path):
    c = Council()
    path = c.write(tmp_path)
    data = c.data_dir(tmp_path)
    (data / "options.csv").unlink()
    os.symlink("other.csv", data / "options.csv")
    os.symlink("options.csv", data / "other.csv")
    refused(invoke("validate", path), "options.csv", "symbolic link that loops")


def test_a_plan_file_that_is_a_symlink_loop_is_named(tmp_path):
    path = Council().write(tmp_path)
    os.symlink("plan.csv", tmp_path / "plan.csv")
    refused(invoke("check", path, "--plan", tmp_path / "plan.csv", "-q", "--out", tmp_path / "out"), "plan.csv")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# Size limits (sparse files: no real disk use)
# --------------------------------------------------------------------------------------------


def sparse(path, size):
    with open(path, "ab") as handle:
        handle.truncate(size)


@pytest.mark.parametrize("name", ["options.csv", "mtfs.yaml"])
def test_a_data_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path, name):
    c = Council()
    path = c.write(tmp_path)
    sparse(c.data_dir(tmp_path) / name, 60_000_000)
    refused(invoke("validate", path), name, "above the limit of 50 MB")


def test_a_scenario_above_the_size_limit_is_refused(tmp_path):
    path = Council().write(tmp_path)
    sparse(path, 60_000_000)
    refused(invoke("validate", path), "test.yaml", "above the limit of 50 MB")
