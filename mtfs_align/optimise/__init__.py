"""The optimiser of DESIGN 4.4: least unidentified savings in the coming year, then over the
horizon, then least outcome harm (plus the reserves penalty), solved lexicographically."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pulp

from mtfs_align.delivery import DEFAULT_SEED
from mtfs_align.errors import ContradictionError
from mtfs_align.model import Model
from mtfs_align.optimise import solvers
from mtfs_align.optimise.contradictions import diagnose, precheck
from mtfs_align.optimise.greedy import balanced_plan
from mtfs_align.optimise.limits import remaining as _remaining
from mtfs_align.optimise.limits import tolerance
from mtfs_align.optimise.problem import SavingsProblem, build_problem
from mtfs_align.optimise.risk_plan import build_risk_problem, plan_shortfalls
from mtfs_align.optimise.solvers import SolverSettings


@dataclass
class Solution:
    plan: dict[str, int]
    status: str  # "optimal" or "time_limit"
    solver: str
    mip_gap: float
    reported_gap: float | None
    unidentified_first_year: float
    unidentified_total: float
    objective: float  # the solver's stage-3 value (the manifest reports the evaluated one)
    build_seconds: float
    solve_seconds: float
    risk: RiskPlanned | None = field(default=None, repr=False)  # plan_on: risk (DESIGN 4.6)
    stopped: dict | None = None  # at the time limit: what was proved (solvers.stop_report)


@dataclass
class RiskPlanned:
    """What planning for delivery risk found (DESIGN 4.6), in sample: over the K planning draws."""

    confidence: float
    draws: int
    seed: int
    stage1_cvar_k: float  # least CVaR of the first year's savings still to be found
    cvar_sum_k: float  # least sum over the years of CVaR
    objective: float  # stage 3 over the draws: harm + reserves penalty x mean draws
    in_sample: dict  # the plan on the planning draws, reserves as DESIGN 4.5 settles them
    problem: object = field(repr=False, default=None)  # the built RiskProblem

    def manifest_fields(self, years: list[str]) -> dict:
        figures = self.in_sample
        return {
            "confidence": self.confidence,
            "draws": self.draws,
            "seed": self.seed,
            "stage1_cvar_k": round(self.stage1_cvar_k, 3),
            "cvar_sum_k": round(self.cvar_sum_k, 3),
            "stage3_objective": round(self.objective, 9),
            "in_sample": {
                "cvar_k": {y: round(float(v), 3) for y, v in zip(years, figures["cvar_k"], strict=True)},
                "var_k": {y: round(float(v), 3) for y, v in zip(years, figures["var_k"], strict=True)},
                "p_balanced": {y: round(float(v), 6) for y, v in zip(years, figures["p_balanced"], strict=True)},
                "p_balanced_all_years": round(figures["p_balanced_all_years"], 6),
            },
        }


def prepare(model: Model) -> SavingsProblem:
    """Check for visible contradictions, then build the problem once."""
    found = precheck(model)
    if found:
        raise ContradictionError(found)
    return build_problem(model)


def optimise(model: Model, settings: SolverSettings | None = None, seed: int = DEFAULT_SEED) -> Solution:
    """The optimum of DESIGN 4.4, or of 4.6 when the scenario plans on risk (its delivery draws
    from `seed`)."""
    settings = settings or SolverSettings()
    started = time.perf_counter()
    sp = prepare(model)
    settings.for_one_solve()  # out of time already (a council slow to read and build): say so now
    if model.scenario.policy.plan_on == "risk":
        return solve_for_risk(sp, settings, seed, started)
    build = time.perf_counter() - started
    return solve(sp, settings, build_seconds=build)


def solve_for_risk(
    sp: SavingsProblem, settings: SolverSettings, seed: int, started: float, confidence: float | None = None, rp=None
) -> Solution:
    """DESIGN 4.6 on a built problem: K common delivery draws, three CVaR-then-harm stages."""
    policy = sp.model.scenario.policy
    p = policy.confidence if confidence is None else confidence
    if rp is None:
        rp = build_risk_problem(sp, policy.risk_draws, seed, p)
    rp.set_confidence(p)
    build = time.perf_counter() - started
    found = rp.solve(settings)
    return Solution(
        plan=found.plan,
        status=found.status,
        solver=settings.solver,
        mip_gap=settings.mip_gap,
        reported_gap=found.gap,
        unidentified_first_year=found.stage1_cvar_k,
        unidentified_total=found.cvar_sum_k,
        objective=found.objective,
        build_seconds=build,
        solve_seconds=found.seconds,
        risk=RiskPlanned(
            confidence=p,
            draws=rp.futures.count,
            seed=seed,
            stage1_cvar_k=found.stage1_cvar_k,
            cvar_sum_k=found.cvar_sum_k,
            objective=found.objective,
            in_sample=plan_shortfalls(sp.model, rp.futures, found.plan, p),
            problem=rp,
        ),
    )


def _set_stage_row(sp: SavingsProblem, name: str, expression, bound: float) -> None:
    row = sp.stage_rows.get(name)
    if row is None:
        row = pulp.LpConstraint(e=expression, sense=pulp.LpConstraintLE, rhs=bound, name=name)
        sp.problem.addConstraint(row, name=name)
        sp.stage_rows[name] = row
    else:
        solvers.set_rhs(row, bound)


_INACTIVE = 1e9  # the least bound that cannot bind on a council of ordinary size (£1,000bn)


def inactive_bound(model: Model) -> float:
    """A right-hand side that no stage row can reach, from the model's own totals: every stage row
    bounds unidentified savings, counted savings or harm, and none of them can exceed the sum of
    every need, funding, pressure, saving and harm in the model (a fixed £1,000bn once made
    councils with totals above it report a contradiction that did not exist)."""
    totals = (
        np.abs(model.need).sum()
        + np.abs(model.need_council).sum()
        + np.abs(model.funding).sum()
        + np.abs(model.pressures).sum()
        + np.abs(model.gap).sum()
        + np.abs(model.nominal).sum()
        + np.abs(model.counted).sum()
        + np.abs(model.harm).sum() * model.n
    )
    return max(_INACTIVE, 10.0 * float(totals))


def _drop_stage_rows(sp: SavingsProblem) -> None:
    """Stage bounds stay in the problem (PuLP cannot remove rows cleanly) but stop binding."""
    bound = inactive_bound(sp.model) * max(1.0, sp.gap_scale)  # the frontier scales the gap
    for row in sp.stage_rows.values():
        solvers.set_rhs(row, bound)


def harm_objective(sp: SavingsProblem, start_harm: np.ndarray | None = None) -> pulp.LpAffineExpression:
    """Stage 3: sum of h[o] x (n - s) over chosen starts + reserves_penalty x total draws."""
    harm = sp.model.start_harm() if start_harm is None else start_harm
    coef = harm[sp.pairs_option, sp.pairs_start]
    terms = [(v, float(c)) for v, c in zip(sp.z, coef, strict=True) if c != 0]
    penalty = sp.model.scenario.policy.reserves_penalty
    if penalty:
        terms += [(d, penalty) for d in sp.draw]
    return pulp.LpAffineExpression(terms)


def solve_balance_stages(sp: SavingsProblem, settings: SolverSettings, started: float) -> tuple[float, float, str]:
    """Stages 1 and 2 (to proven optimality); their bounds are added to the problem."""
    u1, first = solve_first_year_stage(sp, settings, started)
    u_total, second = solve_horizon_stage(sp, settings, started)
    status = "time_limit" if "time_limit" in (first, second) else "optimal"
    return u1, u_total, status


def solve_harm_stage(
    sp: SavingsProblem, settings: SolverSettings, started: float, start_harm: np.ndarray | None = None
):
    sp.problem.setObjective(harm_objective(sp, start_harm))
    third = solvers.run(sp.problem, _remaining(settings, started), exact=False, warm=True)
    if third.status == "infeasible":
        raise ContradictionError(diagnose(sp.model, settings))
    return third


def solve(sp: SavingsProblem, settings: SolverSettings, build_seconds: float = 0.0) -> Solution:
    """The three stages of DESIGN 4.4 on a built problem."""
    started = time.perf_counter()
    quick = balanced_plan(sp)
    if quick is None:
        settings.for_one_solve()  # no time left for the balance stages: not even their arrays are built
    if quick is not None:
        # A plan meeting every row with nothing unidentified proves stages 1 and 2 (u >= 0), and
        # its start values are left set for the harm stage.
        u1 = u_total = 0.0
        status = "optimal"
        bound_first_year(sp, u1)
        bound_horizon(sp, u_total)
        balanced = quick
    else:
        u1, u_total, status = solve_balance_stages(sp, settings, started)
        balanced = sp.plan_from_solution()
    try:
        third = solve_harm_stage(sp, settings, started)
    except solvers.NoPlanInTime:
        if settings.time_limit is None:
            raise
        # Out of time before the harm stage found a plan: the stage-2 plan meets every constraint
        # and both balance stages, so it is returned, plainly marked as not optimal for harm.
        return Solution(
            plan=balanced,
            status="time_limit",
            solver=settings.solver,
            mip_gap=settings.mip_gap,
            reported_gap=None,
            unidentified_first_year=u1,
            unidentified_total=u_total,
            objective=float("nan"),
            build_seconds=build_seconds,
            solve_seconds=time.perf_counter() - started,
            stopped=solvers.stop_report("harm", None, time.perf_counter() - started),
        )
    balance_cut_short = status == "time_limit"
    if third.status == "time_limit":
        status = "time_limit"
    return Solution(
        plan=sp.plan_from_solution(),
        status=status,
        solver=settings.solver,
        mip_gap=settings.mip_gap,
        # the harm stage's gap says nothing when a balance stage was cut short: report none then
        reported_gap=None if balance_cut_short else third.gap,
        unidentified_first_year=u1,
        unidentified_total=u_total,
        objective=float(third.objective or 0.0),
        build_seconds=build_seconds,
        solve_seconds=time.perf_counter() - started,
        stopped=_stopped(status, balance_cut_short, third, time.perf_counter() - started),
    )


def _stopped(status: str, balance_cut_short: bool, third, seconds: float) -> dict | None:
    if status == "optimal":
        return None
    if balance_cut_short:
        return solvers.stop_report("unidentified savings", None, seconds)
    return solvers.stop_report("harm", third, seconds)


# ---- re-solving a built problem stage by stage (frontier points, weight samples) ------------
# Additive helpers: the same stage rows and tolerances as `solve_balance_stages`, so that a caller
# that knows a stage's optimum without solving (DESIGN 4.5 frontier) sets exactly the bound the
# solver would have set.


def release_stage_bounds(sp: SavingsProblem) -> None:
    """The stage-1 and stage-2 bounds stop binding (before the problem's data change)."""
    _drop_stage_rows(sp)


def add_bound(sp: SavingsProblem, name: str, expression: pulp.LpAffineExpression, bound: float) -> None:
    """An extra row `expression <= bound` kept with the stage bounds (or its bound changed, when
    it exists): `release_stage_bounds`, and every stage-1 solve, stop it binding again."""
    _set_stage_row(sp, name, expression, bound)


def bound_first_year(sp: SavingsProblem, u1: float) -> None:
    """Stage-1 bound: u[1] <= u1* + tolerance, as `solve_balance_stages` sets it."""
    _set_stage_row(sp, "stage1_first_year", pulp.LpAffineExpression([(sp.unidentified[0], 1.0)]), u1 + tolerance(u1))


def bound_horizon(sp: SavingsProblem, u_total: float) -> None:
    """Stage-2 bound: sum of u <= u_total* + tolerance, as `solve_balance_stages` sets it."""
    _set_stage_row(sp, "stage2_horizon", _total_unidentified(sp), u_total + tolerance(u_total))


def _total_unidentified(sp: SavingsProblem) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression([(u, 1.0) for u in sp.unidentified])


def _solve_balance_stage(
    sp: SavingsProblem, objective: pulp.LpAffineExpression, settings: SolverSettings, started: float, warm: bool
) -> tuple[float, str]:
    """One of stages 1 and 2 to proven optimality: its least unidentified savings (never below 0)."""
    sp.problem.setObjective(objective)
    result = solvers.run(sp.problem, _remaining(settings, started), exact=True, warm=warm)
    if result.status == "infeasible":
        raise ContradictionError(diagnose(sp.model, settings))
    return max(0.0, result.objective or 0.0), result.status


def solve_first_year_stage(
    sp: SavingsProblem, settings: SolverSettings, started: float, warm: bool = False
) -> tuple[float, str]:
    """Stage 1 alone (proven optimal); both stage bounds are released first, then u[1]'s is set."""
    _drop_stage_rows(sp)
    u1, status = _solve_balance_stage(sp, pulp.LpAffineExpression([(sp.unidentified[0], 1.0)]), settings, started, warm)
    bound_first_year(sp, u1)
    return u1, status


def solve_horizon_stage(
    sp: SavingsProblem, settings: SolverSettings, started: float, warm: bool = True
) -> tuple[float, str]:
    """Stage 2 alone (proven optimal), under the stage-1 bound already set; then its bound."""
    if "stage2_horizon" in sp.stage_rows:
        solvers.set_rhs(sp.stage_rows["stage2_horizon"], inactive_bound(sp.model) * max(1.0, sp.gap_scale))
    u_total, status = _solve_balance_stage(sp, _total_unidentified(sp), settings, started, warm)
    bound_horizon(sp, u_total)
    return u_total, status
