"""Property tests of the optimum (hypothesis over random tiny councils): adding an option,
loosening a floor or capacity never makes it worse; raising the gap never reduces unidentified
savings. "Worse" is lexicographic, as the objective is: first-year unidentified savings, then the
horizon's, then harm plus the reserves penalty."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_optimise_exact import random_council

from mtfs_align.errors import ContradictionError, InputError
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise, prepare, solve
from mtfs_align.optimise.solvers import SolverSettings

SETTINGS = SolverSettings(solver="highs")
TOL = 0.011


def outcome(council, root):
    try:
        model = build_model(council.load(root))
        solution = optimise(model, SETTINGS)
    except (ContradictionError, InputError):
        return None
    return solution.unidentified_first_year, solution.unidentified_total, solution.objective


def not_worse(new, old) -> bool:
    if old is None:
        return True
    if new is None:
        return False
    if new[0] < old[0] - TOL:
        return True
    if new[0] > old[0] + TOL:
        return False
    if new[1] < old[1] - 2 * TOL:
        return True
    if new[1] > old[1] + 2 * TOL:
        return False
    return new[2] <= old[2] + 1e-4 * abs(old[2]) + 1e-3


common = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@common
@given(seed=st.integers(0, 10_000))
def test_adding_an_option_never_worsens_the_optimum(seed, tmp_path_factory):
    council = random_council(seed)
    removed = council.copy()
    dropped = removed.options.pop()["id"]
    if any(row.get("requires") == dropped for row in removed.options):
        return  # without the option, those needing it could not go either: not a pure addition
    for row in removed.options:
        if row.get("excludes") == dropped:
            row["excludes"] = None
    policy = removed.scenario.get("policy", {})
    if dropped in policy.get("adopt", {}) or dropped in policy.get("reject", []):
        return
    root = tmp_path_factory.mktemp("p")
    assert not_worse(outcome(council, root / "with"), outcome(removed, root / "without"))


@common
@given(seed=st.integers(0, 10_000))
def test_loosening_floors_and_capacity_never_worsens_the_optimum(seed, tmp_path_factory):
    council = random_council(seed)
    loose = council.copy()
    for row in loose.activities:
        row["floor_share"] = round(float(row["floor_share"]) * 0.8, 3)
    policy = loose.scenario.get("policy", {})
    if "capacity" in policy:
        policy["capacity"] = [c + 1 for c in policy["capacity"]]
    root = tmp_path_factory.mktemp("p")
    assert not_worse(outcome(loose, root / "loose"), outcome(council, root / "tight"))


@common
@given(seed=st.integers(0, 10_000), factor=st.floats(1.0, 2.0))
def test_raising_the_gap_never_reduces_unidentified_savings(seed, factor, tmp_path_factory):
    council = random_council(seed)
    try:
        model = build_model(council.load(tmp_path_factory.mktemp("p")))
        sp = prepare(model)
        base = solve(sp, SETTINGS)
    except (ContradictionError, InputError):
        return
    sp.scale_gap(factor)
    raised = solve(sp, SETTINGS)
    assert raised.unidentified_total >= base.unidentified_total - 2 * TOL
