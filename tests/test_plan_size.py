"""A council too large for the optimiser to build is refused at reading, before anything of its size
is allocated, naming the size and the way out (issue 12, item 8: a 1,000,000-option council once
ran 436 s and used 13.7 GB). The limits are schema.MAX_OPTIONS and MAX_RISK_PLAN_CELLS (options x
start years x years x draws, when planning for delivery risk)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtfs_align.cli import cli
from mtfs_align.schema import MAX_OPTIONS, MAX_RISK_PLAN_CELLS

BASE = Path(__file__).resolve().parent / "broken" / "_base"


def council(root: Path, options: int, years: int = 3, scenario_extra: str = "") -> Path:
    """The broken corpus's base council with `options` rows in options.csv (its own four, then
    plain income options) over `years` years; cheap to write even at 100,000 rows."""
    folder = root / "council"
    shutil.copytree(BASE, folder)
    table = folder / "data" / "options.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    extra = [f"X{i},Fees {i},A3,income,1,,,,,,G,,,,,,none" for i in range(options - (len(lines) - 1))]
    table.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    mtfs = folder / "data" / "mtfs.yaml"
    text = mtfs.read_text(encoding="utf-8")
    labels = [f"{2021 + i}/{(22 + i) % 100:02d}" for i in range(years)]
    text = re.sub(r"years: \[.*\]", "years: [" + ", ".join(labels) + "]", text)
    text = text.replace("council_tax: [880, 890, 900]", f"council_tax: [{', '.join(['900'] * years)}]")
    text = text.replace("grants: [20, 10, 0]", f"grants: [{', '.join(['0'] * years)}]")
    text = text.replace("corporate_pressures_k: [0, 10, 20]", f"corporate_pressures_k: [{', '.join(['0'] * years)}]")
    text = text.replace("max_draw_k: [50, 50, 0]", f"max_draw_k: [{', '.join(['50'] * years)}]")
    mtfs.write_text(text, encoding="utf-8")
    if scenario_extra:
        scenario = folder / "scenario.yaml"
        scenario.write_text(
            scenario.read_text(encoding="utf-8").replace("policy:\n", "policy:\n" + scenario_extra), encoding="utf-8"
        )
    return folder


def run(folder: Path, *args: str):
    here = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, [args[0], "scenario.yaml", *args[1:], "--out", "../out"])
    finally:
        os.chdir(here)


def test_the_limits_admit_the_sizes_measured():
    """20,000 options (measured: --time-limit 60 holds within 7 s over 4 or 10 years), and 1,250
    options over 4 years planned against 500 draws (within 1 s)."""
    assert MAX_OPTIONS == 20_000
    assert 1_250 * 4 * 4 * 500 == MAX_RISK_PLAN_CELLS


def test_a_council_too_large_to_plan_is_refused_with_its_size_and_the_fix(tmp_path):
    """20,001 options: one problem on options.csv naming the count and the limit, with the way
    out; exit 2, nothing written, whatever the command."""
    folder = council(tmp_path, 20_001, years=10)
    for command in (["optimise", "--time-limit", "60"], ["validate"], ["check"]):
        result = run(folder, *command)
        assert result.exit_code == 2, result.output
        problems = [line for line in result.output.splitlines() if line.lstrip().startswith("- ")]
        assert len(problems) == 1, result.output
        (line,) = problems
        assert "data/options.csv" in line
        assert "20,001 savings options are more than the optimiser can plan at once (at most 20,000)" in line
        assert "Fix: leave out the options already decided or rejected" in line
        assert "Traceback" not in result.output
        assert not (tmp_path / "out").exists()


def test_the_largest_council_that_fits_is_read(tmp_path):
    """20,000 options over 10 years (exactly the limit) are read: validate says nothing of size."""
    folder = council(tmp_path, 20_000, years=10)
    result = run(folder, "validate")
    assert result.exit_code in (0, 1), result.output
    assert "more than the optimiser can plan" not in result.output


def test_planning_for_risk_counts_the_draws(tmp_path):
    """plan_on: risk with 500 draws over 3 years: 2,222 options fit, 2,223 do not, and the fix
    names both ways out (fewer options, fewer draws)."""
    limit = MAX_RISK_PLAN_CELLS // (3 * 3 * 500)
    folder = council(tmp_path, limit + 1, years=3, scenario_extra="  plan_on: risk\n  risk_draws: 500\n")
    result = run(folder, "validate")
    assert result.exit_code == 2, result.output
    assert f"{limit + 1:,} savings options over 3 years, planned against 500 simulated futures" in result.output
    assert f"plan at most {limit:,} options against 500 futures" in result.output
    assert "policy.risk_draws of at most 499" in result.output


@pytest.mark.parametrize("command", [["frontier", "--vary", "confidence", "--points", "2"]])
def test_a_confidence_frontier_counts_the_draws_whatever_the_scenario_plans_on(tmp_path, command):
    """A nominal scenario reads (validate), but re-planning it for risk at every confidence
    would build the risk model: refused, naming --vary confidence, before it is built."""
    limit = MAX_RISK_PLAN_CELLS // (3 * 3 * 500)
    folder = council(tmp_path, limit + 1, years=3)
    assert run(folder, "validate").exit_code in (0, 1)
    result = run(folder, *command)
    assert result.exit_code == 2, result.output
    assert "--vary confidence" in result.output and "simulated futures" in result.output
    assert not (tmp_path / "out").exists()
