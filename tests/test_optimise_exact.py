"""The optimiser against brute force on random tiny councils (every constraint family, both
planning modes, both solvers), and the round trip optimise -> evaluate."""

from __future__ import annotations

import numpy as np
import pytest
from bruteforce import solve as brute_force
from factory import Council, activity, option

from mtfs_align.errors import ContradictionError
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise
from mtfs_align.optimise.solvers import SolverSettings

YEARS = ["2021/22", "2022/23", "2023/24"]


def random_council(seed: int) -> Council:
    """A council of 2-3 activities and 5-8 options in which every constraint family can bind."""
    rng = np.random.default_rng(seed)
    c = Council(scenario_name=f"random{seed}")
    n_act = int(rng.integers(2, 4))
    outcomes = ["O1", "O2", "O3"]
    c.activities = []
    for a in range(n_act):
        fields = {"floor_share": round(float(rng.uniform(0.3, 0.9)), 2)}
        if rng.random() < 0.4:
            fields["growth_pct"] = round(float(rng.uniform(0, 6)), 1)
        if rng.random() < 0.4:
            fields["envelope_growth_pct"] = round(float(rng.uniform(0, 3)), 1)
        share = outcomes[a % 3] if rng.random() < 0.7 else f"{outcomes[a % 3]}:0.6;{outcomes[(a + 1) % 3]}:0.4"
        c.activities.append(activity(f"A{a + 1}", int(rng.integers(100, 400)), share, **fields))
    need = sum(a["baseline_k"] for a in c.activities)
    n_opt = int(rng.integers(5, 9))
    types = ["efficiency", "income", "service reduction", "invest to save", "financing", "demand management"]
    c.options = []
    for i in range(n_opt):
        oid = f"S{i + 1}"
        fields = {"y1_k": int(rng.integers(-10, 60)), "y2_k": int(rng.integers(-10, 30))}
        if rng.random() < 0.3:
            fields["y3_k"] = int(rng.integers(-20, 20))
        if rng.random() < 0.3:
            fields["one_off_k"] = int(rng.integers(1, 15))
        if rng.random() < 0.3:
            fields["earliest"] = YEARS[int(rng.integers(0, 2))]
        if rng.random() < 0.2:
            fields["latest"] = YEARS[int(rng.integers(1, 3))]
            if fields.get("earliest", YEARS[0]) > fields["latest"]:
                del fields["latest"]
        fields["effort"] = int(rng.integers(1, 3))
        fields["harms"] = ";".join(f"{k}:{rng.integers(0, 4)}" for k in rng.choice(outcomes, 2, replace=False))
        if rng.random() < 0.2:
            fields["benefits"] = f"{rng.choice(outcomes)}:1"
        fields["equality_impact"] = str(rng.choice(["none", "low", "medium", "high"]))
        c.options.append(
            option(
                oid,
                f"A{int(rng.integers(1, n_act + 1))}",
                type=str(rng.choice(types)),
                rag=str(rng.choice(["G", "A", "R"])),
                **fields,
            )
        )
    ids = [o["id"] for o in c.options]
    if rng.random() < 0.5:
        a, b = rng.choice(ids, 2, replace=False)
        c.option(a)["requires"] = b
    if rng.random() < 0.5:
        a, b = rng.choice(ids, 2, replace=False)
        if c.option(a).get("requires") != b:
            c.option(a)["excludes"] = b
    funding = need - int(rng.integers(20, 120))
    later = [funding - int(rng.integers(0, 40)), funding - int(rng.integers(0, 60))]
    c.mtfs["funding_k"] = {"council_tax": [funding, *later]}
    c.mtfs["reserves"] = {"usable_k": int(rng.integers(20, 80)), "minimum_k": int(rng.integers(0, 20))}
    if rng.random() < 0.5:
        c.mtfs["reserves"]["max_draw_k"] = [int(rng.integers(0, 40)) for _ in YEARS]
    policy: dict = {"plan_on": "expected" if rng.random() < 0.4 else "nominal", "slip": 0.2}
    if rng.random() < 0.6:
        policy["capacity"] = [int(rng.integers(2, 6)) for _ in YEARS]
    if rng.random() < 0.4:
        policy["protect"] = {"P1": round(float(rng.uniform(0.85, 0.97)), 2)}
    if rng.random() < 0.4:
        policy["max_equality_impact"] = "medium"
    if rng.random() < 0.3:
        policy["reject"] = [str(rng.choice(ids))]
    if rng.random() < 0.3:
        candidate = str(rng.choice(ids))
        if candidate not in policy.get("reject", []):
            policy["adopt"] = {candidate: "any" if rng.random() < 0.5 else YEARS[0]}
    if rng.random() < 0.3:
        policy["reserves_penalty"] = 0.05
    c.scenario["policy"] = policy
    c.scenario["weights"] = {"P1": round(float(rng.uniform(0.2, 0.8)), 2), "P2": round(float(rng.uniform(0.2, 0.8)), 2)}
    return c


def _model_or_skip_invalid(council, root):
    from mtfs_align.errors import InputError

    try:
        return build_model(council.load(root))
    except InputError as err:  # a random policy that contradicts itself (e.g. adopt screened)
        return err


@pytest.mark.parametrize("seed", range(40))
def test_optimiser_matches_brute_force(seed, tmp_path):
    model = _model_or_skip_invalid(random_council(seed), tmp_path)
    if not hasattr(model, "gap"):
        # Validation rejected the random policy; the brute force must agree there is no legal plan
        # only when the rejection is a contradiction, so just check it is reported as bad input.
        assert model.problems
        return
    truth = brute_force(model)
    settings = SolverSettings(solver="highs" if seed % 2 else "cbc")
    if not truth.feasible:
        with pytest.raises(ContradictionError):
            optimise(model, settings)
        return
    solution = optimise(model, settings)
    ev = evaluate(model, solution.plan)
    penalty = model.scenario.policy.reserves_penalty
    assert ev.budget["unidentified_k"].iloc[0] == pytest.approx(truth.u1, abs=0.011)
    assert ev.unidentified_k == pytest.approx(truth.u_total, abs=0.011 + 0.011)
    assert ev.objective == pytest.approx(truth.objective, abs=1e-4 * abs(truth.objective) + 1e-6 + penalty * 0.03)
    assert ev.policy_breaches.empty
    assert ev.envelope_breaches.empty


def test_random_councils_exercise_every_family(tmp_path):
    """The generator really produces every constraint family and both modes among its 40 councils."""
    seen = set()
    for seed in range(40):
        model = _model_or_skip_invalid(random_council(seed), tmp_path / str(seed))
        if not hasattr(model, "gap"):
            continue
        policy = model.scenario.policy
        seen |= {
            key
            for key, present in {
                "capacity": policy.capacity is not None,
                "protect": bool(policy.protect),
                "adopt": bool(policy.adopt),
                "reject": bool(policy.reject),
                "screened": bool(model.scenario.screened),
                "expected": policy.plan_on == "expected",
                "nominal": policy.plan_on == "nominal",
                "cash_limit": not np.isnan(model.cash_limit).all(),
                "requires": any(o.requires for o in model.scenario.options.values()),
                "excludes": any(o.excludes for o in model.scenario.options.values()),
                "one_off": bool(model.one_off.any()),
                "max_draw": not np.isinf(model.scenario.reserves.max_draw_k).all(),
            }.items()
            if present
        }
        if brute_force(model).feasible is False:
            seen.add("infeasible")
    assert seen >= {
        "capacity",
        "protect",
        "adopt",
        "reject",
        "screened",
        "expected",
        "nominal",
        "cash_limit",
        "requires",
        "excludes",
        "one_off",
        "max_draw",
    }


def test_round_trip_on_the_example(tmp_path):
    """Optimise the bundled example, then evaluate its plan: the same figures as the optimiser's."""
    from mtfs_align.examples import default_scenario
    from mtfs_align.scenario import load_scenario

    model = build_model(load_scenario(default_scenario()))
    solution = optimise(model)
    ev = evaluate(model, solution.plan)
    assert solution.unidentified_total == pytest.approx(0, abs=0.011)
    assert ev.unidentified_k == pytest.approx(solution.unidentified_total, abs=0.011)
    assert ev.objective == pytest.approx(solution.objective, abs=1e-4 * solution.objective + 0.001 * 0.02)


@pytest.mark.parametrize(("seed", "least_total"), [(1360, 102.427312), (24, 34.94)])
def test_a_warm_start_never_hides_a_better_balance(seed, least_total, tmp_path):
    """Random councils found by tests/test_optimise_properties.py. Stage 1's solution, handed to
    HiGHS as stage 2's start, was returned unchanged as "optimal": 117.43 unidentified where its
    plan leaves 102.43 (council 1360, start with its draws and payments), and 70.33 where 34.94 can
    be reached (council 24, plan only, misjudged after presolve). HiGHS is now given the plan only
    and a warm solve whose values do not have the reported objective is solved again cold; stage 2
    agrees with brute force."""
    model = build_model(random_council(seed).load(tmp_path))
    truth = brute_force(model)
    solution = optimise(model, SolverSettings(solver="highs"))
    assert truth.u_total == pytest.approx(least_total, abs=1e-6)
    assert solution.unidentified_total == pytest.approx(truth.u_total, abs=0.011)
