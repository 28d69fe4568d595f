"""All solver handling: HiGHS (highspy, the default), CBC (bundled with PuLP) and, where a council
has installed them and holds a licence, Gurobi, FICO Xpress and COPT (optimise/commercial.py).

Everything that depends on a solver's options, statuses or logs lives here, so the rest of the
optimiser only sees `run(problem, settings) -> SolveResult`. The problem is always built with PuLP
(problem.py); CBC solves it through PuLP, every other solver is handed its arrays directly
(optimise/arrays.py), and whatever a solver returns is checked row by row and bound by bound
before it is used.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import pulp

from mtfs_align.errors import InputError, Problem, SolverError
from mtfs_align.optimise.arrays import ArrayModel
from mtfs_align.optimise.native import ABSOLUTE_GAP, NoPlanInTime
from mtfs_align.optimise.native import quiet_native_output as _quiet_native_output
from mtfs_align.optimise.progress import Progress, stop_report

__all__ = ["ArrayModel", "ArrayResult", "Progress", "SolveResult", "SolverSettings", "run", "run_arrays", "stop_report"]

SOLVERS = ("cbc", "highs", "gurobi", "xpress", "copt")
COMMERCIAL = ("gurobi", "xpress", "copt")  # optional extras: pip install 'mtfs_align[gurobi]' and so on
DEFAULT_SOLVER = "highs"  # chosen by measurement (docs/performance.md): 5,000 options in 62 s, CBC > 600 s
DEFAULT_MIP_GAP = 1e-4


@dataclass
class SolverSettings:
    """How to solve. `time_limit` is what one solve may take; with a `deadline` (the wall-clock
    time, time.time(), by which the whole command must end: Settings.solver_settings sets it from
    --time-limit and the command's start), each solve is given what is left until then instead,
    and `given_limit` keeps the user's figure for the messages."""

    solver: str = DEFAULT_SOLVER
    time_limit: float | None = None  # seconds, for each solve (without a deadline)
    mip_gap: float = DEFAULT_MIP_GAP
    threads: int | None = None
    given_limit: float | None = None  # the user's --time-limit, named by every time-limit message
    deadline: float | None = None  # time.time() when the command's time is up; None: none

    def limit_words(self) -> str:
        """The time limit the user gave, as the messages say it: "60 s"."""
        given = self.time_limit if self.given_limit is None else self.given_limit
        return f"{given:g} s"

    def for_one_solve(self) -> SolverSettings:
        """These settings with the time left until the deadline as this solve's limit; no time
        left at all is NoPlanInTime, before the solver is started."""
        if self.deadline is None:
            return self
        left = self.deadline - time.time()
        if left <= 0:
            raise NoPlanInTime(no_plan_in_time(self))
        return dataclasses.replace(self, time_limit=left)


def no_plan_in_time(settings: SolverSettings) -> str:
    """The failure of a command whose time ran out before a solver found a plan."""
    return (
        f"The {settings.solver} solver found no plan within the time limit of {settings.limit_words()}; "
        "allow more time with --time-limit."
    )


@dataclass
class SolveResult:
    status: str  # "optimal", "time_limit" (a plan, perhaps not optimal) or "infeasible"
    objective: float | None
    gap: float | None  # relative gap the solver reported, where it said
    seconds: float
    progress: Progress | None = None  # how far the search got (HiGHS only)


def check_solver(name: str) -> None:
    """The solver exists and runs here; otherwise bad input naming the alternatives."""
    if name not in SOLVERS:
        choices = ", ".join(f"--solver {s}" for s in SOLVERS[:-1]) + f" or --solver {SOLVERS[-1]}"
        raise InputError([Problem("", "", "--solver", f"'{name}' is not a supported solver", f"use {choices}")])
    if name in COMMERCIAL:
        from mtfs_align.optimise import commercial

        commercial.check_installed(name)
        return
    if name == "highs":
        try:
            import highspy  # noqa: F401
        except ImportError as err:
            raise SolverError(
                "The highs solver is not available on this machine (pip install highspy); try --solver cbc."
            ) from err
        return
    if not _make_cbc(SolverSettings(solver=name), exact=True, log_path=None).available():
        raise SolverError(
            "The cbc solver is not available on this machine (install it with pip install 'mtfs_align[cbc]'); "
            "try --solver highs."
        )


def _make_cbc(settings: SolverSettings, exact: bool, log_path: str | None):
    return pulp.COIN_CMD(
        path=_cbc_path(),
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=0.0 if exact else settings.mip_gap,
        gapAbs=ABSOLUTE_GAP,
        threads=settings.threads,
        logPath=log_path,
        # No starting plan: given one, CBC 2.10.3 was seen to end its search after 18 nodes and call
        # a plan optimal 4.8e-4 above a better legal plan at 5,000 options; without one its bound
        # stays valid (docs/performance.md).
        warmStart=False,
        # CBC's integer preprocessing was seen to declare a plan optimal 2.3e-4 above the true
        # optimum (docs/performance.md); without it CBC finds the optimum.
        options=["preprocess off"],
    )


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
    """PuLP 3 bundles a CBC binary; PuLP 4 finds the one installed by `pip install 'mtfs_align[cbc]'`
    (its `pulp[cbc]` extra) itself."""
    try:
        from pulp.apis.coin_api import pulp_cbc_path
    except ImportError:
        return None
    return pulp_cbc_path if os.path.exists(pulp_cbc_path) else None


def new_variable(
    problem: pulp.LpProblem, name: str, low: float | None = 0, up: float | None = None, binary: bool = False
) -> pulp.LpVariable:
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
    """Solve `problem`; `exact` means to proven optimality (the first two objective stages); `warm`,
    that the variables' current values are a plan the solver may start from (never given to CBC)."""
    if settings.solver == "cbc":
        return _run_cbc(problem, settings, exact)
    return _run_direct(problem, settings, exact, warm)


def _run_direct(problem: pulp.LpProblem, settings: SolverSettings, exact: bool, warm: bool) -> SolveResult:
    """Every solver but CBC: the problem's arrays handed to the solver, the values it returns
    checked against every row and bound of the problem as PuLP holds it, then written back."""
    from mtfs_align.optimise import arrays as problem_arrays

    started = time.perf_counter()
    starts = getattr(problem, "start_columns", None) if settings.solver == "highs" and STARTED_BY else None
    arrays = problem_arrays.from_problem(problem, starts)
    start = problem_arrays.start_values(arrays) if warm else None
    if settings.solver == "highs":
        status, values, gap, progress = _run_arrays_highs(arrays.model, settings, exact, start, risk=False)
    else:
        from mtfs_align.optimise import commercial

        status, values, gap = commercial.solve(settings.solver, arrays.model, settings, exact, start)
        progress = None
    seconds = time.perf_counter() - started
    if status == "infeasible":
        return SolveResult("infeasible", None, None, seconds)
    values = arrays.to_original(_snap_integers(arrays.model, values))
    _check_values(arrays.original, values, settings, status)
    problem_arrays.write_back(arrays, values)
    objective = float(arrays.original.cost @ values) + arrays.offset
    if progress is not None and progress.bound is not None:
        progress.bound += arrays.offset
    return SolveResult(status, objective, gap, time.perf_counter() - started, progress)


def _run_cbc(problem: pulp.LpProblem, settings: SolverSettings, exact: bool) -> SolveResult:
    """CBC through PuLP (which writes the model as an MPS file for the CBC program)."""
    settings = settings.for_one_solve()
    started = time.perf_counter()
    handle, log_path = tempfile.mkstemp(prefix="mtfs_cbc_", suffix=".log")
    os.close(handle)
    try:
        solver = _make_cbc(settings, exact, log_path)
        try:
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
                raise NoPlanInTime(no_plan_in_time(settings))
            raise SolverError(f"The {settings.solver} solver stopped without a plan (status {status}).")
        gap = _reported_gap(problem, settings, log_path)
        stopped_early = _stopped_early(problem, settings, gap, exact)
        return SolveResult("time_limit" if stopped_early else "optimal", pulp.value(problem.objective), gap, seconds)
    finally:
        if log_path and os.path.exists(log_path):
            os.remove(log_path)


def _stopped_early(problem: pulp.LpProblem, settings: SolverSettings, gap: float | None, exact: bool) -> bool:
    """Whether CBC stopped on its time limit rather than proving its gap."""
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return True
    wanted = 0 if exact else settings.mip_gap
    return settings.time_limit is not None and gap is not None and gap > wanted + 1e-9


def _reported_gap(problem: pulp.LpProblem, settings: SolverSettings, log_path: str | None) -> float | None:
    """CBC's relative gap, from its log."""
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


# ---- models given as arrays (the risk-planning model of DESIGN 4.6) -------------------------
# A dense block of K draws x years x starts is far too large to build term by term through PuLP;
# these models are sparse matrices handed to the solver directly, or written as MPS for CBC.


@dataclass
class ArrayResult:
    status: str  # "optimal" or "time_limit"
    objective: float  # c x of the values returned (not the solver's own report)
    values: np.ndarray
    gap: float | None
    seconds: float


FEASIBILITY = 1e-6  # relative row and bound tolerance of the check on every returned plan


def run_arrays(
    model: ArrayModel, settings: SolverSettings, exact: bool, start: np.ndarray | None = None
) -> ArrayResult:
    """Solve an array model with the chosen solver; `exact` means to proven optimality; `start`, a
    feasible solution the solver may begin from (CBC is given none: docs/performance.md). The values
    returned are checked row by row and bound by bound (SolverError when they break one), and the
    objective reported is computed from them."""
    started = time.perf_counter()
    if settings.solver == "cbc":
        status, values, gap = _run_arrays_cbc(model, settings, exact)
    elif settings.solver in COMMERCIAL:
        from mtfs_align.optimise import commercial

        status, values, gap = commercial.solve(settings.solver, model, settings, exact, start)
    else:
        status, values, gap, _ = _run_arrays_highs(model, settings, exact, start)
    if status == "infeasible":
        return ArrayResult("infeasible", float("nan"), np.zeros(0), None, time.perf_counter() - started)
    values = _snap_integers(model, values)
    _check_values(model, values, settings, status)
    objective = float(model.cost @ values)
    return ArrayResult(status, objective, values, gap, time.perf_counter() - started)


def _snap_integers(model: ArrayModel, values: np.ndarray) -> np.ndarray:
    values = np.array(values, dtype=float)
    values[model.integer] = np.round(values[model.integer])
    return values


def broken(model: ArrayModel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows and which bounds the values break (integers as given), within FEASIBILITY."""
    activity = model.matrix @ values
    scale = 1.0 + np.abs(activity)
    low_ok = np.isneginf(model.row_lower) | (activity >= model.row_lower - FEASIBILITY * scale)
    high_ok = np.isposinf(model.row_upper) | (activity <= model.row_upper + FEASIBILITY * scale)
    bounds_ok = (values >= model.col_lower - FEASIBILITY * (1 + np.abs(values))) & (
        values <= model.col_upper + FEASIBILITY * (1 + np.abs(values))
    )
    return ~(low_ok & high_ok), ~bounds_ok


def _check_values(model: ArrayModel, values: np.ndarray, settings: SolverSettings, status: str) -> None:
    """Every row and bound holds for the values returned (integers rounded), within tolerance.
    Values a search stopped at the time limit returns that break rows are no plan found in time
    (HiGHS, stopped a second into a risk model's harm stage, returned such values); from a search
    that says it finished, they are a solver failure."""
    rows, bounds = broken(model, values)
    if rows.any() or bounds.any():
        if status == "time_limit":
            raise NoPlanInTime(no_plan_in_time(settings))
        bad = int(rows.sum() + bounds.sum())
        raise SolverError(
            f"The {settings.solver} solver returned a plan that breaks {bad} of the model's rows or bounds."
        )


def _highs_lp(model: ArrayModel):
    import highspy

    matrix = model.matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = matrix.shape[1]
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.asarray(model.cost, dtype=np.float64)
    lp.col_lower_ = np.where(np.isneginf(model.col_lower), -highspy.kHighsInf, model.col_lower)
    lp.col_upper_ = np.where(np.isposinf(model.col_upper), highspy.kHighsInf, model.col_upper)
    lp.row_lower_ = np.where(np.isneginf(model.row_lower), -highspy.kHighsInf, model.row_lower)
    lp.row_upper_ = np.where(np.isposinf(model.row_upper), highspy.kHighsInf, model.row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in model.integer.tolist()
    ]
    return lp


def _new_highs(settings: SolverSettings, exact: bool):
    import highspy

    with _quiet_native_output(True):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 0.0 if exact else settings.mip_gap)
    h.setOptionValue("mip_abs_gap", ABSOLUTE_GAP)
    if settings.time_limit is not None:
        h.setOptionValue("time_limit", float(settings.time_limit))
    if settings.threads is not None:
        h.setOptionValue("threads", int(settings.threads))
    return h


# HiGHS options of each kind of model. The risk-planning model (DESIGN 4.6), measured in
# docs/performance.md: HiGHS's presolve doubles the time of each stage there and removes little (the
# per-draw rows are already tight), and its sub-MIP heuristics (RINS, RENS, root reduced cost) take
# half of what is left without finding a better plan than rounding does. Neither changes what is
# proved. The plan model of DESIGN 4.4 keeps HiGHS's defaults: there the sub-MIPs find the plans.
RISK_OPTIONS = {
    "presolve": "off",
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
}
PLAN_OPTIONS: dict = {}
STARTED_BY = False  # measured: see docs/performance.md (issue 13)


def _run_arrays_highs(
    model: ArrayModel, settings: SolverSettings, exact: bool, start: np.ndarray | None = None, risk: bool = True
):
    """HiGHS on an array model. `start`: for the risk model a whole feasible solution; for the plan
    model only its integer columns are passed (HiGHS completes the draws, payments and unidentified
    savings itself: given them too, HiGHS 1.16 once returned a stage-1 start unchanged as optimal for
    stage 2, tests/test_optimise_exact.py)."""
    import highspy

    settings = settings.for_one_solve()  # what is left of the command's time, after building
    h = _new_highs(settings, exact)
    for key, value in (RISK_OPTIONS if risk else PLAN_OPTIONS).items():
        h.setOptionValue(key, value)
    h.passModel(_highs_lp(model))
    if start is not None:
        if risk:
            solution = highspy.HighsSolution()
            solution.col_value = np.asarray(start, dtype=float).tolist()
            solution.value_valid = True
            h.setSolution(solution)
        else:
            index = np.flatnonzero(model.integer).astype(np.int32)
            h.setSolution(len(index), index, np.round(np.asarray(start, dtype=float)[index]))
    with _quiet_native_output(True):
        h.run()
    if start is not None and not _consistent(h):
        # HiGHS 1.16 can misjudge a start after presolve: it valued a stage-1 plan leaving £70.33k
        # unidentified at £34.94k "in the reduced space", called it optimal and returned it unchanged
        # (random council 24, tests/test_optimise_exact.py). A solve whose values do not have the
        # objective HiGHS reports is not trusted: it is solved again from nothing.
        return _run_arrays_highs(model, settings, exact, None, risk)
    status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible", None, None, None
    solution = h.getSolution()
    if not solution.value_valid:
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise NoPlanInTime(no_plan_in_time(settings))
        raise SolverError(f"The highs solver stopped without a plan (status {h.modelStatusToString(status)}).")
    info = h.getInfo()
    gap = info.mip_gap
    gap = float(gap) if gap is not None and gap < 1e30 else 0.0
    done = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    bound = float(info.mip_dual_bound)
    progress = Progress(
        bound=bound if np.isfinite(bound) and abs(bound) < 1e30 else None,
        nodes=int(info.mip_node_count),
        lp_iterations=int(info.simplex_iteration_count),
        solver_seconds=float(h.getRunTime()),
    )
    return done, np.array(solution.col_value), gap, progress


def _run_arrays_cbc(model: ArrayModel, settings: SolverSettings, exact: bool):
    """CBC reads the model as an MPS file (written by HiGHS) and writes its solution file."""
    import subprocess

    settings = settings.for_one_solve()
    path = _cbc_path() or "cbc"
    with tempfile.TemporaryDirectory(prefix="mtfs_cbc_") as folder:
        mps = os.path.join(folder, "model.mps")
        sol = os.path.join(folder, "solution.txt")
        h = _new_highs(settings, exact)
        h.passModel(_highs_lp(model))
        h.writeModel(mps)
        command = [
            path,
            mps,
            "-preprocess",
            "off",
            "-ratioGap",
            str(0.0 if exact else settings.mip_gap),
            "-allowableGap",
            str(ABSOLUTE_GAP),
        ]
        if settings.time_limit is not None:
            command += ["-sec", str(float(settings.time_limit))]
        if settings.threads is not None:
            command += ["-threads", str(int(settings.threads))]
        command += ["-solve", "-solution", sol]
        try:
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        except OSError as err:
            raise SolverError(f"The cbc solver could not be run: {err}") from err
        if not os.path.exists(sol):
            raise SolverError("The cbc solver stopped without a plan.")
        with open(sol, encoding="utf-8", errors="replace") as handle:
            first = handle.readline()
            rows = handle.read().split("\n")
    head = first.strip().lower()
    if "infeasible" in head:
        return "infeasible", None, None
    values = np.zeros(model.matrix.shape[1])
    for line in rows:
        parts = line.replace("**", " ").split()
        if len(parts) >= 3 and parts[1].startswith("c") and parts[1][1:].isdigit():
            values[int(parts[1][1:])] = float(parts[2])
    if head.startswith("optimal"):
        return "optimal", values, 0.0
    if "stopped" in head and "no solution" not in head:
        return "time_limit", values, None
    raise SolverError(f"The cbc solver stopped without a plan ({first.strip()}).")
