"""Every alternative on file (DESIGN 5 `plans/`): `run` keeps the plan of each frontier point and of
B and C in plan.csv's columns, and `check --plan plans/B.csv` reproduces the savings and harm the
run reported for it; plans_activities.csv holds each alternative's activities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mtfs_align.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_every_frontier_point_and_b_and_c_have_their_plan(westshire_run):
    plan_columns = pd.read_csv(westshire_run / "plan.csv").columns.tolist()
    frontier = pd.read_csv(westshire_run / "frontier.csv")
    names = [f"frontier_{p:02d}" for p in frontier["point"]] + ["B", "C"]
    assert sorted(p.stem for p in (westshire_run / "plans").glob("*.csv")) == sorted(names)
    for name in names:
        plan = pd.read_csv(westshire_run / "plans" / f"{name}.csv")
        assert plan.columns.tolist() == plan_columns
    for _, row in frontier.iterrows():  # each plan's harm is its point's
        plan = pd.read_csv(westshire_run / "plans" / f"frontier_{int(row['point']):02d}.csv")
        assert plan["harm"].sum() == pytest.approx(row["harm"], abs=1e-6)


@pytest.mark.parametrize("name", ["B", "C"])
def test_check_plan_reproduces_b_and_c(westshire_run, tmp_path, name):
    proposal = pd.read_csv(westshire_run / "proposal.csv").set_index("plan")
    out = tmp_path / name
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(ROOT / "scenarios" / "proposal.yaml"),
            "--plan",
            str(westshire_run / "plans" / f"{name}.csv"),
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    budget = pd.read_csv(out / "budget.csv")
    plan = pd.read_csv(out / "plan.csv")
    assert budget["savings_k"].sum() == pytest.approx(proposal.loc[name, "savings_k"], abs=0.001)
    assert plan["harm"].sum() == pytest.approx(proposal.loc[name, "harm"], abs=1e-6)


def test_plans_activities_holds_each_alternatives_activities(westshire_run):
    table = pd.read_csv(westshire_run / "plans_activities.csv")
    activities = pd.read_csv(westshire_run / "activities.csv")
    frontier = pd.read_csv(westshire_run / "frontier.csv")
    expected = {f"frontier_{p:02d}" for p in frontier["point"]} | {"P", "B", "C"}
    assert set(table["plan"]) == expected
    assert (table.groupby("plan").size() == len(activities)).all()
    assert table["directorate"].notna().all() and (table["directorate"] != "").all()
    # The proposal's own rows are its proposal/activities.csv
    mine = table[table["plan"] == "P"].drop(columns=["plan", "directorate"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, pd.read_csv(westshire_run / "proposal" / "activities.csv"))
