"""The frontier of DESIGN 4.5: a hand-worked case, exactness against optimising each scaled scenario
afresh, the solves it saves, contradictions, and the `frontier` command.

The hand-worked council ("Frontiershire", built from tests/factory.py) has two years; need 1000 and
funding 900 a year, so the gap G = 100 in each; reserves 30 usable, minimum 0, at most 20 drawn a
year; penalty 0.001 a £k drawn. Equal priority weights: w[O1] = 1/3, w[O2] = 1/6, w[O3] = 1/2.
Every option starts in 2021/22 only and saves the same every year:
  S1: A1, 60 a year, harms O1:1 -> harm 1/3 a year, 2/3 over the horizon
  S2: A2, 50 a year, harms O3:1 -> 1/2 a year, 1 over the horizon
  S3: A3, 40 a year, harms O2:1 -> 1/6 a year, 1/3 over the horizon

--vary gap, 0.5 to 2.5 in 5 points:
  0.5 (gap 50): S3 alone leaves 10 a year, drawn from reserves (20 in all): harm 1/3 + 0.02.
      S1 or S2 alone cost more harm; nothing cheaper balances. Savings 80 over the horizon.
  1.0 (gap 100): S1 + S3 save exactly 100: harm 1. (S2 + S3 = 90 balances with 20 drawn but
      harm 4/3; S1 alone is 40 short a year, more than 20 can be drawn.) Savings 200.
  1.5 (gap 150): only all three (150) balance: harm 2, P1 1 and P2 1. Savings 300.
  2.0 (gap 200): all three leave 50 a year: 20 then 10 drawn (the room is 30), 30 + 40 = 70
      unidentified (u1* = 30, sum u* = 70). Harm 2.
  2.5 (gap 250): likewise 80 + 90 = 170 unidentified, 30 drawn.
Each point is solved on its own (so that points can be solved side by side with the same answers):
at 0.5, 1.0 and 1.5 the greedy balanced plan (S3, then S1, then S2, by harm per £) leaves nothing
unidentified, which proves stages 1 and 2, so stage 3 only; 2.0 and 2.5 need all three: 9 solves.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from factory import Council, activity, option, read_csv, two_year_council

from mtfs_align.analysis.frontier import COLUMNS, check_range, frontier, scaled_model
from mtfs_align.cli_analysis import frontier as frontier_command
from mtfs_align.errors import ContradictionError, InputError
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise
from mtfs_align.optimise.solvers import SolverSettings

EXACT = SolverSettings(mip_gap=0.0)
THIRD = 1 / 3


def frontiershire() -> Council:
    return two_year_council("frontiershire", "frontier")


def test_hand_worked_frontier(tmp_path):
    model = frontiershire().model(tmp_path)
    result = frontier(model, EXACT, vary="gap", start=0.5, stop=2.5, points=5)
    table = result.table
    assert list(table.columns) == COLUMNS + ["harm_P1", "harm_P2"]
    assert table["point"].tolist() == [1, 2, 3, 4, 5]
    assert table["scale"].tolist() == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.5])
    assert table["savings_k"].tolist() == pytest.approx([80, 200, 300, 300, 300])
    assert table["harm"].tolist() == pytest.approx([THIRD, 1, 2, 2, 2])
    assert table["harm_P1"].tolist() == pytest.approx([THIRD, 1, 1, 1, 1])
    assert table["harm_P2"].tolist() == pytest.approx([0, 0, 1, 1, 1])
    assert table["unidentified_k"].tolist() == pytest.approx([0, 0, 0, 70, 170], abs=1e-6)
    assert table["reserves_draw_k"].tolist() == pytest.approx([20, 0, 0, 30, 30], abs=1e-6)
    assert [p.plan for p in result.points] == [{"S3": 0}, {"S1": 0, "S3": 0}] + [{"S1": 0, "S2": 0, "S3": 0}] * 3
    assert [p.unidentified_first_year for p in result.points] == pytest.approx([0, 0, 0, 30, 80], abs=1e-6)
    assert [p.unidentified_total for p in result.points] == pytest.approx([0, 0, 0, 70, 170], abs=1e-6)
    # 9 solves rather than 15: stages 1-2 proved by the greedy plan at three points.
    assert [p.solves for p in result.points] == [1, 1, 1, 3, 3]
    assert result.solves == 9 and result.skipped_balance_stages == 3
    assert result.current.scale == 1.0 and result.current.plan == {"S1": 0, "S3": 0}
    # the built problem is left at the scenario's own gap
    assert result.problem.gap_scale == 1.0


def test_a_point_is_evaluated_against_its_scaled_gap(tmp_path):
    """Each point's figures come from evaluating its plan with the gap scaled (budget.csv's gap)."""
    model = frontiershire().model(tmp_path)
    result = frontier(model, EXACT, vary="gap", start=0.5, stop=1.0, points=2)
    budget = result.points[0].evaluation.budget
    assert budget["gap_k"].tolist() == pytest.approx([50, 50])
    assert budget["reserves_draw_k"].tolist() == pytest.approx([10, 10])


def test_scaled_model_reserves(tmp_path):
    """--vary reserves scales usable - minimum and every draw limit; no limit stays no limit."""
    c = frontiershire()
    c.mtfs["reserves"] = {"usable_k": 50, "minimum_k": 20, "max_draw_k": [20, 10]}
    model = c.model(tmp_path)
    scaled = scaled_model(model, "reserves", 0.5).scenario.reserves
    assert (scaled.usable_k, scaled.minimum_k, scaled.max_draw_k) == (35, 20, [10, 5])
    assert model.scenario.reserves.usable_k == 50  # the model itself is untouched
    c.mtfs["reserves"] = {"usable_k": 50, "minimum_k": 20}
    unlimited = scaled_model(c.model(tmp_path), "reserves", 0.0).scenario.reserves
    assert unlimited.usable_k == 20 and unlimited.max_draw_k == [np.inf, np.inf]


def test_reserves_frontier_hand_worked(tmp_path):
    """At the gap of 100: with no reserves S1 + S3 balance exactly (harm 1); with twice the
    reserves (room 60, 40 a year) S1 + S3 still cost least (S2 + S3 needs 20 drawn, harm 4/3;
    S1 alone would need 80 drawn, more than 60). So the plan never changes, nothing is drawn."""
    model = frontiershire().model(tmp_path)
    result = frontier(model, EXACT, vary="reserves", start=0.0, stop=2.0, points=3)
    assert [p.plan for p in result.points] == [{"S1": 0, "S3": 0}] * 3
    assert result.table["harm"].tolist() == pytest.approx([1, 1, 1])
    assert result.table["reserves_draw_k"].tolist() == pytest.approx([0, 0, 0])


def random_council(seed: int) -> Council:
    """A small council where the gap, reserves, floors, capacity and windows all matter."""
    rng = np.random.default_rng(seed)
    c = Council(name=f"random{seed}", scenario_name=f"random{seed}")
    c.mtfs["reserves"] = {
        "usable_k": int(rng.integers(20, 80)),
        "minimum_k": 10,
        "max_draw_k": int(rng.integers(10, 40)),
    }
    c.activities = [
        activity("A1", 600, "O1", floor_share=0.85),
        activity("A2", 300, "O2", floor_share=0.7),
        activity("A3", 100, "O3"),
    ]
    c.options = []
    years = ["2021/22", "2022/23", "2023/24"]
    for i in range(7):
        fields = {
            "y1_k": int(rng.integers(5, 45)),
            "y2_k": int(rng.integers(-5, 20)),
            "effort": int(rng.integers(1, 3)),
            "harms": f"O{int(rng.integers(1, 4))}:{int(rng.integers(1, 4))}",
        }
        if rng.random() < 0.4:
            fields["earliest"] = years[int(rng.integers(0, 2))]
        if rng.random() < 0.3:
            fields["one_off_k"] = int(rng.integers(1, 10))
        c.options.append(option(f"S{i + 1}", f"A{int(rng.integers(1, 4))}", **fields))
    c.scenario["policy"] = {"capacity": [4, 3, 3]}
    return c


def independently_scaled(council: Council, model, vary: str, factor: float, tmp_path):
    """The same scenario with its data changed so that the gap (or the reserves) is scaled, read
    and built from files: funding is set to need less the scaled gap, or the reserves rewritten."""
    c = council.copy()
    c.scenario_name = f"{council.scenario_name}_{vary}_{factor:g}".replace(".", "_")
    if vary == "gap":
        c.mtfs["funding_k"] = {"council_tax": (model.need_council - factor * model.gap).tolist()}
    else:
        r = model.scenario.reserves
        c.mtfs["reserves"] = {
            "usable_k": r.minimum_k + factor * (r.usable_k - r.minimum_k),
            "minimum_k": r.minimum_k,
            "max_draw_k": [d * factor for d in r.max_draw_k],
        }
    return build_model(c.load(tmp_path))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("vary", ["gap", "reserves"])
def test_points_equal_independent_optimisation(seed, vary, tmp_path):
    """Every point reaches the optimum that optimise() finds on the scaled scenario read afresh:
    the same u[1]* and sum of u* (DESIGN 4.4's tolerance) and the same objective (MIP gap 0)."""
    council = random_council(seed)
    model = council.model(tmp_path)
    scales = (0.5, 1.0, 1.5, 2.0) if vary == "gap" else (0.0, 0.5, 1.0, 2.0)
    result = frontier(model, EXACT, vary=vary, start=scales[0], stop=scales[-1], points=len(scales))
    for point in result.points:
        alone_model = independently_scaled(council, model, vary, point.scale, tmp_path)
        alone = optimise(alone_model, EXACT)
        alone_ev = evaluate(alone_model, alone.plan)
        assert point.unidentified_first_year == pytest.approx(alone.unidentified_first_year, abs=0.01)
        assert point.unidentified_total == pytest.approx(alone.unidentified_total, abs=0.01)
        assert point.evaluation.objective == pytest.approx(alone_ev.objective, abs=1e-6)
        assert point.evaluation.unidentified_k == pytest.approx(alone_ev.unidentified_k, abs=0.02)
        assert point.evaluation.budget["gap_k"].to_numpy() == pytest.approx(alone_ev.budget["gap_k"].to_numpy())


def test_contradiction_is_raised_at_the_first_point(tmp_path):
    """An adopted option that breaks a floor contradicts at any scale: an error naming it."""
    c = frontiershire()
    c.option("S1").update(y1_k=400)  # A1: need 600, floor 300: 400 of savings breaks it
    c.scenario["policy"] = {"adopt": {"S1": "2021/22"}}
    with pytest.raises(ContradictionError, match="S1"):
        frontier(c.model(tmp_path), EXACT, points=3)


@pytest.mark.parametrize(
    "vary, start, stop, points, field",
    [
        ("gap", 0.5, 1.5, 1, "--points"),
        ("gap", 1.5, 0.5, 11, "--from"),
        ("gap", 1.0, 1.0, 3, "--from"),
        ("reserves", -1.0, 2.0, 11, "--from"),
        ("gap", 0.5, float("nan"), 11, "--to"),
        ("budget", 0.5, 1.5, 11, "--vary"),
    ],
)
def test_bad_ranges_are_bad_input(vary, start, stop, points, field):
    with pytest.raises(InputError) as err:
        check_range(vary, start, stop, points)
    assert field in str(err.value)


def test_progress_is_called_once_a_point(tmp_path):
    steps = []
    frontier(frontiershire().model(tmp_path), EXACT, start=0.5, stop=1.5, points=3, progress=steps.append)
    assert steps == [1, 1, 1]


# ---- the command ------------------------------------------------------------------------------


def test_frontier_command_writes_the_tables(tmp_path):
    c = frontiershire()
    c.scenario["plan"] = {"S2": "2021/22", "S3": "2021/22"}
    path = c.write(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        frontier_command,
        [str(path), "--from", "0.5", "--to", "1.5", "--points", "3", "--mip-gap", "0", "--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "frontier.csv")
    assert list(rows[0]) == COLUMNS + ["harm_P1", "harm_P2"]
    assert [r["scale"] for r in rows] == ["0.5", "1", "1.5"]
    assert [r["savings_k"] for r in rows] == ["80", "200", "300"]
    proposal = read_csv(out / "proposal.csv")
    assert [r["plan"] for r in proposal] == ["P", "B", "C"]
    assert list(proposal[0])[:6] == ["plan", "label", "savings_k", "harm", "unidentified_k", "reserves_draw_k"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "frontier"
    assert manifest["harm"] == pytest.approx(1.0)  # the optimum at scale 1: S1 + S3
    assert manifest["frontier"]["vary"] == "gap" and manifest["frontier"]["points"] == 3
    assert manifest["solver"] == "highs" and manifest["mip_gap"] == 0
    assert "each extra £1m of savings" in result.output
    assert "For at least the proposal's savings in every year, plan B" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".mtfs-align-output", "frontier.csv", "manifest.json", "plans", "proposal.csv"]
    # DESIGN 5: the plan of every frontier point and of B and C, in plan.csv's columns
    plans = sorted(p.name for p in (out / "plans").iterdir())
    assert plans == ["B.csv", "C.csv", "frontier_01.csv", "frontier_02.csv", "frontier_03.csv"]
    assert list(read_csv(out / "plans" / "B.csv")[0])[:6] == ["option", "name", "activity", "start", "rag", "harm"]


def test_frontier_command_without_a_plan_writes_no_proposal(tmp_path):
    path = frontiershire().write(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        frontier_command, [str(path), "--vary", "reserves", "--points", "2", "-q", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert not (out / "proposal.csv").exists()
    assert [r["scale"] for r in read_csv(out / "frontier.csv")] == ["0", "2"]


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--points", "1"], "--points"),
        (["--from", "1.5", "--to", "0.5"], "not below --to"),
        (["--from", "-0.5"], "negative"),
        (["--vary", "funding"], "--vary"),
    ],
)
def test_frontier_command_bad_flags_exit_2(flags, words, tmp_path):
    path = frontiershire().write(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(frontier_command, [str(path), *flags, "--out", str(out)])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_frontier_command_progress_and_quiet(tmp_path):
    """Progress (a bar, or its label when stderr is not a terminal) goes to stderr; --quiet
    silences it and the notes, leaving only the results."""
    path = frontiershire().write(tmp_path)
    runner = CliRunner()
    loud = runner.invoke(frontier_command, [str(path), "--points", "2", "--out", str(tmp_path / "a")])
    quiet = runner.invoke(frontier_command, [str(path), "--points", "2", "-q", "--out", str(tmp_path / "b")])
    assert loud.exit_code == quiet.exit_code == 0
    assert "Frontier points" in loud.stderr and "Re-optimising" in loud.stderr
    assert quiet.stderr == ""
    assert "Frontier: the gap scaled from 0.5x to 1.5x" in quiet.stdout
