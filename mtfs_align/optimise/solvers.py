"""All solver handling: CBC (bundled with PuLP) and HiGHS (highspy), through PuLP 3 or 4.

Everything that depends on a solver's options, statuses or logs lives here, so the rest of the
optimiser only sees `run(problem, settings) -> SolveResult`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass

import pulp

from mtfs_align.errors import InputError, Problem, SolverError

SOLVERS = ("cbc", "highs")
DEFAULT_SOLVER = "highs"  # chosen by measurement (docs/performance.md): 5,000 options in 62 s, CBC > 600 s
DEFAULT_MIP_GAP = 1e-4
ABSOLUTE_GAP = 1e-6


@dataclass
class SolverSettings:
    solver: str = DEFAULT_SOLVER
    time_limit: float | None = None  # seconds, for each solve
    mip_gap: float = DEFAULT_MIP_GAP
    threads: int | None = None


@dataclass
class SolveResult:
    status: str  # "optimal", "time_limit" (a plan, perhaps not optimal) or "infeasible"
    objective: float | None
    gap: float | None  # relative gap the solver reported, where it said
    seconds: float


def check_solver(name: str) -> None:
    """The solver exists and runs here; otherwise bad input naming the alternatives."""
    if name not in SOLVERS:
        raise InputError([Problem("", "", "--solver", f"'{name}' is not a supported solver",
                                  "use --solver cbc or --solver highs")])
    if not _make(name, SolverSettings(solver=name), exact=True, log_path=None).available():
        raise SolverError(f"The {name} solver is not available on this machine; try --solver "
                          f"{'highs' if name == 'cbc' else 'cbc'}.")


def _make(name: str, settings: SolverSettings, exact: bool, log_path: str | None, warm: bool = False):
    gap = 0.0 if exact else settings.mip_gap
    if name == "cbc":
        return pulp.COIN_CMD(
            path=_cbc_path(), msg=False, timeLimit=settings.time_limit, gapRel=gap, gapAbs=ABSOLUTE_GAP,
            threads=settings.threads, logPath=log_path,
            # No starting plan (`warm` is ignored): given one, CBC 2.10.3 was seen to end its search
            # after 18 nodes and call a plan optimal 4.8e-4 above a better legal plan at 5,000
            # options; without one its bound stays valid (docs/performance.md).
            warmStart=False,
            # CBC's integer preprocessing was seen to declare a plan optimal 2.3e-4 above the true
            # optimum (docs/performance.md); without it CBC finds the optimum.
            options=["preprocess off"],
        )
    options = {"random_seed": 0, "output_flag": False, "log_to_console": False}
    solver = _WarmHiGHS(msg=False, timeLimit=settings.time_limit, gapRel=gap, gapAbs=ABSOLUTE_GAP,
                        threads=settings.threads, **options)
    solver.warm = warm
    return solver


class _WarmHiGHS(pulp.HiGHS):
    """PuLP's HiGHS, which also hands HiGHS the plan in the variables' current values as a starting
    solution (PuLP passes none to HiGHS): the previous stage's plan is then an incumbent from the start.

    Only the start variables (the plan) are passed; HiGHS completes the draws, payments and
    unidentified savings itself. HiGHS 1.16 can misjudge a start after presolve: it valued a
    stage-1 plan leaving £70.33k unidentified at £34.94k "in the reduced space", called it optimal
    and returned that plan unchanged (random council 24; tests/test_optimise_exact.py). So a warm
    solve is checked: when the returned values' own objective is not the objective HiGHS reports,
    the problem is solved again from scratch, which HiGHS gets right."""

    warm = False

    def callSolver(self, lp):
        if not self.warm:
            lp.solverModel.run()
            return
        import numpy as np

        plan = [(i, v.varValue) for i, v in enumerate(lp.variables()) if v.cat != pulp.LpContinuous]
        if plan and all(value is not None for _, value in plan):
            index = np.array([i for i, _ in plan], dtype=np.int32)
            value = np.array([round(float(x)) for _, x in plan], dtype=np.float64)
            lp.solverModel.setSolution(len(plan), index, value)
        lp.solverModel.run()
        if not _consistent(lp.solverModel):
            self.createAndConfigureSolver(lp)
            self.buildSolverModel(lp)
            lp.solverModel.run()


def _consistent(model) -> bool:
    """Whether the values HiGHS returns have the objective it reports (no solution: nothing to check)."""
    import numpy as np

    solution = model.getSolution()
    if not solution.value_valid:
        return True
    lp = model.getLp()
    actual = float(np.dot(lp.col_cost_, solution.col_value)) + lp.offset_
    claimed = model.getInfo().objective_function_value
    return abs(actual - claimed) <= 1e-6 * max(1.0, abs(claimed))


def _cbc_path() -> str | None:
    """PuLP 3 bundles a CBC binary; PuLP 4 finds the one installed by `pulp[cbc]` itself."""
    try:
        from pulp.apis.coin_api import pulp_cbc_path
    except ImportError:
        return None
    return pulp_cbc_path if os.path.exists(pulp_cbc_path) else None


def new_variable(problem: pulp.LpProblem, name: str, low: float | None = 0, up: float | None = None,
                 binary: bool = False) -> pulp.LpVariable:
    """A variable attached to `problem` (PuLP 4 style, also available in PuLP 3.3)."""
    cat = pulp.LpBinary if binary else pulp.LpContinuous
    if hasattr(problem, "add_variable"):
        if binary:
            return problem.add_variable(name, 0, 1, cat=pulp.LpBinary)
        return problem.add_variable(name, low, up, cat=cat)
    return pulp.LpVariable(name, lowBound=0 if binary else low, upBound=1 if binary else up, cat=cat)


def set_rhs(constraint: pulp.LpConstraint, rhs: float) -> None:
    """Change a row's right-hand side in place for the next solve."""
    constraint.changeRHS(rhs)


def add_term(constraint: pulp.LpConstraint, variable: pulp.LpVariable, coefficient: float) -> None:
    expression = getattr(constraint, "expr", constraint)
    expression.addterm(variable, coefficient)


def run(problem: pulp.LpProblem, settings: SolverSettings, exact: bool, warm: bool = False) -> SolveResult:
    """Solve `problem`; `exact` means to proven optimality (the first two objective stages)."""
    started = time.perf_counter()
    log_path = None
    handle = None
    if settings.solver == "cbc":
        handle, log_path = tempfile.mkstemp(prefix="mtfs_cbc_", suffix=".log")
        os.close(handle)
    try:
        solver = _make(settings.solver, settings, exact, log_path, warm=warm)
        try:
            with _quiet_native_output(settings.solver == "highs"):
                problem.solve(solver)
        except pulp.PulpSolverError as err:
            raise SolverError(f"The {settings.solver} solver failed: {err}") from err
        seconds = time.perf_counter() - started
        status = pulp.LpStatus.get(problem.status, "Undefined")
        found = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        if status == "Infeasible" or problem.sol_status == pulp.LpSolutionInfeasible:
            return SolveResult("infeasible", None, None, seconds)
        if not found and status != "Optimal":
            if settings.time_limit is not None and seconds >= 0.9 * settings.time_limit:
                raise SolverError(f"The {settings.solver} solver found no plan within the time limit of "
                                  f"{settings.time_limit:g} s; allow more time with --time-limit.")
            raise SolverError(f"The {settings.solver} solver stopped without a plan (status {status}).")
        gap = _reported_gap(problem, settings, log_path)
        stopped_early = _stopped_early(problem, settings, gap, exact)
        return SolveResult("time_limit" if stopped_early else "optimal", pulp.value(problem.objective), gap,
                           seconds)
    finally:
        if log_path and os.path.exists(log_path):
            os.remove(log_path)


def _stopped_early(problem: pulp.LpProblem, settings: SolverSettings, gap: float | None, exact: bool) -> bool:
    """Whether the solver stopped on its time limit rather than proving its gap."""
    if settings.solver == "highs":
        model = getattr(problem, "solverModel", None)
        if model is not None:
            import highspy

            return model.getModelStatus() != highspy.HighsModelStatus.kOptimal
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return True
    wanted = 0 if exact else settings.mip_gap
    return settings.time_limit is not None and gap is not None and gap > wanted + 1e-9


@contextlib.contextmanager
def _quiet_native_output(active: bool):
    """HiGHS prints its banner from C++ straight to the process's stdout, whatever its options say;
    send file descriptor 1 to /dev/null for the solve so that stdout keeps only our results."""
    if not active:
        yield
        return
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _reported_gap(problem: pulp.LpProblem, settings: SolverSettings, log_path: str | None) -> float | None:
    if settings.solver == "highs":
        model = getattr(problem, "solverModel", None)
        if model is None:
            return None
        info = model.getInfo()
        gap = getattr(info, "mip_gap", None)
        return float(gap) if gap is not None and gap < 1e30 else 0.0
    if log_path is None or not os.path.exists(log_path):
        return None
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    # CBC prints "Gap:" to two decimals only; the objective and its bound give the real figure.
    objective = re.findall(r"Objective value:\s*([0-9.eE+-]+)", text)
    bound = re.findall(r"Lower bound:\s*([0-9.eE+-]+)", text)
    if objective and bound:
        value, lower = float(objective[-1]), float(bound[-1])
        return max(0.0, value - lower) / max(abs(value), 1e-9)
    match = re.findall(r"Gap:\s*([0-9.eE+-]+)", text)
    if match:
        return float(match[-1])
    if "Optimal - objective value" in text or "Result - Optimal solution found" in text:
        return 0.0
    return None
