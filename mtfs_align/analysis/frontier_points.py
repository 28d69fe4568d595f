"""One frontier point solved on its own (DESIGN 4.5, 4.6): the task that `frontier` hands to
mtfs_align.parallel, one per point, so that points can be solved side by side (`--workers`,
`--scheduler`) with exactly the answers of a serial run.

A point's answer depends on its scale alone, never on the points solved before it in the same
process: each point sets its gap or reserves (absolute right-hand sides, not relative to the last
point), takes out the stage-bound rows of the point before (`fresh_rows`), and then solves as
`optimise` does (DESIGN 4.4): the greedy balanced plan proves stages 1 and 2 when it leaves nothing
unidentified (and starts stage 3); otherwise stage 1 is solved from nothing and stages 2 and 3
start from the stage before. No plan, bound or warm start is carried from one point to the next,
so the order the points are solved in, and where, cannot change a tie-break or which plan within
the MIP gap is found.

What is shared is the built problem: a process builds it once for a frontier and re-uses it for
every point it is given (`_built`, one per thread: a Dask worker may run tasks in threads).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from mtfs_align.evaluate import Evaluation, evaluate
from mtfs_align.model import Model
from mtfs_align.optimise import (
    bound_first_year,
    bound_horizon,
    prepare,
    release_stage_bounds,
    solve_balance_stages,
    solve_for_risk,
    solve_harm_stage,
)
from mtfs_align.optimise.greedy import balanced_plan
from mtfs_align.optimise.problem import SavingsProblem
from mtfs_align.optimise.solvers import SolverSettings


@dataclass
class FrontierPoint:
    point: int  # 1-based, in order of scale (0: the scenario as it is, solved beside the frontier)
    scale: float
    plan: dict[str, int]
    evaluation: Evaluation  # of the plan under the scaled gap or reserves
    status: str  # "optimal" or "time_limit"
    unidentified_first_year: float  # stage-1 optimum (solver; CVaR of year 1 when planning for risk)
    unidentified_total: float  # stage-2 optimum (solver; sum of CVaR when planning for risk)
    balance_stages_skipped: bool
    solves: int
    seconds: float
    cvar_k: np.ndarray | None = None  # planning for risk: in-sample CVaR per year at the point's confidence


@dataclass(frozen=True)
class PointTask:
    """Everything one point needs, picklable: sent to a worker process or a Dask worker."""

    key: str  # the frontier this point belongs to (which built problem to re-use)
    model: Model
    settings: SolverSettings
    vary: str
    seed: int
    number: int
    scale: float


class _Built(threading.local):
    key: str | None = None
    sp: SavingsProblem | None = None
    rp: object = None


_built = _Built()


def share(key: str, sp: SavingsProblem) -> None:
    """Let the points of frontier `key` solved in this thread re-use `sp` (the caller's build)."""
    _built.key, _built.sp, _built.rp = key, sp, None


def forget(key: str) -> None:
    if _built.key == key:
        _built.key, _built.sp, _built.rp = None, None, None


def _problem(task: PointTask) -> SavingsProblem:
    if _built.key != task.key or _built.sp is None:
        share(task.key, prepare(task.model))
    return _built.sp


def _risk_problem(task: PointTask, sp: SavingsProblem):
    from mtfs_align.optimise.risk_plan import build_risk_problem

    if _built.rp is None:
        policy = sp.model.scenario.policy
        _built.rp = build_risk_problem(sp, policy.risk_draws, task.seed, policy.confidence)
    return _built.rp


def scaled_model(model: Model, vary: str, factor: float) -> Model:
    """The model with its gap, or its reserves room and yearly draw limits, scaled by `factor`:
    what each frontier point is evaluated against (DESIGN 4.5). A confidence changes no figure of
    DESIGN 4.3."""
    import dataclasses

    from mtfs_align.optimise.problem import scaled_reserves

    if vary == "confidence":
        return model
    if vary == "gap":
        return dataclasses.replace(model, gap=model.gap * factor)
    sc = model.scenario
    return dataclasses.replace(model, scenario=dataclasses.replace(sc, reserves=scaled_reserves(sc.reserves, factor)))


def fresh_rows(sp: SavingsProblem) -> None:
    """The stage-bound rows (and any row added beside them) taken out of `sp`, so that the rows the
    solver is given at the next point are exactly those of a freshly built problem: a point solved
    on a re-used problem is then the same solve as `optimise` of the scaled scenario, and its
    answer cannot depend on what was solved on the problem before."""
    rows = getattr(sp.problem, "_constraints", None)  # PuLP keeps its rows by name
    if rows is None:  # another PuLP: both stage rows present and not binding is as order-free
        bound_first_year(sp, 0.0)
        bound_horizon(sp, 0.0)
        release_stage_bounds(sp)
        return
    for name in list(sp.stage_rows):
        rows.pop(name, None)
    sp.stage_rows.clear()


def rescale(sp: SavingsProblem, vary: str, factor: float) -> None:
    if vary == "gap":
        sp.scale_gap(factor)
    elif vary == "reserves":
        sp.scale_reserves(factor)


def solve_point(task: PointTask) -> FrontierPoint:
    """The point at `task.scale`, exactly as DESIGN 4.4 (or 4.6) solves the scaled scenario."""
    sp = _problem(task)
    if sp.model.scenario.policy.plan_on == "risk":
        return _risk_point(task, sp)
    began = time.perf_counter()
    rescale(sp, task.vary, task.scale)
    fresh_rows(sp)
    quick = balanced_plan(sp)  # its start values are left set for the harm stage
    if quick is not None:
        u1 = u_total = 0.0
        bound_first_year(sp, 0.0)
        bound_horizon(sp, 0.0)
        statuses, solves = [], 1
    else:
        u1, u_total, status = solve_balance_stages(sp, task.settings, began)
        statuses, solves = [status], 3
    third = solve_harm_stage(sp, task.settings, began)
    statuses.append(third.status)
    plan = sp.plan_from_solution()
    return FrontierPoint(
        point=task.number,
        scale=task.scale,
        plan=plan,
        evaluation=evaluate(scaled_model(sp.model, task.vary, task.scale), plan),
        status="time_limit" if "time_limit" in statuses else "optimal",
        unidentified_first_year=u1,
        unidentified_total=u_total,
        balance_stages_skipped=quick is not None,
        solves=solves,
        seconds=time.perf_counter() - began,
    )


def _risk_point(task: PointTask, sp: SavingsProblem) -> FrontierPoint:
    """A point planned for delivery risk (DESIGN 4.6) on the built risk model: the gap, the reserves
    (with the cover) or the confidence set in place, the same K futures from the seed."""
    from mtfs_align.optimise.risk_plan import plan_shortfalls

    began = time.perf_counter()
    rp = _risk_problem(task, sp)
    policy = sp.model.scenario.policy
    rp.scale_gap(task.scale if task.vary == "gap" else 1.0)
    rp.scale_reserves(task.scale if task.vary == "reserves" else 1.0)
    confidence = task.scale if task.vary == "confidence" else policy.confidence
    found = solve_for_risk(sp, task.settings, task.seed, began, confidence=confidence, rp=rp)
    scaled = scaled_model(sp.model, task.vary, task.scale)
    figures = plan_shortfalls(scaled, rp.futures, found.plan, confidence)
    return FrontierPoint(
        point=task.number,
        scale=task.scale,
        plan=found.plan,
        evaluation=evaluate(scaled, found.plan),
        status=found.status,
        unidentified_first_year=found.unidentified_first_year,
        unidentified_total=found.unidentified_total,
        balance_stages_skipped=False,
        solves=3,
        seconds=time.perf_counter() - began,
        cvar_k=figures["cvar_k"],
    )
