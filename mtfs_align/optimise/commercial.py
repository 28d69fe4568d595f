"""Commercial MIP solvers for councils that hold a licence: Gurobi (gurobipy), FICO Xpress (xpress)
and COPT (coptpy), each an optional extra (`pip install 'mtfs_align[gurobi]'`, `[xpress]`, `[copt]`).

Each is handed the model as arrays (optimise/arrays.py) and returns (status, values, gap) as HiGHS
does in solvers.py; the caller checks the values against every row and bound before using them. The
gaps are those of DESIGN 4.4 (0 for the balance stages, --mip-gap for the harm stage, an absolute
gap of 1e-6), each solver's own random seed is fixed so that a run is repeatable, and its integer
tolerance is HiGHS's 1e-6.

The packages on PyPI come with free size-limited licences for evaluation and teaching (Gurobi: 2,000
variables and 2,000 rows; Xpress Community: 5,000 rows and columns together; COPT without a licence
file: 2,000 variables and 2,000 rows). A council above the limit gets a plain message naming it;
production use needs the council's own licence from the vendor (docs/performance.md).
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np

from mtfs_align.errors import SolverError
from mtfs_align.optimise.native import ABSOLUTE_GAP, NoPlanInTime, quiet_native_output

PACKAGES = {"gurobi": "gurobipy", "xpress": "xpress", "copt": "coptpy"}
LIMITS = {  # the free licence that comes with each PyPI package
    "gurobi": "2,000 variables and 2,000 rows",
    "xpress": "5,000 rows and columns together",
    "copt": "2,000 variables and 2,000 rows",
}
NAMES = {"gurobi": "Gurobi", "xpress": "FICO Xpress", "copt": "COPT"}
INTEGER_TOLERANCE = 1e-6  # as HiGHS's mip_feasibility_tolerance


def check_installed(name: str) -> None:
    """The solver's Python package imports here; otherwise how to install it."""
    try:
        _module(name)
    except ImportError as err:
        raise SolverError(
            f"The {name} solver is not installed on this machine: install it with "
            f"pip install 'mtfs_align[{name}]' (its free licence allows {LIMITS[name]}; larger councils "
            f"need a {NAMES[name]} licence), or use --solver highs."
        ) from err


def _module(name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xpress warns that it uses its community licence
        return importlib.import_module(PACKAGES[name])


def _too_large(name: str, model, detail: str) -> SolverError:
    rows, cols = model.matrix.shape
    return SolverError(
        f"The {name} solver's licence is too small for this problem ({cols:,} variables, {rows:,} rows; "
        f"the free licence that comes with {PACKAGES[name]} allows {LIMITS[name]}): install a full "
        f"{NAMES[name]} licence, or use --solver highs. ({detail})"
    )


def solve(name: str, model, settings, exact: bool, start: np.ndarray | None):
    """(status, values, gap): status "optimal", "time_limit" or "infeasible"."""
    if np.any(model.row_lower > model.row_upper) or np.any(model.col_lower > model.col_upper):
        return "infeasible", None, None  # (Xpress would read such a row as a range of the same width)
    settings = settings.for_one_solve()
    gap = 0.0 if exact else settings.mip_gap
    solver = {"gurobi": _gurobi, "xpress": _xpress, "copt": _copt}[name]
    with quiet_native_output(True):
        status, values, reported, limit_hit = solver(model, settings, gap, ABSOLUTE_GAP, start)
    if status == "no_plan":
        if limit_hit:
            raise NoPlanInTime(
                f"The {name} solver found no plan within the time limit of {settings.limit_words()}; "
                "allow more time with --time-limit."
            )
        raise SolverError(f"The {name} solver stopped without a plan.")
    return status, values, reported


def _finite(values: np.ndarray, infinity: float) -> np.ndarray:
    return np.clip(np.asarray(values, dtype=float), -infinity, infinity)


def _gurobi(model, settings, gap, absolute, start):
    gp = _module("gurobi")
    grb = gp.GRB
    try:
        env = gp.Env(empty=True)
        env.setParam("OutputFlag", 0)
        env.start()
        m = gp.Model(env=env)
        m.Params.MIPGap = gap
        m.Params.MIPGapAbs = absolute
        m.Params.IntFeasTol = INTEGER_TOLERANCE
        m.Params.Seed = 0
        if settings.time_limit is not None:
            m.Params.TimeLimit = float(settings.time_limit)
        if settings.threads is not None:
            m.Params.Threads = int(settings.threads)
        vtype = np.where(model.integer, grb.INTEGER, grb.CONTINUOUS)
        x = m.addMVar(
            model.matrix.shape[1],
            lb=_finite(model.col_lower, grb.INFINITY),
            ub=_finite(model.col_upper, grb.INFINITY),
            vtype=vtype,
        )
        matrix = model.matrix.tocsr()
        lower, upper = model.row_lower, model.row_upper
        equal = np.isfinite(lower) & (lower == upper)
        below = np.isfinite(upper) & ~equal
        above = np.isfinite(lower) & ~equal
        for rows, sense, rhs in ((equal, "=", lower), (below, "<", upper), (above, ">", lower)):
            if rows.any():
                m.addMConstr(matrix[np.flatnonzero(rows)], x, sense, rhs[rows])
        m.setObjective(model.cost @ x, grb.MINIMIZE)
        if start is not None:
            values = np.full(len(start), grb.UNDEFINED)
            values[model.integer] = np.round(start[model.integer])
            x.Start = values
        m.optimize()
    except gp.GurobiError as err:
        if getattr(err, "errno", None) == 10010:  # "Model too large for size-limited license"
            raise _too_large("gurobi", model, str(err)) from err
        raise SolverError(f"The gurobi solver failed: {err}") from err
    if m.Status in (grb.INFEASIBLE, grb.INF_OR_UNBD):
        return "infeasible", None, None, False
    if m.SolCount == 0:
        return "no_plan", None, None, m.Status == grb.TIME_LIMIT
    values = np.array(x.X, dtype=float)
    status = "optimal" if m.Status == grb.OPTIMAL else "time_limit"
    return status, values, float(m.MIPGap), False


def _xpress(model, settings, gap, absolute, start):
    xp = _module("xpress")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = xp.problem()
    p.controls.outputlog = 0
    p.controls.miprelstop = gap
    p.controls.mipabsstop = absolute
    p.controls.miptol = INTEGER_TOLERANCE
    p.controls.randomseed = 0
    if settings.time_limit is not None:
        p.controls.timelimit = float(settings.time_limit)
    if settings.threads is not None:
        p.controls.threads = int(settings.threads)
    matrix = model.matrix.tocsc()
    lower, upper = model.row_lower, model.row_upper
    has_lower, has_upper = np.isfinite(lower), np.isfinite(upper)
    equal = has_lower & has_upper & (lower == upper)
    ranged = has_lower & has_upper & ~equal
    rowtype = np.full(len(lower), "N")
    rowtype[has_upper & ~has_lower] = "L"
    rowtype[has_lower & ~has_upper] = "G"
    rowtype[ranged] = "R"
    rowtype[equal] = "E"
    rhs = np.where(has_upper, upper, np.where(has_lower, lower, 0.0))
    rng = np.where(ranged, upper - lower, 0.0)
    integer = np.flatnonzero(model.integer)
    try:
        p.loadMIP(
            "mtfs_align",
            rowtype.tolist(),
            rhs,
            rng,
            np.asarray(model.cost, dtype=float),
            matrix.indptr.astype(np.int64),
            None,
            matrix.indices.astype(np.int64),
            matrix.data.astype(float),
            _finite(model.col_lower, xp.infinity),
            _finite(model.col_upper, xp.infinity),
            ["I"] * len(integer),
            integer.astype(np.int64),
        )
        if start is not None and len(integer):
            p.addMipSol(np.round(start[integer]).tolist(), integer.tolist(), "start")
        p.optimize()
    except xp.SolverError as err:  # the community licence's "?120 Error: Problem has too many rows and columns"
        if "too many" in str(err).lower() or "?120" in str(err):
            raise _too_large("xpress", model, str(err)) from err
        raise SolverError(f"The xpress solver failed: {err}") from err
    status = p.attributes.solstatus
    if status == xp.SolStatus.INFEASIBLE:
        return "infeasible", None, None, False
    if status not in (xp.SolStatus.OPTIMAL, xp.SolStatus.FEASIBLE):
        return "no_plan", None, None, p.attributes.stopstatus == xp.StopType.TIMELIMIT
    values = np.array(p.getSolution(), dtype=float)
    objective, bound = p.attributes.mipobjval, p.attributes.bestbound
    reported = max(0.0, objective - bound) / max(abs(objective), 1e-10)
    return ("optimal" if status == xp.SolStatus.OPTIMAL else "time_limit"), values, reported, False


def _copt(model, settings, gap, absolute, start):
    cp = _module("copt")
    copt = cp.COPT
    try:
        config = cp.EnvrConfig()
        config.set("nobanner", "1")
        env = cp.Envr(config)
        m = env.createModel("mtfs_align")
        m.setParam(copt.Param.Logging, 0)
        m.setParam(copt.Param.RelGap, gap)
        m.setParam(copt.Param.AbsGap, absolute)
        m.setParam(copt.Param.IntTol, INTEGER_TOLERANCE)
        if settings.time_limit is not None:
            m.setParam(copt.Param.TimeLimit, float(settings.time_limit))
        if settings.threads is not None:
            m.setParam(copt.Param.Threads, int(settings.threads))
        vtype = np.where(model.integer, copt.INTEGER, copt.CONTINUOUS)
        m.loadMatrix(
            np.asarray(model.cost, dtype=float),
            model.matrix.tocsc(),
            _finite(model.row_lower, copt.INFINITY),
            _finite(model.row_upper, copt.INFINITY),
            _finite(model.col_lower, copt.INFINITY),
            _finite(model.col_upper, copt.INFINITY),
            vtype,
        )
        variables = m.getVars()
        if start is not None:
            integer = np.flatnonzero(model.integer)
            m.setMipStart([variables[i] for i in integer.tolist()], np.round(start[integer]).tolist())
            m.loadMipStart()
        m.solve()
    except cp.CoptError as err:
        if "LICENSE" in str(err).upper():
            raise _too_large("copt", model, str(err)) from err
        raise SolverError(f"The copt solver failed: {err}") from err
    status = m.status
    if status in (copt.INFEASIBLE, copt.INF_OR_UNB):
        return "infeasible", None, None, False
    if not m.hasmipsol:
        return "no_plan", None, None, status == copt.TIMEOUT
    values = np.array(m.getValues(), dtype=float)
    reported = float(m.getAttr(copt.Attr.BestGap))
    return ("optimal" if status == copt.OPTIMAL else "time_limit"), values, reported, False
