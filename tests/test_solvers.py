"""The optional commercial solvers (`--solver gurobi|xpress|copt`, issue 13 item 2) against brute
force and against HiGHS on the test councils, and the solver module's own checks. Each solver's
tests run where its package imports (`pip install 'mtfs_align[gurobi]'` and so on: the PyPI packages
carry free size-limited licences) and are skipped, saying so, where it does not; CI needs only HiGHS.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from bruteforce import solve as brute_force
from factory import Council
from scipy import sparse
from test_optimise_exact import random_council

from mtfs_align.errors import ContradictionError, InputError, SolverError
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import commercial, optimise, solvers
from mtfs_align.optimise.arrays import ArrayModel
from mtfs_align.optimise.solvers import SolverSettings, run_arrays


def _importable(name: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importlib.import_module(commercial.PACKAGES[name])
    except ImportError:
        return False
    return True


COMMERCIAL = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            not _importable(name),
            reason=f"{commercial.PACKAGES[name]} is not installed (pip install 'mtfs_align[{name}]')",
        ),
    )
    for name in solvers.COMMERCIAL
]


def _model_or_none(council, root):
    try:
        return build_model(council.load(root))
    except InputError:
        return None


@pytest.mark.parametrize("name", COMMERCIAL)
@pytest.mark.parametrize("seed", range(0, 40, 2))
def test_matches_brute_force(name, seed, tmp_path):
    """The random tiny councils of test_optimise_exact (every constraint family, both planning
    modes): the same u1, total unidentified savings and objective as exhaustive enumeration."""
    model = _model_or_none(random_council(seed), tmp_path)
    if model is None:
        pytest.skip("the random policy is invalid (test_optimise_exact checks it is reported)")
    truth = brute_force(model)
    settings = SolverSettings(solver=name)
    if not truth.feasible:
        with pytest.raises(ContradictionError):
            optimise(model, settings)
        return
    solution = optimise(model, settings)
    ev = evaluate(model, solution.plan)
    penalty = model.scenario.policy.reserves_penalty
    assert solution.solver == name
    assert ev.budget["unidentified_k"].iloc[0] == pytest.approx(truth.u1, abs=0.011)
    assert ev.unidentified_k == pytest.approx(truth.u_total, abs=0.022)
    assert ev.objective == pytest.approx(truth.objective, abs=1e-4 * abs(truth.objective) + 1e-6 + penalty * 0.03)
    assert ev.policy_breaches.empty and ev.envelope_breaches.empty


@pytest.mark.parametrize("name", COMMERCIAL)
def test_the_same_plans_as_highs_on_the_test_councils(name, tmp_path):
    """Westshire (the bundled example) and Testshire: the same plan and objective as HiGHS."""
    from mtfs_align.examples import default_scenario
    from mtfs_align.scenario import load_scenario

    for model in (build_model(load_scenario(default_scenario())), build_model(Council().load(tmp_path))):
        highs = optimise(model, SolverSettings(solver="highs"))
        other = optimise(model, SolverSettings(solver=name))
        assert other.status == "optimal"
        assert other.plan == highs.plan
        assert evaluate(model, other.plan).objective == pytest.approx(evaluate(model, highs.plan).objective, abs=1e-9)


@pytest.mark.parametrize("name", COMMERCIAL)
def test_array_models_and_their_checks(name):
    """A small knapsack through run_arrays (the path of risk planning): the optimum, equality and
    range rows honoured, a starting plan accepted, and an infeasible model reported as such."""
    matrix = sparse.csr_matrix(np.array([[2, 3, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 1, -1, 0], [-1, 0, 0, 0, 1]], float))
    model = ArrayModel(
        cost=-np.array([5, 4, 3, 2, 1.0]),
        matrix=matrix,
        row_lower=np.array([-np.inf, 1, 0, -np.inf]),
        row_upper=np.array([5, 2, 0, 0]),
        col_lower=np.zeros(5),
        col_upper=np.array([1, 1, 1, 1, 2.5]),
        integer=np.array([1, 1, 1, 1, 0], bool),
    )
    for exact, start in ((True, None), (False, np.array([1, 0, 0, 0, 0.0]))):
        result = run_arrays(model, SolverSettings(solver=name), exact, start)
        assert result.status == "optimal"
        assert result.objective == pytest.approx(-11.0)
        assert result.values == pytest.approx([1, 0, 1, 1, 1])
    model.row_lower[1] = 3  # a + b >= 3 with binaries: no solution
    assert run_arrays(model, SolverSettings(solver=name), True).status == "infeasible"


@pytest.mark.parametrize("name", COMMERCIAL)
def test_a_council_above_the_free_licence(name, tmp_path):
    """Above the size-limited licence a council gets a plain message naming the limit and the way
    out (exit 3, a solver failure); with a full licence the same council is solved and balances."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from synthetic import write_council

    from mtfs_align.scenario import load_scenario

    model = build_model(load_scenario(write_council(tmp_path, options=1500, seed=0)))
    try:
        solution = optimise(model, SolverSettings(solver=name, time_limit=120))
    except SolverError as err:
        text = str(err)
        assert "licence is too small" in text and commercial.LIMITS[name] in text and "--solver highs" in text
        assert SolverError.exit_code == 3
        return
    assert evaluate(model, solution.plan).breaches.empty


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    def fail(name, *args, **kwargs):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(commercial.importlib, "import_module", fail)
    for name in solvers.COMMERCIAL:
        with pytest.raises(SolverError, match=rf"pip install 'mtfs_align\[{name}\]'.*--solver highs"):
            solvers.check_solver(name)


def test_an_unknown_solver_is_bad_input():
    with pytest.raises(InputError, match="gurobi.*xpress or --solver copt"):
        solvers.check_solver("cplex")


def test_a_plan_breaking_a_row_is_refused():
    """Whatever a solver returns is checked against every row before it is used."""
    model = ArrayModel(
        cost=np.zeros(2),
        matrix=sparse.csr_matrix(np.array([[1.0, 1.0]])),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([1.0]),
        col_lower=np.zeros(2),
        col_upper=np.ones(2),
        integer=np.array([True, True]),
    )
    with pytest.raises(SolverError, match="breaks 1 of the model's rows"):
        solvers._check_values(model, np.array([1.0, 1.0]), SolverSettings(), "optimal")
    # from a search the time limit stopped, such values are no plan found in time (issue 12)
    stopped = SolverSettings(time_limit=0.8, given_limit=60.0)
    with pytest.raises(solvers.NoPlanInTime, match="no plan within the time limit of 60 s"):
        solvers._check_values(model, np.array([1.0, 1.0]), stopped, "time_limit")
    solvers._check_values(model, np.array([1.0, 0.0]), stopped, "time_limit")  # a plan that holds


@pytest.mark.parametrize("seed", range(12))
def test_started_by_variables_are_the_same_problem(seed, tmp_path):
    """Written in "started by year" variables (as HiGHS is given the plan model), every plan has
    the same row values and objective as in the start variables of DESIGN 4.4, and maps back."""
    from mtfs_align.optimise import arrays, prepare

    model = _model_or_none(random_council(seed), tmp_path)
    if model is None:
        pytest.skip("the random policy is invalid")
    try:
        sp = prepare(model)
    except ContradictionError:
        pytest.skip("no legal plan")
    from mtfs_align.optimise import harm_objective

    sp.problem.setObjective(harm_objective(sp))
    plain = arrays.from_problem(sp.problem)
    started = arrays.from_problem(sp.problem, sp.problem.start_columns)
    rng = np.random.default_rng(seed)
    column = {id(v): i for i, v in enumerate(plain.variables)}
    for _ in range(20):
        x = rng.uniform(0, 5, len(plain.variables))
        z = [column[id(v)] for v in sp.z]
        x[z] = 0.0
        for o in np.unique(sp.pairs_option):  # a random start (or none) per option
            own = [z[i] for i in np.flatnonzero(sp.pairs_option == o)]
            pick = rng.integers(-1, len(own))
            if pick >= 0:
                x[own[pick]] = 1.0
        y = started.to_solver(x)
        assert started.to_original(y) == pytest.approx(x)
        rows = plain.model.matrix.shape[0]
        assert (started.model.matrix @ y)[:rows] == pytest.approx(plain.model.matrix @ x)
        assert np.all((started.model.matrix @ y)[rows:] >= -1e-12)  # y never falls
        assert started.model.cost @ y == pytest.approx(plain.model.cost @ x)
        assert np.all((y[z] >= 0) & (y[z] <= 1))


@pytest.mark.parametrize("name", COMMERCIAL)
def test_the_command_line_takes_the_solver(name, tmp_path):
    """`optimise --solver NAME` writes the same plan.csv as HiGHS and names the solver in the manifest."""
    import json

    from click.testing import CliRunner

    from mtfs_align.cli import cli

    path = Council().write(tmp_path)
    runner = CliRunner()
    for solver in ("highs", name):
        result = runner.invoke(cli, ["optimise", str(path), "--solver", solver, "--out", str(tmp_path / solver), "-q"])
        assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / name / "manifest.json").read_text())["solver"] == name
    assert (tmp_path / name / "plan.csv").read_text() == (tmp_path / "highs" / "plan.csv").read_text()


def test_a_missing_solver_on_the_command_line_exits_3(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mtfs_align.cli import cli

    def fail(name, *args, **kwargs):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(commercial.importlib, "import_module", fail)
    path = Council().write(tmp_path)
    result = CliRunner().invoke(cli, ["optimise", str(path), "--solver", "gurobi", "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert "pip install 'mtfs_align[gurobi]'" in result.output
    assert "Traceback" not in result.output


def test_a_search_stopped_early_says_what_it_proved(tmp_path, monkeypatch):
    """Issue 13 item 6: a harm stage that ends before proving its gap reports the stage, the plan's
    value, the bound no plan can beat, nodes and LP iterations, in the terminal and the manifest.
    HiGHS is stopped at its first improving plan (deterministic, unlike a time limit)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from synthetic import write_council

    from mtfs_align.report.tables import solution_fields
    from mtfs_align.report.terminal import stopped_lines
    from mtfs_align.scenario import load_scenario

    model = build_model(load_scenario(write_council(tmp_path, options=200, seed=0)))
    assert optimise(model, SolverSettings(solver="highs")).stopped is None
    assert "solver_stopped" not in solution_fields(optimise(model, SolverSettings(solver="highs")))
    monkeypatch.setattr(solvers, "PLAN_OPTIONS", {"mip_max_improving_sols": 1})
    solution = optimise(model, SolverSettings(solver="highs"))
    stopped = solution.stopped
    assert solution.status == "time_limit" and stopped["stage"] == "harm"
    assert stopped["plan_value"] == pytest.approx(solution.objective, abs=1e-6)
    assert stopped["bound"] < stopped["plan_value"]
    assert stopped["gap"] == pytest.approx((stopped["plan_value"] - stopped["bound"]) / stopped["plan_value"], rel=1e-6)
    assert stopped["gap"] == pytest.approx(solution.reported_gap, rel=1e-4)
    assert stopped["nodes"] >= 0 and stopped["lp_iterations"] > 0
    assert solution_fields(solution)["solver_stopped"] == stopped
    (line,) = stopped_lines(stopped)
    assert f"scoring {stopped['plan_value']:,.3f}" in line and f"below {stopped['bound']:,.3f}" in line
    assert "LP iterations" in line and "--time-limit" in line
    assert evaluate(model, solution.plan).breaches.empty
