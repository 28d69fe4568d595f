"""Hand-worked optimiser cases on Testshire (tests/factory.py), one or more per constraint family.

Testshire: three years; need 1000 and funding 900 a year, so the gap G = 100 every year; reserves
100 usable, minimum 0, no draw limit; reserves_penalty 0.001. No weights block, so P1 = P2 = 0.5;
O1 (weight 2) and O2 (weight 1) share P1: w[O1] = 1/3, w[O2] = 1/6, w[O3] = 1/2.
  S1: A1 efficiency, y1 50, harms O1:1      -> h = 1/3 a year, 1 over the horizon from 2021/22
  S2: A2 demand management, y1 30, y2 20, harms O2:2 -> h = 1/3 a year; saves 30, 50, 50 from 2021/22
  S3: A3 income, y1 20, no harm            -> h = 0
"""

from __future__ import annotations

import pytest
from factory import Council

from mtfs_align.errors import ContradictionError, InputError
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise

THIRD = 1 / 3


def run(council: Council, tmp_path):
    model = build_model(council.load(tmp_path))
    solution = optimise(model)
    return solution, evaluate(model, solution.plan)


def test_balance_base_case(tmp_path):
    """S3 is free. S1 + S3 from 2021/22 leave 30 a year, 90 in all, within the 100 of reserves, so
    nothing is unidentified; S2 + S3 would leave 50 + 30 + 30 = 110 > 100. Harm 1, draws 90:
    objective 1 + 0.001 x 90 = 1.09. Adding S2 would cost harm 1 to save at most 0.09."""
    solution, ev = run(Council(), tmp_path)
    assert solution.plan == {"S1": 0, "S3": 0}
    assert ev.unidentified_k == pytest.approx(0, abs=1e-6)
    assert ev.reserves_draw_k == pytest.approx(90)
    assert ev.objective == pytest.approx(1.09)


def test_floor_stops_an_option(tmp_path):
    """A1's floor at 95% leaves room for 30 of savings, so S1 (50) cannot go. S2 + S3 from 2021/22:
    gaps after savings 50, 30, 30; reserves 100 cover 50 + 30 + 20, leaving 10 unidentified in 2023/24."""
    council = Council()
    council.activity("A1")["floor_share"] = 0.95
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S2": 0, "S3": 0}
    assert list(ev.budget["unidentified_k"]) == pytest.approx([0, 0, 10])
    assert ev.envelope_breaches.empty


def test_cash_limit_forces_savings(tmp_path):
    """A2 grows 5% a year with a flat cash limit of 300: need 300, 315, 330.75, so A2 must save 15
    in 2022/23 and 30.75 in 2023/24. Only S2 can, started by 2022/23."""
    council = Council()
    council.activity("A2").update(growth_pct=5, envelope_growth_pct=0)
    solution, ev = run(council, tmp_path)
    assert "S2" in solution.plan and solution.plan["S2"] <= 1
    assert ev.envelope_breaches.empty


def test_cash_limit_out_of_reach_is_a_contradiction(tmp_path):
    """A2 grows 10%: it must save 363 - 300 = 63 by 2023/24, but S2 can save at most 50."""
    council = Council()
    council.activity("A2").update(growth_pct=10, envelope_growth_pct=0)
    model = build_model(council.load(tmp_path))
    with pytest.raises(ContradictionError) as caught:
        optimise(model)
    text = str(caught.value)
    assert "A2" in text and "cash limit" in text and "2023/24" in text


def test_capacity(tmp_path):
    """One change point a year. Best: S1 in 2021/22, S3 in 2022/23, S2 in 2023/24: gaps after
    savings 50, 30, 0 -> draws 80, nothing unidentified; harm 1 + 1/3; objective 1.3333 + 0.08."""
    council = Council()
    council.scenario["policy"] = {"capacity": 1}
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S1": 0, "S3": 1, "S2": 2}
    assert ev.unidentified_k == pytest.approx(0, abs=1e-6)
    assert ev.objective == pytest.approx(1 + THIRD + 0.08)


def test_requires(tmp_path):
    """S1 needs S2 started no later. S2 + S3 from 2021/22 and S1 from 2023/24: gaps after savings 50,
    30, -20; draws 80; harm 1 + 1/3 = 1.3333; objective 1.4133. (S2 and S1 both from 2022/23 with S3
    from 2021/22 ties: gaps 80, 0, -20, draws 80, harm 2/3 + 2/3.)"""
    council = Council()
    council.option("S1")["requires"] = "S2"
    solution, ev = run(council, tmp_path)
    assert ev.objective == pytest.approx(1 + THIRD + 0.08)
    assert solution.plan["S2"] <= solution.plan["S1"]
    assert ev.policy_breaches.empty


def test_excludes(tmp_path):
    """S3 cannot go with S1. S1 alone leaves 150 against 100 of reserves; S2 + S3 leave 10 unfound;
    S1 from 2021/22 with S2 from 2022/23: gaps 50, 20, 0, draws 70, harm 1 + 2/3 -> 1.7367, the
    least harm that balances every year (S1 + S2 from 2021/22 would be 2.02). S2 from 2021/22 with S1
    from 2022/23 ties: gaps 70, 0, 0, draws 70, harm 1 + 2/3."""
    council = Council()
    council.option("S3")["excludes"] = "S1"
    solution, ev = run(council, tmp_path)
    assert solution.plan in ({"S1": 0, "S2": 1}, {"S2": 0, "S1": 1})
    assert ev.objective == pytest.approx(1 + 2 * THIRD + 0.07)


def test_protect(tmp_path):
    """P1 (A1 and A2, need 900) protected at 95%: service cuts of at most 45 a year. S1 (50) and S2
    (50 from its second year) can only go in the last year, where S2 cuts 30. S3 is income, which
    protection ignores. Gaps after S3, and S2 from 2023/24: 80, 80, 50; reserves cover 80 + 20;
    unidentified 0, 60, 50."""
    council = Council()
    council.scenario["policy"] = {"protect": {"P1": 0.95}}
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S3": 0, "S2": 2}
    assert list(ev.budget["unidentified_k"]) == pytest.approx([0, 60, 50])
    assert ev.policy_breaches.empty


def test_adopt_with_a_year(tmp_path):
    """S2 adopted from 2022/23. Best with it: S3 from 2021/22 and S1 from 2022/23: gaps 80, 0, -20;
    draws 80; harm 2/3 + 2/3; objective 1.3333 + 0.08."""
    council = Council()
    council.scenario["policy"] = {"adopt": {"S2": "2022/23"}}
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S3": 0, "S1": 1, "S2": 1}
    assert ev.objective == pytest.approx(2 * 2 * THIRD + 0.08)


def test_adopt_any_year_and_reject(tmp_path):
    """S1 rejected: S2 + S3 from 2021/22 leave 10 unidentified (see the floor case); S2 adopted with
    'any' changes nothing."""
    council = Council()
    council.scenario["policy"] = {"reject": ["S1"], "adopt": {"S2": "any"}}
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S2": 0, "S3": 0}
    assert ev.unidentified_k == pytest.approx(10)


def test_equality_screening(tmp_path):
    """S1 rated high is screened out by max_equality_impact medium: the same as rejecting it."""
    council = Council()
    council.option("S1")["equality_impact"] = "high"
    council.scenario["policy"] = {"max_equality_impact": "medium"}
    solution, ev = run(council, tmp_path)
    assert "S1" not in solution.plan
    assert ev.unidentified_k == pytest.approx(10)
    assert list(ev.screened["option"]) == ["S1"]


def test_reserves_limits(tmp_path):
    """A draw limit of 20 a year and S1 + S3 from 2021/22: gaps 30 a year, draws 20 a year, so 10 a
    year is unidentified unless S2 also goes: S2 from 2021/22 makes it 0, -20, -20 (harm 2)."""
    council = Council()
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 0, "max_draw_k": 20}
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S1": 0, "S2": 0, "S3": 0}
    assert ev.unidentified_k == pytest.approx(0, abs=1e-6)


def test_first_year_comes_first(tmp_path):
    """No reserves. Balancing 2021/22 needs 100 at once: only all three options from 2021/22 reach it.
    That plan also balances later years, so stage 1 and 2 agree; harm 2."""
    council = Council()
    council.mtfs["reserves"] = {"usable_k": 0, "minimum_k": 0}
    solution, ev = run(council, tmp_path)
    assert solution.plan == {"S1": 0, "S2": 0, "S3": 0}
    assert ev.budget["unidentified_k"].iloc[0] == pytest.approx(0, abs=1e-6)


def test_adopted_option_breaking_a_floor_is_named(tmp_path):
    council = Council()
    council.activity("A1")["floor_share"] = 0.95
    council.scenario["policy"] = {"adopt": {"S1": "2021/22"}}
    model = build_model(council.load(tmp_path))
    with pytest.raises(ContradictionError) as caught:
        optimise(model)
    assert "S1" in str(caught.value) and "floor" in str(caught.value)


def test_contradiction_found_by_the_solver_is_named(tmp_path):
    """Adopted with 'any', S1 escapes the pre-checks; the solver finds no plan and relaxing the
    families one at a time names the floor of A1 or the adoption of S1."""
    council = Council()
    council.activity("A1")["floor_share"] = 0.95
    council.scenario["policy"] = {"adopt": {"S1": "any"}}
    model = build_model(council.load(tmp_path))
    with pytest.raises(ContradictionError) as caught:
        optimise(model)
    text = str(caught.value)
    assert "A1" in text or "S1" in text
    assert "infeasible" not in text.lower()


def test_adopted_option_requiring_a_rejected_one_is_bad_input(tmp_path):
    council = Council()
    council.option("S1")["requires"] = "S2"
    council.scenario["policy"] = {"adopt": {"S1": "any"}, "reject": ["S2"]}
    with pytest.raises(InputError) as caught:
        council.load(tmp_path)
    assert "requires S2" in str(caught.value)


def test_cli_contradiction_exit_code(tmp_path):
    from click.testing import CliRunner

    from mtfs_align.cli import cli

    council = Council()
    council.activity("A2").update(growth_pct=10, envelope_growth_pct=0)
    path = council.write(tmp_path)
    result = CliRunner().invoke(cli, ["optimise", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "A2" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_cli_optimise_round_trip(tmp_path):
    """optimise writes plan.csv; check --plan of it prints and writes identical figures."""
    from click.testing import CliRunner

    from mtfs_align.cli import cli

    path = Council().write(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["optimise", str(path), "--out", str(tmp_path / "opt")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        cli, ["check", str(path), "--plan", str(tmp_path / "opt" / "plan.csv"), "--out", str(tmp_path / "chk")]
    )
    assert second.exit_code == 0, second.output
    for name in ("budget.csv", "activities.csv", "plan.csv", "outcomes.csv", "alignment.csv"):
        assert (tmp_path / "opt" / name).read_text() == (tmp_path / "chk" / name).read_text()
    table = [line for line in first.output.splitlines() if line.startswith("20")]
    assert table == [line for line in second.output.splitlines() if line.startswith("20")]


def test_time_limit_in_the_harm_stage_returns_the_balanced_plan(tmp_path, monkeypatch):
    """When the time runs out before the harm stage finds any plan, the stage-2 plan (which meets
    every constraint and balances as well as possible) comes back, marked time_limit."""
    from mtfs_align.optimise import solvers
    from mtfs_align.optimise.solvers import SolverSettings

    original = solvers.run

    def run(problem, settings, exact, warm=False):
        if not exact:
            raise solvers.NoPlanInTime("found no plan within the time limit")
        return original(problem, settings, exact, warm)

    monkeypatch.setattr(solvers, "run", run)
    model = build_model(Council().load(tmp_path))
    solution = optimise(model, SolverSettings(solver="highs", time_limit=30))
    assert solution.status == "time_limit" and solution.reported_gap is None
    ev = evaluate(model, solution.plan)
    assert ev.unidentified_k == pytest.approx(0, abs=0.011)
    assert ev.breaches.empty
