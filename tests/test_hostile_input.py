"""Hostile and awkward input found by trying to break the tool (issue 12, item 8) that the broken
corpus cannot hold: round trips and councils that are valid but unusual."""

from __future__ import annotations

from click.testing import CliRunner
from factory import Council

from mtfs_align.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_ids_that_look_like_formulas_survive_the_plan_file_round_trip(tmp_path):
    """plan.csv neutralises '=S1' and '-S2' (a leading apostrophe); check --plan reads them back."""
    c = Council(scenario_name="formula_ids")
    c.option("S1")["id"] = "=S1"
    c.option("S2")["id"] = "-S2"
    c.scenario["plan"] = {"=S1": "2021/22", "-S2": "2022/23"}
    path = c.write(tmp_path)
    first = invoke("check", path, "-q", "--out", tmp_path / "a")
    assert first.exit_code in (0, 1), first.output
    assert "'=S1" in (tmp_path / "a" / "plan.csv").read_text()
    again = invoke("check", path, "--plan", tmp_path / "a" / "plan.csv", "-q", "--out", tmp_path / "b")
    assert again.exit_code == first.exit_code, again.output
    assert (tmp_path / "b" / "budget.csv").read_text() == (tmp_path / "a" / "budget.csv").read_text()
