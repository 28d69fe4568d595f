"""Robustness of the optimum to the Cabinet's priority weights (DESIGN 4.5, after Liesiö, Mild
and Salo's Robust Portfolio Modelling): sample weights, re-optimise, and report each option's core
index, the share of samples whose optimal plan adopts it.

Weights are sampled as DESIGN says: when the scenario gives any priority a range `[low, high]`,
every priority is drawn uniformly within its own range (a single weight is a range of one
point) and the draw is normalised; when it gives none, they are drawn from a Dirichlet with
parameters `concentration x W[p]` around the Cabinet's weights (a priority weighted 0 stays 0).

Only the harm stage depends on the weights: stages 1 and 2 are solved once on the built problem,
and each sample re-solves stage 3 with its own harm coefficients, started from the optimal plan
at the Cabinet's weights. Each sample is a task of its own (`solve_sample`), whose answer depends
on its weights alone, so samples can be solved side by side (`workers`, `scheduler`:
mtfs_align.parallel) with the same results as one after another; a process builds the problem
once and re-uses it for every sample it is given. All draws come from one seeded numpy
Generator, so a seed gives identical results.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtfs_align.defaults import CONCENTRATION as DEFAULT_CONCENTRATION
from mtfs_align.defaults import LIMITS
from mtfs_align.defaults import SAMPLES as DEFAULT_SAMPLES
from mtfs_align.defaults import SEED as DEFAULT_SEED
from mtfs_align.defaults import WORKERS as DEFAULT_WORKERS
from mtfs_align.errors import InputError, Problem
from mtfs_align.evaluate import Evaluation, evaluate
from mtfs_align.model import Model, build_model
from mtfs_align.optimise import bound_first_year, bound_horizon, prepare, solve_balance_stages, solve_harm_stage
from mtfs_align.optimise.problem import SavingsProblem
from mtfs_align.optimise.risk_plan import build_risk_problem
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.parallel import run_tasks
from mtfs_align.scenario import Scenario

CORE, EXTERIOR = 0.95, 0.05
COLUMNS = ["option", "name", "core_index", "class"]

Progress = Callable[[int], None]


@dataclass
class RobustResult:
    table: pd.DataFrame  # core_index.csv
    weights: np.ndarray  # (samples, P) the sampled priority weights, each row summing to 1
    adopted: np.ndarray  # (samples, O) bool: option adopted in each sample's optimal plan
    plans: list[dict[str, int]]  # each sample's optimal plan
    sampling: str  # "ranges" or "dirichlet"
    seed: int
    samples: int
    concentration: float
    optimum: Evaluation  # the optimal plan at the scenario's own weights
    status: str  # "optimal" or "time_limit"
    solver: str
    mip_gap: float
    seconds: float
    problem: SavingsProblem = field(repr=False)

    def counts(self) -> dict[str, int]:
        return {c: int((self.table["class"] == c).sum()) for c in ("core", "borderline", "exterior")}


def check_settings(samples: int, seed: int, concentration: float) -> None:
    problems = setting_problems(samples, seed, concentration)
    if problems:
        raise InputError(problems)


def setting_problems(samples: int, seed: int, concentration: float) -> list[Problem]:
    """What is wrong with --samples, --seed and --concentration (empty when nothing is)."""
    problems = []
    if samples < 1:
        problems.append(
            Problem("", "", "--samples", f"{samples} samples is too few", "give at least 1, e.g. --samples 100")
        )
    elif samples > LIMITS["samples"][1]:
        most = LIMITS["samples"][1]
        problems.append(
            Problem(
                "",
                "",
                "--samples",
                f"{samples:,} samples is more than {most:,}",
                f"give at most {most}, e.g. --samples 100",
            )
        )
    if seed < 0:
        problems.append(Problem("", "", "--seed", f"the seed {seed} is negative", "give a whole number of 0 or more"))
    if not concentration > 0 or not np.isfinite(concentration):
        problems.append(
            Problem(
                "",
                "",
                "--concentration",
                f"{concentration:g} is not a positive number",
                "give a positive number, e.g. --concentration 20 (larger keeps closer to the Cabinet's weights)",
            )
        )
    return problems


def has_ranges(scenario: Scenario) -> bool:
    return any(high > low for low, high in scenario.weights.values())


def sample_weights(
    scenario: Scenario, samples: int, rng: np.random.Generator, concentration: float = DEFAULT_CONCENTRATION
) -> tuple[np.ndarray, str]:
    """(samples, P) priority weights in the order of the plan's priorities, each row summing to 1."""
    ids = list(scenario.priorities)
    bounds = np.array([scenario.weights[p] for p in ids], dtype=float)  # (P, 2)
    if has_ranges(scenario):
        raw = rng.uniform(bounds[:, 0], bounds[:, 1], size=(samples, len(ids)))
        total = raw.sum(axis=1, keepdims=True)
        # every weight drawn as 0 (only possible when every range starts at 0): equal weights
        return np.where(total > 0, raw / np.where(total > 0, total, 1), 1 / len(ids)), "ranges"
    centre = bounds.mean(axis=1)
    centre = centre / centre.sum() if centre.sum() > 0 else np.full(len(ids), 1 / len(ids))
    weights = np.zeros((samples, len(ids)))
    positive = centre > 0
    weights[:, positive] = rng.dirichlet(concentration * centre[positive], size=samples)
    return weights, "dirichlet"


def start_harm_for(model: Model, priority_weight: np.ndarray) -> np.ndarray:
    """(O, n) harm over the horizon of each option and start under other priority weights: the
    model's own harm (`Model.start_harm`), without rebuilding the model."""
    return model.start_harm(priority_weight)


def core_class(index: float) -> str:
    if index >= CORE - 1e-12:
        return "core"
    if index <= EXTERIOR + 1e-12:
        return "exterior"
    return "borderline"


def robust(
    scenario: Scenario,
    settings: SolverSettings | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    concentration: float = DEFAULT_CONCENTRATION,
    progress: Progress | None = None,
    model: Model | None = None,
    workers: int = DEFAULT_WORKERS,
    scheduler: str | None = None,
) -> RobustResult:
    """Core index of every option over `samples` weight samples (DESIGN 4.5); a scenario planned
    on risk is re-planned on its K futures, drawn from the same seed's planning stream (DESIGN 4.6)."""
    settings = settings or SolverSettings()
    check_settings(samples, seed, concentration)
    began = time.perf_counter()
    model = model or build_model(scenario)
    rng = np.random.default_rng(seed)
    weights, sampling = sample_weights(scenario, samples, rng, concentration)

    sp = prepare(model)
    started = time.perf_counter()
    risk_problem = None
    if model.scenario.policy.plan_on == "risk":
        # DESIGN 4.6: stages 1 and 2 on the K futures once; each sample re-solves the harm stage
        policy = model.scenario.policy
        risk_problem = build_risk_problem(sp, policy.risk_draws, seed, policy.confidence)
        found = risk_problem.solve(settings)
        statuses = [found.status]
        optimum = evaluate(model, found.plan)
    else:
        u1, u_total, status = solve_balance_stages(sp, settings, started)
        statuses = [status, solve_harm_stage(sp, settings, started).status]
        optimum = evaluate(model, sp.plan_from_solution())

    if risk_problem is not None:
        stages = risk_problem.balance_stages
    else:
        stages = (u1, u_total, optimum.plan)
    key = uuid.uuid4().hex
    tasks = [SampleTask(key, model, settings, seed, weights[s], stages) for s in range(samples)]
    _built.key, _built.sp, _built.rp = key, sp, risk_problem  # samples solved here re-use this build
    try:
        done = run_tasks(
            solve_sample,
            tasks,
            workers=workers,
            scheduler=scheduler,
            on_done=None if progress is None else (lambda index, found: progress(1)),
        )
    finally:
        _built.key, _built.sp, _built.rp = None, None, None
    index = model.option_index()
    adopted = np.zeros((samples, len(model.option_ids)), dtype=bool)
    plans = [plan for plan, _ in done]
    statuses += [status for _, status in done]
    for s, plan in enumerate(plans):
        for oid in plan:
            adopted[s, index[oid]] = True

    core = adopted.mean(axis=0)
    names = [scenario.options[o].name for o in model.option_ids]
    table = pd.DataFrame(
        {"option": model.option_ids, "name": names, "core_index": core, "class": [core_class(c) for c in core]},
        columns=COLUMNS,
    )
    return RobustResult(
        table=table,
        weights=weights,
        adopted=adopted,
        plans=plans,
        sampling=sampling,
        seed=seed,
        samples=samples,
        concentration=concentration,
        optimum=optimum,
        status="time_limit" if "time_limit" in statuses else "optimal",
        solver=settings.solver,
        mip_gap=settings.mip_gap,
        seconds=time.perf_counter() - began,
        problem=sp,
    )


@dataclass(frozen=True)
class SampleTask:
    """One weight sample, picklable: sent to a worker process or a Dask worker."""

    key: str  # the robustness run it belongs to (which built problem to re-use)
    model: Model
    settings: SolverSettings
    seed: int
    weights: np.ndarray  # (P,) the sample's priority weights
    stages: tuple  # stages 1 and 2: (u1*, sum u*, the optimal plan), or the risk model's balance_stages


class _Built(threading.local):
    key: str | None = None
    sp: SavingsProblem | None = None
    rp: object = None


_built = _Built()


def solve_sample(task: SampleTask) -> tuple[dict[str, int], str]:
    """The optimal plan under the sample's weights, and its status: the harm stage alone, under the
    stage-1 and stage-2 bounds of the Cabinet's weights, started from the plan optimal at those."""
    model = task.model
    if _built.key != task.key or _built.sp is None:
        _built.key, _built.sp, _built.rp = task.key, prepare(model), None
        if model.scenario.policy.plan_on == "risk":
            policy = model.scenario.policy
            _built.rp = build_risk_problem(_built.sp, policy.risk_draws, task.seed, policy.confidence)
    harm = start_harm_for(model, task.weights)
    if _built.rp is not None:
        rp = _built.rp
        rp.balance_stages, rp.start_harm = task.stages, harm
        third = rp.solve_harm(task.settings)
        return third.plan, third.status
    sp = _built.sp
    u1, u_total, optimum = task.stages
    bound_first_year(sp, u1)
    bound_horizon(sp, u_total)
    sp.set_start_values(optimum)
    third = solve_harm_stage(sp, task.settings, time.perf_counter(), harm)
    return sp.plan_from_solution(), third.status
