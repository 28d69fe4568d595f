"""The greedy balanced plan (mtfs_align/optimise/greedy.py) that lets the optimiser skip stages 1
and 2: hand-worked on Testshire (see tests/test_optimise_cases.py for its figures), and against
brute force on the random tiny councils of tests/test_optimise_exact.py.

Greedy order on Testshire, by harm over the horizon per £k saved over the horizon, ties by earlier
start, then option:
  S3 (no harm): ratio 0 at every start;
  S1 (h = 1/3 a year, 50 a year): 1/150, (2/3)/100, (1/3)/50, all 1/150 = 0.00667;
  S2 (h = 1/3 a year, saves 30, 50, 50 from 2021/22): 1/130 = 0.00769, (2/3)/80 = 0.00833, (1/3)/30.
"""

from __future__ import annotations

import pytest
from bruteforce import solve as brute_force
from factory import Council
from test_optimise_exact import _model_or_skip_invalid, random_council

import mtfs_align.optimise as optimiser
from mtfs_align.errors import ContradictionError
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise, prepare
from mtfs_align.optimise.greedy import balanced_plan, meets_every_row


def test_base_case_balances_with_the_optimum(tmp_path):
    """S3 from 2021/22 leaves 80 a year: reserves of 100 cover 80 + 20, leaving 60 and 80
    unidentified. S1 from 2021/22 then leaves 30 a year, 90 in all, within reserves: balanced,
    and the greedy stops. {S1, S3} from 2021/22 is also the optimum (test_balance_base_case)."""
    model = build_model(Council().load(tmp_path))
    sp = prepare(model)
    assert balanced_plan(sp) == {"S1": 0, "S3": 0}
    assert meets_every_row(sp)
    assert [v.varValue for v in sp.draw] == pytest.approx([30, 30, 30])
    assert [v.varValue for v in sp.unidentified] == [0, 0, 0]


def test_optimiser_skips_the_balance_stages_when_the_greedy_plan_balances(tmp_path, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("stages 1 and 2 were solved although a balanced plan was known")

    monkeypatch.setattr(optimiser, "solve_balance_stages", must_not_run)
    model = build_model(Council().load(tmp_path))
    solution = optimise(model)
    assert solution.plan == {"S1": 0, "S3": 0}
    assert (solution.unidentified_first_year, solution.unidentified_total) == (0.0, 0.0)
    assert evaluate(model, solution.plan).objective == pytest.approx(1.09)


def test_no_plan_when_the_greedy_cannot_balance(tmp_path, monkeypatch):
    """A1's floor at 95% leaves room for 30, so S1 (50) never fits. S3 then S2 from 2021/22 leave
    50, 30, 30 against reserves of 100: 10 unidentified in 2023/24, so nothing is proved and the
    stages are solved (the optimum leaves the same 10, test_floor_stops_an_option)."""
    council = Council()
    council.activity("A1")["floor_share"] = 0.95
    model = build_model(council.load(tmp_path))
    assert balanced_plan(prepare(model)) is None
    calls = []
    solve = optimiser.solve_balance_stages
    monkeypatch.setattr(optimiser, "solve_balance_stages", lambda *a: calls.append(1) or solve(*a))
    solution = optimise(model)
    assert calls == [1]
    assert solution.unidentified_total == pytest.approx(10, abs=0.011)


def test_a_cash_limit_is_met_before_balancing(tmp_path):
    """A2 grows 5% a year under a flat cash limit of 300: it must save 15 in 2022/23 and 30.75 in
    2023/24. Only S2 helps; its cheaper start is 2021/22 (0.00769 against 0.00833), saving 50 in
    both years. Then S3 (gaps after 50, 30, 30: 10 unidentified in 2023/24) and S1 from 2021/22
    (gaps after 0, -20, -20) balance every year."""
    council = Council()
    council.activity("A2").update(growth_pct=5, envelope_growth_pct=0)
    model = build_model(council.load(tmp_path))
    plan = balanced_plan(prepare(model))
    assert plan == {"S1": 0, "S2": 0, "S3": 0}
    ev = evaluate(model, plan)
    assert ev.envelope_breaches.empty and ev.policy_breaches.empty
    assert ev.unidentified_k == 0


def test_the_independent_check_catches_a_broken_row(tmp_path):
    """S1 on A1 with a 95% floor breaks floor_A1 (50 > 30): the row check refuses it."""
    council = Council()
    council.activity("A1")["floor_share"] = 0.95
    sp = prepare(build_model(council.load(tmp_path)))
    sp.set_start_values({"S1": 0, "S2": 0, "S3": 0})
    assert not meets_every_row(sp)
    sp.set_start_values({"S2": 0, "S3": 0})  # legal, but 10 unidentified in 2023/24
    assert not meets_every_row(sp)


def test_greedy_plans_on_random_councils_are_legal_and_balanced(tmp_path):
    """Whenever the greedy returns a plan, brute force agrees the optimum leaves nothing
    unidentified, and the plan itself breaks no envelope or policy and balances every year."""
    found = checked = 0
    for seed in range(40):
        model = _model_or_skip_invalid(random_council(seed), tmp_path / str(seed))
        if not hasattr(model, "gap"):
            continue
        try:
            sp = prepare(model)
        except ContradictionError:
            continue
        checked += 1
        plan = balanced_plan(sp)
        if plan is None:
            continue
        found += 1
        truth = brute_force(model)
        assert truth.feasible and truth.u1 == pytest.approx(0, abs=1e-9)
        assert truth.u_total == pytest.approx(0, abs=1e-9)
        ev = evaluate(model, plan)
        assert ev.unidentified_k == 0
        assert ev.envelope_breaches.empty and ev.policy_breaches.empty
    assert checked >= 30 and found >= 10, (checked, found)
